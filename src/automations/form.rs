//! The builder's form of an automation, and how it becomes a [`Definition`]
//! and back. A step is its kind and a few named text fields, so the page
//! renders every kind from [`step_kinds`] alone; a problem names the field
//! it is about (`name`, `trigger`, `condition.2`, `step.1.title`, …) so the
//! page shows it next to that field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{Action, Condition, Definition, Filter, FindBy, Join, Step, Trigger};

/// The whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationForm {
    pub name: String,
    /// `manual`, or `app:<connection id>:<event type>`.
    pub trigger: String,
    pub join: Join,
    pub conditions: Vec<Condition>,
    pub expression: String,
    pub steps: Vec<StepForm>,
}

/// One step of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepForm {
    pub name: String,
    /// An [`Action::key`].
    pub kind: String,
    pub fields: BTreeMap<String, String>,
}

/// Something wrong with the form, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    pub at: String,
    pub message: String,
}

/// How a step kind's field is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// Plain text or an expression such as `{{ data.member.email }}`.
    Expression,
    /// One of the team's app connections' event types (`<id>:<type>`).
    AppEvent,
    /// One of the team's app connections (`<id>`).
    Connection,
    /// E-mail or phone.
    FindBy,
}

/// A field of a step kind, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub input: Input,
    pub placeholder: String,
    /// May be left empty.
    pub optional: bool,
}

/// A kind of step the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepKind {
    pub key: String,
    pub label: String,
    pub help: String,
    pub fields: Vec<FieldSpec>,
}

fn field(key: &str, label: &str, input: Input, placeholder: &str) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        input,
        placeholder: placeholder.into(),
        optional: false,
    }
}

fn contact() -> FieldSpec {
    field(
        "contact_id",
        "Contact",
        Input::Expression,
        "{{ steps.contact.contact_id }}",
    )
}

/// Every kind of step, in the order the form offers them.
pub fn step_kinds() -> Vec<StepKind> {
    vec![
        StepKind {
            key: "apply_mapping".into(),
            label: "Update HighLevel with the app's mapping".into(),
            help: "Creates or updates the contact (and its task or note) as the connection's field mapping says. Later steps read the contact as steps.<name>.contact_id.".into(),
            fields: vec![field("source", "Mapping of", Input::AppEvent, "")],
        },
        StepKind {
            key: "find_contact".into(),
            label: "Find a contact".into(),
            help: "Looks the contact up in HighLevel; steps.<name>.found says whether it exists and steps.<name>.id is its id.".into(),
            fields: vec![
                field("by", "Find by", Input::FindBy, ""),
                field("value", "Value", Input::Expression, "{{ data.member.email }}"),
            ],
        },
        StepKind {
            key: "add_tags".into(),
            label: "Add tags".into(),
            help: "Adds tags, separated by commas, to the contact.".into(),
            fields: vec![contact(), field("tags", "Tags", Input::Expression, "member, clubworx")],
        },
        StepKind {
            key: "remove_tags".into(),
            label: "Remove tags".into(),
            help: "Removes tags, separated by commas, from the contact.".into(),
            fields: vec![contact(), field("tags", "Tags", Input::Expression, "trial")],
        },
        StepKind {
            key: "create_task".into(),
            label: "Create a task".into(),
            help: "Creates a task on the contact. The due date is read in your team's time zone: 2026-03-01T09:00, or {{ now | date(add_days=1) }}T09:00 for tomorrow at 9:00.".into(),
            fields: vec![
                contact(),
                field("title", "Title", Input::Expression, "Welcome call"),
                FieldSpec {
                    optional: true,
                    ..field("body", "Description", Input::Expression, "")
                },
                field("due", "Due", Input::Expression, "{{ now | date(add_days=1) }}T09:00"),
            ],
        },
        StepKind {
            key: "create_note".into(),
            label: "Add a note".into(),
            help: "Adds a note to the contact.".into(),
            fields: vec![contact(), field("body", "Note", Input::Expression, "Joined on {{ data.member.joined_on }}")],
        },
        StepKind {
            key: "send_to_app".into(),
            label: "Send to an app".into(),
            help: "Sends a signed delivery to a connected app: the contact shaped by the connection's contact mapping, or, with no contact, the data that started the run.".into(),
            fields: vec![
                field("connection", "App", Input::Connection, ""),
                FieldSpec {
                    optional: true,
                    ..field("path", "Path", Input::Expression, "/members")
                },
                FieldSpec {
                    optional: true,
                    ..contact()
                },
            ],
        },
    ]
}

