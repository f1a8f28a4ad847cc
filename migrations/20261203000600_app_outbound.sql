-- Where Switchboard sends an app connection's outgoing deliveries, and how
-- it signs in there and signs what it sends. One row per connection, made
-- when its outgoing settings are first saved.

CREATE TABLE app_outbound (
    connection_id         BIGINT      PRIMARY KEY REFERENCES app_connections (id) ON DELETE CASCADE,
    -- http or https, checked when saved and again before each delivery:
    -- every address it resolves to must be public unless the server allows
    -- private ones.
    base_url              TEXT        NOT NULL,
    -- How a delivery signs in to the app: not at all, a bearer token, a
    -- header of the app's choosing, or HTTP Basic.
    auth_mode             TEXT        NOT NULL DEFAULT 'none'
                                      CHECK (auth_mode IN ('none', 'bearer', 'header', 'basic')),
    -- The header's name in `header` mode; empty otherwise.
    auth_header           TEXT        NOT NULL DEFAULT '',
    -- The token, the header's value or `user:password`, sealed by the vault
    -- and bound to this connection; none without sign-in.
    auth_sealed           TEXT,
    -- The HMAC-SHA256 key of the signature on every delivery, made by the
    -- server and shown once; sealed like the rest.
    signing_secret_sealed TEXT,
    timeout_secs          INT         NOT NULL DEFAULT 10 CHECK (timeout_secs BETWEEN 1 AND 60),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((auth_mode = 'none') = (auth_sealed IS NULL))
);
