//! "Sign in with HighLevel" end to end over HTTP: the app, the sandbox's
//! consent page and token endpoint, sessions and roles in Postgres.

mod common;

use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};
use serde_json::Value;

struct Browser {
    http: Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        switchboard::tls::install_crypto_provider();
        let http = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.to_owned(),
        }
    }

    async fn redirect_from(&self, response: reqwest::Response) -> String {
        assert!(
            response.status().is_redirection(),
            "expected a redirect, got {}",
            response.status()
        );
        let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
        if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            location
        }
    }

    /// Starts sign-in and returns the consent page's URL.
    async fn start_sign_in(&self, write: bool) -> reqwest::Url {
        let path = if write {
            "/auth/login?write=1"
        } else {
            "/auth/login"
        };
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        reqwest::Url::parse(&self.redirect_from(response).await).unwrap()
    }

    /// Consents on the sandbox page as `user_id` of `location_id`; returns
    /// where the app sends the browser after its callback.
    async fn consent(&self, consent: &reqwest::Url, location_id: &str, user_id: &str) -> String {
        let query: std::collections::HashMap<String, String> =
            consent.query_pairs().into_owned().collect();
        let form = [
            ("client_id", query["client_id"].as_str()),
            ("redirect_uri", query["redirect_uri"].as_str()),
            ("scope", query["scope"].as_str()),
            ("state", query["state"].as_str()),
            ("location_id", location_id),
            ("user_id", user_id),
        ];
        let mut action = consent.clone();
        action.set_query(None);
        let response = self.http.post(action).form(&form).send().await.unwrap();
        let callback = self.redirect_from(response).await;
        let response = self.http.get(callback).send().await.unwrap();
        self.redirect_from(response).await
    }

    async fn current_user(&self) -> Value {
        let response = self
            .http
            .post(format!("{}/api/session/current-user", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// The first demo location and its users, from the sandbox's control API.
async fn demo_people(base: &str) -> (String, Vec<String>) {
    let http = common::http();
    let locations: Value = http
        .get(format!("{base}/sandbox/_sandbox/locations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let location_id = locations[0]["id"].as_str().unwrap().to_owned();
    let token: Value = http
        .post(format!("{base}/sandbox/_sandbox/tokens"))
        .json(&serde_json::json!({"locationId": location_id, "scopes": ["users.readonly"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let users: Value = http
        .get(format!("{base}/sandbox/users/?locationId={location_id}"))
        .header("Version", "2021-07-28")
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_owned())
        .collect();
    (location_id, ids)
}

#[tokio::test]
async fn the_first_person_of_a_location_is_owner_and_the_next_a_member() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let (location_id, users) = demo_people(&app.base).await;

    let owner = Browser::new(&app.base);
    let consent = owner.start_sign_in(false).await;
    assert!(
        consent.path().ends_with("/sandbox/oauth/chooselocation"),
        "{consent}"
    );
    let scopes = consent
        .query_pairs()
        .find(|(key, _)| key == "scope")
        .unwrap()
        .1
        .into_owned();
    assert!(
        scopes.contains("contacts.readonly") && !scopes.contains("contacts.write"),
        "{scopes}"
    );
    assert_eq!(
        owner.consent(&consent, &location_id, &users[0]).await,
        format!("{}/", app.base)
    );
    let me = owner.current_user().await;
    assert_eq!(me["role"], "owner");
    assert_eq!(me["location_id"], location_id.as_str());
    assert!(!me["name"].as_str().unwrap().is_empty());

    let colleague = Browser::new(&app.base);
    let consent = colleague.start_sign_in(true).await;
    assert!(
        consent.as_str().contains("contacts.write"),
        "write access was asked for"
    );
    colleague.consent(&consent, &location_id, &users[1]).await;
    assert_eq!(colleague.current_user().await["role"], "member");
    // Signing in again keeps the role.
    let consent = owner.start_sign_in(false).await;
    owner.consent(&consent, &location_id, &users[0]).await;
    assert_eq!(owner.current_user().await["role"], "owner");
}

#[tokio::test]
async fn tokens_are_stored_sealed_and_sign_out_ends_the_session() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let (location_id, users) = demo_people(&app.base).await;
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location_id, &users[0]).await;

    let (access, refresh, scopes): (String, Option<String>, Vec<String>) = sqlx::query_as(
        "SELECT access_token_sealed, refresh_token_sealed, scopes FROM connections WHERE location_id = $1",
    )
    .bind(&location_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(access.starts_with("v1:") && refresh.is_some_and(|sealed| sealed.starts_with("v1:")));
    assert!(
        scopes.contains(&"contacts.readonly".to_owned()),
        "{scopes:?}"
    );

    let response = browser
        .http
        .post(format!("{}/auth/logout", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser.redirect_from(response).await,
        format!("{}/signin", app.base)
    );
    assert!(browser.current_user().await.is_null());
}

#[tokio::test]
async fn a_callback_with_a_foreign_state_is_refused() {
    let app = common::spawn_app(common::test_db().await, true).await;
    let (location_id, users) = demo_people(&app.base).await;
    let browser = Browser::new(&app.base);
    let mut consent = browser.start_sign_in(false).await;
    let forged: Vec<(String, String)> = consent
        .query_pairs()
        .map(|(key, value)| {
            let value = if key == "state" {
                "forged".to_owned()
            } else {
                value.into_owned()
            };
            (key.into_owned(), value)
        })
        .collect();
    consent.query_pairs_mut().clear().extend_pairs(forged);
    let landing = browser.consent(&consent, &location_id, &users[0]).await;
    assert_eq!(landing, format!("{}/signin?problem=expired", app.base));
    assert!(browser.current_user().await.is_null());
}
