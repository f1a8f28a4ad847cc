//! "Sign in with HighLevel" end to end over HTTP: the app, the sandbox's
//! consent page and token endpoint, sessions and roles in Postgres.

use crate::common;

use common::browser::{demo_people, Browser};

#[tokio::test]
async fn the_first_person_of_a_location_is_owner_and_the_next_a_viewer() {
    let app = common::spawn_app(common::test_db().await).await;
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
    assert_eq!(
        colleague.current_user().await["role"],
        "viewer",
        "new people join as viewers unless the owner chose otherwise"
    );
    // Signing in again keeps the role.
    let consent = owner.start_sign_in(false).await;
    owner.consent(&consent, &location_id, &users[0]).await;
    assert_eq!(owner.current_user().await["role"], "owner");
}

#[tokio::test]
async fn tokens_are_stored_sealed_and_sign_out_ends_the_session() {
    let app = common::spawn_app(common::test_db().await).await;
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
    let app = common::spawn_app(common::test_db().await).await;
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
