//! Whether a run goes on: the filter's conditions over the trigger's data,
//! joined by all or any, then its expression; and which way a branch goes,
//! by one condition or an expression read the same way. Text compares
//! without regard to case or surrounding spaces, as people type it.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value as Json;

use super::model::{Condition, Filter, Join, Operator, Test};
use crate::apps::mapping::Engine;

/// `Ok(None)` when the run goes on, `Ok(Some(why))` when the filter stops
/// it, `Err` when the expression cannot be worked out.
pub fn stops(filter: &Filter, data: &Json, engine: &Engine) -> Result<Option<String>, String> {
    let mut failing = filter
        .conditions
        .iter()
        .filter(|condition| !holds(condition, data));
    let stopped = match filter.join {
        Join::All => failing.next().map(describe),
        Join::Any if filter.conditions.is_empty() => None,
        Join::Any => (filter.conditions.iter().all(|c| !holds(c, data)))
            .then(|| "None of the filter's conditions holds.".to_owned()),
    };
    if stopped.is_some() {
        return Ok(stopped);
    }
    if filter.expression.trim().is_empty() {
        return Ok(None);
    }
    let text = engine
        .text(&filter.expression, data)
        .map_err(|why| format!("The filter's expression: {why}"))?;
    Ok((!truthy(&text)).then(|| format!("The filter's expression gave “{}”.", text.trim())))
}

/// Whether a branch's test holds over `data` (the trigger's data with the
/// steps' outputs): a condition, whose value may be an expression, or an
/// expression that comes out true. `Err` when an expression cannot be
/// worked out.
pub fn decides(test: &Test, data: &Json, engine: &Engine) -> Result<bool, String> {
    match test {
        Test::Condition(condition) => {
            let value = engine
                .text(&condition.value, data)
                .map_err(|why| format!("The value to compare with: {why}"))?;
            let condition = Condition {
                value,
                ..condition.clone()
            };
            Ok(holds(&condition, data))
        }
        Test::Expression { expression } => engine
            .text(expression, data)
            .map(|text| truthy(&text))
            .map_err(|why| format!("The expression: {why}")),
    }
}

fn describe(condition: &Condition) -> String {
    let value = if condition.operator.takes_value() {
        format!(" “{}”", condition.value)
    } else {
        String::new()
    };
    format!(
        "The condition “{} {}{value}” does not hold.",
        condition.field,
        condition.operator.label()
    )
}

/// Whether an expression's text counts as yes.
fn truthy(text: &str) -> bool {
    let text = text.trim().to_lowercase();
    !matches!(text.as_str(), "" | "false" | "no" | "0" | "none" | "null")
}

/// Whether one condition holds over the data.
fn holds(condition: &Condition, data: &Json) -> bool {
    let field = lookup(data, &condition.field);
    let wanted = condition.value.trim();
    match condition.operator {
        Operator::Equals => same(&text(field), wanted),
        Operator::NotEquals => !same(&text(field), wanted),
        Operator::Contains => match field {
            Some(Json::Array(items)) => items.iter().any(|item| same(&text(Some(item)), wanted)),
            _ => text(field).to_lowercase().contains(&wanted.to_lowercase()),
        },
        Operator::IsEmpty => is_empty(field),
        Operator::IsNotEmpty => !is_empty(field),
        Operator::IsOneOf => {
            let have = text(field);
            wanted.split(',').any(|one| same(&have, one))
        }
        Operator::GreaterThan => compare(&text(field), wanted) == Some(std::cmp::Ordering::Greater),
        Operator::LessThan => compare(&text(field), wanted) == Some(std::cmp::Ordering::Less),
        Operator::HasTag => tags(field).iter().any(|tag| same(tag, wanted)),
    }
}

/// The value at a dotted path such as `data.member.email` or `items.0.id`.
fn lookup<'a>(data: &'a Json, path: &str) -> Option<&'a Json> {
    let path = path
        .trim()
        .trim_start_matches("{{")
        .trim_end_matches("}}")
        .trim();
    path.split('.')
        .filter(|step| !step.is_empty())
        .try_fold(data, |value, step| match value {
            Json::Object(fields) => fields.get(step),
            Json::Array(items) => step.parse::<usize>().ok().and_then(|at| items.get(at)),
            _ => None,
        })
}

