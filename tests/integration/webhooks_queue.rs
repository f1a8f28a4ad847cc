//! The durable queue behind the webhook intake: what each event does to the
//! cache, events missing a documented field, soft deletes, failures, and
//! events left behind by a stopped server.

use crate::common;
use crate::webhooks_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use webhooks_support::*;

const LOCATION: &str = "loc-queue";

async fn deliver(app: &common::TestApp, event: &Value) -> (String, String, Option<Value>) {
    let (status, answer) = post(&app.base, event, Sign::Ed25519).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    settled(&app.db, &webhook_id(event)).await
}

async fn task_row(
    db: &PgPool,
    id: &str,
) -> (Option<String>, bool, Option<chrono::DateTime<chrono::Utc>>) {
    sqlx::query_as("SELECT contact_id, completed, completed_at FROM cache_tasks WHERE location_id = $1 AND id = $2")
        .bind(LOCATION)
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_task_event_without_its_contact_keeps_the_task() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let orphan = event(
        "TaskCreate",
        LOCATION,
        json!({"id": "t-1", "title": "Call back", "dueDate": "2026-12-01T10:00:00.000Z"}),
    );
    let (status, _, outcome) = deliver(&app, &orphan).await;
    assert_eq!(status, "done");
    let outcome = outcome.unwrap();
    assert!(
        outcome["contactMissing"]
            .as_str()
            .unwrap()
            .contains("next sync"),
        "{outcome}"
    );
    assert_eq!(task_row(&app.db, "t-1").await, (None, false, None));

    // A task whose contact is known keeps it when TaskComplete leaves it out.
    let known = event(
        "TaskCreate",
        LOCATION,
        json!({"id": "t-2", "title": "Book a class", "contactId": "c-9"}),
    );
    deliver(&app, &known).await;
    let complete = event(
        "TaskComplete",
        LOCATION,
        json!({"id": "t-2", "title": "Book a class"}),
    );
    let (status, _, outcome) = deliver(&app, &complete).await;
    assert_eq!(status, "done");
    assert_eq!(outcome.unwrap()["completed"], true);
    let (contact, completed, completed_at) = task_row(&app.db, "t-2").await;
    assert_eq!(contact.as_deref(), Some("c-9"));
    assert!(completed);
    let stamped =
        chrono::DateTime::parse_from_rfc3339(complete["timestamp"].as_str().unwrap()).unwrap();
    assert_eq!(
        completed_at.unwrap().timestamp_millis(),
        stamped.timestamp_millis()
    );
}

#[tokio::test]
async fn a_tag_update_is_merged_over_the_cached_contact_with_its_diff() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let created = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-1", "firstName": "Ada", "email": "ada@example.com", "tags": ["trial", "yoga"]}),
    );
    let (_, _, outcome) = deliver(&app, &created).await;
    assert_eq!(outcome.unwrap()["tagsAdded"], json!(["trial", "yoga"]));

    // Only the changed field, as ContactUpdate and ContactTagUpdate may send.
    let tagged = event(
        "ContactTagUpdate",
        LOCATION,
        json!({"id": "c-1", "tags": ["yoga", "vip"]}),
    );
    let (status, _, outcome) = deliver(&app, &tagged).await;
    assert_eq!(status, "done");
    let outcome = outcome.unwrap();
    assert_eq!(outcome["tagsAdded"], json!(["vip"]));
    assert_eq!(outcome["tagsRemoved"], json!(["trial"]));
    let (name, email, tags, contact_type): (String, Option<String>, Vec<String>, Option<String>) =
        sqlx::query_as(
            "SELECT display_name, email, tags, contact_type FROM cache_contacts WHERE id = 'c-1'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Ada");
    assert_eq!(email.as_deref(), Some("ada@example.com"));
    assert_eq!(tags, vec!["yoga", "vip"]);
    // The event's own `type` is not the contact's type.
    assert_eq!(contact_type, None);
}

#[tokio::test]
async fn deletes_are_soft_and_every_entity_lands_in_its_table() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    deliver(
        &app,
        &event(
            "ContactCreate",
            LOCATION,
            json!({"id": "c-1", "firstName": "Bo"}),
        ),
    )
    .await;
    deliver(
        &app,
        &event(
            "NoteCreate",
            LOCATION,
            json!({"id": "n-1", "body": "Paid", "contactId": "c-1"}),
        ),
    )
    .await;
    let appointment = json!({"appointment": {"id": "a-1", "title": "Trial class", "calendarId": "cal", "contactId": "c-1",
        "appointmentStatus": "confirmed", "startTime": "2026-12-01T16:00:00+05:30", "endTime": "2026-12-01T17:00:00+05:30"}});
    deliver(&app, &event("AppointmentCreate", LOCATION, appointment)).await;

    let (status, _, outcome) = deliver(
        &app,
        &event("ContactDelete", LOCATION, json!({"id": "c-1"})),
    )
    .await;
    assert_eq!(status, "done");
    assert_eq!(outcome.unwrap()["markedDeleted"], true);
    let (_, _, outcome) = deliver(
        &app,
        &event(
            "NoteDelete",
            LOCATION,
            json!({"id": "n-1", "contactId": "c-1"}),
        ),
    )
    .await;
    assert_eq!(outcome.unwrap()["notesChangedFor"], "c-1");
    deliver(
        &app,
        &event(
            "AppointmentDelete",
            LOCATION,
            json!({"appointment": {"id": "a-1"}}),
        ),
    )
    .await;

    for table in ["cache_contacts", "cache_notes", "cache_appointments"] {
        let (rows, deleted): (i64, i64) = sqlx::query_as(&format!(
            "SELECT count(*), count(deleted_at) FROM {table} WHERE location_id = $1"
        ))
        .bind(LOCATION)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!((rows, deleted), (1, 1), "{table}");
    }
    let status: String =
        sqlx::query_scalar("SELECT status FROM cache_appointments WHERE id = 'a-1'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "confirmed");
}

