//! The HighLevel fields a mapping can fill, what each one holds, and how the
//! text a rule makes becomes the JSON HighLevel takes for that field.

use chrono::{NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::filters::{read_iso, shown, to_e164};
use super::{CustomField, IdentifyBy, MappingContext};
use crate::workspace::tasks::parse_due;

/// What a field holds, which decides how its text is checked and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetKind {
    Text,
    Email,
    /// Sent in E.164, read in the team's country when it has no country code.
    Phone,
    /// `YYYY-MM-DD`.
    Date,
    /// A moment, read in the team's zone and sent in UTC.
    DateTime,
    Number,
    /// Yes or no: `true`, `yes`, `1`, `on` and their opposites.
    YesNo,
    /// Items with commas between them.
    List,
}

/// A field as the form's target picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub key: String,
    pub label: String,
    pub kind: TargetKind,
    /// Whether every event must fill it: the field contacts are found by.
    pub required: bool,
}

/// Where a rule's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot<'c> {
    /// A field of the upsert body, by its JSON name.
    Contact(&'static str),
    Custom(&'c CustomField),
    /// A field of the task body, by its JSON name.
    Task(&'static str),
    Note,
}

/// A rule's target, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Target<'c> {
    pub slot: Slot<'c>,
    pub kind: TargetKind,
}

const CUSTOM_PREFIX: &str = "contact.customField.";

/// Every field that is not a custom field, in the picker's order.
const FIXED: [(&str, &str, TargetKind); 20] = [
    ("contact.firstName", "First name", TargetKind::Text),
    ("contact.lastName", "Last name", TargetKind::Text),
    ("contact.name", "Full name", TargetKind::Text),
    ("contact.email", "Email", TargetKind::Email),
    ("contact.phone", "Phone", TargetKind::Phone),
    ("contact.address1", "Street address", TargetKind::Text),
    ("contact.city", "City", TargetKind::Text),
    ("contact.state", "State", TargetKind::Text),
    ("contact.postalCode", "Postcode", TargetKind::Text),
    ("contact.country", "Country", TargetKind::Text),
    ("contact.companyName", "Business name", TargetKind::Text),
    ("contact.website", "Website", TargetKind::Text),
    ("contact.source", "Source", TargetKind::Text),
    ("contact.dateOfBirth", "Date of birth", TargetKind::Date),
    ("contact.tags", "Tags", TargetKind::List),
    ("contact.dnd", "Do not disturb", TargetKind::YesNo),
    ("task.title", "Task title", TargetKind::Text),
    ("task.body", "Task details", TargetKind::Text),
    ("task.dueDate", "Task due", TargetKind::DateTime),
    ("note.body", "Note", TargetKind::Text),
];

/// What the target picker lists: the contact's fields, the location's custom
/// fields (but those holding files), then the task's and the note's.
pub fn targets(custom_fields: &[CustomField], identify_by: &IdentifyBy) -> Vec<TargetInfo> {
    let info = |key: String, label: &str, kind| TargetInfo {
        required: is_identity(&key, custom_fields, identify_by),
        key,
        label: label.to_owned(),
        kind,
    };
    let (contact, others): (Vec<_>, Vec<_>) = (FIXED.iter())
        .map(|&(key, label, kind)| info(key.into(), label, kind))
        .partition(|info| info.key.starts_with("contact."));
    let custom = custom_fields.iter().filter_map(|field| {
        let kind = custom_kind(field)?;
        Some(info(custom_key(field), &field.name, kind))
    });
    contact.into_iter().chain(custom).chain(others).collect()
}

/// The target key of a custom field: its HighLevel key without `contact.`.
pub(super) fn custom_key(field: &CustomField) -> String {
    let short = field.key.strip_prefix("contact.").unwrap_or(&field.key);
    format!("{CUSTOM_PREFIX}{short}")
}

/// The custom field with this key, written with or without `contact.`.
pub(super) fn find_custom<'c>(fields: &'c [CustomField], key: &str) -> Option<&'c CustomField> {
    let short = key.strip_prefix("contact.").unwrap_or(key);
    fields
        .iter()
        .find(|field| field.key.strip_prefix("contact.").unwrap_or(&field.key) == short)
}

