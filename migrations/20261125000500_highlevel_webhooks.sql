-- The HighLevel webhook inbox, which is also the queue that applies the events
-- to the cache.
--
-- Every request to /webhooks/highlevel that fits the size limit is kept here
-- before it is answered, accepted or not, so nothing HighLevel sends is lost
-- and a refused one can be inspected. Accepted events are then claimed and
-- applied by workers in any server process.

CREATE TABLE highlevel_webhooks (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- HighLevel's id of the delivery; absent when the body did not carry one.
    webhook_id       TEXT,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The request body exactly as it arrived: the signature covers these bytes.
    raw_body         BYTEA       NOT NULL,
    -- The request headers, without cookies or credentials.
    headers          JSONB       NOT NULL DEFAULT '{}',
    -- Which signature was checked: `ed25519` (x-ghl-signature), `rsa`
    -- (x-wh-signature), or NULL when the request had neither.
    signature_scheme TEXT,
    verified         BOOLEAN     NOT NULL,
    -- From the body, and only when the signature held: an unverified body
    -- cannot say which team it belongs to.
    location_id      TEXT,
    event_type       TEXT,
    -- The body's `timestamp`: when HighLevel says the change happened.
    event_at         TIMESTAMPTZ,
    -- queued → processing → done, or failed after the last attempt.
    -- rejected: refused at the door (signature, age, repeat, malformed).
    -- ignored: accepted but not applied (unknown type, location with no team).
    status           TEXT        NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed', 'rejected', 'ignored')),
    -- Why it was rejected or ignored, in plain words.
    status_detail    TEXT        NOT NULL DEFAULT '',
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The worker holding the event, and until when: a claim whose lease ran
    -- out (its process crashed) is taken over by another worker.
    claimed_by       TEXT,
    lease_until      TIMESTAMPTZ,
    processed_at     TIMESTAMPTZ,
    -- The last error of a failed attempt.
    error            TEXT,
    -- What applying it changed, e.g. `{"tagsAdded": [...], "tagsRemoved": [...]}`.
    outcome          JSONB
);

-- A webhookId is taken once by an accepted event, so a repeat is refused and
-- never applied twice. Rejected rows do not take it: a forged request must not
-- be able to block the genuine event that carries the same id.
CREATE UNIQUE INDEX highlevel_webhooks_webhook_id ON highlevel_webhooks (webhook_id) WHERE status <> 'rejected';

-- What workers look for: due events, and claims whose lease ran out.
CREATE INDEX highlevel_webhooks_due ON highlevel_webhooks (next_attempt_at) WHERE status IN ('queued', 'processing');

-- The Events page: a team's events, newest first.
CREATE INDEX highlevel_webhooks_by_location ON highlevel_webhooks (location_id, received_at DESC);
CREATE INDEX highlevel_webhooks_by_time ON highlevel_webhooks (received_at DESC);
