//! The automation engine under `kill -9`: 1,000 app events go through an
//! automation with three side-effect steps (upsert a contact, create a task,
//! deliver to the app) while the server process is killed at random moments,
//! during the sending and during the running, and started again each time.
//! The standalone sandbox outlives every kill, so HighLevel's data and both
//! ledgers see every request that ever left. Afterwards every run has ended
//! and succeeded, HighLevel got exactly one upsert and one task per event,
//! and the app exactly one accepted delivery per event (a delivery sent
//! again carries its first key and is counted apart as a repeat).

use crate::automations_support::{self as support, step};
use crate::common;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::browser::Browser;
use common::{free_port, Running};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use sqlx::PgPool;
use switchboard::apps::connections::signing::sign;
use switchboard::apps::connections::store::{self as connections, NewConnection};
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};
use switchboard::apps::outbound::base_url::BaseUrl;
use switchboard::apps::outbound::settings::{self, Change};
use switchboard::apps::outbound::AuthMode;
use switchboard::apps::templates::{self, AppKind};
use switchboard::auth::vault::Vault;
use switchboard::automations::model::{Action, Definition, Filter, State, Trigger};
use switchboard::automations::store;

const EVENTS: usize = 1_000;
/// Apps sending at once.
const SENDERS: usize = 4;
/// Each sender's pause between events, so that sending lasts long enough
/// to be interrupted a few times.
const SEND_PAUSE: Duration = Duration::from_millis(30);
/// Kills at the least and at the most: the server is killed until every
/// run has ended, or this many times.
const MIN_KILLS: usize = 10;
const MAX_KILLS: usize = 40;
/// Runs that end between two kills, at random within this range: kills
/// follow the engine's progress, so a fast machine gets as many as a slow one.
const RUNS_BETWEEN_KILLS: std::ops::Range<i64> = 20..60;
/// The longest wait between two kills, for while the engine waits on leases.
const LONGEST_WAIT: Duration = Duration::from_secs(3);
/// How often the test looks at the engine's progress.
const PROGRESS_POLL: Duration = Duration::from_millis(25);
/// How long a run stays claimed by a process that stopped.
const LEASE_SECS: &str = "3";
const CLIENT_ID: &str = "crash-test-app";
const CLIENT_SECRET: &str = "crash-test-app-secret";
/// The same key on every start, so each one opens what the last sealed.
const SECRET_KEY: &str = "the crash test's unchanging vault key";
const DUE: &str = "2026-06-01";

