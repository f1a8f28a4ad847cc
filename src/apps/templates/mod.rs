//! What each app we connect to is expected to send: where its event type is,
//! how it signs, and per event an example body with its fields and a default
//! mapping to HighLevel. The real payloads of these apps are not published
//! and vary by account, so a template is a starting point the user replaces
//! with a body they capture.

mod club_os;
mod clubworx;
mod convertcalculator;
mod fields;
mod generic;
mod gymflow;
pub mod paths;
mod workiom;

use super::mapping::{FieldRule, IdentifyBy, Mapping, WriteMode};
use serde::{Deserialize, Serialize};

pub use fields::derive_fields;

/// The HighLevel fields a mapping can fill, as `record.field`.
pub const TARGETS: [&str; 17] = [
    "contact.firstName",
    "contact.lastName",
    "contact.email",
    "contact.phone",
    "contact.address1",
    "contact.city",
    "contact.state",
    "contact.postalCode",
    "contact.country",
    "contact.companyName",
    "contact.source",
    "contact.tags",
    "contact.dateOfBirth",
    "task.title",
    "task.body",
    "task.dueDate",
    "note.body",
];

/// An app a gym can connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppKind {
    #[serde(rename = "clubworx")]
    Clubworx,
    #[serde(rename = "club_os")]
    ClubOs,
    #[serde(rename = "gymflow")]
    GymFlow,
    #[serde(rename = "convertcalculator")]
    ConvertCalculator,
    #[serde(rename = "workiom")]
    Workiom,
    #[serde(rename = "generic")]
    Generic,
}

impl AppKind {
    pub const ALL: [AppKind; 6] = [
        AppKind::Clubworx,
        AppKind::ClubOs,
        AppKind::GymFlow,
        AppKind::ConvertCalculator,
        AppKind::Workiom,
        AppKind::Generic,
    ];

    /// The stable name in URLs and the database.
    pub fn key(self) -> &'static str {
        match self {
            AppKind::Clubworx => "clubworx",
            AppKind::ClubOs => "club_os",
            AppKind::GymFlow => "gymflow",
            AppKind::ConvertCalculator => "convertcalculator",
            AppKind::Workiom => "workiom",
            AppKind::Generic => "generic",
        }
    }

    pub fn from_key(key: &str) -> Option<AppKind> {
        AppKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    pub fn name(self) -> &'static str {
        match self {
            AppKind::Clubworx => "Clubworx",
            AppKind::ClubOs => "Club OS",
            AppKind::GymFlow => "GymFlow",
            AppKind::ConvertCalculator => "ConvertCalculator",
            AppKind::Workiom => "Workiom",
            AppKind::Generic => "Any app (webhooks)",
        }
    }

    /// The letter of the app's logo tile.
    pub fn initial(self) -> char {
        match self {
            AppKind::Clubworx => 'C',
            AppKind::ClubOs => 'O',
            AppKind::GymFlow => 'G',
            AppKind::ConvertCalculator => 'C',
            AppKind::Workiom => 'W',
            AppKind::Generic => 'A',
        }
    }

    /// The colour of the app's logo tile, as `#rrggbb`.
    pub fn colour(self) -> &'static str {
        match self {
            AppKind::Clubworx => "#e4572e",
            AppKind::ClubOs => "#1d4e89",
            AppKind::GymFlow => "#17a398",
            AppKind::ConvertCalculator => "#7b2cbf",
            AppKind::Workiom => "#f2a541",
            AppKind::Generic => "#5c6770",
        }
    }

    /// What connecting the app does, for a gym owner.
    pub fn tagline(self) -> &'static str {
        match self {
            AppKind::Clubworx => {
                "New and changed Clubworx members, prospects, tasks and notes appear in HighLevel."
            }
            AppKind::ClubOs => {
                "Club OS members, their tags, tasks and notes are copied to HighLevel as they change."
            }
            AppKind::GymFlow => {
                "GymFlow contacts, tags, tasks and notes follow you into HighLevel."
            }
            AppKind::ConvertCalculator => {
                "People who fill in your price calculator or accept a quote become HighLevel contacts."
            }
            AppKind::Workiom => {
                "Records added to your Workiom contacts, tasks, notes and businesses lists reach HighLevel."
            }
            AppKind::Generic => {
                "Any app that can send a webhook can create contacts, tasks and notes in HighLevel."
            }
        }
    }
}

