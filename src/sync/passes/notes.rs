//! Notes, one request per contact asked for.

use chrono::{DateTime, Utc};
use futures::{stream, FutureExt, StreamExt, TryStreamExt};

use crate::cache::{self, Cached, Covered, NoteRecord};
use crate::highlevel::HighLevelError;
use crate::sync::store::{self};

use super::{patiently, Pass, Result, NOTE_BATCH};

impl Pass<'_> {
    /// Reads the notes of every contact asked for, side by side, until none
    /// is left; returns the contacts read.
    pub(super) async fn notes(&self) -> Result<Vec<String>> {
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
    pub(super) async fn contact_notes(
        &self,
        contact_id: String,
        asked_at: DateTime<Utc>,
    ) -> Result<()> {
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
        let mut tx = crate::db::begin(&self.engine.pool).await?;
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
}
