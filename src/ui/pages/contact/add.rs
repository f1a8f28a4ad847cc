//! The card that adds a task or a note, and the forms both cards share.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::contacts::SaveNote;
use crate::api::tasks::SaveTask;
use crate::ui::workspace::{problem_of, FieldError};
use crate::workspace::model::TimelineItem;

use super::details::UserSelect;
use super::Writes;

/// New task or new note.
#[component]
pub(super) fn AddCard(contact_id: String, users: Vec<(String, String)>) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let note_tab = RwSignal::new(false);
    let task_problem = Signal::derive(move || problem_of(writes.new_task.value().get()));
    let note_problem = Signal::derive(move || problem_of(writes.new_note.value().get()));
    Effect::new(move |_| {
        if note_problem.get().is_some() {
            note_tab.set(true);
        }
    });
    let tab_class = move |notes: bool| {
        if note_tab.get() == notes {
            "ws-tab ws-tab-active"
        } else {
            "ws-tab"
        }
    };
    let note_contact = contact_id.clone();
    view! {
        <section class="card" data-testid="add-card">
            <div class="ws-tabs" role="tablist">
                <button type="button" role="tab" class=move || tab_class(false) aria-selected=move || (!note_tab.get()).to_string() on:click=move |_| note_tab.set(false)>"New task"</button>
                <button type="button" role="tab" class=move || tab_class(true) aria-selected=move || note_tab.get().to_string() on:click=move |_| note_tab.set(true)>"New note"</button>
            </div>
            <Show
                when=move || note_tab.get()
                fallback={
                    let users = users.clone();
                    let contact_id = contact_id.clone();
                    move || view! {
                        <TaskForm action=writes.new_task problem=task_problem contact_id=contact_id.clone() users=users.clone() task=None />
                    }
                }
            >
                <NoteForm action=writes.new_note problem=note_problem contact_id=note_contact.clone() note=None />
            </Show>
        </section>
    }
}

#[component]
pub(super) fn TaskForm(
    action: ServerAction<SaveTask>,
    problem: Signal<Option<(String, String)>>,
    contact_id: String,
    users: Vec<(String, String)>,
    task: Option<TimelineItem>,
) -> impl IntoView {
    let editing = task.is_some();
    let prefix = if editing { "edit-" } else { "new-" };
    let field_id = move |name: &str| format!("{prefix}{name}");
    let (title, body, due, assigned_to) = task
        .as_ref()
        .map(|task| {
            (
                task.title.clone(),
                task.body.clone(),
                task.due_input.clone(),
                task.assigned_to.clone(),
            )
        })
        .unwrap_or_default();
    view! {
        <ActionForm action attr:class="ws-form" attr:data-testid=if editing { "edit-task-form" } else { "new-task-form" }>
            <input type="hidden" name="contact_id" value=contact_id />
            {task.as_ref().map(|task| view! { <input type="hidden" name="task_id" value=task.id.clone() /> })}
            <div class="ws-field">
                <label for=field_id("title")>"Title"</label>
                <input id=field_id("title") name="title" value=title placeholder="Call back about membership" />
                <FieldError problem field="title" />
            </div>
            <div class="ws-form-row">
                <div class="ws-field">
                    <label for=field_id("due")>"Due (team time)"</label>
                    <input id=field_id("due") name="due" type="datetime-local" value=due />
                    <FieldError problem field="due" />
                </div>
                <UserSelect id=if editing { "edit-assigned" } else { "new-assigned" } users current=assigned_to />
            </div>
            <div class="ws-field">
                <label for=field_id("body")>"Details"</label>
                <textarea id=field_id("body") name="body" rows="2">{body}</textarea>
            </div>
            <FieldError problem field="" />
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {if editing { "Save task" } else { "Add task" }}
            </button>
        </ActionForm>
    }
}

#[component]
pub(super) fn NoteForm(
    action: ServerAction<SaveNote>,
    problem: Signal<Option<(String, String)>>,
    contact_id: String,
    note: Option<TimelineItem>,
) -> impl IntoView {
    let editing = note.is_some();
    let id = if editing {
        "edit-note-body"
    } else {
        "new-note-body"
    };
    let body = note
        .as_ref()
        .map(|note| note.body.clone())
        .unwrap_or_default();
    view! {
        <ActionForm action attr:class="ws-form" attr:data-testid=if editing { "edit-note-form" } else { "new-note-form" }>
            <input type="hidden" name="contact_id" value=contact_id />
            {note.as_ref().map(|note| view! { <input type="hidden" name="note_id" value=note.id.clone() /> })}
            <div class="ws-field">
                <label for=id>"Note"</label>
                <textarea id=id name="body" rows="3" placeholder="What happened, what was agreed">{body}</textarea>
                <FieldError problem field="body" />
            </div>
            <FieldError problem field="" />
            <button type="submit" class="button" disabled=move || action.pending().get()>
                {if editing { "Save note" } else { "Add note" }}
            </button>
        </ActionForm>
    }
}
