-- Taking a slot still read every grant of the location. The expiry's bound
-- came from clock_timestamp(), which is volatile and so never an index
-- bound: each DELETE read all of the location's grants, and the dead ones
-- behind them. The bound is now a value, and expired grants are deleted at
-- most every tenth of a window, or when the window looks full. In between,
-- the count kept includes grants that have expired, which only errs towards
-- waiting, and a window that looks full is expired before anyone waits.
--
-- The budget row is locked first and created only when missing: an insert
-- that finds the row waits for every transaction that holds it.

ALTER TABLE highlevel_rate_budget ADD COLUMN expire_after TIMESTAMPTZ;

CREATE OR REPLACE FUNCTION highlevel_rate_expire(b highlevel_rate_budget, default_window_secs FLOAT8)
RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
    expired INT;
    cutoff TIMESTAMPTZ := clock_timestamp()
                          - make_interval(secs => highlevel_rate_window(b, default_window_secs));
BEGIN
    DELETE FROM highlevel_rate_grants WHERE location_id = b.location_id AND granted_at <= cutoff;
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
    next_expiry TIMESTAMPTZ;
    oldest TIMESTAMPTZ;
BEGIN
    SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO highlevel_rate_budget (location_id) VALUES (location) ON CONFLICT (location_id) DO NOTHING;
        SELECT * INTO b FROM highlevel_rate_budget WHERE location_id = location FOR UPDATE;
    END IF;
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
    in_window := b.grants_kept;
    next_expiry := b.expire_after;
    IF next_expiry IS NULL OR next_expiry <= now_at
       OR in_window >= COALESCE(b.window_max, default_per_window) THEN
        in_window := highlevel_rate_expire(b, default_window_secs);
        next_expiry := now_at + make_interval(secs => highlevel_rate_window(b, default_window_secs) / 10);
    END IF;
    IF in_window >= COALESCE(b.window_max, default_per_window) THEN
        SELECT min(granted_at) INTO oldest FROM highlevel_rate_grants WHERE location_id = location;
        decision := 'wait';
        wait_secs := GREATEST(EXTRACT(EPOCH FROM oldest
                     + make_interval(secs => highlevel_rate_window(b, default_window_secs)) - now_at), 0);
        UPDATE highlevel_rate_budget
           SET grants_kept = in_window, expire_after = next_expiry,
               people_waiting_until = CASE WHEN background THEN people_waiting_until
                   ELSE GREATEST(people_waiting_until,
                                 now_at + make_interval(secs => wait_secs + people_grace_secs)) END
         WHERE location_id = location;
        RETURN;
    END IF;
    INSERT INTO highlevel_rate_grants (location_id, granted_at) VALUES (location, now_at)
        RETURNING id INTO grant_id;
    UPDATE highlevel_rate_budget
       SET grants_kept = in_window + 1, expire_after = next_expiry,
           day_used = used + 1, day = today, updated_at = now_at
     WHERE location_id = location;
    decision := 'granted';
END $$;
