//! The field-mapping builder of an app connection: which event types it can
//! map, the form of one mapping with its sample and targets, the live check
//! as the person types, saves as versions, restores, and picking a received
//! request as an event type's sample. Everyone reads; owners and admins save.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::apps::AppTile;
use crate::app_error::AppError;

/// An event type the connection can map, on the connection page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappableType {
    pub key: String,
    /// In plain words; the key itself for a type only seen in requests.
    pub label: String,
    /// The newest saved version; `None` while the app's starting mapping is used.
    pub version: Option<i32>,
    /// Whether a received request is its sample (else the app's example).
    pub picked_sample: bool,
}

/// A HighLevel field a rule can fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetChoice {
    pub key: String,
    pub label: String,
    /// `Contact`, `Custom fields`, `Task` or `Note`: the picker's groups.
    pub group: String,
    /// What the field takes, in plain words, such as "an email address".
    pub takes: String,
    /// Whether every event must fill it: the field contacts are found by.
    pub required: bool,
}

/// A value of the sample the person can click to use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickerField {
    /// The path as an expression reads it, such as `data.member.email`.
    pub path: String,
    pub value: String,
}

/// One rule of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    pub target: String,
    pub expression: String,
    /// `overwrite`, `only_if_empty` or `append`.
    pub mode: String,
}

/// One row of a lookup table: their value, and ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRow {
    pub table: String,
    pub from: String,
    pub to: String,
}

/// The mapping as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingDraft {
    /// `email`, `phone` or `external_id`.
    pub identify_by: String,
    /// The custom field (its key) holding the app's id, for `external_id`.
    pub external_field: String,
    pub rules: Vec<RuleDraft>,
    pub lookups: Vec<LookupRow>,
}

/// A saved version in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: i32,
    pub saved_at: String,
    pub saved_by: String,
    pub rules: usize,
}

/// Everything the mapping page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingPage {
    pub connection_id: i64,
    pub connection_name: String,
    pub tile: AppTile,
    pub event_type: String,
    pub event_label: String,
    pub can_change: bool,
    pub targets: Vec<TargetChoice>,
    /// `(key, name)` of the location's custom fields, for the identity.
    pub custom_fields: Vec<(String, String)>,
    /// Set when HighLevel could not list the custom fields just now.
    pub location_note: Option<String>,
    /// The sample, pretty-printed.
    pub sample: String,
    /// Where the sample comes from, in plain words.
    pub sample_from: String,
    pub sample_fields: Vec<PickerField>,
    pub draft: MappingDraft,
    pub versions: Vec<VersionRow>,
}

/// A problem of the mapping; `rule` is the index of its row, `None` for the
/// whole mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingProblem {
    pub rule: Option<usize>,
    pub message: String,
}

/// The mapping run over the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingCheck {
    /// The requests HighLevel would get, pretty-printed.
    pub requests: String,
    /// Each rule's value over the sample (`None` when it failed).
    pub values: Vec<Option<String>>,
    pub problems: Vec<MappingProblem>,
}

/// Event types the connection can map: the app's own, then any other it sent.
#[server(endpoint = "apps/mapping/types")]
pub async fn mappable_types(connection_id: i64) -> Result<Vec<MappableType>, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::types(&state.db, &connection).await
}

#[server(endpoint = "apps/mapping/editor")]
pub async fn mapping_editor(
    connection_id: i64,
    event_type: String,
) -> Result<MappingPage, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::editor(&state, &caller, &connection, &event_type).await
}

/// Runs the form's mapping over the sample: the requests and the problems.
#[server(endpoint = "apps/mapping/check", input = leptos::server_fn::codec::Json)]
pub async fn check_mapping(
    connection_id: i64,
    event_type: String,
    draft: MappingDraft,
) -> Result<MappingCheck, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::check(&state, &caller, &connection, &event_type, &draft).await
}

