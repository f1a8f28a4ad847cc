-- Every start of a Switchboard server process. Shows on the Settings page and
-- in /healthz how long this installation has been running, and proves that
-- the data folder (or DATABASE_URL) really kept its data across restarts.
CREATE TABLE server_starts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    version     TEXT        NOT NULL,
    -- Host name and process id, to tell processes apart when several serve one database.
    host        TEXT        NOT NULL,
    pid         INTEGER     NOT NULL
);
