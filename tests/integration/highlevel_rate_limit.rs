//! The per-location budget shared through Postgres: several processes (here,
//! pools) drawing from one database never exceed it together.

use crate::common;

use std::time::{Duration, Instant};

use sqlx::PgPool;
use switchboard::db;
use switchboard::highlevel::{HighLevelError, RateBudget, RateHeaders, RateLimiter};

fn short_budget() -> RateBudget {
    RateBudget {
        window: Duration::from_millis(400),
        per_window: 20,
        per_day: 100_000,
        max_wait: Duration::from_secs(30),
    }
}

/// Two limiters on two pools of one database: two server processes.
async fn two_processes(budget: RateBudget) -> (RateLimiter, RateLimiter, PgPool) {
    let (url, _) = common::test_db_url().await;
    let first = db::connect(&url, 4).await.expect("first pool");
    db::migrate(&first).await.expect("migrations");
    let second = db::connect(&url, 4).await.expect("second pool");
    (
        RateLimiter::shared(first.clone(), budget.clone()),
        RateLimiter::shared(second, budget),
        first,
    )
}

/// Copies every grant, with the database's own timestamp, into a table the
/// limiter never prunes, so the test can check every window afterwards.
async fn audit_grants(pool: &PgPool) {
    for statement in [
        "CREATE TABLE grant_audit (location_id TEXT, granted_at TIMESTAMPTZ)",
        "CREATE FUNCTION audit_grant() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN INSERT INTO grant_audit VALUES (NEW.location_id, NEW.granted_at); RETURN NEW; END $$",
        "CREATE TRIGGER audit AFTER INSERT ON highlevel_rate_grants \
         FOR EACH ROW EXECUTE FUNCTION audit_grant()",
    ] {
        sqlx::query(statement).execute(pool).await.expect("audit set-up");
    }
}

