//! What the automations' server functions do once the caller is known.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value as Json;

use super::*;
use crate::apps::connections::store::{self as connections, Connection};
use crate::apps::mapping::in_force::template_event;
use crate::apps::mapping::{location, picker, store as mappings, Engine};
use crate::automations::calls::{self, Granted};
use crate::automations::execute::{execute_definition, with_steps, Services};
use crate::automations::form::{parse_trigger, trigger_kinds, Input};
use crate::automations::highlevel_events;
use crate::automations::journal::{self, StepRecord};
use crate::automations::model::{
    Action, Definition, Filter, RunStatus, State, Step, StepStatus, SummaryTo, Trigger, END,
};
use crate::automations::runs::{self, Listed, NewRun, RunFilter};
use crate::automations::schedule;
use crate::automations::scheduler::tick_data;
use crate::automations::store::{self, Automation};
use crate::caller::Caller;
use crate::state::AppState;
use crate::zone::TeamZone;

/// Runs listed at most.
const RUNS_SHOWN: i64 = 200;

pub fn no_automation() -> AppError {
    AppError::NotFound("Your team has no such automation.".into())
}

async fn automation(state: &AppState, caller: &Caller, id: i64) -> Result<Automation, AppError> {
    store::of_team_by_id(&state.db, &caller.who.location_id, id)
        .await?
        .ok_or_else(no_automation)
}

/// Each connection of the team with the event types its app sends.
async fn app_events(state: &AppState, connections: &[Connection]) -> Result<Vec<Choice>, AppError> {
    let mut choices = Vec::new();
    for connection in connections {
        let types = crate::api::apps_mapping::server::mappables(&state.db, connection).await?;
        choices.extend(types.received.into_iter().map(|event| Choice {
            value: format!("{}:{}", connection.id, event.key),
            label: format!("{} · {}", connection.name, event.label),
        }));
    }
    Ok(choices)
}

/// The app events of the team's connections, then every other kind.
fn triggers(app_events: &[Choice]) -> Vec<Choice> {
    let mut choices: Vec<Choice> = app_events
        .iter()
        .map(|event| Choice {
            value: format!("app:{}", event.value),
            label: format!("When {} arrives", event.label),
        })
        .collect();
    choices.extend(trigger_kinds().into_iter().map(|kind| Choice {
        value: kind.key,
        label: kind.label,
    }));
    choices
}

/// A schedule's next ticks, as the builder shows them; none for other
/// triggers.
fn next_ticks(trigger: &Trigger, zone: TeamZone) -> Vec<String> {
    let Trigger::Schedule { schedule } = trigger else {
        return Vec::new();
    };
    schedule::upcoming(schedule, zone, Utc::now(), 3)
        .into_iter()
        .map(|tick| zone.day_and_time(tick))
        .collect()
}

fn trigger_label(trigger: &Trigger, connections: &[Connection]) -> String {
    match trigger {
        Trigger::Manual => "Run by hand".into(),
        Trigger::Schedule { schedule } => schedule.describe(),
        Trigger::HighLevel { event, value } => {
            format!("In HighLevel: {}", highlevel_events::describe(event, value))
        }
        Trigger::AppEvent {
            connection_id,
            event_type,
        } => {
            let connection = connections.iter().find(|c| c.id == *connection_id);
            let event = connection
                .and_then(|c| template_event(&c.app, event_type))
                .map_or_else(|| event_type.clone(), |event| event.label);
            match connection {
                Some(connection) => format!("{} · {event}", connection.name),
                None => format!("A deleted connection · {event}"),
            }
        }
    }
}

pub async fn overview(state: &AppState, caller: &Caller) -> Result<AutomationsPageData, AppError> {
    let location_id = &caller.who.location_id;
    let connections = connections::of_team(&state.db, location_id).await?;
    let automations = store::of_team(&state.db, location_id).await?;
    let counts = run_counts(state, caller).await?;
    let cards = automations
        .into_iter()
        .map(|automation| {
            let counts = counts.iter().find(|c| c.automation_id == automation.id);
            let last = counts
                .and_then(|c| c.last_status.clone().zip(c.last_at))
                .map(|(status, at)| {
                    let label = RunStatus::from_key(&status).map_or(status, |s| s.label().into());
                    (label, caller.zone.moment(at))
                });
            AutomationCard {
                id: automation.id,
                trigger: trigger_label(&automation.definition.trigger, &connections),
                steps: automation.definition.steps.len(),
                name: automation.name,
                state: automation.state.key().into(),
                version: automation.version,
                runs_today: counts.map_or(0, |c| c.today),
                failing: counts.map_or(0, |c| c.failing),
                last_run: last,
            }
        })
        .collect();
    Ok(AutomationsPageData {
        automations: cards,
        can_change: caller.role().can_manage(),
        attention: runs::attention_count(&state.db, location_id).await?,
        triggers: triggers(&app_events(state, &connections).await?),
    })
}

