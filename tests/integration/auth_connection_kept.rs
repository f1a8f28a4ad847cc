//! A sign-in keeps the team's HighLevel connection: it connects a team that
//! has none yet and restores one that needs reconnecting, but only an owner
//! or admin who chooses to connect replaces a working connection or undoes a
//! disconnect.

use crate::common;

use common::browser::{demo_people, Browser};

/// Signs `user_id` in through `path` (`/auth/login` and its query); returns
/// the browser and where the app sent it afterwards.
async fn sign_in_at(
    app: &common::TestApp,
    path: &str,
    location_id: &str,
    user_id: &str,
) -> (Browser, String) {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in_at(path).await;
    let landing = browser.consent(&consent, location_id, user_id).await;
    (browser, landing)
}

async fn signed_in(app: &common::TestApp, location_id: &str, user_id: &str) -> Browser {
    sign_in_at(app, "/auth/login", location_id, user_id).await.0
}

async fn set_role(app: &common::TestApp, highlevel_user_id: &str, role: &str) {
    sqlx::query(
        "UPDATE memberships SET role = $2::team_role
          WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)",
    )
    .bind(highlevel_user_id)
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
}

/// The stored connection: kind, sealed access token, scopes and status.
async fn connection(
    app: &common::TestApp,
    location_id: &str,
) -> Option<(String, String, Vec<String>, String)> {
    sqlx::query_as(
        "SELECT kind, access_token_sealed, scopes, status FROM connections WHERE location_id = $1",
    )
    .bind(location_id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

async fn add_private_token(app: &common::TestApp, owner: &Browser, location_id: &str) {
    let token = common::sandbox_token(
        &app.base,
        location_id,
        &["locations.readonly", "contacts.readonly"],
    )
    .await;
    let response = owner
        .call("connections/private-token", &[("token", token.as_str())])
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

#[tokio::test]
async fn a_viewers_or_members_sign_in_keeps_the_teams_private_token() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    add_private_token(&app, &owner, &location_id).await;
    let before = connection(&app, &location_id).await;
    assert_eq!(before.as_ref().unwrap().0, "private_token");

    signed_in(&app, &location_id, &users[1]).await;
    set_role(&app, &users[1], "viewer").await;
    sign_in_at(&app, "/auth/login?write=1", &location_id, &users[1]).await;
    assert_eq!(
        connection(&app, &location_id).await,
        before,
        "a viewer's sign-in replaced the token"
    );

    signed_in(&app, &location_id, &users[2]).await;
    set_role(&app, &users[2], "member").await;
    sign_in_at(&app, "/auth/login?write=1", &location_id, &users[2]).await;
    assert_eq!(
        connection(&app, &location_id).await,
        before,
        "a member's sign-in replaced the token"
    );
}

#[tokio::test]
async fn a_members_sign_in_keeps_the_write_access_the_owner_gave() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    sign_in_at(&app, "/auth/login?write=1", &location_id, &users[0]).await;
    let before = connection(&app, &location_id).await.unwrap();
    assert!(
        before.2.contains(&"contacts.write".to_owned()),
        "{:?}",
        before.2
    );

    signed_in(&app, &location_id, &users[1]).await;
    set_role(&app, &users[1], "member").await;
    signed_in(&app, &location_id, &users[1]).await;
    let after = connection(&app, &location_id).await.unwrap();
    assert_eq!(after, before, "the read-only sign-in replaced the tokens");
}

#[tokio::test]
async fn after_a_disconnect_only_an_owner_choosing_to_connect_reconnects() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    signed_in(&app, &location_id, &users[1]).await;
    set_role(&app, &users[1], "member").await;
    let response = owner.call("connections/disconnect", &[]).await;
    assert!(response.status().is_success(), "{}", response.status());

    let (member, landing) = sign_in_at(&app, "/auth/login", &location_id, &users[1]).await;
    assert_eq!(landing, format!("{}/", app.base), "the member is signed in");
    assert_eq!(member.current_user().await["role"], "member");
    assert_eq!(
        connection(&app, &location_id).await,
        None,
        "a member's sign-in undid the disconnect"
    );
    sign_in_at(&app, "/auth/login?connect=1", &location_id, &users[1]).await;
    assert_eq!(
        connection(&app, &location_id).await,
        None,
        "a member cannot choose to connect"
    );
    signed_in(&app, &location_id, &users[0]).await;
    assert_eq!(
        connection(&app, &location_id).await,
        None,
        "the owner's ordinary sign-in undid the disconnect"
    );

    let (_, landing) = sign_in_at(&app, "/auth/login?connect=1", &location_id, &users[0]).await;
    assert_eq!(landing, format!("{}/connections", app.base));
    let (kind, _, _, status) = connection(&app, &location_id).await.unwrap();
    assert_eq!((kind.as_str(), status.as_str()), ("oauth", "active"));
}

#[tokio::test]
async fn an_admin_choosing_to_connect_replaces_a_private_token_and_a_member_cannot() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    signed_in(&app, &location_id, &users[1]).await;
    signed_in(&app, &location_id, &users[2]).await;
    set_role(&app, &users[1], "member").await;
    set_role(&app, &users[2], "admin").await;
    add_private_token(&app, &owner, &location_id).await;
    let before = connection(&app, &location_id).await;

    sign_in_at(&app, "/auth/login?connect=1", &location_id, &users[1]).await;
    assert_eq!(connection(&app, &location_id).await, before);

    sign_in_at(
        &app,
        "/auth/login?connect=1&write=1",
        &location_id,
        &users[2],
    )
    .await;
    let (kind, _, scopes, _) = connection(&app, &location_id).await.unwrap();
    assert_eq!(kind, "oauth");
    assert!(scopes.contains(&"contacts.write".to_owned()), "{scopes:?}");
}

#[tokio::test]
async fn a_connection_needing_reconnect_is_restored_by_a_members_sign_in() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    signed_in(&app, &location_id, &users[0]).await;
    signed_in(&app, &location_id, &users[1]).await;
    set_role(&app, &users[1], "member").await;
    sqlx::query(
        "UPDATE connections SET status = 'needs_reconnect', status_detail = 'refused'
          WHERE location_id = $1",
    )
    .bind(&location_id)
    .execute(&app.db)
    .await
    .unwrap();

    signed_in(&app, &location_id, &users[1]).await;
    let (kind, _, _, status) = connection(&app, &location_id).await.unwrap();
    assert_eq!((kind.as_str(), status.as_str()), ("oauth", "active"));
}
