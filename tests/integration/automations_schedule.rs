//! Schedule triggers against the real server and Postgres: two server
//! processes' schedulers, each with its own pool, look at the same moments
//! side by side, and each tick queues exactly one run; a schedule that is
//! off queues none, a paused one's runs wait in the queue, and after a
//! downtime only the latest missed tick runs. Time is the `now` each look
//! is given, so the test drives minutes without waiting for them.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Value};
use switchboard::automations::model::{
    Action, Definition, Filter, FindBy, Schedule, State, Trigger,
};
use switchboard::automations::scheduler::{self, fire_due, Fired};
use switchboard::automations::{runs, store};
use switchboard::zone::TeamZone;

use crate::automations_support::{self as support, is_over, step};
use crate::common::{self, TestApp};
use crate::webhooks_support::eventually;

const ZONE: &str = "Australia/Sydney";

/// The shared team, with nothing added: it is on Sydney's clock.
type Team = support::Team;

async fn team() -> Team {
    let team = support::Team::start(&[]).await;
    sqlx::query("UPDATE teams SET time_zone = $2 WHERE location_id = $1")
        .bind(&team.location_id)
        .bind(ZONE)
        .execute(&team.app.db)
        .await
        .unwrap();
    team
}

impl Team {
    async fn every_minute(&self, name: &str, state: State) -> i64 {
        let definition = Definition {
            trigger: Trigger::Schedule {
                schedule: Schedule::EveryMinutes { minutes: 1 },
            },
            filter: Filter::default(),
            steps: vec![step(
                "found",
                Action::FindContact {
                    by: FindBy::Email,
                    value: "nobody@example.com".into(),
                },
            )],
        };
        self.create_automation(name, &definition, state).await
    }

    /// The ticks the automation's runs started with, oldest first.
    async fn ticks_of(&self, automation_id: i64) -> Vec<String> {
        let mut ticks = Vec::new();
        for run in self.runs_of(automation_id).await {
            assert_eq!(run.trigger_kind, "schedule");
            let data = runs::trigger_data(&self.app.db, run.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(data["automation"]["id"], automation_id);
            ticks.push(data["tick"].as_str().unwrap().to_owned());
        }
        ticks
    }

    /// Calls a server function that reads its arguments as a form.
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = self.owner.call(endpoint, form).await;
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }

