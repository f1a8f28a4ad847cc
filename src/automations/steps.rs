//! Each kind of step in two halves: `plan` works out the request from the
//! run's data (reading HighLevel where it must, which a dry run may do),
//! and `send` sends it. The executor records the plan before it is sent,
//! so a step whose answer was lost when the process stopped is checked
//! (`resumed`, see [`super::resume`]) before it is sent again, and a
//! delivery carries the same `Idempotency-Key` each time.

use serde_json::{json, Value as Json};

use super::execute::Services;
use super::model::{Action, FindBy};
use super::resume::already_made;
use crate::apps::connections::store as connections;
use crate::apps::mapping::in_force::in_force;
use crate::apps::mapping::store::{Direction, Of};
use crate::apps::mapping::{self, location, Engine, IdentifyBy, MappingContext};
use crate::apps::outbound::settings as outbound;
use crate::highlevel::{HighLevelError, Params};
use crate::workspace::tasks::parse_due;

/// Why a step did not get done.
#[derive(Debug, Clone, PartialEq)]
pub enum StepError {
    /// Trying again later may work (HighLevel busy, a timeout, the app down).
    Retry(String),
    /// It will fail the same way until something is changed.
    Fail(String),
}

impl From<sqlx::Error> for StepError {
    fn from(error: sqlx::Error) -> Self {
        tracing::warn!(%error, "an automation step could not use the database");
        StepError::Retry("The database could not be reached.".into())
    }
}

impl From<HighLevelError> for StepError {
    fn from(error: HighLevelError) -> Self {
        let words = error.user_message();
        if error.is_transient() || error.needs_reconnect() {
            StepError::Retry(words)
        } else {
            StepError::Fail(words)
        }
    }
}

/// One HighLevel request, as recorded and as sent.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: &'static str,
    pub params: Params,
    pub body: Option<Json>,
}

impl Call {
    pub(super) fn new(
        operation: &'static str,
        params: &[(&str, &str)],
        body: Option<Json>,
    ) -> Self {
        Self {
            operation,
            params: params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body,
        }
    }

    fn record(&self) -> Json {
        json!({"operation": self.operation, "params": self.params, "body": self.body})
    }
}

/// What a step will send.
#[derive(Debug, Clone)]
pub enum Planned {
    /// A contact upsert (or update, for a contact found by its external id),
    /// then the task and the note for that contact.
    Mapping {
        contact: Call,
        task: Option<Json>,
        note: Option<Json>,
    },
    HighLevel(Call),
    /// A signed delivery to a connected app.
    Delivery {
        connection_id: i64,
        path: String,
        body: Json,
    },
    /// Nothing to send: the step's output is known (a lookup).
    Known(Json),
}

impl Planned {
    /// The request as the run's page shows it.
    pub fn record(&self) -> Json {
        match self {
            Planned::Mapping {
                contact,
                task,
                note,
            } => json!({"contact": contact.record(), "task": task, "note": note}),
            Planned::HighLevel(call) => call.record(),
            Planned::Delivery {
                connection_id,
                path,
                body,
            } => json!({"connection": connection_id, "path": path, "body": body}),
            Planned::Known(_) => Json::Null,
        }
    }

    /// Whether sending it writes anything.
    pub fn writes(&self) -> bool {
        !matches!(self, Planned::Known(_))
    }
}

/// What a step reads while it is planned.
pub struct Plan<'a> {
    pub services: &'a Services,
    pub location_id: &'a str,
    pub context: &'a MappingContext,
    pub engine: &'a Engine,
    /// The trigger's data with `steps` and `now`: what expressions read.
    pub data: &'a Json,
    /// The trigger's data as it came, which a delivery without a contact sends.
    pub trigger: &'a Json,
}