fn text(value: Option<&Json>) -> String {
    match value {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn is_empty(value: Option<&Json>) -> bool {
    match value {
        None | Some(Json::Null) => true,
        Some(Json::String(text)) => text.trim().is_empty(),
        Some(Json::Array(items)) => items.is_empty(),
        Some(Json::Object(fields)) => fields.is_empty(),
        Some(_) => false,
    }
}

/// Numbers as numbers, dates as dates, else text.
fn compare(have: &str, wanted: &str) -> Option<std::cmp::Ordering> {
    if have.trim().is_empty() {
        return None;
    }
    if let (Ok(a), Ok(b)) = (have.trim().parse::<f64>(), wanted.parse::<f64>()) {
        return a.partial_cmp(&b);
    }
    if let (Some(a), Some(b)) = (moment(have), moment(wanted)) {
        return Some(a.cmp(&b));
    }
    Some(have.trim().to_lowercase().cmp(&wanted.to_lowercase()))
}

fn moment(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .map(|at| at.and_utc())
        })
}

/// A list of tags, or a text of comma-separated ones.
fn tags(value: Option<&Json>) -> Vec<String> {
    match value {
        Some(Json::Array(items)) => items.iter().map(|item| text(Some(item))).collect(),
        Some(Json::String(text)) => text.split(',').map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apps::mapping::MappingContext;

    fn condition(field: &str, operator: Operator, value: &str) -> Condition {
        Condition {
            field: field.into(),
            operator,
            value: value.into(),
        }
    }

    fn data() -> Json {
        json!({"data": {"member": {"status": "Active", "age": 34, "tags": ["Gold", "vip"],
               "joined": "2026-03-01", "email": ""}}})
    }

    #[test]
    fn operators_read_the_data_as_people_mean_it() {
        let data = data();
        let cases = [
            ("data.member.status", Operator::Equals, " active ", true),
            ("data.member.status", Operator::NotEquals, "Active", false),
            ("data.member.status", Operator::Contains, "tiv", true),
            ("data.member.email", Operator::IsEmpty, "", true),
            ("data.member.missing", Operator::IsEmpty, "", true),
            ("data.member.status", Operator::IsNotEmpty, "", true),
            (
                "data.member.status",
                Operator::IsOneOf,
                "Paused, Active",
                true,
            ),
            ("data.member.age", Operator::GreaterThan, "9", true),
            ("data.member.age", Operator::LessThan, "9", false),
            ("data.member.joined", Operator::LessThan, "2026-04-01", true),
            ("data.member.tags", Operator::HasTag, "VIP", true),
            ("data.member.tags", Operator::HasTag, "silver", false),
            ("data.member.tags.0", Operator::Equals, "gold", true),
        ];
        for (field, operator, value, expected) in cases {
            assert_eq!(
                holds(&condition(field, operator, value), &data),
                expected,
                "{field} {operator:?} {value}"
            );
        }
    }

    #[test]
    fn all_any_and_the_expression_decide_together() {
        let engine = Engine::new(&MappingContext::default());
        let data = data();
        let mut filter = Filter {
            join: Join::All,
            conditions: vec![
                condition("data.member.status", Operator::Equals, "Active"),
                condition("data.member.age", Operator::GreaterThan, "40"),
            ],
            expression: String::new(),
        };
        let why = stops(&filter, &data, &engine).unwrap().unwrap();
        assert!(why.contains("data.member.age"), "{why}");
        filter.join = Join::Any;
        assert_eq!(stops(&filter, &data, &engine), Ok(None));
        filter.expression = "{{ data.member.age > 40 }}".into();
        assert!(stops(&filter, &data, &engine).unwrap().is_some());
        filter.expression = "{{ data.member.status == 'Active' }}".into();
        assert_eq!(stops(&filter, &data, &engine), Ok(None));
        filter.expression = "{{ data.member.status | nope }}".into();
        assert!(stops(&filter, &data, &engine).is_err());
    }

    #[test]
    fn a_branch_reads_conditions_and_expressions_as_the_filter_does() {
        let engine = Engine::new(&MappingContext::default());
        let mut data = data();
        data["steps"] = json!({"found": {"found": true, "id": "c1"}});
        let yes = |test: Test| decides(&test, &data, &engine);
        assert_eq!(
            yes(Test::Condition(condition(
                "steps.found.found",
                Operator::Equals,
                "true"
            ))),
            Ok(true)
        );
        assert_eq!(
            yes(Test::Condition(condition(
                "{{ data.member.status }}",
                Operator::Equals,
                "{{ data.member.tags.1 }}"
            ))),
            Ok(false),
            "the value may be an expression"
        );
        assert_eq!(
            yes(Test::Condition(condition(
                "data.member.tags",
                Operator::HasTag,
                "gold"
            ))),
            Ok(true)
        );
        let expression = |text: &str| Test::Expression {
            expression: text.into(),
        };
        assert_eq!(yes(expression("{{ data.member.age > 30 }}")), Ok(true));
        assert_eq!(yes(expression("{{ steps.found.missing }}")), Ok(false));
        assert_eq!(yes(expression("No")), Ok(false));
        assert!(yes(expression("{{ data | nope }}")).is_err());
    }
}
