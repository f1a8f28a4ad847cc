//! The body fields of the catalogue's operations, as the official documents
//! list them: the help a form shows next to a body typed by hand. The
//! operations whose document gives no body schema (the advanced contact
//! search) or an empty one are left out. A test holds the table to the
//! documents in `tests/fixtures/ghl-api/`.

/// A field of an operation's body: its name, and whether the document
/// requires it.
pub type BodyField = (&'static str, bool);

const TASK: &[BodyField] = &[
    ("title", false),
    ("body", false),
    ("dueDate", false),
    ("completed", false),
    ("assignedTo", false),
];

const NOTE: &[BodyField] = &[
    ("userId", false),
    ("body", false),
    ("title", false),
    ("color", false),
    ("pinned", false),
];

const CONTACT: &[BodyField] = &[
    ("firstName", false),
    ("lastName", false),
    ("name", false),
    ("email", false),
    ("locationId", true),
    ("gender", false),
    ("phone", false),
    ("address1", false),
    ("city", false),
    ("state", false),
    ("postalCode", false),
    ("website", false),
    ("timezone", false),
    ("dnd", false),
    ("dndSettings", false),
    ("inboundDndSettings", false),
    ("tags", false),
    ("customFields", false),
    ("source", false),
    ("dateOfBirth", false),
    ("country", false),
    ("companyName", false),
    ("assignedTo", false),
];

const UPDATE_CONTACT: &[BodyField] = &[
    ("firstName", false),
    ("lastName", false),
    ("name", false),
    ("email", false),
    ("phone", false),
    ("address1", false),
    ("city", false),
    ("state", false),
    ("postalCode", false),
    ("website", false),
    ("timezone", false),
    ("dnd", false),
    ("dndSettings", false),
    ("inboundDndSettings", false),
    ("tags", false),
    ("customFields", false),
    ("source", false),
    ("dateOfBirth", false),
    ("country", false),
    ("assignedTo", false),
];

const UPSERT_CONTACT: &[BodyField] = &[
    ("firstName", false),
    ("lastName", false),
    ("name", false),
    ("email", false),
    ("locationId", true),
    ("gender", false),
    ("phone", false),
    ("address1", false),
    ("city", false),
    ("state", false),
    ("postalCode", false),
    ("website", false),
    ("timezone", false),
    ("dnd", false),
    ("dndSettings", false),
    ("inboundDndSettings", false),
    ("tags", false),
    ("customFields", false),
    ("source", false),
    ("dateOfBirth", false),
    ("country", false),
    ("companyName", false),
    ("assignedTo", false),
    ("createNewIfDuplicateAllowed", false),
];

const TAGS: &[BodyField] = &[("tags", true)];
const FOLLOWERS: &[BodyField] = &[("followers", true)];
const WORKFLOW: &[BodyField] = &[("eventStartTime", false)];

/// Each operation with a documented body, and its fields in the
/// document's order.
const BODIES: &[(&str, &[BodyField])] = &[
    (
        "create-task",
        &[
            ("title", true),
            ("body", false),
            ("dueDate", true),
            ("completed", true),
            ("assignedTo", false),
        ],
    ),
    ("update-task", TASK),
    ("update-task-completed", &[("completed", true)]),
    ("add-tags", TAGS),
    ("remove-tags", TAGS),
    (
        "create-note",
        &[
            ("userId", false),
            ("body", true),
            ("title", false),
            ("color", false),
            ("pinned", false),
        ],
    ),
    ("update-note", NOTE),
    (
        "create-association",
        &[
            ("contacts", true),
            ("tags", true),
            ("locationId", true),
            ("removeAllTags", false),
        ],
    ),
    (
        "add-remove-contact-from-business",
        &[("locationId", true), ("ids", true), ("businessId", true)],
    ),
    ("update-contact", UPDATE_CONTACT),
    ("upsert-contact", UPSERT_CONTACT),
    ("add-followers-contact", FOLLOWERS),
    ("remove-followers-contact", FOLLOWERS),
    ("add-contact-to-workflow", WORKFLOW),
    ("delete-contact-from-workflow", WORKFLOW),
    ("create-contact", CONTACT),
    (
        "task-search",
        &[
            ("contactId", false),
            ("completed", false),
            ("assignedTo", false),
            ("query", false),
            ("limit", false),
            ("skip", false),
            ("businessId", false),
        ],
    ),
];

/// The body fields the document lists for operation `id`; empty when it
/// lists none.
pub fn body_fields(id: &str) -> &'static [BodyField] {
    BODIES
        .iter()
        .find(|(operation, _)| *operation == id)
        .map_or(&[], |(_, fields)| fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every request body of the documents in `tests/fixtures/ghl-api/apps`:
    /// operationId, then its fields with whether each is required.
    fn documented() -> Vec<(String, Vec<(String, bool)>)> {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ghl-api/apps");
        let mut bodies = Vec::new();
        for name in ["contacts.json", "locations.json"] {
            let text = std::fs::read_to_string(format!("{folder}/{name}")).unwrap();
            let document: Value = serde_json::from_str(&text).unwrap();
            let schemas = &document["components"]["schemas"];
            for operations in document["paths"].as_object().unwrap().values() {
                for operation in operations.as_object().unwrap().values() {
                    let mut schema =
                        &operation["requestBody"]["content"]["application/json"]["schema"];
                    if let Some(reference) = schema["$ref"].as_str() {
                        let name = reference.rsplit('/').next().unwrap();
                        schema = &schemas[name];
                    }
                    let required: Vec<&str> = schema["required"]
                        .as_array()
                        .map(|names| names.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let fields = schema["properties"]
                        .as_object()
                        .map(|properties| {
                            properties
                                .keys()
                                .map(|name| (name.clone(), required.contains(&name.as_str())))
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Some(id) = operation["operationId"].as_str() {
                        bodies.push((id.to_owned(), fields));
                    }
                }
            }
        }
        bodies
    }

    #[test]
    fn the_table_is_the_documents() {
        let documented = documented();
        for operation in crate::highlevel::operations::all() {
            let Some((_, fields)) = documented.iter().find(|(id, _)| id == operation.id) else {
                continue;
            };
            let mut listed: Vec<(String, bool)> = body_fields(operation.id)
                .iter()
                .map(|(name, required)| ((*name).to_owned(), *required))
                .collect();
            listed.sort();
            let mut fields = fields.clone();
            fields.sort();
            assert_eq!(listed, fields, "{}", operation.id);
        }
    }
}
