//! The bell in the sidebar: the unread count, rendered with the page, and a
//! panel for the newest alerts. It is plain HTML (a `<details>`), so it
//! needs no wasm; the page script (`ui::page_script`) fetches the alerts
//! when the panel opens, which spares every page's render reading them.

use leptos::prelude::*;

use crate::api::alerts::unread_alerts;
use crate::ui::icons::{Icon, IconSvg};

#[component]
pub fn AlertBell() -> impl IntoView {
    let unread = Resource::new(|| (), |_| unread_alerts());
    view! {
        <details class="bell" data-bell>
            <summary class="bell-button" data-testid="alert-bell" aria-label="Alerts">
                <IconSvg icon=Icon::Bell />
                <Suspense>
                    {move || Suspend::new(async move {
                        let unread = unread.await.unwrap_or_default();
                        (unread > 0).then(|| view! {
                            <span class="bell-count" data-testid="alert-count">{unread.to_string()}</span>
                        })
                    })}
                </Suspense>
            </summary>
            <div class="bell-panel" role="dialog" aria-label="Alerts" data-testid="alert-panel">
                <p class="muted bell-empty" data-bell-status aria-live="polite">"Loading…"</p>
                <ul class="bell-list" hidden></ul>
            </div>
        </details>
    }
}