/// Appends a child's output to `path`.
fn log_to(path: &Path) -> (Stdio, Stdio) {
    let file = File::options()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    (file.try_clone().unwrap().into(), file.into())
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// `switchboard sandbox` on its own port, knowing the server's callback.
fn start_sandbox(port: u16, callback: &str, log: &Path) -> Running {
    let (stdout, stderr) = log_to(log);
    let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["sandbox", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--contacts", "30", "--seed", "11"])
        .args(["--client", &format!("{CLIENT_ID}:{CLIENT_SECRET}")])
        .args(["--redirect-uri", callback])
        // HighLevel's 100 per 10 s would make 1,000 runs last minutes.
        .args(["--burst-limit", "100000"])
        .env_remove("SANDBOX_ADDR")
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the sandbox starts");
    Running(child)
}

/// The server process: the same database, data folder, key and port on
/// every start.
struct Server {
    base: String,
    addr: String,
    database_url: String,
    sandbox: String,
    data_dir: PathBuf,
    log: PathBuf,
    process: Option<Running>,
    starts: usize,
}

impl Server {
    fn start(&mut self) {
        let (stdout, stderr) = log_to(&self.log);
        let child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("serve")
            .env("DATABASE_URL", &self.database_url)
            .env("SWITCHBOARD_DATA_DIR", &self.data_dir)
            .env("APP_SECRET_KEY", SECRET_KEY)
            .env("LEPTOS_SITE_ADDR", &self.addr)
            .env_remove("SWITCHBOARD_PUBLIC_URL")
            .env_remove("HIGHLEVEL_REDIRECT_URI")
            .env("HIGHLEVEL_CLIENT_ID", CLIENT_ID)
            .env("HIGHLEVEL_CLIENT_SECRET", CLIENT_SECRET)
            .env("HIGHLEVEL_API_BASE", &self.sandbox)
            .env("HIGHLEVEL_AUTH_BASE", &self.sandbox)
            .env("SWITCHBOARD_BACKGROUND", "true")
            .env("SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE", "true")
            .env("SWITCHBOARD_RUN_LEASE_SECS", LEASE_SECS)
            .env("SWITCHBOARD_INBOUND_PER_SOURCE_PER_MINUTE", "600000")
            .env("SWITCHBOARD_INBOUND_PER_CONNECTION_PER_MINUTE", "600000")
            .env("RUST_LOG", "warn,switchboard::server=info")
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("the server starts");
        self.process = Some(Running(child));
        self.starts += 1;
    }

    /// Waits until the server answers `/healthz`.
    async fn healthy(&mut self) {
        let http = common::http();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answered = http
                .get(format!("{}/healthz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|response| response.status().is_success());
            if answered {
                return;
            }
            let process = &mut self.process.as_mut().expect("a started server").0;
            if let Some(status) = process.try_wait().unwrap() {
                panic!(
                    "start {} of the server ended ({status}) before it was healthy:\n{}",
                    self.starts,
                    tail(&self.log)
                );
            }
            assert!(
                Instant::now() < deadline,
                "start {} of the server was not healthy within 60 s:\n{}",
                self.starts,
                tail(&self.log)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`, and waits until the process is gone.
    fn kill(&mut self) {
        let mut running = self.process.take().expect("a running server");
        running.0.kill().expect("SIGKILL is sent");
        running.0.wait().unwrap();
    }
}

/// The sandbox's first demo location and one of its users.
async fn demo_person(sandbox: &str) -> (String, String) {
    let http = common::http();
    let locations: Value = common::json_of(http.get(format!("{sandbox}/_sandbox/locations"))).await;
    let location_id = locations[0]["id"].as_str().unwrap().to_owned();
    let minted = common::json_of(
        http.post(format!("{sandbox}/_sandbox/tokens"))
            .json(&json!({"locationId": location_id, "scopes": ["users.readonly"]})),
    )
    .await;
    let users = common::json_of(
        http.get(format!("{sandbox}/users/?locationId={location_id}"))
            .header("Version", "2021-07-28")
            .bearer_auth(minted["access_token"].as_str().unwrap()),
    )
    .await;
    let user_id = users["users"][0]["id"].as_str().unwrap().to_owned();
    (location_id, user_id)
}

/// Event `n`: the template's sample `member.created` with a member of its
/// own (e-mail, mobile, id), as Clubworx would send it.
fn event_body(n: usize) -> Vec<u8> {
    let template = templates::template(AppKind::Clubworx);
    let mut body = template
        .events
        .into_iter()
        .find(|event| event.key == "member.created")
        .expect("Clubworx sends member.created")
        .sample;
    body["event_id"] = json!(format!("evt_crash_{n}"));
    let member = &mut body["data"]["member"];
    member["id"] = json!(200_000 + n);
    member["first_name"] = json!(format!("Member{n}"));
    member["name"] = json!(format!("Member{n} Nguyen"));
    member["email"] = json!(email(n));
    member["mobile"] = json!(format!("0412 {:03} {:03}", n / 1000, n % 1000));
    serde_json::to_vec(&body).unwrap()
}

fn email(n: usize) -> String {
    format!("crash.member.{n}@crash-test.example")
}

/// Sends events `n` with `n % SENDERS == sender` to the door until each is
/// kept: 200, or 409 when an earlier try was kept but its answer was lost.
/// A refused connection, a cut answer, 429 and 5xx are tried again.
async fn send_events(door: String, secret: String, sender: usize) -> (usize, usize) {
    let http = common::http();
    let (mut tries, mut replayed) = (0, 0);
    for n in (sender..EVENTS).step_by(SENDERS) {
        let body = event_body(n);
        let signature = sign(&secret, Encoding::Hex, "", &body);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            tries += 1;
            let answer = http
                .post(&door)
                .header("content-type", "application/json")
                .header("X-Clubworx-Signature", &signature)
                .body(body.clone())
                .timeout(Duration::from_secs(10))
                .send()
                .await;
            match answer.map(|answer| answer.status().as_u16()) {
                Ok(200) => break,
                Ok(409) => {
                    replayed += 1;
                    break;
                }
                Ok(status) if status == 408 || status == 429 || status >= 500 => {}
                Ok(status) => panic!("event {n} was refused with {status}"),
                Err(_) => {}
            }
            assert!(Instant::now() < deadline, "event {n} was never kept");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(SEND_PAUSE).await;
    }
    (tries, replayed)
}

/// Runs not yet over.
async fn unfinished(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM automation_runs WHERE status IN ('queued', 'running')")
        .fetch_one(db)
        .await
        .unwrap()
}

/// What the kills did.
#[derive(Default)]
struct Chaos {
    kills_while_sending: usize,
    kills_after_sending: usize,
    /// Steps recorded as `sending` when their process was killed: each is
    /// checked against HighLevel or the app before it is sent again.
    caught_sending: HashSet<(i64, i32)>,
    /// From each kill until the server answered again.
    restarts: Duration,
}

/// Kills the server at random moments and starts it again, while events
/// are sent and while runs are left, up to [`MAX_KILLS`] times.
async fn kill_and_restart(server: &mut Server, db: &PgPool, sent: &AtomicBool) -> Chaos {
    let mut chaos = Chaos::default();
    loop {
        let kills = chaos.kills_while_sending + chaos.kills_after_sending;
        if kills >= MAX_KILLS {
            return chaos;
        }
        let Some(sending) = next_kill(db, sent).await else {
            return chaos;
        };
        let killed_at = Instant::now();
        server.kill();
        if sending {
            chaos.kills_while_sending += 1;
        } else {
            chaos.kills_after_sending += 1;
        }
        let caught: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT run_id, position FROM automation_run_steps WHERE status = 'sending'",
        )
        .fetch_all(db)
        .await
        .unwrap();
        chaos.caught_sending.extend(caught);
        server.start();
        server.healthy().await;
        chaos.restarts += killed_at.elapsed();
    }
}

async fn finished(db: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM automation_runs WHERE status NOT IN ('queued', 'running')",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

/// Waits for the moment of the next kill: when a random number of runs
/// has ended since the last one, when sending has just stopped, or after
/// [`LONGEST_WAIT`]. Answers whether events were still being sent, or
/// `None` once every event is sent and every run has ended.
async fn next_kill(db: &PgPool, sent: &AtomicBool) -> Option<bool> {
    let was_sending = !sent.load(Ordering::SeqCst);
    let target = finished(db).await + rand::thread_rng().gen_range(RUNS_BETWEEN_KILLS);
    let since = Instant::now();
    loop {
        let sending = !sent.load(Ordering::SeqCst);
        if !sending && unfinished(db).await == 0 {
            return None;
        }
        if (was_sending && !sending)
            || finished(db).await >= target
            || since.elapsed() >= LONGEST_WAIT
        {
            return Some(sending);
        }
        tokio::time::sleep(PROGRESS_POLL).await;
    }
}

#[tokio::test]
async fn a_thousand_events_survive_repeated_kill_9_with_every_side_effect_once() {
    let started = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let (database_url, _) = common::test_db_url().await;
    let db = switchboard::db::connect(&database_url, 5).await.unwrap();

    let sandbox_port = free_port();
    let server_port = free_port();
    let addr = format!("127.0.0.1:{server_port}");
    let base = format!("http://{addr}");
    let sandbox = format!("http://127.0.0.1:{sandbox_port}");
    let sandbox_log = scratch.path().join("sandbox.log");
    let _sandbox = start_sandbox(sandbox_port, &format!("{base}/auth/callback"), &sandbox_log);
    let http = common::http();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http
        .get(format!("{sandbox}/_sandbox/locations"))
        .send()
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "the sandbox did not answer:\n{}",
            tail(&sandbox_log)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut server = Server {
        base: base.clone(),
        addr,
        database_url,
        sandbox: sandbox.clone(),
        data_dir: scratch.path().join("data"),
        log: scratch.path().join("server.log"),
        process: None,
        starts: 0,
    };
    server.start();
    server.healthy().await;

    // A team signs in through HighLevel's consent, so it has tokens.
    let (location_id, user_id) = demo_person(&sandbox).await;
    let browser = Browser::new(&base);
    let consent = browser.start_sign_in(true).await;
    browser.consent(&consent, &location_id, &user_id).await;
    let owner = support::user_id(&db, &user_id).await;

    // A Clubworx connection that delivers to the simulated Clubworx inbox.
    let vault = Vault::open(Some(&SecretString::from(SECRET_KEY)), scratch.path()).unwrap();
    let new = NewConnection {
        location_id: location_id.clone(),
        app: "clubworx".into(),
        name: "Clubworx".into(),
        signing: Signing::HmacSha256 {
            header: "X-Clubworx-Signature".into(),
            encoding: Encoding::Hex,
            prefix: String::new(),
        },
        event_type_from: EventTypeFrom::BodyField("event".into()),
        created_by: owner,
    };
    let (connection, secret) = connections::create(&db, &vault, &new).await.unwrap();
    let inbox = format!("{sandbox}/_sandbox/apps/clubworx/inbox");
    let change = Change {
        base_url: BaseUrl::parse(&inbox).unwrap(),
        auth_mode: AuthMode::None,
        auth_header: String::new(),
        auth_value: None,
        timeout_secs: 10,
    };
    settings::save(&db, &vault, &connection, &change)
        .await
        .unwrap();
    let signing_secret = settings::rotate_signing_secret(&db, &vault, &connection)
        .await
        .unwrap()
        .expect("the settings were saved");
    let checking = common::json_of(
        http.put(format!("{sandbox}/_sandbox/apps/clubworx/inbox-secret"))
            .json(&json!({"secret": signing_secret.expose_secret()})),
    )
    .await;
    assert_eq!(checking["checking"], true, "{checking}");

    let definition = Definition {
        trigger: Trigger::AppEvent {
            connection_id: connection.id,
            event_type: "member.created".into(),
        },
        filter: Filter::default(),
        steps: vec![
            step(
                "member",
                Action::ApplyMapping {
                    connection_id: connection.id,
                    event_type: "member.created".into(),
                },
            ),
            step(
                "welcome",
                Action::CreateTask {
                    contact_id: "{{ steps.member.contact_id }}".into(),
                    title: "Welcome {{ data.member.first_name }}".into(),
                    body: "Book their first class.".into(),
                    due: DUE.into(),
                },
            ),
            step(
                "tell_clubworx",
                Action::SendToApp {
                    connection_id: connection.id,
                    path: "/members".into(),
                    contact_id: String::new(),
                    with_records: false,
                },
            ),
        ],
    };
    let automation = store::create(&db, &location_id, "Welcome", &definition, owner)
        .await
        .unwrap();
    assert!(store::set_state(&db, &location_id, automation, State::On)
        .await
        .unwrap());
    let ready = started.elapsed();

    // The events, from a few senders at once, while the server is killed.
    let door = format!("{base}/hooks/{}", connection.public_id);
    let sent = Arc::new(AtomicBool::new(false));
    let sending_started = Instant::now();
    let senders: Vec<_> = (0..SENDERS)
        .map(|sender| {
            let secret = secret.expose_secret().to_owned();
            tokio::spawn(send_events(door.clone(), secret, sender))
        })
        .collect();
    let sending = {
        let sent = sent.clone();
        async move {
            let mut totals = (0, 0);
            for sender in senders {
                let (tries, replayed) = sender.await.expect("a sender finished");
                totals.0 += tries;
                totals.1 += replayed;
            }
            sent.store(true, Ordering::SeqCst);
            (totals, sending_started.elapsed())
        }
    };
    let (((tries, replayed), sending_took), chaos) =
        tokio::join!(sending, kill_and_restart(&mut server, &db, &sent));
    let kills = chaos.kills_while_sending + chaos.kills_after_sending;
    eprintln!(
        "sent {EVENTS} events in {:.1} s, {tries} tries ({replayed} answered 409: kept by a try whose answer was lost)",
        sending_took.as_secs_f64()
    );

    // After the last start: every run ends, those of killed processes once
    // their lease has run out.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let left = unfinished(&db).await;
        let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM automation_runs")
            .fetch_one(&db)
            .await
            .unwrap();
        if left == 0 && queued >= EVENTS as i64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{left} of {queued} runs still not over after 5 minutes:\n{}",
            tail(&server.log)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let processing = sending_started.elapsed();

    let statuses: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, count(*) FROM automation_runs WHERE automation_id = $1 GROUP BY status",
    )
    .bind(automation)
    .fetch_all(&db)
    .await
    .unwrap();
    let failures: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, error FROM automation_runs WHERE status <> 'succeeded' ORDER BY id LIMIT 5",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        statuses,
        vec![("succeeded".to_owned(), EVENTS as i64)],
        "every run succeeded; the first others: {failures:?}"
    );
    let (taken_over, claims, most_claims): (i64, i64, i32) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE attempts > 1), sum(attempts)::bigint, max(attempts)
         FROM automation_runs",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let steps_done: i64 =
        sqlx::query_scalar("SELECT count(*) FROM automation_run_steps WHERE status = 'done'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(steps_done, 3 * EVENTS as i64, "every step is recorded done");

    // HighLevel: one upsert per event's e-mail, one task per contact, and
    // the tasks are on the contacts the runs upserted.
    let ledger = common::json_of(http.get(format!("{sandbox}/_sandbox/ledger"))).await;
    let ledger = ledger["entries"].as_array().unwrap();
    let accepted = |entry: &&Value| entry["status"].as_u64().is_some_and(|s| s < 300);
    let mut upserts: HashMap<String, usize> = HashMap::new();
    let mut tasks: HashMap<String, usize> = HashMap::new();
    let mut refused_writes = 0;
    for entry in ledger.iter().filter(|entry| entry["method"] == "POST") {
        let path = entry["path"].as_str().unwrap_or_default();
        let contact_write = path == "/contacts/upsert"
            || (path.starts_with("/contacts/") && path.ends_with("/tasks"));
        if !contact_write {
            continue;
        }
        if !accepted(&entry) {
            refused_writes += 1;
            continue;
        }
        if path == "/contacts/upsert" {
            let email = entry["body"]["email"].as_str().unwrap_or_default();
            *upserts.entry(email.to_lowercase()).or_default() += 1;
        } else {
            *tasks.entry(path.to_owned()).or_default() += 1;
        }
    }
    let expected_emails: HashSet<String> = (0..EVENTS).map(email).collect();
    assert_eq!(
        upserts.keys().cloned().collect::<HashSet<_>>(),
        expected_emails,
        "an upsert for every event's e-mail, and for nothing else"
    );
    let twice: Vec<_> = upserts.iter().filter(|(_, count)| **count != 1).collect();
    assert!(twice.is_empty(), "upserted more than once: {twice:?}");
    let contacts: Vec<String> = sqlx::query_scalar(
        "SELECT output->>'contact_id' FROM automation_run_steps WHERE position = 0",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let task_paths: HashSet<String> = contacts
        .iter()
        .map(|contact| format!("/contacts/{contact}/tasks"))
        .collect();
    assert_eq!(
        task_paths.len(),
        EVENTS,
        "each run upserted its own contact"
    );
    assert_eq!(
        tasks.keys().cloned().collect::<HashSet<_>>(),
        task_paths,
        "a task on every run's contact, and on nothing else"
    );
    let twice: Vec<_> = tasks.iter().filter(|(_, count)| **count != 1).collect();
    assert!(twice.is_empty(), "tasks made more than once: {twice:?}");

    // The app: one accepted delivery per event, each with its own key, all
    // signed; a delivery sent again is a repeat of its first key.
    let deliveries =
        common::json_of(http.get(format!("{sandbox}/_sandbox/apps/clubworx/inbox"))).await;
    let deliveries = deliveries["deliveries"].as_array().unwrap();
    let repeats = deliveries
        .iter()
        .filter(|delivery| delivery["repeat"] == true)
        .count();
    let firsts: Vec<&Value> = deliveries
        .iter()
        .filter(|delivery| {
            delivery["repeat"] == false && delivery["answered"].as_u64().is_some_and(|s| s < 300)
        })
        .collect();
    assert_eq!(
        firsts.len(),
        EVENTS,
        "accepted deliveries that are not repeats"
    );
    let keys: HashSet<&str> = firsts
        .iter()
        .map(|delivery| delivery["headers"]["idempotency-key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), EVENTS, "each delivery has a key of its own");
    assert!(
        firsts
            .iter()
            .all(|delivery| delivery["signatureValid"] == true
                && delivery["path"] == "/_sandbox/apps/clubworx/inbox/members"),
        "every delivery is signed and sent to /members"
    );
    let delivered: HashSet<String> = firsts
        .iter()
        .map(|delivery| {
            let body: Value = serde_json::from_str(delivery["body"].as_str().unwrap()).unwrap();
            body["data"]["member"]["email"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(delivered, expected_emails, "one delivery per event");

    server.kill();
    let resumed_at = |position: i32| {
        chaos
            .caught_sending
            .iter()
            .filter(|(_, at)| *at == position)
            .count()
    };
    eprintln!(
        "{kills} kills with SIGKILL ({} while sending, {} after), {} server starts, \
         {:.1} s from a kill until the server answered again on average; \
         {} steps were caught sending by a kill and resumed (upsert {}, task {}, delivery {}); \
         {taken_over} runs were taken over after a kill ({claims} claims for {EVENTS} runs, \
         at most {most_claims} of one); \
         {repeats} deliveries were repeats; {refused_writes} contact writes were refused by HighLevel",
        chaos.kills_while_sending,
        chaos.kills_after_sending,
        server.starts,
        chaos.restarts.as_secs_f64() / kills.max(1) as f64,
        chaos.caught_sending.len(),
        resumed_at(0),
        resumed_at(1),
        resumed_at(2),
    );
    eprintln!(
        "set up in {:.1} s; sending and running took {:.1} s; {:.1} s in all",
        ready.as_secs_f64(),
        processing.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        kills >= MIN_KILLS,
        "only {kills} kills: the runs ended before enough kills"
    );
    assert!(
        chaos.kills_while_sending >= 1 && chaos.kills_after_sending >= 1,
        "kills came both while events were sent and after"
    );
}
