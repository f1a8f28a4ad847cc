//! Runs one claimed run: the version it names, its trigger's data, the
//! filters, then each step in order. A step already recorded as done is not
//! run again (its output is read back), and a step recorded as sending is
//! checked before it is sent again: see [`super::steps`].

use serde_json::{json, Map, Value as Json};
use sqlx::PgPool;

use super::filter;
use super::journal::{self, Finished, StepRecord};
use super::model::{Definition, StepStatus};
use super::runs::{ClaimedRun, Ending};
use super::steps::{self, Call, Plan, StepError};
use super::store;
use crate::apps::mapping::Engine;
use crate::apps::outbound::deliver::Courier;
use crate::apps::outbound::model::DeliveryOutcome;
use crate::auth::vault::Vault;
use crate::highlevel::{HighLevelClient, HighLevelError};
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
        let mut tx = self.db.begin().await?;
        sqlx::query("SELECT set_config('switchboard.run', $1, true)")
            .bind(run_id.to_string())
            .execute(&mut *tx)
            .await?;
        match call.operation {
            "upsert-contact" | "update-contact" => {
                writes::store_contact(&mut *tx, location_id, &answer["contact"]).await?;
            }
            "create-task" => writes::store_task(&mut *tx, location_id, &answer["task"]).await?,
            "create-note" => writes::store_notes(&mut *tx, location_id, &[&answer["note"]]).await?,
            "add-tags" | "remove-tags" => {
                let tags: Vec<String> =
                    serde_json::from_value(answer["tags"].clone()).unwrap_or_default();
                if let Some(contact_id) = call.params.get("contactId") {
                    // A contact the cache does not hold yet comes with the next poll.
                    writes::store_tags(&mut tx, location_id, contact_id, &tags).await?;
                }
            }
            _ => {}
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
    for (position, step) in definition.steps.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        // A record of another step (the current version moved steps) is not this one's.
        let earlier = recorded
            .iter()
            .find(|record| record.position == position && record.name == step.name);
        if let Some(done) = earlier.filter(|record| record.status() == Some(StepStatus::Done)) {
            outputs.insert(step.name.clone(), done.output.clone().unwrap_or_default());
            continue;
        }
        let data = with_steps(&trigger, &outputs);
        let plan = Plan {
            services,
            location_id: &run.location_id,
            context: &context,
            engine: &engine,
            data: &data,
            trigger: &trigger,
        };
        let output = run_step(services, run, definition, position, &plan, earlier).await?;
        outputs.insert(step.name.clone(), output);
    }
    Ok(Ending::Succeeded)
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
    let key = format!("switchboard-run-{}-step-{position}", run.id);
    match steps::send(services, run.id, &run.location_id, &planned, resumed, &key).await {
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
