//! Shared by the workspace tests: signing in, the sandbox's write ledger,
//! and server-function calls.

use serde_json::Value;

use crate::common::browser::Browser;
use crate::common::{self, TestApp};

pub async fn signed_in(app: &TestApp, location_id: &str, user_id: &str, write: bool) -> Browser {
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(write).await;
    browser.consent(&consent, location_id, user_id).await;
    browser
}

/// Makes the person `user_id` a viewer of their team.
pub async fn make_viewer(app: &TestApp, user_id: &str) {
    sqlx::query(
        "UPDATE memberships SET role = 'viewer' \
         WHERE user_id = (SELECT id FROM users WHERE highlevel_user_id = $1)",
    )
    .bind(user_id)
    .execute(&app.db)
    .await
    .unwrap();
}

/// Writes the sandbox accepted (status below 300) to paths starting `prefix` with `method`.
pub async fn writes_to(app: &TestApp, method: &str, prefix: &str) -> usize {
    writes_where(app, method, |path| path.starts_with(prefix)).await
}

/// Writes the sandbox accepted to exactly `path` with `method`.
pub async fn writes_at(app: &TestApp, method: &str, path: &str) -> usize {
    writes_where(app, method, |seen| seen == path).await
}

async fn writes_where(app: &TestApp, method: &str, path_matches: impl Fn(&str) -> bool) -> usize {
    common::sandbox_ledger(&app.base)
        .await
        .iter()
        .filter(|entry| entry["method"] == method)
        .filter(|entry| entry["path"].as_str().is_some_and(&path_matches))
        .filter(|entry| entry["status"].as_u64().is_some_and(|status| status < 300))
        .count()
}

/// The answer of a server function that must succeed, as JSON.
pub async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// `count` contact ids of the signed-in team, from HighLevel.
pub async fn contact_ids(browser: &Browser, count: usize) -> Vec<String> {
    contacts_in_highlevel(browser, count)
        .await
        .iter()
        .map(|contact| contact["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Up to `count` contacts of the signed-in team, as HighLevel holds them.
pub async fn contacts_in_highlevel(browser: &Browser, count: usize) -> Vec<Value> {
    let found = ok_json(
        browser
            .highlevel(
                "search-contacts-advanced",
                &[],
                Some(serde_json::json!({"pageLimit": count})),
            )
            .await,
    )
    .await;
    found["contacts"].as_array().unwrap().clone()
}
