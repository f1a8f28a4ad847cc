//! Ready-made automations for the apps a gym connects: each app's
//! integration guide describes a few connections and ideas, and each is a
//! recipe here. Applying one makes ordinary automations (off until the
//! person has tested them), or, for an app that pulls, explains the read
//! API request to give that app. Nothing stays tied to the recipe: what it
//! made is changed in the builder like anything else.

mod club_os;
mod clubworx;
mod convertcalculator;
mod gymflow;
mod workiom;

use std::collections::BTreeMap;

use crate::apps::templates::AppKind;

use super::model::{
    Action, Condition, Definition, Filter, FindBy, Operator, Step, Test, Trigger, END,
};

/// One recipe.
pub struct Recipe {
    /// Stable, in URLs and tests: `clubworx.contacts`.
    pub key: &'static str,
    pub app: AppKind,
    pub title: &'static str,
    /// What it does, in plain words.
    pub does: &'static str,
    /// One of the guide's ideas, rather than one of its main connections.
    pub idea: bool,
    /// What the person fills in before applying it.
    pub inputs: Vec<RecipeInput>,
    pub makes: Makes,
    /// How applying it changes the connection's mappings, if at all.
    pub tweaks: Option<MappingTweaks>,
}

/// A new version of the connection's mappings of `events`: with more tags,
/// and the app's id of each person kept in a custom field the person may
/// name in the input `id_input`, by which contacts are then found.
pub struct MappingTweaks {
    pub events: &'static [&'static str],
    /// Written to the contact's tags besides the mapping's own (a template
    /// over the event).
    pub extra_tags: &'static str,
    pub id_input: &'static str,
    /// The template over the event that gives the id.
    pub id: &'static str,
}

/// What applying a recipe makes.
pub enum Makes {
    /// These automations, from the connection and the inputs.
    Automations(fn(&Chosen) -> Vec<Planned>),
    /// Nothing: the app reads through the read API with this request.
    ReadRequest(ReadRequest),
}

/// A request of the read API an app that pulls is configured with.
pub struct ReadRequest {
    /// After the read API's base, with `{contactId}` or `{businessId}` where
    /// the app puts its record's id.
    pub path: &'static str,
    /// Where in the app the request goes, in plain words.
    pub configure: &'static str,
}

/// A value the person gives a recipe.
pub struct RecipeInput {
    pub key: &'static str,
    pub label: &'static str,
    pub default: &'static str,
    pub help: &'static str,
    pub kind: InputKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Text,
    /// A time of day, `HH:MM`.
    Time,
    /// A custom field of the location, by name or key; may be left empty.
    CustomField,
}

impl RecipeInput {
    /// What is wrong with `value` for this input, if anything.
    pub fn problem(&self, value: &str) -> Option<&'static str> {
        match self.kind {
            InputKind::Text if value.trim().is_empty() && self.default.is_empty() => {
                Some("Fill this in.")
            }
            InputKind::Time
                if !value.trim().is_empty() && super::model::ClockTime::parse(value).is_none() =>
            {
                Some("A time of day such as 18:00.")
            }
            _ => None,
        }
    }
}

/// An automation a recipe makes.
pub struct Planned {
    pub name: String,
    pub definition: Definition,
}

/// The connection a recipe is applied to and the person's inputs.
pub struct Chosen<'a> {
    pub connection_id: i64,
    pub inputs: &'a BTreeMap<String, String>,
    pub recipe: &'a Recipe,
}

