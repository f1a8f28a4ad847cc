//! Tasks: the team's list (mine or everyone's, overdue first) and the task
//! writes of a contact's page, each sent to HighLevel and cached from its answer.

use leptos::prelude::*;

use crate::app_error::{AppError, FieldProblem};
use crate::workspace::model::TaskList;

/// Open tasks, overdue first then by due date; or the latest completed ones
/// (`done`). `mine`: only those assigned to the caller's HighLevel user.
/// Pages of [`crate::workspace::model::TASK_PAGE`], from 0 (the first when absent).
#[server(endpoint = "tasks/list", output = crate::api::codec::JsonText)]
pub async fn list_tasks(mine: bool, done: bool, page: Option<u32>) -> Result<TaskList, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    crate::workspace::tasks::list(
        &guard::team(&state, &caller)?,
        mine,
        done,
        page.unwrap_or(0),
    )
    .await
    .map_err(AppError::from)
}

/// Creates a task for a contact (`task_id` empty) or changes one. `due` is
/// `YYYY-MM-DDTHH:MM` (in the team's time zone) or `YYYY-MM-DD`.
#[server(endpoint = "tasks/save", output = crate::api::codec::JsonText)]
pub async fn save_task(
    contact_id: String,
    task_id: Option<String>,
    title: String,
    body: String,
    due: String,
    assigned_to: String,
) -> Result<Option<FieldProblem>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Member).await?;
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
    crate::workspace::tasks::save(
        &guard::team(&state, &caller)?,
        &contact_id,
        task_id.as_deref(),
        task,
    )
    .await?;
    Ok(None)
}

/// Marks a task completed, or open again.
#[server(endpoint = "tasks/complete", output = crate::api::codec::JsonText)]
pub async fn complete_task(
    contact_id: String,
    task_id: String,
    completed: bool,
) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let team = guard::team(&state, &caller)?;
    let answer = team
        .client
        .update_task_completed(&team.location_id, &contact_id, &task_id, completed)
        .await?;
    writes::cache_task(&team, &answer.task).await?;
    Ok(())
}

#[server(endpoint = "tasks/delete", output = crate::api::codec::JsonText)]
pub async fn delete_task(contact_id: String, task_id: String) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::TaskRecord;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let team = guard::team(&state, &caller)?;
    team.client
        .delete_task(&team.location_id, &contact_id, &task_id)
        .await?;
    writes::forget::<TaskRecord>(&team, &task_id).await?;
    Ok(())
}