/// The target key of the field contacts are found by.
pub(super) fn identity_key(custom_fields: &[CustomField], identify_by: &IdentifyBy) -> String {
    match identify_by {
        IdentifyBy::Email => "contact.email".into(),
        IdentifyBy::Phone => "contact.phone".into(),
        IdentifyBy::ExternalId { custom_field } => find_custom(custom_fields, custom_field)
            .map_or_else(|| format!("{CUSTOM_PREFIX}{custom_field}"), custom_key),
    }
}

fn is_identity(key: &str, custom_fields: &[CustomField], identify_by: &IdentifyBy) -> bool {
    key == identity_key(custom_fields, identify_by)
}

/// Reads a rule's target, or says why it is none.
pub(super) fn parse<'c>(key: &str, custom_fields: &'c [CustomField]) -> Result<Target<'c>, String> {
    if let Some(custom) = key.strip_prefix(CUSTOM_PREFIX) {
        let field = find_custom(custom_fields, custom).ok_or_else(|| {
            format!("This HighLevel location has no custom field with the key “{custom}”.")
        })?;
        let kind = custom_kind(field)
            .ok_or_else(|| format!("“{}” holds files, which a mapping cannot fill.", field.name))?;
        return Ok(Target {
            slot: Slot::Custom(field),
            kind,
        });
    }
    let &(key, _, kind) = FIXED
        .iter()
        .find(|(fixed, ..)| *fixed == key)
        .ok_or_else(|| format!("“{key}” is not a field Switchboard can fill."))?;
    let slot = match key.split_once('.') {
        Some(("task", field)) => Slot::Task(field),
        Some(("note", _)) => Slot::Note,
        _ => Slot::Contact(key.trim_start_matches("contact.")),
    };
    Ok(Target { slot, kind })
}

/// What a custom field holds, from HighLevel's data type; `None` for files.
fn custom_kind(field: &CustomField) -> Option<TargetKind> {
    Some(match field.data_type.as_str() {
        "NUMERICAL" | "MONETORY" => TargetKind::Number,
        "CHECKBOX" | "MULTIPLE_OPTIONS" => TargetKind::List,
        "DATE" => TargetKind::Date,
        "EMAIL" => TargetKind::Email,
        "PHONE" => TargetKind::Phone,
        "FILE_UPLOAD" | "SIGNATURE" => return None,
        _ => TargetKind::Text,
    })
}

/// The JSON HighLevel takes for a field's text; `None` for empty text, which
/// writes nothing; an error in words when the text is not what the field holds.
pub(super) fn to_json(
    kind: TargetKind,
    text: &str,
    context: &MappingContext,
) -> Result<Option<Json>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let json = match kind {
        TargetKind::Text => Json::from(text),
        TargetKind::Email if is_email(text) => Json::from(text),
        TargetKind::Email => return Err(format!("{} is not an email address.", shown(text))),
        TargetKind::Phone => Json::from(to_e164(text, context.country.as_deref())?),
        TargetKind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|day| Json::from(day.format("%Y-%m-%d").to_string()))
            .map_err(|_| {
                format!(
                    "{} is not a date written year-month-day (1990-02-03): convert it, for example with | date(from=\"%d/%m/%Y\").",
                    shown(text)
                )
            })?,
        TargetKind::DateTime => parse_due(text, context.zone)
            .or_else(|| read_iso(text, context.zone, Tz::UTC).map(|at| at.with_timezone(&Utc)))
            .map(|at| Json::from(at.to_rfc3339_opts(SecondsFormat::Secs, true)))
            .ok_or_else(|| {
                format!(
                    "{} is not a date and time: write it like 2026-03-01T09:30 (in the team's time zone), or convert it with the date filter.",
                    shown(text)
                )
            })?,
        TargetKind::Number => number(text)
            .ok_or_else(|| format!("{} is not a number.", shown(text)))?,
        TargetKind::YesNo => yes_no(text)
            .map(Json::from)
            .ok_or_else(|| format!("{} is not yes or no (true or false).", shown(text)))?,
        TargetKind::List => Json::from(list(text)),
    };
    Ok(Some(json))
}

