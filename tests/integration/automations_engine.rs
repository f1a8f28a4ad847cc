//! The automation engine against the real server, the sandbox HighLevel and
//! the simulated apps: an app event queues a run in the transaction that
//! keeps it, the run's steps write to HighLevel once, filters stop runs
//! without failing them, a step whose answer was lost is checked before it
//! is sent again, failures retry or stop as they should, and runs about one
//! person start in the order their events arrived.

use serde_json::{json, Value};
use switchboard::apps::outbound::base_url::BaseUrl;
use switchboard::apps::outbound::settings::{self, Change};
use switchboard::apps::outbound::AuthMode;
use switchboard::automations::model::{
    Action, Condition, Definition, Filter, FindBy, Join, Operator, State, Step, Trigger,
};
use switchboard::automations::{journal, runs, store};

use crate::apps_sample::{connect, send};
use crate::common::browser::demo_locations;
use crate::common::{self, sandbox_ledger, TestApp};
use crate::webhooks_support::eventually;
use crate::workspace_support::{ok_json, signed_in};

const ALLOW_PRIVATE: [&str; 2] = ["--outbound-allow-private", "true"];

struct Team {
    app: TestApp,
    location_id: String,
    owner: common::browser::Browser,
    user_id: i64,
    clubworx: i64,
}

async fn team(settings: &[&str]) -> Team {
    let app = common::spawn_app_with(common::test_db().await, settings).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let owner = signed_in(&app, &location_id, &users[0], true).await;
    let (clubworx, _) = connect(&app, &location_id, &users[0], "clubworx").await;
    let user_id = sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(&users[0])
        .fetch_one(&app.db)
        .await
        .unwrap();
    Team {
        app,
        location_id,
        owner,
        user_id,
        clubworx,
    }
}

impl Team {
    async fn automation(&self, definition: &Definition, state: State) -> i64 {
        let id = store::create(
            &self.app.db,
            &self.location_id,
            "Test",
            definition,
            self.user_id,
        )
        .await
        .unwrap();
        assert!(store::set_state(&self.app.db, &self.location_id, id, state)
            .await
            .unwrap());
        id
    }

    /// Has the simulated Clubworx send an event of `event_type`.
    async fn clubworx_sends(&self, event_type: &str) -> Value {
        let sent = ok_json(send(&self.owner, self.clubworx, event_type).await).await;
        assert_eq!(sent["accepted"], true, "{sent}");
        sent
    }

    async fn runs_of(&self, automation_id: i64) -> Vec<runs::Listed> {
        let filter = runs::RunFilter {
            automation_id: Some(automation_id),
            limit: 100,
            ..Default::default()
        };
        runs::list(&self.app.db, &self.location_id, &filter)
            .await
            .unwrap()
    }

    /// Waits until `count` runs of the automation are over; oldest first.
    async fn finished(&self, automation_id: i64, count: usize) -> Vec<runs::Listed> {
        eventually("the runs to end", || async {
            let mut listed = self.runs_of(automation_id).await;
            listed.reverse();
            (listed.len() == count
                && listed
                    .iter()
                    .all(|run| !matches!(run.status.as_str(), "queued" | "running")))
            .then_some(listed)
        })
        .await
    }

    /// Points the connection's deliveries at the simulated app's inbox.
    async fn deliver_to_inbox(&self, connection_id: i64, app: &str) {
        let connection = switchboard::apps::connections::store::of_team_by_id(
            &self.app.db,
            &self.location_id,
            connection_id,
        )
        .await
        .unwrap()
        .unwrap();
        let change = Change {
            base_url: BaseUrl::parse(&format!(
                "{}/sandbox/_sandbox/apps/{app}/inbox",
                self.app.base
            ))
            .unwrap(),
            auth_mode: AuthMode::None,
            auth_header: String::new(),
            auth_value: None,
            timeout_secs: 5,
        };
        settings::save(&self.app.db, &self.app.vault, &connection, &change)
            .await
            .unwrap();
        settings::rotate_signing_secret(&self.app.db, &self.app.vault, &connection)
            .await
            .unwrap()
            .unwrap();
    }

