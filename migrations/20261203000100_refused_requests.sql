-- A short record of requests a door refused before trusting their body (no
-- signature, a bad one, too large, too many): enough to see who knocked and
-- why, never the body itself. Bounded per source address and in all, and
-- deleted after a retention period, so a flood cannot fill the disk.
CREATE TABLE refused_requests (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Which door: `highlevel` for HighLevel's webhooks.
    door        TEXT        NOT NULL,
    -- The client's address, as the door reads it.
    source      TEXT        NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    reason      TEXT        NOT NULL,
    -- The body's length: as read, or as declared when it was not read.
    body_bytes  BIGINT,
    -- The first 16 hex digits of the body's SHA-256, when it was read.
    body_digest TEXT,
    -- The request headers without credentials, each value cut short.
    headers     JSONB       NOT NULL DEFAULT '{}'
);

CREATE INDEX refused_requests_by_source ON refused_requests (source, received_at DESC);
CREATE INDEX refused_requests_by_time ON refused_requests (received_at);
