//! What an automation is, as the builder saves it and pages show it: a
//! trigger, filters and ordered steps; and what its runs recorded.

use std::collections::BTreeMap;

use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// An automation's saved form: one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub trigger: Trigger,
    pub filter: Filter,
    pub steps: Vec<Step>,
}

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    /// An event of a connected app, of one type (the door's event type).
    AppEvent {
        connection_id: i64,
        event_type: String,
    },
    /// A change in HighLevel, worked out from the cache whichever way it
    /// came (a webhook, a poll of the sync): see [`super::highlevel_events`].
    HighLevel {
        /// A [`super::highlevel_events::HighLevelEvent`] key.
        event: String,
        /// The tag or appointment status it waits for; empty for any.
        #[serde(default)]
        value: String,
    },
    /// Only "Run now" starts it.
    Manual,
    /// Each tick of a schedule, in the team's time zone.
    Schedule { schedule: Schedule },
}

/// When a scheduled automation runs, read in the team's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "snake_case")]
pub enum Schedule {
    /// Every so many minutes, 1 to 15, like a poll: on the minutes of the
    /// team's clock that are a multiple of it (every 15 minutes is :00,
    /// :15, :30 and :45).
    #[serde(rename = "minutes")]
    EveryMinutes { minutes: u8 },
    /// Every day at a time.
    Daily { at: ClockTime },
    /// On some days of the week at a time; the days in week order, once each.
    Weekly { days: Vec<Weekday>, at: ClockTime },
    /// A five-field cron expression (minute, hour, day of month, month, day
    /// of week), checked when the form is read.
    Cron { expression: String },
}

impl Schedule {
    /// The fewest and most minutes of an every-so-many-minutes schedule.
    pub const MINUTES: std::ops::RangeInclusive<u8> = 1..=15;

    /// In plain words: `Every 5 minutes`, `Every day at 09:00`,
    /// `Every Monday and Thursday at 18:30`, `Cron 0 9 * * 1-5`.
    pub fn describe(&self) -> String {
        match self {
            Schedule::EveryMinutes { minutes: 1 } => "Every minute".into(),
            Schedule::EveryMinutes { minutes } => format!("Every {minutes} minutes"),
            Schedule::Daily { at } => format!("Every day at {at}"),
            Schedule::Weekly { days, at } => {
                let names: Vec<&str> = days.iter().map(|day| day_name(*day)).collect();
                let days = match names.as_slice() {
                    [] => String::new(),
                    [one] => (*one).to_owned(),
                    [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                };
                format!("Every {days} at {at}")
            }
            Schedule::Cron { expression } => format!("Cron {expression}"),
        }
    }
}

/// The days of the week, Monday first, by the keys the form writes them with.
pub const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// A time of day on the team's clock, `HH:MM`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime {
    hour: u8,
    minute: u8,
}

impl ClockTime {
    /// `09:00` or `9:00`; `None` for anything that is not a time of day.
    pub fn parse(text: &str) -> Option<Self> {
        let (hour, minute) = text.trim().split_once(':')?;
        let digits = |part: &str, most: u8| {
            (!part.is_empty() && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u8>().ok())
                .flatten()
                .filter(|value| *value <= most)
        };
        Some(Self {
            hour: digits(hour, 23)?,
            minute: digits(minute, 59).filter(|_| minute.len() == 2)?,
        })
    }

    pub fn hour(self) -> u32 {
        u32::from(self.hour)
    }

    pub fn minute(self) -> u32 {
        u32::from(self.minute)
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl TryFrom<String> for ClockTime {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text).ok_or_else(|| format!("not a time of day: {text}"))
    }
}

impl From<ClockTime> for String {
    fn from(time: ClockTime) -> Self {
        time.to_string()
    }
}

/// Which runs go on: the conditions, joined, and then the expression.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub join: Join,
    pub conditions: Vec<Condition>,
    /// A jinja expression that must come out true (`true`, `yes`, `1`, or
    /// anything but empty, `false`, `no`, `0`); empty for none.
    pub expression: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Join {
    /// Every condition holds.
    #[default]
    All,
    /// At least one holds.
    Any,
}

