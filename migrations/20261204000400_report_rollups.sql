-- Rollups: the counts the dashboard and the team report show, per location,
-- per day of the team's time zone and per the dimensions the filters use, so
-- that a report reads a few hundred small rows whatever the size of the cache.
--
-- Triggers on the cache tables keep them current in the transaction that
-- writes the cache, whichever path writes it (the sync's batched upserts, a
-- webhook, a page, an automation's step). A write appends signed deltas (rows
-- with a `delta` number of their own) and never updates a rollup row:
-- concurrent writers never wait on each other or deadlock on a busy day's
-- row. Readers sum settled rows (`delta` 0) and deltas alike; `report_settle`
-- folds a location's deltas into its settled rows from time to time, and
-- `report_rebuild` recounts a location from the cache (the nightly
-- reconciliation, a new time zone).
--
-- Tag '' counts every contact, beside one row per tag it carries; business
-- '*' counts every business, beside the row of the record's own. An absent
-- assignee is ''. Tasks and appointments take the tags and business of their
-- contact while the contact is live. Each table's one index leads with what
-- reports narrow by and carries the count, so a report reads the index alone.

CREATE SEQUENCE report_deltas;

CREATE TABLE report_contacts (
    location_id TEXT   NOT NULL,
    tag         TEXT   NOT NULL,
    -- The day the contact was added; -infinity when HighLevel gave none.
    day         DATE   NOT NULL,
    assignee    TEXT   NOT NULL,
    source      TEXT   NOT NULL,
    contacts    BIGINT NOT NULL,
    delta       BIGINT NOT NULL DEFAULT nextval('report_deltas')
);
CREATE UNIQUE INDEX report_contacts_key ON report_contacts (location_id, tag, day, assignee, source, delta) INCLUDE (contacts);
CREATE INDEX report_contacts_deltas ON report_contacts (location_id) WHERE delta <> 0;

-- Pairs of tags on one contact: the top tags among the contacts that have
-- `tag` ('' for all contacts).
CREATE TABLE report_contact_tags (
    location_id TEXT   NOT NULL,
    tag         TEXT   NOT NULL,
    day         DATE   NOT NULL,
    assignee    TEXT   NOT NULL,
    other_tag   TEXT   NOT NULL,
    contacts    BIGINT NOT NULL,
    delta       BIGINT NOT NULL DEFAULT nextval('report_deltas')
);
CREATE UNIQUE INDEX report_contact_tags_key ON report_contact_tags (location_id, tag, day, assignee, other_tag, delta) INCLUDE (contacts);
CREATE INDEX report_contact_tags_deltas ON report_contact_tags (location_id) WHERE delta <> 0;

CREATE TABLE report_business_contacts (
    location_id TEXT   NOT NULL,
    tag         TEXT   NOT NULL,
    business    TEXT   NOT NULL,
    assignee    TEXT   NOT NULL,
    contacts    BIGINT NOT NULL,
    delta       BIGINT NOT NULL DEFAULT nextval('report_deltas')
);
CREATE UNIQUE INDEX report_business_contacts_key ON report_business_contacts (location_id, tag, business, assignee, delta) INCLUDE (contacts);
CREATE INDEX report_business_contacts_deltas ON report_business_contacts (location_id) WHERE delta <> 0;

CREATE TABLE report_tasks (
    location_id TEXT     NOT NULL,
    tag         TEXT     NOT NULL,
    -- 'open' on its due day (+infinity without one), 'done' on the day it
    -- was completed, and 'took' there too, by how long it took, for the median.
    kind        TEXT     NOT NULL,
    business    TEXT     NOT NULL,
    day         DATE     NOT NULL,
    assignee    TEXT     NOT NULL,
    -- For 'took' (business '*' only): time to complete, in quarter-octaves
    -- of minutes (see report_duration_bucket); -1 otherwise.
    bucket      SMALLINT NOT NULL,
    tasks       BIGINT   NOT NULL,
    delta       BIGINT   NOT NULL DEFAULT nextval('report_deltas')
);
CREATE UNIQUE INDEX report_tasks_key ON report_tasks (location_id, tag, kind, business, day, assignee, bucket, delta) INCLUDE (tasks);
CREATE INDEX report_tasks_deltas ON report_tasks (location_id) WHERE delta <> 0;

