//! `switchboard sandbox` serves the sandbox on its own with the given options.

use crate::common::{free_port, Running};
use crate::sandbox_support;

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use sandbox_support::*;

#[tokio::test]
async fn the_standalone_sandbox_honours_its_options() {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["sandbox", "--addr", &format!("127.0.0.1:{port}")])
        .args([
            "--contacts",
            "40",
            "--seed",
            "3",
            "--client",
            "my-app:my-secret",
            "--locations",
            "5",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let _running = Running(child);
    switchboard::tls::install_crypto_provider();
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    eventually("the sandbox answers", || async {
        client
            .get(format!("{base}/_sandbox/locations"))
            .send()
            .await
            .is_ok()
    })
    .await;
    let (_, stats) = send(client.get(format!("{base}/_sandbox/stats"))).await;
    assert_eq!(stats["locations"][0]["contacts"], 40);
    let (_, locations) = send(client.get(format!("{base}/_sandbox/locations"))).await;
    let names: Vec<&str> = locations
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|location| location["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Riverside Fitness Club",
            "Harbor Tennis & Swim",
            "Summit Climbing Gym",
            "Riverside Fitness Club 4",
            "Harbor Tennis & Swim 5"
        ]
    );
    assert_eq!(stats["locations"][4]["contacts"], 4, "a tenth of the first");
    let form = [
        ("client_id", "my-app"),
        ("client_secret", "my-secret"),
        ("grant_type", "refresh_token"),
        ("refresh_token", "unknown"),
    ];
    let (status, body): (_, Value) =
        send(client.post(format!("{base}/oauth/token")).form(&form)).await;
    assert_eq!(status, 400, "the client is known, the refresh token is not");
    assert_eq!(body["error"], json!("invalid_grant"));
    let default_client = [
        ("client_id", "sandbox-client-id"),
        ("client_secret", "sandbox-client-secret"),
        ("grant_type", "refresh_token"),
        ("refresh_token", "unknown"),
    ];
    let (status, _) = send(
        client
            .post(format!("{base}/oauth/token"))
            .form(&default_client),
    )
    .await;
    assert_eq!(status, 401, "--client replaces the default client");
}
