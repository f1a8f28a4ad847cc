//! Automations started by HighLevel's own events, worked out from the cache:
//! a change found by a poll with no webhook, a change a webhook brought
//! (and the poll after it, which finds nothing new), contacts a first sync
//! brings (which HighLevel made before the automation was on), an
//! appointment's status, an automation's own change (which does not start
//! it again) and a chain of automations (which stops at the depth limit).

use serde_json::{json, Value};
use switchboard::automations::model::{Action, Definition, Filter, State, Step, Trigger};
use switchboard::automations::runs;

use crate::automations_support::{self as support, is_over, manual, step};
use crate::common;
use crate::webhooks_support::{event, eventually, post, Sign};

/// What these tests add to the shared team: a token, to change its
/// HighLevel as another app would.
struct Token {
    token: String,
}

type Team = support::Team<Token>;

/// A signed-in team whose cache a full sync filled.
async fn team() -> Team {
    let team = support::Team::start(&[]).await;
    team.app.full_sync(&team.location_id).await;
    with_token(team).await
}

/// The team, with a token of its sandbox.
async fn with_token(team: support::Team) -> Team {
    let token = team.sandbox_token().await;
    team.with(Token { token })
}

impl Team {
    /// An automation started by HighLevel's `event` (about `value`), on.
    async fn automation(&self, event: &str, value: &str, steps: Vec<Step>) -> i64 {
        let definition = Definition {
            trigger: Trigger::HighLevel {
                event: event.into(),
                value: value.into(),
            },
            filter: Filter::default(),
            steps,
        };
        self.create_automation(event, &definition, State::On).await
    }

    /// A request to the sandbox HighLevel, as another app than Switchboard.
    async fn highlevel(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.sandbox_request(&self.token, method, path, body).await
    }

    /// Whether the sandbox tells Switchboard of its changes.
    async fn webhooks(&self, on: bool) {
        let url = on.then(|| format!("{}/webhooks/highlevel", self.app.base));
        let response = common::http()
            .put(format!("{}/sandbox/_sandbox/webhook-url", self.app.base))
            .json(&json!({ "url": url }))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Waits until every webhook received is handled.
    async fn webhooks_handled(&self) {
        eventually("the webhooks to be handled", || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM highlevel_webhooks WHERE status IN ('queued', 'processing')",
            )
            .fetch_one(&self.app.db)
            .await
            .unwrap();
            (waiting == 0).then_some(())
        })
        .await;
    }

    async fn a_contact(&self) -> String {
        sqlx::query_scalar(
            "SELECT id FROM cache_contacts WHERE location_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(&self.location_id)
        .fetch_one(&self.app.db)
        .await
        .unwrap()
    }

    async fn trigger_data(&self, run: &runs::Listed) -> Value {
        runs::trigger_data(&self.app.db, run.id)
            .await
            .unwrap()
            .unwrap()
    }
}

fn tag_step(name: &str, add: bool, tags: &str) -> Step {
    let contact_id = "{{ contact.id }}".to_owned();
    let tags = tags.to_owned();
    let action = if add {
        Action::AddTags { contact_id, tags }
    } else {
        Action::RemoveTags { contact_id, tags }
    };
    step(name, action)
}

fn note_step(body: &str) -> Step {
    step(
        "note",
        Action::CreateNote {
            contact_id: "{{ contact.id }}".into(),
            body: body.into(),
        },
    )
}

#[tokio::test]
async fn a_tag_added_in_highlevel_is_found_by_a_poll_without_a_webhook() {
    let team = team().await;
    let automation = team
        .automation("tag_added", "vip", vec![note_step("VIP: {{ tag }}")])
        .await;
    let other_tag = team
        .automation("tag_added", "lead", vec![note_step("Lead")])
        .await;
    team.webhooks(false).await;
    let contact = team.a_contact().await;
    team.highlevel(
        reqwest::Method::POST,
        &format!("/contacts/{contact}/tags"),
        json!({"tags": ["VIP"]}),
    )
    .await;
    assert!(
        team.runs_of(automation).await.is_empty(),
        "nothing fires before the cache sees the change"
    );

    team.app.full_sync(&team.location_id).await;
    let ran = team.finished(automation, 1).await;
    assert_eq!(ran[0].status, "succeeded", "{:?}", ran[0].error);
    let data = team.trigger_data(&ran[0]).await;
    assert_eq!(data["event"], "tag_added");
    assert_eq!(data["tag"], "vip", "the tag as HighLevel keeps it");
    assert_eq!(data["contact"]["id"], contact.as_str());
    let note: String = team
        .cached(
            "SELECT body FROM cache_notes WHERE location_id = $1 AND contact_id = $2 AND body LIKE 'VIP:%'",
            &contact,
        )
        .await;
    assert_eq!(note, "VIP: vip");

    // The next poll finds nothing new: no second run.
    team.app.full_sync(&team.location_id).await;
    assert_eq!(team.runs_of(automation).await.len(), 1);
    assert!(
        team.runs_of(other_tag).await.is_empty(),
        "another tag's automation"
    );
}

