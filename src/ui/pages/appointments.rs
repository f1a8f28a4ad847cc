use leptos::prelude::*;

use crate::ui::components::{ComingSoon, PageHeader};
use crate::ui::icons::Icon;

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    view! {
        <PageHeader title="Appointments" subtitle="Who is coming in, week by week." />
        <ComingSoon
            icon=Icon::Appointments
            headline="Your calendar at a glance"
            items=&[
                "Upcoming appointments across every calendar, grouped by week",
                "Status of each booking: confirmed, showed, no-show or cancelled",
                "Jump from an appointment to the contact's full history",
            ]
        />
    }
}
