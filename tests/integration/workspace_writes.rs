//! The workspace's writes over real HTTP: each reaches the sandbox HighLevel
//! once, the cache then holds HighLevel's answer, a viewer is refused, and a
//! read-only connection's refusal names the permission it lacks.

use crate::common;
use crate::workspace_support;

use common::browser::demo_locations;
use serde_json::Value;
use workspace_support::{
    contact_ids, contacts_in_highlevel, make_viewer, ok_json, signed_in, writes_at, writes_to,
};

async fn task_row(app: &common::TestApp, title: &str) -> Option<(String, bool, bool)> {
    sqlx::query_as("SELECT id, completed, deleted_at IS NOT NULL FROM cache_tasks WHERE title = $1")
        .bind(title)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

async fn task_titles(browser: &common::browser::Browser, done: bool) -> Vec<String> {
    let done = done.to_string();
    let list = ok_json(
        browser
            .call("tasks/list", &[("mine", "false"), ("done", &done)])
            .await,
    )
    .await;
    list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn tasks_are_created_completed_and_deleted_through_highlevel() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    let contact = contact_ids(&owner, 1).await.swap_remove(0);
    let tasks_path = format!("/contacts/{contact}/tasks");

    let missing_title = ok_json(
        owner
            .call(
                "tasks/save",
                &[
                    ("contact_id", &contact),
                    ("title", " "),
                    ("body", ""),
                    ("due", "2026-12-01T10:00"),
                    ("assigned_to", ""),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(missing_title["field"], "title");
    assert_eq!(writes_to(&app, "POST", &tasks_path).await, 0);

    let form = [
        ("contact_id", contact.as_str()),
        ("title", "Book a trial class"),
        ("body", "Asked about Saturday mornings"),
        ("due", "2026-12-01T10:00"),
        ("assigned_to", users[1].as_str()),
    ];
    assert_eq!(
        ok_json(owner.call("tasks/save", &form).await).await,
        Value::Null
    );
    assert_eq!(
        writes_to(&app, "POST", &tasks_path).await,
        1,
        "one write reaches HighLevel"
    );
    let (task_id, completed, deleted) = task_row(&app, "Book a trial class").await.expect("cached");
    assert!(!completed && !deleted);
    let (due, assigned): (chrono::DateTime<chrono::Utc>, Option<String>) =
        sqlx::query_as("SELECT due_date, assigned_to FROM cache_tasks WHERE id = $1")
            .bind(&task_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    // The team is in Austin: 10:00 there is 16:00 UTC.
    assert_eq!(due.to_rfc3339(), "2026-12-01T16:00:00+00:00");
    assert_eq!(assigned.as_deref(), Some(users[1].as_str()));
    assert!(task_titles(&owner, false)
        .await
        .contains(&"Book a trial class".to_owned()));

    let edit = [
        ("contact_id", contact.as_str()),
        ("task_id", task_id.as_str()),
        ("title", "Book a trial class on Saturday"),
        ("body", ""),
        ("due", "2026-12-05"),
        ("assigned_to", ""),
    ];
    assert_eq!(
        ok_json(owner.call("tasks/save", &edit).await).await,
        Value::Null
    );
    let title: String = sqlx::query_scalar("SELECT title FROM cache_tasks WHERE id = $1")
        .bind(&task_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, "Book a trial class on Saturday");

    let done = [
        ("contact_id", contact.as_str()),
        ("task_id", task_id.as_str()),
        ("completed", "true"),
    ];
    ok_json(owner.call("tasks/complete", &done).await).await;
    let (_, completed, _) = task_row(&app, "Book a trial class on Saturday")
        .await
        .unwrap();
    assert!(completed, "the cache holds HighLevel's answer");
    assert!(!task_titles(&owner, false).await.contains(&title));
    assert!(task_titles(&owner, true).await.contains(&title));

    let delete = [
        ("contact_id", contact.as_str()),
        ("task_id", task_id.as_str()),
    ];
    ok_json(owner.call("tasks/delete", &delete).await).await;
    assert_eq!(writes_to(&app, "DELETE", &tasks_path).await, 1);
    let (_, _, deleted) = task_row(&app, "Book a trial class on Saturday")
        .await
        .unwrap();
    assert!(deleted);
    assert!(!task_titles(&owner, true).await.contains(&title));
}

#[tokio::test]
async fn the_contact_page_reads_highlevel_once_and_its_writes_land_in_the_cache() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    let ids = contact_ids(&owner, 3).await;
    let contact = ids[0].clone();

    // Not cached yet: the page reads the contact and its notes from HighLevel.
    let detail = ok_json(
        owner
            .call("contacts/detail", &[("contact_id", &contact)])
            .await,
    )
    .await;
    assert_eq!(detail["id"], contact.as_str());
    let cached: i64 = sqlx::query_scalar("SELECT count(*) FROM cache_contacts WHERE id = $1")
        .bind(&contact)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(cached, 1);

    let note = [
        ("contact_id", contact.as_str()),
        ("body", "Prefers evening calls"),
    ];
    assert_eq!(
        ok_json(owner.call("contacts/note", &note).await).await,
        Value::Null
    );
    assert_eq!(
        writes_to(&app, "POST", &format!("/contacts/{contact}/notes")).await,
        1
    );
    let note_id: String = sqlx::query_scalar(
        "SELECT id FROM cache_notes WHERE body = 'Prefers evening calls' AND contact_id = $1",
    )
    .bind(&contact)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let detail = ok_json(
        owner
            .call("contacts/detail", &[("contact_id", &contact)])
            .await,
    )
    .await;
    assert!(detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item["id"] == note_id.as_str()));
    ok_json(
        owner
            .call(
                "contacts/note-delete",
                &[("contact_id", &contact), ("note_id", &note_id)],
            )
            .await,
    )
    .await;
    let deleted: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM cache_notes WHERE id = $1")
            .bind(&note_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(deleted);

    let tag = [
        ("contact_id", contact.as_str()),
        ("tag", "open-day-2026"),
        ("add", "true"),
    ];
    assert_eq!(
        ok_json(owner.call("contacts/tag", &tag).await).await,
        Value::Null
    );
    assert_eq!(
        writes_to(&app, "POST", &format!("/contacts/{contact}/tags")).await,
        1
    );
    let tags: Vec<String> = sqlx::query_scalar("SELECT tags FROM cache_contacts WHERE id = $1")
        .bind(&contact)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(tags.contains(&"open-day-2026".to_owned()));

    let update = [
        ("contact_id", contact.as_str()),
        ("first_name", "Robin"),
        ("last_name", "Hartley"),
        ("email", "robin.hartley@example.com"),
        ("phone", ""),
        ("source", "open day"),
        ("assigned_to", ""),
    ];
    assert_eq!(
        ok_json(owner.call("contacts/update", &update).await).await,
        Value::Null
    );
    let (name, source): (String, Option<String>) =
        sqlx::query_as("SELECT display_name, source FROM cache_contacts WHERE id = $1")
            .bind(&contact)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), source.as_deref()),
        ("Robin Hartley", Some("open day"))
    );
    let bad_email = [
        ("email", "robin@"),
        ("first_name", "Robin"),
        ("contact_id", contact.as_str()),
        ("last_name", ""),
        ("phone", ""),
        ("source", ""),
        ("assigned_to", ""),
    ];
    let problem = ok_json(owner.call("contacts/update", &bad_email).await).await;
    assert_eq!(problem["field"], "email");

    // A number typed the local way is sent to HighLevel in E.164, read in
    // the contact's country; one that is no number never leaves.
    let edit_phone = |phone| {
        [
            ("contact_id", contact.as_str()),
            ("first_name", "Robin"),
            ("last_name", "Hartley"),
            ("email", ""),
            ("phone", phone),
            ("source", ""),
            ("assigned_to", ""),
        ]
    };
    let updates_before = writes_at(&app, "PUT", &format!("/contacts/{contact}")).await;
    assert_eq!(
        ok_json(
            owner
                .call("contacts/update", &edit_phone("(512) 476-0147"))
                .await
        )
        .await,
        Value::Null
    );
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM cache_contacts WHERE id = $1")
            .bind(&contact)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(phone.as_deref(), Some("+15124760147"));
    let problem = ok_json(
        owner
            .call("contacts/update", &edit_phone("call after 5"))
            .await,
    )
    .await;
    assert_eq!(problem["field"], "phone");
    assert_eq!(
        writes_at(&app, "PUT", &format!("/contacts/{contact}")).await,
        updates_before + 1
    );

    // Two contacts at once; each is cached as HighLevel answered.
    let bulk = owner
        .http
        .post(format!("{}/api/contacts/bulk-tag", app.base))
        .json(&serde_json::json!({"contact_ids": [ids[1], ids[2]], "tag": "winter-promo", "add": true}))
        .send()
        .await
        .unwrap();
    let outcome = ok_json(bulk).await;
    assert_eq!(outcome["changed"], 2);
    let tagged: i64 =
        sqlx::query_scalar("SELECT count(*) FROM cache_contacts WHERE 'winter-promo' = ANY(tags)")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(tagged, 2);

    ok_json(
        owner
            .call("contacts/delete", &[("contact_id", &contact)])
            .await,
    )
    .await;
    assert_eq!(
        writes_at(&app, "DELETE", &format!("/contacts/{contact}")).await,
        1
    );
    let gone: bool =
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM cache_contacts WHERE id = $1")
            .bind(&contact)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(gone);
}

#[tokio::test]
async fn a_viewer_is_refused_and_a_read_only_connection_names_the_permission() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    signed_in(&app, location_id, &users[0], true).await;
    let viewer = signed_in(&app, location_id, &users[1], true).await;
    make_viewer(&app, &users[1]).await;
    let contact = contact_ids(&viewer, 1).await.swap_remove(0);
    let form = [
        ("contact_id", contact.as_str()),
        ("title", "Forged"),
        ("body", ""),
        ("due", "2026-12-01"),
        ("assigned_to", ""),
    ];
    let refused = viewer.call("tasks/save", &form).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("cannot do this"));
    let tag = viewer
        .call(
            "contacts/tag",
            &[("contact_id", &contact), ("tag", "x"), ("add", "true")],
        )
        .await;
    assert_eq!(tag.status(), 403);
    assert_eq!(
        writes_to(&app, "POST", &format!("/contacts/{contact}")).await,
        0
    );
    let list = ok_json(
        viewer
            .http
            .post(format!("{}/api/contacts/list", app.base))
            .json(&serde_json::json!({"filter": {}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["can_write"], false, "the page hides write controls");

    // The second location connected without write permission.
    let (other_location, other_users) = &locations[1];
    let reader = signed_in(&app, other_location, &other_users[0], false).await;
    let other_contact = contact_ids(&reader, 1).await.swap_remove(0);
    let form = [
        ("contact_id", other_contact.as_str()),
        ("title", "Call back"),
        ("body", ""),
        ("due", "2026-12-01"),
        ("assigned_to", ""),
    ];
    let refused = reader.call("tasks/save", &form).await;
    assert_eq!(refused.status(), 403);
    let text = refused.text().await.unwrap();
    assert!(text.contains("contacts.write"), "{text}");
    assert!(text.contains("Reconnect"), "{text}");
}

#[tokio::test]
async fn a_tag_reaches_every_contact_a_filter_matches_in_batches() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    // Enough contacts for two batches of a hundred.
    for n in 0..60 {
        let body = serde_json::json!({"firstName": "Walk-in", "lastName": format!("Guest {n}")});
        ok_json(owner.highlevel("create-contact", &[], Some(body)).await).await;
    }
    app.full_sync(&location_id).await;
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL",
    )
    .bind(&location_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(live > 100 && live <= 200, "two batches: {live}");
    let bulk = |filter: Value, tag: &str, add: bool| {
        owner
            .http
            .post(format!("{}/api/contacts/bulk-tag-matching", app.base))
            .json(&serde_json::json!({"filter": filter, "tag": tag, "add": add}))
            .send()
    };
    let tagged = |tag: &'static str| {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM cache_contacts WHERE deleted_at IS NULL AND $1 = ANY(tags) \
             AND raw->'tags' ? $1",
        )
        .bind(tag)
        .fetch_one(&app.db)
    };

    // Every contact: one bulk request per hundred, each contact cached with the tag.
    let outcome = ok_json(
        bulk(serde_json::json!({}), "Open Day 2027", true)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(outcome["changed"], live);
    assert_eq!(outcome["failures"], serde_json::json!([]));
    assert_eq!(
        writes_at(&app, "POST", "/contacts/bulk/tags/update/add").await,
        2
    );
    assert_eq!(tagged("open day 2027").await.unwrap(), live);
    let in_highlevel = contacts_in_highlevel(&owner, live as usize).await;
    assert_eq!(in_highlevel.len() as i64, live);
    assert!(in_highlevel.iter().all(|contact| contact["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|tag| tag == "open day 2027")));

    // The sandbox reports each tagged contact by webhook; once the worker has
    // applied every one, the cache holds still for the counts below.
    crate::webhooks_support::eventually("the tag webhooks to be applied", || async {
        let handled: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM highlevel_webhooks WHERE event_type = 'ContactTagUpdate' \
             AND status NOT IN ('queued', 'processing')",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        (handled >= live).then_some(())
    })
    .await;

    // A narrower filter: only its matches lose the tag.
    let source: String = sqlx::query_scalar(
        "SELECT source FROM cache_contacts WHERE location_id = $1 AND source <> '' \
         GROUP BY source ORDER BY count(*) DESC LIMIT 1",
    )
    .bind(&location_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let from_source: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL AND source = $2",
    )
    .bind(&location_id)
    .bind(&source)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let filter = serde_json::json!({"source": source, "page": 3});
    let outcome = ok_json(bulk(filter, "open day 2027", false).await.unwrap()).await;
    assert_eq!(
        outcome["changed"], from_source,
        "every page, not the one asked"
    );
    assert_eq!(tagged("open day 2027").await.unwrap(), live - from_source);

    // A filter nothing matches, and an empty tag, are refused with the reason.
    let none = bulk(
        serde_json::json!({"q": "no such person anywhere"}),
        "x",
        true,
    )
    .await
    .unwrap();
    assert_eq!(none.status(), 400);
    assert!(none.text().await.unwrap().contains("No contacts match"));
    let blank = bulk(serde_json::json!({}), "  ", true).await.unwrap();
    assert_eq!(blank.status(), 400);
}
