-- Automations started by HighLevel's own events, worked out from the cache:
-- whatever writes the cache (a webhook, a poll of the sync, a page, an
-- automation's step) changes its rows, and the triggers below turn each
-- change into events (a contact created, a tag added, a task completed, …)
-- and queue the runs of the automations waiting for them, in the same
-- transaction. A write that changes nothing (a poll finding what a webhook
-- already brought) makes no event, so each change fires once.
--
-- Loops: a write made by an automation's step names its run in the setting
-- `switchboard.run`; the events it makes do not start that automation
-- again, and start others one level deeper. A chain that reaches
-- `automations_max_depth()` is recorded as skipped, with the reason.

ALTER TABLE automations
    -- A tag name or an appointment status the trigger waits for; NULL for any.
    ADD COLUMN trigger_value TEXT,
    -- When it was last turned on: rows the cache sees for the first time
    -- (a first sync) fire "created" only if HighLevel made them after this.
    ADD COLUMN armed_at TIMESTAMPTZ NOT NULL DEFAULT now();

CREATE INDEX automations_by_highlevel_trigger ON automations (location_id, trigger_event_type)
    WHERE trigger_kind = 'highlevel' AND state <> 'off';

ALTER TABLE automation_runs
    -- How many automations started each other before this run.
    ADD COLUMN depth INT NOT NULL DEFAULT 0,
    -- The run whose write made the event that started this one.
    ADD COLUMN caused_by_run BIGINT REFERENCES automation_runs (id) ON DELETE SET NULL;

CREATE FUNCTION automations_max_depth() RETURNS INT LANGUAGE sql IMMUTABLE AS 'SELECT 5';

-- A contact row as an automation reads it (`data.contact.email`, …).
CREATE FUNCTION automations_contact_json(c cache_contacts) RETURNS JSONB LANGUAGE sql STABLE AS $$
    SELECT to_jsonb(c) - 'raw' - 'search_text' - 'synced_at' - 'location_id' - 'deleted_at'
$$;

CREATE FUNCTION automations_contact_of(location TEXT, contact TEXT) RETURNS JSONB LANGUAGE sql STABLE AS $$
    SELECT automations_contact_json(c) FROM cache_contacts c WHERE c.location_id = location AND c.id = contact
$$;

-- The run of an automation step in flight that is about `contact`: a
-- webhook may bring that step's change before its answer is cached.
CREATE FUNCTION automations_run_in_flight(location TEXT, contact TEXT, email TEXT) RETURNS BIGINT
LANGUAGE sql STABLE AS $$
    SELECT r.id FROM automation_runs r JOIN automation_run_steps s ON s.run_id = r.id
     WHERE r.location_id = location AND r.status = 'running' AND s.status = 'sending'
       AND (s.request #>> '{params,contactId}' = contact
            OR (email IS NOT NULL AND lower(s.request #>> '{body,email}') = lower(email)))
     ORDER BY r.id LIMIT 1
$$;

-- Queues the runs of `events`: a JSON array of {location_id, event,
-- contact_id, email, value, first_seen, date_added, data}.
CREATE FUNCTION automations_queue_highlevel(events JSONB) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    written_by BIGINT := NULLIF(current_setting('switchboard.run', true), '')::BIGINT;
    queued BIGINT;
BEGIN
    WITH e AS (
        SELECT e.*, COALESCE(written_by, automations_run_in_flight(e.location_id, e.contact_id, e.email)) AS cause
          FROM jsonb_to_recordset(events) AS e(location_id TEXT, event TEXT, contact_id TEXT, email TEXT,
                                               value TEXT, first_seen BOOLEAN, date_added TIMESTAMPTZ, data JSONB)
    ), caused AS (
        SELECT e.*, r.automation_id AS cause_automation, COALESCE(r.depth + 1, 0) AS depth
          FROM e LEFT JOIN automation_runs r ON r.id = e.cause
    )
    INSERT INTO automation_runs (automation_id, location_id, version, trigger_kind, trigger_body, subject,
                                 depth, caused_by_run, status, error, finished_at)
    SELECT a.id, a.location_id, a.version, 'highlevel', c.data, c.contact_id, c.depth, c.cause,
           CASE WHEN c.depth >= automations_max_depth() THEN 'skipped' ELSE 'queued' END,
           CASE WHEN c.depth >= automations_max_depth() THEN format(
               'Not run: %s automations in a row started each other (the last was run %s). '
               'Look at what their steps change, so that one does not set off another again.',
               c.depth, c.cause) END,
           CASE WHEN c.depth >= automations_max_depth() THEN now() END
      FROM caused c
      JOIN automations a ON a.location_id = c.location_id AND a.trigger_kind = 'highlevel'
                        AND a.trigger_event_type = c.event AND a.state <> 'off'
     WHERE (a.trigger_value IS NULL OR lower(a.trigger_value) = lower(c.value))
       AND (NOT c.first_seen OR COALESCE(c.date_added >= a.armed_at, false))
       AND a.id IS DISTINCT FROM c.cause_automation
     ORDER BY c.date_added, c.contact_id;
    GET DIAGNOSTICS queued = ROW_COUNT;
    IF queued > 0 THEN
        PERFORM pg_notify('automation_runs', '');
    END IF;
END $$;

-- Whether any automation waits for HighLevel events: when none does, the
-- triggers below cost one index probe per statement.
CREATE FUNCTION automations_listening() RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM automations WHERE trigger_kind = 'highlevel' AND state <> 'off')
$$;

CREATE FUNCTION automations_contacts_inserted() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF automations_listening() THEN
        PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
            SELECT n.location_id, 'contact_created' AS event, n.id AS contact_id, n.email, NULL AS value,
                   true AS first_seen, n.date_added,
                   jsonb_build_object('event', 'contact_created', 'contact', automations_contact_json(n)) AS data
              FROM new_rows n WHERE n.deleted_at IS NULL
            UNION ALL
            SELECT n.location_id, 'tag_added', n.id, n.email, t.tag, true, n.date_added,
                   jsonb_build_object('event', 'tag_added', 'tag', t.tag, 'contact', automations_contact_json(n))
              FROM new_rows n, unnest(n.tags) AS t(tag) WHERE n.deleted_at IS NULL
        ) e;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION automations_contacts_updated() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF automations_listening() THEN
        PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
            SELECT n.location_id, 'contact_deleted' AS event, n.id AS contact_id, n.email, NULL AS value,
                   false AS first_seen, n.date_added,
                   jsonb_build_object('event', 'contact_deleted', 'contact', automations_contact_json(n)) AS data
              FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
             WHERE o.deleted_at IS NULL AND n.deleted_at IS NOT NULL
            UNION ALL
            SELECT n.location_id, 'contact_updated', n.id, n.email, NULL, false, n.date_added,
                   jsonb_build_object('event', 'contact_updated', 'changed', to_jsonb(d.changed),
                                      'contact', automations_contact_json(n))
              FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id,
                   LATERAL (SELECT array_remove(ARRAY[
                       CASE WHEN o.first_name IS DISTINCT FROM n.first_name THEN 'first_name' END,
                       CASE WHEN o.last_name IS DISTINCT FROM n.last_name THEN 'last_name' END,
                       CASE WHEN o.email IS DISTINCT FROM n.email THEN 'email' END,
                       CASE WHEN o.phone IS DISTINCT FROM n.phone THEN 'phone' END,
                       CASE WHEN o.company_name IS DISTINCT FROM n.company_name THEN 'company_name' END,
                       CASE WHEN o.source IS DISTINCT FROM n.source THEN 'source' END,
                       CASE WHEN o.contact_type IS DISTINCT FROM n.contact_type THEN 'contact_type' END,
                       CASE WHEN o.assigned_to IS DISTINCT FROM n.assigned_to THEN 'assigned_to' END,
                       CASE WHEN o.business_id IS DISTINCT FROM n.business_id THEN 'business_id' END,
                       CASE WHEN (o.city, o.state, o.country, o.postal_code)
                                 IS DISTINCT FROM (n.city, n.state, n.country, n.postal_code) THEN 'address' END,
                       CASE WHEN o.website IS DISTINCT FROM n.website THEN 'website' END,
                       CASE WHEN o.dnd IS DISTINCT FROM n.dnd THEN 'dnd' END,
                       CASE WHEN o.tags IS DISTINCT FROM n.tags THEN 'tags' END,
                       CASE WHEN o.custom_fields IS DISTINCT FROM n.custom_fields THEN 'custom_fields' END
                   ], NULL) AS changed) d
             WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL AND cardinality(d.changed) > 0
            UNION ALL
            SELECT n.location_id, 'tag_added', n.id, n.email, t.tag, false, n.date_added,
                   jsonb_build_object('event', 'tag_added', 'tag', t.tag, 'contact', automations_contact_json(n))
              FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id,
                   unnest(n.tags) AS t(tag)
             WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL
               AND NOT lower(t.tag) = ANY (SELECT lower(x) FROM unnest(o.tags) AS x)
            UNION ALL
            SELECT n.location_id, 'tag_removed', n.id, n.email, t.tag, false, n.date_added,
                   jsonb_build_object('event', 'tag_removed', 'tag', t.tag, 'contact', automations_contact_json(n))
              FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id,
                   unnest(o.tags) AS t(tag)
             WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL
               AND NOT lower(t.tag) = ANY (SELECT lower(x) FROM unnest(n.tags) AS x)
        ) e;
    END IF;
    RETURN NULL;
END $$;

-- A task, note or appointment row as an automation reads it.
CREATE FUNCTION automations_row_json(r JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE AS $$
    SELECT r - 'raw' - 'synced_at' - 'location_id' - 'deleted_at'
$$;

CREATE FUNCTION automations_tasks_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF automations_listening() THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id, 'task_created' AS event, n.contact_id, NULL AS email, NULL AS value,
                       true AS first_seen, n.date_added,
                       jsonb_build_object('event', 'task_created', 'task', automations_row_json(to_jsonb(n)),
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n WHERE n.deleted_at IS NULL
            ) e;
        ELSE
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id,
                       CASE WHEN n.deleted_at IS NOT NULL THEN 'task_deleted' ELSE 'task_completed' END AS event,
                       n.contact_id, NULL AS email, NULL AS value, false AS first_seen, n.date_added,
                       jsonb_build_object('event', CASE WHEN n.deleted_at IS NOT NULL THEN 'task_deleted' ELSE 'task_completed' END,
                                          'task', automations_row_json(to_jsonb(n)),
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
                 WHERE o.deleted_at IS NULL
                   AND (n.deleted_at IS NOT NULL OR (n.completed AND NOT o.completed))
            ) e;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION automations_notes_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF automations_listening() THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id, 'note_added' AS event, n.contact_id, NULL AS email, NULL AS value,
                       true AS first_seen, n.date_added,
                       jsonb_build_object('event', 'note_added', 'note', automations_row_json(to_jsonb(n)),
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n WHERE n.deleted_at IS NULL
            ) e;
        ELSE
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id, 'note_changed' AS event, n.contact_id, NULL AS email, NULL AS value,
                       false AS first_seen, n.date_added,
                       jsonb_build_object('event', 'note_changed', 'note', automations_row_json(to_jsonb(n)),
                                          'previous_body', o.body,
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
                 WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL AND o.body IS DISTINCT FROM n.body
            ) e;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION automations_appointments_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF automations_listening() THEN
        IF TG_OP = 'INSERT' THEN
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id, 'appointment_created' AS event, n.contact_id, NULL AS email, NULL AS value,
                       true AS first_seen, n.date_added,
                       jsonb_build_object('event', 'appointment_created',
                                          'appointment', automations_row_json(to_jsonb(n)),
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n WHERE n.deleted_at IS NULL
            ) e;
        ELSE
            PERFORM automations_queue_highlevel(COALESCE(jsonb_agg(e), '[]')) FROM (
                SELECT n.location_id, 'appointment_rescheduled' AS event, n.contact_id, NULL AS email,
                       NULL AS value, false AS first_seen, n.date_added,
                       jsonb_build_object('event', 'appointment_rescheduled',
                                          'appointment', automations_row_json(to_jsonb(n)),
                                          'previous_start_time', o.start_time,
                                          'contact', automations_contact_of(n.location_id, n.contact_id)) AS data
                  FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
                 WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL AND o.start_time IS DISTINCT FROM n.start_time
                UNION ALL
                SELECT n.location_id, 'appointment_status', n.contact_id, NULL, n.status, false, n.date_added,
                       jsonb_build_object('event', 'appointment_status',
                                          'appointment', automations_row_json(to_jsonb(n)),
                                          'status', n.status, 'previous_status', o.status,
                                          'contact', automations_contact_of(n.location_id, n.contact_id))
                  FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
                 WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL AND o.status IS DISTINCT FROM n.status
            ) e;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER automations_contacts_inserted AFTER INSERT ON cache_contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_contacts_inserted();
CREATE TRIGGER automations_contacts_updated AFTER UPDATE ON cache_contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_contacts_updated();
CREATE TRIGGER automations_tasks_inserted AFTER INSERT ON cache_tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_tasks_changed();
CREATE TRIGGER automations_tasks_updated AFTER UPDATE ON cache_tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_tasks_changed();
CREATE TRIGGER automations_notes_inserted AFTER INSERT ON cache_notes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_notes_changed();
CREATE TRIGGER automations_notes_updated AFTER UPDATE ON cache_notes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_notes_changed();
CREATE TRIGGER automations_appointments_inserted AFTER INSERT ON cache_appointments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_appointments_changed();
CREATE TRIGGER automations_appointments_updated AFTER UPDATE ON cache_appointments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION automations_appointments_changed();
