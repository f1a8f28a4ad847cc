-- Schedule triggers: an automation that runs every few minutes, every day
-- or week at a time, or on a cron expression, on its team's clock.
--
-- Every server process looks for due ticks; a tick is fired by inserting
-- its row, so whichever process inserts it first queues the run, in the
-- same transaction, and the others find the row there and queue nothing.
-- (automations.trigger_kind and automation_runs.trigger_kind take
-- 'schedule' as they are: neither column has a CHECK of its kinds.)

-- The first tick of a schedule is the first one after this moment: when
-- the automation was turned on (from off), like `armed_at` for HighLevel
-- changes, or when a save changed its trigger (a new schedule does not
-- fire the tick that had just come due under the old one).
ALTER TABLE automations ADD COLUMN ticks_from TIMESTAMPTZ NOT NULL DEFAULT now();

CREATE INDEX automations_by_schedule ON automations (id)
    WHERE trigger_kind = 'schedule' AND state <> 'off';

CREATE TABLE automation_ticks (
    automation_id BIGINT      NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    -- The moment the schedule named, a whole minute.
    tick_at       TIMESTAMPTZ NOT NULL,
    -- The run it queued (gone once the run is pruned).
    run_id        BIGINT      REFERENCES automation_runs (id) ON DELETE SET NULL,
    -- The scheduler (one per server process) that fired it.
    fired_by      TEXT        NOT NULL,
    fired_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (automation_id, tick_at)
);
