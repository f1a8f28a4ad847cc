//! The client against the sandbox HighLevel over HTTP: every operation of the
//! catalogue round-trips, scopes are named when missing, and injected 429s
//! and 5xx are recovered from without duplicate writes.

use crate::common;
use crate::sandbox_support;

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;
use sqlx::PgPool;
use switchboard::highlevel::models::*;
use switchboard::highlevel::{
    operations, ContactsPage, HighLevelClient, HighLevelError, RateBudget, RateLimiter, RequestLog,
    RetryPolicy, StaticToken, Window,
};
use switchboard_sandbox::SandboxConfig;

use sandbox_support::Api;

/// A client as a server process builds it: shared budget and request log.
fn client(api: &Api, token: &str, pool: &PgPool, budget: RateBudget) -> HighLevelClient {
    HighLevelClient::builder(&api.base, StaticToken::new(SecretString::from(token)))
        .rate_limiter(RateLimiter::shared(pool.clone(), budget))
        .request_log(RequestLog::new(pool.clone()))
        .retry(RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(500),
        })
        .build()
        .expect("client")
}

async fn logged_operations(pool: &PgPool) -> BTreeSet<String> {
    sqlx::query_scalar("SELECT DISTINCT operation_id FROM highlevel_request_log WHERE status < 300")
        .fetch_all(pool)
        .await
        .expect("request log")
        .into_iter()
        .collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[tokio::test]
async fn every_operation_of_the_catalogue_round_trips() {
    let api = sandbox_support::start().await;
    let pool = common::test_db().await;
    let token = api.full_token().await;
    let hl = client(&api, &token, &pool, RateBudget::default());
    let loc = api.location_id.as_str();

    // Contacts.
    let created = hl
        .create_contact(
            loc,
            &CreateContact {
                location_id: loc.into(),
                company_name: Some("Round Trip Gym".into()),
                fields: ContactFields {
                    first_name: Some("Ada".into()),
                    last_name: Some("Round".into()),
                    email: Some("ada.round@example.com".into()),
                    tags: Some(strings(&["trial"])),
                    ..ContactFields::default()
                },
                ..CreateContact::default()
            },
        )
        .await
        .expect("create-contact")
        .contact;
    let id = created.id.as_str();
    assert_eq!(created.first_name.as_deref(), Some("Ada"));
    let read = hl.get_contact(loc, id).await.expect("get-contact").contact;
    assert_eq!(read.email.as_deref(), Some("ada.round@example.com"));
    let updated = hl
        .update_contact(
            loc,
            id,
            &ContactFields {
                city: Some("Leeds".into()),
                ..ContactFields::default()
            },
        )
        .await
        .expect("update-contact");
    assert_eq!(updated.contact.city.as_deref(), Some("Leeds"));
    let upserted = hl
        .upsert_contact(
            loc,
            &UpsertContact {
                location_id: loc.into(),
                fields: ContactFields {
                    email: Some("ada.round@example.com".into()),
                    phone: Some("+447700900123".into()),
                    ..ContactFields::default()
                },
                ..UpsertContact::default()
            },
        )
        .await
        .expect("upsert-contact");
    assert_eq!((upserted.new, upserted.contact.id.as_str()), (false, id));
    let duplicate = hl
        .get_duplicate_contact(loc, Some("ada.round@example.com"), None)
        .await
        .expect("get-duplicate-contact");
    assert_eq!(duplicate.contact.map(|c| c.id), Some(id.to_owned()));
    let found = hl
        .search_contacts(
            loc,
            &SearchContacts {
                location_id: loc.into(),
                page_limit: 5,
                query: Some("ada.round".into()),
                ..SearchContacts::default()
            },
        )
        .await
        .expect("search-contacts-advanced");
    assert!(found.contacts.iter().any(|c| c.id == id));
    let listed = hl
        .get_contacts(
            loc,
            &ContactsPage {
                limit: Some(5),
                ..ContactsPage::default()
            },
        )
        .await
        .expect("get-contacts");
    assert_eq!(listed.contacts.len(), 5);

    // Tasks.
    let task = hl
        .create_task(
            loc,
            id,
            &CreateTask {
                title: "Call back".into(),
                due_date: "2026-12-01T10:00:00Z".into(),
                completed: false,
                ..CreateTask::default()
            },
        )
        .await
        .expect("create-task")
        .task;
    let tasks = hl
        .get_all_tasks(loc, id)
        .await
        .expect("get-all-tasks")
        .tasks;
    assert!(tasks.iter().any(|t| t.id == task.id));
    let got = hl.get_task(loc, id, &task.id).await.expect("get-task").task;
    assert_eq!(got.title.as_deref(), Some("Call back"));
    let changed = hl
        .update_task(
            loc,
            id,
            &task.id,
            &UpdateTask {
                title: Some("Call back soon".into()),
                ..UpdateTask::default()
            },
        )
        .await
        .expect("update-task")
        .task;
    assert_eq!(changed.title.as_deref(), Some("Call back soon"));
    let done = hl
        .update_task_completed(loc, id, &task.id, true)
        .await
        .expect("update-task-completed")
        .task;
    assert_eq!(done.completed, Some(true));
    let searched = hl
        .task_search(
            loc,
            &TaskSearch {
                contact_id: Some(vec![id.to_owned()]),
                ..TaskSearch::default()
            },
        )
        .await
        .expect("task-search");
    assert!(!searched.tasks.is_empty());
    assert!(
        hl.delete_task(loc, id, &task.id)
            .await
            .expect("delete-task")
            .succeded
    );

    // Notes.
    let note = hl
        .create_note(
            loc,
            id,
            &NoteBody {
                body: Some("Asked about prices".into()),
                ..NoteBody::default()
            },
        )
        .await
        .expect("create-note")
        .note;
    let notes = hl
        .get_all_notes(loc, id)
        .await
        .expect("get-all-notes")
        .notes;
    assert!(notes.iter().any(|n| n.id == note.id));
    hl.get_note(loc, id, &note.id).await.expect("get-note");
    let edited = hl
        .update_note(
            loc,
            id,
            &note.id,
            &NoteBody {
                body: Some("Sent prices".into()),
                ..NoteBody::default()
            },
        )
        .await
        .expect("update-note")
        .note;
    assert_eq!(edited.body.as_deref(), Some("Sent prices"));
    assert!(
        hl.delete_note(loc, id, &note.id)
            .await
            .expect("delete-note")
            .succeded
    );

    // Tags, followers, campaigns, workflows.
    let tags = hl
        .add_tags(loc, id, &strings(&["vip"]))
        .await
        .expect("add-tags");
    assert!(tags.tags.contains(&"vip".to_owned()));
    let tags = hl
        .remove_tags(loc, id, &strings(&["vip"]))
        .await
        .expect("remove-tags");
    assert!(!tags.tags.contains(&"vip".to_owned()));
    let users = hl
        .get_users_by_location(loc)
        .await
        .expect("get-user-by-location")
        .users;
    let user_id = users.first().map(|u| u.id.clone()).expect("a seeded user");
    let followers = hl
        .add_followers(loc, id, std::slice::from_ref(&user_id))
        .await
        .expect("add-followers-contact");
    assert!(followers.followers.contains(&user_id));
    hl.remove_followers(loc, id, std::slice::from_ref(&user_id))
        .await
        .expect("remove-followers-contact");
    hl.add_contact_to_campaign(loc, id, "camp-1")
        .await
        .expect("add-contact-to-campaign");
    hl.remove_contact_from_campaign(loc, id, "camp-1")
        .await
        .expect("remove-contact-from-campaign");
    hl.remove_contact_from_every_campaign(loc, id)
        .await
        .expect("remove-contact-from-every-campaign");
    let workflow = WorkflowBody::default();
    hl.add_contact_to_workflow(loc, id, "wf-1", &workflow)
        .await
        .expect("add-contact-to-workflow");
    hl.remove_contact_from_workflow(loc, id, "wf-1", &workflow)
        .await
        .expect("delete-contact-from-workflow");

    // Bulk changes and businesses.
    let bulk = BulkTags {
        contacts: vec![id.to_owned()],
        tags: strings(&["bulk"]),
        location_id: loc.into(),
        remove_all_tags: None,
    };
    let added = hl
        .bulk_update_tags(loc, BulkTagAction::Add, &bulk)
        .await
        .expect("create-association add");
    assert_eq!(added.error_count, 0);
    hl.bulk_update_tags(loc, BulkTagAction::Remove, &bulk)
        .await
        .expect("create-association remove");
    let businesses = hl
        .get_businesses(loc, Window::default())
        .await
        .expect("get-businesses-by-location")
        .businesses;
    let business_id = businesses
        .first()
        .map(|b| b.id.clone())
        .expect("a seeded business");
    hl.get_business(loc, &business_id)
        .await
        .expect("get-business");
    let moved = hl
        .bulk_update_business(
            loc,
            &BulkBusiness {
                location_id: loc.into(),
                ids: vec![id.to_owned()],
                business_id: Some(business_id.clone()),
            },
        )
        .await
        .expect("add-remove-contact-from-business");
    assert!(moved.success);
    let members = hl
        .get_contacts_by_business(loc, &business_id, None, Window::default())
        .await
        .expect("get-contacts-by-businessId");
    assert!(members.contacts.iter().any(|c| c.id == id));

    // Location lists, calendars and users.
    hl.get_custom_fields(loc, None)
        .await
        .expect("get-custom-fields");
    hl.get_location_tags(loc).await.expect("get-location-tags");
    let calendars = hl
        .get_calendars(loc)
        .await
        .expect("get-calendars")
        .calendars;
    let calendar_id = calendars
        .first()
        .map(|c| c.id.clone())
        .expect("a seeded calendar");
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000;
    let events = hl
        .get_calendar_events(&CalendarEventsQuery {
            location_id: loc.into(),
            start_time_ms: now - 400 * day,
            end_time_ms: now + 400 * day,
            owner: EventOwner::Calendar(calendar_id),
        })
        .await
        .expect("get-calendar-events")
        .events;
    let event = events.first().expect("a seeded event");
    let fetched = hl
        .get_appointment(loc, &event.id)
        .await
        .expect("get-appointment");
    assert_eq!(fetched.event.id, event.id);
    let location = hl.get_location(loc).await.expect("get-location").location;
    assert_eq!(location.id, loc);
    let user = hl.get_user(loc, &user_id).await.expect("get-user");
    assert_eq!(user.id, user_id);
    hl.get_appointments_for_contact(loc, id)
        .await
        .expect("get-appointments-for-contact");
    let search = UsersSearch {
        company_id: api.company_id.clone(),
        location_id: Some(loc.into()),
        ..UsersSearch::default()
    };
    let found_users = hl.search_users(loc, &search).await.expect("search-users");
    assert!(!found_users.users.is_empty());

    assert!(
        hl.delete_contact(loc, id)
            .await
            .expect("delete-contact")
            .succeded
    );
    let gone = hl.get_contact(loc, id).await;
    assert!(gone.is_err(), "{gone:?}");

    let every: BTreeSet<String> = operations::all()
        .iter()
        .map(|op| op.id.to_owned())
        .collect();
    assert_eq!(logged_operations(&pool).await, every);
}

#[tokio::test]
async fn a_readonly_token_write_names_the_missing_scope() {
    let api = sandbox_support::start().await;
    let pool = common::test_db().await;
    let token = api.token(&["contacts.readonly"]).await;
    let hl = client(&api, &token, &pool, RateBudget::default());
    let outcome = hl
        .create_task(
            &api.location_id,
            "any-contact",
            &CreateTask {
                title: "x".into(),
                due_date: "2026-12-01T10:00:00Z".into(),
                ..CreateTask::default()
            },
        )
        .await;
    let Err(error) = outcome else {
        panic!("a readonly token wrote: {outcome:?}");
    };
    assert!(
        matches!(&error, HighLevelError::MissingScope { scope, .. } if scope == "contacts.write"),
        "{error:?}"
    );
    assert!(
        error.user_message().contains("contacts.write"),
        "{}",
        error.user_message()
    );
    assert!(api
        .ledger()
        .await
        .iter()
        .all(|entry| entry["status"] != 201));
}

#[tokio::test]
async fn an_unknown_token_asks_to_reconnect() {
    let api = sandbox_support::start().await;
    let pool = common::test_db().await;
    let hl = client(&api, "not-a-token", &pool, RateBudget::default());
    let error = hl.get_location_tags(&api.location_id).await.err();
    assert!(
        error.as_ref().is_some_and(HighLevelError::needs_reconnect),
        "{error:?}"
    );
}

#[tokio::test]
async fn injected_5xx_and_429_are_retried_and_each_write_lands_once() {
    let api = sandbox_support::start().await;
    let pool = common::test_db().await;
    let token = api.full_token().await;
    let hl = client(&api, &token, &pool, RateBudget::default());
    let contact_id = api.contact_ids(&token, 1).await.remove(0);
    let faults = json!({"errorRatio": 0.5, "errorStatus": 503, "rateLimitedRequests": 3});
    let (status, _) = api
        .control(Method::POST, "/_sandbox/faults", Some(faults))
        .await;
    assert!(status.is_success());
    for round in 0..6 {
        let note = NoteBody {
            body: Some(format!("note {round}")),
            ..NoteBody::default()
        };
        hl.create_note(&api.location_id, &contact_id, &note)
            .await
            .expect("the write succeeds despite the faults");
    }
    let notes = hl
        .get_all_notes(&api.location_id, &contact_id)
        .await
        .expect("notes")
        .notes;
    for round in 0..6 {
        let body = format!("note {round}");
        let copies = notes
            .iter()
            .filter(|n| n.body.as_deref() == Some(&body))
            .count();
        assert_eq!(copies, 1, "{body} landed {copies} times");
    }
    let statuses: Vec<i16> =
        sqlx::query_scalar("SELECT status FROM highlevel_request_log WHERE status IS NOT NULL")
            .fetch_all(&pool)
            .await
            .expect("log");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3);
    assert!(statuses.contains(&503));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_stay_within_the_burst_limit() {
    let api = sandbox_support::start_with(SandboxConfig {
        burst_limit: 20,
        burst_window: Duration::from_secs(1),
        ..sandbox_support::test_config()
    })
    .await;
    let pool = common::test_db().await;
    let token = api.full_token().await;
    let budget = RateBudget {
        window: Duration::from_secs(1),
        per_window: 20,
        ..RateBudget::default()
    };
    let workers: Vec<_> = (0..4)
        .map(|_| {
            // Each worker has its own client, as separate processes would.
            let hl = client(&api, &token, &pool, budget.clone());
            let location_id = api.location_id.clone();
            tokio::spawn(async move {
                for _ in 0..15 {
                    hl.get_location_tags(&location_id).await?;
                }
                Ok::<_, HighLevelError>(())
            })
        })
        .collect();
    for worker in workers {
        worker
            .await
            .expect("worker")
            .expect("every request succeeds");
    }
    let (sent, refused): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status = 429) FROM highlevel_request_log",
    )
    .fetch_one(&pool)
    .await
    .expect("log");
    assert_eq!((sent, refused), (60, 0));
}