/// One automation's runs: since the team's midnight, failing, and the newest.
#[derive(sqlx::FromRow)]
struct RunCounts {
    automation_id: i64,
    today: i64,
    failing: i64,
    last_status: Option<String>,
    last_at: Option<chrono::DateTime<Utc>>,
}

async fn run_counts(state: &AppState, caller: &Caller) -> Result<Vec<RunCounts>, AppError> {
    let midnight = caller.zone.midnight(caller.zone.date(Utc::now()));
    Ok(sqlx::query_as(
        r"SELECT automation_id,
                 count(*) FILTER (WHERE queued_at >= $2 AND NOT dry_run) AS today,
                 count(*) FILTER (WHERE status IN ('failed', 'needs_attention') AND NOT dry_run) AS failing,
                 (array_agg(status ORDER BY id DESC))[1] AS last_status, max(queued_at) AS last_at
            FROM automation_runs WHERE location_id = $1 GROUP BY automation_id",
    )
    .bind(&caller.who.location_id)
    .bind(midnight)
    .fetch_all(&state.db)
    .await?)
}

/// The dashboard's card, in one statement: the dashboard page runs it on
/// every view.
pub async fn today(state: &AppState, caller: &Caller) -> Result<TodaysRuns, AppError> {
    static STATEMENT: LazyLock<String> = LazyLock::new(|| {
        format!(
            r"SELECT (SELECT count(*) FROM automations WHERE location_id = $1),
                     count(*) FILTER (WHERE NOT dry_run),
                     count(*) FILTER (WHERE NOT dry_run AND status IN ('failed', 'needs_attention')),
                     ({})
                FROM automation_runs WHERE location_id = $1 AND queued_at >= $2",
            runs::ATTENTION_COUNT_SQL
        )
    });
    let midnight = caller.zone.midnight(caller.zone.date(Utc::now()));
    let (automations, runs_today, failed_today, attention): (i64, i64, i64, i64) =
        sqlx::query_as(STATEMENT.as_str())
            .bind(&caller.who.location_id)
            .bind(midnight)
            .fetch_one(&state.db)
            .await?;
    Ok(TodaysRuns {
        automations,
        runs_today,
        failed_today,
        attention,
    })
}

pub async fn create(
    state: &AppState,
    caller: &Caller,
    name: &str,
    trigger: &str,
) -> Result<i64, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid(crate::app_error::FieldProblem {
            field: "name".into(),
            message: "Give the automation a name.".into(),
        }));
    }
    // A new trigger's fields are its kind's defaults (a schedule: every
    // day at 9:00); the builder changes them.
    let defaults = trigger_kinds()
        .into_iter()
        .find(|kind| kind.key == trigger)
        .map(|kind| kind.defaults())
        .unwrap_or_default();
    let trigger = parse_trigger(trigger, &defaults).map_err(|_| {
        AppError::Invalid(crate::app_error::FieldProblem {
            field: "trigger".into(),
            message: "Choose what starts the automation.".into(),
        })
    })?;
    let steps = match &trigger {
        Trigger::AppEvent {
            connection_id,
            event_type,
        } => {
            team_connection(state, caller, *connection_id).await?;
            vec![Step {
                name: "contact".into(),
                action: Action::ApplyMapping {
                    connection_id: *connection_id,
                    event_type: event_type.clone(),
                },
            }]
        }
        Trigger::Manual | Trigger::HighLevel { .. } | Trigger::Schedule { .. } => Vec::new(),
    };
    let definition = Definition {
        trigger,
        filter: Filter::default(),
        steps,
    };
    let id = store::create(
        &state.db,
        &caller.who.location_id,
        name,
        &definition,
        caller.who.user_id,
    )
    .await?;
    tracing::info!(automation = id, "automation created");
    Ok(id)
}

