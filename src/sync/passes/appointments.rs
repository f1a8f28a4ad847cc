//! Each calendar's events over the run's window.

use std::collections::HashSet;

use chrono::Utc;
use futures::{stream, FutureExt, StreamExt, TryStreamExt};

use crate::cache::{self, AppointmentRecord, Cached, Covered};
use crate::highlevel::models::{CalendarEventsQuery, EventOwner};
use crate::sync::store::{self};

use super::{patiently, Pass, Result};

impl Pass<'_> {
    /// Each calendar's events over the run's window, side by side. A
    /// calendar's answer is the whole window, so events of the window it no
    /// longer lists are marked deleted.
    pub(super) async fn appointments(&self, calendars: &[String]) -> Result<()> {
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

    pub(super) async fn calendar_events(&self, calendar_id: String) -> Result<()> {
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
        let mut tx = crate::db::begin(&self.engine.pool).await?;
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
}
