//! Shared by the sync tests: a sandbox with a token, an engine over a pool,
//! and the comparison of the cache with the sandbox's data read over HTTP.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::TryStreamExt;
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::PgPool;
use switchboard::highlevel::models::{CalendarEventsQuery, EventOwner, SearchContacts, TaskSearch};
use switchboard::highlevel::{HighLevelClient, RateBudget, RateLimiter, StaticToken};
use switchboard::sync::SyncEngine;
use switchboard_sandbox::{RunningSandbox, SandboxConfig};

/// A sandbox on a free port, its first location and a token for it.
pub struct Sandbox {
    pub running: RunningSandbox,
    pub location_id: String,
    pub token: String,
}

impl Sandbox {
    pub fn base(&self) -> String {
        self.running.base_url()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let response = http()
            .request(method, format!("{}/_sandbox/{path}", self.base()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Applies `count` simulated changes and returns the ids touched.
    pub async fn simulate(&self, entity: &str, action: &str, count: usize) -> Vec<String> {
        let answer = self
            .control(
                reqwest::Method::POST,
                "simulate",
                json!({"entity": entity, "action": action, "count": count, "locationId": self.location_id}),
            )
            .await;
        answer["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect()
    }

    /// A client with its own generous budget, for reading the truth.
    pub fn reader(&self) -> HighLevelClient {
        HighLevelClient::builder(
            self.base(),
            StaticToken::new(SecretString::from(self.token.clone())),
        )
        .rate_limiter(RateLimiter::in_process(RateBudget {
            per_window: 100_000,
            ..RateBudget::default()
        }))
        .build()
        .unwrap()
    }
}

pub fn http() -> reqwest::Client {
    switchboard::tls::install_crypto_provider();
    reqwest::Client::new()
}

/// A sandbox seeded with `contacts` contacts in its first location, with a
/// burst limit high enough for fast tests unless `burst` says otherwise.
pub async fn sandbox(contacts: usize, burst: Option<(u32, Duration)>) -> Sandbox {
    let (burst_limit, burst_window) = burst.unwrap_or((100_000, Duration::from_secs(10)));
    let running = switchboard_sandbox::spawn(SandboxConfig {
        contacts,
        burst_limit,
        burst_window,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let location_id = running.sandbox().locations()[0].0.clone();
    let scopes: Vec<String> = switchboard::auth::oauth::READ_SCOPES
        .iter()
        .map(|scope| (*scope).to_owned())
        .collect();
    let token = running.sandbox().mint_token(&location_id, &scopes).unwrap();
    Sandbox {
        running,
        location_id,
        token,
    }
}

/// An engine over `pool` drawing from the Postgres budget `budget`.
pub fn engine(pool: &PgPool, sandbox: &Sandbox, budget: RateBudget) -> SyncEngine {
    let client = HighLevelClient::builder(
        sandbox.base(),
        StaticToken::new(SecretString::from(sandbox.token.clone())),
    )
    .rate_limiter(RateLimiter::shared(pool.clone(), budget))
    .build()
    .unwrap();
    SyncEngine::new(pool.clone(), client)
}

/// A budget that does not slow tests down.
pub fn fast_budget() -> RateBudget {
    RateBudget {
        per_window: 100_000,
        ..RateBudget::default()
    }
}

/// Each kind of record as `id -> fingerprint`.
pub type Snapshot = BTreeMap<&'static str, BTreeMap<String, String>>;

/// The sandbox's data, read over HTTP: contacts, tasks, every contact's
/// notes and the appointments of the window the engine keeps.
pub async fn truth(sandbox: &Sandbox) -> Snapshot {
    let client = sandbox.reader();
    let location = sandbox.location_id.as_str();
    let search = SearchContacts {
        location_id: location.to_owned(),
        page_limit: 500,
        ..SearchContacts::default()
    };
    let contacts: Vec<_> = client
        .search_contacts_all(location, search)
        .try_collect()
        .await
        .unwrap();
    let mut snapshot = Snapshot::new();
    snapshot.insert(
        "contacts",
        contacts
            .iter()
            .map(|c| (c.id.clone(), c.date_updated.clone().unwrap_or_default()))
            .collect(),
    );
    let tasks: Vec<Value> = client
        .search_tasks_all(
            location,
            TaskSearch {
                limit: Some(500),
                ..TaskSearch::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    snapshot.insert(
        "tasks",
        tasks
            .iter()
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_owned(),
                    t["completed"].to_string(),
                )
            })
            .collect(),
    );
    let mut notes = BTreeMap::new();
    for contact in &contacts {
        for note in client
            .get_all_notes(location, &contact.id)
            .await
            .unwrap()
            .notes
        {
            notes.insert(note.id, note.body.unwrap_or_default());
        }
    }
    snapshot.insert("notes", notes);
    let now = chrono::Utc::now();
    let mut appointments = BTreeMap::new();
    for calendar in client.get_calendars(location).await.unwrap().calendars {
        let query = CalendarEventsQuery {
            location_id: location.to_owned(),
            // Inside the engine's default window, away from its edges.
            start_time_ms: (now - chrono::Duration::days(89)).timestamp_millis(),
            end_time_ms: (now + chrono::Duration::days(179)).timestamp_millis(),
            owner: EventOwner::Calendar(calendar.id),
        };
        for event in client.get_calendar_events(&query).await.unwrap().events {
            let status = event.appointment_status.unwrap_or_default();
            appointments.insert(event.id, status);
        }
    }
    snapshot.insert("appointments", appointments);
    snapshot
}

/// The cache's live rows, fingerprinted like [`truth`].
pub async fn cached(pool: &PgPool, location_id: &str) -> Snapshot {
    let now = chrono::Utc::now();
    let mut snapshot = Snapshot::new();
    let rows = |sql: &'static str| {
        sqlx::query_as::<_, (String, String)>(sql)
            .bind(location_id)
            .bind(now - chrono::Duration::days(89))
            .bind(now + chrono::Duration::days(179))
    };
    let contacts = rows(
        "SELECT id, raw->>'dateUpdated' FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL AND $2 < $3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    snapshot.insert("contacts", contacts.into_iter().collect());
    let tasks = rows(
        "SELECT id, completed::text FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL AND $2 < $3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    snapshot.insert("tasks", tasks.into_iter().collect());
    let notes = rows(
        "SELECT id, body FROM cache_notes WHERE location_id = $1 AND deleted_at IS NULL AND $2 < $3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    snapshot.insert("notes", notes.into_iter().collect());
    let appointments = rows(
        "SELECT id, status FROM cache_appointments WHERE location_id = $1 AND deleted_at IS NULL \
         AND start_time >= $2 AND start_time < $3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    snapshot.insert("appointments", appointments.into_iter().collect());
    snapshot
}

/// Fails with the differences when the cache is not the sandbox's data.
pub async fn assert_cache_matches(pool: &PgPool, sandbox: &Sandbox) {
    let truth = truth(sandbox).await;
    let cached = cached(pool, &sandbox.location_id).await;
    for (entity, expected) in &truth {
        let found = &cached[entity];
        let missing: Vec<_> = expected
            .keys()
            .filter(|id| !found.contains_key(*id))
            .collect();
        let extra: Vec<_> = found
            .keys()
            .filter(|id| !expected.contains_key(*id))
            .collect();
        let differ: Vec<_> = expected
            .iter()
            .filter(|(id, value)| found.get(*id).is_some_and(|f| f != *value))
            .map(|(id, _)| id)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && differ.is_empty(),
            "{entity}: {} expected, {} cached; missing {missing:?}, extra {extra:?}, different {differ:?}",
            expected.len(),
            found.len(),
        );
        assert!(
            !expected.is_empty(),
            "{entity}: the sandbox has none, the test proves nothing"
        );
    }
}
