//! Sample events in sandbox mode over real HTTP: the server function has
//! the sandbox's simulated app send an event to the connection's own
//! webhook URL, signed as its form says, and the door receives it. Owners
//! and admins of the connection's team only; the secret never comes back.

use crate::common;
use crate::workspace_support::{make_viewer, ok_json, signed_in};

use common::browser::{demo_locations, Browser};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::Value;
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};
use switchboard::apps::templates::{self, AppKind, EventTypeSource};

/// A connection of `app` made by `user_id` of `location_id`, signed and
/// typed as the app's template says; its id and secret.
pub(crate) async fn connect(
    app: &common::TestApp,
    location_id: &str,
    user_id: &str,
    kind: &str,
) -> (i64, String) {
    let created_by: i64 = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (signing, event_type_from) = as_template_says(kind);
    let new = NewConnection {
        location_id: location_id.into(),
        app: kind.into(),
        name: format!("{kind} sample"),
        signing,
        event_type_from,
        created_by,
    };
    let (connection, secret) = store::create(&app.db, &app.vault, &new).await.unwrap();
    (connection.id, secret.expose_secret().to_owned())
}

/// How the connection form starts for `kind`: signed and typed as the
/// app's template says.
fn as_template_says(kind: &str) -> (Signing, EventTypeFrom) {
    let template = templates::template(AppKind::from_key(kind).expect("an app's key"));
    let signing = match template.signing {
        templates::Signing::None => panic!("{kind} signs its requests"),
        templates::Signing::SecretHeader { header } => Signing::SecretHeader { header },
        templates::Signing::HmacSha256 {
            header,
            encoding,
            prefix,
        } => Signing::HmacSha256 {
            header,
            encoding: match encoding {
                templates::Encoding::Hex => Encoding::Hex,
                templates::Encoding::Base64 => Encoding::Base64,
            },
            prefix,
        },
    };
    let event_type_from = match template.event_type_from {
        EventTypeSource::BodyField(path) => EventTypeFrom::BodyField(path),
        EventTypeSource::Header(name) => EventTypeFrom::Header(name),
        EventTypeSource::Fixed(name) => EventTypeFrom::Fixed(name),
    };
    (signing, event_type_from)
}

pub(crate) async fn send(browser: &Browser, id: i64, event_type: &str) -> reqwest::Response {
    let id = id.to_string();
    browser
        .call(
            "apps/sample/send",
            &[("connection_id", id.as_str()), ("event_type", event_type)],
        )
        .await
}

/// The connection's Incoming list, as its page asks for it.
async fn incoming(browser: &Browser, id: i64) -> Vec<Value> {
    let id = id.to_string();
    let rows = ok_json(
        browser
            .call("apps/incoming", &[("id", id.as_str()), ("after_id", "0")])
            .await,
    )
    .await;
    rows.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_sample_event_reaches_the_connection_signed_as_its_form_says() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let (clubworx, secret) = connect(&app, location_id, &users[0], "clubworx").await;
    let id = clubworx.to_string();

    let choices = ok_json(
        owner
            .call("apps/sample/choices", &[("connection_id", id.as_str())])
            .await,
    )
    .await;
    assert_eq!(choices["sandbox"], true);
    assert_eq!(choices["can_send"], true);
    let events: Vec<&str> = choices["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["key"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"task.created"), "{events:?}");
    assert!(incoming(&owner, clubworx).await.is_empty());

    let response = send(&owner, clubworx, "task.created").await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        !text.contains(&secret),
        "the answer holds no secret: {text}"
    );
    let sent: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sent["event_type"], "task.created");
    assert_eq!(sent["status"], 200);
    assert_eq!(sent["accepted"], true);
    assert!(
        sent["message"].as_str().unwrap().contains("Received"),
        "{sent}"
    );

    let rows = incoming(&owner, clubworx).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["accepted"], true);
    assert_eq!(rows[0]["event_type"], "task.created");
    assert!(rows[0]["body"]
        .as_str()
        .unwrap()
        .contains("\"event\": \"task.created\""));

    // Another one of the same type is a new event, not a replay.
    let again = ok_json(send(&owner, clubworx, "task.created").await).await;
    assert_eq!(again["accepted"], true, "{again}");
    assert_eq!(incoming(&owner, clubworx).await.len(), 2);
}

#[tokio::test]
async fn an_app_that_puts_its_secret_in_a_header_gets_it_without_it_coming_back() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let (club_os, secret) = connect(&app, location_id, &users[0], "club_os").await;

    let response = send(&owner, club_os, "member.tagged").await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        !text.contains(&secret),
        "the answer holds no secret: {text}"
    );
    let sent: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sent["accepted"], true, "{sent}");
    let rows = incoming(&owner, club_os).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["event_type"], "member.tagged");
    assert!(!rows[0]["body"].as_str().unwrap().contains(&secret));
}

#[tokio::test]
async fn only_owners_and_admins_of_the_team_send_and_only_types_the_app_sends() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let viewer = signed_in(&app, location_id, &users[1], false).await;
    make_viewer(&app, &users[1]).await;
    let stranger = signed_in(&app, &locations[1].0, &locations[1].1[0], false).await;
    let (clubworx, secret) = connect(&app, location_id, &users[0], "clubworx").await;
    let id = clubworx.to_string();

    let response = send(&viewer, clubworx, "member.created").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let choices = ok_json(
        viewer
            .call("apps/sample/choices", &[("connection_id", id.as_str())])
            .await,
    )
    .await;
    assert_eq!(choices["can_send"], false, "{choices}");

    // Another team's connection is as if it did not exist.
    let response = send(&stranger, clubworx, "member.created").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = stranger
        .call("apps/sample/choices", &[("connection_id", id.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let response = send(&owner, clubworx, "member.deleted").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let refusal = response.text().await.unwrap();
    assert!(refusal.contains("event_type"), "{refusal}");
    assert!(!refusal.contains(&secret));

    assert!(
        incoming(&owner, clubworx).await.is_empty(),
        "refused calls sent nothing"
    );
}