/// `field operator value`, such as `data.member.status equals Active`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// A path into the trigger's data, as an expression reads it.
    pub field: String,
    pub operator: Operator,
    /// Plain text; for "is one of", values separated by commas.
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    Equals,
    NotEquals,
    Contains,
    IsEmpty,
    IsNotEmpty,
    IsOneOf,
    /// Numbers compared as numbers, dates as dates, anything else as text.
    GreaterThan,
    LessThan,
    /// The field is a list of tags (or a comma-separated text) holding the value.
    HasTag,
}

impl Operator {
    pub const ALL: [Operator; 9] = [
        Operator::Equals,
        Operator::NotEquals,
        Operator::Contains,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::IsOneOf,
        Operator::GreaterThan,
        Operator::LessThan,
        Operator::HasTag,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::NotEquals => "not_equals",
            Operator::Contains => "contains",
            Operator::IsEmpty => "is_empty",
            Operator::IsNotEmpty => "is_not_empty",
            Operator::IsOneOf => "is_one_of",
            Operator::GreaterThan => "greater_than",
            Operator::LessThan => "less_than",
            Operator::HasTag => "has_tag",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Operator::Equals => "is",
            Operator::NotEquals => "is not",
            Operator::Contains => "contains",
            Operator::IsEmpty => "is empty",
            Operator::IsNotEmpty => "is not empty",
            Operator::IsOneOf => "is one of",
            Operator::GreaterThan => "is greater or later than",
            Operator::LessThan => "is less or earlier than",
            Operator::HasTag => "has the tag",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|operator| operator.key() == key)
    }

    /// Whether the operator reads a value.
    pub fn takes_value(self) -> bool {
        !matches!(self, Operator::IsEmpty | Operator::IsNotEmpty)
    }
}

/// One step: later steps read its output as `steps.<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Letters, digits and underscores, unique in the automation.
    pub name: String,
    pub action: Action,
}

