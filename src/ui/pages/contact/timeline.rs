//! Tasks, notes and appointments on one line, newest first, each with its
//! own actions.

use leptos::prelude::*;

use crate::api::contacts::DeleteNote;
use crate::api::tasks::{CompleteTask, DeleteTask};
use crate::ui::workspace::problem_of;
use crate::workspace::model::{ContactDetail, TimelineItem, TimelineKind};

use super::add::{NoteForm, TaskForm};
use super::Writes;

#[component]
pub(super) fn Timeline(contact: ContactDetail) -> impl IntoView {
    let empty = contact.timeline.is_empty();
    let contact_id = contact.id.clone();
    let users = contact.users.clone();
    let can_write = contact.can_write;
    view! {
        <section class="card" data-testid="timeline">
            <h2 class="card-title">"Timeline"</h2>
            {contact.notes_problem.map(|problem| view! { <p class="form-error">{problem}</p> })}
            {empty.then(|| view! {
                <p class="muted ws-empty-line">"No tasks, notes or appointments yet."</p>
            })}
            <ol class="ws-timeline">
                {contact
                    .timeline
                    .into_iter()
                    .map(|item| view! { <Entry item contact_id=contact_id.clone() users=users.clone() can_write /> })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
pub(super) fn Entry(
    item: TimelineItem,
    contact_id: String,
    users: Vec<(String, String)>,
    can_write: bool,
) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let editing = RwSignal::new(false);
    let (kind, kind_class) = match item.kind {
        TimelineKind::Task if item.completed => ("Task · done", "ws-kind ws-kind-done"),
        TimelineKind::Task if item.overdue => ("Task · overdue", "ws-kind ws-kind-overdue"),
        TimelineKind::Task => ("Task", "ws-kind ws-kind-task"),
        TimelineKind::Note => ("Note", "ws-kind ws-kind-note"),
        TimelineKind::Appointment => ("Appointment", "ws-kind ws-kind-appointment"),
    };
    let mut meta: Vec<String> = Vec::new();
    if let Some(at) = &item.at {
        meta.push(match item.kind {
            TimelineKind::Task => format!("Due {at}"),
            _ => at.clone(),
        });
    }
    if let Some(calendar) = &item.calendar {
        meta.push(calendar.clone());
    }
    if !item.status.is_empty() {
        meta.push(item.status.clone());
    }
    if let Some(person) = &item.assignee {
        meta.push(person.clone());
    }
    let actions = (can_write && item.kind != TimelineKind::Appointment).then(|| {
        let item = item.clone();
        let contact_id = contact_id.clone();
        view! { <EntryActions item contact_id editing /> }.into_any()
    });
    let edit_form = (can_write && item.kind != TimelineKind::Appointment).then(|| {
        let item = item.clone();
        let task_problem = Signal::derive(move || problem_of(writes.edit_task.value().get()));
        let note_problem = Signal::derive(move || problem_of(writes.edit_note.value().get()));
        view! {
            <Show when=move || editing.get()>
                {
                    let item = item.clone();
                    let contact_id = contact_id.clone();
                    let users = users.clone();
                    match item.kind {
                        TimelineKind::Task => view! {
                            <TaskForm action=writes.edit_task problem=task_problem contact_id users task=Some(item) />
                        }.into_any(),
                        _ => view! {
                            <NoteForm action=writes.edit_note problem=note_problem contact_id note=Some(item) />
                        }.into_any(),
                    }
                }
            </Show>
        }
        .into_any()
    });
    let testid = match item.kind {
        TimelineKind::Task => "timeline-task",
        TimelineKind::Note => "timeline-note",
        TimelineKind::Appointment => "timeline-appointment",
    };
    let title_class = if item.completed {
        "ws-entry-title ws-done"
    } else {
        "ws-entry-title"
    };
    view! {
        <li class="ws-entry" data-testid=testid>
            <div class="ws-entry-top">
                <span class=kind_class>{kind}</span>
                <span class="muted ws-entry-meta">{meta.join(" · ")}</span>
            </div>
            {(item.kind != TimelineKind::Note).then(|| view! { <p class=title_class>{item.title.clone()}</p> })}
            {(!item.body.is_empty()).then(|| view! { <p class="ws-entry-body">{item.body.clone()}</p> })}
            {actions}
            {edit_form}
        </li>
    }
}

#[component]
pub(super) fn EntryActions(
    item: TimelineItem,
    contact_id: String,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let confirming = RwSignal::new(false);
    let is_task = item.kind == TimelineKind::Task;
    let complete = is_task.then(|| {
        let contact_id = contact_id.clone();
        let task_id = item.id.clone();
        let completed = item.completed;
        view! {
            <button type="button" class="button button-secondary button-small" disabled=move || writes.complete.pending().get() on:click=move |_| {
                writes.complete.dispatch(CompleteTask { contact_id: contact_id.clone(), task_id: task_id.clone(), completed: !completed });
            }>{if completed { "Reopen" } else { "Complete" }}</button>
        }
    });
    let delete = move |_| {
        if is_task {
            writes.delete_task.dispatch(DeleteTask {
                contact_id: contact_id.clone(),
                task_id: item.id.clone(),
            });
        } else {
            writes.delete_note.dispatch(DeleteNote {
                contact_id: contact_id.clone(),
                note_id: item.id.clone(),
            });
        }
    };
    view! {
        <div class="ws-entry-actions">
            {complete}
            <button type="button" class="button button-secondary button-small" on:click=move |_| editing.update(|on| *on = !*on)>
                {move || if editing.get() { "Cancel" } else { "Edit" }}
            </button>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="link-button ws-danger-text" on:click=move |_| confirming.set(true)>"Delete"</button>
                }
            >
                <span class="ws-confirm">
                    "Delete?"
                    <button type="button" class="button ws-danger button-small" on:click=delete.clone()>"Yes, delete"</button>
                    <button type="button" class="link-button" on:click=move |_| confirming.set(false)>"Keep"</button>
                </span>
            </Show>
        </div>
    }
}
