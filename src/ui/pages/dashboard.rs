use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::{Icon, IconSvg};

const FIRST_STEPS: [(&str, &str, &str, Icon); 3] = [
    (
        "Connect HighLevel",
        "Sign in with your HighLevel account so Switchboard can read your contacts.",
        "/connections",
        Icon::Connections,
    ),
    (
        "Work your contacts",
        "Search, tag and follow up with everyone from one list.",
        "/contacts",
        Icon::Contacts,
    ),
    (
        "Automate the busywork",
        "Connect your gym software and let new sign-ups flow into HighLevel.",
        "/automations",
        Icon::Automations,
    ),
];

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageHeader title="Dashboard" subtitle="How your business is doing, at a glance." />
        <section class="steps" aria-label="Getting started">
            {FIRST_STEPS
                .into_iter()
                .enumerate()
                .map(|(index, (title, text, href, icon))| {
                    view! {
                        <a class="card step" href=href>
                            <span class="step-number">{index + 1}</span>
                            <IconSvg icon class="step-icon" />
                            <h2>{title}</h2>
                            <p class="muted">{text}</p>
                        </a>
                    }
                })
                .collect_view()}
        </section>
        <ComingSoon
            icon=Icon::Dashboard
            headline="Reports for your whole team"
            items=&[
                "New contacts per day or week, by source and by tag",
                "Open and overdue tasks for each team member",
                "Appointments in the next 7 days, with show and no-show rates",
                "Filters for the period, tag, assignee and location",
            ]
        />
    }
}
