//! Notes of a contact.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::contacts::{READ, WRITE};
use super::errors::{ApiError, ApiResult};
use super::events::{self, Event};
use super::ids::fresh_id;
use super::lookup::contact_mut;
use super::params::{json_object, Fields};
use super::render;
use super::store::{LocationData, Note};
use super::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/contacts/{contact_id}/notes", get(list).post(create))
        .route(
            "/contacts/{contact_id}/notes/{note_id}",
            get(read).put(update).delete(remove),
        )
}

fn note_not_found() -> ApiError {
    ApiError::BadRequest("Note not found".into())
}

async fn list(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let notes = sandbox.look_contact(&grant, &contact_id, |_, contact| {
        let mut notes: Vec<&Note> = contact.notes.iter().collect();
        notes.sort_by_key(|note| std::cmp::Reverse(note.date_added));
        Ok(notes.into_iter().map(render::note).collect::<Vec<_>>())
    })?;
    Ok(Json(json!({ "notes": notes })))
}

async fn read(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let note = sandbox.look_contact(&grant, &contact_id, |_, contact| {
        contact
            .notes
            .iter()
            .find(|note| note.id == note_id)
            .map(render::note)
            .ok_or_else(note_not_found)
    })?;
    Ok(Json(json!({ "note": note })))
}

/// A note built from a `NotesDTO` body.
fn note_from_body(body: &Map<String, Value>, contact_id: &str) -> ApiResult<Note> {
    let mut fields = Fields::new(body);
    let text = fields.required_string("body");
    let note = Note {
        id: fresh_id(),
        contact_id: contact_id.to_owned(),
        body: text.unwrap_or_default(),
        title: fields.string("title"),
        user_id: fields.string("userId"),
        color: fields.string("color"),
        pinned: fields.boolean("pinned").unwrap_or(false),
        date_added: chrono::Utc::now(),
    };
    fields.finish()?;
    Ok(note)
}

/// Adds a note to a contact; NoteCreate.
pub fn add_note(location: &mut LocationData, note: Note) -> ApiResult<(Value, Vec<Event>)> {
    let event = events::note("NoteCreate", &location.info.id, &note);
    let rendered = render::note(&note);
    contact_mut(location, &note.contact_id)?.notes.push(note);
    Ok((rendered, vec![event]))
}

async fn create(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let note = note_from_body(&body, &contact_id)?;
    let note =
        sandbox.change_contact(&grant, &contact_id, |location, _| add_note(location, note))?;
    Ok((StatusCode::CREATED, Json(json!({ "note": note }))))
}

/// Applies an `UpdateNoteDTO`; NoteUpdate.
pub fn update_note(
    location: &mut LocationData,
    contact_id: &str,
    note_id: &str,
    body: &Map<String, Value>,
) -> ApiResult<(Value, Vec<Event>)> {
    let mut fields = Fields::new(body);
    let text = fields.string("body");
    let title = fields.string("title");
    let user_id = fields.string("userId");
    let color = fields.string("color");
    let pinned = fields.boolean("pinned");
    fields.finish()?;
    let location_id = location.info.id.clone();
    let note = contact_mut(location, contact_id)?
        .notes
        .iter_mut()
        .find(|note| note.id == note_id)
        .ok_or_else(note_not_found)?;
    note.body = text.unwrap_or_else(|| note.body.clone());
    note.title = title.or_else(|| note.title.clone());
    note.user_id = user_id.or_else(|| note.user_id.clone());
    note.color = color.or_else(|| note.color.clone());
    note.pinned = pinned.unwrap_or(note.pinned);
    let event = events::note("NoteUpdate", &location_id, note);
    Ok((render::note(note), vec![event]))
}

async fn update(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, note_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let note = sandbox.change_contact(&grant, &contact_id, |location, contact| {
        update_note(location, contact, &note_id, &body)
    })?;
    Ok(Json(json!({ "note": note })))
}

/// Removes a note; NoteDelete.
pub fn delete_note(
    location: &mut LocationData,
    contact_id: &str,
    note_id: &str,
) -> ApiResult<Vec<Event>> {
    let location_id = location.info.id.clone();
    let contact = contact_mut(location, contact_id)?;
    let index = contact
        .notes
        .iter()
        .position(|note| note.id == note_id)
        .ok_or_else(note_not_found)?;
    let note = contact.notes.remove(index);
    Ok(vec![events::note("NoteDelete", &location_id, &note)])
}

async fn remove(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, note_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    sandbox.change_contact(&grant, &contact_id, |location, contact| {
        Ok(((), delete_note(location, contact, &note_id)?))
    })?;
    Ok(Json(json!({ "succeded": true })))
}
