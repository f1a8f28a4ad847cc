//! The scheduler of an agency: many locations due at once are all synced,
//! but one process never runs more than its bound of syncs at a time (each
//! holds a Postgres connection of its own for its location's lock).

use crate::common;
use crate::webhooks_support::eventually;

use std::collections::HashMap;

use futures::future::BoxFuture;
use secrecy::SecretString;
use switchboard::highlevel::{AccessToken, HighLevelClient, HighLevelError, RateLimiter};
use switchboard::sync::SyncEngine;
use switchboard_sandbox::SandboxConfig;

const LOCATIONS: usize = 24;
/// `MAX_RUNNING` of the scheduler.
const BOUND: i64 = 16;

/// Each location's own token, as the connections' store hands them out.
struct TokenPerLocation(HashMap<String, SecretString>);

impl AccessToken for TokenPerLocation {
    fn bearer<'a>(
        &'a self,
        location_id: &'a str,
    ) -> BoxFuture<'a, Result<SecretString, HighLevelError>> {
        let token = self.0.get(location_id).cloned();
        Box::pin(async move {
            token.ok_or_else(|| HighLevelError::Token {
                location_id: location_id.to_owned(),
                reason: "not connected".into(),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_locations_due_at_once_are_synced_a_bounded_number_at_a_time() {
    let db = common::test_db().await;
    let sandbox = switchboard_sandbox::spawn(SandboxConfig {
        contacts: 30,
        locations: LOCATIONS,
        burst_limit: 100_000,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let scopes: Vec<String> = switchboard::auth::oauth::READ_SCOPES
        .iter()
        .map(|scope| (*scope).to_owned())
        .collect();
    let mut tokens = HashMap::new();
    for (location, name) in sandbox.sandbox().locations() {
        let token = sandbox.sandbox().mint_token(&location, &scopes).unwrap();
        tokens.insert(location.clone(), SecretString::from(token));
        // The scheduler finds connected teams; this test's tokens come from
        // the map above, not from the sealed column.
        sqlx::query("INSERT INTO teams (location_id, name, time_zone) VALUES ($1, $2, 'UTC')")
            .bind(&location)
            .bind(&name)
            .execute(&db)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO connections (location_id, kind, access_token_sealed) \
             VALUES ($1, 'private_token', 'unused')",
        )
        .bind(&location)
        .execute(&db)
        .await
        .unwrap();
    }
    assert_eq!(tokens.len(), LOCATIONS);
    let client = HighLevelClient::builder(sandbox.base_url(), TokenPerLocation(tokens))
        .rate_limiter(RateLimiter::shared(
            db.clone(),
            crate::sync_support::fast_budget(),
        ))
        .build()
        .unwrap();
    let scheduler = tokio::spawn(switchboard::sync::scheduler::run(SyncEngine::new(
        db.clone(),
        client,
    )));

    eventually("every location's first sync", || async {
        let synced: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sync_settings WHERE last_full_at IS NOT NULL")
                .fetch_one(&db)
                .await
                .unwrap();
        (synced == LOCATIONS as i64).then_some(())
    })
    .await;
    scheduler.abort();

    let (runs, failed): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'succeeded') FROM sync_runs",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((runs, failed), (LOCATIONS as i64, 0));
    // The most runs going on at one moment: at some run's start.
    let most_at_once: i64 = sqlx::query_scalar(
        "SELECT max((SELECT count(*) FROM sync_runs o
                      WHERE o.started_at <= r.started_at AND o.finished_at > r.started_at))
           FROM sync_runs r",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        (2..=BOUND).contains(&most_at_once),
        "{most_at_once} syncs ran at once"
    );
}