#[tokio::test]
async fn events_of_a_location_without_a_team_are_kept_and_marked() {
    let app = common::spawn_app(common::test_db().await).await;
    let stray = event("ContactCreate", "loc-nobody", json!({"id": "c-1"}));
    let (status, detail, _) = deliver(&app, &stray).await;
    assert_eq!(status, "ignored");
    assert!(
        detail.contains("no team uses location loc-nobody"),
        "{detail}"
    );
    let cached: i64 = sqlx::query_scalar("SELECT count(*) FROM cache_contacts")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cached, 0);
}

#[tokio::test]
async fn an_event_that_cannot_be_applied_fails_with_the_reason() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    let broken = event("AppointmentUpdate", LOCATION, json!({"id": "a-1"}));
    let (status, _, _) = deliver(&app, &broken).await;
    assert_eq!(status, "failed");
    let error: Option<String> =
        sqlx::query_scalar("SELECT error FROM highlevel_webhooks WHERE webhook_id = $1")
            .bind(webhook_id(&broken))
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        error.as_deref(),
        Some("The event has no appointment object.")
    );
}

/// Stores an accepted event straight into the inbox, as the intake of a
/// server that stopped before applying it would have left it.
async fn left_behind(db: &PgPool, event: &Value, status: &str, claimed_by: Option<&str>) {
    sqlx::query(
        "INSERT INTO highlevel_webhooks (webhook_id, raw_body, signature_scheme, verified, location_id, \
         event_type, event_at, status, claimed_by, lease_until, attempts) \
         VALUES ($1, $2, 'ed25519', true, $3, $4, now(), $5, $6, \
                 CASE WHEN $6 IS NULL THEN NULL ELSE now() - interval '1 second' END, \
                 CASE WHEN $6 IS NULL THEN 0 ELSE 1 END)",
    )
    .bind(webhook_id(event))
    .bind(event.to_string().into_bytes())
    .bind(LOCATION)
    .bind(event["type"].as_str())
    .bind(status)
    .bind(claimed_by)
    .execute(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn events_left_by_a_stopped_server_are_applied_when_one_starts() {
    let db = common::test_db().await;
    add_team(&db, LOCATION).await;
    let waiting = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-waiting", "firstName": "Waiting"}),
    );
    let claimed = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-claimed", "firstName": "Claimed"}),
    );
    left_behind(&db, &waiting, "queued", None).await;
    // Claimed by a process that stopped mid-way: its lease has run out.
    left_behind(&db, &claimed, "processing", Some("gone-host:1:dead")).await;

    let app = common::spawn_app(db).await;
    assert_eq!(settled(&app.db, &webhook_id(&waiting)).await.0, "done");
    assert_eq!(settled(&app.db, &webhook_id(&claimed)).await.0, "done");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT display_name FROM cache_contacts ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(names, vec!["Claimed", "Waiting"]);
    let attempts: i32 =
        sqlx::query_scalar("SELECT attempts FROM highlevel_webhooks WHERE webhook_id = $1")
            .bind(webhook_id(&claimed))
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(attempts, 2);
}

#[tokio::test]
async fn two_servers_on_one_database_apply_each_event_once() {
    let db = common::test_db().await;
    add_team(&db, LOCATION).await;
    let first = common::spawn_app(db.clone()).await;
    let second = common::spawn_app(db.clone()).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let base = if n % 2 == 0 {
            &first.base
        } else {
            &second.base
        };
        let created = event("ContactCreate", LOCATION, json!({"id": format!("c-{n}")}));
        assert_eq!(post(base, &created, Sign::Ed25519).await.0, StatusCode::OK);
        ids.push(webhook_id(&created));
    }
    for id in &ids {
        assert_eq!(settled(&db, id).await.0, "done");
    }
    let attempts: Vec<i32> = sqlx::query_scalar("SELECT attempts FROM highlevel_webhooks")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(attempts.iter().all(|&n| n == 1), "{attempts:?}");
}

