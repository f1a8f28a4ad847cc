//! The contact's tags: add one, remove one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::contacts::TagContact;
use crate::ui::workspace::{problem_of, FieldError};

use super::Writes;

#[component]
pub(super) fn TagsCard(contact_id: String, tags: Vec<String>, can_write: bool) -> impl IntoView {
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
