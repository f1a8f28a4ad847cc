//! `POST /contacts/search`: filters, sort, page paging within 10,000 records
//! and `searchAfter` cursors.

use crate::support as sandbox_support;

use std::collections::HashSet;

use serde_json::{json, Value};
use switchboard_sandbox::SandboxConfig;

use sandbox_support::*;

fn ids(answer: &Value) -> Vec<String> {
    answer["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn filters_select_and_groups_combine() {
    let api = start().await;
    let token = api.full_token().await;
    let search = |filters: Value| json!({"locationId": api.location_id, "pageLimit": 500, "filters": filters});
    let (status, members) = api
        .post(
            "/contacts/search",
            &token,
            search(json!([{"field": "tags", "operator": "eq", "value": "member"}])),
        )
        .await;
    assert_eq!(status, 200);
    let members_total = members["total"].as_u64().unwrap();
    assert!(members_total > 0 && members_total < 60);
    assert!(members["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["tags"].as_array().unwrap().contains(&json!("member"))));

    let (_, leads) = api
        .post(
            "/contacts/search",
            &token,
            search(json!([{"field": "tags", "operator": "eq", "value": "lead"}])),
        )
        .await;
    let either = json!([{"group": "OR", "filters": [
        {"field": "tags", "operator": "eq", "value": "member"},
        {"field": "tags", "operator": "eq", "value": "lead"}
    ]}]);
    let (_, both) = api.post("/contacts/search", &token, search(either)).await;
    assert_eq!(
        both["total"].as_u64().unwrap(),
        members_total + leads["total"].as_u64().unwrap()
    );

    let first = members["contacts"][0]["firstNameLowerCase"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, named) = api
        .post(
            "/contacts/search",
            &token,
            search(json!([{"field": "firstNameLowerCase", "operator": "eq", "value": first}])),
        )
        .await;
    assert!(named["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["firstNameLowerCase"] == json!(first)));

    let (_, recent) = api
        .post(
            "/contacts/search",
            &token,
            search(json!([{"field": "dateAdded", "operator": "range", "value": {"gte": "2026-03-01T00:00:00Z"}}])),
        )
        .await;
    assert!(recent["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["dateAdded"].as_str().unwrap() >= "2026-03-01"));
    assert!(recent["total"].as_u64().unwrap() < 60);

    let (status, _) = api
        .post(
            "/contacts/search",
            &token,
            search(json!([{"field": "shoeSize", "operator": "eq", "value": 9}])),
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn sort_orders_results_and_page_paging_covers_every_record_once() {
    let api = start().await;
    let token = api.full_token().await;
    let sort = json!([{"field": "firstNameLowerCase", "direction": "asc"}]);
    let mut seen = Vec::new();
    for page in 1..=4 {
        let (status, answer) = api
            .post(
                "/contacts/search",
                &token,
                json!({"locationId": api.location_id, "pageLimit": 20, "page": page, "sort": sort}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(answer["total"], 60);
        for contact in answer["contacts"].as_array().unwrap() {
            seen.push(contact["firstNameLowerCase"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen.len(), 60);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}

#[tokio::test]
async fn search_after_walks_the_whole_location_without_repeats() {
    let api = start().await;
    let token = api.full_token().await;
    let mut cursor: Option<Value> = None;
    let mut seen = HashSet::new();
    loop {
        let mut body = json!({"locationId": api.location_id, "pageLimit": 7});
        if let Some(cursor) = &cursor {
            body["searchAfter"] = cursor.clone();
        }
        let (status, answer) = api.post("/contacts/search", &token, body).await;
        assert_eq!(status, 200);
        let page = answer["contacts"].as_array().unwrap();
        if page.is_empty() {
            break;
        }
        for id in ids(&answer) {
            assert!(seen.insert(id), "no repeats");
        }
        cursor = Some(page.last().unwrap()["searchAfter"].clone());
    }
    assert_eq!(seen.len(), 60);
}

#[tokio::test]
async fn page_paging_stops_at_ten_thousand_records() {
    let api = start_with(SandboxConfig {
        contacts: 10_050,
        ..test_config()
    })
    .await;
    let token = api.full_token().await;
    let body = |page: u64| json!({"locationId": api.location_id, "pageLimit": 500, "page": page});
    let (status, last_page) = api.post("/contacts/search", &token, body(20)).await;
    assert_eq!(status, 200);
    assert_eq!(last_page["total"], 10_050);
    let (status, answer) = api.post("/contacts/search", &token, body(21)).await;
    assert_eq!(status, 422);
    assert!(answer["message"][0]
        .as_str()
        .unwrap()
        .contains("searchAfter"));

    let cursor = last_page["contacts"][499]["searchAfter"].clone();
    let (status, beyond) = api
        .post(
            "/contacts/search",
            &token,
            json!({"locationId": api.location_id, "pageLimit": 500, "searchAfter": cursor}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(beyond["contacts"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn page_limit_and_cursor_rules_are_validated() {
    let api = start().await;
    let token = api.full_token().await;
    let cases = [
        json!({"locationId": api.location_id}),
        json!({"locationId": api.location_id, "pageLimit": 501}),
        json!({"locationId": api.location_id, "pageLimit": 5, "page": 1, "searchAfter": ["1", "x"]}),
        json!({"locationId": api.location_id, "pageLimit": 5, "searchAfter": ["not-a-date", "x"]}),
        json!({"locationId": api.location_id, "pageLimit": 5, "query": "x".repeat(76)}),
    ];
    for body in cases {
        let (status, answer) = api.post("/contacts/search", &token, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["message"].is_array());
    }
}

#[tokio::test]
async fn a_text_query_matches_names_and_emails() {
    let api = start().await;
    let token = api.full_token().await;
    let (_, all) = api
        .post(
            "/contacts/search",
            &token,
            json!({"locationId": api.location_id, "pageLimit": 1}),
        )
        .await;
    let email = all["contacts"][0]["email"].as_str().unwrap().to_owned();
    let (_, found) = api
        .post(
            "/contacts/search",
            &token,
            json!({"locationId": api.location_id, "pageLimit": 10, "query": email}),
        )
        .await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["contacts"][0]["email"], json!(email));
}
