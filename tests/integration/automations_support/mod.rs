//! Shared by the automation tests: a signed-in team on a running server, the
//! automations and runs it makes, the waits for those runs to end, and what
//! the sandbox HighLevel and the simulated apps got from them.

use std::future::Future;
use std::ops::Deref;

use serde_json::{json, Value};
use sqlx::PgPool;
use switchboard::apps::outbound::base_url::BaseUrl;
use switchboard::apps::outbound::settings::{self, Change};
use switchboard::apps::outbound::AuthMode;
use switchboard::automations::model::{Action, Definition, Filter, State, Step, Trigger};
use switchboard::automations::{journal, runs, store};

use crate::apps_sample::connect;
use crate::common::browser::{demo_locations, Browser};
use crate::common::{self, sandbox_ledger, TestApp};
use crate::webhooks_support::eventually;
use crate::workspace_support::signed_in;

/// The server setting that lets it deliver to the simulated apps, which
/// listen on this machine.
pub const ALLOW_PRIVATE: [&str; 2] = ["--outbound-allow-private", "true"];

/// The first demo team on a server of its own, its owner signed in with
/// write access. `T` is what one file's tests add to it (a connection, a
/// token), a type of that file: the file's own helpers are then methods of
/// its `Team<T>`, and cannot clash with another file's of the same name.
pub struct Team<T = ()> {
    pub app: TestApp,
    pub location_id: String,
    pub owner: Browser,
    /// The owner's HighLevel user id, for what is done in their name.
    pub highlevel_user: String,
    /// The owner's id in Switchboard, who creates the automations.
    pub user_id: i64,
    /// What the file's tests added.
    pub added: T,
}

/// What a file added reads as the team's own fields: `team.token`.
impl<T> Deref for Team<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.added
    }
}

impl Team {
    /// Starts a server with the command-line `settings` and signs the owner in.
    pub async fn start(settings: &[&str]) -> Team {
        let app = common::spawn_app_with(common::test_db().await, settings).await;
        let (location_id, mut users) = demo_locations(&app.base).await.swap_remove(0);
        let highlevel_user = users.swap_remove(0);
        let owner = signed_in(&app, &location_id, &highlevel_user, true).await;
        let user_id = user_id(&app.db, &highlevel_user).await;
        Team {
            app,
            location_id,
            owner,
            highlevel_user,
            user_id,
            added: (),
        }
    }

    /// The team with what a file's tests add to it.
    pub fn with<T>(self, added: T) -> Team<T> {
        Team {
            app: self.app,
            location_id: self.location_id,
            owner: self.owner,
            highlevel_user: self.highlevel_user,
            user_id: self.user_id,
            added,
        }
    }
}

impl<T> Team<T> {
    /// A token of the sandbox HighLevel that may write contacts, to change
    /// its data as another app would.
    pub async fn sandbox_token(&self) -> String {
        common::sandbox_token(&self.app.base, &self.location_id, &["contacts.write"]).await
    }

