//! Tasks: every page of the location's task search, or the tasks of the
//! contacts a poll found changed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Utc;
use futures::{stream, FutureExt, StreamExt, TryStreamExt};
use serde_json::{json, Value};

use crate::cache::{self, Cached, Covered, TaskRecord};
use crate::highlevel::models::TaskSearch;
use crate::sync::store::{self};

use super::{patiently, to_usize, Pass, Result, CONTACTS_PER_TASK_SEARCH};

impl Pass<'_> {
    /// Every task of the location, its pages fetched side by side: paging is
    /// by offset, so pages do not depend on each other. Pages past the end
    /// are not asked for once a short page shows where the end is.
    pub(super) async fn all_tasks(&self) -> Result<()> {
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

    pub(super) async fn task_page(&self, skip: u32, page: u32, end: &AtomicU32) -> Result<()> {
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
        let mut tx = crate::db::begin(&self.engine.pool).await?;
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
    pub(super) async fn tasks_of(&self, contact_ids: &[String]) -> Result<()> {
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

    pub(super) async fn tasks_of_chunk(&self, contact_ids: Vec<String>) -> Result<()> {
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
        let mut tx = crate::db::begin(&self.engine.pool).await?;
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
}
