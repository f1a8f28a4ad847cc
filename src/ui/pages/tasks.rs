use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::Icon;

#[component]
pub fn TasksPage() -> impl IntoView {
    view! {
        <PageHeader title="Tasks" subtitle="Follow-ups for you and your team." />
        <ComingSoon
            icon=Icon::Tasks
            headline="Every task in one list"
            items=&[
                "Your tasks and the whole team's, overdue first",
                "Complete a task in place; HighLevel is updated straight away",
                "Filter by assignee and due date",
            ]
        />
    }
}
