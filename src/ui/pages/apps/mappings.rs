//! The connection page's mappings: the event types the app sends and the
//! HighLevel records sent to it, each with its mapping's state and a link
//! to the mapping builder.

use leptos::prelude::*;

use super::mapping::{delivery_href, mapping_href};
use crate::api::apps_mapping::{mappable_types, MappableType};

#[component]
pub fn Mappings(id: i64, refresh: RwSignal<u32>) -> impl IntoView {
    let types = Resource::new(move || (id, refresh.get()), |(id, _)| mappable_types(id));
    view! {
        <section class="card stack app-mappings" data-testid="mappings">
            <h2 class="card-title">"Field mappings"</h2>
            <p class="muted small">
                "How each kind of event becomes a HighLevel contact, task or note. Each starts from the app's usual fields; real events vary by account, so check it against one of yours: pick a received request as the sample."
            </p>
            <Transition fallback=|| view! { <p class="muted loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match types.await {
                        Ok(lists) => view! {
                            <h3 class="app-mapping-heading">"What the app sends"</h3>
                            {if lists.received.is_empty() {
                                view! { <p class="muted">"No event types yet: send a test event, then map its type."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="app-mapping-list">
                                        {lists.received.into_iter().map(|kind| view! { <MappableRow href=mapping_href(id, &kind.key) kind sent=false /> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h3 class="app-mapping-heading">"What Switchboard sends the app"</h3>
                            <ul class="app-mapping-list" data-testid="sent-mappings">
                                {lists.sent.into_iter().map(|kind| view! { <MappableRow href=delivery_href(id, &kind.key) kind sent=true /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn MappableRow(href: String, kind: MappableType, sent: bool) -> impl IntoView {
    let state = match kind.version {
        Some(version) => format!("Version {version}"),
        None => "Starting mapping".to_owned(),
    };
    let sample = match (sent, kind.picked_sample) {
        (true, _) => "Built from your newest record",
        (false, true) => "Sample: a received request",
        (false, false) => "Sample: the app's example",
    };
    view! {
        <li class="app-mapping" data-testid="mappable-type" data-type=kind.key.clone()>
            <div class="app-card-text">
                <strong>{kind.label}</strong>
                <span class="muted small"><code>{kind.key.clone()}</code>" \u{b7} "{state}" \u{b7} "{sample}</span>
            </div>
            <a class="button button-secondary button-small" href=href>"Edit mapping"</a>
        </li>
    }
}
