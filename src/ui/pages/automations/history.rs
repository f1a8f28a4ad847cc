//! The run history: every run of the team's automations, newest first,
//! filtered by automation, status, contact and period (the filters live in
//! the address, so a filtered view can be shared), sortable, and exported
//! as CSV.

use leptos::prelude::*;

use crate::api::automations::{automation_runs, automations_overview, RunQuery, RunRow};
use crate::automations::model::RunStatus;
use crate::ui::components::PageHeader;

#[island(lazy)]
pub fn RunHistoryPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let query = crate::ui::page_address::query();
    let filters = move || {
        query.with(|q| RunQuery {
            automation_id: q.get("automation").and_then(|id| id.parse().ok()),
            status: q.get("status").filter(|s| !s.is_empty()),
            contact: q.get("contact").filter(|s| !s.is_empty()),
            days: q.get("days").and_then(|days| days.parse().ok()),
        })
    };
    let runs = Resource::new(filters, automation_runs);
    let automations = Resource::new(|| (), |_| automations_overview());
    view! {
        <PageHeader title="Run history" subtitle="Every run of your automations: what started it, how it ended, and what each step sent." />
        <a class="map-back muted small" href="/automations">"\u{2190} Automations"</a>
        <Filters automations current=Signal::derive(filters) />
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading runs…"</p></section> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok(rows) => view! { <RunsTable rows /> }.into_any(),
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Filters(
    automations: Resource<
        Result<crate::api::automations::AutomationsPageData, crate::app_error::AppError>,
    >,
    current: Signal<RunQuery>,
) -> impl IntoView {
    let apply = move |change: &dyn Fn(&mut RunQuery)| {
        let mut query = current.get_untracked();
        change(&mut query);
        let mut parts = Vec::new();
        if let Some(id) = query.automation_id {
            parts.push(format!("automation={id}"));
        }
        for (name, value) in [("status", &query.status), ("contact", &query.contact)] {
            if let Some(value) = value {
                let encoded = percent_encoding::utf8_percent_encode(
                    value,
                    percent_encoding::NON_ALPHANUMERIC,
                );
                parts.push(format!("{name}={encoded}"));
            }
        }
        if let Some(days) = query.days {
            parts.push(format!("days={days}"));
        }
        crate::ui::island::go_to(&format!("/automations/runs?{}", parts.join("&")));
    };
    let apply = StoredValue::new(apply);
    view! {
        <section class="card auto-filters" data-testid="run-filters">
            <div class="ws-field">
                <label for="runs-automation">"Automation"</label>
                <select id="runs-automation" data-testid="filter-automation"
                    prop:value=move || current.get().automation_id.map(|id| id.to_string()).unwrap_or_default()
                    on:change=move |ev| { let value = event_target_value(&ev); apply.with_value(|apply| apply(&|q| q.automation_id = value.parse().ok())); }>
                    <option value="">"All"</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            automations.await.map(|page| page.automations.into_iter().map(|card| view! {
                                <option value=card.id.to_string()>{card.name}</option>
                            }).collect_view()).unwrap_or_default()
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="ws-field">
                <label for="runs-status">"Status"</label>
                <select id="runs-status" data-testid="filter-status"
                    prop:value=move || current.get().status.unwrap_or_default()
                    on:change=move |ev| { let value = event_target_value(&ev); apply.with_value(|apply| apply(&|q| q.status = Some(value.clone()).filter(|v| !v.is_empty()))); }>
                    <option value="">"Any"</option>
                    {RunStatus::ALL.into_iter().map(|status| view! { <option value=status.key()>{status.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="ws-field">
                <label for="runs-contact">"Contact"</label>
                <input id="runs-contact" type="search" placeholder="e-mail, phone or id" data-testid="filter-contact"
                    prop:value=move || current.get().contact.unwrap_or_default()
                    on:change=move |ev| { let value = event_target_value(&ev); apply.with_value(|apply| apply(&|q| q.contact = Some(value.clone()).filter(|v| !v.trim().is_empty()))); } />
            </div>
            <div class="ws-field">
                <label for="runs-days">"Period"</label>
                <select id="runs-days" prop:value=move || current.get().days.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| { let value = event_target_value(&ev); apply.with_value(|apply| apply(&|q| q.days = value.parse().ok())); }>
                    <option value="">"Last 30 days"</option>
                    <option value="1">"Today and yesterday"</option>
                    <option value="7">"Last 7 days"</option>
                </select>
            </div>
        </section>
    }
    .into_any()
}

/// Which column sorts the table, and which way.
#[derive(Clone, Copy, PartialEq)]
enum Sort {
    Newest,
    Oldest,
    Status,
    Automation,
}

/// The runs as a table, sortable by its headers, with a CSV of what it shows.
#[component]
pub fn RunsTable(rows: Vec<RunRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <section class="card stack" data-testid="runs-empty">
                <h2>"No runs here"</h2>
                <p class="muted">"Runs show up as soon as an automation that is on gets an event, or when you test one. Change the filters to see others."</p>
            </section>
        }
        .into_any();
    }
    let sort = RwSignal::new(Sort::Newest);
    let rows = StoredValue::new(rows);
    let sorted = move || {
        let mut rows = rows.get_value();
        match sort.get() {
            Sort::Newest => {}
            Sort::Oldest => rows.reverse(),
            Sort::Status => rows.sort_by(|a, b| a.status_label.cmp(&b.status_label)),
            Sort::Automation => rows.sort_by(|a, b| a.automation.cmp(&b.automation)),
        }
        rows
    };
    let csv = rows.with_value(|rows| csv_of(rows));
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        percent_encoding::utf8_percent_encode(&csv, percent_encoding::NON_ALPHANUMERIC)
    );
    view! {
        <section class="card auto-runs" data-testid="runs">
            <div class="auto-list-head">
                <span class="muted small">{rows.with_value(Vec::len)}" runs"</span>
                <a class="button button-secondary button-small" download="automation-runs.csv" href=href data-testid="runs-export">"Export CSV"</a>
            </div>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <SortHeader label="Run" by=Sort::Newest sort />
                        <SortHeader label="Automation" by=Sort::Automation sort />
                        <SortHeader label="Status" by=Sort::Status sort />
                        <th>"Started by"</th><th>"Contact"</th><th>"Queued"</th><th>"Took"</th>
                    </tr></thead>
                    <tbody>
                        {move || sorted().into_iter().map(|run| view! { <RunLine run /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

/// A column header that sorts by its column; "Run" again turns newest first
/// into oldest first.
#[component]
fn SortHeader(label: &'static str, by: Sort, sort: RwSignal<Sort>) -> impl IntoView {
    view! {
        <th>
            <button type="button" class="auto-sort" class:auto-sorted=move || sort.get() == by
                on:click=move |_| sort.set(if by == Sort::Newest && sort.get_untracked() == Sort::Newest { Sort::Oldest } else { by })>
                {label}
            </button>
        </th>
    }
    .into_any()
}

#[component]
fn RunLine(run: RunRow) -> impl IntoView {
    view! {
        <tr data-testid="run-row" data-status=run.status.clone()>
            <td><a href=format!("/automations/runs/{}", run.id)>{format!("#{}", run.id)}</a></td>
            <td>{run.automation.clone()}</td>
            <td><RunStatusPill run=run.clone() /></td>
            <td class="small">{run.trigger.clone()}</td>
            <td class="small">{run.subject.clone()}</td>
            <td class="small muted">{run.queued_at.clone()}</td>
            <td class="small muted">{run.duration.clone()}</td>
        </tr>
    }
    .into_any()
}

/// A run's status, as a pill; a test run says so.
#[component]
pub fn RunStatusPill(run: RunRow) -> impl IntoView {
    view! {
        <span class=format!("pill run-{}", run.status) data-testid="run-status">{run.status_label}</span>
        {run.waiting_until.map(|at| view! { <span class="small" data-testid="run-waiting">{format!(" waiting until {at}")}</span> })}
        {run.test.then(|| view! { <span class="muted small">" test"</span> })}
    }
}

fn csv_of(rows: &[RunRow]) -> String {
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut csv = String::from("run,automation,status,started by,contact,queued,took,error\n");
    for run in rows {
        let fields = [
            run.id.to_string(),
            run.automation.clone(),
            match &run.waiting_until {
                Some(at) => format!("{} (waiting until {at})", run.status_label),
                None => run.status_label.clone(),
            },
            run.trigger.clone(),
            run.subject.clone(),
            run.queued_at.clone(),
            run.duration.clone(),
            run.error.clone().unwrap_or_default(),
        ];
        csv.push_str(
            &fields
                .iter()
                .map(|field| quote(field))
                .collect::<Vec<_>>()
                .join(","),
        );
        csv.push('\n');
    }
    csv
}
