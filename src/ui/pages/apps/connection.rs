//! One connection: where the app sends, how requests are checked, and every
//! request it received, with a listening mode that shows new ones as they
//! arrive.

use leptos::prelude::*;

use super::mapping::mapping_href;
use super::mappings::Mappings;
use super::AppTileView;
use crate::api::apps::{app_connection, app_incoming, ConnectionDetail, IncomingRequest};
use crate::api::apps_mapping::UseAsSample;
use crate::ui::components::PageHeader;

/// How often a listening page asks for new requests.
const LISTEN_EVERY_MS: u64 = 1_500;

#[island(lazy)]
pub fn AppConnectionPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let params = crate::ui::page_address::params();
    let id = params.with_untracked(|p| {
        p.get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let detail = Resource::new(move || id, app_connection);
    // The cards below make their own resources; they stand outside the
    // details' `Suspend` so that each is made once, at the island's top,
    // in the same order on the server and in the browser.
    let can_change = Signal::derive(move || {
        detail
            .get()
            .and_then(Result::ok)
            .is_some_and(|detail| detail.can_change)
    });
    view! {
        <PageHeader title="App connection" subtitle="Where the app sends its events, and every request that arrived." />
        <Suspense fallback=|| view! { <section class="card"><p class="muted loading">"Loading the connection…"</p></section> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <Details detail /> }.into_any(),
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
        <ConnectionMappings id can_change />
        <super::outbound::Outbound id can_change />
        <super::read_api::ReadApi id can_change />
    }
}

#[component]
fn Details(detail: ConnectionDetail) -> impl IntoView {
    let recipes = (
        format!("/automations/templates?app={}", detail.tile.key),
        format!("Ready-made automations for {}", detail.tile.name),
    );
    view! {
        <section class="card stack app-connection" data-testid="app-connection">
            <div class="app-heading">
                <AppTileView tile=detail.tile.clone() />
                <div>
                    <h2 class="card-title">{detail.name}</h2>
                    <span class="muted small">{detail.tile.name}</span>
                </div>
            </div>
            <dl class="facts">
                <dt>"Web address"</dt>
                <dd><code data-testid="webhook-url">{detail.webhook_url}</code></dd>
                <dt>"Checked by"</dt>
                <dd>{detail.signing}</dd>
                <dt>"Event type"</dt>
                <dd>{detail.event_type}</dd>
            </dl>
            <a class="button button-secondary button-small app-recipes-link" data-testid="connection-recipes"
                href=recipes.0>
                {recipes.1}
            </a>
        </section>
    }
}

/// The mappings card and the incoming requests, which can pick a sample
/// for it: picking one refreshes the card.
#[component]
fn ConnectionMappings(id: i64, can_change: Signal<bool>) -> impl IntoView {
    let pick = ServerAction::<UseAsSample>::new();
    let refresh = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(pick.value().get(), Some(Ok(_))) {
            refresh.update(|n| *n += 1);
        }
    });
    view! {
        <Mappings id refresh />
        <Incoming id pick can_pick=can_change />
    }
}

#[component]
fn Incoming(id: i64, pick: ServerAction<UseAsSample>, can_pick: Signal<bool>) -> impl IntoView {
    let listening = RwSignal::new(false);
    let tick = RwSignal::new(0u32);
    // The newest id when listening began: later ones are marked new.
    let seen_before = RwSignal::new(i64::MAX);
    let requests = Resource::new(move || (id, tick.get()), |(id, _)| app_incoming(id, 0));
    Effect::new(move |_| {
        if !listening.get() {
            return;
        }
        if let Ok(handle) = set_interval_with_handle(
            move || tick.update(|n| *n += 1),
            std::time::Duration::from_millis(LISTEN_EVERY_MS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let toggle = move |_| {
        let newest = requests
            .get_untracked()
            .and_then(|found| found.ok())
            .and_then(|rows| rows.first().map(|row| row.id))
            .unwrap_or(0);
        seen_before.set(newest);
        listening.update(|on| *on = !*on);
    };
    view! {
        <section class="card stack app-incoming" data-testid="incoming">
            <div class="app-incoming-head">
                <h2 class="card-title">"Incoming"</h2>
                <button type="button" class="button button-secondary" on:click=toggle data-testid="listen">
                    {move || if listening.get() { "Stop listening" } else { "Listen for a test event" }}
                </button>
            </div>
            <Show when=move || listening.get()>
                <p class="muted small" role="status">"Listening: send an event from the app; it appears here as it arrives."</p>
            </Show>
            <super::sample::SendSample id />
            <Transition fallback=|| view! { <p class="muted loading">"Loading requests…"</p> }>
                {move || Suspend::new(async move {
                    match requests.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="muted" data-testid="incoming-empty">"Nothing has arrived yet. Paste the web address and secret into the app, then send a test event."</p>
                        }.into_any(),
                        Ok(rows) => view! { <RequestList id rows seen_before=seen_before.get_untracked() pick=can_pick.get().then_some(pick) /> }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || pick.value().get().map(|picked| match picked {
                Ok(event_type) => view! {
                    <p class="app-created small" role="status" data-testid="sample-picked">
                        {format!("The sample of \u{201c}{event_type}\u{201d} is now that request. ")}
                        <a href=mapping_href(id, &event_type)>"Map it"</a>
                    </p>
                }.into_any(),
                Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn RequestList(
    id: i64,
    rows: Vec<IncomingRequest>,
    seen_before: i64,
    pick: Option<ServerAction<UseAsSample>>,
) -> impl IntoView {
    view! {
        <div class="events-scroll">
            <table class="table" data-testid="incoming-requests">
                <thead>
                    <tr>
                        <th>"Received"</th>
                        <th>"Event type"</th>
                        <th>"Status"</th>
                        <th>"Reason"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let new = row.id > seen_before;
                        view! { <RequestRow id row new pick /> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn RequestRow(
    id: i64,
    row: IncomingRequest,
    new: bool,
    pick: Option<ServerAction<UseAsSample>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let (pill, label) = if row.accepted {
        ("pill pill-ok", "Received")
    } else {
        ("pill pill-danger", "Refused")
    };
    let body = row.body.clone();
    let request_id = row.id;
    let pickable = pick.filter(|_| row.accepted && row.event_type.is_some());
    view! {
        <tr data-testid="incoming-request" data-status=if row.accepted { "received" } else { "refused" }>
            <td>
                {row.received_at}
                {new.then(|| view! { <span class="pill pill-new">"New"</span> })}
            </td>
            <td>{row.event_type.unwrap_or_else(|| "—".into())}</td>
            <td><span class=pill>{label}</span></td>
            <td class="muted">{row.problem}</td>
            <td class="app-request-actions">
                <button type="button" class="button button-secondary button-small" on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Hide body" } else { "View body" }}
                </button>
                {pickable.map(|pick| view! {
                    <button type="button" class="button button-secondary button-small" data-testid="use-as-sample"
                        on:click=move |_| { pick.dispatch(UseAsSample { connection_id: id, request_id }); }>
                        "Use as sample"
                    </button>
                })}
            </td>
        </tr>
        <Show when=move || open.get()>
            <tr>
                <td colspan="5"><pre class="event-body" data-testid="incoming-body">{body.clone()}</pre></td>
            </tr>
        </Show>
    }
}
