//! Contacts: create, read, update, delete, upsert, duplicate search, the
//! deprecated list and a contact's appointments.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use super::auth::{Access, Grant, V2021_07_28};
use super::errors::{ApiError, ApiResult};
use super::events::{self, Event};
use super::ids::fresh_id;
use super::lookup::not_found;
use super::middleware::TraceId;
use super::params::{json_object, Fields, QueryMap};
use super::render;
use super::store::{Contact, DndChannel, LocationData};
use super::Sandbox;

pub const READ: Access = Access::new(V2021_07_28, "contacts.readonly");
pub const WRITE: Access = Access::new(V2021_07_28, "contacts.write");
/// The bulk operations declare no `security`; a token is still needed.
pub const BULK: Access = Access {
    version: V2021_07_28,
    scope: None,
};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/contacts/", post(create).get(list))
        .route("/contacts", post(create).get(list))
        .route("/contacts/upsert", post(upsert))
        .route("/contacts/search/duplicate", get(duplicate))
        .route(
            "/contacts/{contact_id}",
            get(read).put(update).delete(remove),
        )
        .route("/contacts/{contact_id}/appointments", get(appointments))
}

/// The writable fields of create, update and upsert bodies, read and applied
/// to `contact`. Unknown custom fields are ignored, as HighLevel does.
fn apply_fields(fields: &mut Fields, contact: &mut Contact, location: &LocationData) {
    let text_fields: [(&str, &mut Option<String>); 13] = [
        ("firstName", &mut contact.first_name),
        ("lastName", &mut contact.last_name),
        ("email", &mut contact.email),
        ("phone", &mut contact.phone),
        ("companyName", &mut contact.company_name),
        ("address1", &mut contact.address1),
        ("city", &mut contact.city),
        ("state", &mut contact.state),
        ("country", &mut contact.country),
        ("postalCode", &mut contact.postal_code),
        ("website", &mut contact.website),
        ("timezone", &mut contact.timezone),
        ("gender", &mut contact.gender),
    ];
    for (key, slot) in text_fields {
        if let Some(value) = fields.string(key) {
            *slot = Some(value);
        }
    }
    if let Some(name) = fields.string("name") {
        if !fields.has("firstName") && !fields.has("lastName") {
            let mut parts = name.splitn(2, ' ');
            contact.first_name = parts.next().map(str::to_owned);
            contact.last_name = parts.next().map(str::to_owned);
        }
    }
    if let Some(source) = fields.string("source") {
        contact.source = Some(source);
    }
    if let Some(assigned) = fields.string("assignedTo") {
        contact.assigned_to = Some(assigned);
    }
    if let Some(dnd) = fields.boolean("dnd") {
        contact.dnd = dnd;
    }
    if let Some(settings) = fields.object("dndSettings") {
        apply_dnd_settings(fields, contact, settings);
    }
    if let Some(tags) = fields.strings("tags") {
        contact.tags = dedupe(tags);
    }
    if fields.has("dateOfBirth") {
        contact.date_of_birth = fields.date("dateOfBirth");
    }
    if let Some(custom) = fields.array("customFields") {
        apply_custom_fields(fields, contact, location, custom);
    }
}

