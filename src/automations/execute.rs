//! Runs one claimed run: the version it names, its trigger's data, the
//! filters, then each step in order, or where a branch sends it. A step
//! already recorded as done is not run again (its output is read back, and
//! a branch goes the way it went), and a step recorded as sending is
//! checked before it is sent again: see [`super::steps`]. A wait step whose
//! moment has not come ends the claim; the run is claimed again then, and
//! its record gives the same moment.

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Map, Value as Json};
use sqlx::PgPool;

use super::filter;
use super::journal::{self, Finished, StepRecord};
use super::model::{Action, Definition, Delay, Step, StepStatus, Test, END};
use super::runs::{ClaimedRun, Ending};
use super::steps::{self, Call, Plan, StepError, StepOfRun};
use super::store;
use crate::apps::mapping::Engine;
use crate::apps::outbound::deliver::Courier;
use crate::apps::outbound::model::DeliveryOutcome;
use crate::auth::vault::Vault;
use crate::cache::{self, Cached, ContactRecord, NoteRecord, TaskRecord};
use crate::highlevel::{HighLevelClient, HighLevelError};
use crate::workspace::tasks::parse_due;
use crate::workspace::{writes, WorkspaceError};

/// What runs need: the database, HighLevel (in the background share of the
/// rate budget, so people's own requests go first), and the app courier.
#[derive(Clone)]
pub struct Services {
    pub db: PgPool,
    pub client: HighLevelClient,
    pub courier: Courier,
    pub vault: Vault,
}

impl Services {
    pub(super) async fn call(
        &self,
        location_id: &str,
        call: &Call,
    ) -> Result<Json, HighLevelError> {
        self.client
            .call(call.operation, location_id, &call.params, call.body.clone())
            .await
    }

    /// Keeps the cache in step with what HighLevel answered a write of run
    /// `run_id`, in a transaction that names the run, so that the changes
    /// it makes do not start the run's own automation again (see the
    /// migration `highlevel_triggers`).
    pub(super) async fn cache(&self, run_id: i64, location_id: &str, call: &Call, answer: &Json) {
        if let Err(error) = self.cache_as_run(run_id, location_id, call, answer).await {
            tracing::warn!(%error, operation = call.operation, "caching what an automation wrote");
        }
    }

