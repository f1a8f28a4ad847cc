-- Teams, people and their roles, and the HighLevel connection of each team.
--
-- A HighLevel location (sub-account) is a team. The HighLevel user who signs in
-- is the app user; the first user of a location becomes its owner.

CREATE TABLE teams (
    -- HighLevel's location id.
    location_id  TEXT PRIMARY KEY,
    name         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- HighLevel's user id (the `userId` of the token answer).
    highlevel_user_id  TEXT        NOT NULL UNIQUE,
    name               TEXT        NOT NULL DEFAULT '',
    email              TEXT        NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_sign_in_at    TIMESTAMPTZ
);

-- What a person may do in a team: owner and admin manage connections and
-- people, member works the data, viewer only reads.
CREATE TYPE team_role AS ENUM ('owner', 'admin', 'member', 'viewer');

CREATE TABLE memberships (
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT        NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    role         team_role   NOT NULL,
    joined_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX memberships_by_location ON memberships (location_id);

-- How Switchboard reaches HighLevel for a team. Tokens are sealed by the vault
-- (XChaCha20-Poly1305, bound to the location and the token's purpose); the
-- plaintext never reaches the database.
CREATE TABLE connections (
    location_id           TEXT PRIMARY KEY REFERENCES teams (location_id) ON DELETE CASCADE,
    -- `oauth` (refreshable) or `private_token` (a Private Integration Token).
    kind                  TEXT        NOT NULL CHECK (kind IN ('oauth', 'private_token')),
    access_token_sealed   TEXT        NOT NULL,
    refresh_token_sealed  TEXT,
    scopes                TEXT[]      NOT NULL DEFAULT '{}',
    expires_at            TIMESTAMPTZ,
    refreshed_at          TIMESTAMPTZ,
    -- `active`, or `needs_reconnect` after HighLevel refused a refresh.
    status                TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconnect')),
    -- Plain-words reason shown to the owner; never holds a token.
    status_detail         TEXT        NOT NULL DEFAULT '',
    connected_by          BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    connected_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The refresher looks for tokens that expire soon.
CREATE INDEX connections_by_expiry ON connections (expires_at) WHERE kind = 'oauth' AND status = 'active';
