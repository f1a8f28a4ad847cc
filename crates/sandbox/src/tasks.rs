//! Tasks of a contact, and the location-wide task search.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::auth::{Access, V2021_07_28};
use super::contacts::{READ, WRITE};
use super::errors::{ApiError, ApiResult};
use super::events::{self, Event};
use super::ids::fresh_id;
use super::lookup::contact_mut;
use super::params::{json_object, Fields};
use super::render;
use super::store::{LocationData, Task};
use super::Sandbox;

const SEARCH: Access = Access::new(V2021_07_28, "locations/tasks.readonly");

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/contacts/{contact_id}/tasks", get(list).post(create))
        .route(
            "/contacts/{contact_id}/tasks/{task_id}",
            get(read).put(update).delete(remove),
        )
        .route(
            "/contacts/{contact_id}/tasks/{task_id}/completed",
            put(complete),
        )
        .route("/locations/{location_id}/tasks/search", post(search))
}

fn task_not_found() -> ApiError {
    ApiError::BadRequest("Task not found".into())
}

fn task_mut<'a>(
    location: &'a mut LocationData,
    contact_id: &str,
    task_id: &str,
) -> ApiResult<&'a mut Task> {
    contact_mut(location, contact_id)?
        .tasks
        .iter_mut()
        .find(|task| task.id == task_id)
        .ok_or_else(task_not_found)
}

async fn list(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let tasks = sandbox.look_contact(&grant, &contact_id, |_, contact| {
        Ok(contact.tasks.iter().map(render::task).collect::<Vec<_>>())
    })?;
    Ok(Json(json!({ "tasks": tasks })))
}

async fn read(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, task_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, READ)?;
    let task = sandbox.look_contact(&grant, &contact_id, |_, contact| {
        contact
            .tasks
            .iter()
            .find(|task| task.id == task_id)
            .map(render::task)
            .ok_or_else(task_not_found)
    })?;
    Ok(Json(json!({ "task": task })))
}

/// A task built from a `CreateTaskParams` body.
fn task_from_body(body: &Map<String, Value>, contact_id: &str) -> ApiResult<Task> {
    let mut fields = Fields::new(body);
    let title = fields.required_string("title");
    let due_date = fields.required_date("dueDate");
    let completed = fields.required_boolean("completed");
    let task_body = fields.string("body");
    let assigned_to = fields.string("assignedTo");
    fields.finish()?;
    let (Some(title), Some(due_date), Some(completed)) = (title, due_date, completed) else {
        return Err(ApiError::unprocessable(
            "title, dueDate and completed are required",
        ));
    };
    Ok(Task {
        id: fresh_id(),
        contact_id: contact_id.to_owned(),
        title,
        body: task_body,
        assigned_to,
        due_date,
        completed,
        date_added: chrono::Utc::now(),
    })
}

/// Adds a task to a contact; TaskCreate, and TaskComplete if it is born done.
pub fn add_task(location: &mut LocationData, task: Task) -> ApiResult<(Value, Vec<Event>)> {
    let location_id = location.info.id.clone();
    let mut emitted = vec![events::task("TaskCreate", &location_id, &task)];
    if task.completed {
        emitted.push(events::task("TaskComplete", &location_id, &task));
    }
    let rendered = render::task(&task);
    contact_mut(location, &task.contact_id)?.tasks.push(task);
    Ok((rendered, emitted))
}