    async fn cache_as_run(
        &self,
        run_id: i64,
        location_id: &str,
        call: &Call,
        answer: &Json,
    ) -> Result<(), WorkspaceError> {
        let mut tx = crate::db::begin(&self.db).await?;
        sqlx::query("SELECT set_config('switchboard.run', $1, true)")
            .bind(run_id.to_string())
            .execute(&mut *tx)
            .await?;
        match call.operation {
            "upsert-contact" | "update-contact" | "create-contact" => {
                writes::store_contact(&mut *tx, location_id, &answer["contact"]).await?;
            }
            "create-task" | "update-task" | "update-task-completed" => {
                writes::store_task(&mut *tx, location_id, &answer["task"]).await?;
            }
            "create-note" | "update-note" => {
                writes::store_notes(&mut *tx, location_id, &[&answer["note"]]).await?;
            }
            "add-tags" | "remove-tags" | "add-followers-contact" | "remove-followers-contact" => {
                let field = if call.operation.ends_with("tags") {
                    "tags"
                } else {
                    "followers"
                };
                let contact_id = call.params.get("contactId");
                // A contact the cache does not hold yet comes with the next poll.
                if let Some(contact_id) = contact_id.filter(|_| answer[field].is_array()) {
                    writes::store_contact_field(
                        &mut tx,
                        location_id,
                        contact_id,
                        field,
                        &answer[field],
                    )
                    .await?;
                }
            }
            _ => {}
        }
        // A deleted row is kept, marked deleted, as a webhook's delete marks it.
        let deleted = match call.operation {
            "delete-contact" => Some((ContactRecord::TABLE, "contactId")),
            "delete-task" => Some((TaskRecord::TABLE, "taskId")),
            "delete-note" => Some((NoteRecord::TABLE, "id")),
            _ => None,
        };
        if let Some((table, id)) =
            deleted.and_then(|(table, name)| Some((table, call.params.get(name)?.clone())))
        {
            cache::mark_deleted(&mut *tx, table, location_id, &[id], Utc::now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn deliver(
        &self,
        location_id: &str,
        connection_id: i64,
        path: &str,
        body: &Json,
        key: &str,
    ) -> Result<DeliveryOutcome, StepError> {
        let target = steps::target(self, location_id, connection_id).await?;
        Ok(self.courier.deliver_once(&target, path, body, key).await)
    }
}

/// Runs `run` to its end, or to the step that must wait or failed.
pub async fn execute(services: &Services, run: &ClaimedRun) -> Ending {
    match store::version(&services.db, run.automation_id, run.version).await {
        Ok(Some(definition)) => execute_definition(services, run, &definition).await,
        Ok(None) => Ending::Failed(format!(
            "Version {} of the automation is gone.",
            run.version
        )),
        Err(error) => StepError::from(error).into(),
    }
}

/// Runs `run` as `definition` says: a test runs the builder's form as it is.
pub async fn execute_definition(
    services: &Services,
    run: &ClaimedRun,
    definition: &Definition,
) -> Ending {
    match try_execute(services, run, definition).await {
        Ok(ending) => ending,
        Err(error) => error.into(),
    }
}

impl From<StepError> for Ending {
    fn from(error: StepError) -> Self {
        match error {
            StepError::Retry(why) => Ending::Retry(why),
            StepError::Fail(why) => Ending::Failed(why),
        }
    }
}

async fn try_execute(
    services: &Services,
    run: &ClaimedRun,
    definition: &Definition,
) -> Result<Ending, StepError> {
    let db = &services.db;
    let Some(trigger) = super::runs::trigger_data(db, run.id).await? else {
        return Ok(Ending::Failed(
            "The request that started this run is no longer kept, so it cannot run.".into(),
        ));
    };
    let context = steps::team_context(services, &run.location_id).await?;
    let engine = Engine::new(&context);
    if let Some(why) =
        filter::stops(&definition.filter, &trigger, &engine).map_err(StepError::Fail)?
    {
        return Ok(Ending::Filtered(why));
    }
    let recorded = journal::of_run(db, run.id).await?;
    let mut outputs = Map::new();
    let mut at = 0;
    while let Some(step) = definition.steps.get(at) {
        let position = i32::try_from(at).unwrap_or(i32::MAX);
        // A record of another step (the current version moved steps) is not this one's.
        let earlier = recorded
            .iter()
            .find(|record| record.position == position && record.name == step.name);
        let done = earlier
            .filter(|record| record.status() == Some(StepStatus::Done))
            .and_then(|record| record.output.clone());
        let data = with_steps(&trigger, &outputs);
        let plan = Plan {
            services,
            location_id: &run.location_id,
            context: &context,
            engine: &engine,
            data: &data,
            trigger: &trigger,
        };
        let journal = Journal {
            db,
            run,
            position,
            step,
        };
        let output = match (&step.action, done) {
            // A branch goes the way it went, unless that way is gone (the
            // current version renamed or moved the step it went to).
            (Action::Branch { .. }, Some(output))
                if next_after(definition, at, &output).is_some() =>
            {
                output
            }
            (Action::Branch { .. }, _) => branch(&journal, definition, at, &plan).await?,
            (_, Some(output)) => output,
            (Action::Wait { delay }, None) => match wait(&journal, delay, &plan, earlier).await? {
                Waited::Over(output) => output,
                Waited::Until(until) => return Ok(Ending::Waiting(until)),
            },
            (_, None) => run_step(services, run, definition, position, &plan, earlier).await?,
        };
        at = match &step.action {
            Action::Branch { .. } => match next_after(definition, at, &output) {
                Some(next) => next,
                None => {
                    return Ok(Ending::Failed(format!(
                        "The step “{}” goes to “{}”, which is not a later step: choose a later step in the builder, save, then retry with the current version.",
                        step.name,
                        output["next"].as_str().unwrap_or_default()
                    )))
                }
            },
            _ => at + 1,
        };
        outputs.insert(step.name.clone(), output);
    }
    Ok(Ending::Succeeded)
}

/// Where one step of a run is recorded.
struct Journal<'a> {
    db: &'a PgPool,
    run: &'a ClaimedRun,
    position: i32,
    step: &'a Step,
}

impl Journal<'_> {
    async fn record(&self, status: StepStatus, request: &Json, output: &Json) -> sqlx::Result<()> {
        let finished = Finished {
            status,
            answer: None,
            output: Some(output),
            error: None,
        };
        let (db, run, name) = (self.db, self.run.id, &self.step.name);
        journal::finished(db, run, self.position, name, request, &finished).await
    }

    /// Records that the step cannot be done, and why: the run fails.
    async fn failed(&self, request: &Json, why: String) -> StepError {
        let finished = Finished {
            status: StepStatus::Failed,
            answer: None,
            output: None,
            error: Some(&why),
        };
        let (db, run, name) = (self.db, self.run.id, &self.step.name);
        match journal::finished(db, run, self.position, name, request, &finished).await {
            Ok(()) => StepError::Fail(why),
            Err(error) => error.into(),
        }
    }
}

/// The index of the step a branch's output (`{"next": …}`) goes on at,
/// after step `at`; `steps.len()` for the end; `None` when it names no
/// later step.
fn next_after(definition: &Definition, at: usize, output: &Json) -> Option<usize> {
    let next = output["next"].as_str()?;
    if next == END {
        return Some(definition.steps.len());
    }
    definition
        .steps
        .iter()
        .skip(at + 1)
        .position(|step| step.name == next)
        .map(|offset| at + 1 + offset)
}

/// Decides which way the branch at `at` goes, and records it.
async fn branch(
    journal: &Journal<'_>,
    definition: &Definition,
    at: usize,
    plan: &Plan<'_>,
) -> Result<Json, StepError> {
    let Action::Branch {
        test,
        then_to,
        otherwise_to,
    } = &journal.step.action
    else {
        return Err(StepError::Fail("This step is not a branch.".into()));
    };
    let request = match test {
        Test::Condition(condition) => json!({
            "field": condition.field,
            "operator": condition.operator.label(),
            "value": condition.value,
        }),
        Test::Expression { expression } => json!({ "expression": expression }),
    };
    let result = match filter::decides(test, plan.data, plan.engine) {
        Ok(result) => result,
        Err(why) => return Err(journal.failed(&request, why).await),
    };
    let to = if result { then_to } else { otherwise_to };
    let next = if to.is_empty() {
        definition
            .steps
            .get(at + 1)
            .map_or(END, |step| step.name.as_str())
    } else {
        to.as_str()
    };
    let output = json!({ "result": result, "next": next });
    journal.record(StepStatus::Done, &request, &output).await?;
    Ok(output)
}

/// How a wait step stands.
enum Waited {
    /// Its moment has come (or a dry run went past it): the step's output.
    Over(Json),
    /// The run is held until then.
    Until(DateTime<Utc>),
}

/// The moment a wait step holds the run until: the one its record gives
/// when the run was claimed again, else worked out now. Recorded as
/// waiting until it comes, and as done once it has come; a dry run records
/// the moment and goes on.
async fn wait(
    journal: &Journal<'_>,
    delay: &Delay,
    plan: &Plan<'_>,
    earlier: Option<&StepRecord>,
) -> Result<Waited, StepError> {
    let now = Utc::now();
    let kept = earlier
        .filter(|record| record.status() == Some(StepStatus::Waiting))
        .and_then(|record| {
            let until = record.output.as_ref()?["until"].as_str()?;
            Some((journal::moment(until)?, record.request.clone()?))
        });
    let resumed = kept.is_some();
    let (until, request) = match kept {
        Some(kept) => kept,
        // To the second, as the record keeps it, so the queue and the
        // record name the same moment.
        None => match wait_until(delay, plan, now) {
            Ok((until, request)) => (until.trunc_subsecs(0), request),
            Err((request, why)) => return Err(journal.failed(&request, why).await),
        },
    };
    let mut output = json!({ "until": until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) });
    if until <= now || journal.run.dry_run {
        if until > now {
            output["dry_run"] = Json::Bool(true);
        }
        journal.record(StepStatus::Done, &request, &output).await?;
        return Ok(Waited::Over(output));
    }
    if !resumed {
        let (db, run, name) = (journal.db, journal.run.id, &journal.step.name);
        journal::waiting(db, run, journal.position, name, &request, &output).await?;
    }
    Ok(Waited::Until(until))
}