    async fn inbox(&self, app: &str) -> Vec<Value> {
        let listed = common::json_of(common::http().get(format!(
            "{}/sandbox/_sandbox/apps/{app}/inbox",
            self.app.base
        )))
        .await;
        listed["deliveries"].as_array().unwrap().clone()
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

fn step(name: &str, action: Action) -> Step {
    Step {
        name: name.into(),
        action,
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

/// Writes the sandbox answered, by method and path.
fn writes(ledger: &[Value]) -> Vec<String> {
    ledger
        .iter()
        .map(|entry| {
            format!(
                "{} {}",
                entry["method"].as_str().unwrap_or(""),
                entry["path"].as_str().unwrap_or("")
            )
        })
        .collect()
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

    let ledger = sandbox_ledger(&team.app.base).await;
    let written = writes(&ledger[ledger_before..]);
    assert_eq!(
        written,
        vec![
            "POST /contacts/upsert".to_owned(),
            format!("POST /contacts/{contact_id}/tags"),
        ],
        "exactly the writes of the two steps"
    );
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tags FROM cache_contacts WHERE location_id = $1 AND id = $2")
            .bind(&team.location_id)
            .bind(&contact_id)
            .fetch_one(&team.app.db)
            .await
            .unwrap();
    assert!(
        tags.contains(&"clubworx".to_owned()),
        "the cache has what HighLevel answered: {tags:?}"
    );

    // Other event types and automations that are off queue nothing.
    team.clubworx_sends("note.added").await;
    store::set_state(&team.app.db, &team.location_id, automation, State::Off)
        .await
        .unwrap();
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

/// A run as a process left it when it was killed between sending a step's
/// request and recording the answer: the step is recorded as sending.
async fn interrupted_run(team: &Team, automation: i64, data: Value, step: &Step) -> i64 {
    let run = runs::NewRun {
        automation_id: automation,
        location_id: team.location_id.clone(),
        version: 1,
        trigger_kind: "manual",
        trigger_body: data,
        subject: None,
        dry_run: false,
    };
    // Paused, so no worker takes it before its step record is in place.
    store::set_state(&team.app.db, &team.location_id, automation, State::Paused)
        .await
        .unwrap();
    let id = runs::enqueue(&team.app.db, &run).await.unwrap();
    journal::sending(&team.app.db, id, 0, &step.name, &json!({"lost": true}))
        .await
        .unwrap();
    store::set_state(&team.app.db, &team.location_id, automation, State::On)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_task_sent_before_the_process_died_is_found_not_made_again() {
    let team = team(&[]).await;
    // A contact and the task the lost request made, in HighLevel.
    let token = common::sandbox_token(&team.app.base, &team.location_id, &["contacts.write"]).await;
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
    let definition = Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps: vec![task_step.clone()],
    };
    let automation = team.automation(&definition, State::On).await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let run = interrupted_run(
        &team,
        automation,
        json!({"contact": contact_id}),
        &task_step,
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
    let ledger = sandbox_ledger(&team.app.base).await;
    assert!(
        !writes(&ledger[ledger_before..])
            .iter()
            .any(|write| write.ends_with("/tasks")),
        "no second task: {:?}",
        writes(&ledger[ledger_before..])
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
        },
    );
    let definition = Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps: vec![deliver.clone()],
    };
    let automation = team.automation(&definition, State::On).await;

    // The first try reached the app, and then the process died.
    let run = interrupted_run(&team, automation, json!({"hello": "gym"}), &deliver).await;
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
    store::set_state(&team.app.db, &team.location_id, automation, State::Paused)
        .await
        .unwrap();
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
    store::set_state(&team.app.db, &team.location_id, automation, State::On)
        .await
        .unwrap();
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
    let definition = Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps: vec![step(
            "tell",
            Action::SendToApp {
                connection_id: team.clubworx,
                path: "/members".into(),
                contact_id: String::new(),
            },
        )],
    };
    let automation = team.automation(&definition, State::On).await;
    let run = |data: Value| runs::NewRun {
        automation_id: automation,
        location_id: team.location_id.clone(),
        version: 1,
        trigger_kind: "manual",
        trigger_body: data,
        subject: None,
        dry_run: false,
    };

    team.inbox_answers("clubworx", 503).await;
    let down = runs::enqueue(&team.app.db, &run(json!({"n": 1})))
        .await
        .unwrap();
    let waiting = eventually("a retry to be planned", || async {
        let listed = runs::of_team_by_id(&team.app.db, &team.location_id, down)
            .await
            .unwrap()?;
        (listed.tries == 1).then_some(listed)
    })
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
    let given_up = eventually("the run to need attention", || async {
        let listed = runs::of_team_by_id(&team.app.db, &team.location_id, down)
            .await
            .unwrap()?;
        (listed.status == "needs_attention").then_some(listed)
    })
    .await;
    assert!(given_up.finished_at.is_some());

    // A refusal that will not change is not retried.
    team.inbox_answers("clubworx", 422).await;
    let refused = runs::enqueue(&team.app.db, &run(json!({"n": 2})))
        .await
        .unwrap();
    let failed = eventually("the run to fail", || async {
        let listed = runs::of_team_by_id(&team.app.db, &team.location_id, refused)
            .await
            .unwrap()?;
        (listed.status == "failed").then_some(listed)
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
    let retried = eventually("the retried run to succeed", || async {
        let listed = runs::of_team_by_id(&team.app.db, &team.location_id, refused)
            .await
            .unwrap()?;
        (listed.status == "succeeded").then_some(listed)
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

    store::set_state(&team.app.db, &team.location_id, automation, State::On)
        .await
        .unwrap();
    let finished = team.finished(automation, 3).await;
    assert!(finished.iter().all(|run| run.status == "succeeded"));

    // Skipping drops what waits, on purpose, with a record.
    store::set_state(&team.app.db, &team.location_id, automation, State::Paused)
        .await
        .unwrap();
    team.clubworx_sends("member.created").await;
    let skipped = runs::skip_waiting(&team.app.db, &team.location_id, automation, "Test Owner")
        .await
        .unwrap();
    assert_eq!(skipped, 1);
    let newest = &team.runs_of(automation).await[0];
    assert_eq!(newest.status, "skipped");
    assert!(newest.error.as_deref().unwrap().contains("Test Owner"));
}

#[tokio::test]
async fn runs_about_one_person_wait_for_the_earlier_one_and_others_do_not() {
    let team = team(&[]).await;
    let definition = Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps: vec![step(
            "find",
            Action::FindContact {
                by: FindBy::Email,
                value: "{{ email }}".into(),
            },
        )],
    };
    let automation = team.automation(&definition, State::On).await;
    let run = |email: &str| runs::NewRun {
        automation_id: automation,
        location_id: team.location_id.clone(),
        version: 1,
        trigger_kind: "manual",
        trigger_body: json!({ "email": email }),
        subject: Some(format!("email:{email}")),
        dry_run: false,
    };
    // The first run about Ana waits for a retry an hour away.
    store::set_state(&team.app.db, &team.location_id, automation, State::Paused)
        .await
        .unwrap();
    let first = runs::enqueue(&team.app.db, &run("ana@example.com"))
        .await
        .unwrap();
    sqlx::query(
        "UPDATE automation_runs SET next_attempt_at = now() + interval '1 hour' WHERE id = $1",
    )
    .bind(first)
    .execute(&team.app.db)
    .await
    .unwrap();
    let second = runs::enqueue(&team.app.db, &run("ana@example.com"))
        .await
        .unwrap();
    let other = runs::enqueue(&team.app.db, &run("ben@example.com"))
        .await
        .unwrap();
    store::set_state(&team.app.db, &team.location_id, automation, State::On)
        .await
        .unwrap();

    let status = |id: i64| {
        let db = team.app.db.clone();
        let location_id = team.location_id.clone();
        async move {
            runs::of_team_by_id(&db, &location_id, id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    eventually("Ben's run", || async {
        (status(other).await.status == "succeeded").then_some(())
    })
    .await;
    assert_eq!(
        status(second).await.status,
        "queued",
        "Ana's second run waits for her first"
    );

    sqlx::query("UPDATE automation_runs SET next_attempt_at = now() WHERE id = $1")
        .bind(first)
        .execute(&team.app.db)
        .await
        .unwrap();
    runs::announce(&team.app.db).await.unwrap();
    let later = eventually("Ana's second run", || async {
        let listed = status(second).await;
        (listed.status == "succeeded").then_some(listed)
    })
    .await;
    let earlier = status(first).await;
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
    let definition = Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps: vec![member.clone()],
    };
    let automation = team.automation(&definition, State::On).await;
    let sample = template(AppKind::Clubworx)
        .events
        .into_iter()
        .find(|event| event.key == "member.created")
        .unwrap()
        .sample;
    let first = runs::NewRun {
        automation_id: automation,
        location_id: team.location_id.clone(),
        version: 1,
        trigger_kind: "manual",
        trigger_body: sample.clone(),
        subject: None,
        dry_run: false,
    };
    runs::enqueue(&team.app.db, &first).await.unwrap();
    let done = team.finished(automation, 1).await;
    assert_eq!(done[0].status, "succeeded", "{:?}", done[0].error);
    let ledger_before = sandbox_ledger(&team.app.base).await.len();

    // The same upsert, lost after it was sent: HighLevel holds it already.
    let run = interrupted_run(&team, automation, sample, &member).await;
    let finished = team.finished(automation, 2).await;
    assert_eq!(finished[1].id, run);
    assert_eq!(finished[1].status, "succeeded", "{:?}", finished[1].error);
    let ledger = sandbox_ledger(&team.app.base).await;
    let written = writes(&ledger[ledger_before..]);
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
