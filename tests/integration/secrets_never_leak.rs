//! A full run of the real server in sandbox mode, with debug logging: after
//! signing in, opening every page and reading through the Read API with an
//! app's key, no token, client secret or key appears in its logs, its pages
//! or its later answers.

use crate::common;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::browser::{demo_people, Browser};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use secrecy::ExposeSecret;
use switchboard::apps::connections::store::{self, NewConnection};
use switchboard::apps::connections::{EventTypeFrom, Signing};
use switchboard::auth::accounts::token_context;
use switchboard::auth::vault::Vault;

const PAGES: [&str; 8] = [
    "/",
    "/contacts",
    "/tasks",
    "/appointments",
    "/automations",
    "/connections",
    "/settings",
    "/signin",
];
const SERVER_FUNCTIONS: [&str; 5] = [
    "session/current-user",
    "connections/list",
    "team/members",
    "system/installation",
    "system/highlevel-mode",
];

#[tokio::test]
async fn no_secret_reaches_logs_pages_or_server_function_answers() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("server.log");
    let (mut server, base) = start_server(data.path(), &log_path).await;

    let (location_id, users) = demo_people(&base).await;
    let browser = Browser::new(&base);
    let consent = browser.start_sign_in(true).await;
    browser.consent(&consent, &location_id, &users[0]).await;
    let mut seen = String::new();
    for page in PAGES {
        seen += &browser.page(page).await;
    }
    for endpoint in SERVER_FUNCTIONS {
        seen += &browser.call(endpoint, &[]).await.text().await.unwrap();
    }
    let pool = server_database(&log_path).await;
    let (key, answers) = read_with_a_key(&browser, &base, &pool, data.path(), &location_id).await;
    seen += &answers;
    let mut secrets = stored_secrets(&pool, data.path(), &location_id).await;
    secrets.push(("Read API key", key));
    pool.close().await;

    kill(Pid::from_raw(server.0.id() as i32), Signal::SIGTERM).unwrap();
    server.0.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(logs.contains("signed in"), "the run was logged");
    for (what, secret) in &secrets {
        assert!(secret.len() >= 16, "{what} is a real secret");
        assert!(
            !logs.contains(secret.as_str()),
            "the {what} appears in the logs"
        );
        assert!(
            !seen.contains(secret.as_str()),
            "the {what} appears in a page or answer"
        );
    }
}

/// Kills the server if the test fails before stopping it.
struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the server on a free port, with debug logs to `log_path`, and
/// waits until it answers `/healthz`. The port is found by binding and
/// releasing it, so the server's embedded Postgres can take it first; the
/// server then cannot listen and is started again on another port. Any
/// other failure shows the server's log.
async fn start_server(data: &Path, log_path: &Path) -> (StopOnDrop, String) {
    for _ in 0..3 {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .to_string();
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(log_path)
            .unwrap();
        let server = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .env_remove("DATABASE_URL")
            .env_remove("HIGHLEVEL_CLIENT_ID")
            .env("SWITCHBOARD_DATA_DIR", data)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("SWITCHBOARD_SANDBOX_CONTACTS", "50")
            .env("RUST_LOG", "debug")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = StopOnDrop(server);
        let base = format!("http://{addr}");
        if wait_until_healthy(&base, &mut server.0).await {
            return (server, base);
        }
        let logs = std::fs::read_to_string(log_path).unwrap_or_default();
        assert!(
            server.0.try_wait().unwrap().is_some(),
            "the server did not answer /healthz within 60 s:\n{logs}"
        );
        assert!(
            logs.contains("listening on"),
            "the server stopped before it was ready:\n{logs}"
        );
    }
    panic!("the server found no free port in three tries");
}

/// True once the server is healthy; false if it exits first or stays
/// unhealthy for a minute.
async fn wait_until_healthy(base: &str, server: &mut std::process::Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !common::http()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
    {
        if server.try_wait().unwrap().is_some() || Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    true
}

/// The server's embedded Postgres, found by the port its log names.
async fn server_database(log_path: &Path) -> sqlx::PgPool {
    let logs = std::fs::read_to_string(log_path).unwrap();
    let port = logs
        .lines()
        .find(|line| line.contains("embedded Postgres is ready"))
        .and_then(|line| line.split("port=").nth(1))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|port| port.parse::<u16>().ok())
        .expect("the log names the embedded Postgres port");
    switchboard::db::connect(
        &format!("postgres://postgres@127.0.0.1:{port}/switchboard"),
        1,
    )
    .await
    .unwrap()
}

/// An app connection of the team whose key the signed-in owner issues,
/// then reads with in both headers. Returns the key, and every later
/// answer: the reads and the connection's Read API settings.
async fn read_with_a_key(
    browser: &Browser,
    base: &str,
    pool: &sqlx::PgPool,
    data_dir: &Path,
    location_id: &str,
) -> (String, String) {
    let owner: i64 = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE location_id = $1 AND role = 'owner'",
    )
    .bind(location_id)
    .fetch_one(pool)
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
    let vault = Vault::open(None, data_dir).unwrap();
    let connection = store::create(pool, &vault, &new)
        .await
        .unwrap()
        .0
        .id
        .to_string();
    let form = [("connection_id", connection.as_str())];
    let issued: serde_json::Value = browser
        .call("apps/read-api/issue-key", &form)
        .await
        .json()
        .await
        .unwrap();
    let key = issued["key"].as_str().expect("a key is issued").to_owned();
    let mut answers = String::new();
    let lookup = format!("{base}/apps/api/v1/contacts?q=a");
    for request in [
        common::http().get(&lookup).bearer_auth(&key),
        common::http().get(&lookup).header("X-Api-Key", &key),
    ] {
        let response = request.send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        answers += &response.text().await.unwrap();
    }
    answers += &browser
        .call("apps/read-api/settings", &form)
        .await
        .text()
        .await
        .unwrap();
    (key, answers)
}

/// The tokens the server stored, opened with its key file, and the secrets
/// it was configured with.
async fn stored_secrets(
    pool: &sqlx::PgPool,
    data_dir: &Path,
    location_id: &str,
) -> Vec<(&'static str, String)> {
    let (access, refresh): (String, String) = sqlx::query_as(
        "SELECT access_token_sealed, refresh_token_sealed FROM connections WHERE location_id = $1",
    )
    .bind(location_id)
    .fetch_one(pool)
    .await
    .unwrap();
    let vault = Vault::open(None, data_dir).unwrap();
    let open = |purpose, sealed: &str| {
        vault
            .open_sealed(&token_context(location_id, purpose), sealed)
            .unwrap()
            .expose_secret()
            .to_owned()
    };
    let key_file = std::fs::read_to_string(data_dir.join("secret.key"))
        .unwrap()
        .trim()
        .to_owned();
    vec![
        ("access token", open("access", &access)),
        ("refresh token", open("refresh", &refresh)),
        ("OAuth client secret", "sandbox-client-secret".to_owned()),
        ("token encryption key", key_file),
    ]
}