/// Saves the form's mapping as a new version (owners and admins); a
/// mapping with problems is refused. Returns the version.
#[server(endpoint = "apps/mapping/save", input = leptos::server_fn::codec::Json)]
pub async fn save_mapping(
    connection_id: i64,
    event_type: String,
    draft: MappingDraft,
) -> Result<i32, AppError> {
    use crate::apps::mapping::store;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    let check = server::check(&state, &caller, &connection, &event_type, &draft).await?;
    if let Some(first) = check.problems.first() {
        return Err(AppError::invalid(format!(
            "The mapping cannot be saved while it has problems ({}); the first: {}",
            check.problems.len(),
            first.message
        )));
    }
    let saved = server::from_draft(&draft).map_err(AppError::invalid)?;
    let version = store::save(
        &state.db,
        connection.id,
        &event_type,
        &saved,
        caller.who.user_id,
    )
    .await?;
    tracing::info!(connection = connection.id, %event_type, version, "mapping saved");
    Ok(version)
}

/// Saves an earlier version again as the newest (owners and admins).
#[server(endpoint = "apps/mapping/restore")]
pub async fn restore_mapping(
    connection_id: i64,
    event_type: String,
    version: i32,
) -> Result<i32, AppError> {
    use crate::apps::mapping::store;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    let saved = store::version(&state.db, connection.id, &event_type, version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no version {version}.")))?;
    let newest = store::save(
        &state.db,
        connection.id,
        &event_type,
        &saved,
        caller.who.user_id,
    )
    .await?;
    tracing::info!(connection = connection.id, %event_type, version, newest, "mapping restored");
    Ok(newest)
}

/// Makes a received request the sample of its event type (owners and
/// admins); returns the event type.
#[server(endpoint = "apps/mapping/use-as-sample")]
pub async fn use_as_sample(connection_id: i64, request_id: i64) -> Result<String, AppError> {
    use crate::apps::mapping::store::{self, NotASample};
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    match store::pick_sample(&state.db, connection.id, request_id, caller.who.user_id).await? {
        Ok(event_type) => Ok(event_type),
        Err(NotASample::NoSuchRequest) => Err(AppError::NotFound(
            "Only a received request with an event type can be a sample.".into(),
        )),
        Err(NotASample::NotAnObject) => Err(AppError::invalid(
            "This request's body is not a JSON object, so it cannot be a sample.",
        )),
    }
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::Value as Json;

    use super::*;
    use crate::apps::connections::store as connections;
    use crate::apps::connections::store::Connection;
    use crate::apps::mapping::location;
    use crate::apps::mapping::store::{self, Lookups, Saved};
    use crate::apps::mapping::{
        self, picker, FieldRule, IdentifyBy, Mapping, TargetInfo, TargetKind, WriteMode,
    };
    use crate::apps::templates::{self, AppKind, EventTemplate};
    use crate::caller::Caller;
    use crate::state::AppState;

    pub async fn connection(
        state: &AppState,
        caller: &Caller,
        id: i64,
    ) -> Result<Connection, AppError> {
        connections::of_team_by_id(&state.db, &caller.who.location_id, id)
            .await?
            .ok_or_else(|| AppError::NotFound("Your team has no such connection.".into()))
    }

    fn template_events(connection: &Connection) -> Vec<EventTemplate> {
        templates::template(AppKind::from_key(&connection.app).unwrap_or(AppKind::Generic)).events
    }

    pub async fn types(
        db: &sqlx::PgPool,
        connection: &Connection,
    ) -> Result<Vec<MappableType>, AppError> {
        let mapped = store::mapped_types(db, connection.id).await?;
        let picked = store::picked_types(db, connection.id).await?;
        let mut types: Vec<(String, String)> = template_events(connection)
            .into_iter()
            .map(|event| (event.key, event.label))
            .collect();
        for seen in store::received_types(db, connection.id).await? {
            if !types.iter().any(|(key, _)| *key == seen) {
                types.push((seen.clone(), seen));
            }
        }
        Ok(types
            .into_iter()
            .map(|(key, label)| MappableType {
                version: mapped.iter().find(|(k, _)| *k == key).map(|(_, v)| *v),
                picked_sample: picked.contains(&key),
                key,
                label,
            })
            .collect())
    }

    pub async fn editor(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        event_type: &str,
    ) -> Result<MappingPage, AppError> {
        let team = crate::api::guard::team(state, caller)?;
        let details = location::details(&state.db, &team.client, &team.location_id, false).await?;
        let template = template_events(connection)
            .into_iter()
            .find(|event| event.key == event_type);
        let (sample, sample_from) =
            sample_of(state, caller, connection, event_type, template.as_ref()).await?;
        let versions = store::versions(&state.db, connection.id, event_type).await?;
        let draft = match versions.first() {
            Some(newest) => to_draft(&newest.mapping.0),
            None => to_draft(&Saved {
                mapping: template
                    .as_ref()
                    .map(EventTemplate::starting_mapping)
                    .unwrap_or(Mapping {
                        identify_by: IdentifyBy::Email,
                        rules: Vec::new(),
                    }),
                lookups: Lookups::new(),
            }),
        };
        let identify_by = from_draft(&draft)
            .map(|saved| saved.mapping.identify_by)
            .unwrap_or(IdentifyBy::Email);
        Ok(MappingPage {
            connection_id: connection.id,
            connection_name: connection.name.clone(),
            tile: crate::api::apps::server::tile_of(&connection.app),
            event_type: event_type.to_owned(),
            event_label: template
                .map(|event| event.label)
                .unwrap_or_else(|| event_type.to_owned()),
            can_change: caller.role.can_manage(),
            targets: mapping::targets(&details.custom_fields, &identify_by)
                .into_iter()
                .map(target_choice)
                .collect(),
            custom_fields: details
                .custom_fields
                .iter()
                .map(|field| (field.key.clone(), field.name.clone()))
                .collect(),
            location_note: details.problem.clone(),
            sample_fields: picker::sample_fields(&sample)
                .into_iter()
                .map(|field| PickerField {
                    path: field.path,
                    value: field.value,
                })
                .collect(),
            sample: serde_json::to_string_pretty(&sample).unwrap_or_default(),
            sample_from,
            draft,
            versions: versions
                .iter()
                .map(|version| VersionRow {
                    version: version.version,
                    saved_at: caller.zone.moment(version.saved_at),
                    saved_by: version.saved_by.clone().unwrap_or_default(),
                    rules: version.mapping.0.mapping.rules.len(),
                })
                .collect(),
        })
    }

    /// The picked sample, else the app's example, else an empty object.
    async fn sample_of(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        event_type: &str,
        template: Option<&EventTemplate>,
    ) -> Result<(Json, String), AppError> {
        if let Some(picked) = store::sample(&state.db, connection.id, event_type).await? {
            let at = caller.zone.to_the_second(picked.received_at);
            return Ok((picked.body, format!("The request received {at}.")));
        }
        Ok(match template {
            Some(event) => (event.sample.clone(), event.sample_note.clone()),
            None => (
                Json::Object(Default::default()),
                "No sample yet: pick a received request of this type on the connection page."
                    .into(),
            ),
        })
    }

    pub async fn check(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        event_type: &str,
        draft: &MappingDraft,
    ) -> Result<MappingCheck, AppError> {
        let template = template_events(connection)
            .into_iter()
            .find(|event| event.key == event_type);
        let (sample, _) =
            sample_of(state, caller, connection, event_type, template.as_ref()).await?;
        let saved = match from_draft(draft) {
            Ok(saved) => saved,
            Err(message) => {
                return Ok(MappingCheck {
                    requests: String::new(),
                    values: vec![None; draft.rules.len()],
                    problems: vec![MappingProblem {
                        rule: None,
                        message,
                    }],
                })
            }
        };
        let details = location::kept_details(&state.db, &caller.who.location_id).await?;
        let context =
            location::context(&caller.who.location_id, caller.zone, details, saved.lookups);
        let preview = mapping::preview(&saved.mapping, &sample, &context);
        let requests = requests_of(&preview);
        Ok(MappingCheck {
            requests: serde_json::to_string_pretty(&requests).unwrap_or_default(),
            values: preview.values,
            problems: preview
                .problems
                .into_iter()
                .map(|problem| MappingProblem {
                    rule: problem.rule,
                    message: match problem.position {
                        Some((line, column)) => {
                            format!("Line {line}, column {column}: {}", problem.message)
                        }
                        None => problem.message,
                    },
                })
                .collect(),
        })
    }

    /// The requests as HighLevel would get them, named by what they do.
    fn requests_of(preview: &mapping::Preview) -> Json {
        let mut requests = serde_json::Map::new();
        if let Some(contact) = &preview.contact {
            requests.insert("POST /contacts/upsert".into(), contact.clone());
        }
        if let Some(task) = &preview.task {
            requests.insert("POST /contacts/{contactId}/tasks".into(), task.clone());
        }
        if let Some(note) = &preview.note {
            requests.insert("POST /contacts/{contactId}/notes".into(), note.clone());
        }
        Json::Object(requests)
    }

    fn target_choice(target: TargetInfo) -> TargetChoice {
        let group = match target.key.split('.').next() {
            Some("task") => "Task",
            Some("note") => "Note",
            _ if target.key.starts_with("contact.customField.") => "Custom fields",
            _ => "Contact",
        };
        TargetChoice {
            group: group.into(),
            takes: takes(target.kind).into(),
            key: target.key,
            label: target.label,
            required: target.required,
        }
    }

    fn takes(kind: TargetKind) -> &'static str {
        match kind {
            TargetKind::Text => "text",
            TargetKind::Email => "an email address",
            TargetKind::Phone => "a phone number",
            TargetKind::Date => "a date",
            TargetKind::DateTime => "a date and time",
            TargetKind::Number => "a number",
            TargetKind::YesNo => "yes or no",
            TargetKind::List => "items with commas between them",
        }
    }

    fn mode_key(mode: WriteMode) -> &'static str {
        match mode {
            WriteMode::Overwrite => "overwrite",
            WriteMode::OnlyIfEmpty => "only_if_empty",
            WriteMode::Append => "append",
        }
    }

    fn to_draft(saved: &Saved) -> MappingDraft {
        let (identify_by, external_field) = match &saved.mapping.identify_by {
            IdentifyBy::Email => ("email", String::new()),
            IdentifyBy::Phone => ("phone", String::new()),
            IdentifyBy::ExternalId { custom_field } => ("external_id", custom_field.clone()),
        };
        MappingDraft {
            identify_by: identify_by.into(),
            external_field,
            rules: saved
                .mapping
                .rules
                .iter()
                .map(|rule| RuleDraft {
                    target: rule.target.clone(),
                    expression: rule.expression.clone(),
                    mode: mode_key(rule.mode).into(),
                })
                .collect(),
            lookups: saved
                .lookups
                .iter()
                .flat_map(|(table, rows)| {
                    rows.iter().map(move |(from, to)| LookupRow {
                        table: table.clone(),
                        from: from.clone(),
                        to: to.clone(),
                    })
                })
                .collect(),
        }
    }

    /// The form as a mapping, or what is wrong with its identity or tables.
    pub fn from_draft(draft: &MappingDraft) -> Result<Saved, String> {
        let identify_by = match draft.identify_by.as_str() {
            "email" => IdentifyBy::Email,
            "phone" => IdentifyBy::Phone,
            "external_id" if draft.external_field.trim().is_empty() => {
                return Err("Choose the custom field that keeps the app's id.".into())
            }
            "external_id" => IdentifyBy::ExternalId {
                custom_field: draft.external_field.trim().to_owned(),
            },
            _ => {
                return Err(
                    "Choose how contacts are found: by email, phone or the app's id.".into(),
                )
            }
        };
        let rules = draft
            .rules
            .iter()
            .map(|rule| FieldRule {
                target: rule.target.clone(),
                expression: rule.expression.clone(),
                mode: match rule.mode.as_str() {
                    "only_if_empty" => WriteMode::OnlyIfEmpty,
                    "append" => WriteMode::Append,
                    _ => WriteMode::Overwrite,
                },
            })
            .collect();
        let mut lookups = Lookups::new();
        for row in &draft.lookups {
            let table = row.table.trim();
            if table.is_empty() {
                return Err("Give every lookup row the name of its table, such as status.".into());
            }
            let rows = lookups.entry(table.to_owned()).or_default();
            if rows
                .insert(row.from.trim().to_owned(), row.to.trim().to_owned())
                .is_some()
            {
                return Err(format!(
                    "The table {table} has \u{201c}{}\u{201d} twice: keep one row.",
                    row.from.trim()
                ));
            }
        }
        Ok(Saved {
            mapping: Mapping { identify_by, rules },
            lookups,
        })
    }
}