CREATE TABLE report_appointments (
    location_id  TEXT   NOT NULL,
    tag          TEXT   NOT NULL,
    business     TEXT   NOT NULL,
    -- The day it starts (appointments without a start are not counted).
    day          DATE   NOT NULL,
    assignee     TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    appointments BIGINT NOT NULL,
    delta        BIGINT NOT NULL DEFAULT nextval('report_deltas')
);
CREATE UNIQUE INDEX report_appointments_key ON report_appointments (location_id, tag, business, day, assignee, status, delta) INCLUDE (appointments);
CREATE INDEX report_appointments_deltas ON report_appointments (location_id) WHERE delta <> 0;

-- What a rollup needs of a record, with +1 (counted) or -1 (taken back).
CREATE TYPE report_contact AS (
    location_id TEXT, tags TEXT[], assignee TEXT, source TEXT, added TIMESTAMPTZ, business TEXT, sign INT
);
CREATE TYPE report_task AS (
    location_id TEXT, tags TEXT[], business TEXT, assignee TEXT, completed BOOLEAN, due TIMESTAMPTZ,
    completed_at TIMESTAMPTZ, added TIMESTAMPTZ, estimated BOOLEAN, sign INT
);
CREATE TYPE report_appointment AS (
    location_id TEXT, tags TEXT[], business TEXT, assignee TEXT, start_time TIMESTAMPTZ, status TEXT, sign INT
);

CREATE FUNCTION report_zone(location TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT time_zone FROM teams WHERE location_id = location), 'UTC')
$$;

CREATE FUNCTION report_day(at TIMESTAMPTZ, location TEXT, absent DATE) RETURNS DATE LANGUAGE sql STABLE AS $$
    SELECT coalesce((at AT TIME ZONE report_zone(location))::date, absent)
$$;

-- Quarter-octaves of minutes: each bucket is 19% wider than the one
-- before, so a median read from them is within 10% from one minute to a year.
CREATE FUNCTION report_duration_bucket(took INTERVAL) RETURNS SMALLINT LANGUAGE sql IMMUTABLE AS $$
    SELECT floor(4 * log(2, greatest(extract(epoch FROM took) / 60.0, 1)::numeric))::SMALLINT
$$;

-- '' and each distinct tag.
CREATE FUNCTION report_tags(tags TEXT[]) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT DISTINCT tag FROM unnest(ARRAY[''] || tags) AS tag
$$;

CREATE FUNCTION report_count_contacts(items report_contact[]) RETURNS VOID LANGUAGE sql AS $$
    WITH f AS (
        SELECT i.location_id, t AS tag, report_day(i.added, i.location_id, '-infinity') AS day, i.assignee,
               coalesce(nullif(i.source, ''), '(no source)') AS source, i.tags, i.business, i.sign
          FROM unnest(items) AS i, report_tags(i.tags) AS t),
    counted AS (
        INSERT INTO report_contacts (location_id, tag, day, assignee, source, contacts)
        SELECT location_id, tag, day, assignee, source, sum(sign) FROM f
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0),
    paired AS (
        INSERT INTO report_contact_tags (location_id, tag, day, assignee, other_tag, contacts)
        SELECT location_id, tag, day, assignee, other, sum(sign)
          FROM f, LATERAL (SELECT DISTINCT other FROM unnest(f.tags) AS other) AS o
         GROUP BY 1, 2, 3, 4, 5 HAVING sum(sign) <> 0)
    INSERT INTO report_business_contacts (location_id, tag, business, assignee, contacts)
    SELECT location_id, tag, business, assignee, sum(sign) FROM f WHERE business IS NOT NULL
     GROUP BY 1, 2, 3, 4 HAVING sum(sign) <> 0
$$;

CREATE FUNCTION report_count_tasks(items report_task[]) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO report_tasks (location_id, tag, kind, business, day, assignee, bucket, tasks)
    SELECT i.location_id, t, k.kind, b, k.day, i.assignee, k.bucket, sum(i.sign)
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
     WHERE k.kind <> 'took' OR b = '*'
     GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(i.sign) <> 0
$$;

CREATE FUNCTION report_count_appointments(items report_appointment[]) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO report_appointments (location_id, tag, business, day, assignee, status, appointments)
    SELECT i.location_id, t, b, report_day(i.start_time, i.location_id, NULL), i.assignee, i.status, sum(i.sign)
      FROM unnest(items) AS i, report_tags(i.tags) AS t,
           unnest(ARRAY['*'] || CASE WHEN i.business IS NULL THEN '{}'::TEXT[] ELSE ARRAY[i.business] END) AS b
     WHERE i.start_time IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(i.sign) <> 0
$$;