    /// Calls a server function that reads its arguments as JSON.
    async fn call_json(&self, endpoint: &str, body: Value) -> Value {
        let response = self
            .owner
            .http
            .post(format!("{}/api/{endpoint}", self.app.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }
}

/// Another server process's scheduler: its own pool on the same database.
async fn process(app: &TestApp) -> sqlx::PgPool {
    switchboard::db::connect(&common::url_of(&app.db), 3)
        .await
        .unwrap()
}

/// Both processes look at `now` at the same time; what each fired.
async fn both_look(
    one: &sqlx::PgPool,
    other: &sqlx::PgPool,
    now: DateTime<Utc>,
) -> (Vec<Fired>, Vec<Fired>) {
    let looks = [
        (one.clone(), "schedule:one"),
        (other.clone(), "schedule:two"),
    ]
    .map(|(db, name)| tokio::spawn(async move { fire_due(&db, name, now).await.unwrap() }));
    let [first, second] = looks;
    (first.await.unwrap(), second.await.unwrap())
}

fn sydney(at: DateTime<Utc>) -> String {
    TeamZone::named(ZONE).rfc3339(at)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_fire_each_tick_of_a_schedule_once() {
    let team = team().await;
    let on = team.every_minute("Every minute", State::On).await;
    let paused = team
        .every_minute("Every minute, paused", State::Paused)
        .await;
    let off = team.every_minute("Every minute, off", State::Off).await;
    let one = process(&team.app).await;
    let two = process(&team.app).await;

    // The first tick is the first one after it was turned on: the minute
    // that had begun when it was does not fire.
    let turned_on: DateTime<Utc> =
        sqlx::query_scalar("SELECT max(ticks_from) FROM automations WHERE id = ANY($1)")
            .bind([on, paused])
            .fetch_one(&team.app.db)
            .await
            .unwrap();
    let (first, second) = both_look(&one, &two, turned_on).await;
    assert!(
        first.is_empty() && second.is_empty(),
        "{first:?} {second:?}"
    );

    // Four minutes, each looked at by both processes at once, twice (a
    // second look in the same minute, seconds later, finds nothing new).
    let start = turned_on.duration_trunc(Duration::minutes(1)).unwrap() + Duration::minutes(1);
    let minutes: Vec<DateTime<Utc>> = (0..4).map(|n| start + Duration::minutes(n)).collect();
    for minute in &minutes {
        for seconds in [0, 1, 30] {
            let (first, second) = both_look(&one, &two, *minute + Duration::seconds(seconds)).await;
            let fired: Vec<&Fired> = first.iter().chain(&second).collect();
            if seconds == 0 {
                let mut automations: Vec<i64> =
                    fired.iter().map(|tick| tick.automation_id).collect();
                automations.sort_unstable();
                assert_eq!(automations, [on, paused], "one run per tick at {minute}");
                assert!(fired.iter().all(|tick| tick.tick_at == *minute));
            } else {
                assert!(
                    fired.is_empty(),
                    "fired again at {minute} + {seconds} s: {fired:?}"
                );
            }
        }
    }
    // A process that lags behind and looks at a minute already past fires
    // nothing.
    let (first, second) = both_look(&one, &two, minutes[1] + Duration::seconds(5)).await;
    assert!(first.is_empty() && second.is_empty());

    // After a downtime of six minutes, only the latest missed tick fires.
    let back = minutes[3] + Duration::minutes(7) + Duration::seconds(12);
    let (first, second) = both_look(&one, &two, back).await;
    assert_eq!(first.len() + second.len(), 2, "{first:?} {second:?}");
    let latest = minutes[3] + Duration::minutes(7);

    let mut expected: Vec<String> = minutes.iter().map(|minute| sydney(*minute)).collect();
    expected.push(sydney(latest));
    assert_eq!(team.ticks_of(on).await, expected);
    assert_eq!(team.ticks_of(paused).await, expected);
    assert!(
        expected[0].ends_with("+11:00"),
        "on Sydney's clock: {expected:?}"
    );
    assert!(
        team.runs_of(off).await.is_empty(),
        "an automation that is off queues nothing"
    );

    // Each tick is one row, fired by one of the two, naming its run.
    let ticks: Vec<(i64, DateTime<Utc>, Option<i64>, String)> = sqlx::query_as(
        "SELECT automation_id, tick_at, run_id, fired_by FROM automation_ticks ORDER BY automation_id, tick_at",
    )
    .fetch_all(&team.app.db)
    .await
    .unwrap();
    assert_eq!(ticks.len(), 10);
    for (automation, _, run, fired_by) in &ticks {
        assert!([on, paused].contains(automation));
        assert!(run.is_some());
        assert!(["schedule:one", "schedule:two"].contains(&fired_by.as_str()));
    }

    // Ticks that a newer one has long followed are pruned; the newest of
    // each automation stays, however old, since it says what fires next.
    sqlx::query(
        r"INSERT INTO automation_ticks (automation_id, tick_at, fired_by)
          VALUES ($1, now() - interval '3 days', 'old'), ($1, now() - interval '2 days', 'old'),
                 ($2, now() - interval '3 days', 'old')",
    )
    .bind(on)
    .bind(off)
    .execute(&team.app.db)
    .await
    .unwrap();
    assert_eq!(scheduler::prune(&team.app.db).await.unwrap(), 2);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM automation_ticks")
        .fetch_one(&team.app.db)
        .await
        .unwrap();
    assert_eq!(left, 11);

    // The worker runs the ticks of the automation that is on; the paused
    // one's runs wait in the queue until it is on again.
    let finished = eventually("the runs of the schedule that is on to end", || async {
        let listed = team.runs_of(on).await;
        listed
            .iter()
            .all(|run| is_over(&run.status))
            .then_some(listed)
    })
    .await;
    assert!(
        finished.iter().all(|run| run.status == "succeeded"),
        "{:?}",
        finished
            .iter()
            .map(|run| (&run.status, &run.error))
            .collect::<Vec<_>>()
    );
    let waiting = team.runs_of(paused).await;
    assert_eq!(waiting.len(), 5);
    assert!(waiting.iter().all(|run| run.status == "queued"));

    team.set_state(paused, State::On).await;
    eventually(
        "the paused schedule's runs to run once it is on",
        || async {
            let listed = team.runs_of(paused).await;
            listed
                .iter()
                .all(|run| run.status == "succeeded")
                .then_some(())
        },
    )
    .await;
    assert_eq!(team.runs_of(paused).await.len(), 5);
}

#[tokio::test]
async fn a_schedule_is_built_in_the_form_with_its_next_runs_on_the_team_clock() {
    let team = team().await;
    let created = team
        .call(
            "automations/create",
            &[("name", "Morning check"), ("trigger", "schedule")],
        )
        .await;
    let id = created.as_i64().unwrap();

    let editor = team
        .call("automations/editor", &[("id", &id.to_string())])
        .await;
    let form = &editor["form"];
    assert_eq!(form["trigger"], "schedule");
    assert_eq!(form["trigger_fields"]["every"], "daily");
    assert_eq!(form["trigger_fields"]["at"], "09:00");
    assert_eq!(editor["zone"], ZONE);
    let next: Vec<&str> = editor["next_ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tick| tick.as_str().unwrap())
        .collect();
    assert_eq!(next.len(), 3);
    assert!(
        next.iter().all(|tick| tick.contains(" 09:00 AE")),
        "9:00 on Sydney's clock: {next:?}"
    );
    let kinds: Vec<&str> = editor["trigger_kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| kind["key"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[kinds.len() - 2..], ["schedule", "manual"]);
    assert!(kinds.contains(&"highlevel:tag_added"), "{kinds:?}");

    // A cron expression that does not read is refused next to its field.
    let mut form = form.clone();
    form["trigger_fields"]["every"] = json!("cron");
    form["trigger_fields"]["cron"] = json!("0 9 * *");
    form["steps"] = json!([{ "name": "found", "kind": "find_contact",
        "fields": { "by": "email", "value": "{{ automation.name }}@example.com" } }]);
    let saved = team
        .call_json("automations/save", json!({ "id": id, "form": form }))
        .await;
    assert_eq!(saved["version"], Value::Null);
    assert_eq!(saved["problems"][0]["at"], "trigger.cron");

    // Every Monday at 7:30: saved, with its next three Mondays.
    form["trigger_fields"]["every"] = json!("weekly");
    form["trigger_fields"]["days"] = json!("mon");
    form["trigger_fields"]["at"] = json!("07:30");
    let saved = team
        .call_json("automations/save", json!({ "id": id, "form": form }))
        .await;
    assert_eq!(saved["problems"], json!([]), "{saved}");
    assert_eq!(saved["version"], 2);
    let next = saved["next_ticks"].as_array().unwrap();
    assert_eq!(next.len(), 3);
    assert!(
        next.iter()
            .all(|tick| tick.as_str().unwrap().starts_with("Mon ")
                && tick.as_str().unwrap().contains(" 07:30 ")),
        "{next:?}"
    );
    let automation = store::of_team_by_id(&team.app.db, &team.location_id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        automation.definition.trigger,
        Trigger::Schedule {
            schedule: Schedule::Weekly {
                days: vec![chrono::Weekday::Mon],
                at: switchboard::automations::model::ClockTime::parse("07:30").unwrap(),
            }
        }
    );
    let overview = team.call("automations/overview", &[]).await;
    assert_eq!(
        overview["automations"][0]["trigger"],
        "Every Monday at 07:30"
    );

    // A test run starts with the next tick and the automation.
    let tested = team
        .call_json("automations/test", json!({ "id": id, "form": form }))
        .await;
    let data: Value =
        serde_json::from_str(tested["run"]["trigger_data"].as_str().unwrap()).unwrap();
    assert_eq!(data["automation"]["name"], "Morning check");
    assert!(
        data["tick"].as_str().unwrap().contains("T07:30:00+1"),
        "{data}"
    );
}
