//! HighLevel operations through the app's server function: reads for every
//! role, writes for members and up, always on the caller's own location.

use crate::common;

use common::browser::{demo_locations, Browser};
use serde_json::{json, Value};

async fn signed_in(
    app: &common::TestApp,
    location_id: &str,
    user_id: &str,
    write: bool,
) -> Browser {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(write).await;
    browser.consent(&consent, location_id, user_id).await;
    browser
}

async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn first_contact(browser: &Browser) -> String {
    let found = ok_json(
        browser
            .highlevel(
                "search-contacts-advanced",
                &[],
                Some(json!({"pageLimit": 1})),
            )
            .await,
    )
    .await;
    found["contacts"][0]["id"].as_str().unwrap().to_owned()
}

async fn task_writes(app: &common::TestApp, contact_id: &str) -> usize {
    let path = format!("/contacts/{contact_id}/tasks");
    // The ledger keeps refused writes too; count the ones that took effect.
    common::sandbox_ledger(&app.base)
        .await
        .iter()
        .filter(|entry| entry["path"] == path.as_str())
        .filter(|entry| entry["status"].as_u64().is_some_and(|status| status < 300))
        .count()
}

fn new_task() -> Value {
    json!({"title": "Call back about membership", "dueDate": "2026-12-01T10:00:00Z", "completed": false})
}

#[tokio::test]
async fn a_member_writes_once_and_a_viewer_is_refused() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    signed_in(&app, &location_id, &users[0], true).await;
    let member = signed_in(&app, &location_id, &users[1], true).await;
    let viewer = signed_in(&app, &location_id, &users[2], true).await;
    for (user, role) in [(&users[1], "member"), (&users[2], "viewer")] {
        sqlx::query("UPDATE memberships SET role = $2::team_role WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)")
            .bind(user)
            .bind(role)
            .execute(&app.db)
            .await
            .unwrap();
    }

    let contact_id = first_contact(&viewer).await;
    let refused = viewer
        .highlevel(
            "create-task",
            &[("contactId", &contact_id)],
            Some(new_task()),
        )
        .await;
    assert!(!refused.status().is_success());
    assert_eq!(
        task_writes(&app, &contact_id).await,
        0,
        "a viewer's write never reaches HighLevel"
    );

    let created = ok_json(
        member
            .highlevel(
                "create-task",
                &[("contactId", &contact_id)],
                Some(new_task()),
            )
            .await,
    )
    .await;
    assert_eq!(created["task"]["title"], "Call back about membership");
    assert_eq!(task_writes(&app, &contact_id).await, 1);
}

#[tokio::test]
async fn another_locations_id_in_the_request_is_replaced_by_the_callers_own() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (mine, my_users) = &locations[0];
    let (theirs, _) = &locations[1];
    let owner = signed_in(&app, mine, &my_users[0], false).await;
    let answer = ok_json(
        owner
            .highlevel(
                "get-contacts",
                &[("locationId", theirs), ("limit", "5")],
                None,
            )
            .await,
    )
    .await;
    let contacts = answer["contacts"].as_array().unwrap();
    assert!(!contacts.is_empty());
    assert!(contacts
        .iter()
        .all(|contact| contact["locationId"] == mine.as_str()));
}

#[tokio::test]
async fn a_read_only_connection_names_the_missing_scope() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], false).await;
    let contact_id = first_contact(&owner).await;
    let refused = owner
        .highlevel(
            "create-task",
            &[("contactId", &contact_id)],
            Some(new_task()),
        )
        .await;
    assert!(!refused.status().is_success());
    let message = refused.text().await.unwrap();
    assert!(message.contains("contacts.write"), "{message}");
    assert_eq!(task_writes(&app, &contact_id).await, 0);
}