/// One `@` between a name and a domain with a dot, and no spaces.
fn is_email(text: &str) -> bool {
    let Some((name, domain)) = text.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').all(|label| !label.is_empty()) && domain.contains('.');
    !name.is_empty() && labels_ok && !domain.contains('@') && !text.contains(char::is_whitespace)
}

/// A whole number as an integer, else a decimal; `None` for what is neither.
fn number(text: &str) -> Option<Json> {
    let value: f64 = text.parse().ok().filter(|value: &f64| value.is_finite())?;
    let whole = value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0;
    if whole {
        return Some(Json::from(value as i64));
    }
    serde_json::Number::from_f64(value).map(Json::Number)
}

fn yes_no(text: &str) -> Option<bool> {
    match text.to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" => Some(true),
        "false" | "no" | "n" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// The items of a comma-separated list, trimmed, each once.
pub(super) fn list(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for item in text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        if !items.iter().any(|seen| seen == item) {
            items.push(item.to_owned());
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::zone::TeamZone;

    fn fields() -> Vec<CustomField> {
        [
            ("f1", "contact.member_number", "Member number", "TEXT"),
            ("f2", "contact.visits", "Visits", "NUMERICAL"),
            ("f3", "contact.waiver", "Waiver", "FILE_UPLOAD"),
            ("f4", "contact.classes", "Classes", "MULTIPLE_OPTIONS"),
        ]
        .map(|(id, key, name, data_type)| CustomField {
            id: id.into(),
            key: key.into(),
            name: name.into(),
            data_type: data_type.into(),
        })
        .to_vec()
    }

    fn context() -> MappingContext {
        MappingContext {
            country: Some("AU".into()),
            zone: TeamZone::named("Australia/Sydney"),
            ..MappingContext::default()
        }
    }

    fn value(kind: TargetKind, text: &str) -> Result<Option<Json>, String> {
        to_json(kind, text, &context())
    }

    #[test]
    fn the_picker_lists_contact_custom_task_and_note_fields() {
        let custom = fields();
        let listed = targets(&custom, &IdentifyBy::Email);
        let keys: Vec<&str> = listed.iter().map(|info| info.key.as_str()).collect();
        assert_eq!(keys.len(), 23);
        assert_eq!(
            &keys[14..20],
            [
                "contact.tags",
                "contact.dnd",
                "contact.customField.member_number",
                "contact.customField.visits",
                "contact.customField.classes",
                "task.title",
            ]
        );
        let required: Vec<&str> = listed
            .iter()
            .filter(|info| info.required)
            .map(|info| info.key.as_str())
            .collect();
        assert_eq!(required, ["contact.email"]);
        let by_id = IdentifyBy::ExternalId {
            custom_field: "contact.member_number".into(),
        };
        let listed = targets(&custom, &by_id);
        let required = listed.iter().find(|info| info.required).unwrap();
        assert_eq!(required.label, "Member number");
    }

    #[test]
    fn targets_are_read_with_their_slot_and_kind() {
        let custom = fields();
        let parsed = |key: &str| parse(key, &custom);
        assert_eq!(
            parsed("contact.email"),
            Ok(Target {
                slot: Slot::Contact("email"),
                kind: TargetKind::Email
            })
        );
        assert_eq!(
            parsed("task.dueDate"),
            Ok(Target {
                slot: Slot::Task("dueDate"),
                kind: TargetKind::DateTime
            })
        );
        assert_eq!(parsed("note.body").map(|t| t.slot), Ok(Slot::Note));
        assert_eq!(
            parsed("contact.customField.visits"),
            Ok(Target {
                slot: Slot::Custom(&custom[1]),
                kind: TargetKind::Number
            })
        );
        assert_eq!(
            parsed("contact.customField.contact.visits").map(|t| t.slot),
            Ok(Slot::Custom(&custom[1]))
        );
    }

    #[test]
    fn unknown_targets_say_why() {
        let custom = fields();
        assert_eq!(
            parse("contact.customField.belt", &custom),
            Err("This HighLevel location has no custom field with the key “belt”.".into())
        );
        assert_eq!(
            parse("contact.customField.waiver", &custom),
            Err("“Waiver” holds files, which a mapping cannot fill.".into())
        );
        assert_eq!(
            parse("contact.nickname", &custom),
            Err("“contact.nickname” is not a field Switchboard can fill.".into())
        );
    }

    #[test]
    fn text_becomes_the_json_of_its_kind() {
        assert_eq!(value(TargetKind::Text, "  Mary "), Ok(Some(json!("Mary"))));
        assert_eq!(value(TargetKind::Text, "   "), Ok(None));
        assert_eq!(
            value(TargetKind::Email, "a.b@gym.com.au"),
            Ok(Some(json!("a.b@gym.com.au")))
        );
        assert_eq!(
            value(TargetKind::Phone, "0412 345 678"),
            Ok(Some(json!("+61412345678")))
        );
        assert_eq!(
            value(TargetKind::Date, "1990-2-3"),
            Ok(Some(json!("1990-02-03")))
        );
        assert_eq!(
            value(TargetKind::DateTime, "2026-03-02T09:30"),
            Ok(Some(json!("2026-03-01T22:30:00Z")))
        );
        assert_eq!(
            value(TargetKind::DateTime, "2026-03-02 09:30:15.5"),
            Ok(Some(json!("2026-03-01T22:30:15Z")))
        );
        assert_eq!(
            value(TargetKind::DateTime, "2026-03-02"),
            Ok(Some(json!("2026-03-01T22:00:00Z")))
        );
        assert_eq!(
            value(TargetKind::DateTime, "2026-03-02T09:30:00+10:00"),
            Ok(Some(json!("2026-03-01T23:30:00Z")))
        );
        assert_eq!(value(TargetKind::Number, "12"), Ok(Some(json!(12))));
        assert_eq!(value(TargetKind::Number, "-9.5"), Ok(Some(json!(-9.5))));
        assert_eq!(value(TargetKind::YesNo, "Yes"), Ok(Some(json!(true))));
        assert_eq!(value(TargetKind::YesNo, "off"), Ok(Some(json!(false))));
        assert_eq!(
            value(TargetKind::List, "member, vip,,member , yoga"),
            Ok(Some(json!(["member", "vip", "yoga"])))
        );
    }

    #[test]
    fn text_that_is_not_of_its_kind_says_why() {
        assert_eq!(
            value(TargetKind::Email, "mary at gym"),
            Err("“mary at gym” is not an email address.".into())
        );
        for bad in [
            "@gym.com",
            "mary@",
            "mary@gym",
            "mary@gym..com",
            "a@b@c.com",
            "a b@c.com",
        ] {
            assert!(value(TargetKind::Email, bad).is_err(), "{bad}");
        }
        assert_eq!(
            value(TargetKind::Phone, "call me"),
            Err("“call me” is not a phone number we can call: check the digits.".into())
        );
        assert_eq!(
            value(TargetKind::Date, "03/02/1990"),
            Err("“03/02/1990” is not a date written year-month-day (1990-02-03): convert it, for example with | date(from=\"%d/%m/%Y\").".into())
        );
        assert_eq!(
            value(TargetKind::DateTime, "tomorrow"),
            Err("“tomorrow” is not a date and time: write it like 2026-03-01T09:30 (in the team's time zone), or convert it with the date filter.".into())
        );
        assert_eq!(
            value(TargetKind::Number, "12 kg"),
            Err("“12 kg” is not a number.".into())
        );
        assert_eq!(
            value(TargetKind::Number, "inf"),
            Err("“inf” is not a number.".into())
        );
        assert_eq!(
            value(TargetKind::YesNo, "maybe"),
            Err("“maybe” is not yes or no (true or false).".into())
        );
    }
}
