//! The automation engine against the real server, the sandbox HighLevel and
//! the simulated apps: an app event queues a run in the transaction that
//! keeps it, the run's steps write to HighLevel once, filters stop runs
//! without failing them, a step whose answer was lost is checked before it
//! is sent again, failures retry or stop as they should, and runs about one
//! person start in the order their events arrived.

use serde_json::{json, Value};
use switchboard::automations::model::{
    Action, Condition, Definition, Filter, FindBy, Join, Operator, State, Step, Trigger,
};
use switchboard::automations::{journal, runs};

use crate::apps_sample::send;
use crate::automations_support::{self as support, manual, step, ALLOW_PRIVATE};
use crate::common::{self, sandbox_ledger};
use crate::webhooks_support::eventually;
use crate::workspace_support::ok_json;

/// What these tests add to the shared team: a Clubworx connection.
struct Connected {
    clubworx: i64,
}

type Team = support::Team<Connected>;

async fn team(settings: &[&str]) -> Team {
    let team = support::Team::start(settings).await;
    let clubworx = team.connect_app("clubworx").await;
    team.with(Connected { clubworx })
}

impl Team {
    async fn automation(&self, definition: &Definition, state: State) -> i64 {
        self.create_automation("Test", definition, state).await
    }

    /// Has the simulated Clubworx send an event of `event_type`.
    async fn clubworx_sends(&self, event_type: &str) -> Value {
        let sent = ok_json(send(&self.owner, self.clubworx, event_type).await).await;
        assert_eq!(sent["accepted"], true, "{sent}");
        sent
    }

    async fn inbox_answers(&self, app: &str, status: u16) {
        let answered = common::http()
            .put(format!(
                "{}/sandbox/_sandbox/apps/{app}/inbox-answer",
                self.app.base
            ))
            .json(&json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert!(answered.status().is_success());
    }
}

fn on_member_created(clubworx: i64, filter: Filter, steps: Vec<Step>) -> Definition {
    Definition {
        trigger: Trigger::AppEvent {
            connection_id: clubworx,
            event_type: "member.created".into(),
        },
        filter,
        steps,
    }
}

#[tokio::test]
async fn an_app_event_runs_its_automation_and_writes_to_highlevel() {
    let team = team(&[]).await;
    let definition = on_member_created(
        team.clubworx,
        Filter::default(),
        vec![
            step(
                "member",
                Action::ApplyMapping {
                    connection_id: team.clubworx,
                    event_type: "member.created".into(),
                },
            ),
            step(
                "tag",
                Action::AddTags {
                    contact_id: "{{ steps.member.contact_id }}".into(),
                    tags: "clubworx, {{ data.member.status | lower }}".into(),
                },
            ),
        ],
    );
    let automation = team.automation(&definition, State::On).await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();

    team.clubworx_sends("member.created").await;
    let finished = team.finished(automation, 1).await;
    let run = &finished[0];
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    assert_eq!(run.trigger_kind, "app_event");
    assert_eq!(run.event_type.as_deref(), Some("member.created"));
    assert_eq!(run.version, 1);
    assert!(
        run.subject.as_deref().unwrap().starts_with("email:"),
        "{:?}",
        run.subject
    );

    let steps = journal::of_run(&team.app.db, run.id).await.unwrap();
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|step| step.status == "done"), "{steps:?}");
    let contact_id = steps[0].output.as_ref().unwrap()["contact_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!contact_id.is_empty());
    assert_eq!(
        steps[1].request.as_ref().unwrap()["params"]["contactId"],
        contact_id.as_str()
    );

    let written = team.writes_since(ledger_before).await;
    assert_eq!(
        written,
        vec![
            "POST /contacts/upsert".to_owned(),
            format!("POST /contacts/{contact_id}/tags"),
        ],
        "exactly the writes of the two steps"
    );
    let tags: Vec<String> = team
        .cached(
            "SELECT tags FROM cache_contacts WHERE location_id = $1 AND id = $2",
            &contact_id,
        )
        .await;
    assert!(
        tags.contains(&"clubworx".to_owned()),
        "the cache has what HighLevel answered: {tags:?}"
    );

    // Other event types and automations that are off queue nothing.
    team.clubworx_sends("note.added").await;
    team.set_state(automation, State::Off).await;
    team.clubworx_sends("member.created").await;
    assert_eq!(team.runs_of(automation).await.len(), 1);
}

