-- In-app alerts: what an automation wants people to see, for the whole
-- team or for one person, behind the bell with its unread count.

CREATE TABLE alerts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id TEXT        NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    -- One person of the team; NULL for everyone in it.
    user_id     BIGINT      REFERENCES users (id) ON DELETE CASCADE,
    title       TEXT        NOT NULL,
    body        TEXT        NOT NULL DEFAULT '',
    -- The run that raised it, if an automation did.
    run_id      BIGINT      REFERENCES automation_runs (id) ON DELETE SET NULL,
    -- Who raised it once: a step resumed after a crash finds its alert here.
    origin      TEXT        UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alerts_by_team ON alerts (location_id, id DESC);

-- How far each person has read their team's alerts.
CREATE TABLE alert_reads (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id TEXT   NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    read_up_to  BIGINT NOT NULL,
    PRIMARY KEY (user_id, location_id)
);
