-- A task's title, description, due date or assignee changed in HighLevel,
-- whichever way the cache learnt it: the event `task_changed`, with the task
-- as it was under `previous`. A completion stays `task_completed` only.

CREATE OR REPLACE FUNCTION automations_tasks_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
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
                UNION ALL
                SELECT n.location_id, 'task_changed', n.contact_id, NULL, NULL, false, n.date_added,
                       jsonb_build_object('event', 'task_changed', 'task', automations_row_json(to_jsonb(n)),
                                          'previous', automations_row_json(to_jsonb(o)),
                                          'contact', automations_contact_of(n.location_id, n.contact_id))
                  FROM new_rows n JOIN old_rows o ON o.location_id = n.location_id AND o.id = n.id
                 WHERE o.deleted_at IS NULL AND n.deleted_at IS NULL
                   AND (n.title, n.body, n.due_date, n.assigned_to)
                       IS DISTINCT FROM (o.title, o.body, o.due_date, o.assigned_to)
            ) e;
        END IF;
    END IF;
    RETURN NULL;
END $$;
