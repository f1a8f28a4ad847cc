//! The contact's fields, and the form that edits them.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::ui::workspace::{problem_of, FieldError};
use crate::workspace::model::ContactDetail;

use super::Writes;

#[component]
pub(super) fn DetailsCard(contact: ContactDetail) -> impl IntoView {
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
pub(super) fn EditContactForm(
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
pub(super) fn UserSelect(
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
