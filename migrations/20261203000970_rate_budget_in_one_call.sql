-- The shared rate budget in one call per request: taking a slot and
-- learning from an answer's headers each ran as a transaction of several
-- statements, holding the location's budget row locked across every round
-- trip, so that concurrent requests of one location queued behind each
-- other's network. As functions, the lock lasts microseconds. The rules
-- are those of `src/highlevel/rate_limit.rs`, which documents them.

-- The window in force, in seconds: HighLevel's if it said, else ours,
-- stretched by a fortieth for clocks and delays.
CREATE FUNCTION highlevel_rate_window(b highlevel_rate_budget, default_secs FLOAT8) RETURNS FLOAT8
LANGUAGE sql IMMUTABLE AS $$
    SELECT w + w / 40 FROM (SELECT COALESCE(b.window_ms / 1000.0, default_secs)::float8 AS w) s
$$;

-- One try at a slot: `granted` with the grant's id, `wait` with how long,
-- or `day_spent`.
CREATE FUNCTION highlevel_rate_acquire(
    location TEXT, default_window_secs FLOAT8, default_per_window INT, default_per_day INT,
    background BOOLEAN, people_grace_secs FLOAT8,
    OUT decision TEXT, OUT grant_id BIGINT, OUT wait_secs FLOAT8)
LANGUAGE plpgsql AS $$
DECLARE
    b highlevel_rate_budget;
    now_at TIMESTAMPTZ := clock_timestamp();
    today DATE := (clock_timestamp() AT TIME ZONE 'UTC')::date;
    window_secs FLOAT8;
    used INT;
    in_window INT;
    oldest TIMESTAMPTZ;
BEGIN
    INSERT INTO highlevel_rate_budget (location_id) VALUES (location) ON CONFLICT (location_id) DO NOTHING;
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    window_secs := highlevel_rate_window(b, default_window_secs);
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
    DELETE FROM highlevel_rate_grants
     WHERE location_id = location AND granted_at <= now_at - make_interval(secs => window_secs);
    SELECT count(*), min(granted_at) INTO in_window, oldest
      FROM highlevel_rate_grants WHERE location_id = location;
    IF in_window >= COALESCE(b.window_max, default_per_window) THEN
        decision := 'wait';
        wait_secs := GREATEST(EXTRACT(EPOCH FROM oldest + make_interval(secs => window_secs) - now_at), 0);
        IF NOT background THEN
            UPDATE highlevel_rate_budget SET people_waiting_until = GREATEST(people_waiting_until,
                   now_at + make_interval(secs => wait_secs + people_grace_secs))
             WHERE location_id = location;
        END IF;
        RETURN;
    END IF;
    INSERT INTO highlevel_rate_grants (location_id, granted_at) VALUES (location, now_at)
        RETURNING id INTO grant_id;
    UPDATE highlevel_rate_budget SET day_used = used + 1, day = today, updated_at = now_at
     WHERE location_id = location;
    decision := 'granted';
END $$;

-- Learns from an answer's X-RateLimit-* headers (NULL for those absent).
CREATE FUNCTION highlevel_rate_observe(
    location TEXT, default_window_secs FLOAT8, default_per_window INT,
    window_max INT, window_ms INT, daily_max INT, window_remaining INT, daily_remaining INT)
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    b highlevel_rate_budget;
    now_at TIMESTAMPTZ := clock_timestamp();
    today DATE := (clock_timestamp() AT TIME ZONE 'UTC')::date;
    window_secs FLOAT8;
    reported_day INT := 0;
    reported_window INT;
    counted INT;
BEGIN
    INSERT INTO highlevel_rate_budget (location_id) VALUES (location) ON CONFLICT (location_id) DO NOTHING;
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    b.window_max := COALESCE(window_max, b.window_max);
    b.window_ms := COALESCE(window_ms, b.window_ms);
    b.daily_max := COALESCE(daily_max, b.daily_max);
    IF b.daily_max IS NOT NULL AND daily_remaining IS NOT NULL THEN
        reported_day := GREATEST(b.daily_max - daily_remaining, 0);
    END IF;
    UPDATE highlevel_rate_budget r SET window_max = b.window_max, window_ms = b.window_ms,
           daily_max = b.daily_max,
           day_used = CASE WHEN r.day = today THEN GREATEST(r.day_used, reported_day) ELSE reported_day END,
           day = today, updated_at = now_at
     WHERE r.location_id = location;
    IF window_remaining IS NOT NULL THEN
        window_secs := highlevel_rate_window(b, default_window_secs);
        reported_window := GREATEST(COALESCE(b.window_max, default_per_window) - window_remaining, 0);
        DELETE FROM highlevel_rate_grants
         WHERE location_id = location AND granted_at <= now_at - make_interval(secs => window_secs);
        SELECT count(*) INTO counted FROM highlevel_rate_grants WHERE location_id = location;
        -- HighLevel counted requests we did not (another app install, or
        -- answers still in flight): they take room in the window too.
        IF reported_window > counted THEN
            INSERT INTO highlevel_rate_grants (location_id, granted_at)
            SELECT location, now_at FROM generate_series(1, reported_window - counted);
        END IF;
    END IF;
END $$;
