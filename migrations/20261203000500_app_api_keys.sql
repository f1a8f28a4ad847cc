-- The Read API: apps that pull (Workiom, ConvertCalculator, …) read a
-- team's cached contacts with a key of their connection.

CREATE TABLE app_api_keys (
    connection_id BIGINT      PRIMARY KEY REFERENCES app_connections (id) ON DELETE CASCADE,
    -- The key's start (`sb_live_` and its first 8 random characters), shown
    -- so that people can tell which key an app holds. NULL: no key yet.
    key_prefix    TEXT,
    -- SHA-256 of the whole key, in hex; the key itself is shown once and
    -- never stored. A plain hash is right here, unlike for passwords: a key
    -- is 256 random bits, which no guessing or precomputed table can find
    -- from its hash, and a slow hash would only slow down every request.
    -- Keys are found by this column, so comparing them costs no time that
    -- depends on how much of a wrong key is right.
    key_hash      TEXT        UNIQUE,
    -- The contact fields the connection may read (names as the API spells
    -- them); a new row gets the default list from the code.
    read_fields   TEXT[]      NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- When the current key was issued; rotating replaces the key at once.
    issued_at     TIMESTAMPTZ,
    -- Written at most once a minute, so that reads stay reads.
    last_used_at  TIMESTAMPTZ,
    CHECK ((key_hash IS NULL) = (key_prefix IS NULL))
);

-- Lookups by email (any case) and by E.164 number, within a team.
CREATE INDEX cache_contacts_email ON cache_contacts (location_id, lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_phone ON cache_contacts (location_id, phone) WHERE deleted_at IS NULL;