/// Where an event's type is found in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", content = "name", rename_all = "snake_case")]
pub enum EventTypeSource {
    /// A dot path into the JSON body.
    BodyField(String),
    /// A request header.
    Header(String),
    /// Every request is this one type.
    Fixed(String),
}

/// How requests prove they come from the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Signing {
    None,
    /// The connection's secret, as is, in a header.
    SecretHeader {
        header: String,
    },
    /// HMAC-SHA256 of the raw body bytes keyed with the connection's secret,
    /// encoded and prefixed, in a header.
    HmacSha256 {
        header: String,
        encoding: Encoding,
        prefix: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Hex,
    Base64,
}

/// What one app is expected to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub kind: AppKind,
    pub event_type_from: EventTypeSource,
    pub signing: Signing,
    /// Shown at the top of the connection form.
    pub note: String,
    pub events: Vec<EventTemplate>,
}

/// One event type of an app, with an example body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTemplate {
    /// The event type as the app names it.
    pub key: String,
    /// What happened, in plain words.
    pub label: String,
    /// Shown above the example body.
    pub sample_note: String,
    pub sample: serde_json::Value,
    pub fields: Vec<FieldInfo>,
    /// `(target, expression)`: a target of [`TARGETS`] and a template over
    /// the event body.
    pub default_mapping: Vec<(String, String)>,
}

impl EventTemplate {
    /// The mapping a connection starts with for this event type: contacts
    /// found by email, tags added to the ones they have, the rest written over.
    pub fn starting_mapping(&self) -> Mapping {
        let rules = self
            .default_mapping
            .iter()
            .map(|(target, expression)| FieldRule {
                mode: if target == "contact.tags" {
                    WriteMode::Append
                } else {
                    WriteMode::Overwrite
                },
                target: target.clone(),
                expression: expression.clone(),
            })
            .collect();
        Mapping {
            identify_by: IdentifyBy::Email,
            rules,
        }
    }
}

/// One value of an event body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// A dot path; `[]` stands for every item of an array.
    pub path: String,
    pub label: String,
    pub kind: FieldKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Email,
    Phone,
    Date,
    Number,
    Bool,
    /// Several plain values: the items of an array (a path ending in `[]`).
    List,
}

/// The template of `kind`. The signing of each is our assumption of what
/// the app does, the same one its simulated app in the sandbox uses.
pub fn template(kind: AppKind) -> Template {
    let (event_type_from, signing, events) = match kind {
        AppKind::Clubworx => clubworx::template(),
        AppKind::ClubOs => club_os::template(),
        AppKind::GymFlow => gymflow::template(),
        AppKind::ConvertCalculator => convertcalculator::template(),
        AppKind::Workiom => workiom::template(),
        AppKind::Generic => generic::template(),
    };
    Template {
        kind,
        event_type_from,
        signing,
        note: format!(
            "These examples are our best description of what {} sends. Real payloads vary by \
             account: send a test event and use the captured one instead.",
            kind.name()
        ),
        events: events.into_iter().map(|event| event.finish(kind)).collect(),
    }
}

/// An event as an app module writes it; [`template`] adds the note.
struct Event {
    key: &'static str,
    label: &'static str,
    sample: serde_json::Value,
    fields: Vec<FieldInfo>,
    mapping: Vec<(&'static str, &'static str)>,
}

impl Event {
    fn finish(self, kind: AppKind) -> EventTemplate {
        EventTemplate {
            key: self.key.into(),
            label: self.label.into(),
            sample_note: format!(
                "An example of {} \u{201c}{}\u{201d}. Real payloads vary by account: replace it \
                 with one you capture.",
                kind.name(),
                self.label
            ),
            sample: self.sample,
            fields: self.fields,
            default_mapping: self
                .mapping
                .into_iter()
                .map(|(target, expression)| (target.into(), expression.into()))
                .collect(),
        }
    }
}

fn field(path: &str, label: &str, kind: FieldKind) -> FieldInfo {
    FieldInfo {
        path: path.into(),
        label: label.into(),
        kind,
    }
}

fn hmac(header: &str, encoding: Encoding, prefix: &str) -> Signing {
    Signing::HmacSha256 {
        header: header.into(),
        encoding,
        prefix: prefix.into(),
    }
}

#[cfg(test)]
mod tests;
