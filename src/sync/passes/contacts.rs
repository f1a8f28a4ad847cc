//! The contact search chain: a full walk that resumes from its cursor, or
//! a poll from a little before the last change.

use serde_json::{json, Value};

use crate::cache::{self, ContactRecord};
use crate::highlevel::models::{SearchContacts, SearchSort};
use crate::highlevel::HighLevelError;
use crate::sync::store::{self};

use super::{patiently, to_usize, Pass, Result};

/// How a contact search walk goes.
pub(super) struct ContactWalk {
    pub step: &'static str,
    pub filters: Vec<Value>,
    pub sort: SearchSort,
    /// Continue from the saved cursor (a full pass), or start over (a poll).
    pub resume: bool,
    /// Queue the notes of every contact seen.
    pub notes: bool,
}

impl Pass<'_> {
    /// Walks the contact search; returns the ids it wrote.
    pub(super) async fn contacts(&self, walk: &ContactWalk) -> Result<Vec<String>> {
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
            let mut tx = crate::db::begin(&self.engine.pool).await?;
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
}