fn apply_dnd_settings(fields: &mut Fields, contact: &mut Contact, settings: &Map<String, Value>) {
    const CHANNELS: [&str; 6] = ["Call", "Email", "SMS", "WhatsApp", "GMB", "FB"];
    for (channel, setting) in settings {
        let status = setting.get("status").and_then(Value::as_str);
        let valid = CHANNELS.contains(&channel.as_str())
            && status.is_some_and(|s| ["active", "inactive", "permanent"].contains(&s));
        if !valid {
            fields.problem(format!("dndSettings.{channel}.status must be one of the following values: active, inactive, permanent"));
            continue;
        }
        let text = |key: &str| {
            setting
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        contact
            .dnd_settings
            .retain(|known| &known.channel != channel);
        contact.dnd_settings.push(DndChannel {
            channel: channel.clone(),
            status: text("status"),
            message: text("message"),
            code: text("code"),
        });
    }
}

fn apply_custom_fields(
    fields: &mut Fields,
    contact: &mut Contact,
    location: &LocationData,
    custom: &[Value],
) {
    for item in custom {
        let reference = item
            .get("id")
            .or_else(|| item.get("key"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(field) = location.custom_fields.iter().find(|field| {
            field.id == reference
                || field.key == reference
                || format!("contact.{}", field.key) == reference
        }) else {
            continue;
        };
        let value = match item.get("field_value").or_else(|| item.get("value")) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            Some(Value::Null) | None => String::new(),
            Some(_) => {
                fields.problem("customFields.field_value must be a string, number or array");
                continue;
            }
        };
        contact.custom_fields.retain(|(id, _)| id != &field.id);
        if !value.is_empty() {
            contact.custom_fields.push((field.id.clone(), value));
        }
    }
}

pub fn dedupe(tags: Vec<String>) -> Vec<String> {
    let mut unique: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !unique.contains(&tag) {
            unique.push(tag);
        }
    }
    unique
}

/// A contact of `location` with the same email or phone, email first.
fn find_duplicate<'a>(
    location: &'a LocationData,
    email: Option<&str>,
    phone: Option<&str>,
) -> Option<(&'a Contact, &'static str)> {
    let email = email.map(str::to_lowercase);
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        let found = location.contacts.values().find(|c| {
            c.email
                .as_deref()
                .is_some_and(|known| known.eq_ignore_ascii_case(&email))
        });
        if let Some(found) = found {
            return Some((found, "email"));
        }
    }
    let phone = phone.filter(|p| !p.is_empty())?;
    location
        .contacts
        .values()
        .find(|c| c.phone.as_deref() == Some(phone))
        .map(|found| (found, "phone"))
}

fn new_contact(location: &LocationData) -> Contact {
    let now = chrono::Utc::now();
    Contact {
        id: fresh_id(),
        location_id: location.info.id.clone(),
        contact_type: "lead".into(),
        date_added: now,
        date_updated: now,
        ..Contact::default()
    }
}

/// Tags the location does not know yet join its tag list.
fn register_contact_tags(location: &mut LocationData, contact_id: &str) {
    let tags = location
        .contacts
        .get(contact_id)
        .map(|contact| contact.tags.clone())
        .unwrap_or_default();
    location.register_tags(&tags, fresh_id);
}

/// The body's `locationId`, which must be the token's.
pub fn body_location(fields: &mut Fields, grant: &Grant) -> ApiResult<()> {
    match fields.string("locationId") {
        Some(location) => grant.require_location(&location),
        None => {
            fields.problem("locationId should not be empty");
            Ok(())
        }
    }
}

async fn create(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    body_location(&mut fields, &grant)?;
    let created = sandbox.change(&grant.location_id, |location| {
        let mut contact = new_contact(location);
        apply_fields(&mut fields, &mut contact, location);
        fields.finish()?;
        if let Some((existing, field)) =
            find_duplicate(location, contact.email.as_deref(), contact.phone.as_deref())
        {
            return Err(duplicate_error(existing, field));
        }
        let event = events::contact("ContactCreate", &contact);
        let rendered = render::created_contact(&contact);
        let id = contact.id.clone();
        location.contacts.insert(id.clone(), contact);
        register_contact_tags(location, &id);
        Ok((rendered, vec![event]))
    })?;
    Ok((StatusCode::CREATED, Json(json!({ "contact": created }))))
}

/// The answer HighLevel gives when a location does not allow duplicates.
fn duplicate_error(existing: &Contact, field: &str) -> ApiError {
    ApiError::BadRequest(format!(
        "This location does not allow duplicated contacts. Existing contact {} has the same {field}.",
        existing.id
    ))
}

async fn read(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let contact = sandbox.look_contact(&grant, &contact_id, |_, contact| {
        Ok(render::contact(contact))
    })?;
    Ok(Json(json!({ "contact": contact })))
}

