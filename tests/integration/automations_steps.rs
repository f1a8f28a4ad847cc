//! The step kinds beyond creating: contacts updated, upserted and deleted,
//! tasks and notes changed, completed and deleted, campaigns, workflows and
//! followers, any HighLevel operation, alerts and summaries; against the
//! real server, the worker, the sandbox HighLevel and the simulated apps.
//! Each write is checked in the sandbox's ledger and in the cache; a delete
//! sent again after a lost answer, an alert step resumed, and a step that
//! needs a scope the connection was not granted are checked too.

use chrono::Utc;
use serde_json::{json, Value};
use switchboard::automations::form::AutomationForm;
use switchboard::automations::journal::{self, StepRecord};
use switchboard::automations::model::{
    Action, ContactFields, Definition, FindBy, State, Step, SummaryTo,
};
use switchboard::automations::runs;
use switchboard::reports::summary::Period;
use switchboard::zone::TeamZone;

use crate::automations_support::{self as support, manual, step, ALLOW_PRIVATE};
use crate::common::{self, sandbox_ledger};
use crate::workspace_support::ok_json;

/// What these tests add to the shared team: a token of the sandbox, to
/// make what the steps then change.
struct Token {
    token: String,
}

type Team = support::Team<Token>;

async fn team(settings: &[&str]) -> Team {
    let team = support::Team::start(settings).await;
    let token = team.sandbox_token().await;
    team.with(Token { token })
}

impl Team {
    /// Sends `body` to the sandbox HighLevel as `method path`; its answer.
    async fn highlevel(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        common::json_of(
            common::http()
                .request(method, format!("{}/sandbox{path}", self.app.base))
                .bearer_auth(&self.token)
                .header("Version", "2021-07-28")
                .json(&body),
        )
        .await
    }

    async fn contact(&self, email: &str, first_name: &str) -> String {
        let made = self
            .highlevel(
                reqwest::Method::POST,
                "/contacts/",
                json!({"locationId": self.location_id, "email": email, "firstName": first_name}),
            )
            .await;
        made["contact"]["id"].as_str().unwrap().to_owned()
    }

    async fn task(&self, contact_id: &str, title: &str) -> String {
        let made = self
            .highlevel(
                reqwest::Method::POST,
                &format!("/contacts/{contact_id}/tasks"),
                json!({"title": title, "dueDate": "2027-01-04T09:00:00Z", "completed": false}),
            )
            .await;
        made["task"]["id"].as_str().unwrap().to_owned()
    }

    async fn note(&self, contact_id: &str, body: &str) -> String {
        let made = self
            .highlevel(
                reqwest::Method::POST,
                &format!("/contacts/{contact_id}/notes"),
                json!({ "body": body }),
            )
            .await;
        made["note"]["id"].as_str().unwrap().to_owned()
    }

    /// A manual automation of `steps`, on.
    async fn automation(&self, steps: Vec<Step>) -> i64 {
        self.create_automation("Steps", &manual(steps), State::On)
            .await
    }

    /// Runs the automation on `data` and waits for the run to end; the run
    /// and its steps.
    async fn run(&self, automation: i64, data: Value) -> (runs::Listed, Vec<StepRecord>) {
        let id = self.queue(automation, data).await;
        self.ended_with_steps(id).await
    }

    /// Waits for the run to end; the run and its steps.
    async fn ended_with_steps(&self, run: i64) -> (runs::Listed, Vec<StepRecord>) {
        let listed = self.ended(run).await;
        (listed, journal::of_run(&self.app.db, run).await.unwrap())
    }

