-- The cache: each team's HighLevel contacts, tasks, notes, appointments,
-- users, calendars and businesses, as last seen through the API or a webhook.
--
-- HighLevel stays the source of truth: writes go there first, and the cache is
-- updated from the answer. Every row keeps HighLevel's document in `raw`, so a
-- field the columns do not name is never lost. Deletes are soft (`deleted_at`)
-- so reports and timelines can still explain what happened.

-- Trigram indexes make "contains" searches over 100,000 contacts fast. The
-- extension is trusted: a database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE cache_contacts (
    location_id    TEXT        NOT NULL,
    id             TEXT        NOT NULL,
    first_name     TEXT,
    last_name      TEXT,
    -- "First Last", or the email or phone when there is no name: what lists show and sort by.
    display_name   TEXT        NOT NULL DEFAULT '',
    email          TEXT,
    phone          TEXT,
    company_name   TEXT,
    source         TEXT,
    contact_type   TEXT,
    assigned_to    TEXT,
    business_id    TEXT,
    city           TEXT,
    state          TEXT,
    country        TEXT,
    postal_code    TEXT,
    website        TEXT,
    timezone       TEXT,
    dnd            BOOLEAN     NOT NULL DEFAULT false,
    tags           TEXT[]      NOT NULL DEFAULT '{}',
    -- `[{id, value}]` as HighLevel reads them.
    custom_fields  JSONB       NOT NULL DEFAULT '[]',
    raw            JSONB       NOT NULL,
    date_added     TIMESTAMPTZ,
    date_updated   TIMESTAMPTZ,
    deleted_at     TIMESTAMPTZ,
    -- When Switchboard last wrote this row.
    synced_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Lower-cased name, email, phone and company: what the search box matches.
    search_text    TEXT GENERATED ALWAYS AS (
        lower(display_name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || coalesce(company_name, ''))
    ) STORED,
    PRIMARY KEY (location_id, id)
);
CREATE INDEX cache_contacts_added ON cache_contacts (location_id, date_added DESC) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_updated ON cache_contacts (location_id, date_updated DESC);
CREATE INDEX cache_contacts_name ON cache_contacts (location_id, lower(display_name), id) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_source ON cache_contacts (location_id, source) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_assignee ON cache_contacts (location_id, assigned_to) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_business ON cache_contacts (location_id, business_id) WHERE deleted_at IS NULL;
CREATE INDEX cache_contacts_tags ON cache_contacts USING GIN (tags);
CREATE INDEX cache_contacts_search ON cache_contacts USING GIN (search_text gin_trgm_ops);

CREATE TABLE cache_tasks (
    location_id   TEXT        NOT NULL,
    id            TEXT        NOT NULL,
    -- Absent when a webhook left it out and no lookup has found it yet.
    contact_id    TEXT,
    title         TEXT        NOT NULL DEFAULT '',
    body          TEXT,
    assigned_to   TEXT,
    due_date      TIMESTAMPTZ,
    completed     BOOLEAN     NOT NULL DEFAULT false,
    -- HighLevel has no completion time: this is when Switchboard first saw the
    -- task completed (the TaskComplete webhook's timestamp, or the sync).
    completed_at  TIMESTAMPTZ,
    raw           JSONB       NOT NULL,
    date_added    TIMESTAMPTZ,
    date_updated  TIMESTAMPTZ,
    deleted_at    TIMESTAMPTZ,
    synced_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);
CREATE INDEX cache_tasks_contact ON cache_tasks (location_id, contact_id);
CREATE INDEX cache_tasks_open ON cache_tasks (location_id, due_date) WHERE NOT completed AND deleted_at IS NULL;
CREATE INDEX cache_tasks_assignee ON cache_tasks (location_id, assigned_to, completed) WHERE deleted_at IS NULL;
CREATE INDEX cache_tasks_completed ON cache_tasks (location_id, completed_at) WHERE completed AND deleted_at IS NULL;

CREATE TABLE cache_notes (
    location_id   TEXT        NOT NULL,
    id            TEXT        NOT NULL,
    contact_id    TEXT,
    body          TEXT        NOT NULL DEFAULT '',
    title         TEXT,
    user_id       TEXT,
    pinned        BOOLEAN     NOT NULL DEFAULT false,
    raw           JSONB       NOT NULL,
    date_added    TIMESTAMPTZ,
    deleted_at    TIMESTAMPTZ,
    synced_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);
CREATE INDEX cache_notes_contact ON cache_notes (location_id, contact_id);

CREATE TABLE cache_appointments (
    location_id       TEXT        NOT NULL,
    id                TEXT        NOT NULL,
    calendar_id       TEXT,
    contact_id        TEXT,
    title             TEXT        NOT NULL DEFAULT '',
    -- HighLevel's appointmentStatus: new, confirmed, cancelled, showed, noshow, invalid.
    status            TEXT        NOT NULL DEFAULT 'new',
    assigned_user_id  TEXT,
    start_time        TIMESTAMPTZ,
    end_time          TIMESTAMPTZ,
    raw               JSONB       NOT NULL,
    date_added        TIMESTAMPTZ,
    date_updated      TIMESTAMPTZ,
    deleted_at        TIMESTAMPTZ,
    synced_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);
CREATE INDEX cache_appointments_start ON cache_appointments (location_id, start_time) WHERE deleted_at IS NULL;
CREATE INDEX cache_appointments_contact ON cache_appointments (location_id, contact_id);

-- HighLevel users of the location: the people tasks and contacts are assigned to.
CREATE TABLE cache_users (
    location_id  TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    name         TEXT        NOT NULL DEFAULT '',
    email        TEXT,
    role         TEXT,
    raw          JSONB       NOT NULL,
    deleted_at   TIMESTAMPTZ,
    synced_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);

CREATE TABLE cache_calendars (
    location_id  TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    name         TEXT        NOT NULL DEFAULT '',
    raw          JSONB       NOT NULL,
    deleted_at   TIMESTAMPTZ,
    synced_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);

CREATE TABLE cache_businesses (
    location_id  TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    name         TEXT        NOT NULL DEFAULT '',
    raw          JSONB       NOT NULL,
    deleted_at   TIMESTAMPTZ,
    synced_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, id)
);
