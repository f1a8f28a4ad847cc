//! A contact's page: fields, tags and custom fields beside one timeline of
//! tasks, notes and appointments, with every change sent to HighLevel.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::contacts::{
    get_contact_detail, ContactDetail, DeleteContact, DeleteNote, SaveNote, TagContact,
    TimelineItem, TimelineKind, UpdateContact,
};
use crate::api::tasks::{CompleteTask, DeleteTask, SaveTask};
use crate::ui::page_address::from_params;
use crate::ui::workspace::{
    plain_error, problem_of, when_signed_in, EmptyState, FieldError, SignInFirst,
};

/// Every write of the page; the page reloads its data after any of them.
#[derive(Clone, Copy)]
struct Writes {
    update: ServerAction<UpdateContact>,
    tag: ServerAction<TagContact>,
    delete: ServerAction<DeleteContact>,
    new_note: ServerAction<SaveNote>,
    edit_note: ServerAction<SaveNote>,
    delete_note: ServerAction<DeleteNote>,
    new_task: ServerAction<SaveTask>,
    edit_task: ServerAction<SaveTask>,
    complete: ServerAction<CompleteTask>,
    delete_task: ServerAction<DeleteTask>,
}

impl Writes {
    fn new() -> Self {
        Self {
            update: ServerAction::new(),
            tag: ServerAction::new(),
            delete: ServerAction::new(),
            new_note: ServerAction::new(),
            edit_note: ServerAction::new(),
            delete_note: ServerAction::new(),
            new_task: ServerAction::new(),
            edit_task: ServerAction::new(),
            complete: ServerAction::new(),
            delete_task: ServerAction::new(),
        }
    }

    /// Changes whenever a write (other than deleting the contact) finished.
    fn version(&self) -> [usize; 9] {
        [
            self.update.version().get(),
            self.tag.version().get(),
            self.new_note.version().get(),
            self.edit_note.version().get(),
            self.delete_note.version().get(),
            self.new_task.version().get(),
            self.edit_task.version().get(),
            self.complete.version().get(),
            self.delete_task.version().get(),
        ]
    }

