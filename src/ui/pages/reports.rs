//! Team reporting: a table per assignee and one per business, sortable,
//! each with its CSV download.

use leptos::prelude::*;

use crate::api::reports::get_team_report;
use crate::reports::model::{DataState, PageTeamReport, ReportTable, SortKey, TeamReport};
use crate::ui::components::PageHeader;
use crate::ui::island::island_ready;
use crate::ui::pages::report_controls::{
    query_filter, FilterBar, FilterChoices, NoData, ReportError, ReportSkeleton, SignInForReports,
    SyncedNote,
};
use crate::ui::workspace::when_signed_in;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <PageHeader title="Reports" subtitle="How each person and each business is doing." />
        <TeamReports />
    }
}

#[component]
fn TeamReports() -> impl IntoView {
    let filter = query_filter();
    let report = Resource::new(
        move || filter.get(),
        |(period, tag, assignee, location)| {
            when_signed_in(move || async move {
                get_team_report(period, tag, assignee, location)
                    .await
                    .map(PageTeamReport)
            })
        },
    );
    view! {
        <div class="report" data-testid="reports">
            <Suspense fallback=|| view! { <ReportSkeleton cards=0 panels=2 /> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(Some(PageTeamReport(report))) => view! { <TeamReportView report /> }.into_any(),
                        Ok(None) => view! { <SignInForReports /> }.into_any(),
                        Err(error) => view! { <ReportError error /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn TeamReportView(report: TeamReport) -> impl IntoView {
    if report.state != DataState::Ready {
        return view! { <NoData state=report.state /> }.into_any();
    }
    let choices = FilterChoices {
        teams: report.teams,
        assignees: report.assignees,
        tags: report.tags,
    };
    let period = report.filter.period.label().to_lowercase();
    view! {
        <div class="report-toolbar">
            <FilterBar path="/reports".to_owned() filter=report.filter choices current_location=None />
            <SyncedNote last_synced=report.last_synced />
        </div>
        <SortableTable
            key="assignees".to_owned()
            title="Tasks by assignee".to_owned()
            subtitle=format!("Open and overdue as of now; completed {period}.")
            table=report.assignee_table
            empty="No tasks match this filter.".to_owned()
        />
        <p class="muted small report-footnote">
            "HighLevel does not record when a task was completed. Tasks already done before Switchboard's first sync count as completed on their due date, and are left out of the median. For the others, time to complete runs from when the task was created to when Switchboard saw it completed."
        </p>
        <SortableTable
            key="businesses".to_owned()
            title="Businesses".to_owned()
            subtitle=format!("Each business's contacts and their tasks and appointments; completed, showed and no-show {period}.")
            table=report.business_table
            empty="No businesses in HighLevel yet, or none with contacts that match this filter.".to_owned()
        />
    }
    .into_any()
}

/// A table whose column headers sort it (again: the other way round).
#[island]
fn SortableTable(
    key: String,
    title: String,
    subtitle: String,
    table: ReportTable,
    empty: String,
) -> impl IntoView {
    island_ready();
    let sort = RwSignal::new(None::<(usize, bool)>);
    let ReportTable {
        columns,
        rows,
        sort_keys,
        csv_href,
    } = table;
    let has_rows = !rows.is_empty();
    let rows: Vec<(Vec<String>, Vec<SortKey>)> = rows.into_iter().zip(sort_keys).collect();
    let ordered = move || {
        let mut rows = rows.clone();
        if let Some((column, descending)) = sort.get() {
            rows.sort_by(|a, b| {
                let order = a.1[column]
                    .partial_cmp(&b.1[column])
                    .unwrap_or(std::cmp::Ordering::Equal);
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        rows
    };
    let header = columns
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            let state = move || match sort.get() {
                Some((sorted, false)) if sorted == index => "ascending",
                Some((sorted, true)) if sorted == index => "descending",
                _ => "none",
            };
            let numeric = index > 0;
            view! {
                <th aria-sort=state class:numeric=numeric>
                    <button
                        type="button"
                        class="report-sort"
                        on:click=move |_| {
                            sort.update(|sort| {
                                *sort = match *sort {
                                    Some((sorted, descending)) if sorted == index => Some((index, !descending)),
                                    _ => Some((index, numeric)),
                                };
                            })
                        }
                    >
                        {column}
                        <span class="report-sort-mark" aria-hidden="true">
                            {move || match state() {
                                "ascending" => "▲",
                                "descending" => "▼",
                                _ => "↕",
                            }}
                        </span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let download = format!("switchboard-{key}.csv");
    view! {
        <section class="card report-table-card" data-testid=format!("table-{key}")>
            <div class="report-table-head">
                <div>
                    <h2 class="card-title">{title}</h2>
                    <p class="muted small">{subtitle}</p>
                </div>
                <a class="button button-secondary button-small" href=csv_href download=download data-testid=format!("csv-{key}")>
                    "Download CSV"
                </a>
            </div>
            {if has_rows {
                view! {
                    <div class="report-table-scroll">
                        <table class="table report-table">
                            <thead>
                                <tr>{header}</tr>
                            </thead>
                            <tbody>
                                {move || {
                                    ordered()
                                        .into_iter()
                                        .map(|(cells, _)| {
                                            view! {
                                                <tr>
                                                    {cells
                                                        .into_iter()
                                                        .enumerate()
                                                        .map(|(index, cell)| view! { <td class:numeric={index > 0}>{cell}</td> })
                                                        .collect_view()}
                                                </tr>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            } else {
                view! { <p class="muted">{empty}</p> }.into_any()
            }}
        </section>
    }
}