async fn team_connection(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Connection, AppError> {
    connections::of_team_by_id(&state.db, &caller.who.location_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("Your team has no such app connection.".into()))
}

/// The data a test runs on: the trigger's picked sample, else its app's
/// example, or a schedule's next tick; and where it comes from. `id` and
/// `name` are the automation's.
async fn sample(
    state: &AppState,
    caller: &Caller,
    trigger: &Trigger,
    (id, name): (i64, &str),
) -> Result<(Json, String), AppError> {
    if let Trigger::HighLevel { event, value } = trigger {
        let location_id = &caller.who.location_id;
        return Ok(
            match highlevel_events::sample(&state.db, location_id, event, value).await? {
                Some(sample) => (sample, "The newest matching record of your HighLevel cache.".into()),
                None => (
                    serde_json::json!({"event": event}),
                    "No sample yet: your HighLevel cache holds nothing this event is about. Sync, then test again."
                        .into(),
                ),
            },
        );
    }
    let Trigger::AppEvent {
        connection_id,
        event_type,
    } = trigger
    else {
        return Ok(match trigger {
            Trigger::Schedule { schedule } => {
                let now = Utc::now();
                let tick = schedule::next_after(schedule, caller.zone, now).unwrap_or(now);
                (
                    tick_data(id, name.trim(), caller.zone, tick),
                    "A scheduled run starts with the time of its tick on your team's clock (here the next one) and the automation.".into(),
                )
            }
            _ => (
                Json::Object(Default::default()),
                "A run by hand starts with no data.".into(),
            ),
        });
    };
    if let Some(picked) = mappings::sample(&state.db, *connection_id, event_type).await? {
        let at = caller.zone.to_the_second(picked.received_at);
        return Ok((picked.body, format!("The request received {at}.")));
    }
    let connection = team_connection(state, caller, *connection_id).await?;
    Ok(match template_event(&connection.app, event_type) {
        Some(event) => (event.sample, event.sample_note),
        None => (
            Json::Object(Default::default()),
            "No sample yet: pick a received request as this event's sample on the connection page."
                .into(),
        ),
    })
}

pub async fn editor(state: &AppState, caller: &Caller, id: i64) -> Result<EditorPage, AppError> {
    let automation = automation(state, caller, id).await?;
    let location_id = &caller.who.location_id;
    let connections = connections::of_team(&state.db, location_id).await?;
    let app_events = app_events(state, &connections).await?;
    let trigger = &automation.definition.trigger;
    let (sample, sample_from) = sample(state, caller, trigger, (id, &automation.name)).await?;
    let versions = store::versions(&state.db, location_id, id)
        .await?
        .into_iter()
        .map(|version| {
            (
                version.version,
                caller.zone.moment(version.saved_at),
                version.saved_by.unwrap_or_default(),
            )
        })
        .collect();
    let (waiting, in_wait) = runs::queued_counts(&state.db, id).await?;
    Ok(EditorPage {
        id,
        state: automation.state.key().into(),
        version: automation.version,
        form: AutomationForm::of(&automation.name, &automation.definition),
        can_change: caller.role().can_manage(),
        triggers: triggers(&app_events),
        trigger_kinds: trigger_kinds(),
        zone: caller.zone.name().into(),
        next_ticks: next_ticks(trigger, caller.zone),
        app_events,
        connections: connections
            .iter()
            .map(|connection| Choice {
                value: connection.id.to_string(),
                label: connection.name.clone(),
            })
            .collect(),
        members: members(state, location_id).await?,
        operations: calls::allowed(&Granted::of_team(&state.db, location_id).await?)
            .into_iter()
            .map(|(value, label)| Choice { value, label })
            .collect(),
        kinds: calls::step_kinds_with_operations(),
        sample_fields: with_steps_fields(&sample, &automation.definition.steps),
        sample: serde_json::to_string_pretty(&sample).unwrap_or_default(),
        sample_from,
        versions,
        waiting,
        in_wait,
    })
}

/// The team's members, by name.
async fn members(state: &AppState, location_id: &str) -> Result<Vec<Choice>, AppError> {
    let members: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
          WHERE m.location_id = $1 ORDER BY lower(u.name), u.id",
    )
    .bind(location_id)
    .fetch_all(&state.db)
    .await?;
    Ok(members
        .into_iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name,
        })
        .collect())
}

