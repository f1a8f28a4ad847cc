//! What the builder and a save know of HighLevel's operations: the scopes
//! the team's connection was granted and the ones each step needs, and,
//! for "More: any HighLevel operation", the operations the team may send,
//! the fields of each (its path and query parameters, and its body as JSON
//! with the document's fields as help), the checks of such a step, and its
//! body filled in when the step runs.

use serde_json::Value as Json;
use sqlx::PgPool;

use super::form::{field, only_when, step_at, step_kinds, FieldSpec, FormProblem, Input, StepKind};
use super::form::{PARAM_PREFIX, STEP_CALL};
use super::model::{Action, Definition};
use crate::highlevel::bodies::body_fields;
use crate::highlevel::operations::{self, Body, Operation, LOCATION_ID};

/// The scopes the team's HighLevel connection was granted, or `None` when
/// they are not known (a Private Integration Token does not say which it
/// has): then nothing is refused on their account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Granted(Option<Vec<String>>);

impl Granted {
    pub fn of(scopes: Vec<String>) -> Self {
        Self((!scopes.is_empty()).then_some(scopes))
    }

    /// The team's, as its connection was stored.
    pub async fn of_team(db: &PgPool, location_id: &str) -> sqlx::Result<Self> {
        let connections = crate::auth::accounts::connections_of(db, location_id).await?;
        Ok(connections
            .into_iter()
            .next()
            .map(|connection| Self::of(connection.scopes))
            .unwrap_or_default())
    }

    pub fn allows(&self, scope: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|granted| granted.iter().any(|one| one == scope))
    }
}

/// A problem next to each step that needs a scope the connection lacks.
pub fn scope_problems(definition: &Definition, granted: &Granted) -> Vec<FormProblem> {
    let mut problems = Vec::new();
    for (index, step) in definition.steps.iter().enumerate() {
        let mut missing: Vec<&str> = step
            .action
            .operations()
            .into_iter()
            .filter_map(operations::find)
            .map(|operation| operation.scope)
            .filter(|scope| !granted.allows(scope))
            .collect();
        missing.dedup();
        problems.extend(missing.into_iter().map(|scope| FormProblem {
            at: step_at(index, ""),
            message: format!(
                "This step needs the HighLevel scope {scope}, which your connection was not granted. Reconnect HighLevel with it (Connections page)."
            ),
        }));
    }
    problems
}

/// The operations the team may send, as the builder lists them: value
/// and label.
pub fn allowed(granted: &Granted) -> Vec<(String, String)> {
    operations::all()
        .iter()
        .filter(|operation| granted.allows(operation.scope))
        .map(|operation| {
            (
                operation.id.to_owned(),
                format!("{} ({})", operation.summary, operation.id),
            )
        })
        .collect()
}

/// The parameters a step fills in, with whether each is required: the
/// path's, then the query's; never the location, which the connection gives.
fn asked(operation: &Operation) -> Vec<(&'static str, bool)> {
    operation
        .path_params()
        .map(|name| (name, true))
        .chain(
            operation
                .query
                .iter()
                .map(|param| (param.name, param.required)),
        )
        .filter(|(name, _)| *name != LOCATION_ID)
        .collect()
}

/// Every step kind, the "More" kind with the fields of every operation,
/// each shown while its operation is the one chosen.
pub fn step_kinds_with_operations() -> Vec<StepKind> {
    let mut kinds = step_kinds();
    if let Some(more) = kinds.iter_mut().find(|kind| kind.key == STEP_CALL) {
        more.fields
            .extend(operations::all().iter().flat_map(operation_fields));
    }
    kinds
}

fn operation_fields(operation: &'static Operation) -> Vec<FieldSpec> {
    let mut fields: Vec<FieldSpec> = asked(operation)
        .into_iter()
        .map(|(name, required)| {
            let placeholder = match name {
                "contactId" => "{{ steps.contact.contact_id }}",
                _ => "",
            };
            let spec = field(
                &format!("{PARAM_PREFIX}{name}"),
                name,
                Input::Expression,
                placeholder,
            );
            FieldSpec {
                optional: !required,
                ..spec
            }
        })
        .collect();
    if operation.body != Body::None {
        fields.push(FieldSpec {
            optional: true,
            ..field(
                "body",
                &body_label(operation),
                Input::Json,
                &skeleton(operation),
            )
        });
    }
    fields
        .into_iter()
        .map(|spec| only_when("operation", operation.id, spec))
        .collect()
}

