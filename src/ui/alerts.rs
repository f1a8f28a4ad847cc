//! The bell in the sidebar: the unread count, and a panel of the newest
//! alerts. It is plain HTML rendered with the page (a `<details>`), so it
//! needs no wasm; the page script (`ui::page_script`) reads the alerts when
//! the panel opens.

use leptos::prelude::*;

use crate::api::alerts::{bell_alerts, AlertItem, Bell};
use crate::ui::icons::{Icon, IconSvg};

#[component]
pub fn AlertBell() -> impl IntoView {
    let bell = Resource::new(|| (), |_| bell_alerts());
    let loaded = move || async move { bell.await.unwrap_or_default() };
    view! {
        <details class="bell" data-bell>
            <summary class="bell-button" data-testid="alert-bell" aria-label="Alerts">
                <IconSvg icon=Icon::Bell />
                <Suspense>
                    {move || Suspend::new(async move {
                        let unread = loaded().await.unread;
                        (unread > 0).then(|| view! {
                            <span class="bell-count" data-testid="alert-count">{unread.to_string()}</span>
                        })
                    })}
                </Suspense>
            </summary>
            <div class="bell-panel" role="dialog" aria-label="Alerts" data-testid="alert-panel">
                <Suspense fallback=|| view! { <p class="muted bell-empty">"Loading…"</p> }>
                    {move || Suspend::new(async move { view! { <AlertList bell=loaded().await /> } })}
                </Suspense>
            </div>
        </details>
    }
}

#[component]
fn AlertList(bell: Bell) -> impl IntoView {
    let Some(newest) = bell.recent.first().map(|alert| alert.id) else {
        return view! {
            <p class="muted bell-empty">
                "No alerts yet. An automation's “Alert the team” step puts them here."
            </p>
        }
        .into_any();
    };
    view! {
        <ul class="bell-list" data-newest=newest.to_string()>
            {bell.recent.into_iter().map(|alert| view! { <AlertEntry alert /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AlertEntry(alert: AlertItem) -> impl IntoView {
    let class = if alert.unread {
        "bell-item unread"
    } else {
        "bell-item"
    };
    view! {
        <li class=class>
            <div class="bell-item-head">
                <strong>{alert.title}</strong>
                {alert.personal.then(|| view! { <span class="pill pill-muted">"For you"</span> })}
            </div>
            {(!alert.body.is_empty()).then(|| view! { <p class="bell-body">{alert.body}</p> })}
            <div class="bell-meta muted">
                <span>{alert.when}</span>
                {alert.run_id.map(|run| view! {
                    <a href=format!("/automations/runs/{run}")>"Open the run"</a>
                })}
            </div>
        </li>
    }
}
