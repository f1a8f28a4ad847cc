//! The Apps pages: the apps a team can connect, its connections, each
//! connection's webhook URL and the requests it received. Owners and admins
//! connect apps and rotate secrets; everyone reads.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// An app's logo tile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppTile {
    pub key: String,
    pub name: String,
    pub initial: String,
    pub colour: String,
}

/// How a connection checks requests and finds their type: the fields of
/// the connection form, filled from the app's template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionForm {
    /// `hmac_sha256` or `secret_header`.
    pub signing_mode: String,
    pub signing_header: String,
    /// `hex` or `base64`, for `hmac_sha256`.
    pub encoding: String,
    pub prefix: String,
    /// `body_field`, `header` or `fixed`.
    pub event_type_from: String,
    pub event_type_key: String,
}

/// An app a team can connect, with its form's starting values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppChoice {
    pub tile: AppTile,
    pub tagline: String,
    /// That real payloads vary by account.
    pub note: String,
    pub form: ConnectionForm,
    /// The event types the app is known to send, in plain words.
    pub events: Vec<String>,
}

/// One connection on the Apps page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppCard {
    pub id: i64,
    pub name: String,
    pub tile: AppTile,
    pub received: i64,
    pub refused: i64,
    /// `2026-11-24 19:02 CST`, or empty before the first request.
    pub last_request: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppsPageData {
    pub connections: Vec<AppCard>,
    pub catalogue: Vec<AppChoice>,
    pub can_change: bool,
}

/// A new connection: where the app sends, and the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub id: i64,
    pub webhook_url: String,
    pub secret: String,
}

/// One connection's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionDetail {
    pub id: i64,
    pub name: String,
    pub tile: AppTile,
    pub webhook_url: String,
    /// How requests are checked, in plain words.
    pub signing: String,
    /// Where the event type is read, in plain words.
    pub event_type: String,
    pub can_change: bool,
}

/// A request the connection received, accepted or refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingRequest {
    pub id: i64,
    pub received_at: String,
    pub event_type: Option<String>,
    pub accepted: bool,
    /// Why it was refused; empty when accepted.
    pub problem: String,
    /// Pretty-printed when JSON; a refused body is cut at 16 KB.
    pub body: String,
    pub bytes: Option<i64>,
}

/// Most requests listed at once.
pub const INCOMING_PAGE: i64 = 100;

#[server(endpoint = "apps/overview", output = crate::api::codec::JsonText)]
pub async fn apps_overview() -> Result<AppsPageData, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let cards = server::cards(&state.db, &caller.who.location_id, caller.zone).await?;
    Ok(AppsPageData {
        connections: cards,
        catalogue: server::catalogue(),
        can_change: caller.role().can_manage(),
    })
}

/// Connects an app (owners and admins). A problem names its field.
#[server(endpoint = "apps/connect", output = crate::api::codec::JsonText)]
pub async fn connect_app(
    app: String,
    name: String,
    form: ConnectionForm,
) -> Result<Created, AppError> {
    use crate::api::guard;
    use crate::apps::connections::store;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Admin).await?;
    let new = server::checked(&app, &name, &form, &caller)?;
    let (connection, secret) = store::create(&state.db, &state.vault, &new).await?;
    tracing::info!(location = %caller.who.location_id, connection = connection.id, app = %connection.app, "app connected");
    Ok(Created {
        id: connection.id,
        webhook_url: server::webhook_url(&state, &connection.public_id),
        secret: secrecy::ExposeSecret::expose_secret(&secret).to_owned(),
    })
}

#[server(endpoint = "apps/connection", output = crate::api::codec::JsonText)]
pub async fn app_connection(id: i64) -> Result<ConnectionDetail, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let connection = server::of_team(&state, &caller, id).await?;
    Ok(ConnectionDetail {
        id: connection.id,
        name: connection.name.clone(),
        tile: server::tile_of(&connection.app),
        webhook_url: server::webhook_url(&state, &connection.public_id),
        signing: server::describe_signing(&connection.signing),
        event_type: server::describe_event_type(&connection.event_type_from),
        can_change: caller.role().can_manage(),
    })
}

