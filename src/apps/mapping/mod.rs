//! Field mappings: how another app's webhook body becomes HighLevel writes
//! (a contact upsert, and a task or a note). A person builds a mapping in
//! forms, one jinja expression per HighLevel field, such as
//! `{{ data.member.email | lower }}`, or plain text for a constant. The
//! preview runs it over a sample event and lists each field's problems in
//! plain words; [`apply`] runs the same engine over real events. The other
//! way, `delivery` builds the body sent to an app from a HighLevel record
//! of one of the `records` kinds. `store` keeps the saved versions and
//! samples, `location` what HighLevel says of the team's location, and
//! `picker` the fields a sample offers.

mod body;
mod build;
mod delivery;
mod engine;
mod filters;
pub mod in_force;
mod limits;
pub mod location;
pub mod picker;
pub mod records;
pub mod store;
mod targets;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::zone::TeamZone;

pub use build::Applied;
pub use delivery::DeliveryPreview;
pub use engine::Engine;
pub use targets::{targets, TargetInfo, TargetKind};

/// A mapping as its form saves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub identify_by: IdentifyBy,
    pub rules: Vec<FieldRule>,
}

/// The field that tells contacts apart, which every event must fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentifyBy {
    Email,
    Phone,
    /// A custom field holding the other app's id for the person (its key).
    ExternalId {
        custom_field: String,
    },
}

/// One HighLevel field and the expression that fills it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRule {
    /// A target key such as `contact.email`; see [`targets`].
    pub target: String,
    pub expression: String,
    pub mode: WriteMode,
}

/// What a rule does to a field the contact already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteMode {
    Overwrite,
    OnlyIfEmpty,
    /// Adds to what the contact has; only for tags.
    Append,
}

/// A HighLevel custom field of the team's location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub id: String,
    /// HighLevel's `fieldKey`, such as `contact.member_number`.
    pub key: String,
    pub name: String,
    /// HighLevel's `dataType`, such as `TEXT` or `NUMERICAL`.
    pub data_type: String,
}

/// What a mapping is applied with: the team's location and its settings.
#[derive(Debug, Clone, Default)]
pub struct MappingContext {
    pub location_id: String,
    /// ISO 3166 alpha-2 code to read phone numbers without a country code.
    pub country: Option<String>,
    pub zone: TeamZone,
    pub custom_fields: Vec<CustomField>,
    /// Named lookup tables for the `lookup` filter: table → from → to.
    pub lookups: BTreeMap<String, BTreeMap<String, String>>,
}

/// A mapping run over a sample event: the requests it would send, and what
/// is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The `POST /contacts/upsert` body; `None` when no rule fills a contact field.
    pub contact: Option<Json>,
    /// The `POST /contacts/{id}/tasks` body, when the event makes a task.
    pub task: Option<Json>,
    /// The `POST /contacts/{id}/notes` body, when the event makes a note.
    pub note: Option<Json>,
    /// What each rule's expression gave, in rule order (`None` when it failed).
    pub values: Vec<Option<String>>,
    pub problems: Vec<Problem>,
}

/// Something wrong with a mapping, worded for the person building it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The index of the rule in `Mapping::rules`; `None` for the whole mapping.
    pub rule: Option<usize>,
    pub target: String,
    pub message: String,
    /// Line and column (from 1) in the rule's expression.
    pub position: Option<(usize, usize)>,
}

/// Runs a mapping over a sample event. It never fails: problems are listed
/// next to the best-effort requests.
pub fn preview(mapping: &Mapping, sample: &Json, context: &MappingContext) -> Preview {
    Engine::new(context).preview(mapping, sample)
}

/// Runs a mapping over a real event; any problem refuses the whole event.
pub fn apply(
    mapping: &Mapping,
    body: &Json,
    context: &MappingContext,
) -> Result<Applied, Vec<Problem>> {
    Engine::new(context).apply(mapping, body)
}

/// Whether a previewed mapping can be saved.
pub fn is_valid(preview: &Preview) -> bool {
    preview.problems.is_empty()
}
