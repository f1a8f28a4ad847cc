//! What the Sync page shows: runs, their progress and the rate budget.
//! Compiles for the server and the browser.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncKind {
    /// Everything, from the start (the first sync of a location).
    Full,
    /// Contacts changed since the last poll, their tasks and notes, and the
    /// appointment window.
    Incremental,
    /// Everything again, then what HighLevel no longer has is marked deleted.
    Reconcile,
}

impl SyncKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncKind::Full => "full",
            SyncKind::Incremental => "incremental",
            SyncKind::Reconcile => "reconcile",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "full" => Some(SyncKind::Full),
            "incremental" => Some(SyncKind::Incremental),
            "reconcile" => Some(SyncKind::Reconcile),
            _ => None,
        }
    }

    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            SyncKind::Full => "Full sync",
            SyncKind::Incremental => "Poll",
            SyncKind::Reconcile => "Reconciliation",
        }
    }
}

/// How far a run got with one kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityProgress {
    pub entity: String,
    pub done: u64,
    /// What HighLevel said there is, when it says.
    pub total: Option<u64>,
}

/// Where a run stands: the `status` column of `sync_runs`, and, for the page
/// only, a run whose process died before it could resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "lowercase")
)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    Interrupted,
}

/// One run, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: i64,
    pub kind: Option<SyncKind>,
    pub trigger: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    /// `started_at` as the team reads it: `2026-11-25 05:50 CST`.
    pub started: String,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub progress: Vec<EntityProgress>,
    pub requests: u64,
    pub error: Option<String>,
}

/// The order entities are shown in.
pub const ENTITIES: [&str; 7] = [
    "contacts",
    "tasks",
    "notes",
    "appointments",
    "users",
    "calendars",
    "businesses",
];

impl EntityProgress {
    /// The entities a run's `progress` document names, in page order.
    pub fn list(progress: &serde_json::Value) -> Vec<Self> {
        let number = |entity: &str, field: &str| progress.get(entity)?.get(field)?.as_u64();
        ENTITIES
            .iter()
            .filter(|entity| progress.get(**entity).is_some())
            .map(|entity| EntityProgress {
                entity: (*entity).to_owned(),
                done: number(entity, "done").unwrap_or(0),
                total: number(entity, "total"),
            })
            .collect()
    }
}

impl RunView {
    pub fn is_running(&self) -> bool {
        self.status == RunStatus::Running
    }

    /// How far the run is, in percent, from the requests it made and the
    /// `remaining` ones it still needs.
    pub fn percent_done(&self, remaining: u64) -> f64 {
        let all = self.requests + remaining;
        if all == 0 {
            return 0.0;
        }
        (self.requests as f64 / all as f64 * 100.0).min(100.0)
    }
}

/// The location's share of HighLevel's rate limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetView {
    pub used_today: u64,
    pub per_day: u64,
    /// Requests in the current burst window.
    pub used_in_window: u64,
    pub per_window: u64,
    pub window_seconds: u64,
}

/// Everything the Sync page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncOverview {
    pub connected: bool,
    pub poll_minutes: u32,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_reconcile_at: Option<DateTime<Utc>>,
    /// `last_synced_at` and `last_reconcile_at` as the team reads them.
    pub last_synced: Option<String>,
    pub last_reconcile: Option<String>,
    /// When the nightly full check starts, in the team's time: `03:00 PST`.
    pub nightly_after: String,
    /// The run in progress, else the latest one.
    pub current: Option<RunView>,
    pub history: Vec<RunView>,
    pub budget: BudgetView,
    /// Seconds the run in progress still needs, at the budget's pace.
    pub eta_seconds: Option<u64>,
    /// Requests the run in progress still needs, as far as can be known.
    pub remaining_requests: Option<u64>,
    pub pending_contacts: u64,
    /// Whether the caller may start a run and change the interval.
    pub can_manage: bool,
}