/// The sample's fields, then what each step offers later ones.
fn with_steps_fields(sample: &Json, steps: &[Step]) -> Vec<PickerField> {
    let mut fields: Vec<PickerField> = picker::sample_fields(sample)
        .into_iter()
        .map(|field| PickerField {
            path: field.path,
            value: field.value,
        })
        .collect();
    for step in steps {
        let offers: &[&str] = match step.action {
            Action::ApplyMapping { .. } => &["contact_id", "new"],
            Action::FindContact { .. } => &["found", "id"],
            Action::CreateTask { .. } | Action::CreateNote { .. } => &["id"],
            Action::AddTags { .. } | Action::RemoveTags { .. } => &["tags"],
            Action::SendToApp { .. } => &["status"],
            Action::Wait { .. } => &["until"],
            Action::Branch { .. } => &["result", "next"],
            Action::UpdateContact { .. } => &["contact_id"],
            Action::RefreshContact { .. } => &["requested"],
            Action::UpsertContact { .. } => &["contact_id", "new"],
            Action::DeleteContact { .. }
            | Action::DeleteTask { .. }
            | Action::DeleteNote { .. } => &["deleted"],
            Action::UpdateTask { .. } | Action::CompleteTask { .. } | Action::UpdateNote { .. } => {
                &["id"]
            }
            Action::AddFollowers { .. } | Action::RemoveFollowers { .. } => &["followers"],
            Action::AddToCampaign { .. }
            | Action::RemoveFromCampaign { .. }
            | Action::AddToWorkflow { .. }
            | Action::RemoveFromWorkflow { .. }
            | Action::HighLevelCall { .. } => &[],
            Action::Alert { .. } => &["alert_id"],
            Action::Summary { .. } => &[
                "new_contacts",
                "tasks_due",
                "tasks_overdue",
                "tasks_completed",
                "notes_added",
            ],
        };
        fields.extend(offers.iter().map(|output| PickerField {
            path: format!("steps.{}.{output}", step.name),
            value: "known when the step has run".into(),
        }));
    }
    fields.push(PickerField {
        path: "now".into(),
        value: "the time of the run".into(),
    });
    fields
}

/// The form's definition, or its problems: those of the form, and what the
/// server knows (connections of the team, expressions that do not parse).
pub(super) async fn checked(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: &AutomationForm,
) -> Result<Result<Definition, Vec<FormProblem>>, AppError> {
    let mut definition = match form.definition() {
        Ok(definition) => definition,
        Err(problems) => return Ok(Err(problems)),
    };
    let location_id = &caller.who.location_id;
    let connections = connections::of_team(&state.db, location_id).await?;
    let known = |id: &i64| connections.iter().any(|c| c.id == *id);
    if let Trigger::AppEvent { connection_id, .. } = &definition.trigger {
        if !known(connection_id) {
            return Ok(Err(vec![problem(
                "trigger",
                "That app connection is gone: choose another trigger.",
            )]));
        }
    }
    let mut problems: Vec<FormProblem> = definition
        .steps
        .iter_mut()
        .enumerate()
        .flat_map(|(index, step)| calls::fit_call(index, &mut step.action))
        .collect();
    let granted = Granted::of_team(&state.db, location_id).await?;
    problems.extend(calls::scope_problems(&definition, &granted));
    let members = members(state, location_id).await?;
    // Each expression runs on the sample, as the test would: a filter that
    // does not exist or a value it cannot read shows before the save.
    let (sample, _) = sample(state, caller, &definition.trigger, (id, &form.name)).await?;
    // As a run reads it before any step: with `steps` empty, and `now`.
    let data = with_steps(&sample, &Default::default());
    let details = location::kept_details(&state.db, &caller.who.location_id).await?;
    let context = location::context(
        &caller.who.location_id,
        caller.zone,
        details,
        Default::default(),
    );
    let engine = Engine::new(&context);
    let check = |source: &str| {
        engine
            .text(source, &data)
            .err()
            .map(|why| format!("With the sample: {why}"))
    };
    if let Some(why) = check(&definition.filter.expression) {
        problems.push(problem("expression", &why));
    }
    let kinds = calls::step_kinds_with_operations();
    for (index, (step, form)) in definition.steps.iter().zip(&form.steps).enumerate() {
        let kind = kinds.iter().find(|kind| kind.key == form.kind).cloned();
        let fields = kind.map(|kind| kind.fields).unwrap_or_default();
        // A field the step does not show (the moment of a wait for a while) is not read.
        for field in fields.into_iter().filter(|field| field.shown(&form.fields)) {
            let value = form
                .fields
                .get(&field.key)
                .map(String::as_str)
                .unwrap_or_default();
            let at = format!("step.{index}.{}", field.key);
            match field.input {
                Input::Expression => {
                    if let Some(why) = check(value) {
                        problems.push(problem(&at, &why));
                    }
                }
                // A body that is not JSON is said by the fit of the step to its operation.
                Input::Json => {
                    let template = serde_json::from_str::<Json>(value).unwrap_or_default();
                    if let Some(why) = calls::texts(&template).into_iter().find_map(check) {
                        problems.push(problem(&at, &why));
                    }
                }
                Input::AppEvent | Input::Connection => {
                    let id = match &step.action {
                        Action::ApplyMapping { connection_id, .. }
                        | Action::SendToApp { connection_id, .. }
                        | Action::Summary {
                            deliver: SummaryTo::App { connection_id, .. },
                            ..
                        } => *connection_id,
                        _ => continue,
                    };
                    if !known(&id) {
                        problems.push(problem(&at, "That app connection is gone: choose another."));
                    }
                }
                Input::TeamMember => {
                    if !value.trim().is_empty() && !members.iter().any(|m| m.value == value.trim())
                    {
                        problems.push(problem(
                            &at,
                            "That person is no longer in your team: choose someone else.",
                        ));
                    }
                }
                Input::FindBy | Input::Select | Input::LaterStep | Input::Operation => {}
            }
        }
    }
    Ok(if problems.is_empty() {
        Ok(definition)
    } else {
        Err(problems)
    })
}

