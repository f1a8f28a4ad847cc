-- Automations: "when this happens, do that". An automation is a trigger,
-- filters and ordered steps; each save is a version, and each run records
-- the version it ran. Runs are a durable queue any server process claims
-- from (FOR UPDATE SKIP LOCKED under a lease), and each step's outcome is
-- recorded before the next starts, so a run taken over after its process
-- died resumes where it stopped and checks the step that may have been sent.

CREATE TABLE automations (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id       TEXT        NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    name              TEXT        NOT NULL,
    -- on: runs; paused: arriving events are queued and wait; off: nothing is queued.
    state             TEXT        NOT NULL DEFAULT 'off' CHECK (state IN ('on', 'paused', 'off')),
    version           INT         NOT NULL DEFAULT 1,
    -- The trigger of the current version, as columns the queueing finds it by.
    trigger_kind      TEXT        NOT NULL,
    trigger_connection_id BIGINT  REFERENCES app_connections (id) ON DELETE SET NULL,
    trigger_event_type TEXT,
    created_by        BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX automations_by_app_trigger ON automations (trigger_connection_id, trigger_event_type)
    WHERE state <> 'off';
CREATE INDEX automations_by_team ON automations (location_id, id);

CREATE TABLE automation_versions (
    automation_id BIGINT      NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    version       INT         NOT NULL,
    -- The trigger, filters and steps as the builder saves them.
    definition    JSONB       NOT NULL,
    saved_by      BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    saved_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (automation_id, version)
);

CREATE TABLE automation_runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    automation_id  BIGINT      NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    location_id    TEXT        NOT NULL,
    version        INT         NOT NULL,
    status         TEXT        NOT NULL DEFAULT 'queued' CHECK (status IN
                       ('queued', 'running', 'succeeded', 'filtered', 'failed', 'needs_attention', 'skipped')),
    -- app_event, manual, test: what started the run.
    trigger_kind   TEXT        NOT NULL,
    -- The app request that started it; its body is read from app_events.
    app_event_id   BIGINT      REFERENCES app_events (id) ON DELETE SET NULL,
    -- The trigger's data when it is not an app request (a manual run, a test).
    trigger_body   JSONB,
    -- Who or what the run is about (an e-mail, a phone, an id): runs of one
    -- automation about the same subject start in the order they were queued.
    subject        TEXT,
    -- A dry run: filters evaluated and requests built, nothing written.
    dry_run        BOOLEAN     NOT NULL DEFAULT false,
    -- Times a worker claimed it, and failed tries that wait for a retry.
    attempts       INT         NOT NULL DEFAULT 0,
    tries          INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by     TEXT,
    lease_until    TIMESTAMPTZ,
    -- What went wrong, in plain words, and what to do.
    error          TEXT,
    queued_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    finished_at    TIMESTAMPTZ
);

CREATE INDEX automation_runs_due ON automation_runs (next_attempt_at, id)
    WHERE status IN ('queued', 'running');
CREATE INDEX automation_runs_in_order ON automation_runs (automation_id, subject, id)
    WHERE status IN ('queued', 'running');
CREATE INDEX automation_runs_by_team ON automation_runs (location_id, id DESC);
CREATE INDEX automation_runs_by_automation ON automation_runs (automation_id, id DESC);

CREATE TABLE automation_run_steps (
    run_id      BIGINT      NOT NULL REFERENCES automation_runs (id) ON DELETE CASCADE,
    position    INT         NOT NULL,
    name        TEXT        NOT NULL,
    -- sending: recorded before the request left, so a run resumed after a
    -- crash checks whether it arrived before sending it again.
    status      TEXT        NOT NULL CHECK (status IN ('sending', 'done', 'failed')),
    -- The request as sent (credentials never recorded), the answer, and
    -- what later steps read as steps.<name>.
    request     JSONB,
    answer      JSONB,
    output      JSONB,
    error       TEXT,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (run_id, position)
);
