//! Every server function checks the caller: signed in, their own team only,
//! and a role high enough for what it changes.

use crate::common;

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
    let app = common::spawn_app(common::test_db().await).await;
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
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    signed_in(&app, &location_id, &users[0]).await;
    let member = signed_in(&app, &location_id, &users[1]).await;
    let viewer = signed_in(&app, &location_id, &users[2]).await;
    for (user, role) in [(&users[1], "member"), (&users[2], "viewer")] {
        sqlx::query("UPDATE memberships SET role = $2::team_role WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)")
            .bind(user)
            .bind(role)
            .execute(&app.db)
            .await
            .unwrap();
    }

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
    let app = common::spawn_app(common::test_db().await).await;
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

async fn role_of(app: &common::TestApp, highlevel_user_id: &str) -> String {
    sqlx::query_scalar(
        "SELECT m.role::text FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.highlevel_user_id = $1",
    )
    .bind(highlevel_user_id)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn user_id(app: &common::TestApp, highlevel_user_id: &str) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(highlevel_user_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    id.to_string()
}

#[tokio::test]
async fn only_an_owner_changes_roles_and_only_in_their_own_team() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0]).await;
    let viewer = signed_in(&app, location_id, &users[1]).await;
    let (other_location, other_users) = &locations[1];
    signed_in(&app, other_location, &other_users[0]).await;

    let team: Value = viewer.call("team/members", &[]).await.json().await.unwrap();
    assert_eq!(team["members"].as_array().unwrap().len(), 2);
    assert_eq!(team["can_change_roles"], false);

    let colleague = user_id(&app, &users[1]).await;
    let response = viewer
        .call(
            "team/set-role",
            &[("user_id", &colleague), ("role", "admin")],
        )
        .await;
    assert!(
        !response.status().is_success(),
        "a viewer cannot promote anyone"
    );
    assert_eq!(role_of(&app, &users[1]).await, "viewer");

    let response = owner
        .call(
            "team/set-role",
            &[("user_id", &colleague), ("role", "member")],
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(role_of(&app, &users[1]).await, "member");

    let own = user_id(&app, &users[0]).await;
    assert!(!owner
        .call("team/set-role", &[("user_id", &own), ("role", "viewer")])
        .await
        .status()
        .is_success());
    let stranger = user_id(&app, &other_users[0]).await;
    assert!(!owner
        .call(
            "team/set-role",
            &[("user_id", &stranger), ("role", "viewer")]
        )
        .await
        .status()
        .is_success());
    assert_eq!(
        role_of(&app, &other_users[0]).await,
        "owner",
        "another team's owner is untouched"
    );
}

#[tokio::test]
async fn an_admin_connects_a_private_integration_token_checked_with_a_real_call() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let token = common::sandbox_token(
        &app.base,
        &location_id,
        &["locations.readonly", "contacts.readonly"],
    )
    .await;

    let answer: Value = owner
        .call("connections/private-token", &[("token", token.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert!(answer.is_null(), "no problem reported: {answer}");
    let list = connections(&owner).await;
    assert_eq!(list[0]["kind"], "private_token");
    let sealed: String =
        sqlx::query_scalar("SELECT access_token_sealed FROM connections WHERE location_id = $1")
            .bind(&location_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(!sealed.contains(&token), "the token is stored sealed");

    let refused: Value = owner
        .call("connections/private-token", &[("token", "pit-wrong")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["field"], "token");
    assert_eq!(
        connections(&owner).await[0]["kind"],
        "private_token",
        "a refused token replaces nothing"
    );
}
