//! The walks of one run: the contact search chain, the task search pages,
//! each calendar's events, the directory lists and the note requests. Each
//! page is written with its cursor and progress in one transaction.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{future, stream, FutureExt, StreamExt, TryStreamExt};
use serde_json::{json, Value};

use super::engine::{SyncEngine, SyncError};
use super::store::{self, Run, Settings};
use super::view::SyncKind;
use crate::cache::{
    self, AppointmentRecord, BusinessRecord, CacheTable, Cached, CalendarRecord, ContactRecord,
    Covered, NoteRecord, TaskRecord, UserRecord,
};
use crate::highlevel::models::{
    CalendarEventsQuery, EventOwner, SearchContacts, SearchSort, TaskSearch,
};
use crate::highlevel::{HighLevelError, Window};

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

/// How a contact search walk goes.
struct ContactWalk {
    step: &'static str,
    filters: Vec<Value>,
    sort: SearchSort,
    /// Continue from the saved cursor (a full pass), or start over (a poll).
    resume: bool,
    /// Queue the notes of every contact seen.
    notes: bool,
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

    // Contacts.

    /// Walks the contact search; returns the ids it wrote.
    async fn contacts(&self, walk: &ContactWalk) -> Result<Vec<String>> {
        let saved = if walk.resume {
            store::cursor(&self.engine.pool, self.run.id, walk.step).await?
        } else {
            None
        };
        if let Some((_, true)) = saved {
            return Ok(Vec::new());
        }
        let mut after: Option<Vec<Value>> = saved
            .and_then(|(cursor, _)| cursor)
            .and_then(|cursor| serde_json::from_value(cursor).ok());
        let page_limit = self.engine.options.contact_page;
        let mut seen = Vec::new();
        let mut first = true;
        loop {
            let search = SearchContacts {
                location_id: self.location_id.to_owned(),
                page_limit,
                search_after: after.clone(),
                filters: walk.filters.clone(),
                sort: vec![walk.sort.clone()],
                ..SearchContacts::default()
            };
            let answer = patiently(|| {
                self.engine
                    .client
                    .search_contacts(self.location_id, &search)
            })
            .await?;
            if let Some(total) = answer.total.filter(|_| first) {
                self.total("contacts", total).await?;
            }
            first = false;
            let finished = answer.contacts.len() < to_usize(page_limit);
            let next = if finished {
                None
            } else {
                let next = answer.contacts.last().and_then(|c| c.search_after.clone());
                if next.is_none() || next == after {
                    return Err(HighLevelError::CursorStuck {
                        operation: "search-contacts-advanced".into(),
                    }
                    .into());
                }
                next
            };
            let records: Vec<ContactRecord> = answer
                .contacts
                .iter()
                .filter_map(|contact| ContactRecord::from_model(self.location_id, contact))
                .collect();
            let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
            let mut tx = self.engine.pool.begin().await?;
            cache::upsert(&mut *tx, &records).await?;
            if walk.notes {
                store::request_contacts(&mut *tx, self.location_id, &ids).await?;
            }
            let cursor = next.as_ref().map(|next| json!(next));
            store::save_cursor(&mut tx, self.run.id, walk.step, cursor.as_ref(), finished).await?;
            store::add_progress(&mut *tx, self.run.id, "contacts", records.len(), 1).await?;
            tx.commit().await?;
            seen.extend(ids);
            if finished {
                return Ok(seen);
            }
            after = next;
        }
    }

    // Tasks.

