-- The sync engine: how each location's cache is kept in step with HighLevel.
--
-- A location is synced by one process at a time (a Postgres advisory lock held
-- on a dedicated connection for the whole run, released by Postgres itself if
-- the process dies). A run records its progress as it goes, and each page it
-- writes saves its cursor in the same transaction, so a run cut short resumes
-- where it stopped.

-- Per-location settings and what the last runs reached. Not tied to `teams`:
-- `switchboard sync --token` may fill the cache of a location no one signed in to.
CREATE TABLE sync_settings (
    location_id               TEXT PRIMARY KEY,
    -- Minutes between two incremental polls.
    poll_minutes              INT         NOT NULL DEFAULT 5 CHECK (poll_minutes BETWEEN 1 AND 15),
    -- Whether the first full sync reads every contact's notes (one request per
    -- contact); afterwards only contacts that changed or were asked for.
    notes_on_first_sync       BOOLEAN     NOT NULL DEFAULT true,
    -- The window of appointments kept in step, around the day of the run.
    appointments_days_back    INT         NOT NULL DEFAULT 90 CHECK (appointments_days_back BETWEEN 0 AND 3650),
    appointments_days_ahead   INT         NOT NULL DEFAULT 180 CHECK (appointments_days_ahead BETWEEN 0 AND 3650),
    last_full_at              TIMESTAMPTZ,
    last_poll_at              TIMESTAMPTZ,
    last_reconcile_at         TIMESTAMPTZ,
    -- Contacts updated up to this time are in the cache; the next poll asks
    -- HighLevel for contacts updated since a little before it.
    contacts_updated_through  TIMESTAMPTZ,
    updated_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per run: what it was, how far it got, what it cost and what failed.
CREATE TABLE sync_runs (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id    TEXT        NOT NULL,
    -- full: everything (the first sync); incremental: the poll;
    -- reconcile: everything again, then soft-delete what HighLevel no longer has.
    kind           TEXT        NOT NULL CHECK (kind IN ('full', 'incremental', 'reconcile')),
    -- What started it: schedule, manual (the Sync page) or cli.
    trigger        TEXT        NOT NULL DEFAULT 'schedule',
    status         TEXT        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Refreshed every few seconds while a process works on the run; a running
    -- run with an old heartbeat was cut short and resumes on the next start.
    heartbeat_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ,
    -- {"contacts": {"done": n, "total": n}, "tasks": {...}, ...}
    progress       JSONB       NOT NULL DEFAULT '{}',
    -- HighLevel requests the run made (answers received, retries not counted).
    requests       INT         NOT NULL DEFAULT 0,
    -- Why the run failed, in plain words (a request that failed even after
    -- the client's retries, a database error).
    error          TEXT,
    -- The appointment window of this run.
    window_start   TIMESTAMPTZ,
    window_end     TIMESTAMPTZ
);
CREATE INDEX sync_runs_by_location ON sync_runs (location_id, started_at DESC);
-- At most one unfinished run per location.
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (location_id) WHERE status = 'running';

-- Where each step of a run stands: a step is one resumable walk (the contact
-- search chain, one page of the task search, one calendar's events, ...).
CREATE TABLE sync_cursors (
    run_id      BIGINT      NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    step        TEXT        NOT NULL,
    -- The position to continue from (e.g. the contact search's searchAfter).
    cursor      JSONB,
    done        BOOLEAN     NOT NULL DEFAULT false,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, step)
);

-- Contacts whose notes and tasks must be read again (HighLevel lists notes
-- per contact only, and its task search has no "updated since"). Filled by
-- the first sync (notes), by polls for contacts that changed, and by anyone
-- else through `sync::request_contact_refresh` (e.g. a webhook naming the
-- contact); drained by the location's next run.
CREATE TABLE sync_contact_requests (
    location_id   TEXT        NOT NULL,
    contact_id    TEXT        NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (location_id, contact_id)
);
CREATE INDEX sync_contact_requests_oldest ON sync_contact_requests (location_id, requested_at);