#[tokio::test]
async fn a_filter_stops_a_run_without_failing_it_or_writing() {
    let team = team(&[]).await;
    let filter = Filter {
        join: Join::All,
        conditions: vec![Condition {
            field: "data.member.status".into(),
            operator: Operator::Equals,
            value: "Nobody has this status".into(),
        }],
        expression: String::new(),
    };
    let definition = on_member_created(
        team.clubworx,
        filter,
        vec![step(
            "member",
            Action::ApplyMapping {
                connection_id: team.clubworx,
                event_type: "member.created".into(),
            },
        )],
    );
    let automation = team.automation(&definition, State::On).await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    team.clubworx_sends("member.created").await;
    let run = &team.finished(automation, 1).await[0];
    assert_eq!(run.status, "filtered");
    assert!(
        run.error
            .as_deref()
            .unwrap()
            .contains("Nobody has this status"),
        "{:?}",
        run.error
    );
    assert_eq!(
        sandbox_ledger(&team.app.base).await.len(),
        ledger_before,
        "nothing written"
    );
    assert_eq!(
        runs::attention_count(&team.app.db, &team.location_id)
            .await
            .unwrap(),
        0,
        "a filtered run is not a failure"
    );
}

#[tokio::test]
async fn a_task_sent_before_the_process_died_is_found_not_made_again() {
    let team = team(&[]).await;
    // A contact and the task the lost request made, in HighLevel.
    let token = team.sandbox_token().await;
    let api = format!("{}/sandbox", team.app.base);
    let contact = common::json_of(
        common::http()
            .post(format!("{api}/contacts/"))
            .bearer_auth(&token)
            .header("Version", "2021-07-28")
            .json(&json!({"locationId": team.location_id, "email": "lost.answer@example.com"})),
    )
    .await;
    let contact_id = contact["contact"]["id"].as_str().unwrap().to_owned();
    let made = common::json_of(
        common::http()
            .post(format!("{api}/contacts/{contact_id}/tasks"))
            .bearer_auth(&token)
            .header("Version", "2021-07-28")
            .json(&json!({"title": "Welcome call", "dueDate": "2027-01-04T09:00:00Z", "completed": false})),
    )
    .await;
    let task_id = made["task"]["id"].as_str().unwrap().to_owned();

    let task_step = step(
        "task",
        Action::CreateTask {
            contact_id: "{{ contact }}".into(),
            title: "Welcome call".into(),
            body: String::new(),
            due: "2027-01-04T09:00:00Z".into(),
        },
    );
    let automation = team
        .automation(&manual(vec![task_step.clone()]), State::On)
        .await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let run = team
        .interrupted_run(
            automation,
            json!({"contact": contact_id}),
            &task_step.name,
            |_| async {},
        )
        .await;

    let finished = team.finished(automation, 1).await;
    assert_eq!(finished[0].id, run);
    assert_eq!(finished[0].status, "succeeded", "{:?}", finished[0].error);
    let steps = journal::of_run(&team.app.db, run).await.unwrap();
    assert_eq!(
        steps[0].output.as_ref().unwrap()["id"],
        task_id.as_str(),
        "the task found"
    );
    let written = team.writes_since(ledger_before).await;
    assert!(
        !written.iter().any(|write| write.ends_with("/tasks")),
        "no second task: {written:?}"
    );
}