/// What a step does. Text fields are jinja expressions over the trigger's
/// data and earlier steps' outputs, or plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Upserts the HighLevel contact (and creates the task or note) with the
    /// connection's saved mapping of the event type.
    ApplyMapping {
        connection_id: i64,
        event_type: String,
    },
    /// Finds a contact by e-mail or phone in HighLevel, or by the contact
    /// list's search in the cache.
    FindContact {
        by: FindBy,
        value: String,
    },
    /// Changes the fields given (the empty ones are left as they are).
    UpdateContact {
        contact_id: String,
        fields: ContactFields,
    },
    /// Creates the contact, or updates the one with the same e-mail or phone.
    UpsertContact {
        fields: ContactFields,
    },
    DeleteContact {
        contact_id: String,
    },
    /// Asks the sync to read the contact's tasks and notes from HighLevel
    /// again on its next run, so the cache has what another app just made.
    RefreshContact {
        contact_id: String,
    },
    /// Adds tags (comma-separated) to a contact.
    AddTags {
        contact_id: String,
        tags: String,
    },
    RemoveTags {
        contact_id: String,
        tags: String,
    },
    /// Creates a task; `due` is a date or time, read in the team's zone.
    CreateTask {
        contact_id: String,
        title: String,
        body: String,
        due: String,
    },
    /// Changes a task's title, description or due date (those given).
    UpdateTask {
        contact_id: String,
        task_id: String,
        title: String,
        body: String,
        due: String,
    },
    CompleteTask {
        contact_id: String,
        task_id: String,
    },
    DeleteTask {
        contact_id: String,
        task_id: String,
    },
    CreateNote {
        contact_id: String,
        body: String,
    },
    UpdateNote {
        contact_id: String,
        note_id: String,
        body: String,
    },
    DeleteNote {
        contact_id: String,
        note_id: String,
    },
    AddToCampaign {
        contact_id: String,
        campaign_id: String,
    },
    RemoveFromCampaign {
        contact_id: String,
        campaign_id: String,
    },
    AddToWorkflow {
        contact_id: String,
        workflow_id: String,
    },
    RemoveFromWorkflow {
        contact_id: String,
        workflow_id: String,
    },
    /// Adds HighLevel users (ids, comma-separated) as the contact's followers.
    AddFollowers {
        contact_id: String,
        followers: String,
    },
    RemoveFollowers {
        contact_id: String,
        followers: String,
    },
    /// Any operation of the HighLevel catalogue, by its operationId: its
    /// path and query parameters by name, and a JSON body whose string
    /// values may be expressions.
    HighLevelCall {
        operation: String,
        params: BTreeMap<String, String>,
        body: String,
    },
    /// Raises an in-app alert for the team, or one member of it.
    Alert {
        /// A member's user id; `None` for the whole team.
        user_id: Option<i64>,
        title: String,
        message: String,
    },
    /// A summary of a period read from the cache, kept as an alert for the
    /// team or sent to a connected app.
    Summary {
        /// A `reports::summary::Period` key.
        period: String,
        deliver: SummaryTo,
    },
    /// Sends a connected app a signed delivery: the trigger's data, or a
    /// HighLevel contact shaped by the connection's send mapping.
    SendToApp {
        connection_id: i64,
        /// Appended to the connection's base URL.
        path: String,
        /// The contact to send, shaped by the send mapping; empty to send
        /// the trigger's data as it came.
        contact_id: String,
        /// With the contact, its tasks and notes as HighLevel gives them.
        #[serde(default)]
        with_records: bool,
    },
    /// Holds the run for a while, or until a moment, then goes on with the
    /// next step.
    Wait {
        delay: Delay,
    },
    /// Goes on at `then_to` when the test holds, else at `otherwise_to`:
    /// each a later step's name, empty for the next step, or [`END`] to end
    /// the run. Only forward, so every run ends.
    Branch {
        test: Test,
        then_to: String,
        otherwise_to: String,
    },
}

/// Where a branch goes to end the run.
pub const END: &str = "end";

/// How long a wait step holds the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum Delay {
    /// `amount` (a number, or an expression giving one) of `unit`s from the
    /// moment the run reaches the step.
    Duration { amount: String, unit: TimeUnit },
    /// A date, or a date and time, read in the team's zone (or an
    /// expression giving one), as a task's due date is.
    Until { moment: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 3] = [TimeUnit::Days, TimeUnit::Hours, TimeUnit::Minutes];

    pub fn key(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|unit| unit.key() == key)
    }

    pub fn seconds(self) -> f64 {
        match self {
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3_600.0,
            TimeUnit::Days => 86_400.0,
        }
    }
}

/// What a branch checks: a row like the filter's, or an expression that
/// must come out true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Test {
    /// Its value may be an expression too.
    Condition(Condition),
    Expression {
        expression: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindBy {
    Email,
    Phone,
    /// Words, matched against the cache as the contact list's search does.
    Search,
}

/// The contact fields a contact step sets; each may be an expression, and
/// an empty one is not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFields {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    /// HighLevel takes it when it creates or upserts a contact, not in an update.
    pub company_name: String,
    pub source: String,
}

impl ContactFields {
    /// Each field's key in the form, its name in HighLevel, and its label.
    pub const ALL: [(&'static str, &'static str, &'static str); 6] = [
        ("first_name", "firstName", "First name"),
        ("last_name", "lastName", "Last name"),
        ("email", "email", "E-mail"),
        ("phone", "phone", "Phone"),
        ("company_name", "companyName", "Company"),
        ("source", "source", "Source"),
    ];

    pub fn get(&self, key: &str) -> &str {
        match key {
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "email" => &self.email,
            "phone" => &self.phone,
            "company_name" => &self.company_name,
            "source" => &self.source,
            _ => "",
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            "company_name" => &mut self.company_name,
            "source" => &mut self.source,
            _ => return None,
        })
    }