-- The tags and business of a live contact; none for a deleted or unknown
-- one. Found by its key alone (OFFSET 0 keeps the live condition out of the
-- lookup), so the primary key serves it whatever the statistics say.
CREATE FUNCTION report_contact_facts(location TEXT, contact TEXT) RETURNS TABLE (tags TEXT[], business TEXT)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.deleted_at IS NULL THEN c.tags END, CASE WHEN c.deleted_at IS NULL THEN c.business_id END
      FROM (SELECT tags, business_id, deleted_at FROM cache_contacts
             WHERE location_id = location AND id = contact OFFSET 0) AS c
$$;

-- Record builders: a cache row as its rollup reads it, with the contact's
-- tags and business (NULL contact: none).
CREATE FUNCTION report_contact_of(c cache_contacts, sign INT) RETURNS report_contact LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(c.location_id, c.tags, coalesce(c.assigned_to, ''), c.source, c.date_added, c.business_id, sign)::report_contact
$$;

CREATE FUNCTION report_task_of(t cache_tasks, tags TEXT[], business TEXT, sign INT) RETURNS report_task LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(t.location_id, coalesce(tags, '{}'), business, coalesce(t.assigned_to, ''), t.completed, t.due_date,
               t.completed_at, t.date_added, t.completion_estimated, sign)::report_task
$$;

CREATE FUNCTION report_appointment_of(p cache_appointments, tags TEXT[], business TEXT, sign INT) RETURNS report_appointment
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(p.location_id, coalesce(tags, '{}'), business, coalesce(p.assigned_user_id, ''), p.start_time, p.status, sign)::report_appointment
$$;

-- The contacts of `gone` (earlier versions, live ones only) and `came` (new
-- versions) whose tags or business differ, each once, with what it had and
-- has (NULL: not live).
CREATE FUNCTION report_moved(gone cache_contacts[], came cache_contacts[])
RETURNS TABLE (location_id TEXT, id TEXT, old_tags TEXT[], old_business TEXT, new_tags TEXT[], new_business TEXT)
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(o.location_id, n.location_id), coalesce(o.id, n.id), o.tags, o.business_id, n.tags, n.business_id
      FROM unnest(gone) AS o FULL JOIN unnest(came) AS n ON n.location_id = o.location_id AND n.id = o.id
     WHERE o.tags IS DISTINCT FROM n.tags OR o.business_id IS DISTINCT FROM n.business_id
$$;

-- The live tasks and appointments of the contacts of `report_moved`. The
-- live condition is applied after the lookup (OFFSET 0 keeps it out), so
-- the lookup uses the (location, contact) index whatever the statistics say.
CREATE FUNCTION report_tasks_moved(gone cache_contacts[], came cache_contacts[])
RETURNS TABLE (task cache_tasks, old_tags TEXT[], old_business TEXT, new_tags TEXT[], new_business TEXT)
LANGUAGE sql STABLE AS $$
    SELECT x.t, x.old_tags, x.old_business, x.new_tags, x.new_business FROM (
        SELECT t, m.old_tags, m.old_business, m.new_tags, m.new_business
          FROM (SELECT * FROM report_moved(gone, came) OFFSET 0) AS m
          JOIN cache_tasks t ON t.location_id = m.location_id AND t.contact_id = m.id
        OFFSET 0) AS x
     WHERE (x.t).deleted_at IS NULL
$$;

CREATE FUNCTION report_appointments_moved(gone cache_contacts[], came cache_contacts[])
RETURNS TABLE (appointment cache_appointments, old_tags TEXT[], old_business TEXT, new_tags TEXT[], new_business TEXT)
LANGUAGE sql STABLE AS $$
    SELECT x.p, x.old_tags, x.old_business, x.new_tags, x.new_business FROM (
        SELECT p, m.old_tags, m.old_business, m.new_tags, m.new_business
          FROM (SELECT * FROM report_moved(gone, came) OFFSET 0) AS m
          JOIN cache_appointments p ON p.location_id = m.location_id AND p.contact_id = m.id
        OFFSET 0) AS x
     WHERE (x.p).deleted_at IS NULL
$$;

