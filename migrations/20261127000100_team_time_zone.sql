-- The time zone of the team's HighLevel location (an IANA name, as HighLevel
-- gives it). Pages show times in it and reports count days in it.
ALTER TABLE teams ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