    /// Every task of the location, its pages fetched side by side: paging is
    /// by offset, so pages do not depend on each other. Pages past the end
    /// are not asked for once a short page shows where the end is.
    async fn all_tasks(&self) -> Result<()> {
        let page = self.engine.options.task_page.max(1);
        let done = store::done_cursors(&self.engine.pool, self.run.id, "tasks:").await?;
        let mut finished = HashSet::new();
        let end = AtomicU32::new(u32::MAX);
        for (step, cursor) in done {
            let Some(skip) = step
                .strip_prefix("tasks:")
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let count = cursor
                .as_ref()
                .and_then(|c| c.get("count"))
                .and_then(Value::as_u64);
            if count.is_some_and(|count| count < u64::from(page)) {
                end.fetch_min(skip.saturating_add(1), Ordering::SeqCst);
            }
            finished.insert(skip);
        }
        let end = &end;
        let finished = &finished;
        // A lazy iterator: the next page is only named once a slot is free,
        // so the end seen meanwhile stops it.
        let skips = (0u32..)
            .map(move |index| index.saturating_mul(page))
            .take_while(move |skip| *skip < end.load(Ordering::SeqCst))
            .filter(move |skip| !finished.contains(skip));
        stream::iter(skips)
            .map(|skip| self.task_page(skip, page, end).boxed())
            .buffer_unordered(self.engine.options.concurrency)
            .try_collect::<()>()
            .await
    }

