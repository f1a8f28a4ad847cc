//! Team reporting: a table per assignee and one per business, sortable,
//! each with its CSV download.

use leptos::prelude::*;

use crate::api::reports::get_team_report;
use crate::reports::model::{DataState, PageTeamReport, ReportTable, SortKey, TeamReport};
use crate::ui::components::PageHeader;
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
            key="assignees"
            title="Tasks by assignee"
            subtitle=format!("Open and overdue as of now; completed {period}.")
            table=report.assignee_table
            empty="No tasks match this filter."
        />
        <p class="muted small report-footnote">
            "HighLevel does not record when a task was completed. Tasks already done before Switchboard's first sync count as completed on their due date, and are left out of the median. For the others, time to complete runs from when the task was created to when Switchboard saw it completed."
        </p>
        <SortableTable
            key="businesses"
            title="Businesses"
            subtitle=format!("Each business's contacts and their tasks and appointments; completed, showed and no-show {period}.")
            table=report.business_table
            empty="No businesses in HighLevel yet, or none with contacts that match this filter."
        />
    }
    .into_any()
}

/// A table whose column headers sort it (again: the other way round). The
/// page script sorts by each cell's `data-sort` (text) or `data-sort-number`,
/// so the reports load no wasm.
#[component]
fn SortableTable(
    key: &'static str,
    title: &'static str,
    subtitle: String,
    table: ReportTable,
    empty: &'static str,
) -> impl IntoView {
    let ReportTable {
        columns,
        rows,
        sort_keys,
        csv_href,
    } = table;
    let body = (!rows.is_empty()).then(|| {
        rows.into_iter()
            .zip(sort_keys)
            .map(|(cells, keys)| view! { <tr>{cells.into_iter().zip(keys).enumerate().map(sorted_cell).collect_view()}</tr> })
            .collect_view()
    });
    let header = columns
        .into_iter()
        .enumerate()
        .map(|(index, column)| {
            // Numbers sort largest first, names from A.
            let first = if index > 0 { "descending" } else { "ascending" };
            view! {
                <th aria-sort="none" class:numeric={index > 0}>
                    <button type="button" class="report-sort" data-sort-column=index.to_string() data-sort-first=first>
                        {column}
                        <span class="report-sort-mark" aria-hidden="true">"↕"</span>
                    </button>
                </th>
            }
        })
        .collect_view();
    view! {
        <section class="card report-table-card" data-testid=format!("table-{key}")>
            <div class="report-table-head">
                <div>
                    <h2 class="card-title">{title}</h2>
                    <p class="muted small">{subtitle}</p>
                </div>
                <a class="button button-secondary button-small" href=csv_href download=format!("switchboard-{key}.csv") data-testid=format!("csv-{key}")>
                    "Download CSV"
                </a>
            </div>
            {match body {
                Some(body) => view! {
                    <div class="report-table-scroll">
                        <table class="table report-table">
                            <thead>
                                <tr>{header}</tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                    .into_any(),
                None => view! { <p class="muted">{empty}</p> }.into_any(),
            }}
        </section>
    }
}

/// A cell with what it sorts by.
fn sorted_cell((index, (cell, key)): (usize, (String, SortKey))) -> impl IntoView {
    let (text, number) = match key {
        SortKey::Text(text) => (Some(text), None),
        SortKey::Number(number) => (None, Some(number.to_string())),
    };
    view! { <td class:numeric={index > 0} data-sort=text data-sort-number=number>{cell}</td> }
}
