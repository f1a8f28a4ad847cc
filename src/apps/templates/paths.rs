//! Dot paths into JSON bodies: `data.member.email`, and `[]` for every item
//! of an array (`data.member.tags[]`, `answers[].question`).

use serde_json::Value;

/// The paths of every plain value (text, number, bool, null) of `body`, once
/// each: all items of an array share one path. An empty array counts as a
/// plain value, since nothing shows what its items would be.
pub fn leaf_paths(body: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    collect(body, "", &mut paths);
    paths
}

fn collect(value: &Value, path: &str, paths: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                collect(inner, &join(path, key), paths);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                collect(item, &format!("{path}[]"), paths);
            }
        }
        _ => {
            if !paths.iter().any(|known| known == path) {
                paths.push(path.to_owned());
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The values `path` reaches in `body`: none when it leads nowhere, several
/// when it goes through `[]`.
pub fn values_at<'a>(body: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut found = vec![body];
    for segment in path.split('.') {
        let (key, every_item) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (segment, false),
        };
        found = found
            .into_iter()
            .filter_map(|value| value.get(key))
            .collect();
        if every_item {
            found = found
                .into_iter()
                .filter_map(Value::as_array)
                .flatten()
                .collect();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_of_objects_and_arrays_have_one_path_each() {
        let body = json!({
            "a": {"b": 1, "c": [true, false]},
            "items": [{"x": "1"}, {"x": "2", "y": null}],
            "empty": []
        });
        let mut paths = leaf_paths(&body);
        paths.sort();
        assert_eq!(paths, ["a.b", "a.c[]", "empty", "items[].x", "items[].y"]);
    }

    #[test]
    fn values_at_follows_keys_and_every_item() {
        let body = json!({"a": {"tags": ["x", "y"]}, "items": [{"q": 1}, {"q": 2}, {}]});
        assert_eq!(values_at(&body, "a.tags[]"), [&json!("x"), &json!("y")]);
        assert_eq!(values_at(&body, "items[].q"), [&json!(1), &json!(2)]);
        assert!(values_at(&body, "a.missing").is_empty());
        assert!(values_at(&body, "a[]").is_empty());
    }
}