/// The connection's requests newer than `after_id`, newest first.
#[server(endpoint = "apps/incoming", output = crate::api::codec::JsonText)]
pub async fn app_incoming(id: i64, after_id: i64) -> Result<Vec<IncomingRequest>, AppError> {
    use crate::api::guard;
    use crate::apps::connections::store;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let connection = server::of_team(&state, &caller, id).await?;
    let rows = store::events(&state.db, connection.id, after_id, INCOMING_PAGE).await?;
    Ok(rows
        .into_iter()
        .map(|row| IncomingRequest {
            id: row.id,
            received_at: caller.zone.to_the_second(row.received_at),
            accepted: row.status == "received",
            event_type: row.event_type,
            problem: row.problem,
            body: row
                .body
                .as_deref()
                .map(crate::format::pretty_json)
                .unwrap_or_default(),
            bytes: row.body_bytes,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub(super) mod server {
    use super::*;
    use crate::app_error::FieldProblem;
    use crate::apps::connections::store::{self, Connection, NewConnection};
    use crate::apps::connections::{Encoding, EventTypeFrom, Signing};
    use crate::apps::templates::{self, AppKind};
    use crate::caller::Caller;
    use crate::state::AppState;
    use crate::zone::TeamZone;

    pub fn tile(kind: AppKind) -> AppTile {
        AppTile {
            key: kind.key().into(),
            name: kind.name().into(),
            initial: kind.initial().to_string(),
            colour: kind.colour().into(),
        }
    }

    pub fn tile_of(key: &str) -> AppTile {
        tile(AppKind::from_key(key).unwrap_or(AppKind::Generic))
    }

    pub fn catalogue() -> Vec<AppChoice> {
        AppKind::ALL
            .into_iter()
            .map(|kind| {
                let template = templates::template(kind);
                AppChoice {
                    tile: tile(kind),
                    tagline: kind.tagline().into(),
                    note: template.note.clone(),
                    form: form_of(&template),
                    events: template
                        .events
                        .iter()
                        .map(|event| event.label.clone())
                        .collect(),
                }
            })
            .collect()
    }

    fn form_of(template: &templates::Template) -> ConnectionForm {
        let (signing_mode, signing_header, encoding, prefix) = match &template.signing {
            templates::Signing::SecretHeader { header } => {
                ("secret_header", header.clone(), "hex", String::new())
            }
            templates::Signing::HmacSha256 {
                header,
                encoding,
                prefix,
            } => (
                "hmac_sha256",
                header.clone(),
                match encoding {
                    templates::Encoding::Hex => "hex",
                    templates::Encoding::Base64 => "base64",
                },
                prefix.clone(),
            ),
            templates::Signing::None => {
                ("hmac_sha256", "X-Signature".into(), "hex", "sha256=".into())
            }
        };
        let (event_type_from, event_type_key) = match &template.event_type_from {
            templates::EventTypeSource::BodyField(path) => ("body_field", path.clone()),
            templates::EventTypeSource::Header(name) => ("header", name.clone()),
            templates::EventTypeSource::Fixed(name) => ("fixed", name.clone()),
        };
        ConnectionForm {
            signing_mode: signing_mode.into(),
            signing_header,
            encoding: encoding.into(),
            prefix,
            event_type_from: event_type_from.into(),
            event_type_key,
        }
    }

    /// The form's values as a new connection, or the first field that is wrong.
    pub fn checked(
        app: &str,
        name: &str,
        form: &ConnectionForm,
        caller: &Caller,
    ) -> Result<NewConnection, AppError> {
        let problem =
            |field: &str, message: &str| AppError::Invalid(FieldProblem::new(field, message));
        let kind = AppKind::from_key(app)
            .ok_or_else(|| problem("app", "Choose one of the apps above."))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(problem("name", "Give the connection a name of 1 to 80 characters, such as \u{201c}Clubworx, main club\u{201d}."));
        }
        let header = form.signing_header.trim();
        if axum::http::HeaderName::try_from(header).is_err() {
            return Err(problem(
                "signing_header",
                "Write the name of the header the app puts its signature in, such as X-Signature.",
            ));
        }
        let signing = match form.signing_mode.as_str() {
            "secret_header" => Signing::SecretHeader {
                header: header.into(),
            },
            "hmac_sha256" => Signing::HmacSha256 {
                header: header.into(),
                encoding: Encoding::from_key(&form.encoding)
                    .ok_or_else(|| problem("encoding", "Choose hex or base64."))?,
                prefix: form.prefix.trim().into(),
            },
            _ => {
                return Err(problem(
                    "signing_mode",
                    "Choose how the app signs its requests.",
                ))
            }
        };
        let key = form.event_type_key.trim().to_owned();
        if key.is_empty() {
            return Err(problem(
                "event_type_key",
                "Say where the event type is: a field of the body, a header, or one fixed type.",
            ));
        }
        let event_type_from = EventTypeFrom::from_parts(&form.event_type_from, key)
            .ok_or_else(|| problem("event_type_from", "Choose where the event type is."))?;
        Ok(NewConnection {
            location_id: caller.who.location_id.clone(),
            app: kind.key().into(),
            name: name.into(),
            signing,
            event_type_from,
            created_by: caller.who.user_id,
        })
    }

    pub async fn of_team(
        state: &AppState,
        caller: &Caller,
        id: i64,
    ) -> Result<Connection, AppError> {
        store::of_team_by_id(&state.db, &caller.who.location_id, id)
            .await?
            .ok_or_else(|| AppError::NotFound("Your team has no such connection.".into()))
    }

    pub fn webhook_url(state: &AppState, public_id: &str) -> String {
        format!(
            "{}/hooks/{public_id}",
            crate::config::origin_of(&state.highlevel.redirect_uri)
        )
    }

    pub fn describe_signing(signing: &Signing) -> String {
        match signing {
            Signing::SecretHeader { header } => {
                format!("The connection's secret, in the header {header}.")
            }
            Signing::HmacSha256 {
                header,
                encoding,
                prefix,
            } => {
                let prefix = if prefix.is_empty() {
                    String::new()
                } else {
                    format!(", after \u{201c}{prefix}\u{201d}")
                };
                format!("An HMAC-SHA256 of the body under the connection's secret, in {} in the header {header}{prefix}.", encoding.key())
            }
        }
    }

    pub fn describe_event_type(from: &EventTypeFrom) -> String {
        match from {
            EventTypeFrom::BodyField(path) => format!("The body field \u{201c}{path}\u{201d}."),
            EventTypeFrom::Header(name) => format!("The header {name}."),
            EventTypeFrom::Fixed(name) => format!("Always \u{201c}{name}\u{201d}."),
        }
    }

    pub async fn cards(
        db: &sqlx::PgPool,
        location_id: &str,
        zone: TeamZone,
    ) -> Result<Vec<AppCard>, AppError> {
        let connections = store::of_team(db, location_id).await?;
        let mut cards = Vec::with_capacity(connections.len());
        for connection in connections {
            let counts = store::counts(db, connection.id).await?;
            cards.push(AppCard {
                id: connection.id,
                tile: tile_of(&connection.app),
                name: connection.name,
                received: counts.received,
                refused: counts.refused,
                last_request: counts.last.map(|at| zone.moment(at)).unwrap_or_default(),
            });
        }
        Ok(cards)
    }
}
