//! The mapping builder's server functions over real HTTP, against the
//! sandbox HighLevel: event types, the starting mapping and the location's
//! custom fields, a received request picked as the sample, the check with
//! problems by row, saves refused while a problem stands, versions and a
//! restore, and who may do what.

use crate::common;
use crate::workspace_support::signed_in;

use common::browser::{demo_locations, Browser};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{signing, Encoding, EventTypeFrom, Signing};

const HEADER: &str = "X-Clubworx-Signature";

/// A Clubworx connection of the team; returns its id, hook URL and secret.
async fn clubworx(app: &common::TestApp, location_id: &str) -> (i64, String, String) {
    let owner: i64 = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE location_id = $1 ORDER BY user_id LIMIT 1",
    )
    .bind(location_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let new = NewConnection {
        location_id: location_id.into(),
        app: "clubworx".into(),
        name: "Clubworx".into(),
        signing: Signing::HmacSha256 {
            header: HEADER.into(),
            encoding: Encoding::Hex,
            prefix: String::new(),
        },
        event_type_from: EventTypeFrom::BodyField("event".into()),
        created_by: owner,
    };
    let (connection, secret) = store::create(&app.db, &app.vault, &new).await.unwrap();
    let url = format!("{}/hooks/{}", app.base, connection.public_id);
    (connection.id, url, secret.expose_secret().to_owned())
}