fn problem(at: &str, message: &str) -> FormProblem {
    FormProblem {
        at: at.into(),
        message: message.into(),
    }
}

pub async fn save(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: &AutomationForm,
) -> Result<Saved, AppError> {
    let definition = match checked(state, caller, id, form).await? {
        Ok(definition) => definition,
        Err(problems) => {
            return Ok(Saved {
                version: None,
                problems,
                next_ticks: Vec::new(),
            })
        }
    };
    let version = store::save(
        &state.db,
        &caller.who.location_id,
        id,
        form.name.trim(),
        &definition,
        caller.who.user_id,
    )
    .await?
    .ok_or_else(no_automation)?;
    tracing::info!(automation = id, version, "automation saved");
    Ok(Saved {
        version: Some(version),
        problems: Vec::new(),
        next_ticks: next_ticks(&definition.trigger, caller.zone),
    })
}

pub async fn skip(state: &AppState, caller: &Caller, id: i64) -> Result<u64, AppError> {
    automation(state, caller, id).await?;
    let who: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(caller.who.user_id)
        .fetch_one(&state.db)
        .await?;
    let skipped = runs::skip_waiting(&state.db, &caller.who.location_id, id, &who).await?;
    tracing::info!(automation = id, skipped, "waiting runs skipped");
    Ok(skipped)
}

/// The services of a test or a run someone started by hand: a person is
/// waiting for its requests, which go ahead of background work.
fn services(state: &AppState) -> Result<Services, AppError> {
    state.automation_services_for_people().map_err(|error| {
        tracing::error!(%error, "building the automations' HighLevel client");
        AppError::Unavailable("Automations cannot reach HighLevel on this server.".into())
    })
}

pub async fn test(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: &AutomationForm,
) -> Result<Tested, AppError> {
    let automation = automation(state, caller, id).await?;
    let definition = match checked(state, caller, id, form).await? {
        Ok(definition) => definition,
        Err(problems) => {
            return Ok(Tested {
                problems,
                run: None,
            })
        }
    };
    let (sample, _) = sample(state, caller, &definition.trigger, (id, &form.name)).await?;
    let run = NewRun {
        automation_id: id,
        location_id: caller.who.location_id.clone(),
        version: automation.version,
        trigger_kind: "test",
        trigger_body: sample,
        subject: None,
        dry_run: true,
    };
    let worker = format!("test:{}", uuid::Uuid::new_v4().simple());
    let claimed = runs::claim_new(&state.db, &run, &worker, 60.0).await?;
    let ending = execute_definition(&services(state)?, &claimed, &definition).await;
    let mut conn = state.db.acquire().await?;
    runs::finish(&mut conn, &claimed, &worker, &ending).await?;
    Ok(Tested {
        problems: Vec::new(),
        run: Some(detail(state, caller, claimed.id).await?),
    })
}

pub async fn run_now(state: &AppState, caller: &Caller, id: i64) -> Result<i64, AppError> {
    let automation = automation(state, caller, id).await?;
    let about = (id, automation.name.as_str());
    let (sample, _) = sample(state, caller, &automation.definition.trigger, about).await?;
    start_by_hand(state, caller, &automation, sample, None).await
}

pub async fn by_hand(state: &AppState, caller: &Caller) -> Result<Vec<ByHand>, AppError> {
    let automations = store::of_team(&state.db, &caller.who.location_id).await?;
    Ok(automations
        .into_iter()
        .filter(|automation| automation.definition.trigger == Trigger::Manual)
        .map(|automation| ByHand {
            id: automation.id,
            does: automation
                .definition
                .steps
                .iter()
                .map(|step| step.action.label())
                .collect::<Vec<_>>()
                .join(", then "),
            name: automation.name,
        })
        .collect())
}

