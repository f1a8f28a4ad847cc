//! Each kind of step in two halves: `plan` works out the request from the
//! run's data (reading HighLevel where it must, which a dry run may do),
//! and `send` sends it. The executor records the plan before it is sent,
//! so a step whose answer was lost when the process stopped is checked
//! (`resumed`, see [`super::resume`]) before it is sent again, and a
//! delivery carries the same `Idempotency-Key` each time.

use serde_json::{json, Value as Json};

use super::calls;
use super::execute::Services;
use super::model::{Action, ContactFields, FindBy, SummaryTo};
use super::resume::{already_made, gone_already};
use crate::alerts::{self, NewAlert};
use crate::apps::connections::store as connections;
use crate::apps::mapping::in_force::in_force;
use crate::apps::mapping::store::{Direction, Of};
use crate::apps::mapping::{self, location, Engine, IdentifyBy, MappingContext};
use crate::apps::outbound::settings as outbound;
use crate::highlevel::operations;
use crate::highlevel::{HighLevelError, Params};
use crate::reports::summary::{summarize, Period};
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

    pub(super) fn with(operation: &'static str, params: Params, body: Option<Json>) -> Self {
        Self {
            operation,
            params,
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
    /// An in-app alert, for one member or (`None`) the whole team.
    Alert {
        user_id: Option<i64>,
        title: String,
        body: String,
    },
    /// A summary read from the cache, then kept or sent as `then` says.
    Summary {
        summary: Json,
        then: Box<Planned>,
    },
    /// The contact's tasks and notes to be read again by the next sync.
    Refresh {
        contact_id: String,
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
            Planned::Alert {
                user_id,
                title,
                body,
            } => {
                json!({"alert": {"for": user_id.map_or(json!("the team"), |id| json!(id)), "title": title, "body": body}})
            }
            Planned::Summary { summary, then } => {
                json!({"summary": summary, "then": then.record()})
            }
            Planned::Refresh { contact_id } => json!({"read_again": contact_id}),
            Planned::Known(_) => Json::Null,
        }
    }

    /// Whether sending it writes anything: a HighLevel read (a "More" step
    /// may read) does not.
    pub fn writes(&self) -> bool {
        match self {
            Planned::Known(_) => false,
            Planned::HighLevel(call) => {
                operations::find(call.operation).is_none_or(operations::Operation::is_write)
            }
            _ => true,
        }
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

    /// A comma-separated list (tags, user ids).
    fn list(&self, source: &str, what: &str) -> Result<Vec<String>, StepError> {
        let text = self.required(source, what)?;
        Ok(text
            .split(',')
            .map(str::trim)
            .filter(|one| !one.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// A due date read in the team's zone, as HighLevel takes it.
    fn due(&self, due: &str) -> Result<String, StepError> {
        let due = parse_due(due, self.context.zone)
            .ok_or_else(|| StepError::Fail(format!("The due date “{due}” is not a date.")))?;
        Ok(due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// The parameters naming a task (`taskId`) or a note (`id`) of a contact.
    fn of_contact(
        &self,
        contact_id: &str,
        (name, source, what): (&str, &str, &str),
    ) -> Result<Params, StepError> {
        Ok(Params::from([
            (
                "contactId".to_owned(),
                self.required(contact_id, "The contact")?,
            ),
            (name.to_owned(), self.required(source, what)?),
        ]))
    }

    /// A campaign or workflow change: the contact, and the campaign or
    /// workflow as the parameter `name` (`what` in words).
    fn membership(
        &self,
        operation: &'static str,
        contact_id: &str,
        (name, source, what): (&str, &str, &str),
    ) -> Result<Planned, StepError> {
        let contact_id = self.required(contact_id, "The contact")?;
        let id = self.required(source, what)?;
        Ok(Planned::HighLevel(Call::new(
            operation,
            &[("contactId", &contact_id), (name, &id)],
            None,
        )))
    }

    /// A call on one contact whose body is one list, such as its tags or
    /// followers (comma-separated in the form).
    fn contact_list(
        &self,
        operation: &'static str,
        contact_id: &str,
        (name, source, what): (&str, &str, &str),
    ) -> Result<Planned, StepError> {
        let contact_id = self.required(contact_id, "The contact")?;
        let body = json!({ name: self.list(source, what)? });
        Ok(Planned::HighLevel(Call::new(
            operation,
            &[("contactId", &contact_id)],
            Some(body),
        )))
    }

    /// The contact fields that came out non-empty, by HighLevel's names;
    /// the company only where HighLevel takes it.
    fn contact_body(&self, fields: &ContactFields, company: bool) -> Result<Json, StepError> {
        let mut body = serde_json::Map::new();
        for (key, name, label) in ContactFields::ALL {
            if key == "company_name" && !company {
                continue;
            }
            let value = self.text(fields.get(key), label)?;
            if !value.is_empty() {
                body.insert(name.into(), Json::String(value));
            }
        }
        Ok(Json::Object(body))
    }

    /// Any operation of the catalogue: its parameters and body worked out.
    fn call(
        &self,
        operation: &str,
        params: &std::collections::BTreeMap<String, String>,
        body: &str,
    ) -> Result<Planned, StepError> {
        let found = operations::find(operation).ok_or_else(|| {
            StepError::Fail(format!(
                "HighLevel's operation “{operation}” is not one Switchboard knows: choose another in the builder."
            ))
        })?;
        let mut filled = Params::new();
        for (name, source) in params {
            let value = self.text(source, name)?;
            if !value.is_empty() {
                filled.insert(name.clone(), value);
            }
        }
        let body = if body.trim().is_empty() {
            None
        } else {
            let template: Json = serde_json::from_str(body)
                .map_err(|error| StepError::Fail(format!("The body is not JSON: {error}.")))?;
            let text = |source: &str| {
                self.engine
                    .text(source, self.data)
                    .map_err(|why| format!("The body: {why}"))
            };
            Some(calls::fill(&template, &text).map_err(StepError::Fail)?)
        };
        Ok(Planned::HighLevel(Call::with(found.id, filled, body)))
    }

    /// Fails unless `user_id` is still a member of the team.
    async fn member(&self, user_id: i64) -> Result<(), StepError> {
        let member: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE location_id = $1 AND user_id = $2)",
        )
        .bind(self.location_id)
        .bind(user_id)
        .fetch_one(&self.services.db)
        .await?;
        if member {
            Ok(())
        } else {
            Err(StepError::Fail(
                "The person this alert is for is no longer in the team: choose someone else, or the whole team, in the builder.".into(),
            ))
        }
    }

    /// The summary of `period` as of now, kept as an alert or sent to an app.
    async fn summary(&self, period: &str, deliver: &SummaryTo) -> Result<Planned, StepError> {
        let period = Period::from_key(period)
            .ok_or_else(|| StepError::Fail(format!("“{period}” is not a period to sum up.")))?;
        let zone = self.context.zone;
        let made = summarize(
            &self.services.db,
            self.location_id,
            zone,
            period,
            chrono::Utc::now(),
        )
        .await?;
        let summary = serde_json::to_value(&made).unwrap_or_default();
        let then = match deliver {
            SummaryTo::Alert => Planned::Alert {
                user_id: None,
                title: format!("Summary: {}", period.label().to_lowercase()),
                body: made.text(zone),
            },
            SummaryTo::App {
                connection_id,
                path,
            } => {
                connections::of_team_by_id(&self.services.db, self.location_id, *connection_id)
                    .await?
                    .ok_or_else(|| {
                        StepError::Fail("The app connection of this step was deleted.".into())
                    })?;
                Planned::Delivery {
                    connection_id: *connection_id,
                    path: self.text(path, "The path")?,
                    body: summary.clone(),
                }
            }
        };
        Ok(Planned::Summary {
            summary,
            then: Box::new(then),
        })
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
            Action::UpdateContact { contact_id, fields } => {
                let body = self.contact_body(fields, false)?;
                if body.as_object().is_some_and(|fields| fields.is_empty()) {
                    return Err(StepError::Fail(
                        "Every field to change came out empty: nothing to update.".into(),
                    ));
                }
                Planned::HighLevel(Call::new(
                    "update-contact",
                    &[("contactId", &self.required(contact_id, "The contact")?)],
                    Some(body),
                ))
            }
            Action::UpsertContact { fields } => {
                let body = self.contact_body(fields, true)?;
                if body["email"].is_null() && body["phone"].is_null() {
                    return Err(StepError::Fail(
                        "The e-mail and the phone came out empty: HighLevel needs one to find the contact.".into(),
                    ));
                }
                Planned::HighLevel(Call::new("upsert-contact", &[], Some(body)))
            }
            Action::DeleteContact { contact_id } => Planned::HighLevel(Call::new(
                "delete-contact",
                &[("contactId", &self.required(contact_id, "The contact")?)],
                None,
            )),
            Action::UpdateTask {
                contact_id,
                task_id,
                title,
                body,
                due,
            } => {
                let mut changes = serde_json::Map::new();
                let title = self.text(title, "The title")?;
                if !title.is_empty() {
                    changes.insert("title".into(), json!(title));
                }
                let body = self.text(body, "The description")?;
                if !body.is_empty() {
                    changes.insert("body".into(), json!(body));
                }
                let due = self.text(due, "The due date")?;
                if !due.is_empty() {
                    changes.insert("dueDate".into(), json!(self.due(&due)?));
                }
                if changes.is_empty() {
                    return Err(StepError::Fail(
                        "The title, description and due date came out empty: nothing to change."
                            .into(),
                    ));
                }
                Planned::HighLevel(Call::with(
                    "update-task",
                    self.of_contact(contact_id, ("taskId", task_id, "The task"))?,
                    Some(Json::Object(changes)),
                ))
            }
            Action::CompleteTask {
                contact_id,
                task_id,
            } => Planned::HighLevel(Call::with(
                "update-task-completed",
                self.of_contact(contact_id, ("taskId", task_id, "The task"))?,
                Some(json!({ "completed": true })),
            )),
            Action::DeleteTask {
                contact_id,
                task_id,
            } => Planned::HighLevel(Call::with(
                "delete-task",
                self.of_contact(contact_id, ("taskId", task_id, "The task"))?,
                None,
            )),
            Action::UpdateNote {
                contact_id,
                note_id,
                body,
            } => Planned::HighLevel(Call::with(
                "update-note",
                self.of_contact(contact_id, ("id", note_id, "The note"))?,
                Some(json!({ "body": self.required(body, "The note")? })),
            )),
            Action::DeleteNote {
                contact_id,
                note_id,
            } => Planned::HighLevel(Call::with(
                "delete-note",
                self.of_contact(contact_id, ("id", note_id, "The note"))?,
                None,
            )),
            Action::AddToCampaign {
                contact_id,
                campaign_id,
            } => self.membership(
                "add-contact-to-campaign",
                contact_id,
                ("campaignId", campaign_id, "The campaign"),
            )?,
            Action::RemoveFromCampaign {
                contact_id,
                campaign_id,
            } => self.membership(
                "remove-contact-from-campaign",
                contact_id,
                ("campaignId", campaign_id, "The campaign"),
            )?,
            Action::AddToWorkflow {
                contact_id,
                workflow_id,
            } => self.membership(
                "add-contact-to-workflow",
                contact_id,
                ("workflowId", workflow_id, "The workflow"),
            )?,
            Action::RemoveFromWorkflow {
                contact_id,
                workflow_id,
            } => self.membership(
                "delete-contact-from-workflow",
                contact_id,
                ("workflowId", workflow_id, "The workflow"),
            )?,
            Action::AddFollowers {
                contact_id,
                followers,
            } => self.contact_list(
                "add-followers-contact",
                contact_id,
                ("followers", followers, "The followers"),
            )?,
            Action::RemoveFollowers {
                contact_id,
                followers,
            } => self.contact_list(
                "remove-followers-contact",
                contact_id,
                ("followers", followers, "The followers"),
            )?,
            Action::HighLevelCall {
                operation,
                params,
                body,
            } => self.call(operation, params, body)?,
            Action::Alert {
                user_id,
                title,
                message,
            } => {
                if let Some(user_id) = user_id {
                    self.member(*user_id).await?;
                }
                Planned::Alert {
                    user_id: *user_id,
                    title: self.required(title, "The title")?,
                    body: self.text(message, "The message")?,
                }
            }
            Action::Summary { period, deliver } => self.summary(period, deliver).await?,
            Action::AddTags { contact_id, tags } => {
                self.contact_list("add-tags", contact_id, ("tags", tags, "The tags"))?
            }
            Action::RemoveTags { contact_id, tags } => {
                self.contact_list("remove-tags", contact_id, ("tags", tags, "The tags"))?
            }
            Action::CreateTask {
                contact_id,
                title,
                body,
                due,
            } => {
                let due = self.due(&self.required(due, "The due date")?)?;
                Planned::HighLevel(Call::new(
                    "create-task",
                    &[("contactId", &self.required(contact_id, "The contact")?)],
                    Some(json!({
                        "title": self.required(title, "The title")?,
                        "body": self.text(body, "The description")?,
                        "dueDate": due,
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
                with_records,
            } => {
                self.delivery(*connection_id, path, contact_id, *with_records)
                    .await?
            }
            // The executor works out a wait's moment and a branch's way:
            // neither sends anything.
            Action::RefreshContact { contact_id } => Planned::Refresh {
                contact_id: self.required(contact_id, "The contact")?,
            },
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
                // A request names the value `field_value`; HighLevel's
                // contacts, as the cache keeps them, name it `value`.
                let sent = &field["field_value"];
                let value = sent
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| sent.to_string());
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
            FindBy::Search => {
                crate::workspace::contacts::newest_match(&self.services.db, self.location_id, value)
                    .await?
            }
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
        with_records: bool,
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
            let mut body = built.body;
            if let (true, Some(fields)) = (with_records, body.as_object_mut()) {
                let tasks = self.cached_records("cache_tasks", &contact_id).await?;
                let notes = self.cached_records("cache_notes", &contact_id).await?;
                fields.insert("tasks".into(), tasks);
                fields.insert("notes".into(), notes);
            }
            body
        };
        Ok(Planned::Delivery {
            connection_id,
            path,
            body,
        })
    }

    /// The contact's tasks or notes (`table`) as HighLevel gave them to the
    /// cache, oldest first.
    async fn cached_records(
        &self,
        table: &'static str,
        contact_id: &str,
    ) -> Result<Json, StepError> {
        let sql = format!(
            "SELECT COALESCE(jsonb_agg(raw ORDER BY date_added, id), '[]') FROM {table} \
             WHERE location_id = $1 AND contact_id = $2 AND deleted_at IS NULL"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(self.location_id)
            .bind(contact_id)
            .fetch_one(&self.services.db)
            .await?)
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

/// Which step of which run is sent: what makes its side effects happen
/// once (the `Idempotency-Key` of a delivery, the origin of an alert).
#[derive(Debug, Clone, Copy)]
pub struct StepOfRun<'a> {
    pub run_id: i64,
    pub position: i32,
    pub location_id: &'a str,
    /// The step may have been sent before (its process died, or a retry).
    pub resumed: bool,
}

impl StepOfRun<'_> {
    /// The key an app sees on each try of a delivery.
    pub fn idempotency_key(&self) -> String {
        format!("switchboard-run-{}-step-{}", self.run_id, self.position)
    }

    /// What raises an alert once, however often the step is tried.
    pub fn alert_origin(&self) -> String {
        format!("run-{}-step-{}", self.run_id, self.position)
    }
}

/// Sends what a step planned; its answer and output.
pub async fn send(
    services: &Services,
    step: StepOfRun<'_>,
    planned: &Planned,
) -> Result<(Json, Json), StepError> {
    let (run_id, location_id, resumed) = (step.run_id, step.location_id, step.resumed);
    match planned {
        Planned::Known(output) => Ok((Json::Null, output.clone())),
        // Asking twice asks once: the request is kept per contact.
        Planned::Refresh { contact_id } => {
            crate::sync::request_contact_refresh(
                &services.db,
                location_id,
                std::slice::from_ref(contact_id),
            )
            .await?;
            Ok((
                Json::Null,
                json!({"requested": true, "contact_id": contact_id}),
            ))
        }
        Planned::HighLevel(call) => {
            let answer = match already_made(services, location_id, call, resumed).await? {
                Some(found) => found,
                None => match services.call(location_id, call).await {
                    Ok(answer) => answer,
                    // The delete went through before the answer was lost.
                    Err(error) if gone_already(call, &error, resumed) => {
                        json!({ "alreadyGone": true })
                    }
                    Err(error) => return Err(error.into()),
                },
            };
            services.cache(run_id, location_id, call, &answer).await;
            Ok((answer.clone(), output_of(call, &answer)))
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
        } => deliver(services, step, *connection_id, path, body).await,
        Planned::Alert {
            user_id,
            title,
            body,
        } => {
            let alert_id = raise(services, step, *user_id, title, body).await?;
            let output = json!({ "alert_id": alert_id });
            Ok((output.clone(), output))
        }
        Planned::Summary { summary, then } => {
            let (answer, sent) = match then.as_ref() {
                Planned::Alert {
                    user_id,
                    title,
                    body,
                } => {
                    let alert_id = raise(services, step, *user_id, title, body).await?;
                    (
                        json!({ "alert_id": alert_id }),
                        json!({ "alert_id": alert_id }),
                    )
                }
                Planned::Delivery {
                    connection_id,
                    path,
                    body,
                } => deliver(services, step, *connection_id, path, body).await?,
                _ => {
                    return Err(StepError::Fail(
                        "A summary is kept or sent to an app.".into(),
                    ))
                }
            };
            let mut output = summary.clone();
            if let (Some(output), Some(sent)) = (output.as_object_mut(), sent.as_object()) {
                output.extend(sent.clone());
            }
            Ok((answer, output))
        }
    }
}

async fn raise(
    services: &Services,
    step: StepOfRun<'_>,
    user_id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<i64, StepError> {
    let origin = step.alert_origin();
    let alert = NewAlert {
        location_id: step.location_id,
        user_id,
        title,
        body,
        run_id: Some(step.run_id),
        origin: &origin,
    };
    Ok(alerts::raise(&services.db, &alert).await?)
}

async fn deliver(
    services: &Services,
    step: StepOfRun<'_>,
    connection_id: i64,
    path: &str,
    body: &Json,
) -> Result<(Json, Json), StepError> {
    let key = step.idempotency_key();
    let outcome = services
        .deliver(step.location_id, connection_id, path, body, &key)
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
fn output_of(call: &Call, answer: &Json) -> Json {
    match call.operation {
        "create-task" | "update-task" | "update-task-completed" => {
            json!({"id": answer["task"]["id"], "task": answer["task"]})
        }
        "create-note" | "update-note" => {
            json!({"id": answer["note"]["id"], "note": answer["note"]})
        }
        "add-tags" | "remove-tags" => json!({"tags": answer["tags"]}),
        "upsert-contact" | "update-contact" | "create-contact" => {
            let id = &answer["contact"]["id"];
            json!({"contact_id": id, "id": id, "new": answer["new"], "contact": answer["contact"]})
        }
        "add-followers-contact" | "remove-followers-contact" => {
            json!({"followers": answer["followers"]})
        }
        "delete-contact" | "delete-task" | "delete-note" => {
            let id = call.params.get("taskId").or_else(|| call.params.get("id"));
            let id = id.or_else(|| call.params.get("contactId"));
            json!({"deleted": true, "id": id})
        }
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
        Planned::Alert { .. } => {
            json!({"dry_run": true, "alert_id": "(raised by a real run)", "would_raise": planned.record()["alert"]})
        }
        Planned::Summary { summary, then } => {
            let mut output = summary.clone();
            output["dry_run"] = Json::Bool(true);
            if let Planned::Alert { .. } = then.as_ref() {
                output["would_raise"] = then.record()["alert"].clone();
            }
            output
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
