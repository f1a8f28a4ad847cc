//! The Read API over real HTTP: keys (in either header, wrong, rotated,
//! limited), one team's contacts only, only the fields the connection
//! reads, lookups by email, phone and search, a business's contacts, the
//! included lists, bad input refused with the reason, the OpenAPI document;
//! and the server functions behind a connection's Read API tab.

use crate::common;
use crate::webhooks_support::add_team;
use crate::workspace_support::signed_in;

use chrono::Utc;
use common::browser::{demo_locations, Browser};
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{EventTypeFrom, Signing};
use switchboard::apps::read_api::fields::ReadField;
use switchboard::apps::read_api::keys;
use switchboard::cache::{
    self, AppointmentRecord, BusinessRecord, Cached, CalendarRecord, ContactRecord, NoteRecord,
    TaskRecord, UserRecord,
};

const TEAM: &str = "loc-read";
const OTHER_TEAM: &str = "loc-read-other";
const API: &str = "/apps/api/v1";

/// A connection of `location_id`'s team (made by a person of that team).
async fn connection_of(app: &common::TestApp, location_id: &str) -> i64 {
    add_team(&app.db, location_id).await;
    let owner: i64 = sqlx::query_scalar(
        "INSERT INTO users (highlevel_user_id, name, email) VALUES ($1, 'Owner', 'o@example.com')
         ON CONFLICT (highlevel_user_id) DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    .bind(format!("owner-{location_id}"))
    .fetch_one(&app.db)
    .await
    .unwrap();
    let new = NewConnection {
        location_id: location_id.into(),
        app: "workiom".into(),
        name: "Workiom".into(),
        signing: Signing::SecretHeader {
            header: "X-Workiom-Secret".into(),
        },
        event_type_from: EventTypeFrom::Fixed("record.updated".into()),
        created_by: owner,
    };
    store::create(&app.db, &app.vault, &new).await.unwrap().0.id
}

async fn issue(app: &common::TestApp, connection_id: i64) -> String {
    let key = keys::issue(&app.db, connection_id).await.unwrap();
    key.expose_secret().to_owned()
}

fn contact(location_id: &str, document: Value) -> ContactRecord {
    ContactRecord::from_document(location_id, document).unwrap()
}

/// Ann (with a task, a note and an appointment) and Ben of a business,
/// 55 members, a deleted contact, and Bob of the other team.
async fn fill(app: &common::TestApp) {
    let mut contacts = vec![
        contact(
            TEAM,
            json!({
                "id": "c-ann", "firstName": "Ann", "lastName": "Archer",
                "email": "Ann.Archer@Example.com", "phone": "+15124760147",
                "companyName": "Archer Yoga", "businessId": "b-yoga", "source": "Website form",
                "tags": ["member", "vip"], "assignedTo": "u-kim", "address1": "1 Main St",
                "city": "Austin", "state": "TX", "country": "US", "postalCode": "78701",
                "website": "https://archer.example", "dateAdded": "2026-01-05T10:00:00Z",
                "customFields": [{"id": "cf-1", "value": "gold"}],
            }),
        ),
        contact(
            TEAM,
            json!({"id": "c-ben", "firstName": "Ben", "lastName": "Archer", "businessId": "b-yoga",
                   "email": "ben@example.com"}),
        ),
        contact(
            TEAM,
            json!({"id": "c-gone", "firstName": "Gone", "email": "gone@example.com"}),
        ),
        contact(
            OTHER_TEAM,
            json!({"id": "c-bob", "firstName": "Bob", "email": "bob@example.com",
                   "businessId": "b-other"}),
        ),
    ];
    contacts.extend((0..55).map(|n| {
        contact(
            TEAM,
            json!({"id": format!("c-m{n:02}"), "firstName": "Member", "lastName": format!("{n:02}")}),
        )
    }));
    cache::upsert(&app.db, &contacts).await.unwrap();
    cache::mark_deleted(
        &app.db,
        ContactRecord::TABLE,
        TEAM,
        &["c-gone".into()],
        Utc::now(),
    )
    .await
    .unwrap();
    let user = UserRecord::from_model(TEAM, &json!({"id": "u-kim", "name": "Coach Kim"})).unwrap();
    cache::upsert(&app.db, &[user]).await.unwrap();
    let businesses = [
        BusinessRecord::from_model(TEAM, &json!({"id": "b-yoga", "name": "Archer Yoga"})).unwrap(),
        BusinessRecord::from_model(OTHER_TEAM, &json!({"id": "b-other", "name": "Other"})).unwrap(),
    ];
    cache::upsert(&app.db, &businesses).await.unwrap();
    let calendar = CalendarRecord::from_model(TEAM, &json!({"id": "cal-1", "name": "Intro"}));
    cache::upsert(&app.db, &[calendar.unwrap()]).await.unwrap();
    fill_activity(app).await;
}

async fn fill_activity(app: &common::TestApp) {
    let task = json!({"id": "t-1", "contactId": "c-ann", "title": "Call back", "body": "About the plan",
                      "dueDate": "2026-02-01T15:00:00Z", "completed": false, "assignedTo": "u-kim"});
    let task = TaskRecord::from_document(TEAM, task, Utc::now()).unwrap();
    cache::upsert(&app.db, &[task]).await.unwrap();
    let note = json!({"id": "n-1", "contactId": "c-ann", "body": "Prefers mornings",
                      "dateAdded": "2026-01-06T09:00:00Z"});
    cache::upsert(&app.db, &[NoteRecord::from_document(TEAM, note).unwrap()])
        .await
        .unwrap();
    let appointment = json!({"id": "a-1", "contactId": "c-ann", "calendarId": "cal-1",
                             "title": "Intro session", "appointmentStatus": "confirmed",
                             "startTime": "2026-02-02T16:00:00Z", "endTime": "2026-02-02T16:45:00Z"});
    let appointment = AppointmentRecord::from_document(TEAM, appointment).unwrap();
    cache::upsert(&app.db, &[appointment]).await.unwrap();
}

/// `GET {API}{path}` with the key as a bearer token, if any.
async fn get(app: &common::TestApp, path: &str, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = common::http().get(format!("{}{API}{path}", app.base));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET {API}/contacts?{query}`.
async fn find(app: &common::TestApp, key: &str, query: &str) -> (StatusCode, Value) {
    get(app, &format!("/contacts?{query}"), Some(key)).await
}

fn names(answer: &Value) -> Vec<&str> {
    answer["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|contact| contact["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_key_reads_its_own_team_until_it_is_replaced() {
    let app = common::spawn_app(common::test_db().await).await;
    let connection = connection_of(&app, TEAM).await;
    connection_of(&app, OTHER_TEAM).await;
    fill(&app).await;
    let key = issue(&app, connection).await;
    assert!(key.starts_with("sb_live_") && key.len() == 51, "{key}");

    let (status, answer) = get(&app, "/contacts/c-ann", Some(&key)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["contact"]["id"], "c-ann");
    assert_eq!(answer["contact"]["name"], "Ann Archer");
    let by_header = common::http()
        .get(format!("{}{API}/contacts/c-ann", app.base))
        .header("X-Api-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::OK);
    assert_eq!(by_header.headers()["cache-control"], "no-store");
    let used: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM app_api_keys WHERE connection_id = $1")
            .bind(connection)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(used.is_some(), "the key's use is noted");

    let unknown_key = format!("sb_live_{}", "A".repeat(43));
    for wrong in [None, Some("nope"), Some(unknown_key.as_str())] {
        let (status, answer) = get(&app, "/contacts/c-ann", wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong:?}");
        assert_eq!(answer["error"], "unauthorized");
        assert!(answer["message"].as_str().unwrap().contains("key"));
    }

    // Another team's contact, a deleted one and an unknown id answer alike.
    let (status, unknown) = get(&app, "/contacts/c-nobody", Some(&key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown["error"], "not_found");
    for hidden in ["/contacts/c-bob", "/contacts/c-gone"] {
        assert_eq!(
            get(&app, hidden, Some(&key)).await,
            (status, unknown.clone())
        );
    }
    let (status, _) = get(&app, "/businesses/b-other/contacts", Some(&key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let rotated = issue(&app, connection).await;
    assert_ne!(rotated, key);
    assert_eq!(
        get(&app, "/contacts/c-ann", Some(&key)).await.0,
        StatusCode::UNAUTHORIZED,
        "the old key stops at once"
    );
    assert_eq!(
        get(&app, "/contacts/c-ann", Some(&rotated)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn answers_hold_only_the_fields_the_connection_reads() {
    let app = common::spawn_app(common::test_db().await).await;
    let connection = connection_of(&app, TEAM).await;
    fill(&app).await;
    let key = issue(&app, connection).await;

    let (_, answer) = get(&app, "/contacts/c-ann", Some(&key)).await;
    let shown = &answer["contact"];
    let mut fields: Vec<&str> = shown
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "address",
            "assignee",
            "company",
            "dateAdded",
            "email",
            "id",
            "name",
            "phone",
            "source",
            "tags"
        ]
    );
    assert_eq!(
        shown["assignee"],
        json!({"id": "u-kim", "name": "Coach Kim"})
    );
    assert_eq!(shown["address"]["line1"], "1 Main St");
    assert_eq!(shown["address"]["postalCode"], "78701");
    assert_eq!(shown["phone"], "+15124760147");
    assert_eq!(shown["dateAdded"], "2026-01-05T10:00:00Z");
    assert_eq!(shown["tags"], json!(["member", "vip"]));

    keys::set_read_fields(
        &app.db,
        connection,
        &[ReadField::Email, ReadField::CustomFields],
    )
    .await
    .unwrap();
    let (_, answer) = get(&app, "/contacts/c-ann", Some(&key)).await;
    assert_eq!(
        answer["contact"],
        json!({"id": "c-ann", "email": "Ann.Archer@Example.com",
               "customFields": [{"id": "cf-1", "value": "gold"}]})
    );
    let (_, found) = get(&app, "/contacts?q=ben", Some(&key)).await;
    assert_eq!(
        found["contacts"],
        json!([{"id": "c-ben", "email": "ben@example.com", "customFields": []}])
    );
}

#[tokio::test]
async fn contacts_are_found_by_email_phone_search_or_business() {
    let app = common::spawn_app(common::test_db().await).await;
    let connection = connection_of(&app, TEAM).await;
    connection_of(&app, OTHER_TEAM).await;
    fill(&app).await;
    let key = issue(&app, connection).await;

    let (status, answer) = find(&app, &key, "email=ann.archer%40example.COM").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        (names(&answer), &answer["count"]),
        (vec!["c-ann"], &json!(1))
    );
    assert_eq!(answer["more"], false);
    let (_, answer) = find(&app, &key, "phone=%2B1%20(512)%20476-0147").await;
    assert_eq!(names(&answer), ["c-ann"]);
    let (_, answer) = find(&app, &key, "q=archer").await;
    assert_eq!(names(&answer), ["c-ann", "c-ben"], "by name");
    let (_, answer) = find(&app, &key, "q=member").await;
    assert_eq!(
        (answer["count"].clone(), answer["more"].clone()),
        (json!(50), json!(true))
    );
    for nobody in [
        "email=bob%40example.com",
        "email=gone%40example.com",
        "q=zzz",
    ] {
        let (status, answer) = find(&app, &key, nobody).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            answer,
            json!({"contacts": [], "count": 0, "more": false}),
            "{nobody}"
        );
    }

    let (status, answer) = get(&app, "/businesses/b-yoga/contacts", Some(&key)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["business"],
        json!({"id": "b-yoga", "name": "Archer Yoga"})
    );
    assert_eq!(names(&answer), ["c-ann", "c-ben"]);
    let (status, answer) = get(&app, "/businesses/b-none/contacts", Some(&key)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn included_lists_come_with_the_contact_and_bad_input_says_why() {
    let app = common::spawn_app(common::test_db().await).await;
    let connection = connection_of(&app, TEAM).await;
    fill(&app).await;
    let key = issue(&app, connection).await;

    let (status, answer) = get(&app, "/contacts/c-ann?include=tasks,notes", Some(&key)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["tasks"],
        json!([{"id": "t-1", "title": "Call back", "body": "About the plan",
                "dueDate": "2026-02-01T15:00:00Z", "completed": false,
                "assignee": {"id": "u-kim", "name": "Coach Kim"}}])
    );
    assert_eq!(
        answer["notes"],
        json!([{"id": "n-1", "body": "Prefers mornings", "dateAdded": "2026-01-06T09:00:00Z"}])
    );
    assert!(
        answer.get("appointments").is_none(),
        "only what was asked for"
    );
    let (_, answer) = get(&app, "/contacts/c-ann?include=appointments", Some(&key)).await;
    assert_eq!(
        answer["appointments"],
        json!([{"id": "a-1", "title": "Intro session", "startTime": "2026-02-02T16:00:00Z",
                "endTime": "2026-02-02T16:45:00Z", "status": "confirmed",
                "calendar": {"id": "cal-1", "name": "Intro"}}])
    );
    let (_, answer) = get(&app, "/contacts/c-ben?include=tasks", Some(&key)).await;
    assert_eq!(answer["tasks"], json!([]));

    let long_id = "x".repeat(101);
    let bad = [
        "/contacts/c-ann?include=invoices".to_owned(),
        "/contacts/c-ann?expand=tasks".into(),
        format!("/contacts/{long_id}"),
        "/contacts".into(),
        "/contacts?email=a%40b.c&q=ann".into(),
        "/contacts?q=a&q=b".into(),
        "/contacts?phone=512%20476%200147".into(),
        "/contacts?name=ann".into(),
        "/businesses/b-yoga/contacts?q=ann".into(),
    ];
    for path in bad {
        let (status, answer) = get(&app, &path, Some(&key)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        assert_eq!(answer["error"], "bad_request");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    let (status, _) = get(&app, &format!("/contacts/{}", "x".repeat(100)), Some(&key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "100 characters are an id");
    let (status, answer) = get(&app, "/contacts/c-ann?include=invoices", None).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized")),
        "the key is checked first"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoints() {
    let app = common::spawn_app(common::test_db().await).await;
    let (status, document) = get(&app, "/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    for path in ["/contacts/{id}", "/contacts", "/businesses/{id}/contacts"] {
        assert!(paths.contains_key(path), "{path}");
        let responses = &paths[path]["get"]["responses"];
        assert!(responses.get("401").is_some() && responses.get("429").is_some());
    }
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearerKey"]["scheme"], "bearer");
    assert_eq!(schemes["headerKey"]["name"], "X-Api-Key");
}

#[tokio::test]
async fn a_busy_key_is_told_when_to_come_back() {
    let app = common::spawn_app_with(
        common::test_db().await,
        &["--per-connection-per-minute", "6"],
    )
    .await;
    let connection = connection_of(&app, TEAM).await;
    fill(&app).await;
    let key = issue(&app, connection).await;
    assert_eq!(
        get(&app, "/contacts/c-ann", Some(&key)).await.0,
        StatusCode::OK
    );
    let response = common::http()
        .get(format!("{}{API}/contacts/c-ann", app.base))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "too_many_requests");
}

/// A server function that takes JSON.
async fn call(
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

#[tokio::test]
async fn owners_and_admins_issue_keys_and_choose_fields_for_their_own_connections() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let owner = signed_in(&app, location_id, &users[0], false).await;
    let viewer = signed_in(&app, location_id, &users[1], false).await;
    let stranger = signed_in(&app, &locations[1].0, &locations[1].1[0], false).await;
    let connection = connection_of(&app, location_id).await;
    let id = connection.to_string();
    let form = [("connection_id", id.as_str())];

    let settings = ok(owner.call("apps/read-api/settings", &form).await).await;
    assert_eq!(settings["prefix"], Value::Null);
    assert_eq!(settings["read_fields"].as_array().unwrap().len(), 9);
    assert_eq!(settings["all_fields"].as_array().unwrap().len(), 18);

    let issued = ok(owner.call("apps/read-api/issue-key", &form).await).await;
    let key = issued["key"].as_str().unwrap().to_owned();
    assert_eq!(issued["prefix"].as_str().unwrap(), &key[..16]);
    cache::upsert(
        &app.db,
        &[contact(
            location_id,
            json!({"id": "c-own", "firstName": "Own"}),
        )],
    )
    .await
    .unwrap();
    assert_eq!(
        get(&app, "/contacts/c-own", Some(&key)).await.0,
        StatusCode::OK
    );

    let settings = ok(viewer.call("apps/read-api/settings", &form).await).await;
    assert_eq!(settings["prefix"], issued["prefix"]);
    assert!(settings["last_used"].is_string(), "{settings}");
    assert!(
        !settings.to_string().contains(&key),
        "the key is shown once"
    );

    let fields = |list: Value| json!({"connection_id": connection, "fields": list});
    let (status, answer) = call(
        &app,
        &owner,
        "apps/read-api/read-fields",
        fields(json!(["email", "salary"])),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = call(
        &app,
        &owner,
        "apps/read-api/read-fields",
        fields(json!(["phone", "email"])),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let settings = ok(owner.call("apps/read-api/settings", &form).await).await;
    assert_eq!(settings["read_fields"], json!(["email", "phone"]));

    let issue_key = "apps/read-api/issue-key";
    assert_eq!(
        viewer.call(issue_key, &form).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        stranger.call(issue_key, &form).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = call(
        &app,
        &viewer,
        "apps/read-api/read-fields",
        fields(json!(["email"])),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger
            .call("apps/read-api/settings", &form)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/contacts/c-own", Some(&key)).await.0,
        StatusCode::OK,
        "refused calls changed nothing"
    );
}

async fn ok(response: reqwest::Response) -> Value {
    crate::workspace_support::ok_json(response).await
}
