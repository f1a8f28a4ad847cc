//! What is kept, and for how long: handled webhook events, apps' events,
//! finished automation runs and sync runs for a set number of days (30 by default),
//! refused requests for a week, a schedule's fired ticks for a day after
//! the next one (its newest always),
//! sessions until they expire. Every process
//! running the background work prunes once an hour; deleting twice is harmless.

use std::time::Duration;

use sqlx::PgPool;

/// Days a refused request's record is kept.
pub const REFUSED_DAYS: u32 = 7;

const EVERY: Duration = Duration::from_secs(60 * 60);

/// How long handled events are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    pub event_days: u32,
    pub run_days: u32,
}

/// Rows deleted by one pass.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub refused: u64,
    pub app_events: u64,
    pub runs: u64,
    pub syncs: u64,
    pub ticks: u64,
    pub sessions: u64,
}

/// One pass over every kept record.
pub async fn prune(db: &PgPool, retention: Retention) -> sqlx::Result<Pruned> {
    Ok(Pruned {
        events: crate::webhooks::store::prune_handled(db, retention.event_days).await?,
        refused: crate::inbound::refused::prune(db, REFUSED_DAYS).await?,
        app_events: crate::apps::connections::store::prune(db, retention.event_days).await?,
        runs: crate::automations::runs::prune(db, retention.run_days).await?,
        syncs: crate::sync::prune_runs(db, retention.run_days).await?,
        ticks: crate::automations::scheduler::prune(db).await?,
        sessions: crate::auth::session::delete_expired(db).await?,
    })
}

/// Prunes now and then every hour, until the pool closes.
pub async fn run(db: PgPool, retention: Retention) {
    while !db.is_closed() {
        match prune(&db, retention).await {
            Ok(pruned) if pruned != Pruned::default() => {
                tracing::info!(
                    events = pruned.events,
                    refused = pruned.refused,
                    app_events = pruned.app_events,
                    runs = pruned.runs,
                    syncs = pruned.syncs,
                    ticks = pruned.ticks,
                    "deleted records past their retention"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "deleting records past their retention"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
