//! Tasks: the team's list (mine or everyone's, overdue first) and the task
//! writes of a contact's page, each sent to HighLevel and cached from its answer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::contacts::FieldProblem;

/// Tasks on one page of the list.
pub const TASK_PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskItem {
    pub id: String,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub title: String,
    pub body: String,
    pub due: Option<String>,
    pub overdue: bool,
    pub completed: bool,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskList {
    pub tasks: Vec<TaskItem>,
    /// Open tasks that match, overdue ones among them.
    pub open: i64,
    pub overdue: i64,
    /// From 0.
    pub page: u32,
    /// Whether a next page has tasks.
    pub more: bool,
    pub can_write: bool,
}

/// Open tasks, overdue first then by due date; or the latest completed ones
/// (`done`). `mine`: only those assigned to the caller's HighLevel user.
/// Pages of [`TASK_PAGE`], from 0 (the first when absent).
#[server(endpoint = "tasks/list")]
pub async fn list_tasks(
    mine: bool,
    done: bool,
    page: Option<u32>,
) -> Result<TaskList, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Viewer).await?;
    crate::workspace::tasks::list(&caller, mine, done, page.unwrap_or(0)).await
}

/// Creates a task for a contact (`task_id` empty) or changes one. `due` is
/// `YYYY-MM-DDTHH:MM` (in the team's time zone) or `YYYY-MM-DD`.
#[server(endpoint = "tasks/save")]
pub async fn save_task(
    contact_id: String,
    task_id: Option<String>,
    title: String,
    body: String,
    due: String,
    assigned_to: String,
) -> Result<Option<FieldProblem>, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Member).await?;
    let title = title.trim().to_owned();
    if title.is_empty() {
        return Ok(Some(FieldProblem::new("title", "Give the task a title.")));
    }
    let Some(due) = crate::workspace::tasks::parse_due(&due, caller.zone) else {
        return Ok(Some(FieldProblem::new(
            "due",
            "Choose when the task is due.",
        )));
    };
    let task = crate::workspace::tasks::TaskInput {
        title,
        body: Some(body.trim().to_owned()).filter(|body| !body.is_empty()),
        due,
        assigned_to: Some(assigned_to).filter(|user| !user.is_empty()),
    };
    let task_id = task_id.filter(|id| !id.is_empty());
    crate::workspace::tasks::save(&caller, &contact_id, task_id.as_deref(), task).await?;
    Ok(None)
}

/// Marks a task completed, or open again.
#[server(endpoint = "tasks/complete")]
pub async fn complete_task(
    contact_id: String,
    task_id: String,
    completed: bool,
) -> Result<(), ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let team = Team::of(&caller)?;
    let answer = team
        .client
        .update_task_completed(&team.location_id, &contact_id, &task_id, completed)
        .await
        .map_err(|error| writes::refused(&error))?;
    writes::cache_task(&team, &answer.task).await
}

#[server(endpoint = "tasks/delete")]
pub async fn delete_task(contact_id: String, task_id: String) -> Result<(), ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::TaskRecord;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let team = Team::of(&caller)?;
    team.client
        .delete_task(&team.location_id, &contact_id, &task_id)
        .await
        .map_err(|error| writes::refused(&error))?;
    writes::forget::<TaskRecord>(&team, &task_id).await
}