/// The most audited grants that fall in any window of length `window`.
async fn busiest_window(pool: &PgPool, window: Duration) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(max(( \
             SELECT count(*) FROM grant_audit later \
             WHERE later.granted_at >= first.granted_at \
               AND later.granted_at < first.granted_at + make_interval(secs => $1))), 0) \
         FROM grant_audit first",
    )
    .bind(window.as_secs_f64())
    .fetch_one(pool)
    .await
    .expect("busiest window")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_on_two_pools_never_exceed_the_window() {
    let budget = short_budget();
    let (first, second, pool) = two_processes(budget.clone()).await;
    audit_grants(&pool).await;
    let started = Instant::now();
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let limiter = if worker % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(async move {
                for _ in 0..25 {
                    let grant = limiter.acquire("loc-shared").await.expect("a grant");
                    limiter
                        .answered("loc-shared", grant, &RateHeaders::default())
                        .await
                        .expect("settled");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker finished");
    }
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM grant_audit")
        .fetch_one(&pool)
        .await
        .expect("audited grants");
    assert_eq!(audited, 100);
    let busiest = busiest_window(&pool, budget.window).await;
    assert!(busiest <= 20, "{busiest} grants fell in one window");
    // 100 grants at 20 per window need at least four full windows.
    assert!(
        started.elapsed() >= budget.window * 4,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(first.used_today("loc-shared").await, Ok(100));
    assert_eq!(second.used_today("other-location").await, Ok(0));
}

/// The budget row's count of grants is what the table holds, however the
/// grants came (slots, corrections from headers) and went (expiry).
async fn kept_and_held(pool: &PgPool, location: &str) -> (i32, i64) {
    sqlx::query_as(
        "SELECT grants_kept, (SELECT count(*) FROM highlevel_rate_grants g \
         WHERE g.location_id = b.location_id) FROM highlevel_rate_budget b WHERE location_id = $1",
    )
    .bind(location)
    .fetch_one(pool)
    .await
    .expect("the budget row")
}

#[tokio::test]
async fn the_count_of_grants_stays_in_step_with_the_grants() {
    let budget = short_budget();
    let (first, second, pool) = two_processes(budget.clone()).await;
    for round in 0..45 {
        let limiter = if round % 2 == 0 { &first } else { &second };
        let grant = limiter.acquire("loc").await.expect("a grant");
        // Every tenth answer says HighLevel counted more than we did.
        let headers = if round % 10 == 9 {
            RateHeaders {
                window_remaining: Some(2),
                ..RateHeaders::default()
            }
        } else {
            RateHeaders::default()
        };
        limiter
            .answered("loc", grant, &headers)
            .await
            .expect("answered");
        let (kept, held) = kept_and_held(&pool, "loc").await;
        assert_eq!(i64::from(kept), held, "after grant {round}");
    }
    let (kept, _) = kept_and_held(&pool, "loc").await;
    assert!(kept <= 20, "{kept} grants kept in a window of 20");
}

#[tokio::test]
async fn what_one_process_learns_from_headers_binds_the_other() {
    let budget = RateBudget {
        max_wait: Duration::ZERO,
        ..short_budget()
    };
    let (first, second, _) = two_processes(budget).await;
    let grant = first.acquire("loc").await.expect("first grant");
    first
        .answered("loc", grant, &RateHeaders::window_spent())
        .await
        .expect("headers recorded");
    let refused = second.acquire("loc").await;
    assert!(
        matches!(refused, Err(HighLevelError::BudgetSpent { .. })),
        "{refused:?}"
    );
    let _grant = second
        .acquire("another-loc")
        .await
        .expect("other locations keep their budget");
}

#[tokio::test]
async fn a_daily_budget_reported_spent_stops_every_process() {
    let (first, second, _) = two_processes(short_budget()).await;
    let headers = RateHeaders {
        daily_max: Some(500),
        daily_remaining: Some(0),
        ..RateHeaders::default()
    };
    let grant = first.acquire("loc").await.expect("a grant");
    first
        .answered("loc", grant, &headers)
        .await
        .expect("headers recorded");
    assert_eq!(second.used_today("loc").await, Ok(500));
    let refused = second.acquire("loc").await;
    assert!(
        matches!(refused, Err(HighLevelError::DailyBudgetSpent { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn announced_limits_replace_the_configured_ones() {
    let budget = RateBudget {
        per_window: 1_000,
        max_wait: Duration::ZERO,
        ..short_budget()
    };
    let (first, second, _) = two_processes(budget).await;
    let announced = RateHeaders {
        window_max: Some(3),
        window_ms: Some(60_000),
        window_remaining: Some(2),
        ..RateHeaders::default()
    };
    let grant = first.acquire("loc").await.expect("a grant");
    first
        .answered("loc", grant, &announced)
        .await
        .expect("headers recorded");
    for _ in 0..2 {
        let _grant = second
            .acquire("loc")
            .await
            .expect("within the announced limit");
    }
    let refused = second.acquire("loc").await;
    assert!(
        matches!(refused, Err(HighLevelError::BudgetSpent { wait, .. }) if wait > Duration::from_secs(50)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_person_gets_the_next_slot_before_every_waiting_sync_request() {
    let budget = RateBudget {
        per_window: 4,
        ..short_budget()
    };
    let (person, sync_process, _) = two_processes(budget).await;
    let sync = sync_process.in_background();
    for _ in 0..4 {
        let _grant = sync
            .acquire("loc")
            .await
            .expect("the sync fills the window");
    }
    let waiting_sync_requests: Vec<_> = (0..12)
        .map(|_| {
            let sync = sync.clone();
            tokio::spawn(async move {
                let _grant = sync.acquire("loc").await.expect("a later window");
                Instant::now()
            })
        })
        .collect();
    let _grant = person.acquire("loc").await.expect("the person's slot");
    let person_granted = Instant::now();
    for request in waiting_sync_requests {
        let sync_granted = request.await.expect("the sync request ends");
        assert!(
            sync_granted > person_granted,
            "a sync request took a slot while a person waited"
        );
    }
}
