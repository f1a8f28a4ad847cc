use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::Icon;

#[component]
pub fn AutomationsPage() -> impl IntoView {
    view! {
        <PageHeader title="Automations" subtitle="Let your apps work together without code." />
        <ComingSoon
            icon=Icon::Automations
            headline="When this happens, do that"
            items=&[
                "Start from an event in HighLevel or in a connected app",
                "Keep only the events you care about with simple filters",
                "Create or update contacts, add tags, create tasks, or call another app",
                "See every run, what it did, and retry the ones that failed",
            ]
        />
    }
}
