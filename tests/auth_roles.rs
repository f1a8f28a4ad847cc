//! Every server function checks the caller: signed in, their own team only,
//! and a role high enough for what it changes.

mod common;

use common::browser::{demo_locations, Browser};
use serde_json::Value;

async fn signed_in(app: &common::TestApp, location_id: &str, user_id: &str) -> Browser {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, location_id, user_id).await;
    browser
}

async fn connections(browser: &Browser) -> Value {
    let response = browser.call("connections/list", &[]).await;
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

async fn connection_exists(app: &common::TestApp, location_id: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM connections WHERE location_id = $1)")
        .bind(location_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_out_callers_get_nothing_and_change_nothing() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let locations = demo_locations(&app.base).await;
    signed_in(&app, &locations[0].0, &locations[0].1[0]).await;
    let stranger = Browser::new(&app.base);
    for endpoint in ["connections/list", "connections/disconnect"] {
        let response = stranger.call(endpoint, &[]).await;
        assert!(
            !response.status().is_success(),
            "{endpoint} answered {}",
            response.status()
        );
    }
    let response = stranger
        .call("connections/private-token", &[("token", "pit-x")])
        .await;
    assert!(!response.status().is_success());
    assert!(connection_exists(&app, &locations[0].0).await);
}

#[tokio::test]
async fn viewers_and_members_read_but_cannot_change_the_connection() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    signed_in(&app, &location_id, &users[0]).await;
    let member = signed_in(&app, &location_id, &users[1]).await;
    let viewer = signed_in(&app, &location_id, &users[2]).await;
    sqlx::query("UPDATE memberships SET role = 'viewer' WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)")
        .bind(&users[2])
        .execute(&app.db)
        .await
        .unwrap();

    for browser in [&member, &viewer] {
        let list = connections(browser).await;
        assert_eq!(list[0]["location_id"], location_id.as_str());
        assert_eq!(list[0]["can_manage"], false);
        assert!(!browser
            .call("connections/disconnect", &[])
            .await
            .status()
            .is_success());
        let forged = browser
            .call("connections/private-token", &[("token", "pit-forged")])
            .await;
        assert!(!forged.status().is_success());
    }
    assert!(connection_exists(&app, &location_id).await);
    let kind: String = sqlx::query_scalar("SELECT kind FROM connections WHERE location_id = $1")
        .bind(&location_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kind, "oauth", "no forged token replaced the connection");
}

#[tokio::test]
async fn an_owner_sees_and_changes_only_their_own_location() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let locations = demo_locations(&app.base).await;
    let (first, first_users) = &locations[0];
    let (second, second_users) = &locations[1];
    let first_owner = signed_in(&app, first, &first_users[0]).await;
    let second_owner = signed_in(&app, second, &second_users[0]).await;

    let list = connections(&second_owner).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["location_id"], second.as_str());
    assert_eq!(list[0]["can_manage"], true);

    assert!(second_owner
        .call("connections/disconnect", &[])
        .await
        .status()
        .is_success());
    assert!(!connection_exists(&app, second).await);
    assert!(
        connection_exists(&app, first).await,
        "the other location's connection is untouched"
    );
    assert_eq!(
        connections(&first_owner).await[0]["location_id"],
        first.as_str()
    );
}
