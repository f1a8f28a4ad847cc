//! The Automations pages: the team's automations, the builder of one (its
//! form, saves as versions, on/pause/off, a dry-run test on the sample and a
//! real run), and the run history with each run's steps and retries.
//! Everyone reads; owners and admins change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::apps_mapping::PickerField;
use crate::app_error::AppError;
use crate::automations::form::{AutomationForm, FormProblem, StepKind, TriggerKind};

/// A value of a select, and what it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One automation on the Automations page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationCard {
    pub id: i64,
    pub name: String,
    /// `on`, `paused` or `off`.
    pub state: String,
    pub trigger: String,
    pub steps: usize,
    pub version: i32,
    pub runs_today: i64,
    /// Failed or needing attention.
    pub failing: i64,
    /// The newest run's status label and time, if any.
    pub last_run: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationsPageData {
    pub automations: Vec<AutomationCard>,
    pub can_change: bool,
    /// Runs of the team that failed or need attention.
    pub attention: i64,
    pub triggers: Vec<Choice>,
}

/// The builder of one automation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorPage {
    pub id: i64,
    pub state: String,
    pub version: i32,
    pub form: AutomationForm,
    pub can_change: bool,
    pub triggers: Vec<Choice>,
    /// The kinds of trigger with their fields (a schedule's).
    pub trigger_kinds: Vec<TriggerKind>,
    /// The team's time zone, which schedules are read in.
    pub zone: String,
    /// The saved schedule's next ticks, on the team's clock; empty for
    /// other triggers.
    pub next_ticks: Vec<String>,
    /// Every app event type of the team's connections (`<id>:<type>`).
    pub app_events: Vec<Choice>,
    pub connections: Vec<Choice>,
    /// The team's members, whom an alert step may be for.
    pub members: Vec<Choice>,
    /// The HighLevel operations the team's connection may send.
    pub operations: Vec<Choice>,
    pub kinds: Vec<StepKind>,
    /// What a test runs on, pretty-printed, and where it comes from.
    pub sample: String,
    pub sample_from: String,
    pub sample_fields: Vec<PickerField>,
    /// Version, when and by whom, newest first.
    pub versions: Vec<(i32, String, String)>,
    /// Runs queued while the automation is paused.
    pub waiting: i64,
    /// Runs part-way through, held by a wait step.
    pub in_wait: i64,
}

/// What a save did: the new version, or the problems next to their fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub version: Option<i32>,
    pub problems: Vec<FormProblem>,
    /// The saved schedule's next ticks, on the team's clock.
    pub next_ticks: Vec<String>,
}

/// One run in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: i64,
    pub automation_id: i64,
    pub automation: String,
    pub status: String,
    pub status_label: String,
    /// What started it, in plain words.
    pub trigger: String,
    /// Who it is about (an e-mail, a phone, an id), if known.
    pub subject: String,
    pub test: bool,
    pub version: i32,
    pub queued_at: String,
    pub duration: String,
    pub error: Option<String>,
    /// When a run waiting for a retry tries again.
    pub retry_at: Option<String>,
    /// When a run held by a wait step goes on (its status stays queued).
    pub waiting_until: Option<String>,
}

/// Filters of the run history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunQuery {
    pub automation_id: Option<i64>,
    pub status: Option<String>,
    pub contact: Option<String>,
    /// Only runs of the last so many days.
    pub days: Option<i64>,
}

/// One step of a run, as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub position: i32,
    pub name: String,
    /// `sending`, `done`, `failed`, `waiting`, or `skipped` for a step a
    /// branch jumped over (it has no record).
    pub status: String,
    /// What a wait or a branch did, in plain words.
    pub summary: Option<String>,
    pub started: String,
    pub duration_ms: Option<i64>,
    /// Pretty JSON, credentials redacted; empty when none.
    pub request: String,
    pub answer: String,
    pub output: String,
    pub error: Option<String>,
}

/// A run's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPage {
    pub run: RunRow,
    pub trigger_data: String,
    pub steps: Vec<StepView>,
    /// What to do about a failure, in plain words.
    pub advice: Option<String>,
    pub can_retry: bool,
    pub current_version: i32,
}

/// A test run of the form: its problems, or the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tested {
    pub problems: Vec<FormProblem>,
    pub run: Option<RunPage>,
}

/// The dashboard's automations card.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TodaysRuns {
    pub automations: i64,
    /// Runs queued since the team's midnight (tests left out).
    pub runs_today: i64,
    pub failed_today: i64,
    /// Runs of any day that failed or need attention.
    pub attention: i64,
}

#[server(endpoint = "automations/today", output = crate::api::codec::JsonText)]
pub async fn automations_today() -> Result<TodaysRuns, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::today(&state, &caller).await
}

#[server(endpoint = "automations/overview", output = crate::api::codec::JsonText)]
pub async fn automations_overview() -> Result<AutomationsPageData, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::overview(&state, &caller).await
}

