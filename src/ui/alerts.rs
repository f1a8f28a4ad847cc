//! The bell in the sidebar: the unread count, and a panel of the newest
//! alerts that opens on a click (which marks them read).

use leptos::prelude::*;

use crate::api::alerts::{open_alerts, unread_alerts, AlertItem};
use crate::ui::icons::{Icon, IconSvg};
use crate::ui::island::island_ready;

#[island]
pub fn AlertBell() -> impl IntoView {
    let open = RwSignal::new(false);
    // Bumped on each opening, which reads every alert: the count is then
    // zero until the next page load asks again, and the panel loads anew.
    let opened = RwSignal::new(0u32);
    let unread = Resource::new(
        move || opened.get() > 0,
        |read_all| async move {
            if read_all {
                Ok(0)
            } else {
                unread_alerts().await
            }
        },
    );
    let alerts = Resource::new(
        move || (open.get(), opened.get()),
        |(open, _)| async move {
            if open {
                open_alerts().await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    island_ready();
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open {
            opened.update(|count| *count += 1);
        }
    };
    view! {
        <div class="bell">
            <button type="button" class="bell-button" data-testid="alert-bell" aria-label="Alerts"
                aria-expanded=move || open.get().to_string() on:click=toggle>
                <IconSvg icon=Icon::Bell />
                <Transition>
                    {move || Suspend::new(async move {
                        let count = unread.await.unwrap_or(0);
                        (count > 0).then(|| view! {
                            <span class="bell-count" data-testid="alert-count">{count.to_string()}</span>
                        })
                    })}
                </Transition>
            </button>
            <Show when=move || open.get()>
                <div class="bell-panel" role="dialog" aria-label="Alerts" data-testid="alert-panel">
                    <Transition fallback=|| view! { <p class="muted bell-empty">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match alerts.await {
                                Ok(Some(list)) => view! { <AlertList list open /> }.into_any(),
                                Ok(None) => ().into_any(),
                                Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn AlertList(list: Vec<AlertItem>, open: RwSignal<bool>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="muted bell-empty">
                "No alerts yet. An automation's “Alert the team” step puts them here."
            </p>
        }
        .into_any();
    }
    view! {
        <ul class="bell-list">
            {list.into_iter().map(|alert| view! { <AlertEntry alert open /> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn AlertEntry(alert: AlertItem, open: RwSignal<bool>) -> impl IntoView {
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
                // The panel closes as its link leaves for the run's page.
                {alert.run_id.map(|run| view! {
                    <a href=format!("/automations/runs/{run}") on:click=move |_| open.set(false)>"Open the run"</a>
                })}
            </div>
        </li>
    }
}
