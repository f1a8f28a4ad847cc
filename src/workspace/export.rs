//! `GET /contacts/export.csv?…`: the contacts the list's filter shows, as a
//! CSV file streamed row by row, for anyone signed in to the team.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use serde_json::json;
use tower_sessions::Session;

use super::contacts::{self, ExportRow};
use super::filter::ContactFilter;
use crate::auth::accounts::membership;
use crate::auth::session;
use crate::server::AppState;

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

pub async fn contacts_csv(
    State(state): State<AppState>,
    session: Session,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let Some(who) = session::signed_in(&session).await else {
        return refusal(StatusCode::UNAUTHORIZED, "Please sign in first.");
    };
    let zone = match membership(&state.db, who.user_id, &who.location_id).await {
        Ok(Some((_, zone))) => zone,
        Ok(None) => {
            return refusal(
                StatusCode::FORBIDDEN,
                "You are no longer a member of this team. Please sign in again.",
            )
        }
        Err(error) => {
            tracing::error!(%error, "checking a membership for an export");
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database did not answer.",
            );
        }
    };
    let filter = ContactFilter::from_pairs(pairs);
    let filter = match filter.validate(|day| zone.midnight(day)) {
        Ok(filter) => filter,
        Err(message) => return refusal(StatusCode::BAD_REQUEST, &message),
    };
    let header = futures::stream::once(async { line(HEADER.iter().map(|s| (*s).to_owned())) });
    let rows =
        contacts::all(state.db.clone(), &who.location_id, &filter, zone).map(|row| match row {
            Ok(row) => line(fields(row)),
            Err(error) => {
                // The download ends short; the log says why.
                tracing::error!(%error, "exporting contacts");
                Err(std::io::Error::other("the database stopped answering"))
            }
        });
    let filename = format!("contacts-{}.csv", zone.date(chrono::Utc::now()));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(header.chain(rows)),
    )
        .into_response()
}

fn refusal(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
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

/// One CSV record, quoted as the format requires.
fn line(fields: impl IntoIterator<Item = String>) -> Result<Bytes, std::io::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).map_err(std::io::Error::other)?;
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|error| std::io::Error::other(error.to_string()))
}