impl AutomationForm {
    /// The form of a saved definition.
    pub fn of(name: &str, definition: &Definition) -> Self {
        Self {
            name: name.to_owned(),
            trigger: trigger_key(&definition.trigger),
            join: definition.filter.join,
            conditions: definition.filter.conditions.clone(),
            expression: definition.filter.expression.clone(),
            steps: definition.steps.iter().map(StepForm::of).collect(),
        }
    }

    /// The definition the form describes, or every problem of its fields.
    pub fn definition(&self) -> Result<Definition, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let mut problem = |at: String, message: &str| {
            problems.push(FormProblem {
                at,
                message: message.to_owned(),
            })
        };
        if self.name.trim().is_empty() {
            problem("name".into(), "Give the automation a name.");
        }
        let trigger = parse_trigger(&self.trigger);
        if trigger.is_none() {
            problem("trigger".into(), "Choose what starts the automation.");
        }
        for (index, condition) in self.conditions.iter().enumerate() {
            if condition.field.trim().is_empty() {
                problem(format!("condition.{index}"), "Say which field to check.");
            } else if condition.operator.takes_value() && condition.value.trim().is_empty() {
                problem(
                    format!("condition.{index}"),
                    "Give the value to compare with.",
                );
            }
        }
        let mut names: Vec<&str> = Vec::new();
        let mut steps = Vec::new();
        for (index, step) in self.steps.iter().enumerate() {
            let name = step.name.trim();
            if !is_name(name) {
                problem(
                    format!("step.{index}.name"),
                    "A step's name is letters, digits and _ (later steps read it as steps.<name>).",
                );
            } else if names.contains(&name) {
                problem(format!("step.{index}.name"), "Another step has this name.");
            }
            names.push(name);
            match step.action() {
                Ok(action) => steps.push(Step {
                    name: name.to_owned(),
                    action,
                }),
                Err(missing) => {
                    for (key, message) in missing {
                        problem(format!("step.{index}.{key}"), &message);
                    }
                }
            }
        }
        if self.steps.is_empty() {
            problem("steps".into(), "Add at least one step: what should happen?");
        }
        match trigger {
            Some(trigger) if problems.is_empty() => Ok(Definition {
                trigger,
                filter: Filter {
                    join: self.join,
                    conditions: self.conditions.clone(),
                    expression: self.expression.trim().to_owned(),
                },
                steps,
            }),
            _ => Err(problems),
        }
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// `manual`, `highlevel:<event>` or `app:<connection id>:<event type>`.
pub fn trigger_key(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Manual => "manual".into(),
        Trigger::HighLevel { event, .. } => format!("highlevel:{event}"),
        Trigger::AppEvent {
            connection_id,
            event_type,
        } => format!("app:{connection_id}:{event_type}"),
    }
}

pub fn parse_trigger(key: &str) -> Option<Trigger> {
    if key == "manual" {
        return Some(Trigger::Manual);
    }
    if let Some(event) = key.strip_prefix("highlevel:") {
        return super::highlevel_events::find(event).map(|event| Trigger::HighLevel {
            event: event.key.into(),
            value: String::new(),
        });
    }
    let (connection_id, event_type) = parse_source(key.strip_prefix("app:")?)?;
    Some(Trigger::AppEvent {
        connection_id,
        event_type,
    })
}

/// `<connection id>:<event type>`.
fn parse_source(text: &str) -> Option<(i64, String)> {
    let (id, event_type) = text.split_once(':')?;
    let event_type = event_type.trim();
    (!event_type.is_empty()).then(|| Some((id.parse().ok()?, event_type.to_owned())))?
}

impl StepForm {
    pub fn of(step: &Step) -> Self {
        let fields: Vec<(&str, String)> = match &step.action {
            Action::ApplyMapping {
                connection_id,
                event_type,
            } => vec![("source", format!("{connection_id}:{event_type}"))],
            Action::FindContact { by, value } => {
                vec![("by", find_by_key(*by).into()), ("value", value.clone())]
            }
            Action::AddTags { contact_id, tags } | Action::RemoveTags { contact_id, tags } => {
                vec![("contact_id", contact_id.clone()), ("tags", tags.clone())]
            }
            Action::CreateTask {
                contact_id,
                title,
                body,
                due,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("title", title.clone()),
                ("body", body.clone()),
                ("due", due.clone()),
            ],
            Action::CreateNote { contact_id, body } => {
                vec![("contact_id", contact_id.clone()), ("body", body.clone())]
            }
            Action::SendToApp {
                connection_id,
                path,
                contact_id,
            } => vec![
                ("connection", connection_id.to_string()),
                ("path", path.clone()),
                ("contact_id", contact_id.clone()),
            ],
        };
        Self {
            name: step.name.clone(),
            kind: step.action.key().to_owned(),
            fields: fields
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        }
    }

