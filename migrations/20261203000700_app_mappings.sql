-- Field mappings of app connections: for each event type the app sends, how
-- it becomes HighLevel requests, and for each kind of HighLevel record
-- (contact, task, note, appointment), the body Switchboard sends the app.
-- Each save is a new version so earlier ones can be seen and restored.
-- Also the sample each event type is previewed against, and what HighLevel
-- says of a location that mappings need (its custom fields and country),
-- read at most every few minutes rather than on every keystroke.

CREATE TABLE app_mappings (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id BIGINT      NOT NULL REFERENCES app_connections (id) ON DELETE CASCADE,
    direction     TEXT        NOT NULL CHECK (direction IN ('receive', 'send')),
    -- The event type received, or the kind of record sent.
    subject       TEXT        NOT NULL,
    version       INT         NOT NULL,
    -- The mapping as its form saves it: identity, rules and lookup tables.
    mapping       JSONB       NOT NULL,
    saved_by      BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    saved_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (connection_id, direction, subject, version)
);

CREATE TABLE app_samples (
    connection_id BIGINT      NOT NULL REFERENCES app_connections (id) ON DELETE CASCADE,
    event_type    TEXT        NOT NULL,
    body          JSONB       NOT NULL,
    -- The request it was picked from; NULL once that request is pruned.
    app_event_id  BIGINT      REFERENCES app_events (id) ON DELETE SET NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    picked_by     BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    picked_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, event_type)
);

CREATE TABLE location_details (
    location_id   TEXT        PRIMARY KEY REFERENCES teams (location_id) ON DELETE CASCADE,
    -- [{id, key, name, data_type}] of the location's contact custom fields.
    custom_fields JSONB       NOT NULL DEFAULT '[]',
    -- ISO 3166 alpha-2, for phone numbers written without a country code.
    country       TEXT,
    read_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
