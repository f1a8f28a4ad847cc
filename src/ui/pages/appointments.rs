//! Appointments: what is coming up, one week at a time.

use leptos::prelude::*;

use crate::api::appointments::appointments_week;
use crate::ui::components::PageHeader;
use crate::ui::page_address::from_query;
use crate::ui::workspace::{when_signed_in, EmptyState, SignInFirst};
use crate::workspace::model::{AppointmentDay, AppointmentWeek};

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let week = from_query(|query| {
        query
            .get("week")
            .and_then(|week| week.parse::<i32>().ok())
            .unwrap_or(0)
    });
    let appointments = Resource::new(
        move || week.get(),
        |week| when_signed_in(move || appointments_week(week)),
    );
    view! {
        <PageHeader title="Appointments" subtitle="Who is coming in, week by week." />
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading appointments…"</p></section> }>
            {move || Suspend::new(async move {
                match appointments.await {
                    Ok(Some(week)) => view! { <Week week /> }.into_any(),
                    Ok(None) => view! { <SignInFirst what="your appointments" /> }.into_any(),
                    Err(error) => view! { <EmptyState title="Appointments could not be shown" detail=error.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Week(week: AppointmentWeek) -> impl IntoView {
    let heading = match week.week {
        0 => "This week".to_owned(),
        1 => "Next week".to_owned(),
        -1 => "Last week".to_owned(),
        _ => "Week".to_owned(),
    };
    let empty = week.days.is_empty();
    let count = match week.total {
        1 => "1 appointment".to_owned(),
        n => format!("{n} appointments"),
    };
    view! {
        <nav class="ws-week-nav" aria-label="Weeks">
            <a class="button button-secondary button-small" href=format!("/appointments?week={}", week.week - 1)>"← Earlier"</a>
            <div class="ws-week-title">
                <strong data-testid="week-heading">{heading}</strong>
                <span class="muted">{week.label.clone()}</span>
            </div>
            <a class="button button-secondary button-small" href=format!("/appointments?week={}", week.week + 1)>"Later →"</a>
        </nav>
        {if empty {
            view! {
                <EmptyState
                    title="No appointments this week"
                    detail="Appointments booked in HighLevel's calendars show up here once Switchboard has copied them.".into()
                >
                    {(week.week != 0).then(|| view! { <a class="button button-secondary" href="/appointments">"Back to this week"</a> })}
                </EmptyState>
            }
            .into_any()
        } else {
            view! {
                <p class="ws-count">{count}</p>
                <div class="ws-days" data-testid="appointment-days">
                    {week.days.into_iter().map(|day| view! { <Day day /> }).collect_view()}
                </div>
            }
            .into_any()
        }}
    }
}

#[component]
fn Day(day: AppointmentDay) -> impl IntoView {
    view! {
        <section class="card ws-day">
            <h2 class="ws-day-title">
                {day.label}
                {day.today.then(|| view! { <span class="pill pill-ok">"Today"</span> })}
            </h2>
            <ul class="ws-appointments">
                {day
                    .appointments
                    .into_iter()
                    .map(|appointment| {
                        let status_class = match appointment.status.as_str() {
                            "confirmed" | "showed" => "pill pill-ok",
                            "cancelled" | "noshow" | "invalid" => "pill pill-danger",
                            _ => "pill ws-pill-neutral",
                        };
                        let who = appointment.contact_id.clone().map(|id| {
                            let name = appointment.contact_name.clone().unwrap_or_else(|| "Contact".into());
                            view! { <a href=format!("/contacts/{id}")>{name}</a> }
                        });
                        let details: Vec<String> = [appointment.calendar.clone(), appointment.assignee.clone()]
                            .into_iter()
                            .flatten()
                            .collect();
                        view! {
                            <li class="ws-appointment" data-testid="appointment">
                                <span class="ws-time">{appointment.time}</span>
                                <div class="ws-task-main">
                                    <p class="ws-entry-title">{appointment.title}</p>
                                    <p class="ws-task-meta">{who}<span class="muted">{details.join(" · ")}</span></p>
                                </div>
                                <span class=status_class>{appointment.status}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
