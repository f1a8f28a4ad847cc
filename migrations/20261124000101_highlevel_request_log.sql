-- Every request sent to HighLevel, for the integration history of a
-- connection and for support. It holds what identifies a request and how it
-- went, never what it carried: no token, no Authorization header, no query
-- string (it can hold an email or phone number) and no body.
CREATE TABLE highlevel_request_log (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sent_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    location_id  TEXT        NOT NULL,
    -- The operationId of the official document, e.g. `get-contact`.
    operation_id TEXT        NOT NULL,
    method       TEXT        NOT NULL,
    -- The path without its query string, e.g. /contacts/abc123/tasks.
    path         TEXT        NOT NULL,
    -- NULL when no answer came (timeout, connection failure).
    status       SMALLINT,
    latency_ms   INTEGER     NOT NULL,
    -- 1 for the first try of a request, 2 and more for its retries.
    attempt      SMALLINT    NOT NULL,
    -- HighLevel's id of the request, to quote when asking its support.
    trace_id     TEXT,
    -- A short name of what went wrong (`timeout`, `rate_limited`, …), never a message.
    error_kind   TEXT
);

-- The history of one location, newest first; and pruning by age.
CREATE INDEX highlevel_request_log_by_location ON highlevel_request_log (location_id, sent_at DESC);
CREATE INDEX highlevel_request_log_by_age ON highlevel_request_log (sent_at);
