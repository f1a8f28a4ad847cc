//! A cookie-keeping HTTP client that walks through sign-in like a browser.

use reqwest::header::LOCATION;
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub struct Browser {
    pub http: Client,
    base: String,
}

impl Browser {
    pub fn new(base: &str) -> Self {
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

    /// The HTML of the page at `path`, as this browser is served it.
    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(format!("{}{path}", self.base)).send().await;
        response.unwrap().text().await.unwrap()
    }

    pub async fn redirect_from(&self, response: reqwest::Response) -> String {
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
    pub async fn start_sign_in(&self, write: bool) -> reqwest::Url {
        let path = if write {
            "/auth/login?write=1"
        } else {
            "/auth/login"
        };
        self.start_sign_in_at(path).await
    }

    /// Starts sign-in at `path` (`/auth/login` with its query) and returns
    /// the consent page's URL.
    pub async fn start_sign_in_at(&self, path: &str) -> reqwest::Url {
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
    pub async fn consent(
        &self,
        consent: &reqwest::Url,
        location_id: &str,
        user_id: &str,
    ) -> String {
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

    pub async fn current_user(&self) -> Value {
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
pub async fn demo_people(base: &str) -> (String, Vec<String>) {
    demo_locations(base).await.swap_remove(0)
}

async fn users_of(base: &str, location_id: &str) -> Vec<String> {
    let token = super::sandbox_token(base, location_id, &["users.readonly"]).await;
    let users = super::json_of(
        super::http()
            .get(format!("{base}/sandbox/users/?locationId={location_id}"))
            .header("Version", "2021-07-28")
            .bearer_auth(token),
    )
    .await;
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_owned())
        .collect()
}

impl Browser {
    /// Calls a server function by its endpoint with a form body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{endpoint}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// All demo locations with their users.
pub async fn demo_locations(base: &str) -> Vec<(String, Vec<String>)> {
    let locations =
        super::json_of(super::http().get(format!("{base}/sandbox/_sandbox/locations"))).await;
    let mut all = Vec::new();
    for location in locations.as_array().unwrap() {
        let id = location["id"].as_str().unwrap().to_owned();
        all.push((id.clone(), users_of(base, &id).await));
    }
    all
}

impl Browser {
    /// Calls a HighLevel operation through the app's server function.
    pub async fn highlevel(
        &self,
        operation_id: &str,
        params: &[(&str, &str)],
        body: Option<Value>,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}/api/highlevel/call", self.base))
            .json(&serde_json::json!({
                "operation_id": operation_id,
                "params": params,
                "body": body.map(|body| body.to_string()),
            }))
            .send()
            .await
            .unwrap()
    }
}
