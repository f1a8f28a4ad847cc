//! The walks of one run: the contact search chain, the task search pages,
//! each calendar's events, the directory lists and the note requests. Each
//! page is written with its cursor and progress in one transaction.

mod appointments;
mod contacts;
mod directory;
mod notes;
mod tasks;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{future, FutureExt};
use serde_json::json;

use super::engine::{SyncEngine, SyncError};
use super::store::{self, Run, Settings};
use super::view::SyncKind;
use crate::cache::{
    self, BusinessRecord, CacheTable, Cached, CalendarRecord, ContactRecord, Covered, NoteRecord,
    TaskRecord, UserRecord,
};
use crate::highlevel::models::SearchSort;
use crate::highlevel::HighLevelError;
use contacts::ContactWalk;

type Result<T> = std::result::Result<T, SyncError>;

/// Businesses per page of their list.
const BUSINESS_PAGE: u32 = 100;
/// Contacts named in one task search of a poll.
const CONTACTS_PER_TASK_SEARCH: usize = 50;
/// Note requests taken from the queue at a time.
const NOTE_BATCH: i64 = 500;

/// One run of one location.
pub(super) struct Pass<'a> {
    pub engine: &'a SyncEngine,
    pub location_id: &'a str,
    pub run: &'a Run,
    pub settings: &'a Settings,
}

impl Pass<'_> {
    pub async fn execute(&self, kind: SyncKind) -> Result<()> {
        match kind {
            SyncKind::Full | SyncKind::Reconcile => self.everything(kind).await,
            SyncKind::Incremental => match self.settings.contacts_updated_through {
                Some(through) => self.changes_since(through).await,
                None => self.everything(SyncKind::Full).await,
            },
        }
    }

    /// Every record, then (reconciling) soft deletes of what is gone.
    async fn everything(&self, kind: SyncKind) -> Result<()> {
        let calendars = self.directory().await?;
        let walk = ContactWalk {
            step: "contacts",
            filters: Vec::new(),
            // Oldest first: contacts added during the walk come at its end.
            sort: sort_by("dateAdded"),
            resume: true,
            notes: kind == SyncKind::Full && self.settings.notes_on_first_sync,
        };
        future::try_join3(
            self.contacts(&walk).boxed(),
            self.all_tasks().boxed(),
            self.appointments(&calendars).boxed(),
        )
        .await?;
        self.notes().boxed().await?;
        if kind == SyncKind::Reconcile {
            self.sweep().boxed().await?;
        }
        Ok(())
    }

    /// A poll: contacts updated since a little before `through`, their tasks
    /// and notes, the appointment window, and the notes asked for.
    async fn changes_since(&self, through: DateTime<Utc>) -> Result<()> {
        let overlap = chrono::Duration::from_std(self.engine.options.overlap)
            .unwrap_or_else(|_| chrono::Duration::minutes(2));
        let since = (through - overlap).timestamp_millis();
        let calendars = self.calendars().await?;
        let walk = ContactWalk {
            step: "changed-contacts",
            filters: vec![
                json!({"field": "dateUpdated", "operator": "range", "value": {"gte": since}}),
            ],
            sort: sort_by("dateUpdated"),
            resume: false,
            notes: true,
        };
        let (mut changed, ()) = future::try_join(
            self.contacts(&walk).boxed(),
            self.appointments(&calendars).boxed(),
        )
        .await?;
        // Contacts asked for by others (a webhook naming one) get their tasks
        // read again as well as their notes.
        changed.extend(self.notes().boxed().await?);
        changed.sort_unstable();
        changed.dedup();
        self.tasks_of(&changed).boxed().await
    }

    /// Marks deleted what this run's full pass did not see: every row it
    /// read was written (so stamped) after the run started.
    async fn sweep(&self) -> Result<()> {
        let tables: [CacheTable; 5] = [
            ContactRecord::TABLE,
            TaskRecord::TABLE,
            UserRecord::TABLE,
            CalendarRecord::TABLE,
            BusinessRecord::TABLE,
        ];
        let now = Utc::now();
        for table in tables {
            cache::mark_unseen_deleted(
                &self.engine.pool,
                table,
                self.location_id,
                Covered::Location,
                &[],
                self.run.started_at,
                now,
            )
            .await?;
        }
        // Notes of deleted contacts went with them.
        let orphaned: Vec<String> = sqlx::query_scalar(
            r"SELECT n.id FROM cache_notes n JOIN cache_contacts c
             ON c.location_id = n.location_id AND c.id = n.contact_id
             WHERE n.location_id = $1 AND n.deleted_at IS NULL AND c.deleted_at IS NOT NULL",
        )
        .bind(self.location_id)
        .fetch_all(&self.engine.pool)
        .await?;
        cache::mark_deleted(
            &self.engine.pool,
            NoteRecord::TABLE,
            self.location_id,
            &orphaned,
            now,
        )
        .await?;
        Ok(())
    }

    async fn total(&self, entity: &str, total: u64) -> Result<()> {
        store::set_total(&self.engine.pool, self.run.id, entity, total).await?;
        Ok(())
    }
}
/// Waits before a request that still failed after the client's own
/// retries is tried again: a long run should outlast a burst of 429s or a
/// minute of 5xx rather than start over.
const PATIENCE: [Duration; 3] = [
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(15),
];

/// Sends a request again, after a pause, while it fails in a way that may
/// pass ([`HighLevelError::is_transient`]).
async fn patiently<T, F, Fut>(mut call: F) -> std::result::Result<T, HighLevelError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, HighLevelError>>,
{
    let mut waits = PATIENCE.iter();
    loop {
        match call().await {
            Err(error) if error.is_transient() => match waits.next() {
                Some(wait) => {
                    tracing::debug!(%error, "a sync request failed; trying again shortly");
                    tokio::time::sleep(*wait).await;
                }
                None => return Err(error),
            },
            outcome => return outcome,
        }
    }
}

fn sort_by(field: &str) -> SearchSort {
    SearchSort {
        field: field.to_owned(),
        direction: "asc".to_owned(),
    }
}

fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