async fn send(url: &str, secret: &str, body: &Value) -> StatusCode {
    let raw = serde_json::to_vec(body).unwrap();
    let signature = signing::sign(secret, Encoding::Hex, "", &raw);
    reqwest::Client::new()
        .post(url)
        .header(HEADER, signature)
        .header("content-type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap()
        .status()
}

async fn json_call(
    app: &common::TestApp,
    browser: &Browser,
    endpoint: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = browser
        .http
        .post(format!("{}/api/{endpoint}", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn form_call(
    browser: &Browser,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = browser.call(endpoint, form).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn member_event() -> Value {
    json!({
        "event": "member.created",
        "event_id": "evt_test_1",
        "data": {"member": {
            "id": 424242,
            "first_name": "Ana",
            "last_name": "Silva",
            "name": "Ana Silva",
            "email": "Ana.Silva@Example.com",
            "mobile": "0412 555 019",
            "status": "Active"
        }}
    })
}

fn draft(rules: Value, lookups: Value) -> Value {
    json!({"identify_by": "email", "external_field": "", "rules": rules, "lookups": lookups})
}

fn rule(target: &str, expression: &str) -> Value {
    json!({"target": target, "expression": expression, "mode": "overwrite"})
}

#[tokio::test]
async fn a_mapping_is_built_on_a_picked_sample_checked_by_row_saved_as_versions_and_restored() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let viewer = signed_in(&app, location_id, &users[1], false).await;
    let stranger = signed_in(&app, &locations[1].0, &locations[1].1[0], false).await;
    let (connection, url, secret) = clubworx(&app, location_id).await;
    let id = connection.to_string();
    let editor_form = [
        ("connection_id", id.as_str()),
        ("sends", "false"),
        ("subject", "member.created"),
    ];

    // The app's event types, each on its starting mapping and example.
    let (status, types) = form_call(&viewer, "apps/mapping/types", &[("connection_id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{types}");
    let received = types["received"].as_array().unwrap();
    let keys: Vec<&str> = received
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"member.created") && keys.contains(&"note.added"),
        "{keys:?}"
    );
    assert!(received
        .iter()
        .all(|t| t["version"].is_null() && t["picked_sample"] == false));
    let sent: Vec<&str> = types["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(sent, ["contact", "task", "note", "appointment"]);

    let (status, editor) = form_call(&viewer, "apps/mapping/editor", &editor_form).await;
    assert_eq!(status, StatusCode::OK, "{editor}");
    assert!(
        editor["sample"].as_str().unwrap().contains("Chloe"),
        "the app's example first"
    );
    assert!(!editor["draft"]["rules"].as_array().unwrap().is_empty());
    let targets = editor["targets"].as_array().unwrap();
    let referral = targets
        .iter()
        .find(|t| t["label"] == "Referral Code")
        .expect("the sandbox location's custom fields are targets");
    assert_eq!(referral["group"], "Custom fields");
    let referral_key = referral["key"].as_str().unwrap().to_owned();
    assert_eq!(editor["can_change"], false, "a viewer reads only");

    // A received member becomes the sample.
    assert_eq!(send(&url, &secret, &member_event()).await, StatusCode::OK);
    let request_id: i64 = sqlx::query_scalar("SELECT id FROM app_events WHERE connection_id = $1")
        .bind(connection)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let pick = [
        ("connection_id", id.as_str()),
        ("request_id", &request_id.to_string()),
    ];
    assert_eq!(
        form_call(&viewer, "apps/mapping/use-as-sample", &pick)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, picked) = form_call(&owner, "apps/mapping/use-as-sample", &pick).await;
    assert_eq!(
        (status, picked.clone()),
        (StatusCode::OK, json!("member.created"))
    );
    let (_, editor) = form_call(&owner, "apps/mapping/editor", &editor_form).await;
    assert!(editor["sample_from"]
        .as_str()
        .unwrap()
        .starts_with("The request received"));
    assert!(editor["sample_fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "data.member.name" && f["value"] == "Ana Silva"));

    // Each row is checked over the sample; a problem names its row.
    let rules = json!([
        rule("contact.email", "{{ data.member.email | lower }}"),
        rule("contact.firstName", "{{ data.member.name | first_name }}"),
        rule("contact.phone", "{{ data.member.mobile | e164(\"AU\") }}"),
        rule(&referral_key, "CW-{{ data.member.id }}"),
        rule(
            "contact.tags",
            "{{ data.member.status | lookup(\"status\") }}"
        ),
        rule("contact.lastName", "{{ data.member.name | last_name"),
    ]);
    let lookups = json!([{"table": "status", "from": "Active", "to": "member"}]);
    let body = |rules: &Value| json!({"connection_id": connection, "sends": false, "subject": "member.created", "draft": draft(rules.clone(), lookups.clone())});
    let (status, check) = json_call(&app, &viewer, "apps/mapping/check", body(&rules)).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    let problems = check["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{check}");
    assert_eq!(problems[0]["rule"], 5);
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Line 1, column"),
        "{check}"
    );
    assert_eq!(check["values"][1], "Ana");
    assert_eq!(check["values"][3], "CW-424242");
    let requests: Value = serde_json::from_str(check["requests"].as_str().unwrap()).unwrap();
    let upsert = &requests["POST /contacts/upsert"];
    assert_eq!(upsert["email"], "ana.silva@example.com");
    assert_eq!(upsert["phone"], "+61412555019");
    assert_eq!(upsert["tags"], json!(["member"]));
    assert_eq!(upsert["customFields"][0]["field_value"], "CW-424242");

    // Refused while the problem stands: nothing is kept.
    let (status, refused) = json_call(&app, &owner, "apps/mapping/save", body(&rules)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM app_mappings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(kept, 0);

    let mut fixed = rules.clone();
    fixed[5] = rule("contact.lastName", "{{ data.member.name | last_name }}");
    assert_eq!(
        json_call(&app, &viewer, "apps/mapping/save", body(&fixed))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        json_call(&app, &stranger, "apps/mapping/save", body(&fixed))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        json_call(&app, &owner, "apps/mapping/save", body(&fixed)).await,
        (StatusCode::OK, json!(1))
    );
    let mut second = fixed.clone();
    second[1] = rule("contact.firstName", "{{ data.member.first_name }}");
    assert_eq!(
        json_call(&app, &owner, "apps/mapping/save", body(&second)).await,
        (StatusCode::OK, json!(2))
    );

    // Restoring version 1 saves it again as version 3.
    let restore = [
        ("connection_id", id.as_str()),
        ("sends", "false"),
        ("subject", "member.created"),
        ("version", "1"),
    ];
    assert_eq!(
        form_call(&owner, "apps/mapping/restore", &restore).await,
        (StatusCode::OK, json!(3))
    );
    let (_, editor) = form_call(&owner, "apps/mapping/editor", &editor_form).await;
    assert_eq!(
        editor["draft"]["rules"][1]["expression"],
        "{{ data.member.name | first_name }}"
    );
    assert_eq!(editor["draft"]["lookups"], lookups);
    let versions: Vec<i64> = editor["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    let (_, types) = form_call(&owner, "apps/mapping/types", &[("connection_id", &id)]).await;
    let member = types["received"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "member.created")
        .unwrap();
    assert_eq!(
        (member["version"].clone(), member["picked_sample"].clone()),
        (json!(3), json!(true))
    );

    // Another team sees none of it.
    assert_eq!(
        form_call(&stranger, "apps/mapping/editor", &editor_form)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        form_call(&stranger, "apps/mapping/use-as-sample", &pick)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let everything = format!("{editor}{types}{check}");
    assert!(
        !everything.contains(&secret),
        "no answer carries the connection's secret"
    );
}

#[tokio::test]
async fn the_body_sent_to_an_app_is_mapped_from_the_team_s_newest_record_and_versioned_apart() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let (connection, _, _) = clubworx(&app, location_id).await;
    let id = connection.to_string();
    let contact = json!({"id": "c-sent", "firstName": "Noor", "email": "noor@example.com", "tags": ["vip", "member"]});
    switchboard::cache::upsert(
        &app.db,
        &[switchboard::cache::ContactRecord::from_document(location_id, contact).unwrap()],
    )
    .await
    .unwrap();

    let editor_form = [
        ("connection_id", id.as_str()),
        ("sends", "true"),
        ("subject", "contact"),
    ];
    let (status, editor) = form_call(&owner, "apps/mapping/editor", &editor_form).await;
    assert_eq!(status, StatusCode::OK, "{editor}");
    assert_eq!(
        editor["targets"],
        json!([]),
        "a body's fields are typed, not picked"
    );
    assert!(
        editor["sample"].as_str().unwrap().contains("c-sent"),
        "the team's own contact"
    );
    let starting = editor["draft"]["rules"].as_array().unwrap();
    assert!(starting.iter().any(|r| r["target"] == "contact.tags[]"));

    let rules = json!([
        rule("member.ref", "{{ id }}"),
        rule("member.name.first", "{{ firstName | upper }}"),
        rule("member.labels[]", "{{ tags | join(',') }}"),
        rule("not a path", "x"),
    ]);
    let body = |rules: &Value| json!({"connection_id": connection, "sends": true, "subject": "contact", "draft": draft(rules.clone(), json!([]))});
    let (status, check) = json_call(&app, &owner, "apps/mapping/check", body(&rules)).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(check["problems"].as_array().unwrap().len(), 1, "{check}");
    assert_eq!(check["problems"][0]["rule"], 3);
    let sent: Value = serde_json::from_str(check["requests"].as_str().unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({"member": {"ref": "c-sent", "name": {"first": "NOOR"}, "labels": ["vip", "member"]}})
    );
    assert_eq!(
        json_call(&app, &owner, "apps/mapping/save", body(&rules))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let fixed = json!([rules[0], rules[1], rules[2]]);
    assert_eq!(
        json_call(&app, &owner, "apps/mapping/save", body(&fixed)).await,
        (StatusCode::OK, json!(1))
    );

    // Versions of the sent contact are apart from the received events'.
    let (_, types) = form_call(&owner, "apps/mapping/types", &[("connection_id", &id)]).await;
    assert_eq!(types["sent"][0]["version"], 1);
    assert!(types["received"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["version"].is_null()));
    let unknown = [
        ("connection_id", id.as_str()),
        ("sends", "true"),
        ("subject", "invoice"),
    ];
    assert_eq!(
        form_call(&owner, "apps/mapping/editor", &unknown).await.0,
        StatusCode::NOT_FOUND
    );
}
