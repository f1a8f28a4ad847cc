//! The operation catalogue agrees with the official OpenAPI documents kept
//! in `tests/fixtures/ghl-api`: method, path, `Version`, scope, query
//! parameters and whether a body is sent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use switchboard::highlevel::operations::{self, Body};

const DOCUMENTS: [&str; 5] = ["contacts", "locations", "calendars", "users", "businesses"];

fn document(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ghl-api/apps")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("the document is there");
    serde_json::from_str(&text).expect("the document is JSON")
}

/// Every operation of the documents: (operationId, method, path, operation).
fn official_operations() -> Vec<(String, String, String, Value)> {
    let mut found = Vec::new();
    for name in DOCUMENTS {
        let doc = document(name);
        let paths = doc["paths"].as_object().expect("paths");
        for (path, methods) in paths {
            for (method, operation) in methods.as_object().expect("methods") {
                if let Some(id) = operation["operationId"].as_str() {
                    found.push((
                        id.to_owned(),
                        method.to_uppercase(),
                        path.clone(),
                        operation.clone(),
                    ));
                }
            }
        }
    }
    found
}

fn parameters<'a>(operation: &'a Value, place: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |param| param["in"] == place)
}

#[test]
fn every_contacts_operation_is_in_the_catalogue() {
    let contacts: BTreeSet<String> = official_operations()
        .into_iter()
        .filter(|(_, _, path, _)| path.starts_with("/contacts"))
        .map(|(id, ..)| id)
        .collect();
    assert_eq!(contacts.len(), 32);
    for id in contacts {
        assert!(operations::find(&id).is_some(), "{id} is missing");
    }
}

#[test]
fn every_catalogue_entry_matches_its_document() {
    let official = official_operations();
    for operation in operations::all() {
        let (_, method, path, spec) = official
            .iter()
            .find(|(id, ..)| id == operation.id)
            .unwrap_or_else(|| panic!("{} is not in the documents", operation.id));
        assert_eq!(operation.method.as_str(), method, "{}", operation.id);
        assert_eq!(operation.path, path, "{}", operation.id);

        let version = parameters(spec, "header")
            .find(|param| param["name"] == "Version")
            .map(|param| param["schema"]["enum"][0].clone());
        assert_eq!(
            version,
            Some(Value::from(operation.version.as_str())),
            "{}",
            operation.id
        );

        let scopes: Vec<&str> = spec["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|scheme| scheme.values())
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            scopes.is_empty() || scopes.contains(&operation.scope),
            "{}: {} not in {scopes:?}",
            operation.id,
            operation.scope
        );

        let query: BTreeSet<(String, bool)> = parameters(spec, "query")
            .map(|param| {
                let name = param["name"].as_str().unwrap_or_default().to_owned();
                (name, param["required"] == true)
            })
            .collect();
        let ours: BTreeSet<(String, bool)> = operation
            .query
            .iter()
            .map(|param| (param.name.to_owned(), param.required))
            .collect();
        assert_eq!(ours, query, "{}", operation.id);

        let has_body = spec.get("requestBody").is_some();
        assert_eq!(operation.body != Body::None, has_body, "{}", operation.id);
    }
}

#[test]
fn path_placeholders_are_the_documented_path_parameters() {
    let official = official_operations();
    for operation in operations::all() {
        let Some((_, _, _, spec)) = official.iter().find(|(id, ..)| id == operation.id) else {
            continue;
        };
        let documented: BTreeSet<&str> = parameters(spec, "path")
            .filter_map(|param| param["name"].as_str())
            .collect();
        let ours: BTreeSet<&str> = operation.path_params().collect();
        // The document forgets to declare the `{type}` of the bulk tag update.
        let forgotten: BTreeSet<&str> = ours.difference(&documented).copied().collect();
        let allowed: BTreeSet<&str> = if operation.id == "create-association" {
            BTreeSet::from(["type"])
        } else {
            BTreeSet::new()
        };
        assert_eq!(forgotten, allowed, "{}", operation.id);
        assert!(documented.is_subset(&ours), "{}", operation.id);
    }
}
