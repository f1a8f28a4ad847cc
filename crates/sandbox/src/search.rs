//! `POST /contacts/search`: filters (with AND/OR groups), sort, page paging up
//! to 10,000 records and `searchAfter` cursors beyond.

use std::cmp::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::contacts::READ;
use super::errors::{ApiError, ApiResult};
use super::params::{json_object, parse_date, Fields};
use super::render;
use super::store::Contact;
use super::Sandbox;

/// The most records page paging reaches; `searchAfter` goes further.
const PAGING_WINDOW: usize = 10_000;
const MAX_PAGE_LIMIT: usize = 500;
const MAX_QUERY_CHARS: usize = 75;

pub fn routes() -> Router<Sandbox> {
    Router::new().route("/contacts/search", post(search))
}

/// A value of a contact a filter or sort looks at.
#[derive(Debug)]
enum FieldValue {
    Text(Option<String>),
    Texts(Vec<String>),
    Flag(bool),
    Time(Option<i64>),
}

fn text(value: &Option<String>) -> FieldValue {
    FieldValue::Text(value.clone())
}

fn field_value(contact: &Contact, field: &str) -> Option<FieldValue> {
    let lower = |value: &Option<String>| FieldValue::Text(value.as_ref().map(|v| v.to_lowercase()));
    Some(match field {
        "id" => FieldValue::Text(Some(contact.id.clone())),
        "firstName" => text(&contact.first_name),
        "lastName" => text(&contact.last_name),
        "firstNameLowerCase" => lower(&contact.first_name),
        "lastNameLowerCase" => lower(&contact.last_name),
        "fullNameLowerCase" | "contactName" => lower(&contact.full_name()),
        "email" => lower(&contact.email),
        "phone" => text(&contact.phone),
        "companyName" | "businessName" => text(&contact.company_name),
        "address" | "address1" => text(&contact.address1),
        "city" => text(&contact.city),
        "state" => text(&contact.state),
        "country" => text(&contact.country),
        "postalCode" => text(&contact.postal_code),
        "source" => text(&contact.source),
        "type" => FieldValue::Text(Some(contact.contact_type.clone())),
        "assignedTo" => text(&contact.assigned_to),
        "businessId" => text(&contact.business_id),
        "timezone" => text(&contact.timezone),
        "dnd" => FieldValue::Flag(contact.dnd),
        "tags" => FieldValue::Texts(contact.tags.clone()),
        "followers" => FieldValue::Texts(contact.followers.clone()),
        "dateAdded" => FieldValue::Time(Some(contact.date_added.timestamp_millis())),
        "dateUpdated" => FieldValue::Time(Some(contact.date_updated.timestamp_millis())),
        "dateOfBirth" => FieldValue::Time(contact.date_of_birth.map(|d| d.timestamp_millis())),
        _ => {
            let id = field.strip_prefix("customFields.")?;
            FieldValue::Text(
                contact
                    .custom_fields
                    .iter()
                    .find(|(field_id, _)| field_id == id)
                    .map(|(_, value)| value.clone()),
            )
        }
    })
}

const FILTER_FIELDS: [&str; 25] = [
    "id",
    "firstName",
    "lastName",
    "firstNameLowerCase",
    "lastNameLowerCase",
    "fullNameLowerCase",
    "contactName",
    "email",
    "phone",
    "companyName",
    "businessName",
    "address",
    "address1",
    "city",
    "state",
    "country",
    "postalCode",
    "source",
    "type",
    "assignedTo",
    "businessId",
    "timezone",
    "dnd",
    "tags",
    "followers",
];
const TIME_FIELDS: [&str; 3] = ["dateAdded", "dateUpdated", "dateOfBirth"];