/// "Body (JSON)", with the fields the document lists.
fn body_label(operation: &Operation) -> String {
    let listed: Vec<String> = body_fields(operation.id)
        .iter()
        .filter(|(name, _)| *name != LOCATION_ID)
        .map(|(name, required)| {
            if *required {
                format!("{name} (required)")
            } else {
                (*name).to_owned()
            }
        })
        .collect();
    if listed.is_empty() {
        "Body (JSON)".into()
    } else {
        format!(
            "Body (JSON). HighLevel's document lists: {}",
            listed.join(", ")
        )
    }
}

/// An example body: the required fields, empty.
fn skeleton(operation: &Operation) -> String {
    let required: Vec<String> = body_fields(operation.id)
        .iter()
        .filter(|(name, required)| *required && *name != LOCATION_ID)
        .map(|(name, _)| {
            let empty = match *name {
                "completed" => "false",
                "tags" | "followers" | "contacts" | "ids" => "[]",
                _ => "\"\"",
            };
            format!("\"{name}\": {empty}")
        })
        .collect();
    format!("{{{}}}", required.join(", "))
}

/// Fits a "More" step to its operation: the parameters of other operations
/// (left in the form by an earlier choice) and a body the operation does
/// not take are dropped; an unknown operation, a required parameter left
/// empty or a body that is not a JSON object are problems of step `index`.
pub fn fit_call(index: usize, action: &mut Action) -> Vec<FormProblem> {
    let Action::HighLevelCall {
        operation,
        params,
        body,
    } = action
    else {
        return Vec::new();
    };
    let problem = |key: &str, message: String| FormProblem {
        at: step_at(index, key),
        message,
    };
    let Some(found) = operations::find(operation) else {
        return vec![problem(
            "operation",
            "Choose one of HighLevel's operations.".into(),
        )];
    };
    let asked = asked(found);
    params.retain(|name, _| asked.iter().any(|(known, _)| known == name));
    let mut problems: Vec<FormProblem> = asked
        .iter()
        .filter(|(name, required)| *required && !params.contains_key(*name))
        .map(|(name, _)| {
            problem(
                &format!("{PARAM_PREFIX}{name}"),
                format!("Fill in “{name}”."),
            )
        })
        .collect();
    if found.body == Body::None {
        body.clear();
    } else if !body.is_empty() {
        match serde_json::from_str::<Json>(body) {
            Ok(Json::Object(_)) => {}
            Ok(_) => problems.push(problem(
                "body",
                "The body is a JSON object: {\"name\": \"value\"}.".into(),
            )),
            Err(error) => problems.push(problem("body", format!("The body is not JSON: {error}."))),
        }
    }
    problems
}

/// The text values of a JSON body template, where expressions may be.
pub fn texts(template: &Json) -> Vec<&str> {
    match template {
        Json::String(text) => vec![text.as_str()],
        Json::Array(items) => items.iter().flat_map(texts).collect(),
        Json::Object(fields) => fields.values().flat_map(texts).collect(),
        _ => Vec::new(),
    }
}