/// Applies an update body and returns the events it causes: ContactUpdate,
/// plus ContactTagUpdate and ContactDndUpdate when those changed.
fn update_contact(
    location: &mut LocationData,
    contact_id: &str,
    body: &Map<String, Value>,
) -> ApiResult<(Value, Vec<Event>)> {
    let mut contact = location
        .contacts
        .get(contact_id)
        .cloned()
        .ok_or_else(not_found)?;
    let tags_before = contact.tags.clone();
    let dnd_before = (contact.dnd, contact.dnd_settings.clone());
    let mut fields = Fields::new(body);
    apply_fields(&mut fields, &mut contact, location);
    fields.finish()?;
    contact.date_updated = chrono::Utc::now();
    let mut events = vec![events::contact("ContactUpdate", &contact)];
    if contact.tags != tags_before {
        events.push(events::contact("ContactTagUpdate", &contact));
    }
    if (contact.dnd, contact.dnd_settings.clone()) != dnd_before {
        events.push(events::contact("ContactDndUpdate", &contact));
    }
    let rendered = render::contact(&contact);
    location.contacts.insert(contact_id.to_owned(), contact);
    register_contact_tags(location, contact_id);
    Ok((rendered, events))
}

async fn update(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let contact = sandbox.change_contact(&grant, &contact_id, |location, id| {
        update_contact(location, id, &body)
    })?;
    Ok(Json(json!({ "succeded": true, "contact": contact })))
}

async fn remove(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    sandbox.change_contact(&grant, &contact_id, |location, id| {
        Ok(((), delete_contact(location, id)))
    })?;
    Ok(Json(json!({ "succeded": true })))
}

/// Removes a contact with its tasks, notes and appointments.
pub fn delete_contact(location: &mut LocationData, contact_id: &str) -> Vec<Event> {
    let Some(contact) = location.contacts.remove(contact_id) else {
        return Vec::new();
    };
    location
        .appointments
        .retain(|_, appointment| appointment.contact_id != contact_id);
    vec![events::contact("ContactDelete", &contact)]
}

async fn upsert(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Extension(trace): Extension<TraceId>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    body_location(&mut fields, &grant)?;
    let allow_duplicate = fields
        .boolean("createNewIfDuplicateAllowed")
        .unwrap_or(false);
    let (is_new, contact) = sandbox.change(&grant.location_id, |location| {
        let mut probe = new_contact(location);
        apply_fields(&mut fields, &mut probe, location);
        fields.finish()?;
        let existing = find_duplicate(location, probe.email.as_deref(), probe.phone.as_deref())
            .map(|(found, _)| found.id.clone());
        match existing.filter(|_| !allow_duplicate) {
            Some(id) => {
                let (rendered, events) = update_contact(location, &id, &body)?;
                Ok(((false, rendered), events))
            }
            None => {
                let event = events::contact("ContactCreate", &probe);
                let rendered = render::contact(&probe);
                let id = probe.id.clone();
                location.contacts.insert(id.clone(), probe);
                register_contact_tags(location, &id);
                Ok(((true, rendered), vec![event]))
            }
        }
    })?;
    Ok(Json(
        json!({ "new": is_new, "contact": contact, "traceId": trace.0 }),
    ))
}

async fn duplicate(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    grant.require_location(query.require("locationId")?)?;
    let found = sandbox.look(&grant.location_id, |location| {
        Ok(
            find_duplicate(location, query.get("email"), query.get("number"))
                .map(|(contact, _)| render::contact(contact)),
        )
    })?;
    Ok(Json(json!({ "contact": found })))
}

