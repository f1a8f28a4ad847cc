//! The contacts operations of the sandbox over HTTP: CRUD, upsert, duplicate
//! search, the deprecated list, tags, followers, campaigns, workflows, bulk
//! operations, tasks, notes and appointments.

use crate::support as sandbox_support;

use std::collections::HashSet;

use serde_json::{json, Value};

use sandbox_support::*;

#[tokio::test]
async fn a_contact_is_created_read_updated_and_deleted() {
    let api = start().await;
    let token = api.full_token().await;
    let (status, created) = api
        .post(
            "/contacts/",
            &token,
            json!({
                "locationId": api.location_id,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "email": "Ada@Example.com",
                "phone": "+15125550100",
                "tags": ["Trial", "trial", "yoga"],
                "source": "api",
            }),
        )
        .await;
    assert_eq!(status, 201);
    let contact = &created["contact"];
    let id = contact["id"].as_str().unwrap().to_owned();
    assert_eq!(contact["firstNameLowerCase"], "ada");
    assert_eq!(contact["emailLowerCase"], "ada@example.com");
    assert_eq!(contact["tags"], json!(["trial", "yoga"]));

    let (status, read) = api.get(&format!("/contacts/{id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(read["contact"]["name"], "Ada Lovelace");

    let (status, updated) = api
        .put(
            &format!("/contacts/{id}"),
            &token,
            json!({"city": "London", "tags": ["vip"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["succeded"], true);
    assert_eq!(updated["contact"]["city"], "London");
    assert_eq!(updated["contact"]["tags"], json!(["vip"]), "tags overwrite");

    let (status, deleted) = api.delete(&format!("/contacts/{id}"), &token, None).await;
    assert_eq!(
        (status.as_u16(), deleted["succeded"].clone()),
        (200, json!(true))
    );
    let (status, _) = api.get(&format!("/contacts/{id}"), &token).await;
    assert_eq!(
        status, 400,
        "the contacts spec documents 400 for unknown ids"
    );
}

#[tokio::test]
async fn a_second_contact_with_the_same_email_is_refused() {
    let api = start().await;
    let token = api.full_token().await;
    let body = json!({"locationId": api.location_id, "email": "twin@example.com"});
    assert_eq!(api.post("/contacts/", &token, body.clone()).await.0, 201);
    let (status, answer) = api.post("/contacts/", &token, body).await;
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("duplicated"));
}

#[tokio::test]
async fn upsert_creates_then_updates_by_email_and_returns_a_trace_id() {
    let api = start().await;
    let token = api.full_token().await;
    let body = json!({"locationId": api.location_id, "email": "up@example.com", "firstName": "Up"});
    let (status, first) = api.post("/contacts/upsert", &token, body).await;
    assert_eq!(status, 200);
    assert_eq!(first["new"], true);
    assert!(first["traceId"].as_str().is_some_and(|t| !t.is_empty()));
    let again =
        json!({"locationId": api.location_id, "email": "UP@example.com", "lastName": "Again"});
    let (_, second) = api.post("/contacts/upsert", &token, again).await;
    assert_eq!(second["new"], false);
    assert_eq!(second["contact"]["id"], first["contact"]["id"]);
    assert_eq!(second["contact"]["firstName"], "Up");
    assert_eq!(second["contact"]["lastName"], "Again");
}

#[tokio::test]
async fn duplicate_search_finds_by_email_or_phone() {
    let api = start().await;
    let token = api.full_token().await;
    let (_, created) = api
        .post(
            "/contacts/",
            &token,
            json!({"locationId": api.location_id, "email": "dup@example.com", "phone": "+15125550199"}),
        )
        .await;
    let id = created["contact"]["id"].clone();
    let by_email = format!(
        "/contacts/search/duplicate?locationId={}&email=dup%40example.com",
        api.location_id
    );
    assert_eq!(api.get(&by_email, &token).await.1["contact"]["id"], id);
    let by_phone = format!(
        "/contacts/search/duplicate?locationId={}&number=%2B15125550199",
        api.location_id
    );
    assert_eq!(api.get(&by_phone, &token).await.1["contact"]["id"], id);
    let none = format!(
        "/contacts/search/duplicate?locationId={}&email=nobody%40example.com",
        api.location_id
    );
    assert_eq!(api.get(&none, &token).await.1["contact"], Value::Null);
}

#[tokio::test]
async fn the_deprecated_list_pages_with_start_after_and_meta() {
    let api = start().await;
    let token = api.full_token().await;
    let mut seen = HashSet::new();
    let mut path = format!("/contacts/?locationId={}&limit=25", api.location_id);
    let mut pages = 0;
    loop {
        let (status, page) = api.get(&path, &token).await;
        assert_eq!(status, 200);
        assert_eq!(page["count"], 60);
        assert_eq!(page["meta"]["total"], 60);
        for contact in page["contacts"].as_array().unwrap() {
            assert!(
                seen.insert(contact["id"].as_str().unwrap().to_owned()),
                "no repeats"
            );
        }
        pages += 1;
        let meta = &page["meta"];
        if meta["nextPage"].is_null() {
            assert!(meta["nextPageUrl"].is_null());
            break;
        }
        assert!(meta["nextPageUrl"]
            .as_str()
            .unwrap()
            .contains("startAfterId="));
        path = format!(
            "/contacts/?locationId={}&limit=25&startAfter={}&startAfterId={}",
            api.location_id,
            meta["startAfter"],
            meta["startAfterId"].as_str().unwrap()
        );
    }
    assert_eq!((pages, seen.len()), (3, 60));
    let too_many = format!("/contacts/?locationId={}&limit=101", api.location_id);
    assert_eq!(api.get(&too_many, &token).await.0, 422);
}

#[tokio::test]
async fn tags_are_added_and_removed() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let path = format!("/contacts/{id}/tags");
    let (status, added) = api.post(&path, &token, json!({"tags": ["zumba"]})).await;
    assert_eq!(status, 201);
    assert!(added["tags"].as_array().unwrap().contains(&json!("zumba")));
    let (status, removed) = api
        .delete(&path, &token, Some(json!({"tags": ["zumba"]})))
        .await;
    assert_eq!(status, 200);
    assert!(!removed["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("zumba")));
    let (_, tags) = api
        .get(&format!("/locations/{}/tags", api.location_id), &token)
        .await;
    assert!(tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "zumba"));
}

#[tokio::test]
async fn bulk_tag_and_business_updates_apply_to_every_contact() {
    let api = start().await;
    let token = api.full_token().await;
    let ids = api.contact_ids(&token, 3).await;
    let mut body = json!({"locationId": api.location_id, "contacts": ids, "tags": ["bulk-a"]});
    body["contacts"]
        .as_array_mut()
        .unwrap()
        .push(json!("missing-contact"));
    let (status, answer) = api
        .post("/contacts/bulk/tags/update/add", &token, body)
        .await;
    assert_eq!(status, 201);
    assert_eq!(answer["errorCount"], 1);
    assert_eq!(answer["succeded"], false);
    for id in &ids {
        let (_, contact) = api.get(&format!("/contacts/{id}"), &token).await;
        assert!(contact["contact"]["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("bulk-a")));
    }
    let (status, _) = api
        .post("/contacts/bulk/tags/update/sideways", &token, json!({}))
        .await;
    assert_eq!(status, 422);

    let (_, businesses) = api
        .get(
            &format!("/businesses/?locationId={}", api.location_id),
            &token,
        )
        .await;
    let business = businesses["businesses"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer) = api
        .post(
            "/contacts/bulk/business",
            &token,
            json!({"locationId": api.location_id, "ids": ids, "businessId": business}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["ids"].as_array().unwrap().len(), 3);
    let by_business = format!(
        "/contacts/business/{business}?locationId={}&limit=100",
        api.location_id
    );
    let (_, listed) = api.get(&by_business, &token).await;
    let listed: Vec<&str> = listed["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| listed.contains(&id.as_str())));
}

#[tokio::test]
async fn followers_campaigns_and_workflows_answer_as_documented() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let followers = format!("/contacts/{id}/followers");
    let (status, added) = api
        .post(&followers, &token, json!({"followers": ["u1", "u2"]}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(added["followersAdded"], json!(["u1", "u2"]));
    let (status, removed) = api
        .delete(&followers, &token, Some(json!({"followers": ["u1"]})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(removed["followers"], json!(["u2"]));
    assert_eq!(removed["followersRemoved"], json!(["u1"]));

    let (status, body) = api
        .post(&format!("/contacts/{id}/campaigns/c1"), &token, json!({}))
        .await;
    assert_eq!(
        (status.as_u16(), body["succeded"].clone()),
        (201, json!(true))
    );
    let (status, _) = api
        .delete(&format!("/contacts/{id}/campaigns/c1"), &token, None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = api
        .delete(&format!("/contacts/{id}/campaigns/removeAll"), &token, None)
        .await;
    assert_eq!(status, 200);
    let workflow = format!("/contacts/{id}/workflow/w1");
    let start_time = json!({"eventStartTime": "2021-06-23T03:30:00+01:00"});
    let (status, body) = api.post(&workflow, &token, start_time.clone()).await;
    assert_eq!(
        (status.as_u16(), body["succeded"].clone()),
        (200, json!(true))
    );
    assert_eq!(api.delete(&workflow, &token, Some(start_time)).await.0, 200);
    let (status, _) = api
        .post(&workflow, &token, json!({"eventStartTime": "soon"}))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn tasks_go_through_their_life_cycle() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let tasks = format!("/contacts/{id}/tasks");
    let (_, before) = api.get(&tasks, &token).await;
    let count = before["tasks"].as_array().unwrap().len();
    let (status, created) = api
        .post(
            &tasks,
            &token,
            json!({"title": "Call back", "dueDate": "2026-07-01T10:00:00Z", "completed": false}),
        )
        .await;
    assert_eq!(status, 201);
    let task_id = created["task"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["task"]["contactId"], json!(id));
    let (_, after) = api.get(&tasks, &token).await;
    assert_eq!(after["tasks"].as_array().unwrap().len(), count + 1);
    let one = format!("{tasks}/{task_id}");
    let (status, updated) = api
        .put(&one, &token, json!({"title": "Call back today"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["task"]["title"], "Call back today");
    let (status, done) = api
        .put(
            &format!("{one}/completed"),
            &token,
            json!({"completed": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(done["task"]["completed"], true);
    assert_eq!(api.get(&one, &token).await.1["task"]["completed"], true);
    let (status, deleted) = api.delete(&one, &token, None).await;
    assert_eq!(
        (status.as_u16(), deleted["succeded"].clone()),
        (200, json!(true))
    );
    assert_eq!(api.get(&one, &token).await.0, 400);
}

#[tokio::test]
async fn notes_go_through_their_life_cycle() {
    let api = start().await;
    let token = api.full_token().await;
    let id = &api.contact_ids(&token, 1).await[0];
    let notes = format!("/contacts/{id}/notes");
    let (status, created) = api
        .post(&notes, &token, json!({"body": "Loves spin class"}))
        .await;
    assert_eq!(status, 201);
    let note_id = created["note"]["id"].as_str().unwrap().to_owned();
    let one = format!("{notes}/{note_id}");
    assert_eq!(
        api.get(&one, &token).await.1["note"]["body"],
        "Loves spin class"
    );
    let (status, updated) = api
        .put(&one, &token, json!({"body": "Loves yoga", "pinned": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["note"]["pinned"], true);
    let (_, all) = api.get(&notes, &token).await;
    assert!(all["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["body"] == "Loves yoga"));
    assert_eq!(api.delete(&one, &token, None).await.1["succeded"], true);
    assert_eq!(api.get(&one, &token).await.0, 400);
    assert_eq!(api.post(&notes, &token, json!({})).await.0, 422);
}

#[tokio::test]
async fn location_task_search_filters_and_pages() {
    let api = start().await;
    let token = api.full_token().await;
    let path = format!("/locations/{}/tasks/search", api.location_id);
    let (status, open) = api
        .post(&path, &token, json!({"completed": false, "limit": 500}))
        .await;
    assert_eq!(status, 200);
    let open = open["tasks"].as_array().unwrap().clone();
    assert!(!open.is_empty());
    assert!(open.iter().all(|t| t["completed"] == false));
    let (_, done) = api
        .post(&path, &token, json!({"completed": true, "limit": 500}))
        .await;
    assert!(!done["tasks"].as_array().unwrap().is_empty());
    let (_, first) = api.post(&path, &token, json!({"limit": 2})).await;
    let (_, second) = api
        .post(&path, &token, json!({"limit": 2, "skip": 2}))
        .await;
    assert_eq!(first["tasks"].as_array().unwrap().len(), 2);
    assert_ne!(first["tasks"][0]["id"], second["tasks"][0]["id"]);
    let contact = open[0]["contactId"].clone();
    let (_, of_contact) = api
        .post(&path, &token, json!({"contactId": [contact], "limit": 500}))
        .await;
    assert!(of_contact["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["contactId"] == contact));
}

#[tokio::test]
async fn appointments_of_a_contact_and_calendar_events_agree() {
    let api = start().await;
    let token = api.full_token().await;
    let (_, calendars) = send(api.versioned(
        reqwest::Method::GET,
        &format!("/calendars/?locationId={}", api.location_id),
        &token,
        V_CALENDARS,
    ))
    .await;
    let calendars = calendars["calendars"].as_array().unwrap().clone();
    assert_eq!(calendars.len(), 3);
    let mut events = Vec::new();
    for calendar in &calendars {
        let path = format!(
            "/calendars/events?locationId={}&calendarId={}&startTime=0&endTime=4102444800000",
            api.location_id,
            calendar["id"].as_str().unwrap()
        );
        let (status, found) =
            send(api.versioned(reqwest::Method::GET, &path, &token, V_CALENDARS)).await;
        assert_eq!(status, 200);
        events.extend(found["events"].as_array().unwrap().clone());
    }
    assert!(
        events.len() >= 15,
        "about half a booking per contact: {}",
        events.len()
    );
    let event = &events[0];
    let contact = event["contactId"].as_str().unwrap();
    let (status, of_contact) = api
        .get(&format!("/contacts/{contact}/appointments"), &token)
        .await;
    assert_eq!(status, 200);
    assert!(of_contact["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == event["id"]));
    let missing_filter = format!(
        "/calendars/events?locationId={}&startTime=0&endTime=1",
        api.location_id
    );
    let (status, _) =
        send(api.versioned(reqwest::Method::GET, &missing_filter, &token, V_CALENDARS)).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn users_custom_fields_and_businesses_of_the_location() {
    let api = start().await;
    let token = api.full_token().await;
    let search = format!(
        "/users/search?companyId={}&locationId={}",
        api.company_id, api.location_id
    );
    let (status, users) = api.get(&search, &token).await;
    assert_eq!(status, 200);
    assert_eq!(users["count"], 5);
    let (_, listed) = api
        .get(&format!("/users/?locationId={}", api.location_id), &token)
        .await;
    assert_eq!(listed["users"].as_array().unwrap().len(), 5);
    let (_, fields) = api
        .get(
            &format!("/locations/{}/customFields", api.location_id),
            &token,
        )
        .await;
    let fields = fields["customFields"].as_array().unwrap().clone();
    assert!(fields.iter().any(|f| f["name"] == "Membership Plan"));
    let (_, businesses) = api
        .get(
            &format!("/businesses/?locationId={}", api.location_id),
            &token,
        )
        .await;
    let business = &businesses["businesses"][0];
    let (status, one) = api
        .get(
            &format!("/businesses/{}", business["id"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["business"]["name"], business["name"]);

    let id = &api.contact_ids(&token, 1).await[0];
    let plan = fields
        .iter()
        .find(|f| f["name"] == "Membership Plan")
        .unwrap();
    let (_, updated) = api
        .put(
            &format!("/contacts/{id}"),
            &token,
            json!({"customFields": [{"id": plan["id"], "field_value": "Premium"}]}),
        )
        .await;
    let custom = updated["contact"]["customFields"].as_array().unwrap();
    assert!(custom
        .iter()
        .any(|f| f["id"] == plan["id"] && f["value"] == "Premium"));
}