/// The body template with each text value worked out by `text`.
pub fn fill(
    template: &Json,
    text: &impl Fn(&str) -> Result<String, String>,
) -> Result<Json, String> {
    Ok(match template {
        Json::String(source) => Json::String(text(source)?),
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|item| fill(item, text))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(fields) => Json::Object(
            fields
                .iter()
                .map(|(name, value)| Ok((name.clone(), fill(value, text)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automations::form::{AutomationForm, StepForm};
    use crate::automations::model::{Filter, Step, Trigger};
    use serde_json::json;

    fn call(operation: &str, params: &[(&str, &str)], body: &str) -> Action {
        Action::HighLevelCall {
            operation: operation.into(),
            params: params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body: body.into(),
        }
    }

    #[test]
    fn a_call_keeps_only_its_operations_parameters() {
        let mut action = call(
            "update-note",
            &[("contactId", "c1"), ("id", "n1"), ("taskId", "t1")],
            r#"{"body": "{{ data.text }}"}"#,
        );
        assert_eq!(fit_call(0, &mut action), []);
        assert_eq!(
            action,
            call(
                "update-note",
                &[("contactId", "c1"), ("id", "n1")],
                r#"{"body": "{{ data.text }}"}"#
            )
        );
        let mut no_body = call("delete-note", &[("contactId", "c1"), ("id", "n1")], "{}");
        assert_eq!(fit_call(0, &mut no_body), []);
        assert_eq!(
            no_body,
            call("delete-note", &[("contactId", "c1"), ("id", "n1")], "")
        );
    }

    #[test]
    fn a_call_says_what_is_missing_next_to_its_field() {
        let at = |mut action: Action| -> Vec<String> {
            fit_call(2, &mut action)
                .into_iter()
                .map(|problem| problem.at)
                .collect()
        };
        assert_eq!(at(call("nothing-such", &[], "")), ["step.2.operation"]);
        assert_eq!(
            at(call("get-note", &[("contactId", "c1")], "")),
            ["step.2.param.id"]
        );
        // The location is the connection's, not asked for.
        assert_eq!(at(call("get-contacts", &[], "")), Vec::<String>::new());
        assert_eq!(
            at(call("create-task", &[("contactId", "c")], "{not json")),
            ["step.2.body"]
        );
        assert_eq!(
            at(call("create-task", &[("contactId", "c")], "[1]")),
            ["step.2.body"]
        );
    }

    #[test]
    fn every_operation_has_its_fields_in_the_form() {
        let kinds = step_kinds_with_operations();
        let more = kinds.iter().find(|kind| kind.key == STEP_CALL).unwrap();
        let of = |id: &str| -> Vec<(String, bool)> {
            let chosen = [("operation".to_owned(), id.to_owned())].into();
            more.fields
                .iter()
                .filter(|spec| spec.key != "operation" && spec.shown(&chosen))
                .map(|spec| (spec.key.clone(), spec.optional))
                .collect()
        };
        assert_eq!(
            of("update-task"),
            [
                ("param.contactId".to_owned(), false),
                ("param.taskId".to_owned(), false),
                ("body".to_owned(), true)
            ]
        );
        assert_eq!(
            of("get-contacts"),
            [
                ("param.startAfterId".to_owned(), true),
                ("param.startAfter".to_owned(), true),
                ("param.query".to_owned(), true),
                ("param.limit".to_owned(), true)
            ]
        );
        let body = more
            .fields
            .iter()
            .find(|spec| {
                spec.key == "body"
                    && spec.only_when == Some(("operation".into(), "create-task".into()))
            })
            .unwrap();
        assert!(body.label.contains("dueDate (required)"), "{}", body.label);
        assert_eq!(
            body.placeholder,
            r#"{"title": "", "dueDate": "", "completed": false}"#
        );
        // A form of a call survives its round trip, parameters and all.
        let step = Step {
            name: "more".into(),
            action: call(
                "update-task",
                &[("contactId", "{{ c }}"), ("taskId", "t")],
                "{}",
            ),
        };
        let definition = Definition {
            trigger: Trigger::Manual,
            filter: Filter::default(),
            steps: vec![step],
        };
        let form = AutomationForm::of("More", &definition);
        assert_eq!(form.steps[0].fields["param.taskId"], "t");
        assert_eq!(form.definition(), Ok(definition));
        assert_eq!(StepForm::new(more, "more").fields["operation"], "");
    }

    #[test]
    fn scopes_not_granted_are_named_next_to_the_step() {
        let definition = Definition {
            trigger: Trigger::Manual,
            filter: Filter::default(),
            steps: vec![
                Step {
                    name: "look".into(),
                    action: call("get-contact", &[("contactId", "c")], ""),
                },
                Step {
                    name: "gone".into(),
                    action: Action::DeleteContact {
                        contact_id: "c".into(),
                    },
                },
            ],
        };
        let read_only = Granted::of(vec!["contacts.readonly".into()]);
        let problems = scope_problems(&definition, &read_only);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].at, "step.1");
        assert!(problems[0].message.contains("contacts.write"));
        assert_eq!(scope_problems(&definition, &Granted::of(Vec::new())), []);
        let listed = allowed(&read_only);
        assert!(listed.iter().any(|(id, _)| id == "get-contact"));
        assert!(!listed.iter().any(|(id, _)| id == "delete-contact"));
    }

    #[test]
    fn a_body_template_fills_its_text_values() {
        let template =
            json!({"title": "Hi {{ name }}", "completed": false, "tags": ["{{ tag }}", 3]});
        assert_eq!(texts(&template).len(), 2);
        let filled = fill(&template, &|text: &str| {
            Ok(text
                .replace("{{ name }}", "Ana")
                .replace("{{ tag }}", "vip"))
        });
        assert_eq!(
            filled,
            Ok(json!({"title": "Hi Ana", "completed": false, "tags": ["vip", 3]}))
        );
        assert_eq!(
            fill(&template, &|_: &str| Err("no".to_owned())),
            Err("no".into())
        );
    }
}