    /// The last failure of the one-click writes, to show above the timeline.
    fn click_failure(&self) -> Option<String> {
        let failed = |value: Option<Result<(), ServerFnError>>| match value {
            Some(Err(error)) => Some(plain_error(&error)),
            _ => None,
        };
        failed(self.complete.value().get())
            .or_else(|| failed(self.delete_task.value().get()))
            .or_else(|| failed(self.delete_note.value().get()))
            .or_else(|| failed(self.delete.value().get()))
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let id = from_params(|params| params.get("id").unwrap_or_default());
    let writes = Writes::new();
    provide_context(writes);
    let detail = Resource::new(
        move || (id.get(), writes.version()),
        |(id, _)| when_signed_in(move || get_contact_detail(id)),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(writes.delete.value().get(), Some(Ok(()))) {
            navigate("/contacts", Default::default());
        }
    });
    view! {
        <a class="ws-back" href="/contacts">"← All contacts"</a>
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the contact…"</p></section> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(contact)) => view! { <ContactView contact /> }.into_any(),
                    Ok(None) => view! { <SignInFirst what="this contact" /> }.into_any(),
                    Err(error) => view! {
                        <EmptyState title="This contact could not be shown" detail=plain_error(&error)>
                            <a class="button button-secondary" href="/contacts">"Back to the contacts"</a>
                        </EmptyState>
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ContactView(contact: ContactDetail) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let subtitle = [contact.email.clone(), contact.phone.clone()]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let can_write = contact.can_write;
    let failure = move || {
        writes
            .click_failure()
            .map(|message| view! { <p class="form-error" role="alert">{message}</p> })
    };
    let side = view! {
            <div class="ws-side">
                <DetailsCard contact=contact.clone() />
                <TagsCard contact_id=contact.id.clone() tags=contact.tags.clone() can_write />
                {(!contact.custom_fields.is_empty()).then(|| view! {
                    <section class="card">
                        <h2 class="card-title">"Custom fields"</h2>
                        <dl class="facts">
                            {contact.custom_fields.iter().map(|(name, value)| view! { <dt>{name.clone()}</dt><dd>{value.clone()}</dd> }).collect_view()}
                        </dl>
                    </section>
                })}
            </div>
    }
    .into_any();
    let main = view! {
            <div class="ws-main">
                {can_write.then(|| view! { <AddCard contact_id=contact.id.clone() users=contact.users.clone() /> })}
                <Timeline contact=contact.clone() />
            </div>
    }
    .into_any();
    view! {
        <Title text=contact.name.clone() />
        <header class="page-header">
            <div>
                <h1 data-testid="contact-name">{contact.name.clone()}</h1>
                <p class="page-subtitle">{subtitle}</p>
            </div>
            <div class="page-actions">
                {can_write.then(|| view! { <DeleteContactButton contact_id=contact.id.clone() /> })}
            </div>
        </header>
        {failure}
        <div class="ws-contact">
            {side}
            {main}
        </div>
    }
}

#[component]
fn DeleteContactButton(contact_id: String) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let confirming = RwSignal::new(false);
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <button type="button" class="button button-secondary ws-danger-text" on:click=move |_| confirming.set(true)>"Delete contact"</button>
            }
        >
            <div class="ws-confirm" role="group" aria-label="Confirm deleting">
                <span>"Delete this contact in HighLevel?"</span>
                <button
                    type="button"
                    class="button ws-danger"
                    disabled=move || writes.delete.pending().get()
                    on:click={
                        let contact_id = contact_id.clone();
                        move |_| {
                            writes.delete.dispatch(DeleteContact { contact_id: contact_id.clone() });
                        }
                    }
                >
                    "Yes, delete"
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| confirming.set(false)>"Keep"</button>
            </div>
        </Show>
    }
}

#[component]
fn DetailsCard(contact: ContactDetail) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let editing = RwSignal::new(false);
    let problem = Signal::derive(move || problem_of(writes.update.value().get()));
    // A form that failed stays open so its message can be read.
    Effect::new(move |_| {
        if problem.get().is_some() {
            editing.set(true);
        }
    });
    let facts = {
        let contact = contact.clone();
        move || {
            let mut rows: Vec<(&'static str, String)> = vec![
                ("Email", contact.email.clone()),
                ("Phone", contact.phone.clone()),
                ("Company", contact.company.clone().unwrap_or_default()),
                ("Source", contact.source.clone()),
                ("Type", contact.contact_type.clone().unwrap_or_default()),
                ("Assigned to", contact.assignee.clone().unwrap_or_default()),
                ("Location", contact.place.clone().unwrap_or_default()),
                ("Website", contact.website.clone().unwrap_or_default()),
                ("Time zone", contact.timezone.clone().unwrap_or_default()),
                ("Added", contact.added.clone().unwrap_or_default()),
                ("Updated", contact.updated.clone().unwrap_or_default()),
            ];
            if contact.dnd {
                rows.push(("Do not disturb", "On".into()));
            }
            rows.into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                .collect_view()
        }
    };
    let can_write = contact.can_write;
    let form_contact = contact.clone();
    view! {
        <section class="card" data-testid="contact-details">
            <div class="ws-card-head">
                <h2>"Details"</h2>
                {can_write.then(|| view! {
                    <button type="button" class="button button-secondary button-small" on:click=move |_| editing.update(|on| *on = !*on)>
                        {move || if editing.get() { "Cancel" } else { "Edit" }}
                    </button>
                })}
            </div>
            <Show when=move || editing.get() fallback=move || view! { <dl class="facts ws-facts">{facts.clone()}</dl> }>
                <EditContactForm contact=form_contact.clone() problem />
            </Show>
        </section>
    }
}