#[tokio::test]
async fn a_task_completed_in_highlevel_fires_once_by_webhook_and_not_again_by_the_poll() {
    let team = team().await;
    let automation = team
        .automation(
            "task_completed",
            "",
            vec![note_step("Done: {{ task.title }}")],
        )
        .await;
    let contact = team.a_contact().await;
    let task = team
        .sandbox_task(&team.token, &contact, "Call back", "2027-01-04T09:00:00Z")
        .await;
    team.sandbox_complete_task(&team.token, &contact, &task)
        .await;

    let ran = team.finished(automation, 1).await;
    assert_eq!(ran[0].status, "succeeded", "{:?}", ran[0].error);
    let data = team.trigger_data(&ran[0]).await;
    assert_eq!(data["task"]["id"], task.as_str());
    assert_eq!(data["task"]["completed"], true);
    assert_eq!(data["contact"]["id"], contact.as_str());

    team.webhooks_handled().await;
    team.app.full_sync(&team.location_id).await;
    assert_eq!(
        team.runs_of(automation).await.len(),
        1,
        "the poll after the webhook adds no run"
    );
}

#[tokio::test]
async fn contacts_a_first_sync_brings_do_not_fire_but_a_new_one_does() {
    let team = with_token(support::Team::start(&[]).await).await;
    let automation = team
        .automation("contact_created", "", vec![note_step("Welcome")])
        .await;
    // The first sync of the location sees 50 contacts for the first time.
    team.app.full_sync(&team.location_id).await;
    assert!(team.runs_of(automation).await.is_empty());

    let made = team
        .highlevel(
            reqwest::Method::POST,
            "/contacts/",
            json!({"locationId": team.location_id, "email": "new.member@example.com", "firstName": "Nia"}),
        )
        .await;
    let ran = team.finished(automation, 1).await;
    assert_eq!(ran[0].status, "succeeded", "{:?}", ran[0].error);
    let data = team.trigger_data(&ran[0]).await;
    assert_eq!(data["contact"]["id"], made["contact"]["id"]);
    assert_eq!(data["contact"]["email"], "new.member@example.com");
}

#[tokio::test]
async fn an_appointment_status_from_a_webhook_fires_the_automation_waiting_for_it() {
    let team = team().await;
    let showed = team
        .automation("appointment_status", "showed", vec![])
        .await;
    let no_show = team
        .automation("appointment_status", "noshow", vec![])
        .await;
    let (appointment, contact): (String, String) = sqlx::query_as(
        r"SELECT id, contact_id FROM cache_appointments
           WHERE location_id = $1 AND deleted_at IS NULL AND status <> 'showed' AND contact_id IS NOT NULL
           ORDER BY id LIMIT 1",
    )
    .bind(&team.location_id)
    .fetch_one(&team.app.db)
    .await
    .unwrap();
    let update = event(
        "AppointmentUpdate",
        &team.location_id,
        json!({"appointment": {"id": appointment, "contactId": contact, "title": "Trial class",
            "appointmentStatus": "showed", "startTime": "2027-01-04T16:00:00Z", "endTime": "2027-01-04T17:00:00Z"}}),
    );
    let (status, _) = post(&team.app.base, &update, Sign::Ed25519).await;
    assert!(status.is_success());

    let ran = team.finished(showed, 1).await;
    assert_eq!(ran[0].status, "succeeded", "{:?}", ran[0].error);
    let data = team.trigger_data(&ran[0]).await;
    assert_eq!(data["status"], "showed");
    assert_eq!(data["appointment"]["id"], appointment.as_str());
    team.webhooks_handled().await;
    assert!(team.runs_of(no_show).await.is_empty());
}

