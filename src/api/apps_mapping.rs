//! The field-mapping builder of an app connection: what it can map (each
//! event type the app sends, and each kind of HighLevel record sent to it),
//! the form of one mapping with its sample and targets, the live check as
//! the person types, saves as versions, restores, and picking a received
//! request as an event type's sample. Everyone reads; owners and admins save.
//! `sends` picks the direction: `false` for an event type received, `true`
//! for a record kind sent.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::apps::AppTile;
use crate::app_error::AppError;

/// Something the connection can map, on the connection page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappableType {
    /// The event type, or the kind of record sent.
    pub key: String,
    /// In plain words; the key itself for a type only seen in requests.
    pub label: String,
    /// The newest saved version; `None` while the starting mapping is used.
    pub version: Option<i32>,
    /// Whether a received request is its sample (else an example).
    pub picked_sample: bool,
}

/// Both ways a connection maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mappables {
    /// The event types the app sends.
    pub received: Vec<MappableType>,
    /// The HighLevel records Switchboard sends the app.
    pub sent: Vec<MappableType>,
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
    /// Whether this maps a HighLevel record sent to the app.
    pub sends: bool,
    /// The event type, or the kind of record sent.
    pub subject: String,
    pub label: String,
    pub can_change: bool,
    /// Empty for a sent record: its targets are paths of the body, typed.
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
    /// The requests HighLevel would get, or the body the app would get,
    /// pretty-printed.
    pub requests: String,
    /// Each rule's value over the sample (`None` when it failed).
    pub values: Vec<Option<String>>,
    pub problems: Vec<MappingProblem>,
}

/// What the connection can map: the app's event types (its own, then any
/// other it sent), and the records sent to it.
#[server(endpoint = "apps/mapping/types", output = crate::api::codec::JsonText)]
pub async fn mappable_types(connection_id: i64) -> Result<Mappables, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::mappables(&state.db, &connection).await
}

#[server(endpoint = "apps/mapping/editor", output = crate::api::codec::JsonText)]
pub async fn mapping_editor(
    connection_id: i64,
    sends: bool,
    subject: String,
) -> Result<MappingPage, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::editor(&state, &caller, &connection, sends, &subject).await
}

/// Runs the form's mapping over the sample: the requests and the problems.
#[server(endpoint = "apps/mapping/check", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn check_mapping(
    connection_id: i64,
    sends: bool,
    subject: String,
    draft: MappingDraft,
) -> Result<MappingCheck, AppError> {
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    server::check(&state, &caller, &connection, sends, &subject, &draft).await
}

/// Saves the form's mapping as a new version (owners and admins); a
/// mapping with problems is refused. Returns the version.
#[server(endpoint = "apps/mapping/save", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn save_mapping(
    connection_id: i64,
    sends: bool,
    subject: String,
    draft: MappingDraft,
) -> Result<i32, AppError> {
    use crate::apps::mapping::store;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    let check = server::check(&state, &caller, &connection, sends, &subject, &draft).await?;
    if let Some(first) = check.problems.first() {
        return Err(AppError::invalid(format!(
            "The mapping cannot be saved while it has problems ({}); the first: {}",
            check.problems.len(),
            first.message
        )));
    }
    let saved = server::from_draft(&draft).map_err(AppError::invalid)?;
    let of = server::of(&connection, sends, &subject);
    let version = store::save(&state.db, of, &saved, caller.who.user_id).await?;
    tracing::info!(connection = connection.id, sends, %subject, version, "mapping saved");
    Ok(version)
}

