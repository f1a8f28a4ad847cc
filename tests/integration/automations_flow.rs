//! Wait and "If / otherwise" steps against the real server, the worker and
//! the sandbox HighLevel: a wait puts its run back in the queue until its
//! moment without using up a retry or counting as a crash, a run claimed
//! early waits for the same moment, and after it the run goes on; a branch
//! takes the way its condition says (and the way it recorded, after a
//! crash), skipping the steps it jumps over; a test with the sample does
//! not wait; skipping a paused automation's runs leaves those held by a
//! wait. Moments are moved into the past with SQL, never slept through.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{json, Value};
use switchboard::automations::form::AutomationForm;
use switchboard::automations::journal::{self, StepRecord};
use switchboard::automations::model::{
    Action, Condition, Delay, Operator, State, Step, StepStatus, Test, TimeUnit, END,
};
use switchboard::automations::runs;
use switchboard::workspace::tasks::parse_due;
use switchboard::zone::TeamZone;

use crate::automations_support::{self as support, manual, step};
use crate::common::{self, sandbox_ledger};
use crate::webhooks_support::eventually;
use crate::workspace_support::ok_json;

/// What these tests add to the shared team: a contact in the sandbox
/// HighLevel that steps tag.
struct Contact {
    contact_id: String,
}

type Team = support::Team<Contact>;

async fn team() -> Team {
    let team = support::Team::start(&[]).await;
    let token = team.sandbox_token().await;
    let made = common::json_of(
        common::http()
            .post(format!("{}/sandbox/contacts/", team.app.base))
            .bearer_auth(&token)
            .header("Version", "2021-07-28")
            .json(&json!({"locationId": team.location_id, "email": "flow@example.com"})),
    )
    .await;
    let contact_id = made["contact"]["id"].as_str().unwrap().to_owned();
    team.with(Contact { contact_id })
}

impl Team {
    /// A manual automation of `steps`, in `state`.
    async fn automation(&self, steps: Vec<Step>, state: State) -> i64 {
        self.create_automation("Flow", &manual(steps), state).await
    }

    /// Queues a real run about the team's contact, with `data` beside it.
    async fn run(&self, automation: i64, mut data: Value) -> i64 {
        data["contact"] = json!(self.contact_id);
        self.queue(automation, data).await
    }

    /// Waits until the run is back in the queue, held by its wait step
    /// until a moment more than `at_least` away; the run and the record.
    async fn held(&self, run: i64, at_least: Duration) -> (runs::Listed, StepRecord) {
        eventually("the run to wait", || async {
            let listed = self.listed(run).await;
            let steps = journal::of_run(&self.app.db, run).await.unwrap();
            let waiting = steps
                .into_iter()
                .find(|step| step.status() == Some(StepStatus::Waiting))?;
            (listed.status == "queued"
                && listed.next_attempt_at > Utc::now() + at_least
                && !self.claimed(run).await)
                .then_some((listed, waiting))
        })
        .await
    }

    async fn claimed(&self, run: i64) -> bool {
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT claimed_by FROM automation_runs WHERE id = $1",
        )
        .bind(run)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
        .is_some()
    }

    async fn attempts_and_tries(&self, run: i64) -> (i32, i32) {
        sqlx::query_as("SELECT attempts, tries FROM automation_runs WHERE id = $1")
            .bind(run)
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }

    /// Moves the run's wait (the queue's moment and the step's record) to
    /// `until`, and wakes the workers.
    async fn wait_ends_at(&self, run: i64, until: DateTime<Utc>, record_too: bool) {
        sqlx::query("UPDATE automation_runs SET next_attempt_at = $2 WHERE id = $1")
            .bind(run)
            .bind(until)
            .execute(&self.app.db)
            .await
            .unwrap();
        if record_too {
            sqlx::query(
                "UPDATE automation_run_steps SET output = $2 WHERE run_id = $1 AND status = 'waiting'",
            )
            .bind(run)
            .bind(json!({ "until": rfc3339(until) }))
            .execute(&self.app.db)
            .await
            .unwrap();
        }
        runs::announce(&self.app.db).await.unwrap();
    }

    /// The tags writes HighLevel got since `from`, with the tags each added.
    async fn tags_written(&self, from: usize, runs: &[i64]) -> Vec<String> {
        let ledger = sandbox_ledger(&self.app.base).await;
        let paths: Vec<String> = ledger[from..]
            .iter()
            .filter(|entry| entry["method"] == "POST")
            .map(|entry| entry["path"].as_str().unwrap_or_default().to_owned())
            .collect();
        let tag_path = format!("/contacts/{}/tags", self.contact_id);
        assert!(
            paths.iter().all(|path| *path == tag_path),
            "only tags written: {paths:?}"
        );
        let mut tags = Vec::new();
        for run in runs {
            for step in journal::of_run(&self.app.db, *run).await.unwrap() {
                if let Some(added) = step.request.as_ref().map(|r| &r["body"]["tags"]) {
                    let added = added.as_array().into_iter().flatten();
                    tags.extend(added.filter_map(|t| t.as_str()).map(str::to_owned));
                }
            }
        }
        assert_eq!(paths.len(), tags.len(), "one write per tag step: {tags:?}");
        tags
    }

    /// The run's page, as the browser gets it.
    async fn page(&self, run: i64) -> Value {
        ok_json(
            self.owner
                .call("automations/run", &[("id", &run.to_string())])
                .await,
        )
        .await
    }
}

