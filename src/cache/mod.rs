//! The Postgres cache of each team's HighLevel data: one record type per
//! table, built from the API's typed answers, and batched upserts.
//!
//! Every writer (the sync, the webhook intake, the contact workspace after a
//! write) goes through these functions, so a row means the same thing
//! whichever path wrote it. An upsert never replaces a row with an older
//! version of it (compared by `date_updated` where HighLevel gives one).

mod appointments;
mod contacts;
mod directory;
mod notes;
pub mod rollups;
mod tasks;
mod time;
mod upsert;

pub use appointments::AppointmentRecord;
pub use contacts::ContactRecord;
pub use directory::{BusinessRecord, CalendarRecord, UserRecord};
pub use notes::NoteRecord;
pub use tasks::TaskRecord;
pub use time::parse_time;
pub use upsert::{mark_deleted, mark_unseen_deleted, upsert, CacheTable, Cached, Covered};

use serde_json::Value;

/// A non-empty string field of a HighLevel document.
fn text(document: &Value, name: &str) -> Option<String> {
    document
        .get(name)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// A string-array field of a HighLevel document (missing means empty).
pub fn text_list(document: &Value, name: &str) -> Vec<String> {
    document
        .get(name)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The id of a document: `id`, or `_id` as some answers spell it.
fn document_id(document: &Value) -> Option<String> {
    text(document, "id").or_else(|| text(document, "_id"))
}