    async fn save(&self, automation: i64, definition: &Definition) -> Value {
        ok_json(
            self.owner
                .http
                .post(format!("{}/api/automations/save", self.app.base))
                .json(&json!({
                    "id": automation,
                    "form": AutomationForm::of("Steps", definition),
                }))
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

fn output(record: &StepRecord) -> &Value {
    record.output.as_ref().unwrap()
}

#[tokio::test]
async fn each_highlevel_step_writes_once_and_the_cache_follows() {
    let team = team(&[]).await;
    let contact = team.contact("steps.owner@example.com", "Stepsworth").await;
    let (task, old_task) = (
        team.task(&contact, "Welcome call").await,
        team.task(&contact, "Old call").await,
    );
    let (note, old_note) = (
        team.note(&contact, "First visit").await,
        team.note(&contact, "Old note").await,
    );
    team.app.full_sync(&team.location_id).await;

    let the = |id: &str| id.to_owned();
    let found = || "{{ steps.found.id }}".to_owned();
    let steps = vec![
        step(
            "found",
            Action::FindContact {
                by: FindBy::Search,
                value: "{{ data.name }}".into(),
            },
        ),
        step(
            "renamed",
            Action::UpdateContact {
                contact_id: found(),
                fields: ContactFields {
                    first_name: "Renamed".into(),
                    source: "{{ data.source }}".into(),
                    ..ContactFields::default()
                },
            },
        ),
        step(
            "member",
            Action::UpsertContact {
                fields: ContactFields {
                    email: "upserted.member@example.com".into(),
                    first_name: "Upserted".into(),
                    company_name: "Acme Fitness".into(),
                    ..ContactFields::default()
                },
            },
        ),
        step(
            "moved",
            Action::UpdateTask {
                contact_id: found(),
                task_id: the(&task),
                title: "Moved call".into(),
                body: String::new(),
                due: "2027-02-01T10:00".into(),
            },
        ),
        step(
            "done",
            Action::CompleteTask {
                contact_id: found(),
                task_id: "{{ steps.moved.id }}".into(),
            },
        ),
        step(
            "noted",
            Action::UpdateNote {
                contact_id: found(),
                note_id: the(&note),
                body: "Changed by {{ data.source }}".into(),
            },
        ),
        step(
            "joined",
            Action::AddToCampaign {
                contact_id: found(),
                campaign_id: "camp-1".into(),
            },
        ),
        step(
            "left",
            Action::RemoveFromCampaign {
                contact_id: found(),
                campaign_id: "camp-1".into(),
            },
        ),
        step(
            "started",
            Action::AddToWorkflow {
                contact_id: found(),
                workflow_id: "wf-1".into(),
            },
        ),
        step(
            "stopped",
            Action::RemoveFromWorkflow {
                contact_id: found(),
                workflow_id: "wf-1".into(),
            },
        ),
        step(
            "follow",
            Action::AddFollowers {
                contact_id: found(),
                followers: "user-a, user-b".into(),
            },
        ),
        step(
            "unfollow",
            Action::RemoveFollowers {
                contact_id: found(),
                followers: "user-b".into(),
            },
        ),
        step(
            "read",
            Action::HighLevelCall {
                operation: "get-contact".into(),
                params: [("contactId".to_owned(), found())].into(),
                body: String::new(),
            },
        ),
        step(
            "more",
            Action::HighLevelCall {
                operation: "create-note".into(),
                params: [("contactId".to_owned(), found())].into(),
                body: r#"{"body": "From {{ data.source }}", "pinned": true}"#.into(),
            },
        ),
        step(
            "dropped",
            Action::DeleteTask {
                contact_id: found(),
                task_id: the(&old_task),
            },
        ),
        step(
            "unnoted",
            Action::DeleteNote {
                contact_id: found(),
                note_id: the(&old_note),
            },
        ),
        step(
            "gone",
            Action::DeleteContact {
                contact_id: "{{ steps.member.contact_id }}".into(),
            },
        ),
    ];
    let automation = team.automation(steps).await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let (run, records) = team
        .run(
            automation,
            json!({"data": {"name": "stepsworth", "source": "Switchboard"}}),
        )
        .await;
    assert_eq!(run.status, "succeeded", "{:?} {records:?}", run.error);
    let out =
        |name: &str| output(records.iter().find(|record| record.name == name).unwrap()).clone();
    assert_eq!(out("found")["found"], true);
    assert_eq!(out("found")["id"], contact.as_str());
    let upserted = out("member")["contact_id"].as_str().unwrap().to_owned();
    assert_eq!(out("member")["new"], true);
    assert_eq!(out("read")["contact"]["firstName"], "Renamed");
    assert_eq!(out("moved")["id"], task.as_str());
    assert_eq!(out("unfollow")["followers"], json!(["user-a"]));
    assert_eq!(out("gone")["deleted"], true);

    let c = &contact;
    assert_eq!(
        team.writes_since(ledger_before).await,
        [
            format!("PUT /contacts/{c}"),
            "POST /contacts/upsert".to_owned(),
            format!("PUT /contacts/{c}/tasks/{task}"),
            format!("PUT /contacts/{c}/tasks/{task}/completed"),
            format!("PUT /contacts/{c}/notes/{note}"),
            format!("POST /contacts/{c}/campaigns/camp-1"),
            format!("DELETE /contacts/{c}/campaigns/camp-1"),
            format!("POST /contacts/{c}/workflow/wf-1"),
            format!("DELETE /contacts/{c}/workflow/wf-1"),
            format!("POST /contacts/{c}/followers"),
            format!("DELETE /contacts/{c}/followers"),
            format!("POST /contacts/{c}/notes"),
            format!("DELETE /contacts/{c}/tasks/{old_task}"),
            format!("DELETE /contacts/{c}/notes/{old_note}"),
            format!("DELETE /contacts/{upserted}"),
        ],
        "each step wrote once, in order"
    );

    // The cache has what HighLevel answered.
    let first_name: String = team
        .cached(
            "SELECT first_name FROM cache_contacts WHERE location_id = $1 AND id = $2",
            c,
        )
        .await;
    assert_eq!(first_name, "Renamed");
    let source: String = team
        .cached(
            "SELECT source FROM cache_contacts WHERE location_id = $1 AND id = $2",
            c,
        )
        .await;
    assert_eq!(source, "Switchboard");
    let followers: Value = team
        .cached(
            "SELECT raw->'followers' FROM cache_contacts WHERE location_id = $1 AND id = $2",
            c,
        )
        .await;
    assert_eq!(followers, json!(["user-a"]));
    let (title, completed): (String, bool) = sqlx::query_as(
        "SELECT title, completed FROM cache_tasks WHERE location_id = $1 AND id = $2",
    )
    .bind(&team.location_id)
    .bind(&task)
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    assert_eq!((title.as_str(), completed), ("Moved call", true));
    let body: String = team
        .cached(
            "SELECT body FROM cache_notes WHERE location_id = $1 AND id = $2",
            &note,
        )
        .await;
    assert_eq!(body, "Changed by Switchboard");
    let made_note = out("more")["note"]["id"].as_str().unwrap().to_owned();
    let body: String = team
        .cached(
            "SELECT body FROM cache_notes WHERE location_id = $1 AND id = $2",
            &made_note,
        )
        .await;
    assert_eq!(body, "From Switchboard");
    for (sql, id) in [
        (
            "SELECT deleted_at IS NOT NULL FROM cache_tasks WHERE location_id = $1 AND id = $2",
            &old_task,
        ),
        (
            "SELECT deleted_at IS NOT NULL FROM cache_notes WHERE location_id = $1 AND id = $2",
            &old_note,
        ),
        (
            "SELECT deleted_at IS NOT NULL FROM cache_contacts WHERE location_id = $1 AND id = $2",
            &upserted,
        ),
    ] {
        assert!(team.cached::<bool>(sql, id).await, "{id} marked deleted");
    }
}

#[tokio::test]
async fn a_resumed_delete_that_finds_nothing_was_done_before() {
    let team = team(&[]).await;
    let contact = team.contact("resumed.delete@example.com", "Resumed").await;
    let task = team.task(&contact, "Lost answer").await;
    team.app.full_sync(&team.location_id).await;
    let delete = step(
        "dropped",
        Action::DeleteTask {
            contact_id: "{{ contact }}".into(),
            task_id: "{{ task }}".into(),
        },
    );
    let automation = team.automation(vec![delete]).await;
    let data = json!({"contact": contact, "task": task});

    // The first try deleted the task, then the process died.
    team.highlevel(
        reqwest::Method::DELETE,
        &format!("/contacts/{contact}/tasks/{task}"),
        json!(null),
    )
    .await;
    let ledger_before = sandbox_ledger(&team.app.base).await.len();
    let run = team
        .interrupted_run(automation, data.clone(), "dropped", |_| async {})
        .await;
    let (listed, records) = team.ended_with_steps(run).await;
    assert_eq!(listed.status, "succeeded", "{:?}", listed.error);
    assert_eq!(output(&records[0])["deleted"], true);
    assert_eq!(records[0].answer.as_ref().unwrap()["alreadyGone"], true);
    let again = &sandbox_ledger(&team.app.base).await[ledger_before..];
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(
        (&again[0]["method"], &again[0]["path"], &again[0]["status"]),
        (
            &json!("DELETE"),
            &json!(format!("/contacts/{contact}/tasks/{task}")),
            &json!(400)
        ),
        "sent again, and refused: there was nothing left to delete"
    );
    let deleted: bool = team
        .cached(
            "SELECT deleted_at IS NOT NULL FROM cache_tasks WHERE location_id = $1 AND id = $2",
            &task,
        )
        .await;
    assert!(deleted, "the cache knows it is gone");

    // Sent for the first time, a delete of nothing fails and says why.
    let (listed, records) = team.run(automation, data).await;
    assert_eq!(listed.status, "failed");
    assert!(
        records[0].error.as_deref().unwrap().contains("not found"),
        "{:?}",
        records[0].error
    );
}

#[tokio::test]
async fn a_step_needing_a_scope_the_connection_lacks_is_named_at_save() {
    let team = team(&[]).await;
    let definition = manual(vec![
        step(
            "look",
            Action::HighLevelCall {
                operation: "get-contact".into(),
                params: [("contactId".to_owned(), "{{ contact }}".to_owned())].into(),
                body: String::new(),
            },
        ),
        step(
            "gone",
            Action::DeleteContact {
                contact_id: "{{ contact }}".into(),
            },
        ),
    ]);
    let automation = team.automation(definition.steps.clone()).await;
    let editor = |id: i64| {
        let owner = &team.owner;
        async move {
            ok_json(
                owner
                    .call("automations/editor", &[("id", &id.to_string())])
                    .await,
            )
            .await
        }
    };
    let offered = |page: &Value, id: &str| {
        page["operations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|choice| choice["value"] == id)
    };
    // Signed in with write access, the connection has contacts.write.
    let saved = team.save(automation, &definition).await;
    assert_eq!(saved["problems"], json!([]), "{saved}");
    assert!(offered(&editor(automation).await, "delete-contact"));

    sqlx::query(
        "UPDATE connections SET scopes = array_remove(scopes, 'contacts.write') WHERE location_id = $1",
    )
    .bind(&team.location_id)
    .execute(&team.app.db)
    .await
    .unwrap();
    let refused = team.save(automation, &definition).await;
    assert!(refused["version"].is_null(), "{refused}");
    assert_eq!(
        refused["problems"],
        json!([{
            "at": "step.1",
            "message": "This step needs the HighLevel scope contacts.write, which your connection was not granted. Reconnect HighLevel with it (Connections page)."
        }])
    );
    let page = editor(automation).await;
    assert!(offered(&page, "get-contact"), "reads are still offered");
    assert!(!offered(&page, "delete-contact"));
}

#[tokio::test]
async fn an_alert_step_raises_one_alert_even_when_resumed() {
    let team = team(&[]).await;
    let alert = step(
        "tell",
        Action::Alert {
            user_id: None,
            title: "New member: {{ data.name }}".into(),
            message: "Say hello".into(),
        },
    );
    let automation = team.automation(vec![alert.clone()]).await;
    let alerts = |run: i64| {
        let db = team.app.db.clone();
        async move {
            sqlx::query_as::<_, (i64, String, String, Option<i64>)>(
                "SELECT id, title, origin, user_id FROM alerts WHERE run_id = $1",
            )
            .bind(run)
            .fetch_all(&db)
            .await
            .unwrap()
        }
    };

    let (run, records) = team.run(automation, json!({"data": {"name": "Ana"}})).await;
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    let raised = alerts(run.id).await;
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].1, "New member: Ana");
    assert_eq!(raised[0].2, format!("run-{}-step-0", run.id));
    assert_eq!(raised[0].3, None, "for the whole team");
    assert_eq!(output(&records[0])["alert_id"], raised[0].0);
    let unread = ok_json(team.owner.call("alerts/bell", &[]).await).await["unread"].clone();
    assert_eq!(unread, json!(1));

    // The first try raised it, then the process died: the step, sent
    // again, finds it rather than raising another.
    let db = team.app.db.clone();
    let location_id = team.location_id.clone();
    let first = std::sync::Arc::new(std::sync::Mutex::new(0));
    let kept = first.clone();
    let run = team
        .interrupted_run(
            automation,
            json!({"data": {"name": "Ben"}}),
            "tell",
            |id| async move {
                let origin = format!("run-{id}-step-0");
                let alert = switchboard::alerts::NewAlert {
                    location_id: &location_id,
                    user_id: None,
                    title: "New member: Ben",
                    body: "Say hello",
                    run_id: Some(id),
                    origin: &origin,
                };
                *kept.lock().unwrap() = switchboard::alerts::raise(&db, &alert).await.unwrap();
            },
        )
        .await;
    let (listed, records) = team.ended_with_steps(run).await;
    assert_eq!(listed.status, "succeeded", "{:?}", listed.error);
    let raised = alerts(run).await;
    assert_eq!(raised.len(), 1, "one alert: {raised:?}");
    let first = *first.lock().unwrap();
    assert_eq!(output(&records[0])["alert_id"], first);

    // A test with the sample raises nothing and shows what it would.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts")
        .fetch_one(&team.app.db)
        .await
        .unwrap();
    let definition = manual(vec![step(
        "tell",
        Action::Alert {
            user_id: Some(team.user_id),
            title: "Just you".into(),
            message: String::new(),
        },
    )]);
    let tested = ok_json(
        team.owner
            .http
            .post(format!("{}/api/automations/test", team.app.base))
            .json(&json!({"id": automation, "form": AutomationForm::of("Steps", &definition)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(tested["problems"], json!([]), "{tested}");
    let step = &tested["run"]["steps"][0];
    assert_eq!(step["status"], "done", "{tested}");
    assert!(
        step["summary"]
            .as_str()
            .unwrap()
            .starts_with("A real run raises the alert “Just you” for one member"),
        "{step}"
    );
    let shown: Value = serde_json::from_str(step["output"].as_str().unwrap()).unwrap();
    assert_eq!(shown["would_raise"]["title"], "Just you");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM alerts")
        .fetch_one(&team.app.db)
        .await
        .unwrap();
    assert_eq!(after, before, "a test raises nothing");
}

#[tokio::test]
async fn a_summary_counts_the_cache_and_is_kept_or_sent() {
    let team = team(&ALLOW_PRIVATE).await;
    let clubworx = team.connect_app("clubworx").await;
    team.deliver_to_inbox(clubworx, "clubworx").await;
    // A contact added today, so today's summary has something to count.
    team.contact("summary.today@example.com", "Today").await;
    team.app.full_sync(&team.location_id).await;

    let automation = team
        .automation(vec![
            step(
                "today",
                Action::Summary {
                    period: "today".into(),
                    deliver: SummaryTo::Alert,
                },
            ),
            step(
                "week",
                Action::Summary {
                    period: "last_7_days".into(),
                    deliver: SummaryTo::App {
                        connection_id: clubworx,
                        path: "/summaries".into(),
                    },
                },
            ),
            step(
                "tell",
                Action::Alert {
                    user_id: None,
                    title: "{{ steps.week.new_contacts }} new this week".into(),
                    message: String::new(),
                },
            ),
        ])
        .await;
    let (run, records) = team.run(automation, json!({})).await;
    assert_eq!(run.status, "succeeded", "{:?} {records:?}", run.error);

    let zone = TeamZone::of_team(&team.app.db, &team.location_id)
        .await
        .unwrap();
    let counts = |period: Period| {
        let (from, to) = period.bounds(zone, Utc::now());
        let db = team.app.db.clone();
        let location_id = team.location_id.clone();
        async move {
            sqlx::query_as::<_, (i64, i64, i64, i64)>(
                r"SELECT
                    (SELECT count(*) FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL
                        AND date_added >= $2 AND date_added < $3),
                    (SELECT count(*) FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL
                        AND due_date >= $2 AND due_date < $3),
                    (SELECT count(*) FROM cache_tasks WHERE location_id = $1 AND deleted_at IS NULL
                        AND NOT completed AND due_date < now()),
                    (SELECT count(*) FROM cache_appointments WHERE location_id = $1 AND deleted_at IS NULL
                        AND start_time >= $2 AND start_time < $3)",
            )
            .bind(location_id)
            .bind(from)
            .bind(to)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let read = |summary: &Value| {
        (
            summary["new_contacts"].as_i64().unwrap(),
            summary["tasks_due"].as_i64().unwrap(),
            summary["tasks_overdue"].as_i64().unwrap(),
            summary["appointments"].as_array().unwrap().len() as i64,
        )
    };
    let today = output(&records[0]);
    assert_eq!(read(today), counts(Period::Today).await);
    assert!(today["new_contacts"].as_i64().unwrap() >= 1, "{today}");
    let week = output(&records[1]);
    assert_eq!(read(week), counts(Period::LastSevenDays).await);

    // Today's is kept as an alert for the team, in plain words.
    let (title, body): (String, String) =
        sqlx::query_as("SELECT title, body FROM alerts WHERE run_id = $1 AND origin = $2")
            .bind(run.id)
            .bind(format!("run-{}-step-0", run.id))
            .fetch_one(&team.app.db)
            .await
            .unwrap();
    assert_eq!(title, "Summary: today");
    assert!(
        body.contains(&format!("{} new contacts", today["new_contacts"])),
        "{body}"
    );
    assert!(output(&records[0])["alert_id"].is_i64());

    // The week's went to the app, signed, as "Send to an app" sends.
    let deliveries = team.inbox("clubworx").await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(
        deliveries[0]["path"],
        "/sandbox/_sandbox/apps/clubworx/inbox/summaries"
    );
    assert_eq!(
        deliveries[0]["headers"]["idempotency-key"],
        format!("switchboard-run-{}-step-1", run.id).as_str()
    );
    let sent: Value = serde_json::from_str(deliveries[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(read(&sent), read(week));
    assert_eq!(sent["period"], "The last 7 days");

    // Later steps read the numbers.
    let told: String = sqlx::query_scalar("SELECT title FROM alerts WHERE origin = $1")
        .bind(format!("run-{}-step-2", run.id))
        .fetch_one(&team.app.db)
        .await
        .unwrap();
    assert_eq!(told, format!("{} new this week", week["new_contacts"]));
}