#[tokio::test]
async fn an_automation_is_not_started_again_by_its_own_change() {
    let team = team().await;
    let automation = team
        .automation(
            "contact_updated",
            "",
            vec![tag_step("touch", true, "touched")],
        )
        .await;
    let contact = team.a_contact().await;
    team.highlevel(
        reqwest::Method::PUT,
        &format!("/contacts/{contact}"),
        json!({"companyName": "Harbour Gym"}),
    )
    .await;

    let ran = team.finished(automation, 1).await;
    assert_eq!(ran[0].status, "succeeded", "{:?}", ran[0].error);
    assert_eq!(
        team.trigger_data(&ran[0]).await["changed"],
        json!(["company_name"])
    );
    // Its tag reached the cache (by its own answer, the webhook and a poll)
    // without starting it again.
    team.webhooks_handled().await;
    team.app.full_sync(&team.location_id).await;
    let tags: Vec<String> = team
        .cached(
            "SELECT tags FROM cache_contacts WHERE location_id = $1 AND id = $2",
            &contact,
        )
        .await;
    assert!(tags.iter().any(|tag| tag == "touched"), "{tags:?}");
    assert_eq!(team.runs_of(automation).await.len(), 1);
}

#[tokio::test]
async fn automations_that_start_each_other_stop_at_the_depth_limit() {
    let team = team().await;
    let ping = team
        .automation(
            "tag_added",
            "ping",
            vec![
                tag_step("unping", false, "ping"),
                tag_step("pong", true, "pong"),
            ],
        )
        .await;
    let pong = team
        .automation(
            "tag_added",
            "pong",
            vec![
                tag_step("unpong", false, "pong"),
                tag_step("ping", true, "ping"),
            ],
        )
        .await;
    // Each takes its own tag off before it adds the other's, so that the
    // other's addition is always a change.
    let contact = team.a_contact().await;
    team.highlevel(
        reqwest::Method::POST,
        &format!("/contacts/{contact}/tags"),
        json!({"tags": ["ping"]}),
    )
    .await;

    // ping (depth 0), pong (1), ping (2), pong (3), ping (4), then pong (5)
    // is not run.
    let pings = team.finished(ping, 3).await;
    let pongs = team.finished(pong, 3).await;
    assert!(pings.iter().all(|run| run.status == "succeeded"));
    assert_eq!(
        pongs
            .iter()
            .map(|run| run.status.as_str())
            .collect::<Vec<_>>(),
        ["succeeded", "succeeded", "skipped"]
    );
    let stopped = pongs[2].error.clone().unwrap_or_default();
    assert!(
        stopped.contains("5 automations in a row started each other"),
        "{stopped}"
    );
    team.webhooks_handled().await;
    team.app.full_sync(&team.location_id).await;
    assert_eq!(team.runs_of(ping).await.len(), 3);
    assert_eq!(team.runs_of(pong).await.len(), 3);
}

/// Sets the sandbox HighLevel's faults (`DELETE` clears them).
async fn faults(team: &Team, settings: Option<Value>) {
    let url = format!("{}/sandbox/_sandbox/faults", team.app.base);
    let request = match settings {
        Some(settings) => common::http().post(url).json(&settings),
        None => common::http().delete(url),
    };
    assert!(request.send().await.unwrap().status().is_success());
}

#[tokio::test]
async fn highlevel_answering_5xx_or_429_is_tried_again_later_and_then_succeeds() {
    let team = team().await;
    let definition = manual(vec![tag_step("retry", true, "retried")]);
    let automation = team
        .create_automation("Retry", &definition, State::On)
        .await;
    let contact = team.a_contact().await;

    for (fault, said) in [
        (json!({"errorRatio": 1.0, "errorStatus": 503}), "503"),
        (json!({"rateLimitedRequests": 5}), "429"),
    ] {
        faults(&team, Some(fault)).await;
        let run = team
            .queue(automation, json!({"contact": {"id": contact}}))
            .await;
        // The client's own quick retries fail too: the run waits for its
        // first later try, about a minute away.
        let waiting = team
            .wait_for("the run to wait for a retry", run, |listed| {
                listed.status == "queued" && listed.tries == 1
            })
            .await;
        let wait = waiting.next_attempt_at - chrono::Utc::now();
        assert!(
            wait > chrono::Duration::seconds(40) && wait <= chrono::Duration::seconds(61),
            "{said}: {wait}"
        );
        assert!(waiting.error.is_some(), "{said}: the reason is kept");

        faults(&team, None).await;
        team.due_now(run).await;
        let ended = team
            .wait_for("the retry to end", run, |listed| is_over(&listed.status))
            .await;
        assert_eq!(ended.status, "succeeded", "{said}: {:?}", ended.error);
    }
}