#[component]
fn EditContactForm(
    contact: ContactDetail,
    problem: Signal<Option<(String, String)>>,
) -> impl IntoView {
    let writes = expect_context::<Writes>();
    view! {
        <ActionForm action=writes.update attr:class="ws-form">
            <input type="hidden" name="contact_id" value=contact.id.clone() />
            <div class="ws-form-row">
                <div class="ws-field">
                    <label for="first_name">"First name"</label>
                    <input id="first_name" name="first_name" value=contact.first_name.clone() />
                    <FieldError problem field="first_name" />
                </div>
                <div class="ws-field">
                    <label for="last_name">"Last name"</label>
                    <input id="last_name" name="last_name" value=contact.last_name.clone() />
                </div>
            </div>
            <div class="ws-field">
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" value=contact.email.clone() />
                <FieldError problem field="email" />
            </div>
            <div class="ws-field">
                <label for="phone">"Phone"</label>
                <input id="phone" name="phone" type="tel" value=contact.phone.clone() />
                <FieldError problem field="phone" />
            </div>
            <div class="ws-field">
                <label for="source">"Source"</label>
                <input id="source" name="source" value=contact.source.clone() />
            </div>
            <UserSelect id="assigned_to" users=contact.users.clone() current=contact.assigned_to.clone() />
            <FieldError problem field="" />
            <button type="submit" class="button" disabled=move || writes.update.pending().get()>"Save changes"</button>
        </ActionForm>
    }
}

#[component]
fn UserSelect(
    id: &'static str,
    users: Vec<(String, String)>,
    current: Option<String>,
) -> impl IntoView {
    let current = current.unwrap_or_default();
    view! {
        <div class="ws-field">
            <label for=id>"Assigned to"</label>
            <select id=id name="assigned_to">
                <option value="">"Nobody"</option>
                {users
                    .into_iter()
                    .map(|(user_id, name)| {
                        let selected = user_id == current;
                        view! { <option value=user_id selected=selected>{name}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn TagsCard(contact_id: String, tags: Vec<String>, can_write: bool) -> impl IntoView {
    let writes = expect_context::<Writes>();
    let problem = Signal::derive(move || problem_of(writes.tag.value().get()));
    let chips = tags
        .into_iter()
        .map(|tag| {
            let remove = can_write.then(|| {
                let contact_id = contact_id.clone();
                let tag = tag.clone();
                let label = format!("Remove tag {tag}");
                view! {
                    <button type="button" class="ws-tag-remove" aria-label=label on:click=move |_| {
                        writes.tag.dispatch(TagContact { contact_id: contact_id.clone(), tag: tag.clone(), add: false });
                    }>"×"</button>
                }
            });
            view! { <span class="ws-tag" data-testid="contact-tag">{tag.clone()}{remove}</span> }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="contact-tags">
            <h2 class="card-title">"Tags"</h2>
            <div class="chips">{chips}</div>
            {can_write.then(|| view! {
                <ActionForm action=writes.tag attr:class="ws-inline-form">
                    <input type="hidden" name="contact_id" value=contact_id.clone() />
                    <input type="hidden" name="add" value="true" />
                    <input name="tag" aria-label="New tag" placeholder="Add a tag" />
                    <button type="submit" class="button button-secondary button-small">"Add"</button>
                </ActionForm>
                <FieldError problem field="tag" />
                <FieldError problem field="" />
            })}
        </section>
    }
}

/// New task or new note.
#[component]
fn AddCard(contact_id: String, users: Vec<(String, String)>) -> impl IntoView {
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
fn TaskForm(
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
fn NoteForm(
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

#[component]
fn Timeline(contact: ContactDetail) -> impl IntoView {
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
fn Entry(
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
fn EntryActions(item: TimelineItem, contact_id: String, editing: RwSignal<bool>) -> impl IntoView {
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