fn tag(name: &str) -> Step {
    step(
        name,
        Action::AddTags {
            contact_id: "{{ contact }}".into(),
            tags: name.into(),
        },
    )
}

fn wait_for(name: &str, amount: &str, unit: TimeUnit) -> Step {
    step(
        name,
        Action::Wait {
            delay: Delay::Duration {
                amount: amount.into(),
                unit,
            },
        },
    )
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn until_of(record: &StepRecord) -> DateTime<Utc> {
    journal::moment(record.output.as_ref().unwrap()["until"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_wait_holds_the_run_until_its_moment_without_using_a_retry() {
    let team = team().await;
    let automation = team
        .automation(
            vec![
                wait_for("pause", "{{ hours }}", TimeUnit::Hours),
                tag("waited"),
            ],
            State::On,
        )
        .await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let queued_at = Utc::now();
    let run = team.run(automation, json!({ "hours": 2 })).await;

    let (listed, record) = team.held(run, Duration::hours(1)).await;
    let until = until_of(&record);
    assert_eq!(
        listed.next_attempt_at, until,
        "the queue and the record name one moment"
    );
    let expected = queued_at + Duration::hours(2);
    assert!(
        (until - expected).num_seconds().abs() <= 30,
        "two hours after the step: {until} vs {expected}"
    );
    assert_eq!(record.position, 0);
    assert_eq!(record.request.as_ref().unwrap()["for"], "2");
    assert!(record.finished_at.is_none());
    assert!(listed.error.is_none());
    assert!(listed.finished_at.is_none());
    assert_eq!(
        team.attempts_and_tries(run).await,
        (0, 0),
        "a wait is neither a retry nor a crash"
    );
    assert_eq!(
        team.tags_written(ledger_before, &[run]).await,
        Vec::<String>::new()
    );

    // The run page and the history say until when it waits.
    let page = team.page(run).await;
    assert_eq!(page["run"]["status"], "queued");
    let shown = page["run"]["waiting_until"].as_str().unwrap().to_owned();
    let zone = TeamZone::of_team(&team.app.db, &team.location_id)
        .await
        .unwrap();
    assert_eq!(shown, zone.day_and_time(until));
    assert!(page["run"]["retry_at"].is_null(), "{page}");
    assert_eq!(page["steps"][0]["status"], "waiting");
    assert!(
        page["steps"][0]["summary"]
            .as_str()
            .unwrap()
            .contains(&shown),
        "{page}"
    );
    let history = ok_json(
        team.owner
            .http
            .post(format!("{}/api/automations/runs", team.app.base))
            .json(&json!({ "query": { "automation_id": automation } }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(history[0]["waiting_until"], shown.as_str());

    // Claimed early, after many claims and with its retries used up (as
    // a run that failed five times before reaching the wait): it waits for
    // the same moment, and is neither given up nor counted as crashing.
    sqlx::query("UPDATE automation_runs SET tries = 5, attempts = 9 WHERE id = $1")
        .bind(run)
        .execute(&team.app.db)
        .await
        .unwrap();
    team.wait_ends_at(run, Utc::now(), false).await;
    let (again, kept) = team.held(run, Duration::hours(1)).await;
    assert_eq!(until_of(&kept), until, "the wait does not start over");
    assert_eq!(kept.started_at, record.started_at);
    assert_eq!(again.next_attempt_at, until);
    assert_eq!(again.status, "queued");
    assert_eq!(team.attempts_and_tries(run).await, (0, 5));

    // Its moment past, the run goes on with the next step.
    let past = Utc::now() - Duration::minutes(1);
    team.wait_ends_at(run, past, true).await;
    let ended = team.ended(run).await;
    assert_eq!(ended.status, "succeeded", "{:?}", ended.error);
    let steps = journal::of_run(&team.app.db, run).await.unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].status, "done");
    assert_eq!(until_of(&steps[0]), past.trunc_subsecs(0));
    assert_eq!(steps[1].status, "done");
    assert_eq!(team.tags_written(ledger_before, &[run]).await, ["waited"]);
    let page = team.page(run).await;
    assert!(
        page["steps"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Waited until"),
        "{page}"
    );
}

#[tokio::test]
async fn a_wait_until_a_moment_reads_it_in_the_team_zone() {
    let team = team().await;
    let automation = team
        .automation(
            vec![
                step(
                    "morning",
                    Action::Wait {
                        delay: Delay::Until {
                            moment: "{{ now | date(add_days=1) }}T09:00".into(),
                        },
                    },
                ),
                tag("morning"),
            ],
            State::On,
        )
        .await;
    let run = team.run(automation, json!({})).await;
    let (listed, record) = team.held(run, Duration::zero()).await;
    let asked = record.request.as_ref().unwrap()["until"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(asked.ends_with("T09:00"), "{asked}");
    let zone = TeamZone::of_team(&team.app.db, &team.location_id)
        .await
        .unwrap();
    assert_eq!(Some(listed.next_attempt_at), parse_due(&asked, zone));
    assert_eq!(until_of(&record), listed.next_attempt_at);
    assert!(listed.next_attempt_at - Utc::now() <= Duration::hours(48));
}

#[tokio::test]
async fn a_branch_takes_the_way_its_condition_says_and_skips_the_rest() {
    let team = team().await;
    let steps = vec![
        step(
            "check",
            Action::Branch {
                test: Test::Condition(Condition {
                    field: "data.plan".into(),
                    operator: Operator::Equals,
                    value: "gold".into(),
                }),
                then_to: "gold".into(),
                otherwise_to: String::new(),
            },
        ),
        tag("basic"),
        step(
            "stop",
            Action::Branch {
                test: Test::Expression {
                    expression: "{{ data.plan != 'gold' }}".into(),
                },
                then_to: END.into(),
                otherwise_to: String::new(),
            },
        ),
        tag("gold"),
    ];
    let automation = team.automation(steps, State::On).await;

    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let gold = team
        .run(automation, json!({ "data": { "plan": "Gold" } }))
        .await;
    let ended = team.ended(gold).await;
    assert_eq!(ended.status, "succeeded", "{:?}", ended.error);
    let records = journal::of_run(&team.app.db, gold).await.unwrap();
    let positions: Vec<i32> = records.iter().map(|r| r.position).collect();
    assert_eq!(positions, [0, 3], "the steps jumped over are not recorded");
    assert_eq!(
        records[0].output.as_ref().unwrap(),
        &json!({ "result": true, "next": "gold" })
    );
    assert_eq!(team.tags_written(ledger_before, &[gold]).await, ["gold"]);
    let page = team.page(gold).await;
    let shown: Vec<(&str, &str)> = page["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [
            ("check", "done"),
            ("basic", "skipped"),
            ("stop", "skipped"),
            ("gold", "done")
        ]
    );
    assert!(
        page["steps"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("“gold”"),
        "{page}"
    );

    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let basic = team
        .run(automation, json!({ "data": { "plan": "Basic" } }))
        .await;
    let ended = team.ended(basic).await;
    assert_eq!(ended.status, "succeeded", "{:?}", ended.error);
    let records = journal::of_run(&team.app.db, basic).await.unwrap();
    let outputs: Vec<&Value> = records.iter().map(|r| r.output.as_ref().unwrap()).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(outputs[0], &json!({ "result": false, "next": "basic" }));
    assert_eq!(outputs[2], &json!({ "result": true, "next": END }));
    assert_eq!(team.tags_written(ledger_before, &[basic]).await, ["basic"]);
    let page = team.page(basic).await;
    assert_eq!(page["steps"][3]["status"], "skipped", "{page}");

    // Resumed after a crash, a branch goes the way it recorded, whatever
    // the data says now.
    team.set_state(automation, State::Paused).await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let resumed = team
        .run(automation, json!({ "data": { "plan": "Basic" } }))
        .await;
    let went = journal::Finished {
        status: StepStatus::Done,
        answer: None,
        output: Some(&json!({ "result": true, "next": "gold" })),
        error: None,
    };
    journal::finished(&team.app.db, resumed, 0, "check", &json!({}), &went)
        .await
        .unwrap();
    team.set_state(automation, State::On).await;
    let ended = team.ended(resumed).await;
    assert_eq!(ended.status, "succeeded", "{:?}", ended.error);
    assert_eq!(team.tags_written(ledger_before, &[resumed]).await, ["gold"]);
}

#[tokio::test]
async fn a_test_with_the_sample_does_not_wait() {
    let team = team().await;
    // A manual trigger's sample is empty: the contact is written out.
    let later = step(
        "later",
        Action::AddTags {
            contact_id: team.contact_id.clone(),
            tags: "later".into(),
        },
    );
    let steps = vec![wait_for("pause", "3", TimeUnit::Days), later];
    let automation = team.automation(steps.clone(), State::Off).await;
    let definition = manual(steps);
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let tested = ok_json(
        team.owner
            .http
            .post(format!("{}/api/automations/test", team.app.base))
            .json(&json!({
                "id": automation,
                "form": AutomationForm::of("Flow", &definition),
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(tested["problems"], json!([]), "{tested}");
    let run = &tested["run"];
    assert_eq!(run["run"]["status"], "succeeded", "{tested}");
    assert!(run["run"]["waiting_until"].is_null());
    assert_eq!(run["steps"][0]["status"], "done");
    let summary = run["steps"][0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("A real run waits here until"),
        "{summary}"
    );
    let output: Value = serde_json::from_str(run["steps"][0]["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["dry_run"], true);
    let until = journal::moment(output["until"].as_str().unwrap()).unwrap();
    let in_three_days = Utc::now() + Duration::days(3);
    assert!((until - in_three_days).num_seconds().abs() <= 60, "{until}");
    assert_eq!(run["steps"][1]["status"], "done", "the next step was built");
    assert_eq!(
        sandbox_ledger(&team.app.base).await.len(),
        ledger_before,
        "nothing written"
    );
}

#[tokio::test]
async fn skipping_a_paused_automations_runs_leaves_those_held_by_a_wait() {
    let team = team().await;
    let automation = team
        .automation(
            vec![wait_for("pause", "1", TimeUnit::Days), tag("followed_up")],
            State::On,
        )
        .await;
    let held = team.run(automation, json!({})).await;
    team.held(held, Duration::hours(1)).await;

    team.set_state(automation, State::Paused).await;
    let arrived = team.run(automation, json!({})).await;
    assert_eq!(
        runs::queued_counts(&team.app.db, automation).await.unwrap(),
        (1, 1)
    );
    let skipped = runs::skip_waiting(&team.app.db, &team.location_id, automation, "Test Owner")
        .await
        .unwrap();
    assert_eq!(skipped, 1);
    assert_eq!(team.listed(arrived).await.status, "skipped");
    assert_eq!(team.listed(held).await.status, "queued");

    // Its moment passes while paused: it goes on once the automation is on.
    team.wait_ends_at(held, Utc::now() - Duration::minutes(1), true)
        .await;
    assert_eq!(team.listed(held).await.status, "queued");
    team.set_state(automation, State::On).await;
    let ended = team.ended(held).await;
    assert_eq!(ended.status, "succeeded", "{:?}", ended.error);
}

#[tokio::test]
async fn a_run_held_by_a_wait_does_not_hold_back_the_persons_next_run() {
    let team = team().await;
    let automation = team
        .automation(
            vec![wait_for("later", "3", TimeUnit::Days), tag("followed_up")],
            State::On,
        )
        .await;
    let queue = |subject: &str| runs::NewRun {
        subject: Some(subject.to_owned()),
        ..team.new_run(automation, json!({"contact": team.contact_id}))
    };
    let first = team.enqueue(&queue("member-7")).await;
    team.held(first, Duration::days(2)).await;
    // The same person's next event: its run starts (and waits) at once.
    let second = team.enqueue(&queue("member-7")).await;
    team.held(second, Duration::days(2)).await;

    // When the first one's moment comes it goes on, and so does the second.
    for run in [first, second] {
        team.wait_ends_at(run, Utc::now() - Duration::seconds(1), true)
            .await;
    }
    assert_eq!(team.ended(first).await.status, "succeeded");
    assert_eq!(team.ended(second).await.status, "succeeded");
}