/// The moment `delay` names, from `now`, with what was asked as the step
/// records it; or that record and why the moment cannot be worked out.
fn wait_until(
    delay: &Delay,
    plan: &Plan<'_>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Json), (Json, String)> {
    let text = |source: &str, what: &str| {
        plan.engine
            .text(source, plan.data)
            .map(|text| text.trim().to_owned())
            .map_err(|why| (Json::Null, format!("{what}: {why}")))
    };
    match delay {
        Delay::Duration { amount, unit } => {
            let amount = text(amount, "How long to wait")?;
            let request = json!({ "for": amount, "unit": unit.key() });
            let secs = amount
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(|n| n * unit.seconds());
            let until = secs
                .and_then(|secs| chrono::Duration::try_milliseconds((secs * 1_000.0) as i64))
                .and_then(|wait| now.checked_add_signed(wait));
            match until {
                Some(until) => Ok((until, request)),
                None if secs.is_none() => Err((
                    request,
                    format!(
                        "How long to wait came out as “{amount}”, which is not a number of {}.",
                        unit.key()
                    ),
                )),
                None => Err((
                    request,
                    format!("{amount} {} is too long to wait.", unit.key()),
                )),
            }
        }
        Delay::Until { moment } => {
            let moment = text(moment, "The moment to wait until")?;
            let request = json!({ "until": moment });
            if moment.is_empty() {
                return Err((request, "The moment to wait until came out empty.".into()));
            }
            match parse_due(&moment, plan.context.zone) {
                Some(until) => Ok((until, request)),
                None => Err((
                    request,
                    format!("The moment to wait until, “{moment}”, is not a date or a time like 2026-03-01T09:00."),
                )),
            }
        }
    }
}

