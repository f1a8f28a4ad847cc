//! The ready-made automations of each app, end to end against the real
//! server, the sandbox HighLevel and the app's simulated counterpart: the
//! owner applies a recipe over HTTP as the gallery does, the automations it
//! made are turned on, the trigger is sent (an event from the simulated
//! app, a change in the sandbox HighLevel, a run by hand of a schedule, or
//! a read API call), and the test reads what HighLevel's ledger and the
//! simulated app's inbox received.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::hmac;
use serde_json::{json, Value};
use switchboard::apps::connections::store as connections;
use switchboard::apps::connections::{Encoding, EventTypeFrom, Signing};
use switchboard::automations::model::State;
use switchboard::automations::scheduler;

use crate::apps_sample::{connect, send};
use crate::automations_support::{Team as Shared, ALLOW_PRIVATE};
use crate::common::{self, sandbox_ledger};
use crate::webhooks_support::eventually;
use crate::workspace_support::ok_json;

/// What these tests add to the shared team: a token of its sandbox, to
/// change HighLevel as another app would.
struct Sandbox {
    token: String,
}

type Team = Shared<Sandbox>;

/// A signed-in team whose cache a full sync filled, on a server that may
/// deliver to the simulated apps.
async fn team() -> Team {
    let team = Shared::start(&ALLOW_PRIVATE).await;
    team.app.full_sync(&team.location_id).await;
    let token = team.sandbox_token().await;
    team.with(Sandbox { token })
}

/// A connection of `app` with its secret, delivering to the app's inbox.
struct Connected {
    id: i64,
    secret: String,
    app: &'static str,
}

impl Team {
    async fn connect(&self, app: &'static str) -> Connected {
        let (id, secret) = connect(&self.app, &self.location_id, &self.highlevel_user, app).await;
        self.deliver_to_inbox(id, app).await;
        Connected { id, secret, app }
    }

    /// Applies the recipe as the gallery does; what it answered.
    async fn apply(&self, key: &str, connection: &Connected, inputs: &[(&str, &str)]) -> Value {
        let inputs: BTreeMap<&str, &str> = inputs.iter().copied().collect();
        let response = self
            .owner
            .http
            .post(format!("{}/api/automations/recipes/apply", self.app.base))
            .json(&json!({"key": key, "connection_id": connection.id, "inputs": inputs}))
            .send()
            .await
            .unwrap();
        ok_json(response).await
    }

