//! Every response body of every operation the sandbox serves, validated with a
//! JSON-Schema validator against the response schema the official OpenAPI
//! document declares for that operation and status code.
//!
//! The documents' defects (see `src/sandbox/README.md`) are patched here, in
//! one place each, and nowhere else:
//! - `POST /contacts/search` declares no 200 schema: the one of spec commit
//!   83fb797 (`contacts.83fb797.json`) is used.
//! - `GET /contacts/search/duplicate` declares no 200 schema: `{contact}` is
//!   checked against `GetContectByIdSchema` (or null).
//! - `LocationTaskListSuccessfulResponseDto.tasks` items are typed as arrays:
//!   they are checked as objects.
//! - `CalendarEventDTO` types its times as `object`, its examples are strings:
//!   they are checked as strings.

use crate::support as sandbox_support;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use sandbox_support::*;

const SPEC_FILES: [(&str, &str); 8] = [
    ("contacts", "apps/contacts.json"),
    ("contacts-83fb797", "apps/contacts.83fb797.json"),
    ("locations", "apps/locations.json"),
    ("calendars", "apps/calendars.json"),
    ("users", "apps/users.json"),
    ("businesses", "apps/businesses.json"),
    ("oauth", "apps/oauth.json"),
    ("common", "common/common-schemas.json"),
];

struct Specs {
    documents: HashMap<&'static str, Value>,
    /// `(document, METHOD path)` of every operation checked.
    covered: BTreeSet<(String, String)>,
}

impl Specs {
    fn load() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ghl-api");
        let documents = SPEC_FILES
            .iter()
            .map(|(name, file)| {
                let text = std::fs::read_to_string(root.join(file)).expect("spec file");
                (*name, serde_json::from_str(&text).expect("spec JSON"))
            })
            .collect();
        Self {
            documents,
            covered: BTreeSet::new(),
        }
    }

    fn component(&self, document: &str, name: &str) -> Value {
        let found = &self.documents[document]["components"]["schemas"][name];
        assert!(!found.is_null(), "{document} has no schema {name}");
        self.inline(found, document, 0)
    }

    /// Resolves every `$ref` (same document or `../common/…`) in place.
    fn inline(&self, value: &Value, document: &str, depth: usize) -> Value {
        assert!(depth < 40, "reference cycle");
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    let (file, pointer) = reference.split_once('#').expect("a JSON pointer");
                    let target = if file.contains("common-schemas") {
                        "common"
                    } else {
                        document
                    };
                    let resolved = self.documents[target]
                        .pointer(pointer)
                        .expect("reference resolves");
                    return self.inline(resolved, target, depth + 1);
                }
                Value::Object(
                    map.iter()
                        .map(|(key, item)| (key.clone(), self.inline(item, document, depth + 1)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.inline(item, document, depth + 1))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The response schema the document declares for an operation.
    fn response_schema(
        &self,
        document: &str,
        method: &str,
        path: &str,
        status: StatusCode,
    ) -> Value {
        let operation = &self.documents[document]["paths"][path][method.to_lowercase()];
        assert!(!operation.is_null(), "{document} has no {method} {path}");
        let schema =
            &operation["responses"][status.as_str()]["content"]["application/json"]["schema"];
        patched(self, document, method, path, status, schema)
    }

    /// What is wrong with `body` by the documented schema.
    fn problems(
        &self,
        document: &str,
        method: &str,
        path: &str,
        status: StatusCode,
        body: &Value,
    ) -> Vec<String> {
        let schema = self.response_schema(document, method, path, status);
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        validator
            .iter_errors(body)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect()
    }

    /// Validates `body` and records the operation as covered.
    fn check(
        &mut self,
        document: &str,
        method: &str,
        path: &str,
        status: StatusCode,
        body: &Value,
    ) {
        let problems = self.problems(document, method, path, status, body);
        assert!(
            problems.is_empty(),
            "{method} {path} {status}: {problems:#?}\nbody: {body:#}"
        );
        if status.is_success() {
            self.covered
                .insert((document.to_owned(), format!("{method} {path}")));
        }
    }

    fn operations(&self, document: &str) -> BTreeSet<(String, String)> {
        let paths = self.documents[document]["paths"]
            .as_object()
            .expect("paths");
        paths
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .into_iter()
                    .flat_map(|ops| ops.keys())
                    .map(move |method| {
                        (
                            document.to_owned(),
                            format!("{} {path}", method.to_uppercase()),
                        )
                    })
            })
            .collect()
    }
}

