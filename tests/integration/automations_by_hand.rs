//! Automations started by hand from a contact's page, and the bell's alerts.

use serde_json::Value;
use switchboard::alerts::{self, NewAlert};
use switchboard::automations::model::{Action, State};
use switchboard::automations::store;

use crate::automations_support::{is_over, manual, step, user_id};
use crate::common;
use crate::common::browser::demo_locations;
use crate::webhooks_support::eventually;
use crate::workspace_support::{make_viewer, ok_json, signed_in};

#[tokio::test]
async fn a_contact_is_sent_through_an_automation_started_by_hand() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    app.full_sync(&location_id).await;
    let definition = manual(vec![step(
        "mark",
        Action::AddTags {
            contact_id: "{{ contact.id }}".into(),
            tags: "sent to workiom".into(),
        },
    )]);
    let owner_id = user_id(&app.db, &users[0]).await;
    let automation = store::create(
        &app.db,
        &location_id,
        "Send to Workiom",
        &definition,
        owner_id,
    )
    .await
    .unwrap();
    store::set_state(&app.db, &location_id, automation, State::On)
        .await
        .unwrap();
    let contact: String = sqlx::query_scalar(
        "SELECT id FROM cache_contacts WHERE location_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(&location_id)
    .fetch_one(&app.db)
    .await
    .unwrap();

    let listed = ok_json(owner.call("automations/by-hand", &[]).await).await;
    assert_eq!(listed[0]["name"], "Send to Workiom");
    assert_eq!(listed[0]["does"], "Add tags");

    let id = automation.to_string();
    let run = ok_json(
        owner
            .call(
                "automations/run-for-contact",
                &[("id", &id), ("contact_id", &contact)],
            )
            .await,
    )
    .await;
    let run_id = run.as_i64().unwrap();
    let status: String = eventually("the run to end", || async {
        let status: String = sqlx::query_scalar("SELECT status FROM automation_runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        is_over(&status).then_some(status)
    })
    .await;
    assert_eq!(status, "succeeded");
    let (subject, by): (Option<String>, Value) =
        sqlx::query_as("SELECT subject, trigger_body->'by' FROM automation_runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(subject.as_deref(), Some(contact.as_str()));
    assert!(by.is_string(), "who started it: {by}");
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM cache_contacts WHERE location_id = $1 AND id = $2")
            .bind(&location_id)
            .bind(&contact)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(tags.contains(&"sent to workiom".to_owned()), "{tags:?}");

    let unknown = owner
        .call(
            "automations/run-for-contact",
            &[("id", &id), ("contact_id", "no-such-contact")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let viewer = signed_in(&app, &location_id, &users[1], true).await;
    make_viewer(&app, &users[1]).await;
    let refused = viewer
        .call(
            "automations/run-for-contact",
            &[("id", &id), ("contact_id", &contact)],
        )
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_bell_counts_unread_alerts_of_the_team_and_the_person() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    let other = signed_in(&app, &location_id, &users[1], true).await;
    let owner_id = user_id(&app.db, &users[0]).await;
    let other_id = user_id(&app.db, &users[1]).await;
    let alert = |user_id, title: &'static str, origin: &'static str| NewAlert {
        location_id: &location_id,
        user_id,
        title,
        body: "",
        run_id: None,
        origin,
    };
    let first = alerts::raise(&app.db, &alert(None, "Trial booked", "t-1"))
        .await
        .unwrap();
    let again = alerts::raise(&app.db, &alert(None, "Trial booked", "t-1"))
        .await
        .unwrap();
    assert_eq!(first, again, "one origin raises one alert");
    alerts::raise(&app.db, &alert(Some(owner_id), "Call Dana back", "t-2"))
        .await
        .unwrap();

    assert_eq!(unread(&owner).await, 2);
    assert_eq!(unread(&other).await, 1, "another's own alert is not theirs");

    let bell = ok_json(owner.call("alerts/bell", &[]).await).await;
    let recent = bell["recent"].as_array().unwrap();
    let titles: Vec<&str> = recent
        .iter()
        .map(|alert| alert["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Call Dana back", "Trial booked"]);
    assert_eq!(recent[0]["personal"], true);
    assert_eq!(recent[0]["unread"], true);
    assert_eq!(unread(&owner).await, 2, "showing the bell reads nothing");
    let newest = recent[0]["id"].to_string();
    alerts::raise(&app.db, &alert(None, "Class full", "t-3"))
        .await
        .unwrap();
    ok_json(owner.call("alerts/read", &[("newest", &newest)]).await).await;
    assert_eq!(
        unread(&owner).await,
        1,
        "one raised since the bell showed stays unread"
    );
    assert_eq!(unread(&other).await, 2, "for the owner only");

    // However far a reader claims to have read, later alerts still count.
    ok_json(other.call("alerts/read", &[("newest", "9000000000")]).await).await;
    assert_eq!(unread(&other).await, 0);
    alerts::raise(&app.db, &alert(Some(other_id), "Renewal due", "t-4"))
        .await
        .unwrap();
    assert_eq!(unread(&other).await, 1);
    assert_eq!(unread(&owner).await, 1);
}

/// The count every page renders, checked against the opened bell's.
async fn unread(browser: &common::browser::Browser) -> Value {
    let count = ok_json(browser.call("alerts/count", &[]).await).await;
    let bell = ok_json(browser.call("alerts/bell", &[]).await).await;
    assert_eq!(
        count, bell["unread"],
        "the page's count and the bell's agree"
    );
    count
}