    /// A new step of `kind` named `name`: its fields empty, a choice of how
    /// to find a contact on its first value.
    pub fn new(kind: &StepKind, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: kind.key.clone(),
            fields: kind
                .fields
                .iter()
                .map(|field| {
                    let first = if field.input == Input::FindBy {
                        "email"
                    } else {
                        ""
                    };
                    (field.key.clone(), first.to_owned())
                })
                .collect(),
        }
    }

    fn get(&self, key: &str) -> String {
        self.fields
            .get(key)
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    }

    /// The action of the step, or the fields that are missing or wrong.
    pub fn action(&self) -> Result<Action, Vec<(String, String)>> {
        let Some(kind) = step_kinds().into_iter().find(|kind| kind.key == self.kind) else {
            return Err(vec![("kind".into(), "Choose what this step does.".into())]);
        };
        let missing: Vec<(String, String)> = kind
            .fields
            .iter()
            .filter(|field| !field.optional && self.get(&field.key).is_empty())
            .map(|field| (field.key.clone(), format!("Fill in “{}”.", field.label)))
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let wrong = |key: &str, message: &str| vec![(key.to_owned(), message.to_owned())];
        Ok(match self.kind.as_str() {
            "apply_mapping" => {
                let (connection_id, event_type) = parse_source(&self.get("source"))
                    .ok_or_else(|| wrong("source", "Choose an app event."))?;
                Action::ApplyMapping {
                    connection_id,
                    event_type,
                }
            }
            "find_contact" => Action::FindContact {
                by: match self.get("by").as_str() {
                    "phone" => FindBy::Phone,
                    _ => FindBy::Email,
                },
                value: self.get("value"),
            },
            "add_tags" => Action::AddTags {
                contact_id: self.get("contact_id"),
                tags: self.get("tags"),
            },
            "remove_tags" => Action::RemoveTags {
                contact_id: self.get("contact_id"),
                tags: self.get("tags"),
            },
            "create_task" => Action::CreateTask {
                contact_id: self.get("contact_id"),
                title: self.get("title"),
                body: self.get("body"),
                due: self.get("due"),
            },
            "create_note" => Action::CreateNote {
                contact_id: self.get("contact_id"),
                body: self.get("body"),
            },
            _ => Action::SendToApp {
                connection_id: self
                    .get("connection")
                    .parse()
                    .map_err(|_| wrong("connection", "Choose an app."))?,
                path: self.get("path"),
                contact_id: self.get("contact_id"),
            },
        })
    }
}

fn find_by_key(by: FindBy) -> &'static str {
    match by {
        FindBy::Email => "email",
        FindBy::Phone => "phone",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automations::model::Operator;

    fn welcome() -> Definition {
        Definition {
            trigger: Trigger::AppEvent {
                connection_id: 4,
                event_type: "signup.created".into(),
            },
            filter: Filter {
                join: Join::Any,
                conditions: vec![Condition {
                    field: "data.member.status".into(),
                    operator: Operator::Equals,
                    value: "Active".into(),
                }],
                expression: String::new(),
            },
            steps: vec![
                Step {
                    name: "member".into(),
                    action: Action::ApplyMapping {
                        connection_id: 4,
                        event_type: "signup.created".into(),
                    },
                },
                Step {
                    name: "welcome".into(),
                    action: Action::CreateTask {
                        contact_id: "{{ steps.member.contact_id }}".into(),
                        title: "Welcome call".into(),
                        body: String::new(),
                        due: "{{ now | date(add_days=1) }}T09:00".into(),
                    },
                },
                Step {
                    name: "tell".into(),
                    action: Action::SendToApp {
                        connection_id: 4,
                        path: String::new(),
                        contact_id: String::new(),
                    },
                },
            ],
        }
    }

    #[test]
    fn a_definition_survives_its_form() {
        let form = AutomationForm::of("Welcome", &welcome());
        assert_eq!(form.trigger, "app:4:signup.created");
        assert_eq!(form.definition(), Ok(welcome()));
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut form = AutomationForm::of("", &welcome());
        form.trigger = "app:x".into();
        form.conditions[0].value = String::new();
        form.steps[1].name = "member".into();
        form.steps[1].fields.insert("title".into(), " ".into());
        form.steps[2]
            .fields
            .insert("connection".into(), String::new());
        let at: Vec<String> = form
            .definition()
            .unwrap_err()
            .into_iter()
            .map(|p| p.at)
            .collect();
        assert_eq!(
            at,
            [
                "name",
                "trigger",
                "condition.0",
                "step.1.name",
                "step.1.title",
                "step.2.connection"
            ]
        );
    }
}
