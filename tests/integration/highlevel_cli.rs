//! `switchboard api` run as a separate process against the sandbox.

use crate::common;
use crate::sandbox_support;

use std::process::Output;

use serde_json::Value;
use tokio::process::Command;

async fn api_command(base_url: &str, token: &str, location: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("api")
        .args([
            "--base-url",
            base_url,
            "--token",
            token,
            "--location",
            location,
        ])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("HIGHLEVEL_TOKEN")
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the command runs")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[tokio::test]
async fn a_read_and_a_write_print_the_answer() {
    let api = sandbox_support::start().await;
    let token = api.full_token().await;
    let contact_id = api.contact_ids(&token, 1).await.remove(0);

    let read = api_command(
        &api.base,
        &token,
        &api.location_id,
        &["get-contact", "--param", &format!("contactId={contact_id}")],
    )
    .await;
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(stdout_json(&read)["contact"]["id"], contact_id.as_str());

    let body = String::from(
        r#"{"title":"Call from the shell","dueDate":"2026-12-01T10:00:00Z","completed":false}"#,
    );
    let write = api_command(
        &api.base,
        &token,
        &api.location_id,
        &[
            "create-task",
            "--param",
            &format!("contactId={contact_id}"),
            "--body",
            &body,
        ],
    )
    .await;
    assert!(
        write.status.success(),
        "{}",
        String::from_utf8_lossy(&write.stderr)
    );
    assert_eq!(stdout_json(&write)["task"]["title"], "Call from the shell");
    let ledger = api.ledger().await;
    let created: Vec<_> = ledger
        .iter()
        .filter(|entry| entry["path"] == format!("/contacts/{contact_id}/tasks").as_str())
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["body"]["title"], "Call from the shell");
}

#[tokio::test]
async fn the_location_fills_the_body_and_the_query() {
    let api = sandbox_support::start().await;
    let token = api.full_token().await;
    let created = api_command(
        &api.base,
        &token,
        &api.location_id,
        &[
            "create-contact",
            "--body",
            r#"{"firstName":"Shell","email":"shell@example.com"}"#,
        ],
    )
    .await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert_eq!(
        stdout_json(&created)["contact"]["locationId"],
        api.location_id.as_str()
    );
    let listed = api_command(
        &api.base,
        &token,
        &api.location_id,
        &["get-contacts", "--param", "limit=2"],
    )
    .await;
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert_eq!(
        stdout_json(&listed)["contacts"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn a_refused_write_exits_non_zero_in_plain_words() {
    let api = sandbox_support::start().await;
    let token = api.token(&["contacts.readonly"]).await;
    let contact_id = api.contact_ids(&token, 1).await.remove(0);
    let output = api_command(
        &api.base,
        &token,
        &api.location_id,
        &[
            "add-tags",
            "--param",
            &format!("contactId={contact_id}"),
            "--body",
            r#"{"tags":["x"]}"#,
        ],
    )
    .await;
    assert!(!output.status.success());
    assert!(
        output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not allowed") && stderr.contains("contacts.write"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token), "the token was printed");
}

#[tokio::test]
async fn the_catalogue_is_listed_without_a_token() {
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["api", "--list"])
        .env_remove("HIGHLEVEL_TOKEN")
        .output()
        .await
        .expect("the command runs");
    assert!(output.status.success());
    let listing = String::from_utf8_lossy(&output.stdout);
    for operation in [
        "get-contact",
        "create-task",
        "search-contacts-advanced",
        "get-calendar-events",
    ] {
        assert!(
            listing.contains(operation),
            "{operation} missing from\n{listing}"
        );
    }
}

#[tokio::test]
async fn with_a_database_the_command_shares_the_budget_and_logs() {
    let api = sandbox_support::start().await;
    let token = api.full_token().await;
    let (database_url, _) = common::test_db_url().await;
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("api")
        .args([
            "--base-url",
            &api.base,
            "--token",
            &token,
            "--location",
            &api.location_id,
        ])
        .arg("get-location-tags")
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("the command runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout_json(&output)["tags"].is_array());
    let pool = switchboard::db::connect(&database_url, 1)
        .await
        .expect("pool");
    let logged: Vec<(String, Option<i16>)> =
        sqlx::query_as("SELECT operation_id, status FROM highlevel_request_log")
            .fetch_all(&pool)
            .await
            .expect("request log");
    assert_eq!(logged, [("get-location-tags".to_owned(), Some(200))]);
    let used: i32 =
        sqlx::query_scalar("SELECT day_used FROM highlevel_rate_budget WHERE location_id = $1")
            .bind(&api.location_id)
            .fetch_one(&pool)
            .await
            .expect("budget row");
    assert!(used >= 1, "{used}");
}
