-- Who gets into a team besides its first person (the owner), who is kept out,
-- and which sessions belong to whom.

-- How HighLevel users of the location who sign in for the first time join
-- the team: as viewers, as members, or waiting for an owner's or admin's
-- approval. Chosen by the owner on the Settings page.
CREATE TYPE join_policy AS ENUM ('viewer', 'member', 'approval');
ALTER TABLE teams ADD COLUMN join_as join_policy NOT NULL DEFAULT 'viewer';

-- People of the location who signed in but are not in the team: waiting for
-- approval, or removed (or refused) by its owner or an admin. Signing in
-- again does not let them in; only an owner or admin does, giving them
-- `role` (the role a removed person had). A person is either here or in
-- `memberships`, never in both.
CREATE TYPE outsider_status AS ENUM ('pending', 'removed');
CREATE TABLE outsiders (
    user_id      BIGINT          NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT            NOT NULL REFERENCES teams (location_id) ON DELETE CASCADE,
    status       outsider_status NOT NULL,
    role         team_role       NOT NULL CHECK (role <> 'owner'),
    since        TIMESTAMPTZ     NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, location_id)
);
CREATE INDEX outsiders_by_location ON outsiders (location_id, status);

-- The sessions each member signed in with (ids of the session store's rows
-- in tower_sessions.session), so that removing someone ends their sessions
-- at once. Rows whose session is gone are swept with expired sessions.
CREATE TABLE member_sessions (
    session_id   TEXT        PRIMARY KEY,
    user_id      BIGINT      NOT NULL,
    location_id  TEXT        NOT NULL,
    signed_in_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (user_id, location_id) REFERENCES memberships (user_id, location_id) ON DELETE CASCADE
);
CREATE INDEX member_sessions_by_member ON member_sessions (user_id, location_id);
