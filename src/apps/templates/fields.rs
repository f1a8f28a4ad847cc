//! The fields of a body nobody described, such as one the user captured:
//! every plain value, labelled from its key, its kind guessed from the value.

use serde_json::Value;

use super::paths::{leaf_paths, values_at};
use super::{FieldInfo, FieldKind};

/// A field for every leaf of `sample` (see [`leaf_paths`]).
pub fn derive_fields(sample: &Value) -> Vec<FieldInfo> {
    leaf_paths(sample)
        .into_iter()
        .map(|path| FieldInfo {
            label: label(&path),
            kind: kind(&path, &values_at(sample, &path)),
            path,
        })
        .collect()
}

/// The last key of `path` in words: `date_of_birth`, `dateOfBirth` and
/// `Date of birth` all give "Date of birth".
fn label(path: &str) -> String {
    let key = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_end_matches("[]");
    let mut words = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == ' ' {
            words.push(' ');
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        words.extend(c.to_lowercase());
    }
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

fn kind(path: &str, values: &[&Value]) -> FieldKind {
    if path.ends_with("[]") {
        return FieldKind::List;
    }
    match values.iter().find(|value| !value.is_null()) {
        Some(Value::Bool(_)) => FieldKind::Bool,
        Some(Value::Number(_)) => FieldKind::Number,
        Some(Value::String(text)) => text_kind(text),
        _ => FieldKind::Text,
    }
}

fn text_kind(text: &str) -> FieldKind {
    if looks_like_email(text) {
        FieldKind::Email
    } else if looks_like_date(text) {
        FieldKind::Date
    } else if looks_like_phone(text) {
        FieldKind::Phone
    } else {
        FieldKind::Text
    }
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// `2026-05-14` (also starting a date-time), `14/05/2026` or `05/14/2026`.
fn looks_like_date(text: &str) -> bool {
    let shape: String = text
        .chars()
        .take(10)
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    shape == "9999-99-99" || shape == "99/99/9999"
}

/// Digits with the usual separators, as many as a phone number has.
fn looks_like_phone(text: &str) -> bool {
    let allowed = |c: char| c.is_ascii_digit() || " +()-.".contains(c);
    let digits = text.chars().filter(char::is_ascii_digit).count();
    text.chars().all(allowed) && (7..=15).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("data.member.date_of_birth"), "Date of birth");
        assert_eq!(label("member.mobilePhone"), "Mobile phone");
        assert_eq!(label("fields.Due Date"), "Due date");
        assert_eq!(label("data.member.tags[]"), "Tags");
    }

    #[test]
    fn kinds_are_guessed_from_the_values() {
        let sample = json!({
            "email": "ana@example.com",
            "mobile": "0412 345 678",
            "us": "(512) 555-0142",
            "born": "1991-03-27",
            "due": "14/05/2026",
            "at": "2026-05-14T09:12:44Z",
            "postcode": "3186",
            "id": 42,
            "active": true,
            "tags": ["a"],
            "answers": [{"question": "Plan?"}],
            "missing": null
        });
        let kinds: Vec<(String, FieldKind)> = derive_fields(&sample)
            .into_iter()
            .map(|field| (field.path, field.kind))
            .collect();
        let kind_of = |path: &str| {
            kinds
                .iter()
                .find(|(known, _)| known == path)
                .map(|(_, kind)| *kind)
        };
        assert_eq!(kind_of("email"), Some(FieldKind::Email));
        assert_eq!(kind_of("mobile"), Some(FieldKind::Phone));
        assert_eq!(kind_of("us"), Some(FieldKind::Phone));
        assert_eq!(kind_of("born"), Some(FieldKind::Date));
        assert_eq!(kind_of("due"), Some(FieldKind::Date));
        assert_eq!(kind_of("at"), Some(FieldKind::Date));
        assert_eq!(kind_of("postcode"), Some(FieldKind::Text));
        assert_eq!(kind_of("id"), Some(FieldKind::Number));
        assert_eq!(kind_of("active"), Some(FieldKind::Bool));
        assert_eq!(kind_of("tags[]"), Some(FieldKind::List));
        assert_eq!(kind_of("answers[].question"), Some(FieldKind::Text));
        assert_eq!(kind_of("missing"), Some(FieldKind::Text));
    }
}