-- Counts the contacts again, and moves their tasks and appointments from the
-- old tags and business to the new.
CREATE FUNCTION report_contacts_moved(gone cache_contacts[], came cache_contacts[]) RETURNS VOID LANGUAGE sql AS $$
    SELECT report_count_contacts(ARRAY(
        SELECT report_contact_of(c, -1) FROM unnest(gone) AS c
        UNION ALL SELECT report_contact_of(c, 1) FROM unnest(came) AS c));
    SELECT report_count_tasks(ARRAY(
        SELECT report_task_of(t.task, was.tags, was.business, was.sign)
          FROM report_tasks_moved(gone, came) AS t,
               LATERAL (VALUES (t.old_tags, t.old_business, -1), (t.new_tags, t.new_business, 1)) AS was (tags, business, sign)));
    SELECT report_count_appointments(ARRAY(
        SELECT report_appointment_of(p.appointment, was.tags, was.business, was.sign)
          FROM report_appointments_moved(gone, came) AS p,
               LATERAL (VALUES (p.old_tags, p.old_business, -1), (p.new_tags, p.new_business, 1)) AS was (tags, business, sign)));
$$;

-- A task or appointment counts with its contact's tags and business, read
-- when it is written; a contact's change moves its tasks and appointments.
-- Two transactions writing a contact and its task at once would each miss
-- the other's uncommitted row, so writers of a location take turns from
-- their first rollup write to their commit (a few milliseconds): whoever
-- comes second reads what the first committed.
CREATE FUNCTION report_take_turn(locations TEXT[]) RETURNS VOID LANGUAGE sql AS $$
    SELECT count(pg_advisory_xact_lock(hashtext('report_links'), hashtext(location)))
      FROM (SELECT DISTINCT location FROM unnest(locations) AS location ORDER BY 1) AS sorted
$$;