    /// The fields with `key` set to `value` (an unknown key changes nothing).
    pub fn with(mut self, key: &str, value: String) -> Self {
        if let Some(slot) = self.slot(key) {
            *slot = value;
        }
        self
    }
}

/// Where a summary step puts its summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum SummaryTo {
    /// An alert for the whole team.
    Alert,
    /// A signed delivery of the summary's JSON, as "Send to an app" sends.
    App { connection_id: i64, path: String },
}

impl Action {
    /// The kind's key, as the builder's step picker names it.
    pub fn key(&self) -> &'static str {
        match self {
            Action::ApplyMapping { .. } => "apply_mapping",
            Action::FindContact { .. } => "find_contact",
            Action::AddTags { .. } => "add_tags",
            Action::RemoveTags { .. } => "remove_tags",
            Action::CreateTask { .. } => "create_task",
            Action::CreateNote { .. } => "create_note",
            Action::SendToApp { .. } => "send_to_app",
            Action::Wait { .. } => "wait",
            Action::Branch { .. } => "branch",
            Action::UpdateContact { .. } => "update_contact",
            Action::UpsertContact { .. } => "upsert_contact",
            Action::DeleteContact { .. } => "delete_contact",
            Action::RefreshContact { .. } => "refresh_contact",
            Action::UpdateTask { .. } => "update_task",
            Action::CompleteTask { .. } => "complete_task",
            Action::DeleteTask { .. } => "delete_task",
            Action::UpdateNote { .. } => "update_note",
            Action::DeleteNote { .. } => "delete_note",
            Action::AddToCampaign { .. } => "add_to_campaign",
            Action::RemoveFromCampaign { .. } => "remove_from_campaign",
            Action::AddToWorkflow { .. } => "add_to_workflow",
            Action::RemoveFromWorkflow { .. } => "remove_from_workflow",
            Action::AddFollowers { .. } => "add_followers",
            Action::RemoveFollowers { .. } => "remove_followers",
            Action::HighLevelCall { .. } => "highlevel_call",
            Action::Alert { .. } => "alert",
            Action::Summary { .. } => "summary",
        }
    }

    /// In plain words.
    pub fn label(&self) -> &'static str {
        match self {
            Action::ApplyMapping { .. } => "Update HighLevel with the app's mapping",
            Action::FindContact { .. } => "Find a contact",
            Action::AddTags { .. } => "Add tags",
            Action::RemoveTags { .. } => "Remove tags",
            Action::CreateTask { .. } => "Create a task",
            Action::CreateNote { .. } => "Add a note",
            Action::SendToApp { .. } => "Send to an app",
            Action::Wait { .. } => "Wait",
            Action::Branch { .. } => "If / otherwise",
            Action::UpdateContact { .. } => "Update a contact",
            Action::UpsertContact { .. } => "Create or update a contact",
            Action::DeleteContact { .. } => "Delete a contact",
            Action::RefreshContact { .. } => "Read a contact's tasks and notes again",
            Action::UpdateTask { .. } => "Change a task",
            Action::CompleteTask { .. } => "Complete a task",
            Action::DeleteTask { .. } => "Delete a task",
            Action::UpdateNote { .. } => "Change a note",
            Action::DeleteNote { .. } => "Delete a note",
            Action::AddToCampaign { .. } => "Add to a campaign",
            Action::RemoveFromCampaign { .. } => "Remove from a campaign",
            Action::AddToWorkflow { .. } => "Add to a workflow",
            Action::RemoveFromWorkflow { .. } => "Remove from a workflow",
            Action::AddFollowers { .. } => "Add followers",
            Action::RemoveFollowers { .. } => "Remove followers",
            Action::HighLevelCall { .. } => "More: any HighLevel operation",
            Action::Alert { .. } => "Alert the team",
            Action::Summary { .. } => "Summary",
        }
    }

    /// The HighLevel operations (by operationId) the step may send or read,
    /// so a save can say which scope a connection lacks.
    pub fn operations(&self) -> Vec<&str> {
        match self {
            Action::ApplyMapping { .. } => {
                vec![
                    "upsert-contact",
                    "update-contact",
                    "create-task",
                    "create-note",
                ]
            }
            Action::FindContact { by, .. } => match by {
                FindBy::Email | FindBy::Phone => vec!["get-duplicate-contact"],
                FindBy::Search => Vec::new(),
            },
            Action::AddTags { .. } => vec!["add-tags"],
            Action::RemoveTags { .. } => vec!["remove-tags"],
            Action::CreateTask { .. } => vec!["create-task"],
            Action::CreateNote { .. } => vec!["create-note"],
            Action::UpdateContact { .. } => vec!["update-contact"],
            Action::UpsertContact { .. } => vec!["upsert-contact"],
            Action::DeleteContact { .. } => vec!["delete-contact"],
            Action::UpdateTask { .. } => vec!["update-task"],
            Action::CompleteTask { .. } => vec!["update-task-completed"],
            Action::DeleteTask { .. } => vec!["delete-task"],
            Action::UpdateNote { .. } => vec!["update-note"],
            Action::DeleteNote { .. } => vec!["delete-note"],
            Action::AddToCampaign { .. } => vec!["add-contact-to-campaign"],
            Action::RemoveFromCampaign { .. } => vec!["remove-contact-from-campaign"],
            Action::AddToWorkflow { .. } => vec!["add-contact-to-workflow"],
            Action::RemoveFromWorkflow { .. } => vec!["delete-contact-from-workflow"],
            Action::AddFollowers { .. } => vec!["add-followers-contact"],
            Action::RemoveFollowers { .. } => vec!["remove-followers-contact"],
            Action::HighLevelCall { operation, .. } => vec![operation.as_str()],
            Action::SendToApp { .. }
            | Action::RefreshContact { .. }
            | Action::Wait { .. }
            | Action::Branch { .. }
            | Action::Alert { .. }
            | Action::Summary { .. } => Vec::new(),
        }
    }
}

