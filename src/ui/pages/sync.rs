//! The Sync page: the run in progress with a bar per kind of record, the
//! rate budget, an estimate of the time left, the history of runs, "Sync
//! now" and the poll interval (owners and admins; everyone else watches).

use std::time::Duration;

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::sync::{get_sync_overview, SetPollInterval, SyncNow};
use crate::format::thousands;
use crate::sync::{BudgetView, EntityProgress, RunStatus, RunView, SyncOverview};
use crate::ui::components::PageHeader;

/// How often the page asks for progress while a run is going.
const LIVE_REFRESH: Duration = Duration::from_millis(1500);
/// Refreshes after "Sync now" even when no run shows yet.
const GRACE_REFRESHES: u32 = 6;

#[island(lazy)]
pub fn SyncPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let sync_now = ServerAction::<SyncNow>::new();
    let set_interval = ServerAction::<SetPollInterval>::new();
    let tick = RwSignal::new(0u32);
    let live = RwSignal::new(false);
    // Refreshes still due after "Sync now": the run starts in the background
    // and may not be listed on the first refresh.
    let grace = RwSignal::new(0u32);
    let overview = Resource::new(
        move || {
            (
                tick.get(),
                sync_now.version().get(),
                set_interval.version().get(),
            )
        },
        |_| get_sync_overview(),
    );
    // Effects run only in the browser: refresh while a run is going.
    Effect::new(move |_| {
        let refresh = move || {
            let waiting = grace.get_untracked();
            if live.get_untracked() || waiting > 0 {
                grace.set(waiting.saturating_sub(1));
                tick.update(|tick| *tick = tick.wrapping_add(1));
            }
        };
        if let Ok(handle) = set_interval_with_handle(refresh, LIVE_REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |_| {
        if sync_now.version().get() > 0 {
            grace.set(GRACE_REFRESHES);
        }
    });
    view! {
        <PageHeader title="Sync" subtitle="How Switchboard keeps its copy of your HighLevel data up to date." />
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the sync status…"</p></section> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => {
                        live.set(worth_watching(&overview));
                        view! { <SyncBody overview sync_now set_interval /> }.into_any()
                    }
                    Err(error) => view! {
                        <section class="card"><p class="form-error" role="alert">{error.to_string()}</p></section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Whether a run is going or about to start (a connected location never
/// synced, or a run cut short that resumes), so the page keeps refreshing.
fn worth_watching(overview: &SyncOverview) -> bool {
    match &overview.current {
        Some(run) => run.is_running() || run.status == RunStatus::Interrupted,
        None => overview.connected,
    }
}

#[component]
fn SyncBody(
    overview: SyncOverview,
    sync_now: ServerAction<SyncNow>,
    set_interval: ServerAction<SetPollInterval>,
) -> impl IntoView {
    let can_manage = overview.can_manage;
    let connected = overview.connected;
    let sync_error = move || match sync_now.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    let busy = overview.current.as_ref().is_some_and(RunView::is_running);
    view! {
        <div class="sync-grid">
            <section class="card sync-current" data-testid="sync-current">
                <div class="sync-card-head">
                    <h2 class="card-title">{if busy { "Sync in progress" } else { "Latest sync" }}</h2>
                    {(can_manage && connected).then(|| view! {
                        <ActionForm action=sync_now>
                            <button type="submit" class="button" data-testid="sync-now" disabled=busy>
                                {if busy { "Syncing…" } else { "Sync now" }}
                            </button>
                        </ActionForm>
                    })}
                </div>
                {move || sync_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                {match overview.current.clone() {
                    Some(run) => view! {
                        <RunProgress run eta_seconds=overview.eta_seconds remaining=overview.remaining_requests.unwrap_or(0) />
                    }.into_any(),
                    None => view! { <NoRunYet connected /> }.into_any(),
                }}
            </section>
            <Budget budget=overview.budget.clone() />
            <Schedule overview=overview.clone() set_interval />
        </div>
        <History runs=overview.history />
    }
}

#[component]
fn NoRunYet(connected: bool) -> impl IntoView {
    let text = if connected {
        "The first sync starts by itself in a few seconds; it fills the dashboard with your contacts, tasks, notes and appointments."
    } else {
        "Connect HighLevel on the Connections page: Switchboard then copies your data here by itself."
    };
    view! {
        <div class="sync-empty" data-testid="sync-empty">
            <p class="muted">{text}</p>
            {(!connected).then(|| view! { <a class="button button-secondary" href="/connections">"Go to Connections"</a> })}
        </div>
    }
}

#[component]
fn RunProgress(run: RunView, eta_seconds: Option<u64>, remaining: u64) -> impl IntoView {
    let share = run.percent_done(remaining);
    let (pill, status) = status_pill(run.status);
    let kind = run.kind.map_or("Sync", |kind| kind.label());
    let started = run.started.clone();
    let ended = run.finished_at.map(|at| {
        format!(
            "took {}",
            duration(at.signed_duration_since(run.started_at).num_seconds())
        )
    });
    view! {
        <p class="sync-meta">
            <span class=pill data-testid="sync-status">{status}</span>
            <span>{kind}</span>
            <span class="muted">"started " {started}</span>
            {ended.map(|ended| view! { <span class="muted">{ended}</span> })}
        </p>
        {run.is_running().then(|| view! {
            <div class="sync-overall">
                <div class="meter sync-meter-large" role="progressbar" aria-valuenow=share.round() aria-valuemin=0 aria-valuemax=100>
                    <div class="meter-fill" style=format!("width: {share:.1}%")></div>
                </div>
                <span class="muted" data-testid="sync-eta">
                    {format!("{share:.0}%")}
                    {eta_seconds.map(|eta| format!(" · about {} left", duration(i64::try_from(eta).unwrap_or(i64::MAX))))}
                </span>
            </div>
        })}
        <table class="sync-entities" data-testid="sync-entities">
            <thead><tr><th scope="col">"Records"</th><th scope="col">"Copied"</th><th scope="col" class="sync-bar-col">""</th></tr></thead>
            <tbody>
                {run.progress.into_iter().map(|entity| view! { <EntityRow entity /> }).collect_view()}
            </tbody>
        </table>
        <p class="muted sync-note">{format!("{} HighLevel requests", thousands(run.requests))}</p>
        {run.error.map(|error| view! { <p class="form-error" role="alert" data-testid="sync-error">{error}</p> })}
    }
}

#[component]
fn EntityRow(entity: EntityProgress) -> impl IntoView {
    let label = capitalised(&entity.entity);
    let count = match entity.total {
        Some(total) => format!(
            "{} of {}",
            thousands(entity.done.min(total)),
            thousands(total)
        ),
        None => thousands(entity.done),
    };
    let share = entity.total.map(|total| percent(entity.done, total));
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td class="numeric">{count}</td>
            <td class="sync-bar-col">
                {share.map(|share| view! {
                    <div class="meter"><div class="meter-fill" style=format!("width: {share:.1}%")></div></div>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Budget(budget: BudgetView) -> impl IntoView {
    let day = percent(budget.used_today, budget.per_day);
    let burst = percent(budget.used_in_window, budget.per_window);
    view! {
        <section class="card" data-testid="sync-budget">
            <h2 class="card-title">"HighLevel request budget"</h2>
            <dl class="facts">
                <dt>"Today"</dt>
                <dd>
                    <div class="meter"><div class="meter-fill" style=format!("width: {day:.1}%")></div></div>
                    <span class="muted">{format!("{} of {} requests", thousands(budget.used_today), thousands(budget.per_day))}</span>
                </dd>
                <dt>"Right now"</dt>
                <dd>
                    <div class="meter"><div class="meter-fill" style=format!("width: {burst:.1}%")></div></div>
                    <span class="muted">{format!("{} of {} in the last {} s", budget.used_in_window, budget.per_window, budget.window_seconds)}</span>
                </dd>
            </dl>
            <p class="muted sync-note">"Every Switchboard server shares this budget, so HighLevel never has to turn requests away."</p>
        </section>
    }
}

#[component]
fn Schedule(overview: SyncOverview, set_interval: ServerAction<SetPollInterval>) -> impl IntoView {
    let minutes = overview.poll_minutes;
    let problem = move || match set_interval.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <section class="card" data-testid="sync-schedule">
            <h2 class="card-title">"Schedule"</h2>
            <dl class="facts">
                <dt>"Last synced"</dt>
                <dd>{overview.last_synced.clone().unwrap_or_else(|| "Never".to_owned())}</dd>
                <dt>"Checked for changes"</dt>
                <dd>{format!("Every {minutes} min")}</dd>
                <dt>"Full check"</dt>
                <dd>{overview.last_reconcile.clone().map_or_else(|| format!("Nightly, after {}", overview.nightly_after), |at| format!("Nightly; last {at}"))}</dd>
                <dt>"Contacts to refresh"</dt>
                <dd>{thousands(overview.pending_contacts)}</dd>
            </dl>
            {overview.can_manage.then(|| view! {
                <ActionForm action=set_interval attr:class="sync-interval-form">
                    <label for="poll-minutes">"Check for changes every"</label>
                    <select id="poll-minutes" name="minutes" data-testid="poll-minutes">
                        {(1..=15u32).map(|option| view! {
                            <option value=option selected=option == minutes>{format!("{option} min")}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button button-secondary">"Save"</button>
                </ActionForm>
            })}
            {move || problem().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
        </section>
    }
}

#[component]
fn History(runs: Vec<RunView>) -> impl IntoView {
    view! {
        <section class="card" data-testid="sync-history">
            <h2 class="card-title">"History"</h2>
            {if runs.is_empty() {
                view! { <p class="muted">"No runs yet."</p> }.into_any()
            } else {
                view! {
                    <div class="sync-table-scroll">
                        <table class="sync-history">
                            <thead>
                                <tr>
                                    <th scope="col">"Started"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col" class="numeric">"Records"</th>
                                    <th scope="col" class="numeric">"Requests"</th>
                                    <th scope="col" class="numeric">"Took"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {runs.into_iter().map(|run| view! { <HistoryRow run /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn HistoryRow(run: RunView) -> impl IntoView {
    let records: u64 = run.progress.iter().map(|entity| entity.done).sum();
    let (pill, status) = status_pill(run.status);
    let took = run.finished_at.map_or_else(
        || "—".to_owned(),
        |at| duration(at.signed_duration_since(run.started_at).num_seconds()),
    );
    let trigger = match run.trigger.as_str() {
        "manual" => "Sync now",
        "cli" => "Command line",
        _ => "Schedule",
    };
    view! {
        <tr>
            <td>{run.started.clone()}</td>
            <td>{run.kind.map_or("—", |kind| kind.label())}</td>
            <td>{trigger}</td>
            <td>
                <span class=pill title=run.error.clone().unwrap_or_default()>{status}</span>
            </td>
            <td class="numeric">{thousands(records)}</td>
            <td class="numeric">{thousands(run.requests)}</td>
            <td class="numeric">{took}</td>
        </tr>
    }
}

fn status_pill(status: RunStatus) -> (&'static str, &'static str) {
    match status {
        RunStatus::Running => ("pill sync-pill-running", "Running"),
        RunStatus::Succeeded => ("pill pill-ok", "Done"),
        RunStatus::Interrupted => ("pill sync-pill-interrupted", "Interrupted, resumes shortly"),
        RunStatus::Failed => ("pill pill-danger", "Failed"),
    }
}

fn percent(done: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (done as f64 / total as f64 * 100.0).min(100.0)
}

/// 75 → "1 min 15 s".
fn duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