/// Creates an automation, off, from a name and a trigger (owners and
/// admins); its id. An app event's automation starts with a step that
/// applies the event's mapping; a schedule starts every day at 9:00.
#[server(endpoint = "automations/create", output = crate::api::codec::JsonText)]
pub async fn create_automation(name: String, trigger: String) -> Result<i64, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::create(&state, &caller, &name, &trigger).await
}

#[server(endpoint = "automations/editor", output = crate::api::codec::JsonText)]
pub async fn automation_editor(id: i64) -> Result<EditorPage, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::editor(&state, &caller, id).await
}

/// Saves the form as a new version (owners and admins); a form with
/// problems is not saved.
#[server(endpoint = "automations/save", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn save_automation(id: i64, form: AutomationForm) -> Result<Saved, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::save(&state, &caller, id, &form).await
}

/// `on`, `paused` or `off` (owners and admins).
#[server(endpoint = "automations/state", output = crate::api::codec::JsonText)]
pub async fn set_automation_state(id: i64, state: String) -> Result<(), AppError> {
    use crate::auth::roles::Role;
    use crate::automations::model::State;
    use crate::automations::store;
    let (app, caller) = crate::api::guard::require(Role::Admin).await?;
    let wanted =
        State::from_key(&state).ok_or_else(|| AppError::invalid("Choose on, paused or off."))?;
    if !store::set_state(&app.db, &caller.who.location_id, id, wanted).await? {
        return Err(server::no_automation());
    }
    tracing::info!(automation = id, state, "automation state changed");
    Ok(())
}

/// Drops the runs waiting while the automation is paused, with a record
/// (owners and admins); how many.
#[server(endpoint = "automations/skip-waiting", output = crate::api::codec::JsonText)]
pub async fn skip_waiting_runs(id: i64) -> Result<u64, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::skip(&state, &caller, id).await
}

/// Runs the form on the sample as a dry run: filters evaluated, every
/// request built and shown, reads allowed, nothing written (owners and admins).
#[server(endpoint = "automations/test", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn test_automation(id: i64, form: AutomationForm) -> Result<Tested, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::test(&state, &caller, id, &form).await
}

/// An automation a person can start from a contact's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ByHand {
    pub id: i64,
    pub name: String,
    /// What its steps do, in a few words.
    pub does: String,
}

/// The team's automations started by hand, to run for one contact.
#[server(endpoint = "automations/by-hand", output = crate::api::codec::JsonText)]
pub async fn automations_by_hand() -> Result<Vec<ByHand>, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::by_hand(&state, &caller).await
}

/// Runs an automation started by hand for one contact (members and
/// above): its data is the contact as the cache holds it. The run's id.
#[server(endpoint = "automations/run-for-contact", output = crate::api::codec::JsonText)]
pub async fn run_for_contact(id: i64, contact_id: String) -> Result<i64, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Member).await?;
    server::run_for_contact(&state, &caller, id, &contact_id).await
}

/// Queues a real run of the saved automation on the sample (owners and
/// admins); the run's id.
#[server(endpoint = "automations/run-now", output = crate::api::codec::JsonText)]
pub async fn run_automation_now(id: i64) -> Result<i64, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    server::run_now(&state, &caller, id).await
}

#[server(endpoint = "automations/runs", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn automation_runs(query: RunQuery) -> Result<Vec<RunRow>, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::runs(&state, &caller, &query).await
}

#[server(endpoint = "automations/run", output = crate::api::codec::JsonText)]
pub async fn run_detail(id: i64) -> Result<RunPage, AppError> {
    use crate::auth::roles::Role;
    let (state, caller) = crate::api::guard::require(Role::Viewer).await?;
    server::detail(&state, &caller, id).await
}

/// Queues a failed run again from its failed step, with the version it ran
/// or the current one (owners and admins).
#[server(endpoint = "automations/retry", output = crate::api::codec::JsonText)]
pub async fn retry_run(id: i64, current: bool) -> Result<(), AppError> {
    use crate::auth::roles::Role;
    use crate::automations::runs;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    if !runs::retry(&state.db, &caller.who.location_id, id, current).await? {
        return Err(AppError::NotFound(
            "Only a failed run of your team can be retried.".into(),
        ));
    }
    tracing::info!(run = id, current, "run retried");
    Ok(())
}

/// Queues again every failed run of the automation (owners and admins).
#[server(endpoint = "automations/retry-failed", output = crate::api::codec::JsonText)]
pub async fn retry_failed_runs(id: i64) -> Result<u64, AppError> {
    use crate::auth::roles::Role;
    use crate::automations::runs;
    let (state, caller) = crate::api::guard::require(Role::Admin).await?;
    Ok(runs::retry_all_failed(&state.db, &caller.who.location_id, id).await?)
}

#[cfg(feature = "ssr")]
mod server;

pub mod recipes;
