//! The reports' rollups equal a recount of the cache after each way the
//! cache is written: a full sync, HighLevel's webhooks, the writes of the
//! contact workspace, a poll and a reconciliation. A write that slips past
//! the rollups is caught by the same check, and the reconciliation mends it.

use crate::common;
use crate::webhooks_support::eventually;
use crate::workspace_support::{contact_ids, ok_json, signed_in};

use common::browser::demo_locations;
use reqwest::StatusCode;
use serde_json::json;
use switchboard::cache::rollups;
use switchboard::sync::{SyncEngine, SyncKind};

async fn simulate(app: &common::TestApp, entity: &str, action: &str, count: usize) {
    let response = common::http()
        .post(format!("{}/sandbox/_sandbox/simulate", app.base))
        .json(&json!({"entity": entity, "action": action, "count": count}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "simulate {entity} {action}"
    );
}

async fn assert_recounted(app: &common::TestApp, location: &str, after: &str) {
    let wrong = rollups::mismatches(&app.db, location).await.unwrap();
    assert!(wrong.is_empty(), "after {after}: {wrong:#?}");
}

/// Rollup rows of the location, settled or not.
async fn rollup_rows(app: &common::TestApp, location: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM report_contacts WHERE location_id = $1)
              + (SELECT count(*) FROM report_tasks WHERE location_id = $1)
              + (SELECT count(*) FROM report_appointments WHERE location_id = $1)",
    )
    .bind(location)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// How far the rollups' delta numbers have gone in this test's database.
