-- Connections to other apps (Clubworx, Club OS, GymFlow, ConvertCalculator,
-- Workiom, or any app that sends webhooks), and every request their webhooks
-- made, accepted or not.

CREATE TABLE app_connections (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id      TEXT        NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    -- The unguessable part of the connection's webhook URL, /hooks/<public_id>.
    public_id        TEXT        NOT NULL UNIQUE,
    -- Which app's template it started from (`clubworx`, …, `generic`).
    app              TEXT        NOT NULL,
    name             TEXT        NOT NULL,
    -- How an incoming request proves it comes from the app: the secret
    -- itself in a header, or an HMAC-SHA256 of the raw body under the secret.
    signing_mode     TEXT        NOT NULL CHECK (signing_mode IN ('secret_header', 'hmac_sha256')),
    signing_header   TEXT        NOT NULL,
    signing_encoding TEXT        NOT NULL DEFAULT 'hex' CHECK (signing_encoding IN ('hex', 'base64')),
    -- Text before the signature in the header, such as `sha256=`.
    signing_prefix   TEXT        NOT NULL DEFAULT '',
    -- Sealed by the vault, bound to this connection.
    secret_sealed    TEXT        NOT NULL,
    -- Where the event type is read: a field of the body (a dot path), a
    -- header, or one fixed type for every request.
    event_type_from  TEXT        NOT NULL CHECK (event_type_from IN ('body_field', 'header', 'fixed')),
    event_type_key   TEXT        NOT NULL,
    created_by       BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX app_connections_by_team ON app_connections (location_id, created_at);

CREATE TABLE app_events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id BIGINT      NOT NULL REFERENCES app_connections (id) ON DELETE CASCADE,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The sender's address, as the door reads it.
    source        TEXT        NOT NULL,
    event_type    TEXT,
    -- received: checked and kept for the automations; rejected: refused at
    -- the door, kept with the reason and never applied.
    status        TEXT        NOT NULL CHECK (status IN ('received', 'rejected')),
    problem       TEXT        NOT NULL DEFAULT '',
    -- The body as it arrived; for a refused request at most its first 16 KB.
    body          BYTEA,
    body_bytes    BIGINT,
    -- SHA-256 of the body (hex): a signed body received twice is a replay.
    body_sha256   TEXT,
    -- The headers without credentials, each value cut short.
    headers       JSONB       NOT NULL DEFAULT '{}'
);

CREATE INDEX app_events_by_connection ON app_events (connection_id, received_at DESC, id DESC);
CREATE INDEX app_events_by_time ON app_events (received_at);
-- A body is accepted once per connection; a replay is kept as refused.
CREATE UNIQUE INDEX app_events_once ON app_events (connection_id, body_sha256) WHERE status = 'received';