async fn create(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(contact_id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let task = task_from_body(&body, &contact_id)?;
    let task =
        sandbox.change_contact(&grant, &contact_id, |location, _| add_task(location, task))?;
    Ok((StatusCode::CREATED, Json(json!({ "task": task }))))
}

/// Applies an `UpdateTaskBody`. HighLevel has no TaskUpdate event, so only
/// completing a task is announced.
pub fn update_task(
    location: &mut LocationData,
    contact_id: &str,
    task_id: &str,
    body: &Map<String, Value>,
) -> ApiResult<(Value, Vec<Event>)> {
    let mut fields = Fields::new(body);
    let title = fields.string("title");
    let task_body = fields.string("body");
    let due_date = fields.date("dueDate");
    let completed = fields.boolean("completed");
    let assigned_to = fields.string("assignedTo");
    fields.finish()?;
    let location_id = location.info.id.clone();
    let task = task_mut(location, contact_id, task_id)?;
    let was_completed = task.completed;
    task.title = title.unwrap_or_else(|| task.title.clone());
    task.body = task_body.or_else(|| task.body.clone());
    task.due_date = due_date.unwrap_or(task.due_date);
    task.completed = completed.unwrap_or(task.completed);
    task.assigned_to = assigned_to.or_else(|| task.assigned_to.clone());
    let emitted = if task.completed && !was_completed {
        vec![events::task("TaskComplete", &location_id, task)]
    } else {
        Vec::new()
    };
    Ok((render::task(task), emitted))
}

async fn update(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let task = sandbox.change_contact(&grant, &contact_id, |location, contact| {
        update_task(location, contact, &task_id, &body)
    })?;
    Ok(Json(json!({ "task": task })))
}

async fn complete(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, task_id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    fields.required_boolean("completed");
    fields.finish()?;
    let task = sandbox.change_contact(&grant, &contact_id, |location, contact| {
        update_task(location, contact, &task_id, &body)
    })?;
    Ok(Json(json!({ "task": task })))
}

/// Removes a task; TaskDelete.
pub fn delete_task(
    location: &mut LocationData,
    contact_id: &str,
    task_id: &str,
) -> ApiResult<Vec<Event>> {
    let location_id = location.info.id.clone();
    let contact = contact_mut(location, contact_id)?;
    let index = contact
        .tasks
        .iter()
        .position(|task| task.id == task_id)
        .ok_or_else(task_not_found)?;
    let task = contact.tasks.remove(index);
    Ok(vec![events::task("TaskDelete", &location_id, &task)])
}

async fn remove(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path((contact_id, task_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, WRITE)?;
    sandbox.change_contact(&grant, &contact_id, |location, contact| {
        Ok(((), delete_task(location, contact, &task_id)?))
    })?;
    Ok(Json(json!({ "succeded": true })))
}

/// `TaskSearchParamsDto` filters.
struct TaskFilter {
    contacts: Option<Vec<String>>,
    assigned_to: Option<Vec<String>>,
    completed: Option<bool>,
    query: Option<String>,
    business_id: Option<String>,
}

async fn search(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    Path(location_id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let grant = sandbox.authorize(&headers, SEARCH)?;
    grant.require_location(&location_id)?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body);
    let filter = TaskFilter {
        contacts: fields.strings("contactId"),
        assigned_to: fields.strings("assignedTo"),
        completed: fields.boolean("completed"),
        query: fields.string("query").map(|q| q.to_lowercase()),
        business_id: fields.string("businessId"),
    };
    let limit = fields.number("limit").unwrap_or(25.0).max(0.0) as usize;
    let skip = fields.number("skip").unwrap_or(0.0).max(0.0) as usize;
    fields.finish()?;
    let tasks = sandbox.look(&location_id, |location| {
        Ok(search_tasks(location, &filter, skip, limit))
    })?;
    Ok(Json(json!({ "tasks": tasks })))
}

/// Matching tasks, soonest due first.
fn search_tasks(
    location: &LocationData,
    filter: &TaskFilter,
    skip: usize,
    limit: usize,
) -> Vec<Value> {
    let mut found: Vec<_> = location
        .contacts
        .values()
        .filter(|contact| {
            filter
                .contacts
                .as_ref()
                .is_none_or(|ids| ids.contains(&contact.id))
        })
        .filter(|contact| {
            filter
                .business_id
                .as_ref()
                .is_none_or(|business| contact.business_id.as_ref() == Some(business))
        })
        .flat_map(|contact| contact.tasks.iter().map(move |task| (task, contact)))
        .filter(|(task, _)| filter.completed.is_none_or(|done| task.completed == done))
        .filter(|(task, _)| {
            filter.assigned_to.as_ref().is_none_or(|users| {
                task.assigned_to
                    .as_ref()
                    .is_some_and(|user| users.contains(user))
            })
        })
        .filter(|(task, _)| {
            filter.query.as_ref().is_none_or(|query| {
                task.title.to_lowercase().contains(query)
                    || task
                        .body
                        .as_ref()
                        .is_some_and(|body| body.to_lowercase().contains(query))
            })
        })
        .collect();
    found.sort_by(|(a, _), (b, _)| a.due_date.cmp(&b.due_date).then_with(|| a.id.cmp(&b.id)));
    found
        .into_iter()
        .skip(skip)
        .take(limit)
        .map(|(task, contact)| render::searched_task(task, contact))
        .collect()
}
