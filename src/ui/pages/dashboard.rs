//! The overview dashboard: headline figures and charts for the filter in
//! the page address.

use leptos::prelude::*;

use crate::api::automations::{automations_today, TodaysRuns};
use crate::api::reports::get_overview;
use crate::app_error::AppError;
use crate::format::thousands;
use crate::reports::model::{Chart, DataState, Figures, Overview, PageOverview};
use crate::ui::components::PageHeader;
use crate::ui::pages::report_controls::{
    query_filter, FilterBar, FilterChoices, NoData, NothingMatches, ReportError, ReportSkeleton,
    SignInForReports, SyncedNote,
};
use crate::ui::workspace::when_signed_in;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageHeader title="Dashboard" subtitle="How your business is doing, at a glance." />
        <Dashboard />
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let filter = query_filter();
    let overview = Resource::new(
        move || filter.get(),
        |(period, tag, assignee, location)| {
            when_signed_in(move || async move {
                get_overview(period, tag, assignee, location)
                    .await
                    .map(PageOverview)
            })
        },
    );
    // Made here, not in the card: a resource made inside the report's
    // `Suspend` is made (and fetched) again each time that part renders.
    let today = Resource::new(|| (), |_| when_signed_in(automations_today));
    view! {
        <div class="report" data-testid="dashboard">
            <Suspense fallback=|| view! { <ReportSkeleton cards=4 panels=4 /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(Some(PageOverview(overview))) => view! { <OverviewView overview today /> }.into_any(),
                        Ok(None) => view! { <SignInForReports /> }.into_any(),
                        Err(error) => view! { <ReportError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn OverviewView(overview: Overview, today: TodaysRunsResource) -> impl IntoView {
    if overview.state != DataState::Ready {
        return view! { <NoData state=overview.state /> }.into_any();
    }
    let choices = FilterChoices {
        teams: overview.teams,
        assignees: overview.assignees,
        tags: overview.tags,
    };
    let nothing = overview.filter.narrows()
        && overview.figures.contacts_total == 0
        && overview.figures.tasks_open == 0
        && overview.by_assignee.iter().all(|row| row.completed == 0);
    let period = overview.filter.period;
    let footnote = format!(
        "Days and weeks are the team's ({}); weeks start on Monday. Show and no-show rates count the period's appointments that have an outcome. Open and overdue tasks are as of now.",
        overview.time_zone
    );
    view! {
        <div class="report-toolbar">
            <FilterBar path="/".to_owned() filter=overview.filter choices current_location=Some(overview.location_id) />
            <SyncedNote last_synced=overview.last_synced />
        </div>
        {if nothing {
            view! { <NothingMatches path="/" /> }.into_any()
        } else {
            view! {
                <Kpis figures=overview.figures period=period.label() />
                <AutomationsCard today />
                <section class="report-grid" aria-label="Charts">
                    {overview.charts.into_iter().map(|chart| view! { <ChartPanel chart /> }).collect_view()}
                </section>
                <p class="muted small report-footnote">
                    {footnote}
                </p>
            }
                .into_any()
        }}
    }
    .into_any()
}

type TodaysRunsResource = Resource<Result<Option<TodaysRuns>, AppError>>;

/// Today's automation runs, for a team that has automations.
#[component]
fn AutomationsCard(today: TodaysRunsResource) -> impl IntoView {
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                today.await.ok().flatten().filter(|today| today.automations > 0).map(|today| {
                    let warn = today.attention > 0;
                    view! {
                        <a class="card auto-today" class:auto-today-warn=warn href="/automations/runs" data-testid="dashboard-automations">
                            <strong>"Automations"</strong>
                            <span>{format!("{} run{} today", today.runs_today, if today.runs_today == 1 { "" } else { "s" })}</span>
                            <span>{format!("{} failed today", today.failed_today)}</span>
                            <span class:auto-today-alert=warn>{format!("{} need{} attention", today.attention, if today.attention == 1 { "s" } else { "" })}</span>
                        </a>
                    }
                })
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Kpis(figures: Figures, period: &'static str) -> impl IntoView {
    let percent =
        |rate: Option<f64>| rate.map_or_else(|| "—".to_owned(), |rate| format!("{rate:.0}%"));
    let outcomes = figures.showed + figures.no_show;
    view! {
        <section class="report-kpis" aria-label="Key figures">
            <Kpi
                key="contacts"
                label="Contacts"
                value=thousands(figures.contacts_total)
                detail=format!("+{} new · {}", thousands(figures.contacts_new), period.to_lowercase())
            />
            <Kpi
                key="tasks"
                label="Open tasks"
                value=thousands(figures.tasks_open)
                detail=format!("{} overdue", thousands(figures.tasks_overdue))
                warn={figures.tasks_overdue > 0}
            />
            <Kpi
                key="appointments"
                label="Appointments, next 7 days"
                value=thousands(figures.appointments_next_7_days)
                detail="From today; not counting cancelled".to_owned()
            />
            <Kpi
                key="show-rate"
                label="Show rate"
                value=percent(figures.show_rate())
                detail=format!(
                    "No-show {} · of {} with an outcome",
                    percent(figures.no_show_rate()),
                    thousands(outcomes),
                )
            />
        </section>
    }
}

#[component]
fn Kpi(
    key: &'static str,
    label: &'static str,
    value: String,
    detail: String,
    #[prop(optional)] warn: bool,
) -> impl IntoView {
    view! {
        <div class="card report-kpi" data-testid=format!("kpi-{key}")>
            <span class="report-kpi-label">{label}</span>
            <span class="report-kpi-value" data-testid=format!("kpi-{key}-value")>{value}</span>
            <span class="report-kpi-detail" class:report-kpi-warn=warn>{detail}</span>
        </div>
    }
}

#[component]
fn ChartPanel(chart: Chart) -> impl IntoView {
    view! {
        <figure class="card report-panel" data-testid=format!("chart-{}", chart.key)>
            <figcaption class="card-title">{chart.title}</figcaption>
            {if chart.empty {
                view! { <p class="report-panel-empty muted">"Nothing to show for this period and filter."</p> }.into_any()
            } else {
                view! { <div class="report-chart" inner_html=chart.svg></div> }.into_any()
            }}
        </figure>
    }
}