    /// Applies the recipe and turns on what it made; the automations' ids.
    async fn apply_on(
        &self,
        key: &str,
        connection: &Connected,
        inputs: &[(&str, &str)],
    ) -> Vec<i64> {
        let applied = self.apply(key, connection, inputs).await;
        let made: Vec<i64> = applied["automations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|made| made[0].as_i64().unwrap())
            .collect();
        assert!(!made.is_empty(), "{key} made nothing: {applied}");
        for id in &made {
            self.set_state(*id, State::On).await;
        }
        made
    }

    /// Has the simulated app send one event of `event_type` to the
    /// connection's door; the body the door kept.
    async fn app_event(&self, connection: &Connected, event_type: &str) -> Value {
        let sent = ok_json(send(&self.owner, connection.id, event_type).await).await;
        assert_eq!(sent["accepted"], true, "{sent}");
        sqlx::query_scalar(
            "SELECT convert_from(body, 'UTF8')::jsonb FROM app_events WHERE connection_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(connection.id)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    /// Posts `body` to the connection's door again, signed as the app
    /// signs; the door's status.
    async fn resend(&self, connection: &Connected, body: &Value) -> reqwest::StatusCode {
        self.resend_as(connection, body, "").await
    }

    /// [`Self::resend`], with the event type in its header for an app that
    /// puts it there.
    async fn resend_as(
        &self,
        connection: &Connected,
        body: &Value,
        event_type: &str,
    ) -> reqwest::StatusCode {
        let stored = connections::of_team_by_id(&self.app.db, &self.location_id, connection.id)
            .await
            .unwrap()
            .unwrap();
        let bytes = body.to_string().into_bytes();
        let (header, value) = match &stored.signing {
            Signing::HmacSha256 {
                header,
                encoding,
                prefix,
            } => {
                let key = hmac::Key::new(hmac::HMAC_SHA256, connection.secret.as_bytes());
                let tag = hmac::sign(&key, &bytes);
                let encoded = match encoding {
                    Encoding::Hex => tag
                        .as_ref()
                        .iter()
                        .map(|byte| format!("{byte:02x}"))
                        .collect(),
                    Encoding::Base64 => STANDARD.encode(tag.as_ref()),
                };
                (header.clone(), format!("{prefix}{encoded}"))
            }
            Signing::SecretHeader { header } => (header.clone(), connection.secret.clone()),
        };
        let mut request = common::http()
            .post(format!("{}/hooks/{}", self.app.base, stored.public_id))
            .header("content-type", "application/json")
            .header(header, value);
        if let EventTypeFrom::Header(name) = &stored.event_type_from {
            request = request.header(name.as_str(), event_type);
        }
        request.body(bytes).send().await.unwrap().status()
    }

    /// A request to the sandbox HighLevel, as another app than Switchboard.
    async fn highlevel(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.sandbox_request(&self.token, method, path, body).await
    }

    /// A cached contact: its id and e-mail.
    async fn a_contact(&self) -> (String, String) {
        sqlx::query_as(
            "SELECT id, email FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL AND email IS NOT NULL ORDER BY id LIMIT 1",
        )
        .bind(&self.location_id)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    /// Every run of these automations once at least `count` have ended and
    /// none is still going (one change to a contact may start several runs,
    /// some after the first ended); each succeeded.
    async fn succeeded(&self, automations: &[i64], count: usize) {
        eventually("the runs to end", || async {
            let mut runs = Vec::new();
            for automation in automations {
                runs.extend(self.runs_of(*automation).await);
            }
            let all_over = runs
                .iter()
                .all(|run| !matches!(run.status.as_str(), "queued" | "running"));
            (all_over && runs.len() >= count).then_some(())
        })
        .await;
        for automation in automations {
            for run in self.runs_of(*automation).await {
                assert_eq!(run.status, "succeeded", "{:?}", run.error);
            }
        }
    }

    /// The HighLevel writes since `from` whose path ends with `suffix`,
    /// with their bodies.
    async fn writes_to(&self, from: usize, suffix: &str) -> Vec<Value> {
        sandbox_ledger(&self.app.base).await[from..]
            .iter()
            .filter(|entry| entry["method"] != "GET")
            .filter(|entry| entry["path"].as_str().unwrap_or("").ends_with(suffix))
            .map(|entry| entry["body"].clone())
            .collect()
    }

    async fn ledger_len(&self) -> usize {
        sandbox_ledger(&self.app.base).await.len()
    }

    /// The deliveries the app's inbox got at `path`, as JSON bodies.
    async fn delivered(&self, connection: &Connected, path: &str) -> Vec<Value> {
        self.inbox(connection.app)
            .await
            .into_iter()
            .filter(|delivery| delivery["path"].as_str().unwrap_or("").ends_with(path))
            .map(|delivery| serde_json::from_str(delivery["body"].as_str().unwrap()).unwrap())
            .collect()
    }

    /// Applies a recipe of an app that pulls: the request it gives, in full.
    async fn read_request(&self, recipe: &str, connection: &Connected) -> String {
        let applied = self.apply(recipe, connection, &[]).await;
        assert_eq!(
            applied["automations"],
            json!([]),
            "{recipe} makes no automation"
        );
        applied["read_request"].as_str().unwrap().to_owned()
    }

    /// A read API request with a new key of the connection; its answer.
    async fn read(&self, connection: &Connected, url: &str) -> Value {
        let id = connection.id.to_string();
        let issued = ok_json(
            self.owner
                .call("apps/read-api/issue-key", &[("connection_id", id.as_str())])
                .await,
        )
        .await;
        let key = issued["key"].as_str().unwrap();
        ok_json(
            common::http()
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn full_sync(&self) {
        self.app.full_sync(&self.location_id).await;
    }
}

#[tokio::test]
async fn clubworx_members_tasks_and_notes_reach_highlevel_once_each() {
    let team = team().await;
    let clubworx = team.connect("clubworx").await;
    let mut made = team.apply_on("clubworx.members", &clubworx, &[]).await;
    made.extend(team.apply_on("clubworx.tasks", &clubworx, &[]).await);
    made.extend(team.apply_on("clubworx.notes", &clubworx, &[]).await);
    assert_eq!(made.len(), 4, "new and changed members, tasks, notes");

    let from = team.ledger_len().await;
    let member = team.app_event(&clubworx, "member.created").await;
    team.succeeded(&made, 1).await;
    let upserts = team.writes_to(from, "/contacts/upsert").await;
    assert_eq!(upserts.len(), 1);
    let email = member["data"]["member"]["email"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert_eq!(upserts[0]["email"], email.as_str());
    assert_eq!(
        upserts[0]["firstName"],
        member["data"]["member"]["first_name"]
    );
    // The member's Clubworx tags, and their status as one more.
    let status = member["data"]["member"]["status"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let tags = upserts[0]["tags"].as_array().unwrap();
    assert!(tags.contains(&json!(status)), "{tags:?}");
    for tag in member["data"]["member"]["tags"].as_array().unwrap() {
        assert!(tags.contains(tag), "{tags:?}");
    }

    let task = team.app_event(&clubworx, "task.created").await;
    team.succeeded(&made, 2).await;
    let tasks = team.writes_to(from, "/tasks").await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["title"], task["data"]["task"]["title"]);
    // Clubworx sends the same event twice: the door takes it once.
    assert_eq!(
        team.resend(&clubworx, &task).await,
        reqwest::StatusCode::CONFLICT
    );

    let note = team.app_event(&clubworx, "note.added").await;
    team.succeeded(&made, 3).await;
    let notes = team.writes_to(from, "/notes").await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], note["data"]["note"]["body"]);
    assert_eq!(
        team.writes_to(from, "/tasks").await.len(),
        1,
        "still one task"
    );

    // The same member changed: the contact is updated, not made again.
    let mut changed = member.clone();
    changed["event"] = json!("member.updated");
    changed["data"]["member"]["last_name"] = json!("Changed");
    assert!(team.resend(&clubworx, &changed).await.is_success());
    team.succeeded(&made, 4).await;
    // Each event upserts its contact: the member twice, and the members the
    // task and the note were about.
    let upserts = team.writes_to(from, "/contacts/upsert").await;
    assert_eq!(upserts.len(), 4);
    assert_eq!(upserts[3]["email"], email.as_str());
    assert_eq!(upserts[3]["lastName"], "Changed");
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT last_name FROM cache_contacts WHERE location_id = $1 AND lower(email) = $2 AND deleted_at IS NULL",
    )
    .bind(&team.location_id)
    .bind(&email)
    .fetch_all(&team.app.db)
    .await
    .unwrap();
    assert_eq!(kept, vec!["Changed".to_owned()], "one contact, changed");
}

#[tokio::test]
async fn clubworx_ideas_tag_sign_ups_and_tell_clubworx() {
    let team = team().await;
    let clubworx = team.connect("clubworx").await;
    let signup = team
        .apply_on("clubworx.signup", &clubworx, &[("tag", "trial booked")])
        .await;
    let alerts = team
        .apply_on("clubworx.alerts", &clubworx, &[("tag", "vip")])
        .await;
    let summary = team
        .apply_on("clubworx.daily_summary", &clubworx, &[("at", "18:00")])
        .await;

    let from = team.ledger_len().await;
    team.app_event(&clubworx, "signup.created").await;
    team.succeeded(&signup, 1).await;
    let tagged = team.writes_to(from, "/tags").await;
    assert_eq!(tagged, vec![json!({"tags": ["trial booked"]})]);

    let (contact, _) = team.a_contact().await;
    team.highlevel(
        reqwest::Method::POST,
        &format!("/contacts/{contact}/tags"),
        json!({"tags": ["vip"]}),
    )
    .await;
    team.full_sync().await;
    team.succeeded(&alerts, 1).await;
    let told = team.delivered(&clubworx, "/alerts").await;
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0]["contact"]["id"],
        contact.as_str(),
        "shaped by the contact mapping"
    );

    // The schedule's tick, run by hand as "Run now" does.
    let id = summary[0].to_string();
    ok_json(
        team.owner
            .call("automations/run-now", &[("id", id.as_str())])
            .await,
    )
    .await;
    team.succeeded(&summary, 1).await;
    let summaries = team.delivered(&clubworx, "/summaries").await;
    assert_eq!(summaries.len(), 1);
    assert!(summaries[0]["new_contacts"].is_number(), "{}", summaries[0]);
}

#[tokio::test]
async fn club_os_gets_highlevels_copy_and_its_edits_reach_highlevel() {
    let team = team().await;
    let club_os = team.connect("club_os").await;
    let back = team.apply_on("club_os.send_back", &club_os, &[]).await;
    let edits = team.apply_on("club_os.edits", &club_os, &[]).await;
    let tasks = team.apply_on("club_os.tasks", &club_os, &[]).await;

    // A member Club OS adds whom HighLevel does not know: the edits recipe
    // does not start on new members, and nothing goes back.
    let created = team.app_event(&club_os, "member.created").await;
    team.succeeded(&back, 1).await;
    assert!(team.delivered(&club_os, "/members").await.is_empty());

    // A member HighLevel knows changes in Club OS: HighLevel follows, and
    // its copy goes back.
    let (contact, email) = team.a_contact().await;
    let mut changed = created;
    changed["member"]["email"] = json!(email);
    changed["member"]["mobilePhone"] = json!("(512) 555-0199");
    let from = team.ledger_len().await;
    assert!(team
        .resend_as(&club_os, &changed, "member.updated")
        .await
        .is_success());
    team.succeeded(&edits, 1).await;
    team.succeeded(&back, 2).await;
    let upserts = team.writes_to(from, "/contacts/upsert").await;
    assert_eq!(upserts.len(), 1);
    assert_eq!(upserts[0]["email"], email.as_str());
    assert_eq!(upserts[0]["phone"], "+15125550199");
    let sent = team.delivered(&club_os, "/members").await;
    assert_eq!(sent.len(), 1, "the HighLevel copy of the changed member");
    assert_eq!(sent[0]["contact"]["id"], contact.as_str());
    assert_eq!(sent[0]["contact"]["email"], email.as_str());

    // A task made in HighLevel goes to Club OS.
    team.sandbox_task(
        &team.token,
        &contact,
        "Book a PT session",
        "2027-01-04T09:00:00Z",
    )
    .await;
    team.full_sync().await;
    team.succeeded(&tasks, 1).await;
    let sent = team.delivered(&club_os, "/tasks").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["event"], "task_created");
    assert_eq!(sent[0]["task"]["title"], "Book a PT session");

    // Changed, then completed, in HighLevel: Club OS hears of each.
    let task = sent[0]["task"]["id"].as_str().unwrap().to_owned();
    team.highlevel(
        reqwest::Method::PUT,
        &format!("/contacts/{contact}/tasks/{task}"),
        json!({"title": "Book two PT sessions"}),
    )
    .await;
    team.full_sync().await;
    team.succeeded(&tasks, 2).await;
    team.sandbox_complete_task(&team.token, &contact, &task)
        .await;
    team.full_sync().await;
    team.succeeded(&tasks, 3).await;
    let sent = team.delivered(&club_os, "/tasks").await;
    let heard: Vec<(&str, &str)> = sent
        .iter()
        .map(|body| {
            (
                body["event"].as_str().unwrap(),
                body["task"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        heard,
        [
            ("task_created", "Book a PT session"),
            ("task_changed", "Book two PT sessions"),
            ("task_completed", "Book two PT sessions"),
        ]
    );
    assert_eq!(sent[1]["previous"]["title"], "Book a PT session");
}

#[tokio::test]
async fn gymflow_contacts_tags_tasks_and_notes_reach_highlevel() {
    let team = team().await;
    let gymflow = team.connect("gymflow").await;
    let contacts = team.apply_on("gymflow.contacts", &gymflow, &[]).await;
    let tags = team.apply_on("gymflow.tags", &gymflow, &[]).await;
    let records = team.apply_on("gymflow.tasks_notes", &gymflow, &[]).await;

    let from = team.ledger_len().await;
    let created = team.app_event(&gymflow, "contact.created").await;
    team.succeeded(&contacts, 1).await;
    let upserts = team.writes_to(from, "/contacts/upsert").await;
    assert_eq!(upserts.len(), 1);
    let contact_id: String = sqlx::query_scalar(
        "SELECT id FROM cache_contacts WHERE location_id = $1 AND lower(email) = lower($2)",
    )
    .bind(&team.location_id)
    .bind(created["data"]["contact"]["email"].as_str().unwrap())
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    let asked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sync_contact_requests WHERE location_id = $1 AND contact_id = $2",
    )
    .bind(&team.location_id)
    .bind(&contact_id)
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    assert_eq!(
        asked, 1,
        "its tasks and notes are read again on the next sync"
    );

    // A contact HighLevel knows is tagged in GymFlow, then untagged.
    let (known, email) = team.a_contact().await;
    let mut tagged = team.app_event(&gymflow, "tag.added").await;
    team.succeeded(&tags, 1).await;
    tagged["data"]["contact"]["email"] = json!(email);
    tagged["data"]["tag"]["name"] = json!("gymflow mirror");
    let tags_from = team.ledger_len().await;
    assert!(team.resend(&gymflow, &tagged).await.is_success());
    team.succeeded(&tags, 2).await;
    let mut untagged = tagged.clone();
    untagged["type"] = json!("tag.removed");
    assert!(team.resend(&gymflow, &untagged).await.is_success());
    team.succeeded(&tags, 3).await;
    let on_known = format!("/contacts/{known}/tags");
    let writes: Vec<(String, Value)> = sandbox_ledger(&team.app.base).await[tags_from..]
        .iter()
        .filter(|entry| entry["path"].as_str().unwrap_or("").ends_with(&on_known))
        .map(|entry| {
            (
                entry["method"].as_str().unwrap_or("").to_owned(),
                entry["body"].clone(),
            )
        })
        .collect();
    let body = json!({"tags": ["gymflow mirror"]});
    assert_eq!(
        writes,
        vec![("POST".into(), body.clone()), ("DELETE".into(), body)],
        "the same tag added, then removed, on the HighLevel contact"
    );
    assert!(
        team.delivered(&gymflow, "").await.is_empty(),
        "nothing goes back to GymFlow"
    );

    team.app_event(&gymflow, "task.created").await;
    team.app_event(&gymflow, "note.created").await;
    team.succeeded(&records, 2).await;
    assert_eq!(team.writes_to(from, "/tasks").await.len(), 1);
    assert_eq!(team.writes_to(from, "/notes").await.len(), 1);
}

#[tokio::test]
async fn gymflow_leads_get_a_welcome_task_for_the_next_morning() {
    let team = team().await;
    let gymflow = team.connect("gymflow").await;
    let welcome = team
        .apply_on(
            "gymflow.lead_welcome",
            &gymflow,
            &[("title", "Welcome call with"), ("at", "09:30")],
        )
        .await;
    let from = team.ledger_len().await;
    let lead = team.app_event(&gymflow, "contact.created").await;
    team.succeeded(&welcome, 1).await;
    let tasks = team.writes_to(from, "/tasks").await;
    assert_eq!(tasks.len(), 1);
    let first = lead["data"]["contact"]["firstName"].as_str().unwrap();
    assert_eq!(
        tasks[0]["title"],
        format!("Welcome call with {first}").as_str()
    );
    let due = tasks[0]["dueDate"].as_str().unwrap();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let due_day = chrono::DateTime::parse_from_rfc3339(due)
        .unwrap()
        .date_naive();
    assert!(
        (due_day - tomorrow).num_days().abs() <= 1,
        "due {due}, the next morning on the team's clock"
    );
}

#[tokio::test]
async fn convertcalculator_hears_of_contacts_and_notes_and_leads_get_a_follow_up() {
    let team = team().await;
    let calculator = team.connect("convertcalculator").await;
    let contacts = team
        .apply_on("convertcalculator.contacts", &calculator, &[])
        .await;
    let follow_up = team
        .apply_on(
            "convertcalculator.follow_up",
            &calculator,
            &[("tag", "calculator lead"), ("days", "3")],
        )
        .await;
    let notes = team
        .apply_on("convertcalculator.notes", &calculator, &[])
        .await;

    let (contact, email) = team.a_contact().await;
    let from = team.ledger_len().await;
    // The note first, and in the cache before the contact changes: the
    // contact's runs then all send it, whichever order they run in.
    team.highlevel(
        reqwest::Method::POST,
        &format!("/contacts/{contact}/notes"),
        json!({"body": "Asked for the family plan"}),
    )
    .await;
    team.full_sync().await;
    team.highlevel(
        reqwest::Method::PUT,
        &format!("/contacts/{contact}"),
        json!({"companyName": "Quote Co"}),
    )
    .await;
    team.highlevel(
        reqwest::Method::POST,
        &format!("/contacts/{contact}/tags"),
        json!({"tags": ["calculator lead"]}),
    )
    .await;
    team.full_sync().await;
    team.succeeded(&contacts, 1).await;
    team.succeeded(&follow_up, 1).await;
    team.succeeded(&notes, 1).await;

    let sent = team.delivered(&calculator, "/contacts").await;
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|body| body["contact"]["email"] == email.as_str()),
        "{sent:?}"
    );
    // With the contact, its tasks and notes as the cache held them.
    let last = sent.last().unwrap();
    for list in ["tasks", "notes"] {
        let records = last[list].as_array().unwrap();
        assert!(
            records
                .iter()
                .all(|record| record["contactId"] == contact.as_str()),
            "{last}"
        );
    }
    assert!(
        last["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|note| note["body"] == "Asked for the family plan"),
        "{last}"
    );
    let logged = team.delivered(&calculator, "/activity").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["note"]["body"], "Asked for the family plan");
    let tasks = team.writes_to(from, "/tasks").await;
    assert_eq!(tasks.len(), 1, "one follow-up for the tag added");
    assert!(tasks[0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Follow up on the quote"));
}

#[tokio::test]
async fn apps_that_pull_read_through_the_recipes_requests_and_workiom_hears_of_tasks_done_and_due()
{
    let team = team().await;
    let workiom = team.connect("workiom").await;
    let club_os = team.connect("club_os").await;
    let gymflow = team.connect("gymflow").await;
    let (contact, email) = team.a_contact().await;
    for (recipe, connection, include) in [
        ("workiom.contact_tasks", &workiom, vec!["tasks"]),
        (
            "workiom.contact_tasks_notes",
            &workiom,
            vec!["tasks", "notes"],
        ),
        (
            "club_os.unified_view",
            &club_os,
            vec!["tasks", "notes", "appointments"],
        ),
    ] {
        let request = team.read_request(recipe, connection).await;
        let read = team
            .read(connection, &request.replace("{contactId}", &contact))
            .await;
        assert_eq!(read["contact"]["id"], contact.as_str(), "{recipe}");
        for list in include {
            assert!(read[list].is_array(), "{recipe}: {list} in {read}");
        }
    }
    let request = team.read_request("gymflow.contact_records", &gymflow).await;
    let found = team
        .read(&gymflow, &request.replace("{email}", &email))
        .await;
    assert_eq!(found["contacts"][0]["id"], contact.as_str(), "{found}");

    let (business, members): (String, i64) = sqlx::query_as(
        "SELECT business_id, count(*) FROM cache_contacts WHERE location_id = $1 AND business_id IS NOT NULL AND deleted_at IS NULL GROUP BY 1 ORDER BY 1 LIMIT 1",
    )
    .bind(&team.location_id)
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    let request = team
        .read_request("workiom.business_contacts", &workiom)
        .await;
    let listed = team
        .read(&workiom, &request.replace("{businessId}", &business))
        .await;
    assert_eq!(listed["count"], members, "{listed}");

    let told = team.apply_on("workiom.task_alerts", &workiom, &[]).await;
    let task = team
        .sandbox_task(
            &team.token,
            &contact,
            "Send the contract",
            "2027-01-04T09:00:00Z",
        )
        .await;
    team.sandbox_complete_task(&team.token, &contact, &task)
        .await;
    team.full_sync().await;
    team.succeeded(&told, 1).await;
    let sent = team.delivered(&workiom, "/alerts").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["event"], "task_completed");
    assert_eq!(sent[0]["task"]["title"], "Send the contract");

    // A task falls due while open: Workiom hears of it once, however many
    // looks of the scheduler pass (as every server process looks).
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    team.sandbox_task(
        &team.token,
        &contact,
        "Call about the family plan",
        &due.to_rfc3339(),
    )
    .await;
    team.full_sync().await;
    let look = || scheduler::queue_overdue(&team.app.db);
    // The sync takes longer than the two seconds: by now the task is due.
    let announced = eventually("the task to fall due", || async {
        let announced = look().await.unwrap();
        (announced > 0).then_some(announced)
    })
    .await;
    assert_eq!(announced, 1);
    assert_eq!(look().await.unwrap(), 0, "announced once");
    team.succeeded(&told, 2).await;
    let sent = team.delivered(&workiom, "/alerts").await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["event"], "task_overdue");
    assert_eq!(sent[1]["task"]["title"], "Call about the family plan");
}

#[tokio::test]
async fn a_recipe_needs_a_connection_of_its_app_and_good_values() {
    let team = team().await;
    let clubworx = team.connect("clubworx").await;
    let gymflow = team.connect("gymflow").await;
    let refused = |key: &str, connection: &Connected, inputs: Value| {
        let request = team
            .owner
            .http
            .post(format!("{}/api/automations/recipes/apply", team.app.base))
            .json(&json!({"key": key, "connection_id": connection.id, "inputs": inputs}));
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
            response.text().await.unwrap()
        }
    };
    let wrong_app = refused("clubworx.members", &gymflow, json!({})).await;
    assert!(
        wrong_app.contains("Choose one of your Clubworx connections"),
        "{wrong_app}"
    );
    let wrong_time = refused("clubworx.daily_summary", &clubworx, json!({"at": "25:00"})).await;
    assert!(
        wrong_time.contains("A time of day such as 18:00"),
        "{wrong_time}"
    );
    let made: i64 = sqlx::query_scalar("SELECT count(*) FROM automations WHERE location_id = $1")
        .bind(&team.location_id)
        .fetch_one(&team.app.db)
        .await
        .unwrap();
    assert_eq!(made, 0, "a refused recipe makes nothing");
}