fn known_field(field: &str) -> bool {
    FILTER_FIELDS.contains(&field)
        || TIME_FIELDS.contains(&field)
        || field
            .strip_prefix("customFields.")
            .is_some_and(|id| !id.is_empty())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Operator {
    Eq,
    NotEq,
    Contains,
    NotContains,
    Exists,
    NotExists,
    Range,
}

#[derive(Debug)]
enum Filter {
    Condition {
        field: String,
        operator: Operator,
        value: Value,
    },
    Group {
        any: bool,
        filters: Vec<Filter>,
    },
}

fn parse_filters(items: &[Value]) -> ApiResult<Vec<Filter>> {
    items.iter().map(parse_filter).collect()
}

fn parse_filter(item: &Value) -> ApiResult<Filter> {
    let Some(map) = item.as_object() else {
        return Err(ApiError::unprocessable("each filter must be an object"));
    };
    if let Some(group) = map.get("group") {
        let any = match group.as_str() {
            Some("OR") => true,
            Some("AND") => false,
            _ => return Err(ApiError::unprocessable("filter group must be AND or OR")),
        };
        let nested = map
            .get("filters")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::unprocessable("a filter group needs filters"))?;
        return Ok(Filter::Group {
            any,
            filters: parse_filters(nested)?,
        });
    }
    let field = map.get("field").and_then(Value::as_str).unwrap_or_default();
    if !known_field(field) {
        return Err(ApiError::unprocessable(format!(
            "filter field {field:?} is not supported"
        )));
    }
    let operator = match map.get("operator").and_then(Value::as_str) {
        Some("eq") => Operator::Eq,
        Some("not_eq") => Operator::NotEq,
        Some("contains") => Operator::Contains,
        Some("not_contains") => Operator::NotContains,
        Some("exists") => Operator::Exists,
        Some("not_exists") => Operator::NotExists,
        Some("range") => Operator::Range,
        other => {
            return Err(ApiError::unprocessable(format!(
                "filter operator {:?} is not supported",
                other.unwrap_or_default()
            )))
        }
    };
    let value = map.get("value").cloned().unwrap_or(Value::Null);
    let needs_value = !matches!(operator, Operator::Exists | Operator::NotExists);
    if needs_value && value.is_null() {
        return Err(ApiError::unprocessable(format!(
            "filter on {field} needs a value"
        )));
    }
    if operator == Operator::Range && !value.is_object() {
        return Err(ApiError::unprocessable(
            "a range filter value must be an object of gte, lte, gt, lt",
        ));
    }
    Ok(Filter::Condition {
        field: field.to_owned(),
        operator,
        value,
    })
}

fn filter_matches(filter: &Filter, contact: &Contact) -> bool {
    match filter {
        Filter::Group { any: true, filters } => filters.iter().any(|f| filter_matches(f, contact)),
        Filter::Group {
            any: false,
            filters,
        } => filters.iter().all(|f| filter_matches(f, contact)),
        Filter::Condition {
            field,
            operator,
            value,
        } => field_value(contact, field)
            .is_some_and(|found| condition_matches(&found, *operator, value)),
    }
}

/// Milliseconds from a number or a date string.
fn as_millis(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text
            .parse::<i64>()
            .ok()
            .or_else(|| parse_date(text).map(|d| d.timestamp_millis())),
        _ => None,
    }
}

fn value_texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(value_text).collect(),
        other => vec![value_text(other)],
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.to_lowercase(),
        other => other.to_string(),
    }
}

fn condition_matches(found: &FieldValue, operator: Operator, value: &Value) -> bool {
    match operator {
        Operator::Eq => equals(found, value),
        Operator::NotEq => !equals(found, value),
        Operator::Contains => contains(found, value),
        Operator::NotContains => !contains(found, value),
        Operator::Exists => exists(found),
        Operator::NotExists => !exists(found),
        Operator::Range => in_range(found, value),
    }
}

fn equals(found: &FieldValue, value: &Value) -> bool {
    let wanted = value_texts(value);
    match found {
        FieldValue::Text(text) => text
            .as_ref()
            .is_some_and(|text| wanted.contains(&text.to_lowercase())),
        FieldValue::Texts(items) => items
            .iter()
            .any(|item| wanted.contains(&item.to_lowercase())),
        FieldValue::Flag(flag) => {
            value.as_bool() == Some(*flag) || wanted.contains(&flag.to_string())
        }
        FieldValue::Time(time) => time.is_some() && *time == as_millis(value),
    }
}

fn contains(found: &FieldValue, value: &Value) -> bool {
    let needle = value_text(value);
    match found {
        FieldValue::Text(text) => text
            .as_ref()
            .is_some_and(|text| text.to_lowercase().contains(&needle)),
        FieldValue::Texts(items) => items
            .iter()
            .any(|item| item.to_lowercase().contains(&needle)),
        FieldValue::Flag(_) | FieldValue::Time(_) => false,
    }
}

