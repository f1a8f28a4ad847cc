//! The scheduler every server process runs: every few seconds it reads the
//! database's clock (the one clock every process shares), finds the
//! schedules of automations that are on or paused whose latest tick has
//! not been fired, and fires it.
//!
//! A tick is fired once however many processes look at the same moment:
//! firing is one transaction that inserts the tick's row into
//! `automation_ticks`, whose key is the automation and the tick, and only
//! when that insert took, queues the run. A process that comes second
//! waits for the first one's transaction and then finds the row there. A
//! paused automation's runs are queued and wait, as its app events' do.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::types::Json;
use sqlx::PgPool;
use tokio::time::MissedTickBehavior;

use super::model::Trigger;
use super::runs::{self, NewRun};
use super::schedule;
use crate::zone::TeamZone;

/// Ticks kept once a newer tick of the same automation is this old: the
/// newest of each automation is always kept, since it says which tick
/// is the next to fire.
const TICKS_KEPT_HOURS: i32 = 24;

/// A tick that was fired, and the run it queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub automation_id: i64,
    pub tick_at: DateTime<Utc>,
    pub run_id: i64,
}

/// Looks for due ticks every `poll` until the pool closes: a tick fires at
/// most that long after its minute.
pub async fn work(db: PgPool, poll: Duration) {
    let name = format!("schedule:{}", uuid::Uuid::new_v4().simple());
    let mut looks = tokio::time::interval(poll);
    looks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while !db.is_closed() {
        looks.tick().await;
        match look(&db, &name).await {
            Ok(fired) => {
                for tick in fired {
                    tracing::info!(
                        automation = tick.automation_id,
                        tick = %tick.tick_at,
                        run = tick.run_id,
                        "a schedule ticked"
                    );
                }
            }
            Err(error) if db.is_closed() => tracing::debug!(%error, "scheduler stopped"),
            Err(error) => tracing::warn!(%error, "looking for schedules that are due"),
        }
    }
}

async fn look(db: &PgPool, name: &str) -> sqlx::Result<Vec<Fired>> {
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(db).await?;
    let fired = fire_due(db, name, now).await?;
    queue_overdue(db).await?;
    Ok(fired)
}

/// Tasks fall due with no write to tell of it: each look announces the
/// ones that did since the last (`task_overdue`), once across processes;
/// how many this call announced.
pub async fn queue_overdue(db: &PgPool) -> sqlx::Result<i32> {
    let announced: i32 = sqlx::query_scalar("SELECT automations_queue_overdue()")
        .fetch_one(db)
        .await?;
    if announced > 0 {
        tracing::info!(tasks = announced, "tasks fell due");
    }
    Ok(announced)
}

/// A scheduled automation that is on or paused, with the trigger of its
/// current version and the ticks it has had.
#[derive(sqlx::FromRow)]
struct Scheduled {
    id: i64,
    location_id: String,
    name: String,
    version: i32,
    trigger: Json<Trigger>,
    time_zone: Option<String>,
    ticks_from: DateTime<Utc>,
    last_tick: Option<DateTime<Utc>>,
}