/// Plans, records and sends one step; records its failure too.
async fn run_step(
    services: &Services,
    run: &ClaimedRun,
    definition: &Definition,
    position: i32,
    plan: &Plan<'_>,
    earlier: Option<&StepRecord>,
) -> Result<Json, StepError> {
    let step = &definition.steps[usize::try_from(position).unwrap_or_default()];
    let db = &services.db;
    let record_failure = |request: Json, error: StepError| async move {
        let why = match &error {
            StepError::Retry(why) | StepError::Fail(why) => why.clone(),
        };
        let finished = Finished {
            status: StepStatus::Failed,
            answer: None,
            output: None,
            error: Some(&why),
        };
        journal::finished(db, run.id, position, &step.name, &request, &finished).await?;
        Err(error)
    };
    let planned = match plan.plan(&step.action).await {
        Ok(planned) => planned,
        Err(error) => return record_failure(Json::Null, error).await,
    };
    let request = planned.record();
    if run.dry_run && planned.writes() {
        let output = steps::dry_output(&planned);
        let finished = Finished {
            status: StepStatus::Done,
            answer: None,
            output: Some(&output),
            error: None,
        };
        journal::finished(db, run.id, position, &step.name, &request, &finished).await?;
        return Ok(output);
    }
    // A step that was sending when its process died, or that failed in a
    // way that may have reached HighLevel or the app (a timeout, a 5xx),
    // may have been carried out: it is checked before it is sent again.
    let resumed = earlier.is_some();
    journal::sending(db, run.id, position, &step.name, &request).await?;
    let sending = StepOfRun {
        run_id: run.id,
        position,
        location_id: &run.location_id,
        resumed,
    };
    match steps::send(services, sending, &planned).await {
        Ok((answer, output)) => {
            let finished = Finished {
                status: StepStatus::Done,
                answer: Some(&answer),
                output: Some(&output),
                error: None,
            };
            journal::finished(db, run.id, position, &step.name, &request, &finished).await?;
            Ok(output)
        }
        Err(error) => record_failure(request, error).await,
    }
}

/// The trigger's data with the outputs of the steps so far under `steps`,
/// and the time under `now` (for due dates such as tomorrow at 9:00).
pub fn with_steps(trigger: &Json, outputs: &Map<String, Json>) -> Json {
    let mut data = match trigger {
        Json::Object(fields) => fields.clone(),
        other => {
            let mut fields = Map::new();
            fields.insert("data".into(), other.clone());
            fields
        }
    };
    data.insert("steps".into(), Json::Object(outputs.clone()));
    data.insert(
        "now".into(),
        Json::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    json!(data)
}
