//! The sync engine against the sandbox over HTTP and a real Postgres: a full
//! sync fills the cache with exactly the sandbox's data; one poll brings
//! simulated changes in; a reconciliation turns deletions into soft deletes.

use crate::common;
use crate::sync_support;

use std::collections::BTreeSet;

use serde_json::Value;
use switchboard::sync::{self, SyncKind};
use switchboard::zone::TeamZone;
use sync_support::{assert_cache_matches, engine, fast_budget, sandbox};

#[tokio::test]
async fn a_full_sync_fills_the_cache_with_exactly_the_sandbox_data() {
    let pool = common::test_db().await;
    let sandbox = sandbox(300, None).await;
    let engine = engine(&pool, &sandbox, fast_budget());
    assert_eq!(
        sync::last_synced_at(&pool, &sandbox.location_id)
            .await
            .unwrap(),
        None
    );
    // A team from before time zones were kept.
    sqlx::query("INSERT INTO teams (location_id, name) VALUES ($1, 'Old name')")
        .bind(&sandbox.location_id)
        .execute(&pool)
        .await
        .unwrap();

    let summary = engine
        .run(&sandbox.location_id, SyncKind::Full, "test")
        .await
        .unwrap();
    assert!(summary.succeeded, "{:?}", summary.error);
    assert_eq!(summary.kind, SyncKind::Full);
    assert_cache_matches(&pool, &sandbox).await;

    let overview = sync::overview(&pool, &sandbox.location_id, TeamZone::default(), true)
        .await
        .unwrap();
    let run = overview.current.expect("the run is listed");
    assert_eq!(run.status, switchboard::sync::RunStatus::Succeeded);
    let contacts = run
        .progress
        .iter()
        .find(|p| p.entity == "contacts")
        .unwrap();
    assert_eq!(contacts.total, Some(contacts.done));
    assert!(contacts.done >= 300);
    // 300 contacts: 1 contact page, 1 per contact for notes, a few task pages,
    // 3 calendars, the location, users, calendars and businesses.
    assert!(
        run.requests > 300 && run.requests < 330,
        "{} requests",
        run.requests
    );
    assert!(sync::last_synced_at(&pool, &sandbox.location_id)
        .await
        .unwrap()
        .is_some());
    let location = common::json_of(
        common::http()
            .get(format!(
                "{}/locations/{}",
                sandbox.base(),
                sandbox.location_id
            ))
            .bearer_auth(&sandbox.token)
            .header("Version", "2021-07-28"),
    )
    .await;
    let team: (String, String) =
        sqlx::query_as("SELECT name, time_zone FROM teams WHERE location_id = $1")
            .bind(&sandbox.location_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (team.0.as_str(), Some(team.1.as_str())),
        (
            location["location"]["name"].as_str().unwrap(),
            location["location"]["timezone"].as_str()
        ),
        "the sync keeps the team's name and time zone"
    );
    assert_ne!(team.1, "UTC");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM cache_users WHERE location_id = $1")
        .bind(&sandbox.location_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 5);
}

/// The contacts the queued webhook events name (what the webhook intake
/// would hand to `request_contact_refresh`).
async fn contacts_named_by_webhooks(sandbox: &sync_support::Sandbox) -> Vec<String> {
    let answer = sandbox
        .control(reqwest::Method::GET, "webhooks", Value::Null)
        .await;
    let named: BTreeSet<String> = answer["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|delivery| delivery["payload"]["contactId"].as_str().map(str::to_owned))
        .collect();
    named.into_iter().collect()
}

#[tokio::test]
async fn one_poll_brings_changes_in_and_reconciliation_soft_deletes_what_is_gone() {
    let pool = common::test_db().await;
    let sandbox = sandbox(200, None).await;
    let location = sandbox.location_id.clone();
    let engine = engine(&pool, &sandbox, fast_budget());
    let full = engine.run(&location, SyncKind::Full, "test").await.unwrap();
    assert!(full.succeeded, "{:?}", full.error);
    sandbox
        .control(reqwest::Method::DELETE, "webhooks", Value::Null)
        .await;

    sandbox.simulate("contacts", "update", 5).await;
    sandbox.simulate("contacts", "create", 3).await;
    sandbox.simulate("appointments", "update", 3).await;
    sandbox.simulate("appointments", "create", 2).await;
    sandbox.simulate("appointments", "delete", 1).await;
    sandbox.simulate("tasks", "create", 2).await;
    sandbox.simulate("tasks", "update", 2).await;
    sandbox.simulate("notes", "create", 2).await;
    sandbox.simulate("notes", "update", 2).await;
    sandbox.simulate("notes", "delete", 1).await;
    let named = contacts_named_by_webhooks(&sandbox).await;
    assert!(!named.is_empty());
    sync::request_contact_refresh(&pool, &location, &named)
        .await
        .unwrap();

    let poll = engine
        .run(&location, SyncKind::Incremental, "test")
        .await
        .unwrap();
    assert!(poll.succeeded, "{:?}", poll.error);
    assert_eq!(poll.kind, SyncKind::Incremental);
    assert_cache_matches(&pool, &sandbox).await;
    let overview = sync::overview(&pool, &location, TeamZone::default(), false)
        .await
        .unwrap();
    let requests = overview.current.unwrap().requests;
    assert!(
        requests < 60,
        "a poll of a few changes made {requests} requests"
    );
    assert_eq!(overview.pending_contacts, 0);

    // HighLevel's search cannot show a deletion: the poll leaves the rows,
    // the reconciliation marks them deleted (kept, with their notes).
    let deleted = sandbox.simulate("contacts", "delete", 3).await;
    let poll = engine
        .run(&location, SyncKind::Incremental, "test")
        .await
        .unwrap();
    assert!(poll.succeeded);
    let live = live_contacts(&pool, &location, &deleted).await;
    assert_eq!(live, 3, "a poll does not see deletions");

    let reconcile = engine
        .run(&location, SyncKind::Reconcile, "test")
        .await
        .unwrap();
    assert!(reconcile.succeeded, "{:?}", reconcile.error);
    assert_eq!(live_contacts(&pool, &location, &deleted).await, 0);
    let kept: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND id = ANY($2) AND deleted_at IS NOT NULL",
    )
    .bind(&location)
    .bind(&deleted)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kept, 3, "deleted contacts are kept, marked deleted");
    assert_cache_matches(&pool, &sandbox).await;
    let settings: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_reconcile_at FROM sync_settings WHERE location_id = $1")
            .bind(&location)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(settings.is_some());
}

async fn live_contacts(pool: &sqlx::PgPool, location: &str, ids: &[String]) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND id = ANY($2) AND deleted_at IS NULL",
    )
    .bind(location)
    .bind(ids)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_poll_interval_is_checked_and_saved() {
    let pool = common::test_db().await;
    assert!(sync::set_poll_minutes(&pool, "loc-1", 0).await.is_err());
    assert!(sync::set_poll_minutes(&pool, "loc-1", 16).await.is_err());
    sync::set_poll_minutes(&pool, "loc-1", 12).await.unwrap();
    let overview = sync::overview(&pool, "loc-1", TeamZone::default(), true)
        .await
        .unwrap();
    assert_eq!(overview.poll_minutes, 12);
    assert!(overview.current.is_none());
    assert!(!overview.connected);
}
