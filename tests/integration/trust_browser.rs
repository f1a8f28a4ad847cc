//! What protects a signed-in browser: changes only from Switchboard's own
//! pages, security headers on every answer, a page policy whose nonce the
//! page's own scripts carry, and sandbox mode kept off the network.

use crate::common;

use common::browser::{demo_people, Browser};
use reqwest::StatusCode;
use serde_json::Value;

async fn owner(app: &common::TestApp) -> Browser {
    let (location_id, users) = demo_people(&app.base).await;
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location_id, &users[0]).await;
    browser
}

async fn connected(app: &common::TestApp) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM connections)")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_change_sent_from_another_site_is_refused_and_changes_nothing() {
    let app = common::spawn_app(common::test_db().await).await;
    let browser = owner(&app).await;
    let disconnect = format!("{}/api/connections/disconnect", app.base);
    let host = app.base.trim_start_matches("http://").to_owned();

    for (name, value) in [
        ("sec-fetch-site", "cross-site".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
        ("origin", "https://evil.example".to_owned()),
        ("origin", "null".to_owned()),
    ] {
        let response = browser
            .http
            .post(&disconnect)
            .header(name, &value)
            .form(&[("", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "cross_origin");
        assert!(
            connected(&app).await,
            "{name}: {value} changed the connection"
        );
    }
    // Signing out is a change too.
    let response = browser
        .http
        .post(format!("{}/auth/logout", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(browser.current_user().await.is_object());

    // The same change from the app's own page goes through.
    let response = browser
        .http
        .post(&disconnect)
        .header("sec-fetch-site", "same-origin")
        .header("origin", format!("http://{host}"))
        .form(&[("", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!connected(&app).await);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_pages_a_nonce_policy() {
    let app = common::spawn_app(common::test_db().await).await;
    let browser = owner(&app).await;
    let page = browser
        .http
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "no HSTS over http"
    );
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let scripts = policy
        .split(';')
        .find(|part| part.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let inline_scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .filter(|tag| !tag.contains("src="))
        .collect();
    assert!(!inline_scripts.is_empty());
    for tag in inline_scripts {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    // A fresh nonce for every answer.
    let again = browser
        .http
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));

    // Plain answers carry the headers too.
    let health = common::http()
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.headers()["x-content-type-options"], "nosniff");
    assert!(health.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let webhook = common::http()
        .post(format!("{}/webhooks/highlevel", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(webhook.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn sandbox_mode_refuses_to_listen_beyond_loopback_unless_asked() {
    use clap::Parser;
    use switchboard::config::{Config, ServeConfig};
    use switchboard::server::Application;

    #[derive(Parser)]
    struct Settings {
        #[command(flatten)]
        config: Config,
        #[command(flatten)]
        serve: ServeConfig,
    }
    let db = common::test_db().await;
    let url = common::url_of(&db);
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().to_string_lossy().into_owned();
    let settings = |extra: &[&str]| {
        let mut arguments = vec![
            "switchboard",
            "--database-url",
            &url,
            "--data-dir",
            &data_dir,
            "--background",
            "false",
        ];
        arguments.extend_from_slice(extra);
        Settings::parse_from(arguments)
    };
    let open = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let refused = settings(&[]);
    let Err(error) = Application::build(refused.config, refused.serve, open).await else {
        panic!("sandbox mode started on every interface");
    };
    assert!(
        error.to_string().contains("SWITCHBOARD_SANDBOX_ON_NETWORK"),
        "{error}"
    );

    let open = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let asked = settings(&["--sandbox-on-network", "true"]);
    assert!(Application::build(asked.config, asked.serve, open)
        .await
        .is_ok());
}

#[tokio::test]
async fn over_https_the_cookie_is_host_only_and_browsers_are_told_to_stay_on_https() {
    let app = common::spawn_app_with(
        common::test_db().await,
        &["--public-url", "https://switchboard.test"],
    )
    .await;
    let browser = Browser::new(&app.base);
    let response = browser
        .http
        .get(format!("{}/auth/login", app.base))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-switchboard_session="),
        "{cookie}"
    );
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
}