pub async fn run_for_contact(
    state: &AppState,
    caller: &Caller,
    id: i64,
    contact_id: &str,
) -> Result<i64, AppError> {
    let automation = automation(state, caller, id).await?;
    if automation.definition.trigger != Trigger::Manual {
        return Err(AppError::invalid(
            "This automation starts on its own trigger, not by hand.",
        ));
    }
    let data: Option<Json> = sqlx::query_scalar(
        r"SELECT jsonb_build_object('event', 'by_hand', 'by', (SELECT name FROM users WHERE id = $3),
                                    'contact', automations_contact_json(c))
            FROM cache_contacts c WHERE c.location_id = $1 AND c.id = $2 AND c.deleted_at IS NULL",
    )
    .bind(&caller.who.location_id)
    .bind(contact_id)
    .bind(caller.who.user_id)
    .fetch_optional(&state.db)
    .await?;
    let data = data.ok_or_else(|| AppError::NotFound("Your team has no such contact.".into()))?;
    start_by_hand(
        state,
        caller,
        &automation,
        data,
        Some(contact_id.to_owned()),
    )
    .await
}

/// Runs `automation` on `data` now: queued when it is on, else run at once
/// in this process, since someone asked for it.
async fn start_by_hand(
    state: &AppState,
    caller: &Caller,
    automation: &Automation,
    data: Json,
    subject: Option<String>,
) -> Result<i64, AppError> {
    let run = NewRun {
        automation_id: automation.id,
        location_id: caller.who.location_id.clone(),
        version: automation.version,
        trigger_kind: "manual",
        trigger_body: data,
        subject,
        dry_run: false,
    };
    if automation.state == State::On {
        return Ok(runs::enqueue(&state.db, &run).await?);
    }
    let worker = format!("now:{}", uuid::Uuid::new_v4().simple());
    let claimed = runs::claim_new(&state.db, &run, &worker, 60.0).await?;
    let services = services(state)?;
    let definition = automation.definition.clone();
    let db = state.db.clone();
    let id = claimed.id;
    tokio::spawn(async move {
        let ending = execute_definition(&services, &claimed, &definition).await;
        if let Ok(mut conn) = db.acquire().await {
            if let Err(error) = runs::finish(&mut conn, &claimed, &worker, &ending).await {
                tracing::warn!(%error, "recording how a run ended");
            }
        }
    });
    Ok(id)
}

pub async fn runs(
    state: &AppState,
    caller: &Caller,
    query: &RunQuery,
) -> Result<Vec<RunRow>, AppError> {
    let filter = RunFilter {
        automation_id: query.automation_id,
        status: query.status.as_deref().and_then(RunStatus::from_key),
        subject: query
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
        since: query
            .days
            .filter(|days| *days > 0)
            .map(|days| Utc::now() - Duration::days(days.min(366))),
        limit: RUNS_SHOWN,
    };
    let listed = runs::list(&state.db, &caller.who.location_id, &filter).await?;
    let waits = waits(state, &listed).await?;
    Ok(listed
        .iter()
        .map(|run| row(run, caller.zone, &waits))
        .collect())
}

/// The moments queued runs among `listed` wait for in a wait step.
async fn waits(state: &AppState, listed: &[Listed]) -> Result<Vec<(i64, DateTime<Utc>)>, AppError> {
    let queued: Vec<i64> = listed
        .iter()
        .filter(|run| run.status == RunStatus::Queued.key())
        .map(|run| run.id)
        .collect();
    if queued.is_empty() {
        return Ok(Vec::new());
    }
    Ok(journal::waits(&state.db, &queued).await?)
}

fn row(run: &Listed, zone: TeamZone, waits: &[(i64, DateTime<Utc>)]) -> RunRow {
    let waiting_until = waits
        .iter()
        .find(|(id, _)| *id == run.id)
        .map(|(_, until)| zone.day_and_time(*until));
    let status = RunStatus::from_key(&run.status);
    let duration = match (run.started_at, run.finished_at) {
        (Some(start), Some(end)) => {
            let ms = (end - start).num_milliseconds().max(0);
            if ms < 1_000 {
                format!("{ms} ms")
            } else {
                format!("{:.1} s", ms as f64 / 1_000.0)
            }
        }
        _ => String::new(),
    };
    let trigger = match (run.trigger_kind.as_str(), &run.event_type) {
        ("app_event", Some(event_type)) => format!("App event {event_type}"),
        ("test", _) => "Test with the sample".into(),
        ("manual", _) => "Run now".into(),
        ("schedule", _) => "Its schedule".into(),
        ("highlevel", Some(event)) if run.depth > 0 => format!(
            "In HighLevel: {}, by another automation",
            highlevel_events::describe(event, "").to_lowercase()
        ),
        ("highlevel", Some(event)) => format!(
            "In HighLevel: {}",
            highlevel_events::describe(event, "").to_lowercase()
        ),
        (other, _) => other.to_owned(),
    };
    RunRow {
        id: run.id,
        automation_id: run.automation_id,
        automation: run.automation_name.clone(),
        status: run.status.clone(),
        status_label: status.map_or(run.status.clone(), |s| s.label().into()),
        trigger,
        subject: run
            .contact_name
            .as_deref()
            .filter(|name| !name.is_empty())
            .or_else(|| {
                run.subject
                    .as_deref()
                    .map(|subject| subject.split_once(':').map_or(subject, |(_, who)| who))
            })
            .unwrap_or_default()
            .to_owned(),
        test: run.dry_run,
        version: run.version,
        queued_at: zone.moment(run.queued_at),
        duration,
        error: run.error.clone(),
        retry_at: runs::waiting_until(run)
            .filter(|_| waiting_until.is_none())
            .map(|at| zone.moment(at)),
        waiting_until,
    }
}

