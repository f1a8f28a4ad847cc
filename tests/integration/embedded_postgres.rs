//! The embedded default, end to end: the real `switchboard` binary starts its
//! own Postgres, keeps data across restarts, and never leaves Postgres behind.

use crate::common;

use std::fs::{self, File};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

struct Server {
    child: Child,
    base: String,
}

fn free_addr() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

fn start(data_dir: &Path) -> Server {
    start_logging_to(data_dir, Stdio::null())
}

fn start_logging_to(data_dir: &Path, log: impl Into<Stdio>) -> Server {
    let addr = free_addr();
    let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env_remove("DATABASE_URL")
        .env_remove("APP_SECRET_KEY")
        .env("RUST_LOG", "info")
        .env("SWITCHBOARD_DATA_DIR", data_dir)
        .env("LEPTOS_SITE_ADDR", &addr)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the server binary starts");
    Server {
        child,
        base: format!("http://{addr}"),
    }
}

async fn health(server: &Server) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = common::http()
            .get(format!("{}/healthz", server.base))
            .send()
            .await
        {
            if response.status().is_success() {
                return response.json().await.unwrap();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the server did not become healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn postmaster_pid(data_dir: &Path) -> Pid {
    let text = std::fs::read_to_string(data_dir.join("postgres/postmaster.pid")).unwrap();
    Pid::from_raw(text.lines().next().unwrap().trim().parse().unwrap())
}

fn is_running(pid: Pid) -> bool {
    // A zombie still has a /proc entry; only a live process has a non-Z state.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

async fn wait_until_gone(pid: Pid) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while is_running(pid) {
        assert!(Instant::now() < deadline, "Postgres {pid} is still running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn data_survives_a_graceful_restart_and_postgres_stops_with_the_server() {
    let data = tempfile::tempdir().unwrap();
    let mut first = start(data.path());
    let body = health(&first).await;
    assert_eq!(body["database"]["mode"], "embedded");
    assert_eq!(body["database"]["server_starts"], 1);
    let postgres = postmaster_pid(data.path());
    assert!(is_running(postgres));

    kill(Pid::from_raw(first.child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(
        first.child.wait().unwrap().success(),
        "graceful shutdown exits 0"
    );
    // The server waits for Postgres before it exits.
    assert!(!is_running(postgres), "Postgres outlived the server");

    let mut second = start(data.path());
    assert_eq!(health(&second).await["database"]["server_starts"], 2);
    kill(Pid::from_raw(second.child.id() as i32), Signal::SIGINT).unwrap();
    assert!(second.child.wait().unwrap().success());
}

#[tokio::test]
async fn a_killed_server_takes_postgres_down_and_the_next_start_recovers() {
    let data = tempfile::tempdir().unwrap();
    let mut first = start(data.path());
    health(&first).await;
    let postgres = postmaster_pid(data.path());

    first.child.kill().unwrap();
    first.child.wait().unwrap();
    wait_until_gone(postgres).await;

    let mut second = start(data.path());
    assert_eq!(health(&second).await["database"]["server_starts"], 2);
    second.child.kill().unwrap();
    second.child.wait().unwrap();
}

#[tokio::test]
async fn a_second_server_on_the_same_data_folder_is_refused_with_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let mut first = start(data.path());
    health(&first).await;

    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env_remove("DATABASE_URL")
        .env("SWITCHBOARD_DATA_DIR", data.path())
        .env("LEPTOS_SITE_ADDR", free_addr())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already using the data folder"), "{stderr}");

    kill(Pid::from_raw(first.child.id() as i32), Signal::SIGTERM).unwrap();
    first.child.wait().unwrap();
}

/// The shape of a clone under `/root`: a data folder inside a folder that only
/// root can enter, where the `postgres` user that runs the cluster cannot go.
#[tokio::test]
async fn as_root_a_data_folder_postgres_cannot_enter_keeps_its_cluster_outside() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: only a server run as root starts Postgres as another user");
        return;
    }
    let private = tempfile::tempdir().unwrap();
    fs::set_permissions(private.path(), fs::Permissions::from_mode(0o700)).unwrap();
    let data = private.path().join("data");
    let log_path = private.path().join("server.log");

    let mut first = start_logging_to(&data, File::create(&log_path).unwrap());
    assert_eq!(health(&first).await["database"]["server_starts"], 1);
    let cluster = switchboard::db::cluster_dir(&data);
    assert!(
        cluster.starts_with(switchboard::db::embedded::SHARED_CLUSTER_ROOT),
        "{}",
        cluster.display()
    );
    assert!(cluster.join("PG_VERSION").is_file());
    let log = fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("cannot enter the data folder") && log.contains(&*cluster.to_string_lossy()),
        "one log line says where the cluster lives: {log}"
    );
    for kept_here in ["secret.key", "switchboard.lock", "postgres.log"] {
        assert!(
            data.join(kept_here).is_file(),
            "{kept_here} stays in the data folder"
        );
    }

    // kill -9: Postgres goes with the server, and the next start recovers.
    let postgres = postmaster_pid(&data);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    wait_until_gone(postgres).await;
    let mut second = start(&data);
    assert_eq!(health(&second).await["database"]["server_starts"], 2);

    let refused = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .env_remove("DATABASE_URL")
        .env("SWITCHBOARD_DATA_DIR", &data)
        .env("LEPTOS_SITE_ADDR", free_addr())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already using the data folder"));

    let postgres = postmaster_pid(&data);
    kill(Pid::from_raw(second.child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(second.child.wait().unwrap().success());
    assert!(!is_running(postgres), "Postgres outlived the server");

    // A data folder made anew starts a new cluster, as it does inside it.
    fs::remove_dir_all(&data).unwrap();
    let mut third = start(&data);
    assert_eq!(health(&third).await["database"]["server_starts"], 1);
    assert_eq!(switchboard::db::cluster_dir(&data), cluster);
    kill(Pid::from_raw(third.child.id() as i32), Signal::SIGTERM).unwrap();
    assert!(third.child.wait().unwrap().success());
    fs::remove_dir_all(&cluster).unwrap();
}
