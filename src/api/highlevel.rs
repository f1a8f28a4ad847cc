//! Every HighLevel operation the app uses, through one server function: the
//! browser names the operation; the server checks the caller's role against
//! what the operation does, pins it to the caller's own location, and sends
//! it with the team's token. The browser never holds a HighLevel token.

use leptos::prelude::*;

use crate::app_error::AppError;

/// Calls `operation_id` (an operationId of HighLevel's documents, e.g.
/// `get-contact`, `create-task`) with path/query `params` and a JSON `body`.
/// Reads need any role; writes need Member or above.
#[server(endpoint = "highlevel/call", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn call_highlevel(
    operation_id: String,
    params: Vec<(String, String)>,
    body: Option<String>,
) -> Result<serde_json::Value, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::{operations, Params};

    let operation = operations::find(&operation_id)
        .ok_or_else(|| AppError::invalid(format!("Unknown HighLevel operation {operation_id}.")))?;
    let writes = operation.scope.ends_with(".write");
    let (state, caller) = guard::require(if writes { Role::Member } else { Role::Viewer }).await?;
    let location_id = caller.who.location_id.clone();
    // The caller's own location, whatever the browser sent.
    let params: Params = params
        .into_iter()
        .filter(|(name, _)| name != "locationId")
        .collect();
    let body = body
        .map(|text| serde_json::from_str::<serde_json::Value>(&text))
        .transpose()
        .map_err(|error| AppError::invalid(format!("The request body is not valid JSON: {error}")))?
        .map(|mut body| {
            if let Some(object) = body.as_object_mut() {
                object.insert(
                    "locationId".into(),
                    serde_json::Value::String(location_id.clone()),
                );
            }
            body
        });
    team_client(&state)?
        .call(operation.id, &location_id, &params, body)
        .await
        .map_err(AppError::from)
}

/// A client that speaks for the caller's team: the team's renewed token, the
/// shared rate budget, and the request log.
#[cfg(feature = "ssr")]
pub fn team_client(
    state: &crate::state::AppState,
) -> Result<crate::highlevel::HighLevelClient, AppError> {
    crate::highlevel::HighLevelClient::builder(
        state.highlevel.api_base.clone(),
        state.connection_tokens(),
    )
    .shared_through(&state.db)
    .build()
    .map_err(AppError::from)
}