/// Saves an earlier version again as the newest (owners and admins).
#[server(endpoint = "apps/mapping/restore", output = crate::api::codec::JsonText)]
pub async fn restore_mapping(
    connection_id: i64,
    sends: bool,
    subject: String,
    version: i32,
) -> Result<i32, AppError> {
    use crate::apps::mapping::store;
    use crate::auth::roles::Role;

    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    let connection = server::connection(&state, &caller, connection_id).await?;
    let of = server::of(&connection, sends, &subject);
    let saved = store::version(&state.db, of, version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no version {version}.")))?;
    let newest = store::save(&state.db, of, &saved, caller.who.user_id).await?;
    tracing::info!(connection = connection.id, sends, %subject, version, newest, "mapping restored");
    Ok(newest)
}

/// Makes a received request the sample of its event type (owners and
/// admins); returns the event type.
#[server(endpoint = "apps/mapping/use-as-sample", output = crate::api::codec::JsonText)]
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
pub(super) mod server {
    use serde_json::Value as Json;

    use super::*;
    use crate::apps::connections::store as connections;
    use crate::apps::connections::store::Connection;
    use crate::apps::mapping::records::Record;
    use crate::apps::mapping::store::{self, Direction, Lookups, Of, Saved};
    use crate::apps::mapping::{
        self, picker, Engine, FieldRule, IdentifyBy, Mapping, TargetInfo, TargetKind, WriteMode,
    };
    use crate::apps::mapping::{in_force, location};
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

    pub fn of<'a>(connection: &Connection, sends: bool, subject: &'a str) -> Of<'a> {
        Of {
            connection_id: connection.id,
            direction: if sends {
                Direction::Send
            } else {
                Direction::Receive
            },
            subject,
        }
    }

    fn template_event(connection: &Connection, event_type: &str) -> Option<EventTemplate> {
        in_force::template_event(&connection.app, event_type)
    }

    fn record(subject: &str) -> Result<Record, AppError> {
        Record::from_key(subject).ok_or_else(unknown_record)
    }

    fn unknown_record() -> AppError {
        AppError::NotFound("Switchboard sends contacts, tasks, notes and appointments.".into())
    }

    pub async fn mappables(
        db: &sqlx::PgPool,
        connection: &Connection,
    ) -> Result<Mappables, AppError> {
        let mapped = store::mapped(db, connection.id, Direction::Receive).await?;
        let picked = store::picked_types(db, connection.id).await?;
        let kind = AppKind::from_key(&connection.app).unwrap_or(AppKind::Generic);
        let mut types: Vec<(String, String)> = templates::template(kind)
            .events
            .into_iter()
            .map(|event| (event.key, event.label))
            .collect();
        for seen in store::received_types(db, connection.id).await? {
            if !types.iter().any(|(key, _)| *key == seen) {
                types.push((seen.clone(), seen));
            }
        }
        let version_of = |mapped: &[(String, i32)], key: &str| {
            mapped.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
        };
        let received = types
            .into_iter()
            .map(|(key, label)| MappableType {
                version: version_of(&mapped, &key),
                picked_sample: picked.contains(&key),
                key,
                label,
            })
            .collect();
        let mapped = store::mapped(db, connection.id, Direction::Send).await?;
        let sent = Record::ALL
            .into_iter()
            .map(|record| MappableType {
                version: version_of(&mapped, record.key()),
                picked_sample: false,
                key: record.key().into(),
                label: record.label().into(),
            })
            .collect();
        Ok(Mappables { received, sent })
    }

    /// What a mapping is run over, and where it comes from in plain words.
    struct Sample {
        body: Json,
        from: String,
    }

    async fn sample(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        sends: bool,
        subject: &str,
    ) -> Result<Sample, AppError> {
        if sends {
            let record = record(subject)?;
            return Ok(
                match record.newest(&state.db, &caller.who.location_id).await? {
                    Some(body) => Sample {
                        body,
                        from: format!("Your most recently changed {}.", record.key()),
                    },
                    None => Sample {
                        body: record.example(),
                        from: format!(
                            "An example {}: your own show here once they are synced.",
                            record.key()
                        ),
                    },
                },
            );
        }
        if let Some(picked) = store::sample(&state.db, connection.id, subject).await? {
            let at = caller.zone.to_the_second(picked.received_at);
            return Ok(Sample {
                body: picked.body,
                from: format!("The request received {at}."),
            });
        }
        Ok(match template_event(connection, subject) {
            Some(event) => Sample {
                body: event.sample,
                from: event.sample_note,
            },
            None => Sample {
                body: Json::Object(Default::default()),
                from: "No sample yet: pick a received request of this type on the connection page."
                    .into(),
            },
        })
    }

    pub async fn editor(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        sends: bool,
        subject: &str,
    ) -> Result<MappingPage, AppError> {
        let team = crate::api::guard::team(state, caller)?;
        let details = location::details(&state.db, &team.client, &team.location_id, false).await?;
        let sample = sample(state, caller, connection, sends, subject).await?;
        let versions = store::versions(&state.db, of(connection, sends, subject)).await?;
        let saved = match versions.first() {
            Some(newest) => newest.mapping.0.clone(),
            None => in_force::starting(&connection.app, of(connection, sends, subject))
                .ok_or_else(unknown_record)?,
        };
        let label = match (sends, template_event(connection, subject)) {
            (true, _) => record(subject)?.label().to_owned(),
            (false, Some(event)) => event.label,
            (false, None) => subject.to_owned(),
        };
        let targets = if sends {
            Vec::new()
        } else {
            mapping::targets(&details.custom_fields, &saved.mapping.identify_by)
                .into_iter()
                .map(target_choice)
                .collect()
        };
        Ok(MappingPage {
            connection_id: connection.id,
            connection_name: connection.name.clone(),
            tile: crate::api::apps::server::tile_of(&connection.app),
            sends,
            subject: subject.to_owned(),
            label,
            can_change: caller.role().can_manage(),
            targets,
            custom_fields: details
                .custom_fields
                .iter()
                .map(|field| (field.key.clone(), field.name.clone()))
                .collect(),
            location_note: details.problem.clone(),
            sample_fields: picker::sample_fields(&sample.body)
                .into_iter()
                .map(|field| PickerField {
                    path: field.path,
                    value: field.value,
                })
                .collect(),
            sample: serde_json::to_string_pretty(&sample.body).unwrap_or_default(),
            sample_from: sample.from,
            draft: to_draft(&saved),
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

    pub async fn check(
        state: &AppState,
        caller: &Caller,
        connection: &Connection,
        sends: bool,
        subject: &str,
        draft: &MappingDraft,
    ) -> Result<MappingCheck, AppError> {
        let sample = sample(state, caller, connection, sends, subject).await?;
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
        let (requests, values, problems) = if sends {
            let delivery = Engine::new(&context).delivery(&saved.mapping.rules, &sample.body);
            (delivery.body, delivery.values, delivery.problems)
        } else {
            let preview = mapping::preview(&saved.mapping, &sample.body, &context);
            (requests_of(&preview), preview.values, preview.problems)
        };
        Ok(MappingCheck {
            requests: serde_json::to_string_pretty(&requests).unwrap_or_default(),
            values,
            problems: problems
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
