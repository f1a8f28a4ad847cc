//! `switchboard sync` killed with SIGKILL in the middle of a full sync, then
//! started again: the same run resumes from its saved cursors and ends with
//! the cache equal to the sandbox's data, nothing missing, nothing twice.

use crate::common;
use crate::sync_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use sqlx::PgPool;
use sync_support::{assert_cache_matches, sandbox};

fn start_sync(db_url: &str, sandbox: &sync_support::Sandbox) -> Child {
    let data = tempfile::tempdir().unwrap().keep();
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args([
            "sync",
            "--location",
            &sandbox.location_id,
            "--base-url",
            &sandbox.base(),
            "--contact-page",
            "40",
            "--quiet",
        ])
        .env("DATABASE_URL", db_url)
        .env("HIGHLEVEL_TOKEN", &sandbox.token)
        .env("SWITCHBOARD_DATA_DIR", &data)
        .env_remove("HIGHLEVEL_CLIENT_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Contacts written so far by the location's run, and that run's id.
async fn progress(pool: &PgPool, location: &str) -> Option<(i64, i64, String)> {
    sqlx::query_as(
        "SELECT id, coalesce((progress->'contacts'->>'done')::bigint, 0), status FROM sync_runs \
         WHERE location_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(location)
    .fetch_optional(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_sync_killed_midway_resumes_and_completes_exactly() {
    let (db_url, _) = common::test_db_url().await;
    let pool = switchboard::db::connect(&db_url, 3).await.unwrap();
    switchboard::db::migrate(&pool).await.unwrap();
    let sandbox = sandbox(240, None).await;
    let location = sandbox.location_id.clone();

    let mut first = start_sync(&db_url, &sandbox);
    let deadline = Instant::now() + Duration::from_secs(60);
    let killed_run = loop {
        assert!(Instant::now() < deadline, "the sync never got going");
        assert!(
            first.try_wait().unwrap().is_none(),
            "the sync ended before it could be killed"
        );
        if let Some((run, done, _)) = progress(&pool, &location).await {
            if done >= 80 {
                break run;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    kill(Pid::from_raw(first.id() as i32), Signal::SIGKILL).unwrap();
    first.wait().unwrap();
    let (_, done_at_kill, status) = progress(&pool, &location).await.unwrap();
    assert_eq!(status, "running", "the killed run is left unfinished");
    assert!(
        done_at_kill < 240,
        "killed after the contacts were all written"
    );
    let pages_at_kill: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sync_cursors WHERE run_id = $1")
            .bind(killed_run)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(pages_at_kill > 0, "cursors were saved before the kill");

    // The lock died with the process: the next start is not refused.
    let second = start_sync(&db_url, &sandbox);
    let output = tokio::task::spawn_blocking(move || second.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (run, done, status) = progress(&pool, &location).await.unwrap();
    assert_eq!(run, killed_run, "the same run was resumed");
    assert_eq!(status, "succeeded");
    // Resumed from the cursor: contact pages written before the kill were
    // not counted (so not fetched) again.
    assert!(
        (240..240 + 80).contains(&done),
        "{done} contacts written in all"
    );
    assert_cache_matches(&pool, &sandbox).await;
}
