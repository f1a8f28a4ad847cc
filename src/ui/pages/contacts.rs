use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::Icon;

#[component]
pub fn ContactsPage() -> impl IntoView {
    view! {
        <PageHeader title="Contacts" subtitle="Everyone in your HighLevel account, searchable in an instant." />
        <ComingSoon
            icon=Icon::Contacts
            headline="Your contact list"
            items=&[
                "Search, filter by tag, source, assignee or date added, and sort any column",
                "Export exactly what the filter shows as a CSV file",
                "Tag many contacts at once",
                "One page per contact: details, tasks, notes and appointments on a single timeline",
            ]
        />
    }
}