fn exists(found: &FieldValue) -> bool {
    match found {
        FieldValue::Text(text) => text.as_ref().is_some_and(|text| !text.is_empty()),
        FieldValue::Texts(items) => !items.is_empty(),
        FieldValue::Flag(_) => true,
        FieldValue::Time(time) => time.is_some(),
    }
}

fn in_range(found: &FieldValue, bounds: &Value) -> bool {
    let checks = |ordering: Option<Ordering>, key: &str| -> bool {
        let Some(ordering) = ordering else {
            return false;
        };
        match key {
            "gte" => ordering != Ordering::Less,
            "gt" => ordering == Ordering::Greater,
            "lte" => ordering != Ordering::Greater,
            "lt" => ordering == Ordering::Less,
            _ => true,
        }
    };
    let Some(bounds) = bounds.as_object() else {
        return false;
    };
    bounds.iter().all(|(key, bound)| {
        let ordering = match found {
            FieldValue::Time(Some(time)) => as_millis(bound).map(|bound| time.cmp(&bound)),
            FieldValue::Text(Some(text)) => {
                Some(text.to_lowercase().as_str().cmp(value_text(bound).as_str()))
            }
            _ => None,
        };
        checks(ordering, key)
    })
}

/// One sort key of a contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Number(i64),
    Text(String),
}

impl SortValue {
    fn cursor(&self) -> Value {
        match self {
            Self::Number(number) => json!(number.to_string()),
            Self::Text(text) => json!(text),
        }
    }
}

#[derive(Debug, Clone)]
struct SortField {
    field: String,
    descending: bool,
}

fn parse_sort(items: Option<&Vec<Value>>) -> ApiResult<Vec<SortField>> {
    let Some(items) = items.filter(|items| !items.is_empty()) else {
        return Ok(vec![SortField {
            field: "dateAdded".into(),
            descending: true,
        }]);
    };
    items
        .iter()
        .map(|item| {
            let field = item
                .get("field")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !known_field(field) || field == "tags" || field == "followers" {
                return Err(ApiError::unprocessable(format!(
                    "sort field {field:?} is not supported"
                )));
            }
            let descending = match item.get("direction").and_then(Value::as_str) {
                Some("desc") => true,
                Some("asc") | None => false,
                Some(other) => {
                    return Err(ApiError::unprocessable(format!(
                        "sort direction {other:?} must be asc or desc"
                    )))
                }
            };
            Ok(SortField {
                field: field.to_owned(),
                descending,
            })
        })
        .collect()
}

fn sort_value(contact: &Contact, field: &str) -> SortValue {
    match field_value(contact, field) {
        Some(FieldValue::Time(time)) => SortValue::Number(time.unwrap_or(i64::MIN)),
        Some(FieldValue::Flag(flag)) => SortValue::Number(i64::from(flag)),
        Some(FieldValue::Text(text)) => SortValue::Text(text.unwrap_or_default().to_lowercase()),
        Some(FieldValue::Texts(_)) | None => SortValue::Text(String::new()),
    }
}

fn sort_keys(contact: &Contact, sort: &[SortField]) -> Vec<SortValue> {
    let mut keys: Vec<SortValue> = sort.iter().map(|s| sort_value(contact, &s.field)).collect();
    keys.push(SortValue::Text(contact.id.clone()));
    keys
}