/// Whether an automation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    On,
    /// Arriving events are queued and wait until it is on again.
    Paused,
    /// Nothing is queued.
    Off,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::On => "on",
            State::Paused => "paused",
            State::Off => "off",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [State::On, State::Paused, State::Off]
            .into_iter()
            .find(|state| state.key() == key)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    /// Stopped by the filters: not a failure.
    Filtered,
    /// A step failed in a way trying again cannot mend.
    Failed,
    /// Every retry failed: someone should look.
    NeedsAttention,
    /// Dropped on purpose, with a record.
    Skipped,
}

impl RunStatus {
    pub const ALL: [RunStatus; 7] = [
        RunStatus::Queued,
        RunStatus::Running,
        RunStatus::Succeeded,
        RunStatus::Filtered,
        RunStatus::Failed,
        RunStatus::NeedsAttention,
        RunStatus::Skipped,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Filtered => "filtered",
            RunStatus::Failed => "failed",
            RunStatus::NeedsAttention => "needs_attention",
            RunStatus::Skipped => "skipped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Queued => "Queued",
            RunStatus::Running => "Running",
            RunStatus::Succeeded => "Succeeded",
            RunStatus::Filtered => "Filtered",
            RunStatus::Failed => "Failed",
            RunStatus::NeedsAttention => "Needs attention",
            RunStatus::Skipped => "Skipped",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.key() == key)
    }

    /// Whether the run is over.
    pub fn is_final(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// Where a step of a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Recorded before the request left; still so if the process stopped.
    Sending,
    Done,
    Failed,
    /// A wait step whose moment has not come: the run is queued until then.
    Waiting,
}

impl StepStatus {
    pub fn key(self) -> &'static str {
        match self {
            StepStatus::Sending => "sending",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Waiting => "waiting",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [
            StepStatus::Sending,
            StepStatus::Done,
            StepStatus::Failed,
            StepStatus::Waiting,
        ]
        .into_iter()
        .find(|status| status.key() == key)
    }
}
