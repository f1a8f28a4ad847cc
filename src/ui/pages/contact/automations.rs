//! Automations started by hand, run for this contact: "Send to Workiom".

use leptos::prelude::*;

use crate::api::automations::{ByHand, RunForContact};
use crate::app_error::AppError;

/// The automations a person starts by hand, for the contact page to make once.
pub(super) type ByHandResource = Resource<Result<Option<Vec<ByHand>>, AppError>>;

#[component]
pub(super) fn AutomationsCard(
    listed: ByHandResource,
    contact_id: String,
    can_write: bool,
) -> impl IntoView {
    let run = ServerAction::<RunForContact>::new();
    view! {
        <Transition>
            {move || {
                let contact_id = contact_id.clone();
                Suspend::new(async move {
                    let listed = listed.await.ok().flatten().unwrap_or_default();
                    (!listed.is_empty()).then(|| view! {
                        <section class="card" data-testid="contact-automations">
                            <h2 class="card-title">"Automations"</h2>
                            <ul class="ws-automations">
                                {listed.into_iter().map(|automation| view! {
                                    <ByHandRow automation contact_id=contact_id.clone() can_write run />
                                }).collect_view()}
                            </ul>
                            <RunOutcome run />
                        </section>
                    })
                })
            }}
        </Transition>
    }
}

#[component]
fn ByHandRow(
    automation: ByHand,
    contact_id: String,
    can_write: bool,
    run: ServerAction<RunForContact>,
) -> impl IntoView {
    let id = automation.id;
    let label = format!("Run “{}” for this contact", automation.name);
    view! {
        <li class="ws-automation">
            <div>
                <strong>{automation.name}</strong>
                <p class="muted small-text">{automation.does}</p>
            </div>
            {can_write.then(|| view! {
                <button type="button" class="button button-secondary button-small" aria-label=label
                    disabled=move || run.pending().get()
                    on:click=move |_| {
                        run.dispatch(RunForContact { id, contact_id: contact_id.clone() });
                    }>"Run"</button>
            })}
        </li>
    }
}

#[component]
fn RunOutcome(run: ServerAction<RunForContact>) -> impl IntoView {
    move || {
        run.value().get().map(|outcome| match outcome {
            Ok(run_id) => view! {
                <p class="form-success" role="status" data-testid="contact-automation-started">
                    "Started. " <a href=format!("/automations/runs/{run_id}")>"See the run"</a>
                </p>
            }
            .into_any(),
            Err(error) => {
                view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any()
            }
        })
    }
}