async fn deltas_drawn(app: &common::TestApp) -> (i64, bool) {
    sqlx::query_as("SELECT last_value, is_called FROM report_deltas")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Webhook events the sandbox has still to deliver, or the app to handle:
/// the sandbox posts them from a queue of its own, after answering.
async fn webhooks_in_flight(app: &common::TestApp) -> usize {
    let sandbox =
        common::json_of(common::http().get(format!("{}/sandbox/_sandbox/webhooks", app.base)))
            .await;
    let sending = sandbox["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|delivery| matches!(delivery["status"].as_str(), Some("queued" | "retrying")))
        .count();
    let handling: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM highlevel_webhooks WHERE status IN ('queued', 'processing')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sending + usize::try_from(handling).unwrap()
}

async fn every_webhook_handled(app: &common::TestApp) {
    eventually("every webhook handled", || async {
        (webhooks_in_flight(app).await == 0).then_some(())
    })
    .await;
}

async fn run_sync(app: &common::TestApp, location: &str, kind: SyncKind) {
    let client = switchboard::highlevel::HighLevelClient::builder(
        app.highlevel.api_base.clone(),
        app.tokens(app.db.clone()),
    )
    .build()
    .unwrap();
    let summary = SyncEngine::new(app.db.clone(), client)
        .run(location, kind, "test")
        .await
        .unwrap();
    assert!(summary.succeeded, "{kind:?}: {:?}", summary.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollups_equal_a_recount_after_every_write_path() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location, &users[0], true).await;

    let deltas_before = deltas_drawn(&app).await;
    app.full_sync(&location).await;
    assert!(rollup_rows(&app, &location).await > 0, "the sync counted");
    assert_eq!(
        deltas_drawn(&app).await,
        deltas_before,
        "the first sync counts once at its end, without deltas"
    );
    assert!(!rollups::deferred(&app.db, &location).await.unwrap());
    assert_recounted(&app, &location, "the full sync").await;

    // HighLevel's webhooks: new and changed contacts (tags), tasks created
    // and completed, appointments booked, changed and removed, a contact deleted.
    let response = common::http()
        .put(format!("{}/sandbox/_sandbox/webhook-url", app.base))
        .json(&json!({"url": format!("{}/webhooks/highlevel", app.base)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for (entity, action, count) in [
        ("contacts", "create", 3),
        ("contacts", "update", 6),
        ("tasks", "create", 4),
        ("tasks", "update", 4),
        ("appointments", "create", 3),
        ("appointments", "update", 4),
        ("appointments", "delete", 1),
        ("tasks", "delete", 1),
        ("contacts", "delete", 2),
    ] {
        simulate(&app, entity, action, count).await;
    }
    every_webhook_handled(&app).await;
    assert_recounted(&app, &location, "webhooks").await;

    // The contact workspace's writes: a tag, a task, its completion.
    let contact = contact_ids(&owner, 1).await.swap_remove(0);
    let tag = [
        ("contact_id", contact.as_str()),
        ("tag", "rollup-check"),
        ("add", "true"),
    ];
    ok_json(owner.call("contacts/tag", &tag).await).await;
    let task = [
        ("contact_id", contact.as_str()),
        ("title", "Counted once"),
        ("body", ""),
        ("due", "2026-12-01T10:00"),
        ("assigned_to", users[1].as_str()),
    ];
    ok_json(owner.call("tasks/save", &task).await).await;
    assert_recounted(&app, &location, "the workspace's writes").await;

    // A poll, which also folds the deltas into settled rows.
    simulate(&app, "contacts", "update", 3).await;
    // The changes' webhooks first: one handled after the poll would leave
    // its deltas for the next.
    every_webhook_handled(&app).await;
    run_sync(&app, &location, SyncKind::Incremental).await;
    let unsettled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM report_tasks WHERE location_id = $1 AND delta <> 0",
    )
    .bind(&location)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(unsettled, 0, "a poll settles the deltas");
    assert_recounted(&app, &location, "a poll").await;

    // A write path that forgets the rollups (here: with triggers off) is caught…
    let mut transaction = app.db.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *transaction)
        .await
        .unwrap();
    let completed = sqlx::query(
        "UPDATE cache_tasks SET completed = true, completed_at = now()
          WHERE location_id = $1 AND NOT completed AND deleted_at IS NULL",
    )
    .bind(&location)
    .execute(&mut *transaction)
    .await
    .unwrap()
    .rows_affected();
    sqlx::query(
        "UPDATE cache_contacts SET tags = tags || ARRAY['forgotten']
          WHERE location_id = $1 AND id = (SELECT min(id) FROM cache_contacts
                                            WHERE location_id = $1 AND deleted_at IS NULL)",
    )
    .bind(&location)
    .execute(&mut *transaction)
    .await
    .unwrap();
    transaction.commit().await.unwrap();
    assert!(completed > 0);
    let wrong = rollups::mismatches(&app.db, &location).await.unwrap();
    assert!(
        wrong.iter().any(|line| line.starts_with("report_tasks ")),
        "the forgotten write is caught: {wrong:#?}"
    );
    assert!(
        wrong
            .iter()
            .any(|line| line.starts_with("report_tasks_weeks ")),
        "the week rows are checked too: {wrong:#?}"
    );
    assert!(
        wrong
            .iter()
            .any(|line| line.starts_with("report_tag_totals forgotten: 0 → 1")),
        "the tag totals are checked too: {wrong:#?}"
    );

    // …and the nightly reconciliation counts everything again.
    run_sync(&app, &location, SyncKind::Reconcile).await;
    assert_recounted(&app, &location, "the reconciliation").await;
}

/// The first count of a location waits for a write its triggers left
/// uncounted, so the count sees it; a write after the count is kept by the
/// triggers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_during_the_first_count_is_counted_once() {
    let db = common::test_db().await;
    let location = "first-count";
    rollups::defer(&db, location).await.unwrap();
    sqlx::query(
        "INSERT INTO cache_contacts (location_id, id, tags, date_added, raw)
         SELECT $1, 'contact-' || n, ARRAY['member'], now(), '{}' FROM generate_series(1, 3) AS n",
    )
    .bind(location)
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(
        tagged(&db, location, "member").await,
        0,
        "not kept while deferred"
    );

    // A write whose trigger ran while the location was uncounted, not yet committed.
    let mut writer = db.begin().await.unwrap();
    sqlx::query("UPDATE cache_contacts SET tags = tags || 'late'::TEXT WHERE location_id = $1 AND id = 'contact-1'")
        .bind(location)
        .execute(&mut *writer)
        .await
        .unwrap();
    let counting = tokio::spawn({
        let db = db.clone();
        async move { rollups::count_deferred(&db, location).await }
    });
    eventually("the count waiting for the writer", || async {
        let waiting: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        waiting.then_some(())
    })
    .await;
    writer.commit().await.unwrap();
    counting.await.unwrap().unwrap();
    assert!(!rollups::deferred(&db, location).await.unwrap());
    assert_eq!(
        tagged(&db, location, "late").await,
        1,
        "the waiting write is counted"
    );

    sqlx::query("UPDATE cache_contacts SET tags = tags || 'late'::TEXT WHERE location_id = $1 AND id = 'contact-2'")
        .bind(location)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        tagged(&db, location, "late").await,
        2,
        "a later write is kept"
    );
    assert_eq!(tagged(&db, location, "member").await, 3);
    let wrong = rollups::mismatches(&db, location).await.unwrap();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Contacts of the location with `tag`, as the rollups count them.
async fn tagged(db: &sqlx::PgPool, location: &str, tag: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(contacts), 0)::BIGINT FROM report_contacts WHERE location_id = $1 AND tag = $2",
    )
    .bind(location)
    .bind(tag)
    .fetch_one(db)
    .await
    .unwrap()
}
