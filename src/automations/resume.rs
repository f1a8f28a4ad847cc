//! What a step whose request may have been sent, before its process died,
//! checks before sending it again: whether HighLevel already holds what it
//! would write. A task is found by its title and due date on the contact,
//! a note by its text, and a contact write by the contact already holding
//! every field it sets (sending it again would change nothing). A change
//! that is the same when repeated (tags, a task or note changed or
//! completed, campaigns, workflows, followers) is simply sent again, and a
//! delete sent again that finds nothing to delete was done the first time.

use chrono::{DateTime, Utc};
use serde_json::{json, Value as Json};

use super::execute::Services;
use super::steps::{Call, StepError};
use crate::highlevel::HighLevelError;

/// The answer the lost request would have had, when what it writes is in
/// HighLevel already; `None` when it must be sent.
pub async fn already_made(
    services: &Services,
    location_id: &str,
    call: &Call,
    resumed: bool,
) -> Result<Option<Json>, StepError> {
    if !resumed {
        return Ok(None);
    }
    let body = call.body.clone().unwrap_or_default();
    match call.operation {
        "create-task" => {
            let due = moment(&body["dueDate"]);
            let same =
                |task: &Json| task["title"] == body["title"] && moment(&task["dueDate"]) == due;
            on_contact(services, location_id, call, ("get-all-tasks", "task"), same).await
        }
        "create-note" => {
            let same = |note: &Json| note["body"] == body["body"];
            on_contact(services, location_id, call, ("get-all-notes", "note"), same).await
        }
        "upsert-contact" | "update-contact" | "create-contact" => {
            contact(services, location_id, call, &body).await
        }
        _ => Ok(None),
    }
}

/// Whether `error`, answering a delete sent again, says the first one went
/// through: HighLevel no longer knows the record (its documents answer an
/// unknown id with 400 "… not found"; a 404 says the same).
pub fn gone_already(call: &Call, error: &HighLevelError, resumed: bool) -> bool {
    let delete = matches!(
        call.operation,
        "delete-contact" | "delete-task" | "delete-note"
    );
    resumed
        && delete
        && match error {
            HighLevelError::NotFound { .. } => true,
            HighLevelError::BadRequest { message } => message.to_lowercase().contains("not found"),
            _ => false,
        }
}

fn of_contact(call: &Call) -> Option<[(&str, &str); 1]> {
    call.params
        .get("contactId")
        .map(|id| [("contactId", id.as_str())])
}

