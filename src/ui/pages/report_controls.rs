//! What the dashboard and the team report share: the filter bar (kept in
//! the page address, so a filtered report can be shared and is rendered on
//! the server), the states with nothing to show, and loading skeletons.

use leptos::prelude::*;

use crate::app_error::AppError;
use crate::reports::model::{Choice, DataState, Period, ReportFilter};
use crate::ui::icons::{Icon, IconSvg};
use crate::ui::page_address::from_query;

/// What a signed-out visitor sees instead of a report.
#[component]
pub fn SignInForReports() -> impl IntoView {
    view! {
        <section class="card report-empty" data-testid="report-signed-out">
            <div class="report-empty-icon">
                <IconSvg icon=Icon::Dashboard />
            </div>
            <h2>"Sign in to see your numbers"</h2>
            <p class="muted">"Your contacts, tasks and appointments at a glance, for every team you belong to."</p>
            <a class="button" href="/signin">"Sign in with HighLevel"</a>
        </section>
    }
}

/// The filter values of the page address: period, tag, assignee, location.
pub type QueryFilter = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The filter of the page address, reactively.
pub fn query_filter() -> Memo<QueryFilter> {
    from_query(|query| {
        (
            query.get("period"),
            query.get("tag"),
            query.get("assignee"),
            query.get("location"),
        )
    })
}

/// The choices a filter bar offers.
pub struct FilterChoices {
    pub teams: Vec<Choice>,
    pub assignees: Vec<Choice>,
    pub tags: Vec<String>,
}

/// Period, tag, assignee and location controls, a plain form: changing
/// one reloads the page with the new filter in its address (the page
/// script, so the dashboard needs no wasm); without scripts, Apply does.
#[component]
pub fn FilterBar(
    path: String,
    filter: ReportFilter,
    choices: FilterChoices,
    current_location: Option<String>,
) -> impl IntoView {
    let selected_location = filter
        .location
        .clone()
        .or(current_location)
        .unwrap_or_default();
    let narrowed = filter.narrows();
    let reset = format!("{}?period={}", path, filter.period.key())
        + &filter
            .location
            .as_ref()
            .map(|location| format!("&location={location}"))
            .unwrap_or_default();
    view! {
        <form class="report-filters" method="get" action=path data-report-filters data-testid="report-filters">
            <label class="report-filter">
                <span>"Period"</span>
                <select name="period" data-testid="filter-period">
                    {Period::ALL
                        .into_iter()
                        .map(|period| {
                            view! {
                                <option value=period.key() selected=period == filter.period>
                                    {period.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="report-filter">
                <span>"Tag"</span>
                <select name="tag" data-testid="filter-tag">
                    <option value="">"All tags"</option>
                    {choices
                        .tags
                        .into_iter()
                        .map(|tag| {
                            let selected = filter.tag.as_deref() == Some(tag.as_str());
                            view! { <option value=tag.clone() selected=selected>{tag.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="report-filter">
                <span>"Assignee"</span>
                <select name="assignee" data-testid="filter-assignee">
                    <option value="">"Everyone"</option>
                    {choices
                        .assignees
                        .into_iter()
                        .map(|person| {
                            let selected = filter.assignee.as_deref() == Some(person.id.as_str());
                            view! { <option value=person.id selected=selected>{person.name}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            {(choices.teams.len() > 1)
                .then(|| {
                    view! {
                        <label class="report-filter">
                            <span>"Location"</span>
                            <select name="location" data-testid="filter-location">
                                {choices
                                    .teams
                                    .into_iter()
                                    .map(|team| {
                                        let selected = team.id == selected_location;
                                        view! { <option value=team.id selected=selected>{team.name}</option> }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                    }
                })}
            <noscript>
                <button type="submit" class="button button-secondary button-small">"Apply"</button>
            </noscript>
            {narrowed
                .then(|| {
                    view! {
                        <a class="report-reset" href=reset data-testid="filter-reset">
                            "Clear tag and assignee"
                        </a>
                    }
                })}
        </form>
    }
}

/// When the cache last received data.
#[component]
pub fn SyncedNote(last_synced: Option<String>) -> impl IntoView {
    view! {
        <p class="report-synced" data-testid="last-synced">
            <span class="report-synced-dot" aria-hidden="true"></span>
            {match last_synced {
                Some(at) => format!("Data from HighLevel, last synced {at}"),
                None => "First sync from HighLevel in progress…".to_owned(),
            }}
        </p>
    }
}

/// Shown instead of a report when there is nothing to report on.
#[component]
pub fn NoData(state: DataState) -> impl IntoView {
    let (title, text, action, href) = match state {
        DataState::NotConnected => (
            "Connect HighLevel to see your numbers",
            "Reports are drawn from your HighLevel contacts, tasks and appointments. Connect your account and Switchboard copies them here.",
            "Connect HighLevel",
            "/connections",
        ),
        _ => (
            "Your data is on its way",
            "Switchboard is copying your contacts, tasks and appointments from HighLevel. The reports fill in as soon as the first sync has finished.",
            "Follow the sync",
            "/sync",
        ),
    };
    view! {
        <section class="card report-empty" data-testid="report-no-data">
            <div class="report-empty-icon">
                <IconSvg icon=Icon::Dashboard />
            </div>
            <h2>{title}</h2>
            <p class="muted">{text}</p>
            <a class="button" href=href>{action}</a>
        </section>
    }
}

/// Shown when the filter leaves nothing.
#[component]
pub fn NothingMatches(path: &'static str) -> impl IntoView {
    view! {
        <section class="card report-empty" data-testid="report-nothing-matches">
            <div class="report-empty-icon">
                <IconSvg icon=Icon::Compass />
            </div>
            <h2>"Nothing matches this filter"</h2>
            <p class="muted">"No contacts, tasks or appointments have this tag or assignee. Try another tag or person, or a longer period."</p>
            <a class="button button-secondary" href=path>"Show everything"</a>
        </section>
    }
}

/// Shown when the report could not be loaded (most often: not signed in).
#[component]
pub fn ReportError(error: AppError) -> impl IntoView {
    let signed_out = error == AppError::Unauthorized;
    let message = error.to_string();
    view! {
        <section class="card report-empty" data-testid="report-error">
            <h2>{if signed_out { "Sign in to see your reports" } else { "The report could not be loaded" }}</h2>
            <p class="muted">{message}</p>
            {signed_out.then(|| view! { <a class="button" href="/signin">"Sign in with HighLevel"</a> })}
        </section>
    }
}

/// Grey blocks in the shape of the report while it loads.
#[component]
pub fn ReportSkeleton(cards: usize, panels: usize) -> impl IntoView {
    view! {
        <div class="report-skeleton" aria-busy="true" aria-label="Loading the report" data-testid="report-loading">
            <div class="report-kpis">
                {(0..cards).map(|_| view! { <div class="card report-kpi report-skeleton-block"></div> }).collect_view()}
            </div>
            <div class="report-grid">
                {(0..panels).map(|_| view! { <div class="card report-panel report-skeleton-panel"></div> }).collect_view()}
            </div>
        </div>
    }
}
