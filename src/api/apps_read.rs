//! The Read API tab of an app connection: its key (issued or rotated by
//! owners and admins, shown once) and the contact fields it may read.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// A key just issued: the only time it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub key: String,
    /// What the tab shows from now on to recognise the key.
    pub prefix: String,
}

/// The connection's key and fields as the tab shows them; never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadApiView {
    /// `sb_live_` and the key's first 8 random characters; `None` before
    /// any key is issued.
    pub prefix: Option<String>,
    pub issued: Option<String>,
    /// Updated at most once a minute.
    pub last_used: Option<String>,
    /// The contact fields the key reads, by their API names.
    pub read_fields: Vec<String>,
    /// Every field that may be chosen, in the order to list them.
    pub all_fields: Vec<String>,
    /// Where the API answers: this server's origin + `/apps/api/v1`.
    pub api_url: String,
}

/// Issues the connection's key, replacing the old one at once (owners and
/// admins).
#[server(endpoint = "apps/read-api/issue-key", output = crate::api::codec::JsonText)]
pub async fn issue_api_key(connection_id: i64) -> Result<IssuedKey, AppError> {
    use crate::apps::read_api::keys;
    use crate::auth::roles::Role;
    use secrecy::ExposeSecret;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    own_connection(&state, &caller, connection_id).await?;
    let key = keys::issue(&state.db, connection_id).await?;
    tracing::info!(
        location = %caller.who.location_id,
        user_id = caller.who.user_id,
        connection = connection_id,
        "issued a read API key"
    );
    Ok(IssuedKey {
        prefix: keys::prefix_of(key.expose_secret()).to_owned(),
        key: key.expose_secret().to_owned(),
    })
}

/// The connection's key (its start only), its last use and its fields.
#[server(endpoint = "apps/read-api/settings", output = crate::api::codec::JsonText)]
pub async fn read_api_settings(connection_id: i64) -> Result<ReadApiView, AppError> {
    use crate::apps::read_api::fields::{self, ReadField};
    use crate::apps::read_api::keys;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    own_connection(&state, &caller, connection_id).await?;
    let settings = keys::settings(&state.db, connection_id).await?;
    Ok(ReadApiView {
        prefix: settings.prefix,
        issued: settings.issued_at.map(|at| caller.zone.moment(at)),
        last_used: settings.last_used_at.map(|at| caller.zone.moment(at)),
        read_fields: fields::keys(&settings.read_fields),
        all_fields: fields::keys(&ReadField::ALL),
        api_url: format!(
            "{}/apps/api/v1",
            crate::config::origin_of(&state.highlevel.redirect_uri)
        ),
    })
}

/// Chooses the contact fields the connection's key reads (owners and
/// admins); `id` always comes with them.
#[server(endpoint = "apps/read-api/read-fields", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn set_read_fields(connection_id: i64, fields: Vec<String>) -> Result<(), AppError> {
    use crate::apps::read_api::fields::ReadField;
    use crate::apps::read_api::keys;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    own_connection(&state, &caller, connection_id).await?;
    let chosen = fields
        .iter()
        .map(|key| {
            ReadField::from_key(key)
                .ok_or_else(|| AppError::invalid(format!("There is no contact field `{key}`.")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Stored in the listing order, each once.
    let chosen: Vec<ReadField> = ReadField::ALL
        .into_iter()
        .filter(|field| chosen.contains(field))
        .collect();
    keys::set_read_fields(&state.db, connection_id, &chosen).await?;
    Ok(())
}

/// Refuses a connection of another team as if it did not exist.
#[cfg(feature = "ssr")]
async fn own_connection(
    state: &crate::state::AppState,
    caller: &crate::caller::Caller,
    connection_id: i64,
) -> Result<(), AppError> {
    use crate::apps::connections::store;

    store::of_team_by_id(&state.db, &caller.who.location_id, connection_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound("Your team has no such connection.".into()))
}
