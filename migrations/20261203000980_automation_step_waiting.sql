-- A wait step whose moment has not come is recorded as waiting, with the
-- moment it waits for in its output; the run stays queued until then, and
-- the record becomes done when the run goes on.

ALTER TABLE automation_run_steps DROP CONSTRAINT automation_run_steps_status_check;
ALTER TABLE automation_run_steps ADD CONSTRAINT automation_run_steps_status_check
    CHECK (status IN ('sending', 'done', 'failed', 'waiting'));