    async fn task_page(&self, skip: u32, page: u32, end: &AtomicU32) -> Result<()> {
        if skip >= end.load(Ordering::SeqCst) {
            return Ok(());
        }
        let search = TaskSearch {
            skip: Some(skip),
            limit: Some(page),
            ..TaskSearch::default()
        };
        let tasks = patiently(|| self.engine.client.task_search(self.location_id, &search))
            .await?
            .tasks;
        if tasks.len() < to_usize(page) {
            end.fetch_min(skip.saturating_add(1), Ordering::SeqCst);
        }
        let now = Utc::now();
        let first_sync = self.settings.last_full_at.is_none();
        let records: Vec<TaskRecord> = tasks
            .into_iter()
            .filter_map(|task| TaskRecord::from_document(self.location_id, task, now))
            .map(|task| {
                if first_sync {
                    task.completed_before_watching()
                } else {
                    task
                }
            })
            .collect();
        let mut tx = self.engine.pool.begin().await?;
        cache::upsert(&mut *tx, &records).await?;
        let cursor = json!({"count": records.len()});
        let step = format!("tasks:{skip}");
        store::save_cursor(&mut tx, self.run.id, &step, Some(&cursor), true).await?;
        store::add_progress(&mut *tx, self.run.id, "tasks", records.len(), 1).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tasks of the contacts a poll found changed; their tasks HighLevel
    /// no longer lists are marked deleted.
    async fn tasks_of(&self, contact_ids: &[String]) -> Result<()> {
        let chunks: Vec<Vec<String>> = contact_ids
            .chunks(CONTACTS_PER_TASK_SEARCH)
            .map(<[String]>::to_vec)
            .collect();
        stream::iter(chunks)
            .map(|chunk| self.tasks_of_chunk(chunk).boxed())
            .buffer_unordered(self.engine.options.concurrency)
            .try_collect::<()>()
            .await
    }

    async fn tasks_of_chunk(&self, contact_ids: Vec<String>) -> Result<()> {
        let read_at = Utc::now();
        let search = TaskSearch {
            contact_id: Some(contact_ids.clone()),
            limit: Some(self.engine.options.task_page),
            ..TaskSearch::default()
        };
        let tasks: Vec<Value> = patiently(|| {
            self.engine
                .client
                .search_tasks_all(self.location_id, search.clone())
                .try_collect()
        })
        .await?;
        let pages = tasks.len() / to_usize(self.engine.options.task_page.max(1)) + 1;
        let records: Vec<TaskRecord> = tasks
            .into_iter()
            .filter_map(|task| TaskRecord::from_document(self.location_id, task, read_at))
            .collect();
        let seen: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let mut tx = self.engine.pool.begin().await?;
        cache::upsert(&mut *tx, &records).await?;
        cache::mark_unseen_deleted(
            &mut *tx,
            TaskRecord::TABLE,
            self.location_id,
            Covered::Contacts(&contact_ids),
            &seen,
            read_at,
            read_at,
        )
        .await?;
        store::add_progress(&mut *tx, self.run.id, "tasks", records.len(), pages).await?;
        tx.commit().await?;
        Ok(())
    }

    // Appointments.

    /// Each calendar's events over the run's window, side by side. A
    /// calendar's answer is the whole window, so events of the window it no
    /// longer lists are marked deleted.
    async fn appointments(&self, calendars: &[String]) -> Result<()> {
        let done: HashSet<String> =
            store::done_cursors(&self.engine.pool, self.run.id, "appointments:")
                .await?
                .into_iter()
                .map(|(step, _)| step)
                .collect();
        let due: Vec<String> = calendars
            .iter()
            .filter(|calendar| !done.contains(&format!("appointments:{calendar}")))
            .cloned()
            .collect();
        stream::iter(due)
            .map(|calendar| self.calendar_events(calendar).boxed())
            .buffer_unordered(self.engine.options.concurrency)
            .try_collect::<()>()
            .await
    }

    async fn calendar_events(&self, calendar_id: String) -> Result<()> {
        let calendar_id = calendar_id.as_str();
        let (Some(start), Some(end)) = (self.run.window_start, self.run.window_end) else {
            return Ok(());
        };
        let read_at = Utc::now();
        let query = CalendarEventsQuery {
            location_id: self.location_id.to_owned(),
            start_time_ms: start.timestamp_millis(),
            end_time_ms: end.timestamp_millis(),
            owner: EventOwner::Calendar(calendar_id.to_owned()),
        };
        let events = patiently(|| self.engine.client.get_calendar_events(&query))
            .await?
            .events;
        let records: Vec<AppointmentRecord> = events
            .iter()
            .filter_map(|event| AppointmentRecord::from_model(self.location_id, event))
            .collect();
        let seen: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let mut tx = self.engine.pool.begin().await?;
        cache::upsert(&mut *tx, &records).await?;
        let window = Covered::CalendarWindow {
            calendar_id,
            start,
            end,
        };
        cache::mark_unseen_deleted(
            &mut *tx,
            AppointmentRecord::TABLE,
            self.location_id,
            window,
            &seen,
            read_at,
            read_at,
        )
        .await?;
        let step = format!("appointments:{calendar_id}");
        store::save_cursor(&mut tx, self.run.id, &step, None, true).await?;
        store::add_progress(&mut *tx, self.run.id, "appointments", records.len(), 1).await?;
        tx.commit().await?;
        Ok(())
    }

    // The location, users, calendars and businesses.

    /// The location, users, calendars and businesses; returns the calendar ids.
    async fn directory(&self) -> Result<Vec<String>> {
        let (calendars, (), (), ()) = future::try_join4(
            self.calendars().boxed(),
            self.users().boxed(),
            self.businesses().boxed(),
            self.location().boxed(),
        )
        .await?;
        Ok(calendars)
    }

    /// The team's name and time zone, as the location now has them (a team
    /// signed in before time zones were kept gets its own here). A location
    /// that cannot be read keeps what the team had: the records matter more.
    async fn location(&self) -> Result<()> {
        let location = match self.engine.client.get_location(self.location_id).await {
            Ok(answer) => answer.location,
            Err(error) => {
                tracing::warn!(location_id = self.location_id, error = %error.user_message(), "reading the location");
                return Ok(());
            }
        };
        sqlx::query(
            "UPDATE teams SET name = coalesce($2, name), time_zone = coalesce($3, time_zone) \
             WHERE location_id = $1",
        )
        .bind(self.location_id)
        .bind(location.name.filter(|name| !name.trim().is_empty()))
        .bind(
            location
                .timezone
                .map(|zone| crate::zone::TeamZone::named(&zone).name()),
        )
        .execute(&self.engine.pool)
        .await?;
        Ok(())
    }

    async fn calendars(&self) -> Result<Vec<String>> {
        let calendars = patiently(|| self.engine.client.get_calendars(self.location_id))
            .await?
            .calendars;
        let records: Vec<CalendarRecord> = calendars
            .iter()
            .filter_map(|calendar| CalendarRecord::from_model(self.location_id, calendar))
            .collect();
        self.write_list("calendars", &records, 1).await?;
        Ok(calendars.into_iter().map(|calendar| calendar.id).collect())
    }

    async fn users(&self) -> Result<()> {
        let users = patiently(|| self.engine.client.get_users_by_location(self.location_id))
            .await?
            .users;
        let records: Vec<UserRecord> = users
            .iter()
            .filter(|user| user.deleted != Some(true))
            .filter_map(|user| UserRecord::from_model(self.location_id, user))
            .collect();
        self.write_list("users", &records, 1).await
    }

    async fn businesses(&self) -> Result<()> {
        let mut records = Vec::new();
        let mut pages = 0;
        loop {
            let window = Window {
                skip: Some(u32::try_from(records.len()).unwrap_or(u32::MAX)),
                limit: Some(BUSINESS_PAGE),
            };
            let page = patiently(|| self.engine.client.get_businesses(self.location_id, window))
                .await?
                .businesses;
            pages += 1;
            let short = page.len() < to_usize(BUSINESS_PAGE);
            records.extend(
                page.iter()
                    .filter_map(|business| BusinessRecord::from_model(self.location_id, business)),
            );
            if short {
                break;
            }
        }
        self.write_list("businesses", &records, pages).await
    }

    async fn write_list<T: Cached>(
        &self,
        entity: &str,
        records: &[T],
        requests: usize,
    ) -> Result<()> {
        let mut tx = self.engine.pool.begin().await?;
        cache::upsert(&mut *tx, records).await?;
        store::add_progress(&mut *tx, self.run.id, entity, records.len(), requests).await?;
        tx.commit().await?;
        Ok(())
    }

    // Notes.

    /// Reads the notes of every contact asked for, side by side, until none
    /// is left; returns the contacts read.
    async fn notes(&self) -> Result<Vec<String>> {
        let mut read = Vec::new();
        loop {
            let batch =
                store::pending_contacts(&self.engine.pool, self.location_id, NOTE_BATCH).await?;
            if batch.is_empty() {
                return Ok(read);
            }
            read.extend(batch.iter().map(|(contact_id, _)| contact_id.clone()));
            stream::iter(batch)
                .map(|(contact_id, asked_at)| self.contact_notes(contact_id, asked_at).boxed())
                .buffer_unordered(self.engine.options.concurrency)
                .try_collect::<()>()
                .await?;
        }
    }

    /// One contact's notes; those HighLevel no longer lists are marked deleted.
    async fn contact_notes(&self, contact_id: String, asked_at: DateTime<Utc>) -> Result<()> {
        let read_at = Utc::now();
        let notes = match patiently(|| {
            self.engine
                .client
                .get_all_notes(self.location_id, &contact_id)
        })
        .await
        {
            Ok(answer) => answer.notes,
            // The contact is gone: so are its notes.
            Err(HighLevelError::BadRequest { .. } | HighLevelError::NotFound { .. }) => Vec::new(),
            Err(error) => return Err(error.into()),
        };
        let records: Vec<NoteRecord> = notes
            .iter()
            .filter_map(|note| NoteRecord::from_model(self.location_id, note))
            .collect();
        let seen: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        let mut tx = self.engine.pool.begin().await?;
        cache::upsert(&mut *tx, &records).await?;
        cache::mark_unseen_deleted(
            &mut *tx,
            NoteRecord::TABLE,
            self.location_id,
            Covered::Contacts(std::slice::from_ref(&contact_id)),
            &seen,
            read_at,
            read_at,
        )
        .await?;
        store::settle_contact(&mut tx, self.location_id, &contact_id, asked_at).await?;
        store::add_progress(&mut *tx, self.run.id, "notes", records.len(), 1).await?;
        tx.commit().await?;
        Ok(())
    }

    // Reconciliation.

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
            "SELECT n.id FROM cache_notes n JOIN cache_contacts c \
             ON c.location_id = n.location_id AND c.id = n.contact_id \
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
