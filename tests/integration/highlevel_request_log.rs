//! The request log: what each attempt was and how it went, never a secret.

use crate::common;
use crate::sandbox_support;

use std::time::Duration;

use secrecy::SecretString;
use switchboard::highlevel::{
    ContactsPage, HighLevelClient, RateBudget, RateLimiter, RequestLog, RequestRecord, StaticToken,
};

#[tokio::test]
async fn the_log_keeps_what_happened_and_no_secret() {
    let api = sandbox_support::start().await;
    let pool = common::test_db().await;
    let token = api.token(&["contacts.readonly"]).await;
    let log = RequestLog::new(pool.clone());
    let hl = HighLevelClient::builder(
        &api.base,
        StaticToken::new(SecretString::from(token.clone())),
    )
    .rate_limiter(RateLimiter::shared(pool.clone(), RateBudget::default()))
    .request_log(log.clone())
    .build()
    .expect("client");
    let page = ContactsPage {
        query: Some("someone@example.com".into()),
        limit: Some(3),
        ..ContactsPage::default()
    };
    hl.get_contacts(&api.location_id, &page)
        .await
        .expect("a read");
    let refused = hl.get_location_tags(&api.location_id).await;
    assert!(refused.is_err());

    let entries = log.recent(&api.location_id, 10).await.expect("entries");
    let summary: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e.operation_id.as_str(),
                e.method.as_str(),
                e.status,
                e.error_kind.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("get-location-tags", "GET", Some(403), Some("missing_scope")),
            ("get-contacts", "GET", Some(200), None),
        ]
    );
    assert_eq!(entries[1].path, "/contacts/");
    assert!(entries
        .iter()
        .all(|e| e.trace_id.as_deref().is_some_and(|t| !t.is_empty())));

    let everything: Vec<String> = sqlx::query_scalar("SELECT l::text FROM highlevel_request_log l")
        .fetch_all(&pool)
        .await
        .expect("rows as text");
    let everything = everything.join("\n");
    assert!(!everything.contains(&token), "the token was logged");
    assert!(
        !everything.contains("someone@example.com"),
        "a query string was logged"
    );
    assert!(!everything.to_ascii_lowercase().contains("bearer"));
}

#[tokio::test]
async fn pruning_removes_only_entries_past_the_retention() {
    let pool = common::test_db().await;
    let log = RequestLog::new(pool.clone()).with_retention(Duration::from_secs(86_400));
    let record = RequestRecord {
        location_id: "loc".into(),
        operation_id: "get-contact".into(),
        method: "GET".into(),
        path: "/contacts/abc".into(),
        status: Some(200),
        latency: Duration::from_millis(12),
        attempt: 1,
        trace_id: None,
        error_kind: None,
    };
    log.record(&record).await.expect("recent entry");
    log.record(&record).await.expect("entry to age");
    sqlx::query(
        "UPDATE highlevel_request_log SET sent_at = now() - interval '2 days' \
         WHERE id = (SELECT max(id) FROM highlevel_request_log)",
    )
    .execute(&pool)
    .await
    .expect("backdate");
    assert_eq!(log.prune().await.expect("prune"), 1);
    assert_eq!(log.recent("loc", 10).await.expect("entries").len(), 1);
}
