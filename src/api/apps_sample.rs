//! Sample events in sandbox mode: which event types a connection's app
//! sends, and having the sandbox's simulated app send one to the
//! connection (owners and admins). The connection's secret stays on the
//! server: no answer carries it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// One event type the connection's app sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleEventType {
    /// As the app names it (`member.created`).
    pub key: String,
    /// What happened, in plain words.
    pub label: String,
}

/// Whether the connection page offers sample events, and of which types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleChoices {
    /// Whether this server runs in sandbox mode.
    pub sandbox: bool,
    /// Whether the caller may send one (owners and admins).
    pub can_send: bool,
    pub events: Vec<SampleEventType>,
}

/// What the connection's webhook door answered the simulated app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleSent {
    pub event_type: String,
    /// `None` when the simulated app could not reach the door.
    pub status: Option<u16>,
    /// Whether the door received the event.
    pub accepted: bool,
    /// The door's answer in its own words, or why it was not reached.
    pub message: String,
}

#[server(endpoint = "apps/sample/choices", output = crate::api::codec::JsonText)]
pub async fn sample_event_choices(connection_id: i64) -> Result<SampleChoices, AppError> {
    use crate::apps::templates::{self, AppKind};
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::own_connection(&state, &caller, connection_id).await?;
    let kind = AppKind::from_key(&connection.app).unwrap_or(AppKind::Generic);
    Ok(SampleChoices {
        sandbox: state.highlevel.sandbox,
        can_send: caller.role().can_manage(),
        events: templates::template(kind)
            .events
            .into_iter()
            .map(|event| SampleEventType {
                key: event.key,
                label: event.label,
            })
            .collect(),
    })
}

/// Has the sandbox's simulated app send one event of `event_type` to the
/// connection's webhook URL, signed as the connection's form says (owners
/// and admins, in sandbox mode only).
#[server(endpoint = "apps/sample/send", output = crate::api::codec::JsonText)]
pub async fn send_sample_event(
    connection_id: i64,
    event_type: String,
) -> Result<SampleSent, AppError> {
    use crate::app_error::FieldProblem;
    use crate::apps::sample::{self, SampleError, SampleRequest};
    use crate::apps::templates::{self, AppKind};
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::own_connection(&state, &caller, connection_id).await?;
    if !state.highlevel.sandbox {
        return Err(AppError::Forbidden(
            "Sample events come from the sandbox's simulated apps, so they can be sent only \
             when Switchboard runs in sandbox mode. Send a test event from the app itself instead."
                .into(),
        ));
    }
    let kind = AppKind::from_key(&connection.app).unwrap_or(AppKind::Generic);
    if !templates::template(kind)
        .events
        .iter()
        .any(|event| event.key == event_type)
    {
        return Err(AppError::Invalid(FieldProblem::new(
            "event_type",
            &format!(
                "{} sends no event of that type: choose one of the list.",
                kind.name()
            ),
        )));
    }
    let origin = crate::config::origin_of(&state.highlevel.redirect_uri);
    let webhook_url = format!("{origin}/hooks/{}", connection.public_id);
    let request = SampleRequest {
        sandbox_base: &state.highlevel.api_base,
        webhook_url: &webhook_url,
        connection: &connection,
        event_type: &event_type,
    };
    let answer = sample::send(&state.http, &state.vault, &request)
        .await
        .map_err(|error| match error {
            SampleError::Vault(error) => {
                tracing::error!(%error, connection = connection.id, "opening an app connection's secret");
                AppError::Unavailable(
                    "The connection's secret could not be read on this server.".into(),
                )
            }
            SampleError::Sandbox(message) => AppError::Unavailable(message),
        })?;
    tracing::info!(
        connection = connection.id,
        event_type = %event_type,
        status = ?answer.status,
        "a simulated app sent a sample event"
    );
    Ok(SampleSent {
        accepted: answer
            .status
            .is_some_and(|status| (200..300).contains(&status)),
        event_type,
        status: answer.status,
        message: answer.message,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use crate::app_error::AppError;
    use crate::apps::connections::store::{self, Connection};
    use crate::caller::Caller;
    use crate::state::AppState;

    /// The caller's team's connection; another team's is as if missing.
    pub async fn own_connection(
        state: &AppState,
        caller: &Caller,
        id: i64,
    ) -> Result<Connection, AppError> {
        store::of_team_by_id(&state.db, &caller.who.location_id, id)
            .await?
            .ok_or_else(|| AppError::NotFound("Your team has no such connection.".into()))
    }
}
