//! The event body as expressions see it. Fields are read from the JSON when
//! an expression asks for them; a JSON `null` reads as a missing field, so
//! `default` applies to it; strings are cut at [`MAX_TEXT`] characters; and
//! an object or a list turned into text is a short mark rather than the
//! whole of it, so no expression can make the engine copy a large body over
//! and over.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use serde_json::Value as Json;

use super::limits::MAX_TEXT;

/// The body as the root of every expression's variables.
pub(super) fn root(body: Json) -> Value {
    let root = Arc::new(body);
    Node::value(&root, String::new()).unwrap_or_default()
}

/// An object or a list of the body, by its JSON pointer.
#[derive(Debug)]
struct Node {
    root: Arc<Json>,
    pointer: String,
}

impl Node {
    fn json(&self) -> Option<&Json> {
        self.root.pointer(&self.pointer)
    }

    fn child(&self, step: &str) -> Option<Value> {
        let escaped = step.replace('~', "~0").replace('/', "~1");
        Self::value(&self.root, format!("{}/{escaped}", self.pointer))
    }

    /// The value at `pointer`; `None` for `null` or nothing there.
    fn value(root: &Arc<Json>, pointer: String) -> Option<Value> {
        Some(match root.pointer(&pointer)? {
            Json::Null => return None,
            Json::Bool(yes) => Value::from(*yes),
            Json::Number(number) => number
                .as_i64()
                .map(Value::from)
                .or_else(|| number.as_u64().map(Value::from))
                .or_else(|| number.as_f64().map(Value::from))?,
            Json::String(text) => Value::from(cut(text)),
            Json::Array(_) | Json::Object(_) => Value::from_object(Node {
                root: Arc::clone(root),
                pointer,
            }),
        })
    }
}

impl Object for Node {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        match self.json() {
            Some(Json::Array(_)) => ObjectRepr::Seq,
            _ => ObjectRepr::Map,
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match self.json()? {
            Json::Object(_) => self.child(key.as_str()?),
            Json::Array(_) => self.child(&key.as_usize()?.to_string()),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.json() {
            Some(Json::Object(fields)) => {
                Enumerator::Values(fields.keys().map(|key| Value::from(key.as_str())).collect())
            }
            Some(Json::Array(items)) => Enumerator::Seq(items.len()),
            _ => Enumerator::Empty,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr() {
            ObjectRepr::Seq => f.write_str("[…]"),
            _ => f.write_str("{…}"),
        }
    }
}

/// The first [`MAX_TEXT`] characters of `text`.
fn cut(text: &str) -> &str {
    text.char_indices()
        .nth(MAX_TEXT)
        .map_or(text, |(end, _)| &text[..end])
}

#[cfg(test)]
mod tests {
    use minijinja::Environment;
    use serde_json::json;

    use super::*;

    fn render(source: &str, body: Json) -> String {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.render_str(source, root(body)).unwrap()
    }

    #[test]
    fn fields_lists_and_numbers_read_as_in_the_json() {
        let body = json!({"data": {"member": {"email": "a@b.co", "visits": 12, "paid": 9.5,
            "active": true, "tags": ["x", "y"], "a/b": "slash", "x~y": "tilde"}}});
        assert_eq!(
            render(
                "{{ data.member.email }} {{ data.member.visits + 1 }} {{ data.member.paid }}",
                body.clone()
            ),
            "a@b.co 13 9.5"
        );
        assert_eq!(
            render(
                "{{ data.member.tags[1] }} {{ data.member.tags | length }} {% for tag in data.member.tags %}{{ tag }}{% endfor %}",
                body.clone()
            ),
            "y 2 xy"
        );
        assert_eq!(
            render(
                "{{ data.member['a/b'] }} {{ data.member['x~y'] }} {% if data.member.active %}active{% endif %}",
                body
            ),
            "slash tilde active"
        );
    }

    #[test]
    fn null_reads_as_missing() {
        let body = json!({"data": {"phone": null}});
        assert_eq!(
            render("{{ data.phone | default('none given') }}", body),
            "none given"
        );
    }

    #[test]
    fn objects_and_lists_stringify_short_and_strings_are_cut() {
        let long = "é".repeat(MAX_TEXT + 5);
        let body = json!({"data": {"member": {"note": long}, "list": [1, 2]}});
        assert_eq!(render("{{ data ~ data.list }}", body.clone()), "{…}[…]");
        assert_eq!(
            render("{{ data.member.note | length }}", body),
            MAX_TEXT.to_string()
        );
    }

    #[test]
    fn a_body_that_is_no_object_has_no_fields() {
        assert_eq!(render("[{{ data.x }}]", json!([1, 2])), "[]");
        assert_eq!(render("[{{ data }}]", json!("text")), "[]");
    }
}
