-- When an owner or admin disconnected the team from HighLevel on purpose.
-- Until one of them chooses to connect again, nobody's sign-in brings the
-- connection back; a team that was never connected has no date here.
ALTER TABLE teams ADD COLUMN disconnected_at TIMESTAMPTZ;
