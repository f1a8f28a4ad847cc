-- A task whose due date passed while it was open: the event `task_overdue`,
-- once per task and due date. No write marks the moment, so the schedule
-- look of every server process asks for it every few seconds; the row a
-- process inserts here is what makes the event its own, so however many
-- look, each task is announced once. Only teams with an automation waiting
-- for the event are read, through the index of open tasks by due date, and
-- only tasks that fell due in the last day.

CREATE TABLE automations_overdue_seen (
    location_id TEXT        NOT NULL,
    task_id     TEXT        NOT NULL,
    due_date    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (location_id, task_id, due_date)
);

CREATE FUNCTION automations_queue_overdue() RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
    events JSONB;
BEGIN
    WITH watching AS (
        SELECT DISTINCT location_id FROM automations
         WHERE trigger_kind = 'highlevel' AND trigger_event_type = 'task_overdue' AND state <> 'off'
    ), due AS (
        SELECT t.* FROM watching w
          JOIN cache_tasks t ON t.location_id = w.location_id
         WHERE NOT t.completed AND t.deleted_at IS NULL
           AND t.due_date <= now() AND t.due_date > now() - interval '1 day'
    ), fresh AS (
        INSERT INTO automations_overdue_seen (location_id, task_id, due_date)
        SELECT location_id, id, due_date FROM due
        ON CONFLICT DO NOTHING
        RETURNING location_id, task_id
    )
    -- `first_seen` with the due date as the moment: a task that fell due
    -- before the automation was turned on does not start it.
    SELECT COALESCE(jsonb_agg(jsonb_build_object(
               'location_id', t.location_id, 'event', 'task_overdue', 'contact_id', t.contact_id,
               'email', NULL, 'value', NULL, 'first_seen', true, 'date_added', t.due_date,
               'data', jsonb_build_object('event', 'task_overdue', 'task', automations_row_json(to_jsonb(t)),
                                          'contact', automations_contact_of(t.location_id, t.contact_id)))), '[]')
      INTO events
      FROM fresh f JOIN due t ON t.location_id = f.location_id AND t.id = f.task_id;
    DELETE FROM automations_overdue_seen WHERE due_date < now() - interval '2 days';
    PERFORM automations_queue_highlevel(events);
    RETURN jsonb_array_length(events);
END $$;
