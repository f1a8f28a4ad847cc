//! The cache's upserts against a real Postgres: batches land, an older
//! version never replaces a newer one, soft deletes stay soft, and a task
//! keeps the time it was first seen completed.

use crate::common;

use chrono::{Duration, Utc};
use serde_json::json;
use switchboard::cache::{self, ContactRecord, TaskRecord};

fn contact(id: &str, name: &str, updated: &str) -> ContactRecord {
    ContactRecord::from_document(
        "loc",
        json!({"id": id, "firstName": name, "tags": ["a"], "dateUpdated": updated}),
    )
    .expect("a contact with an id")
}

#[tokio::test]
async fn newer_versions_win_and_deletes_stay_soft() {
    let pool = common::test_db().await;
    let batch: Vec<_> = (0..300)
        .map(|n| contact(&format!("c{n}"), "First", "2026-01-01T00:00:00Z"))
        .collect();
    assert_eq!(cache::upsert(&pool, &batch).await.expect("upsert"), 300);

    let older = contact("c1", "Older", "2025-12-31T00:00:00Z");
    assert_eq!(cache::upsert(&pool, &[older]).await.expect("upsert"), 0);
    let newer = contact("c2", "Newer", "2026-01-02T00:00:00Z");
    assert_eq!(cache::upsert(&pool, &[newer]).await.expect("upsert"), 1);

    let names: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, display_name FROM cache_contacts WHERE id IN ('c1', 'c2') ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("read back");
    assert_eq!(
        names,
        vec![("c1".into(), "First".into()), ("c2".into(), "Newer".into())]
    );

    let table = <ContactRecord as cache::Cached>::TABLE;
    let gone = cache::mark_deleted(&pool, table, "loc", &["c3".into()], Utc::now())
        .await
        .expect("delete");
    assert_eq!(gone, 1);
    // The same version again does not revive it; a newer one does.
    cache::upsert(&pool, &[contact("c3", "First", "2026-01-01T00:00:00Z")])
        .await
        .expect("upsert");
    let deleted: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM cache_contacts WHERE id = 'c3'")
            .fetch_one(&pool)
            .await
            .expect("read back");
    assert!(deleted);
    cache::upsert(&pool, &[contact("c3", "Back", "2026-02-01T00:00:00Z")])
        .await
        .expect("upsert");
    let deleted: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM cache_contacts WHERE id = 'c3'")
            .fetch_one(&pool)
            .await
            .expect("read back");
    assert!(!deleted);
}

#[tokio::test]
async fn a_task_keeps_its_first_completion_time_and_its_contact() {
    let pool = common::test_db().await;
    let first_seen = Utc::now() - Duration::days(3);
    let task = |completed: bool, contact: Option<&str>, seen| {
        let mut doc = json!({"id": "t1", "title": "Call back", "completed": completed});
        if let Some(contact) = contact {
            doc["contactId"] = json!(contact);
        }
        TaskRecord::from_document("loc", doc, seen).expect("a task with an id")
    };
    cache::upsert(&pool, &[task(true, Some("c1"), first_seen)])
        .await
        .expect("upsert");
    cache::upsert(&pool, &[task(true, None, Utc::now())])
        .await
        .expect("upsert");
    let (contact, completed_at): (Option<String>, Option<chrono::DateTime<Utc>>) =
        sqlx::query_as("SELECT contact_id, completed_at FROM cache_tasks WHERE id = 't1'")
            .fetch_one(&pool)
            .await
            .expect("read back");
    assert_eq!(contact.as_deref(), Some("c1"));
    let kept = completed_at.expect("completed");
    assert!(
        (kept - first_seen).num_seconds().abs() < 1,
        "{kept} vs {first_seen}"
    );

    cache::upsert(&pool, &[task(false, None, Utc::now())])
        .await
        .expect("upsert");
    let reopened: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT completed_at FROM cache_tasks WHERE id = 't1'")
            .fetch_one(&pool)
            .await
            .expect("read back");
    assert_eq!(reopened, None);
}