    /// A request to the sandbox HighLevel with `token`, as another app than
    /// Switchboard; its answer, which must be a success.
    pub async fn sandbox_request(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Value {
        let response = common::http()
            .request(method, format!("{}/sandbox{path}", self.app.base))
            .bearer_auth(token)
            .header("Version", "2021-07-28")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
        response.json().await.unwrap()
    }

    /// An open task of `contact` made in the sandbox HighLevel with `token`,
    /// due at `due` (RFC 3339); its id.
    pub async fn sandbox_task(&self, token: &str, contact: &str, title: &str, due: &str) -> String {
        let made = self
            .sandbox_request(
                token,
                reqwest::Method::POST,
                &format!("/contacts/{contact}/tasks"),
                json!({"title": title, "dueDate": due, "completed": false}),
            )
            .await;
        made["task"]["id"].as_str().unwrap().to_owned()
    }

    /// Completes the task in the sandbox HighLevel with `token`.
    pub async fn sandbox_complete_task(&self, token: &str, contact: &str, task: &str) {
        self.sandbox_request(
            token,
            reqwest::Method::PUT,
            &format!("/contacts/{contact}/tasks/{task}/completed"),
            json!({"completed": true}),
        )
        .await;
    }

    /// Connects the simulated `app` (a template's kind) in the owner's
    /// name; the connection's id.
    pub async fn connect_app(&self, app: &str) -> i64 {
        let (id, _) = connect(&self.app, &self.location_id, &self.highlevel_user, app).await;
        id
    }

    /// Creates the automation, in `state`; its id.
    pub async fn create_automation(
        &self,
        name: &str,
        definition: &Definition,
        state: State,
    ) -> i64 {
        let id = store::create(
            &self.app.db,
            &self.location_id,
            name,
            definition,
            self.user_id,
        )
        .await
        .unwrap();
        self.set_state(id, state).await;
        id
    }

    /// Turns the automation on or off, or pauses it.
    pub async fn set_state(&self, automation: i64, state: State) {
        assert!(
            store::set_state(&self.app.db, &self.location_id, automation, state)
                .await
                .unwrap()
        );
    }

    /// A run started by hand on `data`, about no one in particular.
    pub fn new_run(&self, automation: i64, data: Value) -> runs::NewRun {
        runs::NewRun {
            automation_id: automation,
            location_id: self.location_id.clone(),
            version: 1,
            trigger_kind: "manual",
            trigger_body: data,
            subject: None,
            dry_run: false,
        }
    }

    /// Puts the run in the queue; its id.
    pub async fn enqueue(&self, run: &runs::NewRun) -> i64 {
        runs::enqueue(&self.app.db, run).await.unwrap()
    }

    /// Queues a run of the automation on `data`; its id.
    pub async fn queue(&self, automation: i64, data: Value) -> i64 {
        self.enqueue(&self.new_run(automation, data)).await
    }

    /// A run as a process left it when it was killed after sending its
    /// first step, named `step`: that step is recorded as sending. The
    /// automation is paused meanwhile, so that no worker takes the run
    /// before the record is in place; `before` runs once the run's id is
    /// known, while it still is.
    pub async fn interrupted_run<F, Fut>(
        &self,
        automation: i64,
        data: Value,
        step: &str,
        before: F,
    ) -> i64
    where
        F: FnOnce(i64) -> Fut,
        Fut: Future<Output = ()>,
    {
        self.set_state(automation, State::Paused).await;
        let id = self.queue(automation, data).await;
        journal::sending(&self.app.db, id, 0, step, &json!({"lost": true}))
            .await
            .unwrap();
        before(id).await;
        self.set_state(automation, State::On).await;
        id
    }

    /// Makes the run's next try due now and wakes the workers, so that a
    /// test need not wait out a retry's delay.
    pub async fn due_now(&self, run: i64) {
        sqlx::query("UPDATE automation_runs SET next_attempt_at = now() WHERE id = $1")
            .bind(run)
            .execute(&self.app.db)
            .await
            .unwrap();
        runs::announce(&self.app.db).await.unwrap();
    }

    /// The run as the history lists it.
    pub async fn listed(&self, run: i64) -> runs::Listed {
        runs::of_team_by_id(&self.app.db, &self.location_id, run)
            .await
            .unwrap()
            .unwrap()
    }

    /// Waits until the run is as `check` wants it (`what` names that in a
    /// timeout); the run then.
    pub async fn wait_for(
        &self,
        what: &str,
        run: i64,
        check: impl Fn(&runs::Listed) -> bool,
    ) -> runs::Listed {
        eventually(what, || async {
            let listed = self.listed(run).await;
            check(&listed).then_some(listed)
        })
        .await
    }

    /// Waits until the run is over, however it ended.
    pub async fn ended(&self, run: i64) -> runs::Listed {
        self.wait_for("the run to end", run, |listed| is_over(&listed.status))
            .await
    }

    /// The automation's runs, oldest first.
    pub async fn runs_of(&self, automation: i64) -> Vec<runs::Listed> {
        let filter = runs::RunFilter {
            automation_id: Some(automation),
            limit: 100,
            ..Default::default()
        };
        let mut listed = runs::list(&self.app.db, &self.location_id, &filter)
            .await
            .unwrap();
        listed.reverse();
        listed
    }

    /// Waits until `count` runs of the automation are over; oldest first.
    pub async fn finished(&self, automation: i64, count: usize) -> Vec<runs::Listed> {
        eventually("the runs to end", || async {
            let listed = self.runs_of(automation).await;
            (listed.len() == count && listed.iter().all(|run| is_over(&run.status)))
                .then_some(listed)
        })
        .await
    }

    /// One value the cache holds: `sql` reads it with the team as `$1`
    /// and `id` (of the row, or of its contact) as `$2`.
    pub async fn cached<C>(&self, sql: &str, id: &str) -> C
    where
        C: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
    {
        sqlx::query_scalar(sql)
            .bind(&self.location_id)
            .bind(id)
            .fetch_one(&self.app.db)
            .await
            .unwrap()
    }

    /// The writes the sandbox answered since `from`, by method and path.
    pub async fn writes_since(&self, from: usize) -> Vec<String> {
        sandbox_ledger(&self.app.base).await[from..]
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

    /// Points the connection's deliveries at the simulated app's inbox.
    pub async fn deliver_to_inbox(&self, connection_id: i64, app: &str) {
        let connection = switchboard::apps::connections::store::of_team_by_id(
            &self.app.db,
            &self.location_id,
            connection_id,
        )
        .await
        .unwrap()
        .unwrap();
        let change = Change {
            base_url: BaseUrl::parse(&self.inbox_url(app)).unwrap(),
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

    /// What the simulated app's inbox got, oldest first.
    pub async fn inbox(&self, app: &str) -> Vec<Value> {
        let listed = common::json_of(common::http().get(self.inbox_url(app))).await;
        listed["deliveries"].as_array().unwrap().clone()
    }

    /// Where the simulated app takes deliveries.
    fn inbox_url(&self, app: &str) -> String {
        format!("{}/sandbox/_sandbox/apps/{app}/inbox", self.app.base)
    }
}

/// A step; later steps read its output by `name`.
pub fn step(name: &str, action: Action) -> Step {
    Step {
        name: name.into(),
        action,
    }
}

/// An automation started by hand (or by a test), with no filter.
pub fn manual(steps: Vec<Step>) -> Definition {
    Definition {
        trigger: Trigger::Manual,
        filter: Filter::default(),
        steps,
    }
}

/// Whether a run of this status has ended: it is neither waiting nor
/// being worked on.
pub fn is_over(status: &str) -> bool {
    !matches!(status, "queued" | "running")
}

/// The Switchboard id of the person HighLevel knows as `highlevel_user`,
/// made when they first signed in.
pub async fn user_id(db: &PgPool, highlevel_user: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE highlevel_user_id = $1")
        .bind(highlevel_user)
        .fetch_one(db)
        .await
        .expect("the sign-in made the user")
}