/// Fires every tick due at `now` that no scheduler has fired yet, as the
/// scheduler named `scheduler`; the ticks this call fired.
///
/// Only the latest due tick of each schedule fires: after a downtime the
/// ticks missed meanwhile are not fired one by one (a day of an
/// every-minute schedule would be 1,440 runs at once), but the last of
/// them is, once. The first tick of a schedule is the first one after it
/// was turned on or its trigger was saved.
pub async fn fire_due(
    db: &PgPool,
    scheduler: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Fired>> {
    let scheduled: Vec<Scheduled> = sqlx::query_as(
        r"SELECT a.id, a.location_id, a.name, a.version, v.definition -> 'trigger' AS trigger,
                 t.time_zone, a.ticks_from,
                 (SELECT max(k.tick_at) FROM automation_ticks k WHERE k.automation_id = a.id) AS last_tick
            FROM automations a
            JOIN automation_versions v ON v.automation_id = a.id AND v.version = a.version
            LEFT JOIN teams t ON t.location_id = a.location_id
           WHERE a.trigger_kind = 'schedule' AND a.state <> 'off'
           ORDER BY a.id",
    )
    .fetch_all(db)
    .await?;
    let mut fired = Vec::new();
    for automation in scheduled {
        let Trigger::Schedule { schedule } = &automation.trigger.0 else {
            continue;
        };
        let zone = automation
            .time_zone
            .as_deref()
            .map(TeamZone::named)
            .unwrap_or_default();
        let Some(tick) = schedule::latest_until(schedule, zone, now) else {
            continue;
        };
        let fired_up_to = automation.last_tick.map_or(automation.ticks_from, |last| {
            last.max(automation.ticks_from)
        });
        if tick <= fired_up_to {
            continue;
        }
        if let Some(run_id) = fire(db, &automation, zone, tick, scheduler).await? {
            fired.push(Fired {
                automation_id: automation.id,
                tick_at: tick,
                run_id,
            });
        }
    }
    Ok(fired)
}

/// Fires one tick: its row and its run in one transaction; the run's id,
/// or `None` when another scheduler fired it (or a later tick) first, or
/// the automation was turned off or saved since it was read (the next
/// look decides again).
async fn fire(
    db: &PgPool,
    automation: &Scheduled,
    zone: TeamZone,
    tick: DateTime<Utc>,
    scheduler: &str,
) -> sqlx::Result<Option<i64>> {
    let mut tx = crate::db::begin(db).await?;
    // A scheduler that read the ticks before a later one was fired must
    // not fire an earlier one after it.
    let taken = sqlx::query(
        r"INSERT INTO automation_ticks (automation_id, tick_at, fired_by)
          SELECT $1, $2, $3
           WHERE NOT EXISTS (SELECT 1 FROM automation_ticks WHERE automation_id = $1 AND tick_at >= $2)
          ON CONFLICT DO NOTHING",
    )
    .bind(automation.id)
    .bind(tick)
    .bind(scheduler)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !taken {
        return Ok(None);
    }
    let current: Option<i32> = sqlx::query_scalar(
        "SELECT version FROM automations WHERE id = $1 AND state <> 'off' FOR SHARE",
    )
    .bind(automation.id)
    .fetch_optional(&mut *tx)
    .await?;
    if current != Some(automation.version) {
        return Ok(None);
    }
    let run = NewRun {
        automation_id: automation.id,
        location_id: automation.location_id.clone(),
        version: automation.version,
        trigger_kind: "schedule",
        trigger_body: tick_data(automation.id, &automation.name, zone, tick),
        subject: None,
        dry_run: false,
    };
    let run_id = runs::enqueue_on(&mut tx, &run).await?;
    sqlx::query(
        "UPDATE automation_ticks SET run_id = $3 WHERE automation_id = $1 AND tick_at = $2",
    )
    .bind(automation.id)
    .bind(tick)
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(run_id))
}

/// What a scheduled run starts with: its tick on the team's clock, and the
/// automation.
pub fn tick_data(
    automation_id: i64,
    name: &str,
    zone: TeamZone,
    tick: DateTime<Utc>,
) -> serde_json::Value {
    json!({
        "tick": zone.rfc3339(tick),
        "automation": { "id": automation_id, "name": name },
    })
}

/// Deletes the ticks that a newer tick of their automation has long
/// followed; how many.
pub async fn prune(db: &PgPool) -> sqlx::Result<u64> {
    let done = sqlx::query(
        r"DELETE FROM automation_ticks k
          WHERE k.tick_at < now() - make_interval(hours => $1)
            AND EXISTS (SELECT 1 FROM automation_ticks newer
                         WHERE newer.automation_id = k.automation_id AND newer.tick_at > k.tick_at)",
    )
    .bind(TICKS_KEPT_HOURS)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
