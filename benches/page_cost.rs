//! The work of serving a page, counted in instructions by callgrind, where
//! the load benches' p99s follow the machine's speed from minute to minute.
//! The count is the same for the same code on an idle machine (within a few
//! percent: the server's own timers are counted too, more of them when
//! other work slows the run). A change to rendering is compared here, before
//! and after, and its effect on p99 read from the load benches.
//!
//! `cargo bench --features ssr --bench page_cost` starts itself again under
//! `valgrind --tool=callgrind` with instrumentation off, fills a location of
//! 2,000 contacts, then, for each group of pages, counts only the requests
//! themselves: 60 a group (`PAGE_COST_REQUESTS`), from one client, each page
//! already viewed once, as the load benches find them. The count covers the
//! server and its client in this process; Postgres runs apart and is not
//! counted.

// The bench signs in and starts servers like the tests do; it needs only part of their helpers.
#[allow(dead_code)]
#[path = "../tests/integration/common/mod.rs"]
mod common;
#[path = "support/first_sync.rs"]
mod first_sync;
#[path = "support/quiet.rs"]
mod quiet;
#[path = "support/settings.rs"]
mod settings;
// The bench has no replica: it leaves the database's name unread.
#[allow(dead_code)]
#[path = "support/signed_in.rs"]
mod signed_in;
#[path = "support/synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;

use settings::setting;
use synthetic::Size;

/// Set in the copy that runs under callgrind.
const UNDER_CALLGRIND: &str = "SWITCHBOARD_PAGE_COST_UNDER_CALLGRIND";
const SIZE: Size = Size::of(2_000);

fn main() {
    if std::env::var_os(UNDER_CALLGRIND).is_none() {
        std::process::exit(run_under_callgrind());
    }
    quiet::run(run());
}

/// Where callgrind writes its counts: one file per group of pages.
fn counts_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/page-cost")
}

/// This bench again, under callgrind with instrumentation off (it runs
/// near full speed until the requests counted); its exit code.
fn run_under_callgrind() -> i32 {
    let folder = counts_folder();
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("a folder for the counts");
    let me = std::env::current_exe().expect("this bench's path");
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--instr-atstart=no",
            "--quiet",
            &format!("--callgrind-out-file={}/callgrind.out", folder.display()),
        ])
        .arg(me)
        .env(UNDER_CALLGRIND, "1")
        .status()
        .expect("valgrind (Debian's package valgrind) runs");
    status.code().unwrap_or(1)
}

async fn run() {
    let signed_in::SignedIn {
        pool,
        app,
        location,
        users,
        browser,
        ..
    } = signed_in::start().await;
    let filling = synthetic::fill(&pool, &location, &users, SIZE);
    let (assignees, _) = first_sync::fill_then_count(&pool, &location, filling).await;
    first_sync::vacuum_analyze(&pool).await;

    let wanted = setting("PAGE_COST_REQUESTS", 60) as usize;
    let groups = [
        (
            "contact list, 12 filters",
            synthetic::contact_filters(&assignees),
        ),
        (
            "contact list GET /contacts?q=a",
            vec!["/contacts?q=a".into()],
        ),
        ("dashboard page GET /", vec!["/".into()]),
        ("reports page GET /reports", vec!["/reports".into()]),
        ("tasks page GET /tasks", vec!["/tasks".into()]),
    ];
    println!(
        "instructions per request, counted by callgrind (server and client; Postgres apart), a location of {} contacts, one client:",
        SIZE.contacts
    );
    for (number, (name, paths)) in groups.iter().enumerate() {
        let mut bytes = 0;
        for path in paths {
            bytes = bytes.max(page(&browser.http, &app.base, path).await);
        }
        collection("--zero");
        collection("--instr=on");
        // As many requests in every group, so the server's own timers,
        // counted too, weigh the same in each.
        let times = wanted.div_ceil(paths.len());
        for _ in 0..times {
            for path in paths {
                page(&browser.http, &app.base, path).await;
            }
        }
        collection("--instr=off");
        collection(&format!("--dump={number}"));
        let requests = (times * paths.len()) as f64;
        let counted = counted_in_last_dump();
        println!(
            "  {name:<40} {:>6.2} M instructions a request  (largest page {:.0} kB, {} requests)",
            counted as f64 / requests / 1e6,
            bytes as f64 / 1000.0,
            requests
        );
    }
}

/// Asks for a page; its size in bytes.
async fn page(client: &reqwest::Client, base: &str, path: &str) -> usize {
    let answer = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("an answer");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    answer.bytes().await.expect("a page").len()
}

/// Tells callgrind, through `callgrind_control`, to do `what` in this process.
fn collection(what: &str) {
    let done = Command::new("callgrind_control")
        .arg(what)
        .arg(std::process::id().to_string())
        .output()
        .expect("callgrind_control runs");
    assert!(done.status.success(), "callgrind_control {what}: {done:?}");
}

/// The instructions counted in the newest dump (its `totals:` line).
fn counted_in_last_dump() -> u64 {
    let newest = std::fs::read_dir(counts_folder())
        .expect("the counts folder")
        .filter_map(Result::ok)
        .max_by_key(|entry| entry.metadata().and_then(|m| m.modified()).ok())
        .expect("a dump");
    let text = std::fs::read_to_string(newest.path()).expect("a dump's text");
    text.lines()
        .find_map(|line| line.strip_prefix("totals: "))
        .and_then(|count| count.trim().parse().ok())
        .expect("a dump with its total")
}