/// The deprecated list: oldest first, paged by `startAfter` (the last
/// contact's `dateAdded` in ms) and `startAfterId`.
async fn list(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    query: QueryMap,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    grant.require_location(query.require("locationId")?)?;
    let limit = query.number("limit", 20)?;
    if !(1..=100).contains(&limit) {
        return Err(ApiError::unprocessable(
            "limit must not be greater than 100",
        ));
    }
    let cursor = list_cursor(&query)?;
    let text = query.get("query").map(str::to_lowercase);
    let base = sandbox.public_base(&headers);
    sandbox.look(&grant.location_id, |location| {
        let mut matching: Vec<&Contact> = location
            .contacts
            .values()
            .filter(|contact| {
                text.as_deref()
                    .is_none_or(|text| matches_text(contact, text))
            })
            .collect();
        // The cursor carries milliseconds, so the order must use them too.
        matching.sort_by(|a, b| list_key(a).cmp(&list_key(b)));
        let total = matching.len();
        let start = cursor.as_ref().map_or(0, |(after, id)| {
            matching.partition_point(|c| list_key(c) <= (*after, id.as_str()))
        });
        let page: Vec<&Contact> = matching.iter().skip(start).take(limit).copied().collect();
        let current_page = start / limit + 1;
        let meta = list_meta(
            &base,
            &grant.location_id,
            &page,
            total,
            current_page,
            start + page.len() < total,
        );
        Ok(Json(json!({
            "contacts": page.iter().map(|c| render::listed_contact(c)).collect::<Vec<_>>(),
            "count": total,
            "meta": meta,
        })))
    })
}

/// The order of the deprecated list: `dateAdded` in ms, then id.
fn list_key(contact: &Contact) -> (i64, &str) {
    (contact.date_added.timestamp_millis(), contact.id.as_str())
}

/// The cursor of the deprecated list: `startAfter` (ms) and `startAfterId`.
fn list_cursor(query: &QueryMap) -> ApiResult<Option<(i64, String)>> {
    match (query.get("startAfter"), query.get("startAfterId")) {
        (Some(after), id) => {
            let after = after
                .parse::<i64>()
                .map_err(|_| ApiError::unprocessable("startAfter must be a number"))?;
            Ok(Some((after, id.unwrap_or_default().to_owned())))
        }
        (None, Some(_)) => Err(ApiError::unprocessable("startAfter should not be empty")),
        (None, None) => Ok(None),
    }
}

fn list_meta(
    base: &str,
    location_id: &str,
    page: &[&Contact],
    total: usize,
    current_page: usize,
    has_more: bool,
) -> Value {
    let last = page.last().filter(|_| has_more);
    let next_url = last.map(|contact| {
        format!(
            "{base}/contacts/?locationId={location_id}&startAfter={}&startAfterId={}",
            contact.date_added.timestamp_millis(),
            contact.id
        )
    });
    json!({
        "total": total,
        "nextPageUrl": next_url,
        "startAfterId": last.map(|c| c.id.clone()),
        "startAfter": last.map(|c| c.date_added.timestamp_millis()),
        "currentPage": current_page,
        "nextPage": has_more.then_some(current_page + 1),
        "prevPage": (current_page > 1).then(|| current_page - 1),
    })
}

/// Free-text matching over name, email, phone and company.
pub fn matches_text(contact: &Contact, needle: &str) -> bool {
    [
        contact.full_name(),
        contact.email.clone(),
        contact.phone.clone(),
        contact.company_name.clone(),
    ]
    .into_iter()
    .flatten()
    .any(|value| value.to_lowercase().contains(needle))
}

impl Sandbox {
    /// The absolute base URL links in answers start with.
    pub(super) fn public_base(&self, headers: &HeaderMap) -> String {
        if let Some(base) = &self.config().public_base_url {
            return base.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }
}

async fn appointments(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let events = sandbox.look_contact(&grant, &contact_id, |location, contact| {
        let mut found: Vec<_> = location
            .appointments
            .values()
            .filter(|appointment| appointment.contact_id == contact.id)
            .collect();
        found.sort_by_key(|appointment| appointment.start_time);
        Ok(found
            .into_iter()
            .map(render::contact_appointment)
            .collect::<Vec<_>>())
    })?;
    Ok(Json(json!({ "events": events })))
}