/// Where the documents are wrong, the schema to check against instead.
fn patched(
    specs: &Specs,
    document: &str,
    method: &str,
    path: &str,
    status: StatusCode,
    declared: &Value,
) -> Value {
    match (document, method, path, status.as_u16()) {
        ("contacts", "POST", "/contacts/search", 200) => {
            specs.component("contacts-83fb797", "SearchContactSuccessResponseDto")
        }
        ("contacts", "GET", "/contacts/search/duplicate", 200) => json!({
            "type": "object",
            "required": ["contact"],
            "properties": {"contact": {"anyOf": [
                {"type": "null"},
                specs.component("contacts", "GetContectByIdSchema")
            ]}}
        }),
        ("locations", "POST", "/locations/{locationId}/tasks/search", 200) => {
            let mut schema = specs.inline(declared, document, 0);
            schema["properties"]["tasks"]["items"] = specs.component("contacts", "TaskSchema");
            schema
        }
        ("calendars", "GET", "/calendars/events", 200) => {
            let mut schema = specs.inline(declared, document, 0);
            let event = &mut schema["properties"]["events"]["items"]["properties"];
            for field in ["startTime", "endTime", "dateAdded", "dateUpdated"] {
                event[field] = json!({"type": "string"});
            }
            schema
        }
        ("calendars", "GET", "/calendars/events/appointments/{eventId}", 200) => {
            let mut schema = specs.inline(declared, document, 0);
            let event = &mut schema["properties"]["event"]["properties"];
            for field in ["startTime", "endTime", "dateAdded", "dateUpdated"] {
                event[field] = json!({"type": "string"});
            }
            schema
        }
        _ => {
            assert!(
                !declared.is_null(),
                "{method} {path} declares no {status} schema"
            );
            specs.inline(declared, document, 0)
        }
    }
}

/// Calls the sandbox and validates the answer against `document`.
async fn call(
    api: &Api,
    specs: &mut Specs,
    document: &str,
    (method, template, url): (&str, &str, String),
    token: &str,
    body: Option<Value>,
) -> Value {
    let version = if document == "calendars" {
        V_CALENDARS
    } else {
        V_CONTACTS
    };
    let mut request = api.versioned(
        Method::from_bytes(method.as_bytes()).unwrap(),
        &url,
        token,
        version,
    );
    if let Some(body) = body {
        request = request.json(&body);
    }
    let (status, answer) = send(request).await;
    specs.check(document, method, template, status, &answer);
    answer
}

