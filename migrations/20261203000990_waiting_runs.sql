-- A run held by a Wait step does not hold back the later runs of its
-- automation about the same person: a welcome sequence that waits three
-- days must not keep that member's other events waiting with it.
ALTER TABLE automation_runs ADD COLUMN waiting BOOLEAN NOT NULL DEFAULT false;
