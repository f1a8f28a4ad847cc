//! Token renewal against the sandbox's token endpoint: ahead of expiry, one
//! renewal across processes, and a refused renewal that asks to reconnect.

use crate::common;

use common::browser::{demo_people, Browser};
use secrecy::ExposeSecret;
use switchboard::auth::accounts::token_context;
use switchboard::auth::tokens::TokenError;

async fn signed_in_app() -> (common::TestApp, String, Browser) {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_people(&app.base).await;
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location_id, &users[0]).await;
    (app, location_id, browser)
}

async fn expire_now(app: &common::TestApp, location_id: &str) {
    sqlx::query("UPDATE connections SET expires_at = now(), refreshed_at = now() - interval '1 hour' WHERE location_id = $1")
        .bind(location_id)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn sealed_refresh(app: &common::TestApp, location_id: &str) -> String {
    sqlx::query_scalar("SELECT refresh_token_sealed FROM connections WHERE location_id = $1")
        .bind(location_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn token_calls(app: &common::TestApp) -> usize {
    common::sandbox_ledger(&app.base)
        .await
        .iter()
        .filter(|entry| {
            entry["path"] == "/oauth/token" && entry["body"]["grant_type"] == "refresh_token"
        })
        .count()
}

async fn location_answers(app: &common::TestApp, location_id: &str, token: &str) -> u16 {
    common::http()
        .get(format!("{}/sandbox/locations/{location_id}", app.base))
        .header("Version", "2021-07-28")
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_and_the_new_refresh_token_kept() {
    let (app, location_id, _) = signed_in_app().await;
    let before = sealed_refresh(&app, &location_id).await;
    expire_now(&app, &location_id).await;

    let token = app
        .tokens(app.db.clone())
        .access_token(&location_id)
        .await
        .unwrap();
    assert_eq!(token_calls(&app).await, 1);
    assert_ne!(
        sealed_refresh(&app, &location_id).await,
        before,
        "the rotated refresh token is stored"
    );
    assert_eq!(
        location_answers(&app, &location_id, token.expose_secret()).await,
        200
    );
    // Fresh now: no further renewal.
    app.tokens(app.db.clone())
        .access_token(&location_id)
        .await
        .unwrap();
    assert_eq!(token_calls(&app).await, 1);
}

#[tokio::test]
async fn two_processes_renewing_at_once_renew_exactly_once() {
    let (app, location_id, _) = signed_in_app().await;
    expire_now(&app, &location_id).await;
    let other_process = switchboard::db::connect(&database_url(&app).await, 2)
        .await
        .unwrap();
    let first = app.tokens(app.db.clone());
    let second = app.tokens(other_process);
    let (a, b) = tokio::join!(
        first.renew(&location_id, false),
        second.renew(&location_id, false)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.expose_secret(),
        b.expose_secret(),
        "both got the one renewed token"
    );
    assert_eq!(token_calls(&app).await, 1);
    let status: String =
        sqlx::query_scalar("SELECT status FROM connections WHERE location_id = $1")
            .bind(&location_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "active");
}

#[tokio::test]
async fn a_refused_renewal_marks_the_connection_and_is_not_retried() {
    let (app, location_id, browser) = signed_in_app().await;
    assert_eq!(browser.current_user().await["needs_reconnect"], false);
    // Someone else spends the refresh token first (HighLevel's work once).
    let refresh = app
        .vault
        .open_sealed(
            &token_context(&location_id, "refresh"),
            &sealed_refresh(&app, &location_id).await,
        )
        .unwrap();
    let spent = common::http()
        .post(format!("{}/sandbox/oauth/token", app.base))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", app.highlevel.client_id.as_str()),
            ("client_secret", "sandbox-client-secret"),
            ("refresh_token", refresh.expose_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(spent.status(), 200);
    expire_now(&app, &location_id).await;

    let tokens = app.tokens(app.db.clone());
    assert!(matches!(
        tokens.renew(&location_id, true).await,
        Err(TokenError::NeedsReconnect)
    ));
    let (status, detail): (String, String) =
        sqlx::query_as("SELECT status, status_detail FROM connections WHERE location_id = $1")
            .bind(&location_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "needs_reconnect");
    assert!(detail.contains("Sign in again"), "{detail}");
    let calls = token_calls(&app).await;
    assert!(matches!(
        tokens.access_token(&location_id).await,
        Err(TokenError::NeedsReconnect)
    ));
    assert!(matches!(
        tokens.renew(&location_id, true).await,
        Err(TokenError::NeedsReconnect)
    ));
    assert_eq!(
        token_calls(&app).await,
        calls,
        "no further calls to the token endpoint"
    );
}

async fn database_url(app: &common::TestApp) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    common::cluster_url(&name)
}