#[tokio::test]
async fn every_contacts_operation_answers_in_its_documented_shape() {
    let api = start_with(switchboard_sandbox::SandboxConfig {
        burst_limit: 10_000,
        ..test_config()
    })
    .await;
    let token = api.full_token().await;
    let mut specs = Specs::load();
    let location = api.location_id.clone();
    let (_, businesses) = api
        .get(&format!("/businesses/?locationId={location}"), &token)
        .await;
    let business = businesses["businesses"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let created = call(&api, &mut specs, "contacts", ("POST", "/contacts/", "/contacts/".into()), &token,
        Some(json!({"locationId": location, "firstName": "Schema", "lastName": "Check", "email": "schema@example.com",
            "phone": "+15125550123", "tags": ["a"], "dateOfBirth": "1990-05-01",
            "dndSettings": {"SMS": {"status": "active", "message": "m", "code": "c"}}}))).await;
    let id = created["contact"]["id"].as_str().unwrap().to_owned();
    let c = |suffix: &str| format!("/contacts/{id}{suffix}");

    call(
        &api,
        &mut specs,
        "contacts",
        ("GET", "/contacts/{contactId}", c("")),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("PUT", "/contacts/{contactId}", c("")),
        &token,
        Some(json!({"city": "Austin"})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("POST", "/contacts/upsert", "/contacts/upsert".into()),
        &token,
        Some(
            json!({"locationId": location, "email": "schema@example.com", "lastName": "Upserted"}),
        ),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("POST", "/contacts/search", "/contacts/search".into()),
        &token,
        Some(json!({"locationId": location, "pageLimit": 20})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "GET",
            "/contacts/search/duplicate",
            format!("/contacts/search/duplicate?locationId={location}&email=schema%40example.com"),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "GET",
            "/contacts/",
            format!("/contacts/?locationId={location}&limit=30"),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "POST",
            "/contacts/bulk/business",
            "/contacts/bulk/business".into(),
        ),
        &token,
        Some(json!({"locationId": location, "ids": [id], "businessId": business})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "GET",
            "/contacts/business/{businessId}",
            format!("/contacts/business/{business}?locationId={location}"),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "POST",
            "/contacts/bulk/tags/update/{type}",
            "/contacts/bulk/tags/update/add".into(),
        ),
        &token,
        Some(json!({"locationId": location, "contacts": [id], "tags": ["bulk"]})),
    )
    .await;

    let task = call(&api, &mut specs, "contacts", ("POST", "/contacts/{contactId}/tasks", c("/tasks")), &token,
        Some(json!({"title": "T", "body": "B", "dueDate": "2026-07-01T10:00:00Z", "completed": false}))).await;
    let task_path = c(&format!("/tasks/{}", task["task"]["id"].as_str().unwrap()));
    call(
        &api,
        &mut specs,
        "contacts",
        ("GET", "/contacts/{contactId}/tasks", c("/tasks")),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "GET",
            "/contacts/{contactId}/tasks/{taskId}",
            task_path.clone(),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "PUT",
            "/contacts/{contactId}/tasks/{taskId}",
            task_path.clone(),
        ),
        &token,
        Some(json!({"title": "T2"})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "PUT",
            "/contacts/{contactId}/tasks/{taskId}/completed",
            format!("{task_path}/completed"),
        ),
        &token,
        Some(json!({"completed": true})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("DELETE", "/contacts/{contactId}/tasks/{taskId}", task_path),
        &token,
        None,
    )
    .await;

    let note = call(
        &api,
        &mut specs,
        "contacts",
        ("POST", "/contacts/{contactId}/notes", c("/notes")),
        &token,
        Some(json!({"body": "N", "title": "Title"})),
    )
    .await;
    let note_path = c(&format!("/notes/{}", note["note"]["id"].as_str().unwrap()));
    call(
        &api,
        &mut specs,
        "contacts",
        ("GET", "/contacts/{contactId}/notes", c("/notes")),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("GET", "/contacts/{contactId}/notes/{id}", note_path.clone()),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("PUT", "/contacts/{contactId}/notes/{id}", note_path.clone()),
        &token,
        Some(json!({"body": "N2"})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("DELETE", "/contacts/{contactId}/notes/{id}", note_path),
        &token,
        None,
    )
    .await;

    call(
        &api,
        &mut specs,
        "contacts",
        ("POST", "/contacts/{contactId}/tags", c("/tags")),
        &token,
        Some(json!({"tags": ["x"]})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("DELETE", "/contacts/{contactId}/tags", c("/tags")),
        &token,
        Some(json!({"tags": ["x"]})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("POST", "/contacts/{contactId}/followers", c("/followers")),
        &token,
        Some(json!({"followers": ["u"]})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        ("DELETE", "/contacts/{contactId}/followers", c("/followers")),
        &token,
        Some(json!({"followers": ["u"]})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "POST",
            "/contacts/{contactId}/campaigns/{campaignId}",
            c("/campaigns/k"),
        ),
        &token,
        Some(json!({})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "DELETE",
            "/contacts/{contactId}/campaigns/{campaignId}",
            c("/campaigns/k"),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "DELETE",
            "/contacts/{contactId}/campaigns/removeAll",
            c("/campaigns/removeAll"),
        ),
        &token,
        None,
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "POST",
            "/contacts/{contactId}/workflow/{workflowId}",
            c("/workflow/w"),
        ),
        &token,
        Some(json!({"eventStartTime": "2021-06-23T03:30:00+01:00"})),
    )
    .await;
    call(
        &api,
        &mut specs,
        "contacts",
        (
            "DELETE",
            "/contacts/{contactId}/workflow/{workflowId}",
            c("/workflow/w"),
        ),
        &token,
        Some(json!({})),
    )
    .await;

    let booked = api.contact_ids(&token, 60).await;
    for contact in &booked {
        call(
            &api,
            &mut specs,
            "contacts",
            (
                "GET",
                "/contacts/{contactId}/appointments",
                format!("/contacts/{contact}/appointments"),
            ),
            &token,
            None,
        )
        .await;
        call(
            &api,
            &mut specs,
            "contacts",
            (
                "GET",
                "/contacts/{contactId}",
                format!("/contacts/{contact}"),
            ),
            &token,
            None,
        )
        .await;
    }
    call(
        &api,
        &mut specs,
        "contacts",
        ("DELETE", "/contacts/{contactId}", c("")),
        &token,
        None,
    )
    .await;

    let missing: Vec<_> = specs
        .operations("contacts")
        .difference(&specs.covered)
        .cloned()
        .collect();
    assert!(missing.is_empty(), "operations not checked: {missing:?}");
    assert_eq!(specs.covered.len(), 32);
}

/// GET `url` and validate the answer against `template` of `document`.
async fn read(
    api: &Api,
    specs: &mut Specs,
    token: &str,
    document: &str,
    template: &str,
    url: String,
) -> Value {
    call(api, specs, document, ("GET", template, url), token, None).await
}

#[tokio::test]
async fn location_calendar_user_and_business_reads_answer_in_their_documented_shapes() {
    let api = start().await;
    let token = api.full_token().await;
    let specs = &mut Specs::load();
    let location = api.location_id.clone();
    let search = (
        "POST",
        "/locations/{locationId}/tasks/search",
        format!("/locations/{location}/tasks/search"),
    );
    call(
        &api,
        specs,
        "locations",
        search,
        &token,
        Some(json!({"limit": 100})),
    )
    .await;
    read(
        &api,
        specs,
        &token,
        "locations",
        "/locations/{locationId}",
        format!("/locations/{location}"),
    )
    .await;
    read(
        &api,
        specs,
        &token,
        "locations",
        "/locations/{locationId}/customFields",
        format!("/locations/{location}/customFields"),
    )
    .await;
    read(
        &api,
        specs,
        &token,
        "locations",
        "/locations/{locationId}/tags",
        format!("/locations/{location}/tags"),
    )
    .await;

    let calendars = read(
        &api,
        specs,
        &token,
        "calendars",
        "/calendars/",
        format!("/calendars/?locationId={location}"),
    )
    .await;
    let mut events = Vec::new();
    for calendar in calendars["calendars"].as_array().unwrap() {
        let id = calendar["id"].as_str().unwrap();
        let url = format!("/calendars/events?locationId={location}&calendarId={id}&startTime=0&endTime=4102444800000");
        let found = read(&api, specs, &token, "calendars", "/calendars/events", url).await;
        events.extend(found["events"].as_array().unwrap().clone());
    }
    assert!(!events.is_empty(), "events were checked");
    let event_id = events[0]["id"].as_str().unwrap();
    let url = format!("/calendars/events/appointments/{event_id}");
    let one = read(
        &api,
        specs,
        &token,
        "calendars",
        "/calendars/events/appointments/{eventId}",
        url,
    )
    .await;
    assert_eq!(one["event"]["id"], events[0]["id"]);

    let url = format!(
        "/users/search?companyId={}&locationId={location}",
        api.company_id
    );
    read(&api, specs, &token, "users", "/users/search", url).await;
    let users = read(
        &api,
        specs,
        &token,
        "users",
        "/users/",
        format!("/users/?locationId={location}"),
    )
    .await;
    let user = users["users"][0]["id"].as_str().unwrap();
    read(
        &api,
        specs,
        &token,
        "users",
        "/users/{userId}",
        format!("/users/{user}"),
    )
    .await;

    let businesses = read(
        &api,
        specs,
        &token,
        "businesses",
        "/businesses/",
        format!("/businesses/?locationId={location}"),
    )
    .await;
    let business = businesses["businesses"][0]["id"].as_str().unwrap();
    read(
        &api,
        specs,
        &token,
        "businesses",
        "/businesses/{businessId}",
        format!("/businesses/{business}"),
    )
    .await;
    assert_eq!(specs.covered.len(), 12, "{:?}", specs.covered);
}

#[tokio::test]
async fn error_answers_match_the_common_schemas() {
    let api = start().await;
    let token = api.full_token().await;
    let mut specs = Specs::load();
    let location = api.location_id.clone();
    let list = format!("/contacts/?locationId={location}");
    let (status, body) = send(api.client.get(api.url(&list)).bearer_auth(&token)).await;
    assert_eq!(status, 400);
    specs.check("contacts", "GET", "/contacts/", status, &body);
    let (status, body) = api.get(&list, "bad-token").await;
    assert_eq!(status, 401);
    specs.check("contacts", "GET", "/contacts/", status, &body);
    let (status, body) = api.post("/contacts/", &token, json!({})).await;
    assert_eq!(status, 422);
    specs.check("contacts", "POST", "/contacts/", status, &body);
    let (status, body) = api.get("/contacts/unknown-contact-id", &token).await;
    assert_eq!(status, 400);
    specs.check("contacts", "GET", "/contacts/{contactId}", status, &body);
    let form = [
        ("client_id", "sandbox-client-id"),
        ("client_secret", "nope"),
        ("grant_type", "refresh_token"),
    ];
    let (status, body) = send(api.client.post(api.url("/oauth/token")).form(&form)).await;
    assert_eq!(status, 401);
    specs.check("oauth", "POST", "/oauth/token", status, &body);
}

#[tokio::test]
async fn the_token_answer_matches_its_documented_shape() {
    let api = start().await;
    let mut specs = Specs::load();
    let consent = api
        .client
        .post(api.url("/oauth/chooselocation"))
        .form(&[
            ("client_id", "sandbox-client-id"),
            ("redirect_uri", CALLBACK),
            ("scope", "contacts.readonly"),
            ("location_id", api.location_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let form = [
        ("client_id", "sandbox-client-id"),
        ("client_secret", "sandbox-client-secret"),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    let (status, body) = send(api.client.post(api.url("/oauth/token")).form(&form)).await;
    assert_eq!(status, 200);
    specs.check("oauth", "POST", "/oauth/token", status, &body);
}

#[test]
fn the_validator_rejects_bodies_that_break_the_schema() {
    let specs = Specs::load();
    let ok = StatusCode::OK;
    let wrong_type = json!({"contact": {"id": 5, "tags": "not-a-list"}});
    assert_eq!(
        specs
            .problems("contacts", "GET", "/contacts/{contactId}", ok, &wrong_type)
            .len(),
        2
    );
    let missing_total = json!({"contacts": []});
    assert!(!specs
        .problems("contacts", "POST", "/contacts/search", ok, &missing_total)
        .is_empty());
    let bad_dnd = json!({"contact": {"dndSettings": {"SMS": {"status": "sometimes"}}}});
    assert!(!specs
        .problems("contacts", "GET", "/contacts/{contactId}", ok, &bad_dnd)
        .is_empty());
}