#[tokio::test]
async fn a_delivery_repeated_after_a_lost_answer_carries_the_same_key() {
    let team = team(&ALLOW_PRIVATE).await;
    team.deliver_to_inbox(team.clubworx, "clubworx").await;
    let deliver = step(
        "tell",
        Action::SendToApp {
            connection_id: team.clubworx,
            path: "/members".into(),
            contact_id: String::new(),
            with_records: false,
        },
    );
    let automation = team
        .automation(&manual(vec![deliver.clone()]), State::On)
        .await;

    // The first try reached the app, and then the process died.
    let run = team
        .interrupted_run(
            automation,
            json!({"hello": "gym"}),
            &deliver.name,
            |_| async {},
        )
        .await;
    let finished = team.finished(automation, 1).await;
    assert_eq!(finished[0].status, "succeeded", "{:?}", finished[0].error);
    let key = format!("switchboard-run-{run}-step-0");
    let first = team.inbox("clubworx").await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["headers"]["idempotency-key"], key.as_str());
    assert_eq!(
        first[0]["path"],
        "/sandbox/_sandbox/apps/clubworx/inbox/members"
    );
    assert_eq!(
        serde_json::from_str::<Value>(first[0]["body"].as_str().unwrap()).unwrap(),
        json!({"hello": "gym"})
    );
    assert_eq!(first[0]["signatureValid"], Value::Null);

    // Sent again from that step: the same key, so the app keeps it once.
    // Paused meanwhile, so that no worker takes the retried run before its
    // step record says it was sent.
    team.set_state(automation, State::Paused).await;
    sqlx::query("UPDATE automation_runs SET status = 'failed' WHERE id = $1")
        .bind(run)
        .execute(&team.app.db)
        .await
        .unwrap();
    assert!(runs::retry(&team.app.db, &team.location_id, run, false)
        .await
        .unwrap());
    journal::sending(&team.app.db, run, 0, "tell", &json!({}))
        .await
        .unwrap();
    sqlx::query("UPDATE automation_runs SET status = 'queued' WHERE id = $1")
        .bind(run)
        .execute(&team.app.db)
        .await
        .unwrap();
    team.set_state(automation, State::On).await;
    runs::announce(&team.app.db).await.unwrap();
    eventually("the second delivery", || async {
        let seen = team.inbox("clubworx").await;
        (seen.len() == 2).then_some(seen)
    })
    .await
    .iter()
    .skip(1)
    .for_each(|again| {
        assert_eq!(again["headers"]["idempotency-key"], key.as_str());
        assert_eq!(again["repeat"], true);
    });
}

#[tokio::test]
async fn an_app_that_is_down_is_retried_later_and_a_refusal_is_not() {
    let team = team(&ALLOW_PRIVATE).await;
    team.deliver_to_inbox(team.clubworx, "clubworx").await;
    let definition = manual(vec![step(
        "tell",
        Action::SendToApp {
            connection_id: team.clubworx,
            path: "/members".into(),
            contact_id: String::new(),
            with_records: false,
        },
    )]);
    let automation = team.automation(&definition, State::On).await;

    team.inbox_answers("clubworx", 503).await;
    let down = team.queue(automation, json!({"n": 1})).await;
    let waiting = team
        .wait_for("a retry to be planned", down, |listed| listed.tries == 1)
        .await;
    assert_eq!(waiting.status, "queued");
    let wait = (waiting.next_attempt_at - chrono::Utc::now()).num_seconds();
    assert!((45..=61).contains(&wait), "about a minute: {wait} s");
    assert!(
        waiting.error.as_deref().unwrap().contains("503"),
        "{:?}",
        waiting.error
    );

    // After the last wait, it needs attention.
    sqlx::query("UPDATE automation_runs SET tries = 5, next_attempt_at = now() WHERE id = $1")
        .bind(down)
        .execute(&team.app.db)
        .await
        .unwrap();
    runs::announce(&team.app.db).await.unwrap();
    let given_up = team
        .wait_for("the run to need attention", down, |listed| {
            listed.status == "needs_attention"
        })
        .await;
    assert!(given_up.finished_at.is_some());

    // A refusal that will not change is not retried.
    team.inbox_answers("clubworx", 422).await;
    let refused = team.queue(automation, json!({"n": 2})).await;
    let failed = team
        .wait_for("the run to fail", refused, |listed| {
            listed.status == "failed"
        })
        .await;
    assert_eq!(failed.tries, 0);
    assert_eq!(
        runs::attention_count(&team.app.db, &team.location_id)
            .await
            .unwrap(),
        2
    );

    // Retry from the failed step, once the app takes it.
    team.inbox_answers("clubworx", 200).await;
    assert!(runs::retry(&team.app.db, &team.location_id, refused, false)
        .await
        .unwrap());
    let retried = team
        .wait_for("the retried run to succeed", refused, |listed| {
            listed.status == "succeeded"
        })
        .await;
    assert!(retried.error.is_none());
}