CREATE FUNCTION report_contacts_changed() RETURNS TRIGGER LANGUAGE plpgsql
-- Plans must not depend on statistics, which lag far behind while a first
-- sync fills the cache (a generic plan, or a table thought empty, read every
-- contact or task once per record written): each call plans for its own
-- arrays, and looks records up through their indexes.
SET plan_cache_mode = force_custom_plan SET enable_seqscan = off AS $$
DECLARE
    gone cache_contacts[] := '{}';
    came cache_contacts[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        came := ARRAY(SELECT n::cache_contacts FROM new_rows n WHERE n.deleted_at IS NULL);
    ELSIF TG_OP = 'DELETE' THEN
        gone := ARRAY(SELECT o::cache_contacts FROM old_rows o WHERE o.deleted_at IS NULL);
    ELSE
        -- Only the rows whose counted facts changed (a poll rewrites many unchanged).
        gone := ARRAY(SELECT o::cache_contacts FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE o.deleted_at IS NULL
                         AND (n.deleted_at IS NOT NULL
                              OR report_contact_of(o::cache_contacts, 1) IS DISTINCT FROM report_contact_of(n::cache_contacts, 1)));
        came := ARRAY(SELECT n::cache_contacts FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE n.deleted_at IS NULL
                         AND (o.deleted_at IS NOT NULL
                              OR report_contact_of(o::cache_contacts, 1) IS DISTINCT FROM report_contact_of(n::cache_contacts, 1)));
    END IF;
    IF cardinality(gone) + cardinality(came) > 0 THEN
        PERFORM report_take_turn(ARRAY(SELECT c.location_id FROM unnest(gone || came) AS c));
        PERFORM report_contacts_moved(gone, came);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION report_tasks_changed() RETURNS TRIGGER LANGUAGE plpgsql
-- Plans must not depend on statistics, which lag far behind while a first
-- sync fills the cache (a generic plan, or a table thought empty, read every
-- contact or task once per record written): each call plans for its own
-- arrays, and looks records up through their indexes.
SET plan_cache_mode = force_custom_plan SET enable_seqscan = off AS $$
DECLARE
    gone cache_tasks[] := '{}';
    came cache_tasks[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        came := ARRAY(SELECT n::cache_tasks FROM new_rows n WHERE n.deleted_at IS NULL);
    ELSIF TG_OP = 'DELETE' THEN
        gone := ARRAY(SELECT o::cache_tasks FROM old_rows o WHERE o.deleted_at IS NULL);
    ELSE
        -- Only the rows whose counted facts changed (a poll rewrites many unchanged).
        gone := ARRAY(SELECT o::cache_tasks FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE o.deleted_at IS NULL
                         AND (n.deleted_at IS NOT NULL OR o.contact_id IS DISTINCT FROM n.contact_id
                              OR report_task_of(o::cache_tasks, NULL, NULL, 1) IS DISTINCT FROM report_task_of(n::cache_tasks, NULL, NULL, 1)));
        came := ARRAY(SELECT n::cache_tasks FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE n.deleted_at IS NULL
                         AND (o.deleted_at IS NOT NULL OR o.contact_id IS DISTINCT FROM n.contact_id
                              OR report_task_of(o::cache_tasks, NULL, NULL, 1) IS DISTINCT FROM report_task_of(n::cache_tasks, NULL, NULL, 1)));
    END IF;
    IF cardinality(gone) + cardinality(came) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM report_take_turn(ARRAY(SELECT t.location_id FROM unnest(gone || came) AS t));
    PERFORM report_count_tasks(ARRAY(
        SELECT report_task_of(t, c.tags, c.business, -1)
          FROM unnest(gone) AS t LEFT JOIN LATERAL report_contact_facts(t.location_id, t.contact_id) AS c ON true
        UNION ALL
        SELECT report_task_of(t, c.tags, c.business, 1)
          FROM unnest(came) AS t LEFT JOIN LATERAL report_contact_facts(t.location_id, t.contact_id) AS c ON true));
    RETURN NULL;
END $$;

CREATE FUNCTION report_appointments_changed() RETURNS TRIGGER LANGUAGE plpgsql
-- Plans must not depend on statistics, which lag far behind while a first
-- sync fills the cache (a generic plan, or a table thought empty, read every
-- contact or task once per record written): each call plans for its own
-- arrays, and looks records up through their indexes.
SET plan_cache_mode = force_custom_plan SET enable_seqscan = off AS $$
DECLARE
    gone cache_appointments[] := '{}';
    came cache_appointments[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        came := ARRAY(SELECT n::cache_appointments FROM new_rows n WHERE n.deleted_at IS NULL);
    ELSIF TG_OP = 'DELETE' THEN
        gone := ARRAY(SELECT o::cache_appointments FROM old_rows o WHERE o.deleted_at IS NULL);
    ELSE
        -- Only the rows whose counted facts changed (a poll rewrites many unchanged).
        gone := ARRAY(SELECT o::cache_appointments FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE o.deleted_at IS NULL
                         AND (n.deleted_at IS NOT NULL OR o.contact_id IS DISTINCT FROM n.contact_id
                              OR report_appointment_of(o::cache_appointments, NULL, NULL, 1) IS DISTINCT FROM report_appointment_of(n::cache_appointments, NULL, NULL, 1)));
        came := ARRAY(SELECT n::cache_appointments FROM old_rows o JOIN new_rows n USING (location_id, id)
                       WHERE n.deleted_at IS NULL
                         AND (o.deleted_at IS NOT NULL OR o.contact_id IS DISTINCT FROM n.contact_id
                              OR report_appointment_of(o::cache_appointments, NULL, NULL, 1) IS DISTINCT FROM report_appointment_of(n::cache_appointments, NULL, NULL, 1)));
    END IF;
    IF cardinality(gone) + cardinality(came) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM report_take_turn(ARRAY(SELECT p.location_id FROM unnest(gone || came) AS p));
    PERFORM report_count_appointments(ARRAY(
        SELECT report_appointment_of(p, c.tags, c.business, -1)
          FROM unnest(gone) AS p LEFT JOIN LATERAL report_contact_facts(p.location_id, p.contact_id) AS c ON true
        UNION ALL
        SELECT report_appointment_of(p, c.tags, c.business, 1)
          FROM unnest(came) AS p LEFT JOIN LATERAL report_contact_facts(p.location_id, p.contact_id) AS c ON true));
    RETURN NULL;
END $$;

CREATE TRIGGER report_contacts_inserted AFTER INSERT ON cache_contacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_contacts_changed();
CREATE TRIGGER report_contacts_updated AFTER UPDATE ON cache_contacts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_contacts_changed();
CREATE TRIGGER report_contacts_deleted AFTER DELETE ON cache_contacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_contacts_changed();
CREATE TRIGGER report_tasks_inserted AFTER INSERT ON cache_tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_tasks_changed();
CREATE TRIGGER report_tasks_updated AFTER UPDATE ON cache_tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_tasks_changed();
CREATE TRIGGER report_tasks_deleted AFTER DELETE ON cache_tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_tasks_changed();
CREATE TRIGGER report_appointments_inserted AFTER INSERT ON cache_appointments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_appointments_changed();
CREATE TRIGGER report_appointments_updated AFTER UPDATE ON cache_appointments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_appointments_changed();
CREATE TRIGGER report_appointments_deleted AFTER DELETE ON cache_appointments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_appointments_changed();

-- Folds the location's deltas into its settled rows. One settler per
-- location at a time; writers are never blocked.
CREATE FUNCTION report_settle(location TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('report_rollups'), hashtext(location));
    WITH moved AS (DELETE FROM report_contacts WHERE location_id = location AND delta <> 0 RETURNING *)
    INSERT INTO report_contacts (location_id, tag, day, assignee, source, contacts, delta)
    SELECT location_id, tag, day, assignee, source, sum(contacts), 0 FROM moved GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (location_id, tag, day, assignee, source, delta)
    DO UPDATE SET contacts = report_contacts.contacts + EXCLUDED.contacts;

    WITH moved AS (DELETE FROM report_contact_tags WHERE location_id = location AND delta <> 0 RETURNING *)
    INSERT INTO report_contact_tags (location_id, tag, day, assignee, other_tag, contacts, delta)
    SELECT location_id, tag, day, assignee, other_tag, sum(contacts), 0 FROM moved GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (location_id, tag, day, assignee, other_tag, delta)
    DO UPDATE SET contacts = report_contact_tags.contacts + EXCLUDED.contacts;

    WITH moved AS (DELETE FROM report_business_contacts WHERE location_id = location AND delta <> 0 RETURNING *)
    INSERT INTO report_business_contacts (location_id, tag, business, assignee, contacts, delta)
    SELECT location_id, tag, business, assignee, sum(contacts), 0 FROM moved GROUP BY 1, 2, 3, 4
    ON CONFLICT (location_id, tag, business, assignee, delta)
    DO UPDATE SET contacts = report_business_contacts.contacts + EXCLUDED.contacts;

    WITH moved AS (DELETE FROM report_tasks WHERE location_id = location AND delta <> 0 RETURNING *)
    INSERT INTO report_tasks (location_id, tag, kind, business, day, assignee, bucket, tasks, delta)
    SELECT location_id, tag, kind, business, day, assignee, bucket, sum(tasks), 0 FROM moved GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (location_id, tag, kind, business, day, assignee, bucket, delta)
    DO UPDATE SET tasks = report_tasks.tasks + EXCLUDED.tasks;

    WITH moved AS (DELETE FROM report_appointments WHERE location_id = location AND delta <> 0 RETURNING *)
    INSERT INTO report_appointments (location_id, tag, business, day, assignee, status, appointments, delta)
    SELECT location_id, tag, business, day, assignee, status, sum(appointments), 0 FROM moved GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (location_id, tag, business, day, assignee, status, delta)
    DO UPDATE SET appointments = report_appointments.appointments + EXCLUDED.appointments;
END $$;

-- Every rollup row of the location counted again from the cache. The caller
-- runs it in a REPEATABLE READ transaction, so the rows it deletes and the
-- cache it counts are one snapshot: a writer that commits meanwhile keeps
-- its deltas, which this count did not see.
CREATE FUNCTION report_rebuild(location TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM report_contacts WHERE location_id = location;
    DELETE FROM report_contact_tags WHERE location_id = location;
    DELETE FROM report_business_contacts WHERE location_id = location;
    DELETE FROM report_tasks WHERE location_id = location;
    DELETE FROM report_appointments WHERE location_id = location;
    PERFORM report_count_contacts(ARRAY(
        SELECT report_contact_of(c, 1) FROM cache_contacts c WHERE c.location_id = location AND c.deleted_at IS NULL));
    PERFORM report_count_tasks(ARRAY(
        SELECT report_task_of(t, c.tags, c.business_id, 1)
          FROM cache_tasks t LEFT JOIN cache_contacts c
            ON c.location_id = t.location_id AND c.id = t.contact_id AND c.deleted_at IS NULL
         WHERE t.location_id = location AND t.deleted_at IS NULL));
    PERFORM report_count_appointments(ARRAY(
        SELECT report_appointment_of(p, c.tags, c.business_id, 1)
          FROM cache_appointments p LEFT JOIN cache_contacts c
            ON c.location_id = p.location_id AND c.id = p.contact_id AND c.deleted_at IS NULL
         WHERE p.location_id = location AND p.deleted_at IS NULL));
    PERFORM report_settle(location);
END $$;

-- Days are the team's: a new time zone counts the location again.
CREATE FUNCTION report_zone_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_rebuild(NEW.location_id);
    RETURN NULL;
END $$;

CREATE TRIGGER report_zone_changed AFTER UPDATE OF time_zone ON teams
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION report_zone_changed();

-- The rollups of what the cache holds today.
SELECT report_rebuild(location_id) FROM teams;
