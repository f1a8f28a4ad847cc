//! "Send a sample event", in sandbox mode, for owners and admins: the
//! sandbox's simulated app sends one event of a chosen type to the
//! connection, signed as its form says, and the door's answer is shown.
//! With "Listen for a test event" on, the event appears in the list.

use leptos::prelude::*;

use crate::api::apps_sample::{sample_event_choices, SampleEventType, SampleSent, SendSampleEvent};
use crate::ui::workspace::{refusal_of, FieldError};

#[component]
pub fn SendSample(id: i64) -> impl IntoView {
    let choices = Resource::new(move || id, sample_event_choices);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) if choices.sandbox && choices.can_send && !choices.events.is_empty() => {
                        view! { <SampleForm id events=choices.events /> }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn SampleForm(id: i64, events: Vec<SampleEventType>) -> impl IntoView {
    let send = ServerAction::<SendSampleEvent>::new();
    let chosen = RwSignal::new(
        events
            .first()
            .map(|event| event.key.clone())
            .unwrap_or_default(),
    );
    let problem = Signal::derive(move || refusal_of(send.value().get()));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        send.dispatch(SendSampleEvent {
            connection_id: id,
            event_type: chosen.get(),
        });
    };
    let options = events
        .into_iter()
        .map(|event| {
            view! { <option value=event.key.clone()>{format!("{} ({})", event.label, event.key)}</option> }
        })
        .collect_view();
    view! {
        <form class="app-sample" on:submit=submit data-testid="send-sample">
            <div class="ws-field">
                <label for=format!("sample-event-{id}")>"Sample event (sandbox)"</label>
                <select
                    id=format!("sample-event-{id}")
                    prop:value=chosen
                    on:change=move |ev| chosen.set(event_target_value(&ev))
                    data-testid="sample-event-type"
                >
                    {options}
                </select>
                <FieldError problem field="event_type" />
            </div>
            <button type="submit" class="button button-secondary" disabled=move || send.pending().get() data-testid="send-sample-button">
                {move || if send.pending().get() { "Sending…" } else { "Send a sample event" }}
            </button>
        </form>
        <div aria-live="polite">
            {move || match send.value().get() {
                Some(Ok(sent)) => view! { <SampleResult sent /> }.into_any(),
                _ => view! { <FieldError problem field="" /> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn SampleResult(sent: SampleSent) -> impl IntoView {
    let headline = match sent.status {
        Some(status) if sent.accepted => {
            format!(
                "Sent \u{201c}{}\u{201d}: Switchboard answered {status}.",
                sent.event_type
            )
        }
        Some(status) => format!(
            "Sent \u{201c}{}\u{201d}, but Switchboard refused it ({status}).",
            sent.event_type
        ),
        None => format!("\u{201c}{}\u{201d} could not be sent.", sent.event_type),
    };
    let class = if sent.accepted {
        "muted small app-sample-result"
    } else {
        "form-error app-sample-result"
    };
    view! {
        <p class=class data-testid="sample-result" data-accepted=sent.accepted.to_string()>
            <strong>{headline}</strong>
            " "
            {sent.message}
        </p>
    }
}
