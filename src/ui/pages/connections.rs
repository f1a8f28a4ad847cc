use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::Icon;

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    view! {
        <PageHeader title="Connections" subtitle="The accounts and apps Switchboard talks to." />
        <ComingSoon
            icon=Icon::Connections
            headline="Connect HighLevel and your other apps"
            items=&[
                "Sign in with HighLevel, or add a Private Integration Token",
                "See each connection's permissions, token health and API budget used today",
                "Connect Clubworx, Club OS, GymFlow, ConvertCalculator, Workiom or any webhook app",
                "Map their fields to HighLevel fields with a form",
            ]
        />
    }
}
