-- A location's first sync writes its whole cache in small batches. Counted
-- as deltas, each batch appended its own rollup rows, and folding them left
-- the rollup tables three times the size of what they hold. Now the rollups
-- of a location listed here are not kept by the triggers: its first sync
-- counts it once, in settled rows, when it ends (see `rollups::count_deferred`).
CREATE TABLE report_uncounted (
    location_id TEXT PRIMARY KEY
);

CREATE FUNCTION report_counted(location TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM report_uncounted WHERE location_id = location)
$$;

-- The counters now skip the records of uncounted locations, unless they
-- write settled rows (`settled`: a recount, which writes each key once, with
-- delta 0, instead of deltas to fold later).
DROP FUNCTION report_count_contacts(report_contact[]);
DROP FUNCTION report_count_tasks(report_task[]);
DROP FUNCTION report_count_appointments(report_appointment[]);

CREATE FUNCTION report_count_contacts(items report_contact[], settled BOOLEAN DEFAULT false) RETURNS VOID LANGUAGE sql AS $$
    WITH f AS (
        SELECT i.location_id, t AS tag, report_day(i.added, i.location_id, '-infinity') AS day, i.assignee,
               coalesce(nullif(i.source, ''), '(no source)') AS source, i.tags, i.business, i.sign
          FROM unnest(items) AS i, report_tags(i.tags) AS t
         WHERE settled OR report_counted(i.location_id)),
    counted AS (
        INSERT INTO report_contacts (location_id, tag, day, assignee, source, contacts, delta)
        SELECT location_id, tag, day, assignee, source, sum(sign),
               CASE WHEN settled THEN 0 ELSE nextval('report_deltas') END FROM f
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0),
    paired AS (
        INSERT INTO report_contact_tags (location_id, tag, day, assignee, other_tag, contacts, delta)
        SELECT location_id, tag, day, assignee, other, sum(sign),
               CASE WHEN settled THEN 0 ELSE nextval('report_deltas') END
          FROM f, LATERAL (SELECT DISTINCT other FROM unnest(f.tags) AS other) AS o
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0)
    INSERT INTO report_business_contacts (location_id, tag, business, assignee, contacts, delta)
    SELECT location_id, tag, business, assignee, sum(sign),
           CASE WHEN settled THEN 0 ELSE nextval('report_deltas') END FROM f WHERE business IS NOT NULL
     GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0
$$;

CREATE FUNCTION report_count_tasks(items report_task[], settled BOOLEAN DEFAULT false) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO report_tasks (location_id, tag, kind, business, day, assignee, bucket, tasks, delta)
    SELECT i.location_id, t, k.kind, b, k.day, i.assignee, k.bucket, sum(i.sign),
           CASE WHEN settled THEN 0 ELSE nextval('report_deltas') END
      FROM unnest(items) AS i,
           LATERAL (SELECT CASE WHEN i.completed THEN report_day(i.completed_at, i.location_id, '-infinity')
                                ELSE report_day(i.due, i.location_id, 'infinity') END AS day) AS d,
           LATERAL (SELECT CASE WHEN i.completed THEN 'done' ELSE 'open' END, d.day, -1::SMALLINT
                    UNION ALL
                    SELECT 'took', d.day, report_duration_bucket(i.completed_at - i.added)
                     WHERE i.completed AND NOT i.estimated AND i.completed_at IS NOT NULL AND i.added IS NOT NULL
                   ) AS k (kind, day, bucket),
           report_tags(i.tags) AS t,
           unnest(ARRAY['*'] || CASE WHEN i.business IS NULL THEN '{}'::TEXT[] ELSE ARRAY[i.business] END) AS b
     -- Medians are for assignees, not businesses.
     WHERE (k.kind <> 'took' OR b = '*') AND (settled OR report_counted(i.location_id))
     GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(i.sign) <> 0
$$;

CREATE FUNCTION report_count_appointments(items report_appointment[], settled BOOLEAN DEFAULT false) RETURNS VOID
LANGUAGE sql AS $$
    INSERT INTO report_appointments (location_id, tag, business, day, assignee, status, appointments, delta)
    SELECT i.location_id, t, b, report_day(i.start_time, i.location_id, NULL), i.assignee, i.status, sum(i.sign),
           CASE WHEN settled THEN 0 ELSE nextval('report_deltas') END
      FROM unnest(items) AS i, report_tags(i.tags) AS t,
           unnest(ARRAY['*'] || CASE WHEN i.business IS NULL THEN '{}'::TEXT[] ELSE ARRAY[i.business] END) AS b
     WHERE i.start_time IS NOT NULL AND (settled OR report_counted(i.location_id))
     GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(i.sign) <> 0
$$;

-- Every rollup row of the location counted again from the cache, written
-- settled. The caller runs it in a REPEATABLE READ transaction and holds
-- the settlers' lock from before its snapshot, so the rows it deletes and the
-- cache it counts are one snapshot and no settled row appears meanwhile: a
-- writer that commits meanwhile keeps its deltas, which this count did not
-- see. Called alone (a new time zone), it waits for a settler first.
-- Right after a first sync the statistics know nothing of the location:
-- planned from them, joining its tasks to their contacts read every contact
-- of the location once per task (17 s for 10,000 contacts), so each task
-- looks its contact up by key, and the location's rows are read through the
-- indexes, whatever the statistics say.
CREATE OR REPLACE FUNCTION report_rebuild(location TEXT) RETURNS VOID LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan SET enable_seqscan = off AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('report_rollups'), hashtext(location));
    DELETE FROM report_contacts WHERE location_id = location;
    DELETE FROM report_contact_tags WHERE location_id = location;
    DELETE FROM report_business_contacts WHERE location_id = location;
    DELETE FROM report_tasks WHERE location_id = location;
    DELETE FROM report_appointments WHERE location_id = location;
    PERFORM report_count_contacts(ARRAY(
        SELECT report_contact_of(c, 1) FROM cache_contacts c WHERE c.location_id = location AND c.deleted_at IS NULL),
        true);
    PERFORM report_count_tasks(ARRAY(
        SELECT report_task_of(t, c.tags, c.business, 1)
          FROM cache_tasks t LEFT JOIN LATERAL report_contact_facts(t.location_id, t.contact_id) AS c ON true
         WHERE t.location_id = location AND t.deleted_at IS NULL),
        true);
    PERFORM report_count_appointments(ARRAY(
        SELECT report_appointment_of(p, c.tags, c.business, 1)
          FROM cache_appointments p LEFT JOIN LATERAL report_contact_facts(p.location_id, p.contact_id) AS c ON true
         WHERE p.location_id = location AND p.deleted_at IS NULL),
        true);
END $$;