async fn queue_row(db: &PgPool, id: &str) -> (String, i32, Option<String>, bool) {
    sqlx::query_as(
        "SELECT status, attempts, error, next_attempt_at > now() + interval '5 seconds' \
         FROM highlevel_webhooks WHERE webhook_id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Makes a retry due now and wakes the workers, instead of waiting out the backoff.
async fn due_now(db: &PgPool, id: &str, attempts: Option<i32>) {
    sqlx::query("UPDATE highlevel_webhooks SET next_attempt_at = now(), attempts = coalesce($2, attempts) WHERE webhook_id = $1")
        .bind(id)
        .bind(attempts)
        .execute(db)
        .await
        .unwrap();
    sqlx::query("SELECT pg_notify('highlevel_webhooks', '')")
        .execute(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_database_failure_is_retried_later_and_fails_after_the_last_attempt() {
    let app = common::spawn_app(common::test_db().await).await;
    add_team(&app.db, LOCATION).await;
    // The contacts table goes away for a while, as in a failover.
    sqlx::query("ALTER TABLE cache_contacts RENAME TO cache_contacts_away")
        .execute(&app.db)
        .await
        .unwrap();
    let created = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-1", "firstName": "Later"}),
    );
    assert_eq!(
        post(&app.base, &created, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    let id = webhook_id(&created);
    let (status, attempts, error, waits) = eventually("the first attempt to fail", || async {
        Some(queue_row(&app.db, &id).await).filter(|row| row.2.is_some())
    })
    .await;
    assert_eq!((status.as_str(), attempts, waits), ("queued", 1, true));
    assert!(error.unwrap().starts_with("Attempt 1 failed"));

    sqlx::query("ALTER TABLE cache_contacts_away RENAME TO cache_contacts")
        .execute(&app.db)
        .await
        .unwrap();
    due_now(&app.db, &id, None).await;
    let (status, _, _) = settled(&app.db, &id).await;
    assert_eq!(status, "done");
    assert_eq!(queue_row(&app.db, &id).await.1, 2);

    sqlx::query("ALTER TABLE cache_contacts RENAME TO cache_contacts_away")
        .execute(&app.db)
        .await
        .unwrap();
    let doomed = event("ContactCreate", LOCATION, json!({"id": "c-2"}));
    assert_eq!(
        post(&app.base, &doomed, Sign::Ed25519).await.0,
        StatusCode::OK
    );
    let doomed_id = webhook_id(&doomed);
    eventually("the first attempt to fail", || async {
        Some(queue_row(&app.db, &doomed_id).await).filter(|row| row.2.is_some())
    })
    .await;
    // Four attempts used up: the fifth is the last.
    due_now(&app.db, &doomed_id, Some(4)).await;
    let (_, attempts, error, _) = eventually("the last attempt to fail", || async {
        Some(queue_row(&app.db, &doomed_id).await).filter(|row| row.0 == "failed")
    })
    .await;
    assert_eq!(attempts, 5);
    assert!(error.unwrap().contains("Attempt 5 failed"));
}

#[tokio::test]
async fn a_slow_event_keeps_its_lease_and_is_applied_once() {
    use std::time::Duration;
    use switchboard::webhooks::{spawn_worker_with, WorkerTiming};

    let db = common::test_db().await;
    add_team(&db, LOCATION).await;
    let slow = event(
        "ContactCreate",
        LOCATION,
        json!({"id": "c-slow", "firstName": "Slow"}),
    );
    left_behind(&db, &slow, "queued", None).await;
    // Applying waits for this lock, longer than a lease lasts.
    let mut blocker = db.begin().await.unwrap();
    sqlx::query("LOCK TABLE cache_contacts IN EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let timing = WorkerTiming {
        lease: Duration::from_secs(1),
        poll: Duration::from_millis(100),
    };
    spawn_worker_with(db.clone(), timing);
    let first_lease: chrono::DateTime<chrono::Utc> =
        eventually("the event to be claimed", || async {
            sqlx::query_scalar(
                "SELECT lease_until FROM highlevel_webhooks WHERE status = 'processing'",
            )
            .fetch_optional(&db)
            .await
            .unwrap()
        })
        .await;
    // A second worker that would take over any claim whose lease ran out.
    spawn_worker_with(db.clone(), timing);
    eventually("two leases' time to pass", || async {
        sqlx::query_scalar::<_, bool>("SELECT now() > $1 + interval '2 seconds'")
            .bind(first_lease)
            .fetch_one(&db)
            .await
            .unwrap()
            .then_some(())
    })
    .await;
    let (attempts, lease_until): (i32, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT attempts, lease_until FROM highlevel_webhooks WHERE webhook_id = $1",
    )
    .bind(webhook_id(&slow))
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(attempts, 1, "no other worker took the event over");
    assert!(lease_until > first_lease, "the lease was renewed");

    blocker.rollback().await.unwrap();
    let (status, _, _) = settled(&db, &webhook_id(&slow)).await;
    assert_eq!(status, "done");
    let attempts: i32 =
        sqlx::query_scalar("SELECT attempts FROM highlevel_webhooks WHERE webhook_id = $1")
            .bind(webhook_id(&slow))
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
}
