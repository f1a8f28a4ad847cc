//! A contact's page: fields, tags and custom fields beside one timeline of
//! tasks, notes and appointments, with every change sent to HighLevel.

mod add;
mod automations;
mod details;
mod tags;
mod timeline;

use add::AddCard;
use automations::{AutomationsCard, ByHandResource};
use details::DetailsCard;
use tags::TagsCard;
use timeline::Timeline;

use leptos::prelude::*;

use leptos_meta::Title;

use crate::api::automations::automations_by_hand;
use crate::api::contacts::{
    get_contact_detail, DeleteContact, DeleteNote, SaveNote, TagContact, UpdateContact,
};
use crate::api::tasks::{CompleteTask, DeleteTask, SaveTask};
use crate::app_error::AppError;
use crate::ui::page_address::from_params;
use crate::ui::workspace::{when_signed_in, EmptyState, SignInFirst};
use crate::workspace::model::ContactDetail;

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
        let failed = |value: Option<Result<(), AppError>>| match value {
            Some(Err(error)) => Some(error.to_string()),
            _ => None,
        };
        failed(self.complete.value().get())
            .or_else(|| failed(self.delete_task.value().get()))
            .or_else(|| failed(self.delete_note.value().get()))
            .or_else(|| failed(self.delete.value().get()))
    }
}

#[island(lazy)]
pub fn ContactPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let id = from_params(|params| params.get("id").unwrap_or_default());
    let writes = Writes::new();
    provide_context(writes);
    let detail = Resource::new(
        move || (id.get(), writes.version()),
        |(id, _)| when_signed_in(move || get_contact_detail(id)),
    );
    // Made here, not in its card: a resource made inside the contact's
    // `Suspend` is made (and fetched) again each time the contact renders.
    let by_hand = Resource::new(|| (), |_| when_signed_in(automations_by_hand));
    Effect::new(move |_| {
        if matches!(writes.delete.value().get(), Some(Ok(()))) {
            crate::ui::island::go_to("/contacts");
        }
    });
    view! {
        <a class="ws-back" href="/contacts">"← All contacts"</a>
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the contact…"</p></section> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(contact)) => view! { <ContactView contact by_hand /> }.into_any(),
                    Ok(None) => view! { <SignInFirst what="this contact" /> }.into_any(),
                    Err(error) => view! {
                        <EmptyState title="This contact could not be shown" detail=error.to_string()>
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
fn ContactView(contact: ContactDetail, by_hand: ByHandResource) -> impl IntoView {
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
                <AutomationsCard listed=by_hand contact_id=contact.id.clone() can_write />
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
        <Title text=format!("{} · Switchboard", contact.name) />
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