/// Orders two key lists by the sort's directions; the id tie-break ascends.
fn compare_keys(a: &[SortValue], b: &[SortValue], sort: &[SortField]) -> Ordering {
    for (index, (left, right)) in a.iter().zip(b).enumerate() {
        let descending = sort.get(index).is_some_and(|s| s.descending);
        let ordering = if descending {
            right.cmp(left)
        } else {
            left.cmp(right)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// A `searchAfter` cursor read back into sort keys.
fn parse_cursor(items: &[Value], sort: &[SortField]) -> ApiResult<Vec<SortValue>> {
    if items.len() != sort.len() + 1 {
        return Err(ApiError::unprocessable(
            "searchAfter does not match the sort",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let numeric = sort
                .get(index)
                .is_some_and(|s| TIME_FIELDS.contains(&s.field.as_str()) || s.field == "dnd");
            match (numeric, item) {
                (true, item) => as_millis(item)
                    .map(SortValue::Number)
                    .ok_or_else(|| ApiError::unprocessable("searchAfter is malformed")),
                (false, Value::String(text)) => Ok(SortValue::Text(text.clone())),
                (false, _) => Err(ApiError::unprocessable("searchAfter is malformed")),
            }
        })
        .collect()
}

/// A parsed search body.
struct SearchRequest {
    location_id: String,
    page_limit: usize,
    page: Option<usize>,
    search_after: Option<Vec<Value>>,
    filters: Vec<Filter>,
    sort: Vec<SortField>,
    query: Option<String>,
}

fn parse_request(body: &Map<String, Value>) -> ApiResult<SearchRequest> {
    let mut fields = Fields::new(body);
    let location_id = fields.required_string("locationId");
    let page_limit = fields.number("pageLimit");
    if page_limit.is_none() && !fields.has("pageLimit") {
        fields.problem("pageLimit must be a number");
    }
    let page = fields.number("page");
    let search_after = fields.array("searchAfter").cloned();
    let filters = fields.array("filters").cloned().unwrap_or_default();
    let sort = fields.array("sort").cloned();
    let query = fields.string("query");
    if query
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        fields.problem("query must be shorter than or equal to 75 characters");
    }
    fields.finish()?;
    let page_limit = page_limit.unwrap_or(0.0);
    if !(1.0..=MAX_PAGE_LIMIT as f64).contains(&page_limit) {
        return Err(ApiError::unprocessable(
            "pageLimit must be between 1 and 500",
        ));
    }
    if page.is_some() && search_after.is_some() {
        return Err(ApiError::unprocessable(
            "page and searchAfter cannot be used together",
        ));
    }
    if page.is_some_and(|page| page < 1.0) {
        return Err(ApiError::unprocessable("page must not be less than 1"));
    }
    Ok(SearchRequest {
        location_id: location_id.unwrap_or_default(),
        page_limit: page_limit as usize,
        page: page.map(|page| page as usize),
        search_after,
        filters: parse_filters(&filters)?,
        sort: parse_sort(sort.as_ref())?,
        query: query.map(|q| q.to_lowercase()).filter(|q| !q.is_empty()),
    })
}

async fn search(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let body = json_object(&body)?;
    let request = parse_request(&body)?;
    grant.require_location(&request.location_id)?;
    let page = request.page.unwrap_or(1);
    if request.search_after.is_none() && page.saturating_mul(request.page_limit) > PAGING_WINDOW {
        return Err(ApiError::unprocessable(
            "page and pageLimit reach at most 10000 records; use searchAfter to go further",
        ));
    }
    let cursor = request
        .search_after
        .as_ref()
        .map(|items| parse_cursor(items, &request.sort))
        .transpose()?;
    sandbox.look(&grant.location_id, |location| {
        let mut matching: Vec<(Vec<SortValue>, &Contact)> = location
            .contacts
            .values()
            .filter(|c| request.filters.iter().all(|f| filter_matches(f, c)))
            .filter(|c| {
                request
                    .query
                    .as_deref()
                    .is_none_or(|q| super::contacts::matches_text(c, q))
            })
            .map(|c| (sort_keys(c, &request.sort), c))
            .collect();
        let total = matching.len();
        matching.sort_by(|a, b| compare_keys(&a.0, &b.0, &request.sort));
        let start = match &cursor {
            Some(cursor) => matching.partition_point(|(keys, _)| {
                compare_keys(keys, cursor, &request.sort) != Ordering::Greater
            }),
            None => (page - 1) * request.page_limit,
        };
        let contacts: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(request.page_limit)
            .map(|(keys, contact)| {
                let after: Vec<Value> = keys.iter().map(SortValue::cursor).collect();
                render::searched_contact(contact, Value::Array(after))
            })
            .collect();
        Ok(Json(json!({ "contacts": contacts, "total": total })))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descending_keys_sort_newest_first_with_ids_ascending() {
        let sort = vec![SortField {
            field: "dateAdded".into(),
            descending: true,
        }];
        let older = vec![SortValue::Number(1), SortValue::Text("b".into())];
        let newer = vec![SortValue::Number(2), SortValue::Text("a".into())];
        assert_eq!(compare_keys(&newer, &older, &sort), Ordering::Less);
        let twin = vec![SortValue::Number(2), SortValue::Text("c".into())];
        assert_eq!(compare_keys(&newer, &twin, &sort), Ordering::Less);
    }
}
