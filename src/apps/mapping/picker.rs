//! The fields a sample offers to the mapping form: each value's path as an
//! expression reads it (`data.member.email`, `answers[0].value`,
//! `data["first-name"]`), with the value shown next to it.

use serde_json::Value as Json;

/// Most fields listed for one sample.
const MOST: usize = 300;
/// How deep the listing follows nested objects.
const DEEPEST: usize = 10;
/// Longest value shown, in characters.
const SHOWN: usize = 60;

/// A value of the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleField {
    /// The path as an expression reads it.
    pub path: String,
    /// The value as text, cut short; a list's items with commas.
    pub value: String,
}

/// Every plain value of the sample, in the body's order; a list of plain
/// values is one field, a list of objects is listed by its first item.
pub fn sample_fields(sample: &Json) -> Vec<SampleField> {
    let mut fields = Vec::new();
    walk(sample, "", 0, &mut fields);
    fields
}

fn walk(value: &Json, path: &str, depth: usize, fields: &mut Vec<SampleField>) {
    if fields.len() >= MOST || depth > DEEPEST {
        return;
    }
    match value {
        Json::Object(map) => {
            for (key, inner) in map {
                walk(inner, &step(path, key), depth + 1, fields);
            }
        }
        Json::Array(items) if items.iter().any(|item| item.is_object()) => {
            if let Some(first) = items.first() {
                walk(first, &format!("{path}[0]"), depth + 1, fields);
            }
        }
        _ if !path.is_empty() => fields.push(SampleField {
            path: path.to_owned(),
            value: shown(value),
        }),
        _ => {}
    }
}

/// `path.key`, or `path["key"]` when the key is not a plain name.
fn step(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (plain, path.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => {
            let quoted = serde_json::to_string(key).unwrap_or_default();
            format!("{path}[{quoted}]")
        }
    }
}

fn shown(value: &Json) -> String {
    let text = match value {
        Json::Null => String::new(),
        Json::String(text) => text.clone(),
        Json::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    };
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(sample: &Json) -> Vec<(String, String)> {
        let mut found: Vec<_> = sample_fields(sample)
            .into_iter()
            .map(|field| (field.path, field.value))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn nested_objects_lists_and_odd_keys_read_as_expressions() {
        let sample = json!({
            "data": {"member": {"email": "a@b.co", "tags": ["x", "y"], "first-name": "Mo", "gone": null}},
            "answers": [{"value": 3}, {"value": 4}],
            "9lives": true
        });
        assert_eq!(
            paths(&sample),
            [
                ("[\"9lives\"]".into(), "true".into()),
                ("answers[0].value".into(), "3".into()),
                ("data.member.email".into(), "a@b.co".into()),
                ("data.member.gone".into(), String::new()),
                ("data.member.tags".into(), "x, y".into()),
                ("data.member[\"first-name\"]".into(), "Mo".into()),
            ]
        );
    }

    #[test]
    fn long_values_are_cut_and_huge_samples_stop() {
        let long = "x".repeat(200);
        assert_eq!(paths(&json!({"a": long}))[0].1.chars().count(), SHOWN + 1);
        let wide: serde_json::Map<String, Json> =
            (0..1000).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(sample_fields(&Json::Object(wide)).len(), MOST);
    }
}
