//! Who is in a team: how new HighLevel users of the location join, owners
//! removing people (whose sessions end at once) and letting them back in,
//! and owners or admins approving newcomers.

use crate::common;

use common::browser::{demo_people, Browser};
use reqwest::StatusCode;
use serde_json::Value;

/// Signs `user_id` in; returns the browser and where the app sent it.
async fn sign_in(app: &common::TestApp, location_id: &str, user_id: &str) -> (Browser, String) {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    let landing = browser.consent(&consent, location_id, user_id).await;
    (browser, landing)
}

async fn signed_in(app: &common::TestApp, location_id: &str, user_id: &str) -> Browser {
    let (browser, landing) = sign_in(app, location_id, user_id).await;
    assert_eq!(landing, format!("{}/", app.base), "signed in");
    browser
}

async fn id_of(app: &common::TestApp, highlevel_user_id: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(highlevel_user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn role_of(app: &common::TestApp, highlevel_user_id: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT m.role::text FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE u.highlevel_user_id = $1",
    )
    .bind(highlevel_user_id)
    .fetch_optional(&app.db)
    .await
    .unwrap()
}

async fn sessions(app: &common::TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Calls a team server function about person `highlevel_user_id`.
async fn about(
    app: &common::TestApp,
    browser: &Browser,
    endpoint: &str,
    highlevel_user_id: &str,
) -> StatusCode {
    let user_id = id_of(app, highlevel_user_id).await.to_string();
    browser
        .call(endpoint, &[("user_id", user_id.as_str())])
        .await
        .status()
}

async fn team(browser: &Browser) -> Value {
    let response = browser.call("team/members", &[]).await;
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

fn ids_in(team: &Value, list: &str) -> Vec<i64> {
    team[list]
        .as_array()
        .map(|people| {
            people
                .iter()
                .filter_map(|person| person["user_id"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_owner_removes_a_colleague_whose_sessions_end_at_once() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let laptop = signed_in(&app, &location_id, &users[1]).await;
    let phone = signed_in(&app, &location_id, &users[1]).await;
    assert_eq!(sessions(&app).await, 3);

    let removed = about(&app, &owner, "team/remove", &users[1]).await;
    assert_eq!(removed, StatusCode::OK);
    assert_eq!(sessions(&app).await, 1, "only the owner's session is left");
    for browser in [&laptop, &phone] {
        assert!(browser.current_user().await.is_null());
        let refused = browser.call("team/members", &[]).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(role_of(&app, &users[1]).await, None);
    assert_eq!(owner.current_user().await["role"], "owner");
}

#[tokio::test]
async fn a_removed_person_is_kept_out_until_the_owner_lets_them_back_in() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    signed_in(&app, &location_id, &users[1]).await;
    let member = id_of(&app, &users[1]).await;
    let member_key = member.to_string();
    let promoted = owner
        .call(
            "team/set-role",
            &[("user_id", member_key.as_str()), ("role", "member")],
        )
        .await;
    assert!(promoted.status().is_success());
    assert_eq!(
        about(&app, &owner, "team/remove", &users[1]).await,
        StatusCode::OK
    );

    let (again, landing) = sign_in(&app, &location_id, &users[1]).await;
    assert_eq!(landing, format!("{}/signin?problem=removed", app.base));
    assert!(again.current_user().await.is_null());
    assert_eq!(role_of(&app, &users[1]).await, None, "not silently back");
    let listed = team(&owner).await;
    assert_eq!(ids_in(&listed, "removed"), vec![member]);
    assert_eq!(ids_in(&listed, "members").len(), 1);

    assert_eq!(
        about(&app, &owner, "team/let-back-in", &users[1]).await,
        StatusCode::OK
    );
    let back = signed_in(&app, &location_id, &users[1]).await;
    assert_eq!(
        back.current_user().await["role"],
        "member",
        "their role is kept"
    );
    assert!(ids_in(&team(&owner).await, "removed").is_empty());
}

#[tokio::test]
async fn only_an_owner_removes_people_and_never_themself() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let admin = signed_in(&app, &location_id, &users[1]).await;
    signed_in(&app, &location_id, &users[2]).await;
    let admin_id = id_of(&app, &users[1]).await.to_string();
    owner
        .call(
            "team/set-role",
            &[("user_id", admin_id.as_str()), ("role", "admin")],
        )
        .await;

    assert_eq!(
        about(&app, &owner, "team/remove", &users[0]).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        about(&app, &admin, "team/remove", &users[2]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        about(&app, &admin, "team/remove", &users[0]).await,
        StatusCode::FORBIDDEN
    );
    assert!(role_of(&app, &users[2]).await.is_some());
    assert_eq!(role_of(&app, &users[0]).await.as_deref(), Some("owner"));

    assert_eq!(
        about(&app, &owner, "team/remove", &users[2]).await,
        StatusCode::OK
    );
    assert_eq!(role_of(&app, &users[2]).await, None);
    assert_eq!(
        about(&app, &owner, "team/remove", &users[2]).await,
        StatusCode::NOT_FOUND,
        "no longer a member"
    );
}

#[tokio::test]
async fn new_people_join_as_viewers_unless_the_owner_chooses_members() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let viewer = signed_in(&app, &location_id, &users[1]).await;
    assert_eq!(viewer.current_user().await["role"], "viewer");
    assert_eq!(team(&owner).await["join_as"], "viewer");

    let refused = viewer.call("team/join-as", &[("join_as", "member")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let chosen = owner.call("team/join-as", &[("join_as", "member")]).await;
    assert_eq!(chosen.status(), StatusCode::OK);
    assert_eq!(team(&owner).await["join_as"], "member");

    let member = signed_in(&app, &location_id, &users[2]).await;
    assert_eq!(member.current_user().await["role"], "member");
    let again = signed_in(&app, &location_id, &users[1]).await;
    assert_eq!(
        again.current_user().await["role"],
        "viewer",
        "the setting is for newcomers only"
    );
}

#[tokio::test]
async fn with_approval_newcomers_wait_until_an_owner_or_admin_decides() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let owner = signed_in(&app, &location_id, &users[0]).await;
    let admin = signed_in(&app, &location_id, &users[1]).await;
    let viewer = signed_in(&app, &location_id, &users[2]).await;
    let admin_id = id_of(&app, &users[1]).await.to_string();
    owner
        .call(
            "team/set-role",
            &[("user_id", admin_id.as_str()), ("role", "admin")],
        )
        .await;
    let chosen = owner.call("team/join-as", &[("join_as", "approval")]).await;
    assert_eq!(chosen.status(), StatusCode::OK);

    let (waiting, landing) = sign_in(&app, &location_id, &users[3]).await;
    assert_eq!(landing, format!("{}/signin?problem=pending", app.base));
    assert!(waiting.current_user().await.is_null());
    assert_eq!(role_of(&app, &users[3]).await, None);
    let (_, landing) = sign_in(&app, &location_id, &users[4]).await;
    assert_eq!(landing, format!("{}/signin?problem=pending", app.base));
    let mut newcomers = vec![id_of(&app, &users[3]).await, id_of(&app, &users[4]).await];
    newcomers.sort_unstable();
    let mut listed = ids_in(&team(&admin).await, "waiting");
    listed.sort_unstable();
    assert_eq!(listed, newcomers);
    assert!(ids_in(&team(&viewer).await, "waiting").is_empty());

    assert_eq!(
        about(&app, &viewer, "team/approve", &users[3]).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        about(&app, &admin, "team/approve", &users[3]).await,
        StatusCode::OK
    );
    assert_eq!(
        about(&app, &admin, "team/refuse", &users[4]).await,
        StatusCode::OK
    );

    let approved = signed_in(&app, &location_id, &users[3]).await;
    assert_eq!(approved.current_user().await["role"], "viewer");
    let (_, landing) = sign_in(&app, &location_id, &users[4]).await;
    assert_eq!(landing, format!("{}/signin?problem=removed", app.base));
    assert!(ids_in(&team(&owner).await, "waiting").is_empty());
}
