//! Delivery mappings: the body Switchboard sends another app, built from a
//! HighLevel record (a contact, task, note or appointment). Each rule names
//! a path of the body (`member.email`; `member.tags[]` for a list, its items
//! the value's comma-separated parts) and the expression that fills it.

use serde_json::{Map, Value as Json};

use super::engine::Engine;
use super::{body, FieldRule, Problem};

/// Deepest path a rule may name.
const DEEPEST: usize = 6;

/// A delivery mapping run over a record.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryPreview {
    /// The JSON body the app would get; empty values are left out.
    pub body: Json,
    /// What each rule's expression gave, in rule order (`None` when it failed).
    pub values: Vec<Option<String>>,
    pub problems: Vec<Problem>,
}

impl Engine {
    /// Builds the body `rules` make of `record`; problems name their rule.
    pub fn delivery(&self, rules: &[FieldRule], record: &Json) -> DeliveryPreview {
        let root = body::root(record.clone());
        let mut built = Json::Object(Map::new());
        let mut values = Vec::with_capacity(rules.len());
        let mut problems = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            let mut report = |message: String, position| {
                problems.push(Problem {
                    rule: Some(index),
                    target: rule.target.clone(),
                    message,
                    position,
                })
            };
            let path = parse_path(&rule.target).map_err(|message| report(message, None));
            let text = self
                .render(&rule.expression, &root)
                .map_err(|(message, position)| report(message, position))
                .ok();
            if let (Ok(path), Some(text)) = (path, &text) {
                if let Err(message) = place(&mut built, &path, text) {
                    report(message, None);
                }
            }
            values.push(text);
        }
        DeliveryPreview {
            body: built,
            values,
            problems,
        }
    }
}

/// A body path read: its keys, and whether the last holds a list.
#[derive(Debug, PartialEq, Eq)]
struct BodyPath {
    keys: Vec<String>,
    list: bool,
}

fn parse_path(path: &str) -> Result<BodyPath, String> {
    let path = path.trim();
    let (path, list) = match path.strip_suffix("[]") {
        Some(rest) => (rest, true),
        None => (path, false),
    };
    let keys: Vec<String> = path.split('.').map(str::to_owned).collect();
    let plain = |key: &String| {
        !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if !keys.iter().all(plain) {
        return Err("Name the field of the body as words joined by dots, such as member.email (add [] for a list).".into());
    }
    if keys.len() > DEEPEST {
        return Err(format!(
            "A field of the body can be at most {DEEPEST} levels deep."
        ));
    }
    Ok(BodyPath { keys, list })
}

/// Puts `text` at `path`; an empty text leaves the field out.
fn place(body: &mut Json, path: &BodyPath, text: &str) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let value = if path.list {
        Json::Array(
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| Json::String(item.to_owned()))
                .collect(),
        )
    } else {
        Json::String(text.to_owned())
    };
    let (last, parents) = path.keys.split_last().expect("a path has a key");
    let mut at = body;
    for key in parents {
        at = at
            .as_object_mut()
            .ok_or_else(|| clash(key))?
            .entry(key.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    let object = at.as_object_mut().ok_or_else(|| clash(last))?;
    if object.contains_key(last) {
        return Err(format!(
            "Another row already fills \u{201c}{last}\u{201d}: keep one."
        ));
    }
    object.insert(last.clone(), value);
    Ok(())
}

fn clash(key: &str) -> String {
    format!("\u{201c}{key}\u{201d} is filled by another row, so it cannot also hold fields.")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apps::mapping::{MappingContext, WriteMode};

    fn rule(target: &str, expression: &str) -> FieldRule {
        FieldRule {
            target: target.into(),
            expression: expression.into(),
            mode: WriteMode::Overwrite,
        }
    }

    fn run(rules: &[FieldRule]) -> DeliveryPreview {
        let contact = json!({"id": "c1", "firstName": "Ana", "email": "ANA@X.CO", "tags": ["vip", "member"], "phone": null});
        Engine::new(&MappingContext::default()).delivery(rules, &contact)
    }

    #[test]
    fn paths_nest_lists_split_and_empty_values_are_left_out() {
        let preview = run(&[
            rule("member.id", "{{ id }}"),
            rule("member.name.first", "{{ firstName }}"),
            rule("member.email", "{{ email | lower }}"),
            rule("member.tags[]", "{{ tags | join(',') }}"),
            rule("member.phone", "{{ phone }}"),
            rule("source", "HighLevel"),
        ]);
        assert_eq!(preview.problems, []);
        assert_eq!(
            preview.body,
            json!({"member": {"id": "c1", "name": {"first": "Ana"}, "email": "ana@x.co", "tags": ["vip", "member"]}, "source": "HighLevel"})
        );
        assert_eq!(preview.values[4].as_deref(), Some(""));
    }

    #[test]
    fn bad_paths_clashes_and_bad_expressions_name_their_row() {
        let preview = run(&[
            rule("member", "{{ id }}"),
            rule("member.email", "{{ email }}"),
            rule("two words", "x"),
            rule("member", "{{ firstName }}"),
            rule("ok", "{{ email | nope }}"),
        ]);
        let rows: Vec<Option<usize>> = preview.problems.iter().map(|p| p.rule).collect();
        assert_eq!(rows, [Some(1), Some(2), Some(3), Some(4)]);
        assert!(preview.problems[0]
            .message
            .contains("cannot also hold fields"));
        assert!(preview.problems[1].message.contains("joined by dots"));
        assert!(preview.problems[2].message.contains("Another row"));
        assert!(preview.problems[3].message.contains("no filter called"));
    }
}