/// The contact's `kind` (`task` or `note`) that `same` recognises, read
/// with `operation`, as HighLevel would have answered its creation.
async fn on_contact(
    services: &Services,
    location_id: &str,
    call: &Call,
    (operation, kind): (&'static str, &str),
    same: impl Fn(&Json) -> bool,
) -> Result<Option<Json>, StepError> {
    let Some(params) = of_contact(call) else {
        return Ok(None);
    };
    let listed = services
        .call(location_id, &Call::new(operation, &params, None))
        .await?;
    Ok(listed[format!("{kind}s")]
        .as_array()
        .into_iter()
        .flatten()
        .find(|made| same(made))
        .map(|made| json!({ kind: made })))
}

async fn contact(
    services: &Services,
    location_id: &str,
    call: &Call,
    body: &Json,
) -> Result<Option<Json>, StepError> {
    let found = match of_contact(call) {
        Some([(_, id)]) => Some(services.client.get_contact(location_id, id).await?.contact),
        None => {
            let email = body["email"].as_str();
            let phone = body["phone"].as_str();
            if email.is_none() && phone.is_none() {
                return Ok(None);
            }
            let by_email = services
                .client
                .get_duplicate_contact(location_id, email, None)
                .await?;
            match (by_email.contact, phone) {
                (Some(contact), _) => Some(contact),
                (None, Some(phone)) if email.is_none() => {
                    services
                        .client
                        .get_duplicate_contact(location_id, None, Some(phone))
                        .await?
                        .contact
                }
                (None, _) => None,
            }
        }
    };
    let Some(found) = found else {
        return Ok(None);
    };
    let found = serde_json::to_value(found).unwrap_or_default();
    Ok(holds_all(&found, body).then(|| json!({ "contact": found, "new": false })))
}

/// Whether `contact` holds every field `body` sets: text without regard to
/// case, tags as a subset, custom fields by id.
fn holds_all(contact: &Json, body: &Json) -> bool {
    let Some(fields) = body.as_object() else {
        return false;
    };
    fields
        .iter()
        .filter(|(name, _)| name.as_str() != "locationId")
        .all(|(name, wanted)| match name.as_str() {
            "tags" => subset(wanted, &contact["tags"], same_text),
            "customFields" => subset(wanted, &contact["customFields"], |a, b| {
                a["id"] == b["id"] && same_text(&a["value"], &b["value"])
            }),
            _ => same_text(wanted, &contact[name]),
        })
}

fn subset(wanted: &Json, held: &Json, same: impl Fn(&Json, &Json) -> bool) -> bool {
    let held = held.as_array().map(Vec::as_slice).unwrap_or_default();
    wanted
        .as_array()
        .is_some_and(|wanted| wanted.iter().all(|one| held.iter().any(|h| same(one, h))))
}

/// Text without regard to case; a date equals the same day at midnight, as
/// HighLevel answers a date it was sent.
fn same_text(a: &Json, b: &Json) -> bool {
    let text = |value: &Json| match value {
        Json::String(text) => text.trim().to_lowercase(),
        Json::Null => String::new(),
        other => other.to_string(),
    };
    let (a, b) = (text(a), text(b));
    a == b || midnight_of(&a, &b) || midnight_of(&b, &a)
}

fn midnight_of(date: &str, moment: &str) -> bool {
    date.len() == 10
        && moment
            .strip_prefix(date)
            .is_some_and(|rest| rest.starts_with("t00:00:00"))
}

fn moment(value: &Json) -> Option<DateTime<Utc>> {
    value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_resumed_delete_that_finds_nothing_was_done_before() {
        let delete = Call::new("delete-task", &[("contactId", "c"), ("taskId", "t")], None);
        let not_found = HighLevelError::BadRequest {
            message: "Task not found".into(),
        };
        let missing = HighLevelError::NotFound {
            message: "Not Found".into(),
        };
        assert!(gone_already(&delete, &not_found, true));
        assert!(gone_already(&delete, &missing, true));
        assert!(!gone_already(&delete, &not_found, false), "a first try");
        let other = HighLevelError::BadRequest {
            message: "dueDate must be a date".into(),
        };
        assert!(!gone_already(&delete, &other, true));
        let update = Call::new("update-task", &[("contactId", "c"), ("taskId", "t")], None);
        assert!(!gone_already(&update, &missing, true));
    }

    #[test]
    fn a_contact_holds_an_upsert_only_when_every_field_is_there() {
        let contact = json!({"email": "ana@example.com", "firstName": "Ana", "tags": ["member", "vip"],
            "dateOfBirth": "1991-03-27T00:00:00.000Z",
            "customFields": [{"id": "f1", "value": "M-1"}]});
        let body = json!({"locationId": "L", "email": "Ana@Example.com", "firstName": "Ana",
            "dateOfBirth": "1991-03-27",
            "tags": ["VIP"], "customFields": [{"id": "f1", "value": "M-1"}]});
        assert!(holds_all(&contact, &body));
        for missing in [
            json!({"firstName": "Anna"}),
            json!({"tags": ["gold"]}),
            json!({"customFields": [{"id": "f1", "value": "M-2"}]}),
            json!({"phone": "+61400000000"}),
        ] {
            assert!(!holds_all(&contact, &missing), "{missing}");
        }
    }
}
