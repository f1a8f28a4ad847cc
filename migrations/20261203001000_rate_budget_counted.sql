-- The budget without a scan per request. Taking a slot counted every grant
-- of the location younger than the window, and so did learning from an
-- answer: nothing at HighLevel's 100 per 10 s, thousands of rows per
-- request where a location's limit is raised. The budget row now keeps the
-- number of grants the table holds, changed only by the functions below
-- under the row's lock, so a slot costs the expired grants it deletes.
--
-- An answer used to take the row's lock twice (its grant settled, then its
-- headers learned from). It now makes one call, which settles the grant on
-- the grant's own row and reads the budget without locking it: most
-- answers tell nothing new, and only one that does takes the lock.

ALTER TABLE highlevel_rate_budget ADD COLUMN grants_kept INTEGER NOT NULL DEFAULT 0;

UPDATE highlevel_rate_budget b
   SET grants_kept = (SELECT count(*) FROM highlevel_rate_grants g WHERE g.location_id = b.location_id);

-- Deletes the grants of `location` older than the window of `b` and keeps
-- the count in step; answers how many are left, all in the window.
CREATE FUNCTION highlevel_rate_expire(b highlevel_rate_budget, default_window_secs FLOAT8)
RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
    expired INT;
BEGIN
    DELETE FROM highlevel_rate_grants
     WHERE location_id = b.location_id
       AND granted_at <= clock_timestamp()
                         - make_interval(secs => highlevel_rate_window(b, default_window_secs));
    GET DIAGNOSTICS expired = ROW_COUNT;
    RETURN GREATEST(b.grants_kept - expired, 0);
END $$;

CREATE OR REPLACE FUNCTION highlevel_rate_acquire(
    location TEXT, default_window_secs FLOAT8, default_per_window INT, default_per_day INT,
    background BOOLEAN, people_grace_secs FLOAT8,
    OUT decision TEXT, OUT grant_id BIGINT, OUT wait_secs FLOAT8)
LANGUAGE plpgsql AS $$
DECLARE
    b highlevel_rate_budget;
    now_at TIMESTAMPTZ := clock_timestamp();
    today DATE := (clock_timestamp() AT TIME ZONE 'UTC')::date;
    used INT;
    in_window INT;
    oldest TIMESTAMPTZ;
BEGIN
    INSERT INTO highlevel_rate_budget (location_id) VALUES (location) ON CONFLICT (location_id) DO NOTHING;
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    used := CASE WHEN b.day = today THEN b.day_used ELSE 0 END;
    IF used >= COALESCE(b.daily_max, default_per_day) THEN
        decision := 'day_spent';
        RETURN;
    END IF;
    IF background AND b.people_waiting_until > now_at THEN
        decision := 'wait';
        wait_secs := EXTRACT(EPOCH FROM b.people_waiting_until - now_at);
        RETURN;
    END IF;
    in_window := highlevel_rate_expire(b, default_window_secs);
    IF in_window >= COALESCE(b.window_max, default_per_window) THEN
        SELECT min(granted_at) INTO oldest FROM highlevel_rate_grants WHERE location_id = location;
        decision := 'wait';
        wait_secs := GREATEST(EXTRACT(EPOCH FROM oldest
                     + make_interval(secs => highlevel_rate_window(b, default_window_secs)) - now_at), 0);
        UPDATE highlevel_rate_budget
           SET grants_kept = in_window,
               people_waiting_until = CASE WHEN background THEN people_waiting_until
                   ELSE GREATEST(people_waiting_until,
                                 now_at + make_interval(secs => wait_secs + people_grace_secs)) END
         WHERE location_id = location;
        RETURN;
    END IF;
    INSERT INTO highlevel_rate_grants (location_id, granted_at) VALUES (location, now_at)
        RETURNING id INTO grant_id;
    UPDATE highlevel_rate_budget
       SET grants_kept = in_window + 1, day_used = used + 1, day = today, updated_at = now_at
     WHERE location_id = location;
    decision := 'granted';
END $$;

DROP FUNCTION highlevel_rate_observe(TEXT, FLOAT8, INT, INT, INT, INT, INT, INT);

-- An answer has come for grant `grant_id`: its window runs from now, and
-- its X-RateLimit-* headers (NULL for those absent) correct the budget.
CREATE FUNCTION highlevel_rate_answered(
    grant_id BIGINT, location TEXT, default_window_secs FLOAT8, default_per_window INT,
    window_max INT, window_ms INT, daily_max INT, window_remaining INT, daily_remaining INT)
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    b highlevel_rate_budget;
    today DATE := (clock_timestamp() AT TIME ZONE 'UTC')::date;
    reported_day INT;
    reported_window INT;
    counted INT;
BEGIN
    UPDATE highlevel_rate_grants SET granted_at = clock_timestamp() WHERE id = grant_id;
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- NULL where HighLevel did not say.
    reported_day := COALESCE(daily_max, b.daily_max) - daily_remaining;
    reported_window := COALESCE(window_max, b.window_max, default_per_window) - window_remaining;
    -- Nothing new: the limits as known, today's count at least HighLevel's,
    -- and HighLevel counting no more requests than the table holds (those
    -- are at most one request's time past the window: each slot taken
    -- deletes the expired ones).
    IF (window_max IS NULL OR window_max = b.window_max)
       AND (window_ms IS NULL OR window_ms = b.window_ms)
       AND (daily_max IS NULL OR daily_max = b.daily_max)
       AND (reported_day IS NULL OR (b.day = today AND b.day_used >= reported_day))
       AND (reported_window IS NULL OR b.grants_kept >= reported_window) THEN
        RETURN;
    END IF;
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    b.window_max := COALESCE(window_max, b.window_max);
    b.window_ms := COALESCE(window_ms, b.window_ms);
    b.daily_max := COALESCE(daily_max, b.daily_max);
    counted := highlevel_rate_expire(b, default_window_secs);
    -- HighLevel counted requests we did not (another app install, or
    -- answers still in flight): they take room in the window too.
    IF reported_window > counted THEN
        INSERT INTO highlevel_rate_grants (location_id, granted_at)
        SELECT location, clock_timestamp() FROM generate_series(1, reported_window - counted);
        counted := reported_window;
    END IF;
    UPDATE highlevel_rate_budget r
       SET window_max = b.window_max, window_ms = b.window_ms, daily_max = b.daily_max,
           grants_kept = counted,
           day_used = GREATEST(CASE WHEN r.day = today THEN r.day_used ELSE 0 END, reported_day, 0),
           day = today, updated_at = clock_timestamp()
     WHERE r.location_id = location;
END $$;
