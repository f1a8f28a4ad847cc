//! The contacts a filter shows, as CSV records streamed row by row.

use axum::body::Bytes;
use futures::{Stream, StreamExt};
use sqlx::PgPool;

use super::contacts::{self, ExportRow};
use super::filter::ValidFilter;
use crate::zone::TeamZone;

const HEADER: [&str; 9] = [
    "Name",
    "Email",
    "Phone",
    "Company",
    "Source",
    "Assigned to",
    "Tags",
    "Date added",
    "Contact id",
];

/// The header, then one record per contact that `filter` matches. A
/// database failure ends the stream short; the log says why.
pub fn csv(
    db: PgPool,
    location_id: &str,
    filter: &ValidFilter,
    zone: TeamZone,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let header = futures::stream::once(async { line(HEADER.iter().map(|s| (*s).to_owned())) });
    let rows = contacts::all(db, location_id, filter, zone).map(|row| match row {
        Ok(row) => line(fields(row)),
        Err(error) => {
            tracing::error!(%error, "exporting contacts");
            Err(std::io::Error::other("the database stopped answering"))
        }
    });
    header.chain(rows)
}

fn fields(export: ExportRow) -> Vec<String> {
    let row = export.row;
    vec![
        row.name,
        row.email.unwrap_or_default(),
        row.phone.unwrap_or_default(),
        export.company.unwrap_or_default(),
        row.source.unwrap_or_default(),
        row.assignee.unwrap_or_default(),
        row.tags.join(", "),
        row.added.unwrap_or_default(),
        row.id,
    ]
}

/// One CSV record, quoted as the format requires, with no cell a
/// spreadsheet would run as a formula.
fn line(fields: impl IntoIterator<Item = String>) -> Result<Bytes, std::io::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let safe = fields
        .into_iter()
        .map(|field| crate::format::spreadsheet_safe(&field));
    writer.write_record(safe).map_err(std::io::Error::other)?;
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|error| std::io::Error::other(error.to_string()))
}