pub async fn detail(state: &AppState, caller: &Caller, id: i64) -> Result<RunPage, AppError> {
    let listed = runs::of_team_by_id(&state.db, &caller.who.location_id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("Your team has no such run.".into()))?;
    let automation = automation(state, caller, listed.automation_id).await?;
    let trigger = runs::trigger_data(&state.db, id)
        .await?
        .unwrap_or(Json::Null);
    let records = journal::of_run(&state.db, id).await?;
    let ran = store::version(&state.db, listed.automation_id, listed.version).await?;
    let status = RunStatus::from_key(&listed.status);
    let steps = step_views(&records, ran.as_ref(), status, caller.zone);
    let waits = waits(state, std::slice::from_ref(&listed)).await?;
    let failed = matches!(status, Some(RunStatus::Failed | RunStatus::NeedsAttention));
    Ok(RunPage {
        advice: advice(&listed, status),
        can_retry: failed && caller.role().can_manage() && !listed.dry_run,
        current_version: automation.version,
        trigger_data: serde_json::to_string_pretty(&trigger).unwrap_or_default(),
        run: row(&listed, caller.zone, &waits),
        steps,
    })
}

/// Each recorded step, with what a wait or a branch did in plain words,
/// and the steps a branch jumped over (they have no record) in their place.
fn step_views(
    records: &[StepRecord],
    ran: Option<&Definition>,
    status: Option<RunStatus>,
    zone: TeamZone,
) -> Vec<StepView> {
    let step_of = |record: &StepRecord| {
        ran.and_then(|definition| definition.steps.get(usize::try_from(record.position).ok()?))
            .filter(|step| step.name == record.name)
    };
    let over = status.is_some_and(RunStatus::is_final);
    let mut views: Vec<StepView> = records
        .iter()
        .map(|record| {
            let step = step_of(record);
            let view = step_view(record, zone);
            StepView {
                summary: step.and_then(|step| summary(record, step, over, zone)),
                // A wait's time is what it waited, which its summary says.
                duration_ms: view.duration_ms.filter(|_| {
                    !step.is_some_and(|step| matches!(step.action, Action::Wait { .. }))
                }),
                ..view
            }
        })
        .collect();
    let Some(definition) = ran else {
        return views;
    };
    for record in records {
        let Some(step) =
            step_of(record).filter(|step| matches!(step.action, Action::Branch { .. }))
        else {
            continue;
        };
        let Some(next) = record
            .output
            .as_ref()
            .and_then(|output| output["next"].as_str())
        else {
            continue;
        };
        let from = usize::try_from(record.position).unwrap_or_default() + 1;
        let to = definition
            .steps
            .iter()
            .skip(from)
            .position(|later| later.name == next)
            .map_or(definition.steps.len(), |offset| from + offset);
        for (at, skipped) in definition.steps.iter().enumerate().take(to).skip(from) {
            let position = i32::try_from(at).unwrap_or(i32::MAX);
            if views.iter().any(|view| view.position == position) {
                continue;
            }
            views.push(StepView {
                position,
                name: skipped.name.clone(),
                status: "skipped".into(),
                summary: Some(format!("Skipped: the step “{}” went past it.", step.name)),
                started: String::new(),
                duration_ms: None,
                request: String::new(),
                answer: String::new(),
                output: String::new(),
                error: None,
            });
        }
    }
    views.sort_by_key(|view| view.position);
    views
}

