//! Paged lists as streams: they end after the last page, and a cursor that
//! does not advance ends them with an error instead of a loop.

use crate::sandbox_support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{json, Value};
use switchboard::highlevel::models::{SearchContacts, TaskSearch};
use switchboard::highlevel::{
    ContactsPage, HighLevelClient, HighLevelError, RetryPolicy, StaticToken,
};

fn client(base_url: &str, token: &str) -> HighLevelClient {
    HighLevelClient::builder(base_url, StaticToken::new(SecretString::from(token)))
        .retry(RetryPolicy::never())
        .build()
        .expect("client")
}

/// A server that answers every page with the same full page: a stuck cursor.
async fn stuck_server() -> (String, Arc<AtomicUsize>) {
    async fn search(State(hits): State<Arc<AtomicUsize>>) -> Json<Value> {
        hits.fetch_add(1, Ordering::SeqCst);
        let contacts: Vec<Value> = (0..2)
            .map(|i| json!({"id": format!("c{i}"), "searchAfter": [1, "c1"]}))
            .collect();
        Json(json!({"contacts": contacts, "total": 1000}))
    }
    async fn list(State(hits): State<Arc<AtomicUsize>>) -> Json<Value> {
        hits.fetch_add(1, Ordering::SeqCst);
        let contacts: Vec<Value> = (0..2).map(|i| json!({"id": format!("c{i}")})).collect();
        Json(json!({"contacts": contacts, "count": 1000,
                    "meta": {"startAfterId": "c1", "startAfter": 1700000000000_i64}}))
    }
    async fn tasks(State(hits): State<Arc<AtomicUsize>>) -> Json<Value> {
        hits.fetch_add(1, Ordering::SeqCst);
        Json(json!({"tasks": [{"id": "t0"}, {"id": "t1"}]}))
    }
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/contacts/search", post(search))
        .route("/contacts/", get(list))
        .route("/locations/{location_id}/tasks/search", post(tasks))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), hits)
}

fn is_stuck<T: std::fmt::Debug>(outcome: &Result<T, HighLevelError>) -> bool {
    matches!(outcome, Err(HighLevelError::CursorStuck { .. }))
}

#[tokio::test]
async fn a_search_cursor_that_repeats_ends_the_stream_with_an_error() {
    let (base, hits) = stuck_server().await;
    let client = client(&base, "t");
    let search = SearchContacts {
        location_id: "loc".into(),
        page_limit: 2,
        ..SearchContacts::default()
    };
    let outcome: Result<Vec<_>, _> = client
        .search_contacts_all("loc", search)
        .try_collect()
        .await;
    assert!(is_stuck(&outcome), "{outcome:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_list_cursor_that_repeats_ends_the_stream_with_an_error() {
    let (base, hits) = stuck_server().await;
    let client = client(&base, "t");
    let first = ContactsPage {
        limit: Some(2),
        ..ContactsPage::default()
    };
    let outcome: Result<Vec<_>, _> = client.list_contacts_all("loc", first).try_collect().await;
    assert!(is_stuck(&outcome), "{outcome:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_task_search_that_ignores_skip_ends_the_stream_with_an_error() {
    let (base, hits) = stuck_server().await;
    let client = client(&base, "t");
    let search = TaskSearch {
        limit: Some(2),
        ..TaskSearch::default()
    };
    let outcome: Result<Vec<_>, _> = client.search_tasks_all("loc", search).try_collect().await;
    assert!(is_stuck(&outcome), "{outcome:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn every_contact_of_the_sandbox_comes_once_through_each_stream() {
    let api = sandbox_support::start().await;
    let token = api.full_token().await;
    let client = client(&api.base, &token);
    let search = SearchContacts {
        location_id: api.location_id.clone(),
        page_limit: 7,
        ..SearchContacts::default()
    };
    let searched: Vec<_> = client
        .search_contacts_all(&api.location_id, search)
        .try_collect()
        .await
        .expect("search pages");
    let ids: HashSet<_> = searched.iter().map(|c| c.id.clone()).collect();
    assert_eq!((searched.len(), ids.len()), (60, 60));

    let first = ContactsPage {
        limit: Some(9),
        ..ContactsPage::default()
    };
    let listed: Vec<_> = client
        .list_contacts_all(&api.location_id, first)
        .try_collect()
        .await
        .expect("list pages");
    let listed_ids: HashSet<_> = listed.iter().map(|c| c.id.clone()).collect();
    assert_eq!(listed_ids, ids);

    let all_tasks = client
        .task_search(
            &api.location_id,
            &TaskSearch {
                limit: Some(1000),
                ..TaskSearch::default()
            },
        )
        .await
        .expect("one big page")
        .tasks;
    let search = TaskSearch {
        limit: Some(4),
        ..TaskSearch::default()
    };
    let paged: Vec<_> = client
        .search_tasks_all(&api.location_id, search)
        .try_collect()
        .await
        .expect("task pages");
    assert!(!all_tasks.is_empty());
    assert_eq!(paged, all_tasks);
}
