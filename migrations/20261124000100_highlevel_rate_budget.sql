-- The request budget HighLevel grants per location: a burst of requests per
-- window (100 per 10 s) and a daily allowance (200,000). Every server process
-- takes its requests from these rows, so that N processes together stay
-- within what one would be allowed.

-- One row per location. Its row lock serialises the processes that ask for
-- the same location's budget; other locations never wait on it.
CREATE TABLE highlevel_rate_budget (
    location_id        TEXT        PRIMARY KEY,
    -- What HighLevel's X-RateLimit-* headers last said. NULL until a response
    -- told us; the configured budget applies until then.
    window_max         INTEGER,
    window_ms          INTEGER,
    daily_max          INTEGER,
    -- Requests counted against the UTC day `day`; a new day starts at zero.
    day                DATE        NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
    day_used           INTEGER     NOT NULL DEFAULT 0,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every request granted in the current window, one row each (a sliding log):
-- counting the rows younger than the window gives an exact count over any
-- window, with no burst at the edge of fixed windows. Rows older than the
-- window are deleted as new requests are granted, so the table stays at
-- about one window's worth of rows per location. When a request's answer
-- comes back its `granted_at` moves to that moment: HighLevel counted the
-- request somewhere in between, so the window is never counted short.
CREATE TABLE highlevel_rate_grants (
    id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id TEXT        NOT NULL REFERENCES highlevel_rate_budget (location_id) ON DELETE CASCADE,
    granted_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX highlevel_rate_grants_by_location ON highlevel_rate_grants (location_id, granted_at);
