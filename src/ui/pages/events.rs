//! Incoming events: the HighLevel webhooks the team received, newest first,
//! with how each was handled and its body.

use leptos::prelude::*;

use crate::api::events::{event_body, list_events, EventView, EventsOverview, RetryEvent};
use crate::ui::components::PageHeader;

const STATUSES: [(&str, &str); 7] = [
    ("", "Any status"),
    ("done", "Applied"),
    ("queued", "Waiting"),
    ("failed", "Failed"),
    ("rejected", "Rejected"),
    ("ignored", "Ignored"),
    ("processing", "Applying"),
];

#[island(lazy)]
pub fn EventsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let status = RwSignal::new(String::new());
    let event_type = RwSignal::new(String::new());
    let refresh = RwSignal::new(0u32);
    let retry = ServerAction::<RetryEvent>::new();
    let events = Resource::new(
        move || {
            (
                status.get(),
                event_type.get(),
                refresh.get(),
                retry.version().get(),
            )
        },
        |(status, event_type, _, _)| list_events(Some(status), Some(event_type)),
    );
    view! {
        <PageHeader
            title="Incoming events"
            subtitle="What HighLevel told Switchboard about changes, and what became of each."
        >
            <button
                type="button"
                class="button button-secondary"
                on:click=move |_| refresh.update(|n| *n += 1)
            >
                "Refresh"
            </button>
        </PageHeader>
        <Suspense fallback=|| {
            view! {
                <section class="card">
                    <p class="muted loading">"Loading events…"</p>
                </section>
            }
        }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) if !page.any => view! { <NoEvents url=page.webhook_url /> }.into_any(),
                    Ok(page) => view! { <EventList page status event_type retry /> }.into_any(),
                    Err(error) => {
                        view! {
                            <section class="card">
                                <p class="form-error">{error.to_string()}</p>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn NoEvents(url: String) -> impl IntoView {
    view! {
        <section class="card stack events-empty" data-testid="events-empty">
            <h2>"No events yet"</h2>
            <p class="muted">
                "HighLevel sends them when contacts, tasks, notes or appointments change. Your webhook URL is:"
            </p>
            <code class="events-url" data-testid="webhook-url">{url}</code>
            <p class="muted small">
                "Paste it as the webhook URL in your HighLevel app's settings (Marketplace → your app → Advanced settings → Webhooks)."
            </p>
        </section>
    }
}

#[component]
fn EventList(
    page: EventsOverview,
    status: RwSignal<String>,
    event_type: RwSignal<String>,
    retry: ServerAction<RetryEvent>,
) -> impl IntoView {
    let shown = page.events.len();
    let retry_error = move || match retry.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <section class="card events-card">
            <div class="events-filters">
                <label>
                    <span>"Status"</span>
                    <select
                        data-testid="status-filter"
                        prop:value=move || status.get()
                        on:change=move |ev| status.set(event_target_value(&ev))
                    >
                        {STATUSES
                            .into_iter()
                            .map(|(value, label)| view! { <option value=value>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    <span>"Type"</span>
                    <select
                        data-testid="type-filter"
                        prop:value=move || event_type.get()
                        on:change=move |ev| event_type.set(event_target_value(&ev))
                    >
                        <option value="">"Any type"</option>
                        {page
                            .types
                            .into_iter()
                            .map(|kind| view! { <option value=kind.clone()>{kind.clone()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <span class="muted events-count">{format!("{shown} shown, newest first")}</span>
            </div>
            {move || retry_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {if page.events.is_empty() {
                view! { <p class="muted events-none">"No events match these filters."</p> }.into_any()
            } else {
                view! {
                    <div class="events-scroll">
                        <table class="table events-table" data-testid="events">
                            <thead>
                                <tr>
                                    <th>"Received"</th>
                                    <th>"Type"</th>
                                    <th>"Signature"</th>
                                    <th>"Status"</th>
                                    <th>"What happened"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .events
                                    .into_iter()
                                    .map(|event| view! { <EventRow event retry /> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn EventRow(event: EventView, retry: ServerAction<RetryEvent>) -> impl IntoView {
    let open = RwSignal::new(false);
    let id = event.id;
    let (pill, label) = status_look(&event.status);
    let signature = if event.verified {
        format!("✓ {}", event.signature)
    } else {
        format!("✗ {}", event.signature)
    };
    let what = [event.problem.clone(), event.outcome.clone()]
        .into_iter()
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let attempts = (event.attempts > 1).then(|| format!(" ({} attempts)", event.attempts));
    view! {
        <tr data-testid="event" data-status=event.status.clone()>
            <td class="events-time">{event.received_at}</td>
            <td>
                <code>{event.event_type}</code>
            </td>
            <td class=if event.verified { "events-verified" } else { "events-unverified" }>
                {signature}
            </td>
            <td>
                <span class=pill>{label}</span>
                {attempts}
            </td>
            <td class="events-what">{what}</td>
            <td>
                <div class="events-actions">
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        {move || if open.get() { "Hide body" } else { "View body" }}
                    </button>
                    {event
                        .can_retry
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-small"
                                    on:click=move |_| {
                                        retry.dispatch(RetryEvent { id });
                                    }
                                >
                                    "Retry"
                                </button>
                            }
                        })}
                </div>
            </td>
        </tr>
        <Show when=move || open.get()>
            <tr class="events-body-row">
                <td colspan="6">
                    <EventBodyView id />
                </td>
            </tr>
        </Show>
    }
}

#[component]
fn EventBodyView(id: i64) -> impl IntoView {
    let body = Resource::new(move || id, event_body);
    view! {
        <Suspense fallback=|| view! { <p class="muted loading">"Loading the body…"</p> }>
            {move || Suspend::new(async move {
                match body.await {
                    Ok(found) => {
                        view! {
                            <div class="events-body">
                                <div>
                                    <h3>"Body as received"</h3>
                                    <pre data-testid="event-body">{found.body}</pre>
                                </div>
                                {found
                                    .outcome
                                    .map(|outcome| {
                                        view! {
                                            <div>
                                                <h3>"Outcome"</h3>
                                                <pre>{outcome}</pre>
                                            </div>
                                        }
                                    })}
                            </div>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_look(status: &str) -> (&'static str, &'static str) {
    match status {
        "done" => ("pill pill-ok", "Applied"),
        "queued" => ("pill events-pill-waiting", "Waiting"),
        "processing" => ("pill events-pill-waiting", "Applying"),
        "failed" => ("pill pill-danger", "Failed"),
        "rejected" => ("pill pill-danger", "Rejected"),
        _ => ("pill events-pill-ignored", "Ignored"),
    }
}