impl Plan<'_> {
    fn text(&self, source: &str, what: &str) -> Result<String, StepError> {
        self.engine
            .text(source, self.data)
            .map(|text| text.trim().to_owned())
            .map_err(|why| StepError::Fail(format!("{what}: {why}")))
    }

    fn required(&self, source: &str, what: &str) -> Result<String, StepError> {
        let text = self.text(source, what)?;
        if text.is_empty() {
            return Err(StepError::Fail(format!("{what} came out empty.")));
        }
        Ok(text)
    }

    fn tags(&self, source: &str) -> Result<Vec<String>, StepError> {
        let text = self.required(source, "The tags")?;
        Ok(text
            .split(',')
            .map(str::trim)
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Works out what `action` will send.
    pub async fn plan(&self, action: &Action) -> Result<Planned, StepError> {
        Ok(match action {
            Action::ApplyMapping {
                connection_id,
                event_type,
            } => self.mapping(*connection_id, event_type).await?,
            Action::FindContact { by, value } => {
                let value = self.required(value, "What to find the contact by")?;
                Planned::Known(self.find(*by, &value).await?)
            }
            Action::AddTags { contact_id, tags } => Planned::HighLevel(Call::new(
                "add-tags",
                &[("contactId", &self.required(contact_id, "The contact")?)],
                Some(json!({ "tags": self.tags(tags)? })),
            )),
            Action::RemoveTags { contact_id, tags } => Planned::HighLevel(Call::new(
                "remove-tags",
                &[("contactId", &self.required(contact_id, "The contact")?)],
                Some(json!({ "tags": self.tags(tags)? })),
            )),
            Action::CreateTask {
                contact_id,
                title,
                body,
                due,
            } => {
                let due = self.required(due, "The due date")?;
                let due = parse_due(&due, self.context.zone).ok_or_else(|| {
                    StepError::Fail(format!("The due date “{due}” is not a date."))
                })?;
                Planned::HighLevel(Call::new(
                    "create-task",
                    &[("contactId", &self.required(contact_id, "The contact")?)],
                    Some(json!({
                        "title": self.required(title, "The title")?,
                        "body": self.text(body, "The description")?,
                        "dueDate": due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "completed": false,
                    })),
                ))
            }
            Action::CreateNote { contact_id, body } => Planned::HighLevel(Call::new(
                "create-note",
                &[("contactId", &self.required(contact_id, "The contact")?)],
                Some(json!({ "body": self.required(body, "The note")? })),
            )),
            Action::SendToApp {
                connection_id,
                path,
                contact_id,
            } => self.delivery(*connection_id, path, contact_id).await?,
            // The executor works out a wait's moment and a branch's way:
            // neither sends anything.
            Action::Wait { .. } | Action::Branch { .. } => Planned::Known(json!({})),
        })
    }

    async fn mapping(&self, connection_id: i64, event_type: &str) -> Result<Planned, StepError> {
        let db = &self.services.db;
        let connection = connections::of_team_by_id(db, self.location_id, connection_id)
            .await?
            .ok_or_else(|| {
                StepError::Fail("The app connection of this step was deleted.".into())
            })?;
        let of = Of {
            connection_id,
            direction: Direction::Receive,
            subject: event_type,
        };
        let saved = in_force(db, &connection, of).await?.ok_or_else(|| {
            StepError::Fail("The connection has no mapping for this event.".into())
        })?;
        let context = MappingContext {
            lookups: saved.lookups.clone(),
            ..self.context.clone()
        };
        let applied = mapping::apply(&saved.mapping, self.data, &context).map_err(|problems| {
            let words: Vec<String> = problems
                .iter()
                .map(|problem| format!("{}: {}", problem.target, problem.message))
                .collect();
            StepError::Fail(format!(
                "The mapping does not fit this event. {}",
                words.join(" ")
            ))
        })?;
        let existing = self
            .existing(&saved.mapping.identify_by, &applied.contact)
            .await?;
        let contact = match (&saved.mapping.identify_by, existing) {
            (IdentifyBy::ExternalId { .. }, Some(existing)) => {
                let mut body = applied.for_existing(&existing);
                if let Some(fields) = body.as_object_mut() {
                    fields.remove("locationId");
                }
                let id = existing["id"].as_str().unwrap_or_default().to_owned();
                Call::new("update-contact", &[("contactId", &id)], Some(body))
            }
            (_, Some(existing)) => {
                Call::new("upsert-contact", &[], Some(applied.for_existing(&existing)))
            }
            (_, None) => Call::new("upsert-contact", &[], Some(applied.contact.clone())),
        };
        Ok(Planned::Mapping {
            contact,
            task: applied.task,
            note: applied.note,
        })
    }

    /// The contact HighLevel has for the mapping's identity, as HighLevel
    /// reads it: by e-mail or phone from HighLevel, by an external id from
    /// the cache (HighLevel cannot search custom fields).
    async fn existing(&self, by: &IdentifyBy, contact: &Json) -> Result<Option<Json>, StepError> {
        match by {
            IdentifyBy::Email => self.duplicate(contact["email"].as_str(), None).await,
            IdentifyBy::Phone => self.duplicate(None, contact["phone"].as_str()).await,
            IdentifyBy::ExternalId { .. } => {
                let Some(field) = contact["customFields"].as_array().and_then(|f| f.first()) else {
                    return Ok(None);
                };
                let value = field["value"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| field["value"].to_string());
                Ok(sqlx::query_scalar(
                    r"SELECT raw FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL
                        AND custom_fields @> $2 LIMIT 1",
                )
                .bind(self.location_id)
                .bind(json!([{ "id": field["id"], "value": value }]))
                .fetch_optional(&self.services.db)
                .await?)
            }
        }
    }

    async fn duplicate(
        &self,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Option<Json>, StepError> {
        if email.is_none() && phone.is_none() {
            return Ok(None);
        }
        let found = self
            .services
            .client
            .get_duplicate_contact(self.location_id, email, phone)
            .await?;
        Ok(found
            .contact
            .map(|contact| serde_json::to_value(contact).unwrap_or_default()))
    }

    async fn find(&self, by: FindBy, value: &str) -> Result<Json, StepError> {
        let found = match by {
            FindBy::Email => self.duplicate(Some(value), None).await?,
            FindBy::Phone => self.duplicate(None, Some(value)).await?,
        };
        Ok(match found {
            Some(contact) => json!({"found": true, "id": contact["id"], "contact": contact}),
            None => json!({"found": false, "id": null, "contact": null}),
        })
    }

    async fn delivery(
        &self,
        connection_id: i64,
        path: &str,
        contact_id: &str,
    ) -> Result<Planned, StepError> {
        let db = &self.services.db;
        let connection = connections::of_team_by_id(db, self.location_id, connection_id)
            .await?
            .ok_or_else(|| {
                StepError::Fail("The app connection of this step was deleted.".into())
            })?;
        let path = self.text(path, "The path")?;
        let contact_id = self.text(contact_id, "The contact")?;
        let body = if contact_id.is_empty() {
            self.trigger.clone()
        } else {
            let record = self.cached_contact(&contact_id).await?;
            let of = Of {
                connection_id,
                direction: Direction::Send,
                subject: "contact",
            };
            let saved = in_force(db, &connection, of).await?.ok_or_else(|| {
                StepError::Fail("The connection has no mapping for contacts.".into())
            })?;
            let context = MappingContext {
                lookups: saved.lookups.clone(),
                ..self.context.clone()
            };
            let built = Engine::new(&context).delivery(&saved.mapping.rules, &record);
            if let Some(problem) = built.problems.first() {
                return Err(StepError::Fail(format!(
                    "The connection's contact mapping: {}: {}",
                    problem.target, problem.message
                )));
            }
            built.body
        };
        Ok(Planned::Delivery {
            connection_id,
            path,
            body,
        })
    }

    /// A contact as the cache holds it, read from HighLevel when it does not.
    async fn cached_contact(&self, contact_id: &str) -> Result<Json, StepError> {
        let raw: Option<Json> = sqlx::query_scalar(
            "SELECT raw FROM cache_contacts WHERE location_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(self.location_id)
        .bind(contact_id)
        .fetch_optional(&self.services.db)
        .await?;
        if let Some(raw) = raw {
            return Ok(raw);
        }
        let answer = self
            .services
            .client
            .get_contact(self.location_id, contact_id)
            .await?;
        Ok(serde_json::to_value(answer.contact).unwrap_or_default())
    }
}

/// Sends what a step planned; its answer and output.
pub async fn send(
    services: &Services,
    run_id: i64,
    location_id: &str,
    planned: &Planned,
    resumed: bool,
    idempotency_key: &str,
) -> Result<(Json, Json), StepError> {
    match planned {
        Planned::Known(output) => Ok((Json::Null, output.clone())),
        Planned::HighLevel(call) => {
            let answer = match already_made(services, location_id, call, resumed).await? {
                Some(found) => found,
                None => services.call(location_id, call).await?,
            };
            services.cache(run_id, location_id, call, &answer).await;
            Ok((answer.clone(), output_of(call.operation, &answer)))
        }
        Planned::Mapping {
            contact,
            task,
            note,
        } => send_mapping(services, run_id, location_id, contact, task, note, resumed).await,
        Planned::Delivery {
            connection_id,
            path,
            body,
        } => {
            let outcome = services
                .deliver(location_id, *connection_id, path, body, idempotency_key)
                .await?;
            let answer = serde_json::to_value(&outcome).unwrap_or_default();
            match outcome.error {
                None => Ok((
                    answer,
                    json!({"status": outcome.status, "answer": outcome.body_excerpt}),
                )),
                Some(why) if retryable(outcome.status) => Err(StepError::Retry(why)),
                Some(why) => Err(StepError::Fail(why)),
            }
        }
    }
}

/// No answer (a timeout, the app unreachable), 408, 429 and 5xx may pass
/// on a later try; other refusals will not.
fn retryable(status: Option<u16>) -> bool {
    status.is_none_or(|status| status == 408 || status == 429 || status >= 500)
}

async fn send_mapping(
    services: &Services,
    run_id: i64,
    location_id: &str,
    contact: &Call,
    task: &Option<Json>,
    note: &Option<Json>,
    resumed: bool,
) -> Result<(Json, Json), StepError> {
    let answer = match already_made(services, location_id, contact, resumed).await? {
        Some(found) => found,
        None => services.call(location_id, contact).await?,
    };
    services.cache(run_id, location_id, contact, &answer).await;
    let contact_id = answer["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut output = json!({
        "contact_id": contact_id,
        "id": contact_id,
        "new": answer["new"],
        "contact": answer["contact"],
    });
    let mut answers = json!({ "contact": answer });
    for (key, body, operation) in [("task", task, "create-task"), ("note", note, "create-note")] {
        let Some(body) = body else { continue };
        let call = Call::new(operation, &[("contactId", &contact_id)], Some(body.clone()));
        let made = match already_made(services, location_id, &call, resumed).await? {
            Some(found) => found,
            None => services.call(location_id, &call).await?,
        };
        services.cache(run_id, location_id, &call, &made).await;
        output[format!("{key}_id")] = made[key]["id"].clone();
        answers[key] = made;
    }
    Ok((answers, output))
}

/// What later steps read of a HighLevel answer.
fn output_of(operation: &str, answer: &Json) -> Json {
    match operation {
        "create-task" => json!({"id": answer["task"]["id"], "task": answer["task"]}),
        "create-note" => json!({"id": answer["note"]["id"], "note": answer["note"]}),
        "add-tags" | "remove-tags" => json!({"tags": answer["tags"]}),
        _ => answer.clone(),
    }
}

/// What a dry run shows in place of an answer it did not ask for.
pub fn dry_output(planned: &Planned) -> Json {
    match planned {
        Planned::Known(output) => output.clone(),
        Planned::Mapping { .. } => {
            json!({"dry_run": true, "contact_id": "(the contact)", "id": "(the contact)"})
        }
        _ => json!({"dry_run": true, "id": "(made by a real run)"}),
    }
}

/// The sealed settings a delivery needs, opened.
pub async fn target(
    services: &Services,
    location_id: &str,
    connection_id: i64,
) -> Result<crate::apps::outbound::deliver::Target, StepError> {
    let connection = connections::of_team_by_id(&services.db, location_id, connection_id)
        .await?
        .ok_or_else(|| StepError::Fail("The app connection of this step was deleted.".into()))?;
    let settings = outbound::load(&services.db, &connection)
        .await?
        .ok_or_else(|| {
            StepError::Fail(format!(
                "“{}” has no outbound settings yet: set its base URL on the connection page.",
                connection.name
            ))
        })?;
    settings
        .target(&services.vault)
        .map_err(|unusable| StepError::Fail(unusable.to_string()))
}

/// Reads the team's location details for mappings.
pub async fn team_context(
    services: &Services,
    location_id: &str,
) -> Result<MappingContext, StepError> {
    let details = location::details(&services.db, &services.client, location_id, false).await?;
    let zone = crate::zone::TeamZone::of_team(&services.db, location_id).await?;
    Ok(location::context(
        location_id,
        zone,
        details,
        Default::default(),
    ))
}
