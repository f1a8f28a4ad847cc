use leptos::prelude::*;

use crate::api::system::{get_installation_facts, InstallationFacts};
use crate::ui::components::PageHeader;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_installation_facts());
    view! {
        <PageHeader title="Settings" subtitle="How this Switchboard installation is set up." />
        <section class="card">
            <h2 class="card-title">"This installation"</h2>
            <Suspense fallback=|| {
                view! { <p class="muted loading">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    status.await.map(|status| view! { <FactsList facts=status /> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn FactsList(facts: InstallationFacts) -> impl IntoView {
    let database = if facts.embedded_database {
        "Built-in (started by Switchboard in its data folder)"
    } else {
        "Your own Postgres (DATABASE_URL)"
    };
    view! {
        <dl class="facts" data-testid="system-status">
            <dt>"Version"</dt>
            <dd>{facts.version}</dd>
            <dt>"Database"</dt>
            <dd>{database}</dd>
            <dt>"Running since"</dt>
            <dd>{facts.installed_at}</dd>
            <dt>"Server starts"</dt>
            <dd data-testid="server-starts">{facts.server_starts}</dd>
        </dl>
    }
}