#[tokio::test]
async fn clubworx_members_keep_their_clubworx_id_and_are_found_by_it() {
    let team = team().await;
    let clubworx = team.connect("clubworx").await;
    let wrong = team
        .owner
        .http
        .post(format!("{}/api/automations/recipes/apply", team.app.base))
        .json(&json!({"key": "clubworx.members", "connection_id": clubworx.id, "inputs": {"id_field": "Clubworx Number"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), reqwest::StatusCode::BAD_REQUEST);
    let said = wrong.text().await.unwrap();
    assert!(
        said.contains("id_field") && said.contains("no custom field"),
        "{said}"
    );

    let made = team
        .apply_on(
            "clubworx.members",
            &clubworx,
            &[("id_field", "Referral Code")],
        )
        .await;
    let from = team.ledger_len().await;
    let member = team.app_event(&clubworx, "member.created").await;
    team.succeeded(&made, 1).await;
    let upserts = team.writes_to(from, "/contacts/upsert").await;
    assert_eq!(upserts.len(), 1);
    let id = member["data"]["member"]["id"].to_string();
    let kept = &upserts[0]["customFields"][0];
    assert_eq!(
        kept["field_value"].as_str(),
        Some(id.trim_matches('"')),
        "{}",
        upserts[0]
    );

    // The member's e-mail changes in Clubworx: the contact is found by the
    // Clubworx id and updated, not made anew under the new address.
    let contact: String = sqlx::query_scalar(
        "SELECT id FROM cache_contacts WHERE location_id = $1 AND lower(email) = lower($2)",
    )
    .bind(&team.location_id)
    .bind(member["data"]["member"]["email"].as_str().unwrap())
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    let mut changed = member.clone();
    changed["event"] = json!("member.updated");
    changed["data"]["member"]["email"] = json!("moved.member@example.com");
    let updates_from = team.ledger_len().await;
    assert!(team.resend(&clubworx, &changed).await.is_success());
    team.succeeded(&made, 2).await;
    assert!(team
        .writes_to(updates_from, "/contacts/upsert")
        .await
        .is_empty());
    let updated = team
        .writes_to(updates_from, &format!("/contacts/{contact}"))
        .await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["email"], "moved.member@example.com");
}

#[tokio::test]
async fn gymflow_hears_of_the_tags_chosen_in_highlevel() {
    let team = team().await;
    let gymflow = team.connect("gymflow").await;
    let mirrored = team
        .apply_on(
            "gymflow.highlevel_tags",
            &gymflow,
            &[("tags", "gym vip, gym trial")],
        )
        .await;
    assert_eq!(mirrored.len(), 4, "added and removed, for each of two tags");

    let (contact, _) = team.a_contact().await;
    let tags = format!("/contacts/{contact}/tags");
    team.highlevel(
        reqwest::Method::POST,
        &tags,
        json!({"tags": ["gym vip", "other"]}),
    )
    .await;
    team.full_sync().await;
    team.succeeded(&mirrored, 1).await;
    team.highlevel(reqwest::Method::DELETE, &tags, json!({"tags": ["gym vip"]}))
        .await;
    team.full_sync().await;
    team.succeeded(&mirrored, 2).await;

    let heard: Vec<(String, Value, Value)> = team
        .inbox("gymflow")
        .await
        .iter()
        .map(|delivery| {
            let body: Value = serde_json::from_str(delivery["body"].as_str().unwrap()).unwrap();
            let path = delivery["path"].as_str().unwrap_or("");
            let way = path.rsplit('/').next().unwrap_or("").to_owned();
            (way, body["tag"].clone(), body["contact"]["id"].clone())
        })
        .collect();
    assert_eq!(
        heard,
        [
            ("added".to_owned(), json!("gym vip"), json!(contact)),
            ("removed".to_owned(), json!("gym vip"), json!(contact)),
        ],
        "only the chosen tag, each way once"
    );
}