impl Chosen<'_> {
    /// The input's value, or its default when left empty.
    pub fn value(&self, key: &str) -> String {
        let given = self.inputs.get(key).map(|value| value.trim());
        match given {
            Some(value) if !value.is_empty() => value.to_owned(),
            _ => self
                .recipe
                .inputs
                .iter()
                .find(|input| input.key == key)
                .map(|input| input.default.to_owned())
                .unwrap_or_default(),
        }
    }

    /// An automation on an event of the connection.
    fn on_app_event(&self, name: &str, event_type: &str, steps: Vec<Step>) -> Planned {
        planned(
            name,
            Trigger::AppEvent {
                connection_id: self.connection_id,
                event_type: event_type.into(),
            },
            steps,
        )
    }

    /// One automation per `(name, event type)` of the connection, with the
    /// steps `steps` gives for its event type.
    fn on_each_app_event(
        &self,
        events: &[(&str, &str)],
        steps: impl Fn(&str) -> Vec<Step>,
    ) -> Vec<Planned> {
        events
            .iter()
            .map(|(name, event)| self.on_app_event(name, event, steps(event)))
            .collect()
    }

    /// One automation per `(name, event type)` of the connection that
    /// applies the connection's mapping of its event type.
    fn mapping_of_each(&self, events: &[(&str, &str)]) -> Vec<Planned> {
        self.on_each_app_event(events, |event| vec![self.mapping_step(event)])
    }

    /// The step that applies the connection's mapping of `event_type`:
    /// the contact upserted, with the task or note the mapping makes.
    fn mapping_step(&self, event_type: &str) -> Step {
        step(
            "contact",
            Action::ApplyMapping {
                connection_id: self.connection_id,
                event_type: event_type.into(),
            },
        )
    }

    /// A delivery to the connection: `contact_id` shaped by its contact
    /// mapping, or the trigger's data as it came when empty.
    fn send_step(&self, name: &str, path: &str, contact_id: &str) -> Step {
        self.delivery(name, path, contact_id, false)
    }

    /// A delivery of the contact, shaped by the connection's contact
    /// mapping, with its tasks and notes.
    fn send_with_records_step(&self, name: &str, path: &str, contact_id: &str) -> Step {
        self.delivery(name, path, contact_id, true)
    }

    fn delivery(&self, name: &str, path: &str, contact_id: &str, with_records: bool) -> Step {
        step(
            name,
            Action::SendToApp {
                connection_id: self.connection_id,
                path: path.into(),
                contact_id: contact_id.into(),
                with_records,
            },
        )
    }
}

fn planned(name: &str, trigger: Trigger, steps: Vec<Step>) -> Planned {
    Planned {
        name: name.into(),
        definition: Definition {
            trigger,
            filter: Filter::default(),
            steps,
        },
    }
}

fn on_highlevel(name: &str, event: &str, value: &str, steps: Vec<Step>) -> Planned {
    planned(
        name,
        Trigger::HighLevel {
            event: event.into(),
            value: value.into(),
        },
        steps,
    )
}

/// One automation per `(name, HighLevel event)`, about any tag or status,
/// each with the steps `steps` gives.
fn on_each_highlevel(events: &[(&str, &str)], steps: impl Fn() -> Vec<Step>) -> Vec<Planned> {
    events
        .iter()
        .map(|(name, event)| on_highlevel(name, event, "", steps()))
        .collect()
}

/// The HighLevel contact with the e-mail `email` gives (an expression) as
/// `steps.contact`, the run ending, as a success, when HighLevel has none.
fn contact_by_email(email: &str) -> Vec<Step> {
    vec![
        step(
            "contact",
            Action::FindContact {
                by: FindBy::Email,
                value: email.into(),
            },
        ),
        step(
            "known",
            Action::Branch {
                test: Test::Condition(Condition {
                    field: "steps.contact.found".into(),
                    operator: Operator::Equals,
                    value: "false".into(),
                }),
                then_to: END.into(),
                otherwise_to: String::new(),
            },
        ),
    ]
}

fn step(name: &str, action: Action) -> Step {
    Step {
        name: name.into(),
        action,
    }
}

fn input(
    key: &'static str,
    label: &'static str,
    default: &'static str,
    help: &'static str,
) -> RecipeInput {
    RecipeInput {
        key,
        label,
        default,
        help,
        kind: InputKind::Text,
    }
}

fn custom_field_input(key: &'static str, label: &'static str, help: &'static str) -> RecipeInput {
    RecipeInput {
        kind: InputKind::CustomField,
        ..input(key, label, "", help)
    }
}

fn time_input(
    key: &'static str,
    label: &'static str,
    default: &'static str,
    help: &'static str,
) -> RecipeInput {
    RecipeInput {
        kind: InputKind::Time,
        ..input(key, label, default, help)
    }
}

/// Every recipe, app by app, the main connections before the ideas.
pub fn all() -> Vec<Recipe> {
    [
        clubworx::recipes(),
        club_os::recipes(),
        gymflow::recipes(),
        convertcalculator::recipes(),
        workiom::recipes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub fn find(key: &str) -> Option<Recipe> {
    all().into_iter().find(|recipe| recipe.key == key)
}

#[cfg(test)]
mod tests;