/// What a wait, a branch, an alert or a summary did, from its record.
fn summary(record: &StepRecord, step: &Step, over: bool, zone: TeamZone) -> Option<String> {
    let output = record.output.as_ref()?;
    let alert = || {
        let request = record.request.as_ref()?;
        // A summary kept as an alert records it under `then`.
        let alert = request
            .get("alert")
            .or_else(|| request["then"].get("alert"))?;
        let title = alert["title"].as_str()?.to_owned();
        let to = if alert["for"].is_number() {
            "one member of the team"
        } else {
            "the whole team"
        };
        Some((title, to))
    };
    match &step.action {
        Action::Alert { .. } | Action::Summary { .. }
            if record.status() != Some(StepStatus::Done) =>
        {
            None
        }
        Action::Alert { .. } => {
            let (title, to) = alert()?;
            Some(if output["dry_run"] == true {
                format!("A real run raises the alert “{title}” for {to}. The test raised nothing.")
            } else {
                format!("Raised the alert “{title}” for {to}.")
            })
        }
        Action::Summary { deliver, .. } => {
            let counts = format!(
                "{}: {} new contacts, {} tasks due, {} overdue, {} appointments.",
                output["period"].as_str()?,
                output["new_contacts"],
                output["tasks_due"],
                output["tasks_overdue"],
                output["appointments"].as_array().map_or(0, Vec::len),
            );
            let done = match (deliver, output["dry_run"] == true) {
                (_, true) => "A real run keeps or sends it; the test did neither.".to_owned(),
                (SummaryTo::Alert, false) => {
                    format!("Kept as the alert “{}”.", alert().map(|(title, _)| title)?)
                }
                (SummaryTo::App { .. }, false) => "Sent to the app.".to_owned(),
            };
            Some(format!("{counts} {done}"))
        }
        Action::Wait { .. } => {
            let until = journal::moment(output["until"].as_str()?)?;
            let when = zone.day_and_time(until);
            Some(match record.status() {
                Some(StepStatus::Waiting) if over => {
                    format!("Was waiting until {when} when the run stopped.")
                }
                Some(StepStatus::Waiting) => {
                    format!("Waiting until {when}; then the run goes on with the next step.")
                }
                _ if output["dry_run"] == true => {
                    format!("A real run waits here until {when}. The test went straight on.")
                }
                _ => format!("Waited until {when}."),
            })
        }
        Action::Branch { .. } => {
            let held = if output["result"] == true {
                "It held"
            } else {
                "It did not hold"
            };
            Some(match output["next"].as_str()? {
                END => format!("{held}: the run ended here."),
                next => format!("{held}: the run went on at “{next}”."),
            })
        }
        _ => None,
    }
}

/// What to do about a run that did not succeed, in plain words.
fn advice(run: &Listed, status: Option<RunStatus>) -> Option<String> {
    let error = run.error.as_deref().unwrap_or_default();
    Some(match status? {
        RunStatus::Failed if error.contains("mapping") => {
            "Fix the connection's field mapping (or pick a sample that fits it), then retry from the failed step.".into()
        }
        RunStatus::Failed if error.contains("permission") || error.contains("Reconnect") => {
            "Reconnect HighLevel on the Connections page with the permission named, then retry.".into()
        }
        RunStatus::Failed => {
            "Change the step that failed (or the data it reads), save, then retry with the current version.".into()
        }
        RunStatus::NeedsAttention => {
            "Every retry failed. Check that HighLevel and the app are reachable, then retry from the failed step.".into()
        }
        // A run held by a wait step since its retry has no error.
        RunStatus::Queued if run.tries > 0 && run.error.is_some() => {
            "This step failed for a reason that may pass (the app or HighLevel was busy or down): Switchboard tries again by itself.".into()
        }
        RunStatus::Filtered => "The filters stopped this run: that is not a failure.".into(),
        _ => return None,
    })
}

fn step_view(record: &StepRecord, zone: TeamZone) -> StepView {
    let pretty = |value: &Option<Json>| match value {
        None | Some(Json::Null) => String::new(),
        Some(value) => serde_json::to_string_pretty(&redacted(value.clone())).unwrap_or_default(),
    };
    StepView {
        position: record.position,
        name: record.name.clone(),
        status: record.status.clone(),
        summary: None,
        started: zone.to_the_second(record.started_at),
        duration_ms: record
            .finished_at
            .map(|end| (end - record.started_at).num_milliseconds().max(0)),
        request: pretty(&record.request),
        answer: pretty(&record.answer),
        output: pretty(&record.output),
        error: record.error.clone(),
    }
}

/// Values of fields named like credentials, replaced: what a step records
/// holds none by design, and a page never shows one even if it did.
fn redacted(mut value: Json) -> Json {
    const NAMES: [&str; 6] = [
        "token",
        "secret",
        "password",
        "authorization",
        "api_key",
        "apikey",
    ];
    match &mut value {
        Json::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                let lower = name.to_lowercase();
                if NAMES.iter().any(|word| lower.contains(word)) {
                    *field = Json::String("(hidden)".into());
                } else {
                    *field = redacted(field.take());
                }
            }
        }
        Json::Array(items) => {
            for item in items.iter_mut() {
                *item = redacted(item.take());
            }
        }
        _ => {}
    }
    value
}