#[tokio::test]
async fn a_paused_automation_keeps_its_events_and_runs_them_when_resumed() {
    let team = team(&[]).await;
    let definition = on_member_created(
        team.clubworx,
        Filter::default(),
        vec![step(
            "find",
            Action::FindContact {
                by: FindBy::Email,
                value: "{{ data.member.email }}".into(),
            },
        )],
    );
    let automation = team.automation(&definition, State::Paused).await;
    for _ in 0..3 {
        team.clubworx_sends("member.created").await;
    }
    let queued = team.runs_of(automation).await;
    assert_eq!(queued.len(), 3);
    assert!(
        queued.iter().all(|run| run.status == "queued"),
        "paused runs wait"
    );

    team.set_state(automation, State::On).await;
    let finished = team.finished(automation, 3).await;
    assert!(finished.iter().all(|run| run.status == "succeeded"));

    // Skipping drops what waits, on purpose, with a record.
    team.set_state(automation, State::Paused).await;
    team.clubworx_sends("member.created").await;
    let skipped = runs::skip_waiting(&team.app.db, &team.location_id, automation, "Test Owner")
        .await
        .unwrap();
    assert_eq!(skipped, 1);
    let newest = team.runs_of(automation).await.pop().unwrap();
    assert_eq!(newest.status, "skipped");
    assert!(newest.error.as_deref().unwrap().contains("Test Owner"));
}

#[tokio::test]
async fn runs_about_one_person_wait_for_the_earlier_one_and_others_do_not() {
    let team = team(&[]).await;
    let definition = manual(vec![step(
        "find",
        Action::FindContact {
            by: FindBy::Email,
            value: "{{ email }}".into(),
        },
    )]);
    let automation = team.automation(&definition, State::On).await;
    let run = |email: &str| runs::NewRun {
        subject: Some(format!("email:{email}")),
        ..team.new_run(automation, json!({ "email": email }))
    };
    // The first run about Ana waits for a retry an hour away.
    team.set_state(automation, State::Paused).await;
    let first = team.enqueue(&run("ana@example.com")).await;
    sqlx::query(
        "UPDATE automation_runs SET next_attempt_at = now() + interval '1 hour' WHERE id = $1",
    )
    .bind(first)
    .execute(&team.app.db)
    .await
    .unwrap();
    let second = team.enqueue(&run("ana@example.com")).await;
    let other = team.enqueue(&run("ben@example.com")).await;
    team.set_state(automation, State::On).await;

    team.wait_for("Ben's run", other, |listed| listed.status == "succeeded")
        .await;
    assert_eq!(
        team.listed(second).await.status,
        "queued",
        "Ana's second run waits for her first"
    );

    team.due_now(first).await;
    let later = team
        .wait_for("Ana's second run", second, |listed| {
            listed.status == "succeeded"
        })
        .await;
    let earlier = team.listed(first).await;
    assert_eq!(earlier.status, "succeeded");
    assert!(
        later.started_at.unwrap() >= earlier.finished_at.unwrap(),
        "in the order they came"
    );
}

#[tokio::test]
async fn a_contact_write_sent_before_the_process_died_is_not_sent_again() {
    use switchboard::apps::templates::{template, AppKind};
    let team = team(&[]).await;
    let member = step(
        "member",
        Action::ApplyMapping {
            connection_id: team.clubworx,
            event_type: "member.created".into(),
        },
    );
    let automation = team
        .automation(&manual(vec![member.clone()]), State::On)
        .await;
    let sample = template(AppKind::Clubworx)
        .events
        .into_iter()
        .find(|event| event.key == "member.created")
        .unwrap()
        .sample;
    team.queue(automation, sample.clone()).await;
    let done = team.finished(automation, 1).await;
    assert_eq!(done[0].status, "succeeded", "{:?}", done[0].error);
    let ledger_before = sandbox_ledger(&team.app.base).await.len();

    // The same upsert, lost after it was sent: HighLevel holds it already.
    let run = team
        .interrupted_run(automation, sample, &member.name, |_| async {})
        .await;
    let finished = team.finished(automation, 2).await;
    assert_eq!(finished[1].id, run);
    assert_eq!(finished[1].status, "succeeded", "{:?}", finished[1].error);
    let written = team.writes_since(ledger_before).await;
    assert!(
        !written
            .iter()
            .any(|write| write.starts_with("POST") || write.starts_with("PUT")),
        "nothing written again: {written:?}"
    );
    let first_steps = journal::of_run(&team.app.db, done[0].id).await.unwrap();
    let again = journal::of_run(&team.app.db, run).await.unwrap();
    assert_eq!(
        again[0].output.as_ref().unwrap()["contact_id"],
        first_steps[0].output.as_ref().unwrap()["contact_id"]
    );
}
