//! `GET /contacts/export.csv?…`: the contacts the list's filter shows, as a
//! CSV file streamed row by row, for anyone signed in to the team.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::app_error::AppError;
use crate::caller::Caller;
use crate::state::AppState;
use crate::workspace::export;
use crate::workspace::filter::ContactFilter;

/// A caller who is not signed in, or no longer a member, is refused with
/// the [`AppError`]'s status and reason.
pub async fn contacts_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let zone = caller.zone;
    let filter = match ContactFilter::from_pairs(pairs).validate(|day| zone.midnight(day)) {
        Ok(filter) => filter,
        Err(message) => return AppError::invalid(message).into_response(),
    };
    let filename = format!("contacts-{}.csv", zone.date(chrono::Utc::now()));
    let rows = export::csv(state.db.clone(), &caller.who.location_id, &filter, zone);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(rows),
    )
        .into_response()
}
