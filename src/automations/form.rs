//! The builder's form of an automation, and how it becomes a [`Definition`]
//! and back. A trigger and a step are each a kind and a few named text
//! fields, so the page renders every kind from [`trigger_kinds`] and
//! [`step_kinds`] alone; a problem names the field it is about (`name`,
//! `trigger`, `trigger.at`, `condition.2`, `step.1.title`, …) so the page
//! shows it next to that field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::highlevel_events::{self, Narrowing};
use super::model::{
    Action, ClockTime, Condition, ContactFields, Definition, Delay, Filter, FindBy, Join, Operator,
    Schedule, Step, SummaryTo, Test, TimeUnit, Trigger, END, WEEK,
};

/// The whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutomationForm {
    pub name: String,
    /// `app:<connection id>:<event type>`, or the key of one of
    /// [`trigger_kinds`] (`manual`, `schedule`).
    pub trigger: String,
    /// The fields of the trigger's kind, by key (a schedule's `every`, `at`, …).
    #[serde(default)]
    pub trigger_fields: BTreeMap<String, String>,
    pub join: Join,
    pub conditions: Vec<Condition>,
    pub expression: String,
    pub steps: Vec<StepForm>,
}

/// One step of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepForm {
    pub name: String,
    /// An [`Action::key`].
    pub kind: String,
    pub fields: BTreeMap<String, String>,
}

/// Something wrong with the form, next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormProblem {
    pub at: String,
    pub message: String,
}

/// How a step kind's field is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// Plain text or an expression such as `{{ data.member.email }}`.
    Expression,
    /// One of the team's app connections' event types (`<id>:<type>`).
    AppEvent,
    /// One of the team's app connections (`<id>`).
    Connection,
    /// E-mail or phone.
    FindBy,
    /// One of the field's fixed [`FieldSpec::options`].
    Select,
    /// Where a branch goes: the field's fixed options (the next step, the
    /// end of the run), then the steps after this one, by name.
    LaterStep,
    /// One of the HighLevel operations the team's connection may send.
    Operation,
    /// The whole team (empty), or one member of it (`<user id>`).
    TeamMember,
    /// JSON text whose string values may be expressions.
    Json,
}

/// A field of a step kind, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub input: Input,
    pub placeholder: String,
    /// May be left empty.
    pub optional: bool,
    /// The values and labels of a [`Input::Select`], or the fixed choices of
    /// an [`Input::LaterStep`]; a new step starts with the first.
    pub options: Vec<(String, String)>,
    /// Shown and read only while the step's field `.0` holds `.1` (a wait
    /// of a duration has no moment).
    pub only_when: Option<(String, String)>,
}

impl FieldSpec {
    /// Whether the field is shown, and read, with the step's `fields`.
    pub fn shown(&self, fields: &BTreeMap<String, String>) -> bool {
        self.only_when
            .as_ref()
            .is_none_or(|(key, value)| fields.get(key).map(|v| v.trim()) == Some(value.as_str()))
    }
}

/// A kind of step the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepKind {
    pub key: String,
    pub label: String,
    /// The heading the step picker lists it under.
    pub group: String,
    pub help: String,
    pub fields: Vec<FieldSpec>,
}

/// The step picker's headings, in order.
pub const CONTACTS: &str = "Contacts";
pub const TASKS_AND_NOTES: &str = "Tasks and notes";
pub const MARKETING: &str = "Campaigns, workflows and followers";
pub const TELL: &str = "Apps and alerts";
pub const FLOW: &str = "Waits and branches";
pub const MORE: &str = "More";

/// The periods a summary step covers, as `reports::summary::Period` names them.
pub const SUMMARY_PERIODS: [(&str, &str); 3] = [
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("last_7_days", "The last 7 days"),
];

/// The key of the "More: any HighLevel operation" kind.
pub const STEP_CALL: &str = "highlevel_call";

/// Starts the form field of a "More" step's path or query parameter, by name.
pub const PARAM_PREFIX: &str = "param.";

pub fn field(key: &str, label: &str, input: Input, placeholder: &str) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        input,
        placeholder: placeholder.into(),
        optional: false,
        options: Vec::new(),
        only_when: None,
    }
}

fn select(key: &str, label: &str, input: Input, options: &[(&str, &str)]) -> FieldSpec {
    FieldSpec {
        options: options
            .iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
            .collect(),
        ..field(key, label, input, "")
    }
}

fn optional(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        optional: true,
        ..spec
    }
}

/// `spec`, shown only while the step's field `key` holds `value`.
pub fn only_when(key: &str, value: &str, spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        only_when: Some((key.to_owned(), value.to_owned())),
        ..spec
    }
}

/// A branch's choices besides the later steps: the next step, and the end.
const NEXT_STEP: (&str, &str) = ("", "The next step");
const END_OF_RUN: (&str, &str) = (END, "End the run (it succeeded)");

fn contact() -> FieldSpec {
    field(
        "contact_id",
        "Contact",
        Input::Expression,
        "{{ steps.contact.contact_id }}",
    )
}

fn kind(key: &str, label: &str, group: &str, help: &str, fields: Vec<FieldSpec>) -> StepKind {
    StepKind {
        key: key.into(),
        label: label.into(),
        group: group.into(),
        help: help.into(),
        fields,
    }
}

fn task_id() -> FieldSpec {
    field("task_id", "Task", Input::Expression, "{{ steps.task.id }}")
}

fn note_id() -> FieldSpec {
    field("note_id", "Note", Input::Expression, "{{ steps.note.id }}")
}

/// The contact fields a contact step offers, all optional; `company` only
/// where HighLevel takes it (creating, not updating).
fn contact_fields(company: bool) -> Vec<FieldSpec> {
    ContactFields::ALL
        .iter()
        .filter(|(key, ..)| company || *key != "company_name")
        .map(|(key, _, label)| {
            let placeholder = match *key {
                "first_name" => "{{ data.member.first_name }}",
                "last_name" => "{{ data.member.last_name }}",
                "email" => "{{ data.member.email }}",
                "phone" => "{{ data.member.phone }}",
                "company_name" => "Acme Fitness",
                _ => "Clubworx",
            };
            optional(field(key, label, Input::Expression, placeholder))
        })
        .collect()
}

/// Every kind of step, in the order the form offers them.
pub fn step_kinds() -> Vec<StepKind> {
    vec![
        kind(
            "apply_mapping",
            "Update HighLevel with the app's mapping",
            CONTACTS,
            "Creates or updates the contact (and its task or note) as the connection's field mapping says. Later steps read the contact as steps.<name>.contact_id.",
            vec![field("source", "Mapping of", Input::AppEvent, "")],
        ),
        kind(
            "find_contact",
            "Find a contact",
            CONTACTS,
            "Looks the contact up in HighLevel by e-mail or phone, or searches your contacts the way the Contacts page's search box does (name, e-mail, phone or company; the newest match wins). steps.<name>.found says whether one was found and steps.<name>.id is its id.",
            vec![
                field("by", "Find by", Input::FindBy, ""),
                field("value", "Value", Input::Expression, "{{ data.member.email }}"),
            ],
        ),
        kind(
            "update_contact",
            "Update a contact",
            CONTACTS,
            "Changes the contact's details in HighLevel. Fill in only what should change: empty fields are left as they are.",
            [vec![contact()], contact_fields(false)].concat(),
        ),
        kind(
            "upsert_contact",
            "Create or update a contact",
            CONTACTS,
            "Finds the contact by e-mail (or phone) and updates it, or creates it when there is none. Give an e-mail or a phone; empty fields are not sent. steps.<name>.contact_id is the contact and steps.<name>.new says whether it was created.",
            contact_fields(true),
        ),
        kind(
            "delete_contact",
            "Delete a contact",
            CONTACTS,
            "Deletes the contact from HighLevel, with its tasks and notes. This cannot be undone.",
            vec![contact()],
        ),
        kind(
            "refresh_contact",
            "Read a contact's tasks and notes again",
            CONTACTS,
            "Has the next sync read the contact's tasks and notes from HighLevel again (within the poll interval), so the contact's page and reports show what another app just made.",
            vec![contact()],
        ),
        kind(
            "add_tags",
            "Add tags",
            CONTACTS,
            "Adds tags, separated by commas, to the contact.",
            vec![contact(), field("tags", "Tags", Input::Expression, "member, clubworx")],
        ),
        kind(
            "remove_tags",
            "Remove tags",
            CONTACTS,
            "Removes tags, separated by commas, from the contact.",
            vec![contact(), field("tags", "Tags", Input::Expression, "trial")],
        ),
        kind(
            "create_task",
            "Create a task",
            TASKS_AND_NOTES,
            "Creates a task on the contact. The due date is read in your team's time zone: 2026-03-01T09:00, or {{ now | date(add_days=1) }}T09:00 for tomorrow at 9:00.",
            vec![
                contact(),
                field("title", "Title", Input::Expression, "Welcome call"),
                optional(field("body", "Description", Input::Expression, "")),
                field("due", "Due", Input::Expression, "{{ now | date(add_days=1) }}T09:00"),
            ],
        ),
        kind(
            "update_task",
            "Change a task",
            TASKS_AND_NOTES,
            "Changes a task of the contact: its title, description or due date (read in your team's time zone). Fill in only what should change. The task is the id an earlier step gave, such as {{ steps.task.id }}.",
            vec![
                contact(),
                task_id(),
                optional(field("title", "New title", Input::Expression, "Follow-up call")),
                optional(field("body", "New description", Input::Expression, "")),
                optional(field("due", "New due date", Input::Expression, "{{ now | date(add_days=3) }}T09:00")),
            ],
        ),
        kind(
            "complete_task",
            "Complete a task",
            TASKS_AND_NOTES,
            "Marks a task of the contact as done.",
            vec![contact(), task_id()],
        ),
        kind(
            "delete_task",
            "Delete a task",
            TASKS_AND_NOTES,
            "Deletes a task of the contact.",
            vec![contact(), task_id()],
        ),
        kind(
            "create_note",
            "Add a note",
            TASKS_AND_NOTES,
            "Adds a note to the contact.",
            vec![contact(), field("body", "Note", Input::Expression, "Joined on {{ data.member.joined_on }}")],
        ),
        kind(
            "update_note",
            "Change a note",
            TASKS_AND_NOTES,
            "Replaces the text of a note of the contact.",
            vec![contact(), note_id(), field("body", "New text", Input::Expression, "Renewed on {{ data.member.renewed_on }}")],
        ),
        kind(
            "delete_note",
            "Delete a note",
            TASKS_AND_NOTES,
            "Deletes a note of the contact.",
            vec![contact(), note_id()],
        ),
        kind(
            "add_to_campaign",
            "Add to a campaign",
            MARKETING,
            "Adds the contact to a HighLevel campaign, by the campaign's id.",
            vec![contact(), field("campaign_id", "Campaign id", Input::Expression, "")],
        ),
        kind(
            "remove_from_campaign",
            "Remove from a campaign",
            MARKETING,
            "Takes the contact out of a HighLevel campaign, by the campaign's id.",
            vec![contact(), field("campaign_id", "Campaign id", Input::Expression, "")],
        ),
        kind(
            "add_to_workflow",
            "Add to a workflow",
            MARKETING,
            "Starts a HighLevel workflow for the contact, by the workflow's id (in the workflow's web address in HighLevel).",
            vec![contact(), field("workflow_id", "Workflow id", Input::Expression, "")],
        ),
        kind(
            "remove_from_workflow",
            "Remove from a workflow",
            MARKETING,
            "Takes the contact out of a HighLevel workflow, by the workflow's id.",
            vec![contact(), field("workflow_id", "Workflow id", Input::Expression, "")],
        ),
        kind(
            "add_followers",
            "Add followers",
            MARKETING,
            "Makes HighLevel users followers of the contact: their user ids, separated by commas.",
            vec![contact(), field("followers", "Followers (user ids)", Input::Expression, "")],
        ),
        kind(
            "remove_followers",
            "Remove followers",
            MARKETING,
            "Stops HighLevel users following the contact: their user ids, separated by commas.",
            vec![contact(), field("followers", "Followers (user ids)", Input::Expression, "")],
        ),
        kind(
            "send_to_app",
            "Send to an app",
            TELL,
            "Sends a signed delivery to a connected app: the contact shaped by the connection's contact mapping, or, with no contact, the data that started the run.",
            vec![
                field("connection", "App", Input::Connection, ""),
                optional(field("path", "Path", Input::Expression, "/members")),
                optional(contact()),
                optional(select(
                    "with",
                    "Send",
                    Input::Select,
                    &[
                        ("", "The contact"),
                        ("records", "The contact with its tasks and notes"),
                    ],
                )),
            ],
        ),
        kind(
            "alert",
            "Alert the team",
            TELL,
            "Puts an alert behind the bell at the top of every page, for the whole team or one member. The title and message may read the data: New member: {{ data.member.first_name }}. A test with the sample shows the alert without raising it.",
            vec![
                optional(field("to", "For", Input::TeamMember, "")),
                field("title", "Title", Input::Expression, "New member: {{ data.member.first_name }}"),
                optional(field("message", "Message", Input::Expression, "Joined on {{ data.member.joined_on }}")),
            ],
        ),
        kind(
            "summary",
            "Summary",
            TELL,
            "Counts, from your copy of HighLevel, the new contacts, the tasks due, completed and overdue, the notes and the appointments of a period of days in your team's time zone, and keeps the summary as an alert for the team or sends it to an app. Later steps read the numbers, such as steps.<name>.new_contacts.",
            summary_fields(),
        ),
        kind(
            "wait",
            "Wait",
            FLOW,
            "Holds the run for a while (2 days after the step is reached), or until a moment read in your team's time zone: 2026-03-01T09:00, or {{ now | date(add_days=1) }}T09:00 for tomorrow at 9:00. Then the next step runs. A test with the sample does not wait; it shows when a real run would go on.",
            wait_fields(),
        ),
        kind(
            "branch",
            "If / otherwise",
            FLOW,
            "Checks something about the data or earlier steps (steps.found.found is true when “Find a contact” found one). When it holds, the run goes on at the first step you choose; otherwise at the second, or it ends there. The steps jumped over do not run.",
            branch_fields(),
        ),
        kind(
            STEP_CALL,
            "More: any HighLevel operation",
            MORE,
            "Sends any operation of HighLevel's API that your connection is allowed: choose it, fill in its parameters and, for an operation that takes one, its body as JSON, where text values may be expressions (\"{{ data.member.email }}\"). A test with the sample sends reads and only shows writes. Later steps read HighLevel's answer as steps.<name>.",
            vec![field("operation", "Operation", Input::Operation, "")],
        ),
    ]
}

fn summary_fields() -> Vec<FieldSpec> {
    let app = |spec| only_when("deliver", "app", spec);
    vec![
        select("period", "Period", Input::Select, &SUMMARY_PERIODS),
        select(
            "deliver",
            "Then",
            Input::Select,
            &[
                ("alert", "Keep it as an alert for the team"),
                ("app", "Send it to a connected app"),
            ],
        ),
        app(field("connection", "App", Input::Connection, "")),
        app(optional(field(
            "path",
            "Path",
            Input::Expression,
            "/summaries",
        ))),
    ]
}

fn wait_fields() -> Vec<FieldSpec> {
    let units: Vec<(&str, &str)> = TimeUnit::ALL
        .iter()
        .map(|unit| (unit.key(), unit.key()))
        .collect();
    vec![
        select(
            "mode",
            "Wait",
            Input::Select,
            &[("for", "For a while"), ("until", "Until a date or time")],
        ),
        only_when(
            "mode",
            "for",
            field("amount", "How long", Input::Expression, "2"),
        ),
        only_when("mode", "for", select("unit", "In", Input::Select, &units)),
        only_when(
            "mode",
            "until",
            field(
                "until",
                "Until",
                Input::Expression,
                "{{ now | date(add_days=1) }}T09:00",
            ),
        ),
    ]
}

fn branch_fields() -> Vec<FieldSpec> {
    let operators: Vec<(&str, &str)> = Operator::ALL
        .iter()
        .map(|operator| (operator.key(), operator.label()))
        .collect();
    let condition = |spec| only_when("mode", "condition", spec);
    vec![
        select(
            "mode",
            "Check",
            Input::Select,
            &[
                ("condition", "A field of the data"),
                ("expression", "An expression"),
            ],
        ),
        condition(field(
            "field",
            "Field",
            Input::Expression,
            "steps.found.found",
        )),
        condition(select("operator", "Operator", Input::Select, &operators)),
        condition(FieldSpec {
            optional: true,
            ..field("value", "Value", Input::Expression, "true")
        }),
        only_when(
            "mode",
            "expression",
            field(
                "expression",
                "This is true",
                Input::Expression,
                "{{ data.member.status == 'Active' }}",
            ),
        ),
        FieldSpec {
            optional: true,
            ..select(
                "then_to",
                "When it holds, go on at",
                Input::LaterStep,
                &[NEXT_STEP, END_OF_RUN],
            )
        },
        FieldSpec {
            optional: true,
            ..select(
                "otherwise_to",
                "Otherwise, go on at",
                Input::LaterStep,
                &[END_OF_RUN, NEXT_STEP],
            )
        },
    ]
}

/// How a trigger kind's field is filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerInput {
    /// One of these values, each with what the form shows for it.
    Choice(Vec<(String, String)>),
    /// A whole number from `min` to `max`.
    Number { min: u32, max: u32 },
    /// A time of day on the team's clock, `HH:MM`.
    Time,
    /// Days of the week, as their keys separated by commas (`mon,thu`).
    Days,
    /// Plain text.
    Text,
}

/// A field of a trigger kind, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerField {
    pub key: String,
    pub label: String,
    pub input: TriggerInput,
    /// A line under the field; empty for none.
    pub help: String,
    pub placeholder: String,
    /// What a new trigger of the kind starts with.
    pub default: String,
    /// The field counts only while field `.0` holds one of the values `.1`
    /// (a schedule's time of day, only for every day or every week).
    pub shown_when: Option<(String, Vec<String>)>,
}

impl TriggerField {
    /// Whether the field counts with the kind's other fields as they are.
    pub fn shown(&self, fields: &BTreeMap<String, String>) -> bool {
        self.shown_when.as_ref().is_none_or(|(key, values)| {
            let value = fields
                .get(key)
                .map(|value| value.trim())
                .unwrap_or_default();
            values.iter().any(|wanted| wanted == value)
        })
    }
}

/// A kind of trigger the form offers beside the app events of the team's
/// connections (whose keys name the connection and event type, and which
/// have no fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerKind {
    pub key: String,
    pub label: String,
    pub help: String,
    pub fields: Vec<TriggerField>,
}

impl TriggerKind {
    /// The fields as a new trigger of the kind starts: each at its default.
    pub fn defaults(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|field| (field.key.clone(), field.default.clone()))
            .collect()
    }
}

fn trigger_field(key: &str, label: &str, input: TriggerInput, default: &str) -> TriggerField {
    TriggerField {
        key: key.into(),
        label: label.into(),
        input,
        help: String::new(),
        placeholder: String::new(),
        default: default.into(),
        shown_when: None,
    }
}

fn when_every(values: &[&str]) -> Option<(String, Vec<String>)> {
    Some((
        "every".into(),
        values.iter().map(|value| (*value).to_owned()).collect(),
    ))
}

/// The schedule's fields: `every` says which of the others count.
const DEFAULT_MINUTES: &str = "15";
const DEFAULT_AT: &str = "09:00";
const DEFAULT_DAYS: &str = "mon,tue,wed,thu,fri";
const DEFAULT_CRON: &str = "0 9 * * 1-5";

/// Every kind of trigger but the app events, in the order the form offers
/// them: HighLevel's changes, a schedule, by hand.
pub fn trigger_kinds() -> Vec<TriggerKind> {
    let mut kinds: Vec<TriggerKind> = highlevel_events::EVENTS
        .iter()
        .map(highlevel_kind)
        .collect();
    kinds.extend(other_kinds());
    kinds
}

/// A HighLevel change, with the tag or appointment status it can wait for.
fn highlevel_kind(event: &highlevel_events::HighLevelEvent) -> TriggerKind {
    let value = |label: &str, input: TriggerInput, help: &str, placeholder: &str| TriggerField {
        help: help.into(),
        placeholder: placeholder.into(),
        ..trigger_field("value", label, input, "")
    };
    let fields = match event.narrowing {
        Narrowing::None => Vec::new(),
        Narrowing::Tag => vec![value(
            "Tag",
            TriggerInput::Text,
            "Only this tag; leave it empty for any tag.",
            "vip",
        )],
        Narrowing::AppointmentStatus => {
            let mut statuses = vec![(String::new(), "Any status".to_owned())];
            statuses.extend(
                highlevel_events::APPOINTMENT_STATUSES
                    .iter()
                    .map(|(key, label)| ((*key).to_owned(), (*label).to_owned())),
            );
            vec![value("New status", TriggerInput::Choice(statuses), "", "")]
        }
    };
    TriggerKind {
        key: format!("highlevel:{}", event.key),
        label: format!("In HighLevel: {}", event.label.to_lowercase()),
        help: String::new(),
        fields,
    }
}

fn other_kinds() -> Vec<TriggerKind> {
    let every = [
        ("minutes", "Every N minutes"),
        ("daily", "Every day at"),
        ("weekly", "Every week on"),
        ("cron", "Custom (cron)"),
    ];
    vec![
        TriggerKind {
            key: "schedule".into(),
            label: "On a schedule".into(),
            help: "Runs at the times it says, on your team's clock, whether or not anything happened. The run's data is the time of the tick ({{ tick }}) and the automation.".into(),
            fields: vec![
                trigger_field(
                    "every",
                    "Runs",
                    TriggerInput::Choice(
                        every
                            .iter()
                            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
                            .collect(),
                    ),
                    "daily",
                ),
                TriggerField {
                    help: "From 1 to 15. For less often, run it every day, every week or on a cron expression.".into(),
                    shown_when: when_every(&["minutes"]),
                    ..trigger_field(
                        "minutes",
                        "Minutes between runs",
                        TriggerInput::Number {
                            min: u32::from(*Schedule::MINUTES.start()),
                            max: u32::from(*Schedule::MINUTES.end()),
                        },
                        DEFAULT_MINUTES,
                    )
                },
                TriggerField {
                    shown_when: when_every(&["weekly"]),
                    ..trigger_field("days", "On", TriggerInput::Days, DEFAULT_DAYS)
                },
                TriggerField {
                    shown_when: when_every(&["daily", "weekly"]),
                    ..trigger_field("at", "At", TriggerInput::Time, DEFAULT_AT)
                },
                TriggerField {
                    help: "Five fields: minute, hour, day of the month, month, day of the week (0 or 7 is Sunday). 0 9 * * 1-5 is 9:00 on weekdays; */30 8-18 * * * is every half hour from 8:00 to 18:30.".into(),
                    placeholder: DEFAULT_CRON.into(),
                    shown_when: when_every(&["cron"]),
                    ..trigger_field("cron", "Cron expression", TriggerInput::Text, DEFAULT_CRON)
                },
            ],
        },
        TriggerKind {
            key: "manual".into(),
            label: "Only when someone clicks “Run now”".into(),
            help: String::new(),
            fields: Vec::new(),
        },
    ]
}

impl AutomationForm {
    /// The form of a saved definition.
    pub fn of(name: &str, definition: &Definition) -> Self {
        Self {
            name: name.to_owned(),
            trigger: trigger_key(&definition.trigger),
            trigger_fields: trigger_fields(&definition.trigger),
            join: definition.filter.join,
            conditions: definition.filter.conditions.clone(),
            expression: definition.filter.expression.clone(),
            steps: definition.steps.iter().map(StepForm::of).collect(),
        }
    }

    /// The definition the form describes, or every problem of its fields.
    pub fn definition(&self) -> Result<Definition, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let mut problem = |at: String, message: &str| {
            problems.push(FormProblem {
                at,
                message: message.to_owned(),
            })
        };
        if self.name.trim().is_empty() {
            problem("name".into(), "Give the automation a name.");
        }
        let trigger = match parse_trigger(&self.trigger, &self.trigger_fields) {
            Ok(trigger) => Some(trigger),
            Err(wrong) => {
                for found in wrong {
                    problem(found.at, &found.message);
                }
                None
            }
        };
        for (index, condition) in self.conditions.iter().enumerate() {
            if condition.field.trim().is_empty() {
                problem(format!("condition.{index}"), "Say which field to check.");
            } else if condition.operator.takes_value() && condition.value.trim().is_empty() {
                problem(
                    format!("condition.{index}"),
                    "Give the value to compare with.",
                );
            }
        }
        let mut names: Vec<&str> = Vec::new();
        let mut steps = Vec::new();
        for (index, step) in self.steps.iter().enumerate() {
            let name = step.name.trim();
            if !is_name(name) {
                problem(
                    format!("step.{index}.name"),
                    "A step's name is letters, digits and _ (later steps read it as steps.<name>).",
                );
            } else if names.contains(&name) {
                problem(format!("step.{index}.name"), "Another step has this name.");
            } else if name == END {
                problem(
                    format!("step.{index}.name"),
                    "“end” is where a branch ends the run: give the step another name.",
                );
            }
            names.push(name);
            match step.action() {
                Ok(action) => steps.push(Step {
                    name: name.to_owned(),
                    action,
                }),
                Err(missing) => {
                    for (key, message) in missing {
                        problem(step_at(index, &key), &message);
                    }
                }
            }
        }
        for (index, step) in self.steps.iter().enumerate() {
            if step.kind != "branch" {
                continue;
            }
            for key in ["then_to", "otherwise_to"] {
                if let Some(message) = jump_problem(&names, index, &step.get(key)) {
                    problem(format!("step.{index}.{key}"), message);
                }
            }
        }
        if self.steps.is_empty() {
            problem("steps".into(), "Add at least one step: what should happen?");
        }
        match trigger {
            Some(trigger) if problems.is_empty() => Ok(Definition {
                trigger,
                filter: Filter {
                    join: self.join,
                    conditions: self.conditions.clone(),
                    expression: self.expression.trim().to_owned(),
                },
                steps,
            }),
            _ => Err(problems),
        }
    }
}

/// Where a problem of step `index` shows: next to its field `key`, or, with
/// no key, next to the step itself.
pub fn step_at(index: usize, key: &str) -> String {
    if key.is_empty() {
        format!("step.{index}")
    } else {
        format!("step.{index}.{key}")
    }
}

/// Why a branch at `from` cannot go to `to`, given every step's name in order.
fn jump_problem(names: &[&str], from: usize, to: &str) -> Option<&'static str> {
    if to.is_empty() || to == END {
        return None;
    }
    match names.iter().position(|name| *name == to) {
        Some(at) if at > from => None,
        Some(_) => {
            Some("A branch only goes forward: choose a step after this one, or end the run.")
        }
        None => Some("No step has this name any more: choose a later step."),
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// `manual`, `schedule`, `highlevel:<event>` or `app:<connection id>:<event type>`.
pub fn trigger_key(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Manual => "manual".into(),
        Trigger::HighLevel { event, .. } => format!("highlevel:{event}"),
        Trigger::AppEvent {
            connection_id,
            event_type,
        } => format!("app:{connection_id}:{event_type}"),
        Trigger::Schedule { .. } => "schedule".into(),
    }
}

/// The fields of a trigger's kind: the ones the trigger sets, and the
/// defaults for the rest (which the form keeps, so that switching a
/// schedule from every day to every week starts from something).
pub fn trigger_fields(trigger: &Trigger) -> BTreeMap<String, String> {
    let kind = trigger_key(trigger);
    let mut fields = trigger_kinds()
        .into_iter()
        .find(|known| known.key == kind)
        .map(|known| known.defaults())
        .unwrap_or_default();
    if let Trigger::HighLevel { value, .. } = trigger {
        if fields.contains_key("value") {
            fields.insert("value".into(), value.clone());
        }
    }
    if let Trigger::Schedule { schedule } = trigger {
        let mut set = |key: &str, value: String| {
            fields.insert(key.to_owned(), value);
        };
        match schedule {
            Schedule::EveryMinutes { minutes } => {
                set("every", "minutes".into());
                set("minutes", minutes.to_string());
            }
            Schedule::Daily { at } => {
                set("every", "daily".into());
                set("at", at.to_string());
            }
            Schedule::Weekly { days, at } => {
                set("every", "weekly".into());
                set("days", days_text(days));
                set("at", at.to_string());
            }
            Schedule::Cron { expression } => {
                set("every", "cron".into());
                set("cron", expression.clone());
            }
        }
    }
    fields
}

/// The days as the form writes them: `mon,thu`.
fn days_text(days: &[chrono::Weekday]) -> String {
    WEEK.iter()
        .filter(|(day, _)| days.contains(day))
        .map(|(_, key)| *key)
        .collect::<Vec<_>>()
        .join(",")
}

/// The trigger the form's key and the fields of its kind describe, or what
/// is wrong with them, each next to its field (`trigger`, `trigger.at`).
pub fn parse_trigger(
    key: &str,
    fields: &BTreeMap<String, String>,
) -> Result<Trigger, Vec<FormProblem>> {
    let wrong = |at: &str, message: &str| {
        vec![FormProblem {
            at: at.to_owned(),
            message: message.to_owned(),
        }]
    };
    let key = key.trim();
    if let Some(event) = key.strip_prefix("highlevel:") {
        let event = highlevel_events::find(event)
            .ok_or_else(|| wrong("trigger", "Choose what starts the automation."))?;
        let value = fields
            .get("value")
            .map(|value| value.trim().to_owned())
            .unwrap_or_default();
        let value = match event.narrowing {
            Narrowing::None => String::new(),
            Narrowing::Tag => value,
            Narrowing::AppointmentStatus => {
                let known = highlevel_events::APPOINTMENT_STATUSES
                    .iter()
                    .any(|(status, _)| *status == value);
                if !value.is_empty() && !known {
                    return Err(wrong("trigger.value", "Choose one of the statuses."));
                }
                value
            }
        };
        return Ok(Trigger::HighLevel {
            event: event.key.into(),
            value,
        });
    }
    match key {
        "manual" => Ok(Trigger::Manual),
        "schedule" => Ok(Trigger::Schedule {
            schedule: parse_schedule(fields)?,
        }),
        other => other
            .strip_prefix("app:")
            .and_then(parse_source)
            .map(|(connection_id, event_type)| Trigger::AppEvent {
                connection_id,
                event_type,
            })
            .ok_or_else(|| wrong("trigger", "Choose what starts the automation.")),
    }
}

/// A schedule from its fields: `every` and the fields it reads.
fn parse_schedule(fields: &BTreeMap<String, String>) -> Result<Schedule, Vec<FormProblem>> {
    let get = |key: &str| {
        fields
            .get(key)
            .map(|value| value.trim())
            .unwrap_or_default()
    };
    let wrong = |field: &str, message: &str| {
        vec![FormProblem {
            at: format!("trigger.{field}"),
            message: message.to_owned(),
        }]
    };
    let at = || {
        ClockTime::parse(get("at")).ok_or_else(|| wrong("at", "Give a time of day, such as 09:00."))
    };
    match get("every") {
        "minutes" => get("minutes")
            .parse::<u8>()
            .ok()
            .filter(|minutes| Schedule::MINUTES.contains(minutes))
            .map(|minutes| Schedule::EveryMinutes { minutes })
            .ok_or_else(|| {
                wrong(
                    "minutes",
                    "Every 1 to 15 minutes. For less often, run it every day, every week or on a cron expression.",
                )
            }),
        "daily" => Ok(Schedule::Daily { at: at()? }),
        "weekly" => {
            let mut problems = Vec::new();
            let days = parse_days(get("days")).unwrap_or_else(|message| {
                problems.extend(wrong("days", message));
                Vec::new()
            });
            let at = at().unwrap_or_else(|found| {
                problems.extend(found);
                ClockTime::default()
            });
            if problems.is_empty() {
                Ok(Schedule::Weekly { days, at })
            } else {
                Err(problems)
            }
        }
        "cron" => {
            let expression = get("cron").split_whitespace().collect::<Vec<_>>().join(" ");
            match cron_problem(&expression) {
                Some(message) => Err(wrong("cron", &message)),
                None => Ok(Schedule::Cron { expression }),
            }
        }
        _ => Err(wrong("every", "Choose how often it runs.")),
    }
}

/// `mon,thu` (any case, spaces allowed) as days in week order, once each.
fn parse_days(text: &str) -> Result<Vec<chrono::Weekday>, &'static str> {
    let mut days = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let lower = part.to_ascii_lowercase();
        let Some((day, _)) = WEEK.iter().find(|(_, key)| lower.starts_with(key)) else {
            return Err("Days are mon, tue, wed, thu, fri, sat and sun.");
        };
        days.push(*day);
    }
    let days: Vec<chrono::Weekday> = WEEK
        .iter()
        .map(|(day, _)| *day)
        .filter(|day| days.contains(day))
        .collect();
    if days.is_empty() {
        return Err("Choose at least one day.");
    }
    Ok(days)
}

/// What is wrong with a cron expression, if anything. The server reads it
/// as the scheduler will; the browser only checks that there is one.
fn cron_problem(expression: &str) -> Option<String> {
    if expression.is_empty() {
        return Some("Give a cron expression, such as 0 9 * * 1-5.".into());
    }
    #[cfg(feature = "ssr")]
    {
        super::schedule::cron_problem(expression)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// `<connection id>:<event type>`.
fn parse_source(text: &str) -> Option<(i64, String)> {
    let (id, event_type) = text.split_once(':')?;
    let event_type = event_type.trim();
    (!event_type.is_empty()).then(|| Some((id.parse().ok()?, event_type.to_owned())))?
}

impl StepForm {
    pub fn of(step: &Step) -> Self {
        let fields: Vec<(&str, String)> = match &step.action {
            Action::ApplyMapping {
                connection_id,
                event_type,
            } => vec![("source", format!("{connection_id}:{event_type}"))],
            Action::FindContact { by, value } => {
                vec![("by", find_by_key(*by).into()), ("value", value.clone())]
            }
            Action::AddTags { contact_id, tags } | Action::RemoveTags { contact_id, tags } => {
                vec![("contact_id", contact_id.clone()), ("tags", tags.clone())]
            }
            Action::CreateTask {
                contact_id,
                title,
                body,
                due,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("title", title.clone()),
                ("body", body.clone()),
                ("due", due.clone()),
            ],
            Action::CreateNote { contact_id, body } => {
                vec![("contact_id", contact_id.clone()), ("body", body.clone())]
            }
            Action::UpdateContact { contact_id, fields } => {
                let mut all = vec![("contact_id", contact_id.clone())];
                all.extend(
                    ContactFields::ALL
                        .iter()
                        .filter(|(key, ..)| *key != "company_name")
                        .map(|(key, ..)| (*key, fields.get(key).to_owned())),
                );
                all
            }
            Action::UpsertContact { fields } => ContactFields::ALL
                .iter()
                .map(|(key, ..)| (*key, fields.get(key).to_owned()))
                .collect(),
            Action::DeleteContact { contact_id } | Action::RefreshContact { contact_id } => {
                vec![("contact_id", contact_id.clone())]
            }
            Action::UpdateTask {
                contact_id,
                task_id,
                title,
                body,
                due,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("task_id", task_id.clone()),
                ("title", title.clone()),
                ("body", body.clone()),
                ("due", due.clone()),
            ],
            Action::CompleteTask {
                contact_id,
                task_id,
            }
            | Action::DeleteTask {
                contact_id,
                task_id,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("task_id", task_id.clone()),
            ],
            Action::UpdateNote {
                contact_id,
                note_id,
                body,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("note_id", note_id.clone()),
                ("body", body.clone()),
            ],
            Action::DeleteNote {
                contact_id,
                note_id,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("note_id", note_id.clone()),
            ],
            Action::AddToCampaign {
                contact_id,
                campaign_id,
            }
            | Action::RemoveFromCampaign {
                contact_id,
                campaign_id,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("campaign_id", campaign_id.clone()),
            ],
            Action::AddToWorkflow {
                contact_id,
                workflow_id,
            }
            | Action::RemoveFromWorkflow {
                contact_id,
                workflow_id,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("workflow_id", workflow_id.clone()),
            ],
            Action::AddFollowers {
                contact_id,
                followers,
            }
            | Action::RemoveFollowers {
                contact_id,
                followers,
            } => vec![
                ("contact_id", contact_id.clone()),
                ("followers", followers.clone()),
            ],
            // Its parameters follow, by name.
            Action::HighLevelCall {
                operation, body, ..
            } => vec![("operation", operation.clone()), ("body", body.clone())],
            Action::Alert {
                user_id,
                title,
                message,
            } => vec![
                ("to", user_id.map(|id| id.to_string()).unwrap_or_default()),
                ("title", title.clone()),
                ("message", message.clone()),
            ],
            Action::Summary { period, deliver } => {
                let mut fields = vec![("period", period.clone())];
                fields.extend(match deliver {
                    SummaryTo::Alert => [
                        ("deliver", "alert".to_owned()),
                        ("connection", String::new()),
                        ("path", String::new()),
                    ],
                    SummaryTo::App {
                        connection_id,
                        path,
                    } => [
                        ("deliver", "app".to_owned()),
                        ("connection", connection_id.to_string()),
                        ("path", path.clone()),
                    ],
                });
                fields
            }
            Action::SendToApp {
                connection_id,
                path,
                contact_id,
                with_records,
            } => vec![
                ("connection", connection_id.to_string()),
                ("path", path.clone()),
                ("contact_id", contact_id.clone()),
                ("with", if *with_records { "records" } else { "" }.into()),
            ],
            Action::Wait { delay } => match delay {
                Delay::Duration { amount, unit } => vec![
                    ("mode", "for".into()),
                    ("amount", amount.clone()),
                    ("unit", unit.key().into()),
                    ("until", String::new()),
                ],
                Delay::Until { moment } => vec![
                    ("mode", "until".into()),
                    ("amount", String::new()),
                    ("unit", TimeUnit::ALL[0].key().into()),
                    ("until", moment.clone()),
                ],
            },
            Action::Branch {
                test,
                then_to,
                otherwise_to,
            } => {
                let mut fields = match test {
                    Test::Condition(condition) => vec![
                        ("mode", "condition".into()),
                        ("field", condition.field.clone()),
                        ("operator", condition.operator.key().into()),
                        ("value", condition.value.clone()),
                        ("expression", String::new()),
                    ],
                    Test::Expression { expression } => vec![
                        ("mode", "expression".into()),
                        ("field", String::new()),
                        ("operator", Operator::ALL[0].key().into()),
                        ("value", String::new()),
                        ("expression", expression.clone()),
                    ],
                };
                fields.push(("then_to", then_to.clone()));
                fields.push(("otherwise_to", otherwise_to.clone()));
                fields
            }
        };
        let mut fields: BTreeMap<String, String> = fields
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect();
        if let Action::HighLevelCall { params, .. } = &step.action {
            fields.extend(
                params
                    .iter()
                    .map(|(name, value)| (format!("{PARAM_PREFIX}{name}"), value.clone())),
            );
        }
        Self {
            name: step.name.clone(),
            kind: step.action.key().to_owned(),
            fields,
        }
    }

    /// A new step of `kind` named `name`: its fields empty, a choice on
    /// its first value.
    pub fn new(kind: &StepKind, name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: kind.key.clone(),
            fields: kind
                .fields
                .iter()
                .map(|field| {
                    let first = match field.input {
                        Input::FindBy => "email".to_owned(),
                        _ => field
                            .options
                            .first()
                            .map(|(value, _)| value.clone())
                            .unwrap_or_default(),
                    };
                    (field.key.clone(), first)
                })
                .collect(),
        }
    }

    fn get(&self, key: &str) -> String {
        self.fields
            .get(key)
            .map(|value| value.trim().to_owned())
            .unwrap_or_default()
    }

    /// The action of the step, or the fields that are missing or wrong.
    pub fn action(&self) -> Result<Action, Vec<(String, String)>> {
        let Some(kind) = step_kinds().into_iter().find(|kind| kind.key == self.kind) else {
            return Err(vec![("kind".into(), "Choose what this step does.".into())]);
        };
        let missing: Vec<(String, String)> = kind
            .fields
            .iter()
            .filter(|field| {
                !field.optional && field.shown(&self.fields) && self.get(&field.key).is_empty()
            })
            .map(|field| (field.key.clone(), format!("Fill in “{}”.", field.label)))
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let wrong = |key: &str, message: &str| vec![(key.to_owned(), message.to_owned())];
        Ok(match self.kind.as_str() {
            "apply_mapping" => {
                let (connection_id, event_type) = parse_source(&self.get("source"))
                    .ok_or_else(|| wrong("source", "Choose an app event."))?;
                Action::ApplyMapping {
                    connection_id,
                    event_type,
                }
            }
            "find_contact" => Action::FindContact {
                by: match self.get("by").as_str() {
                    "phone" => FindBy::Phone,
                    "search" => FindBy::Search,
                    _ => FindBy::Email,
                },
                value: self.get("value"),
            },
            "add_tags" => Action::AddTags {
                contact_id: self.get("contact_id"),
                tags: self.get("tags"),
            },
            "remove_tags" => Action::RemoveTags {
                contact_id: self.get("contact_id"),
                tags: self.get("tags"),
            },
            "create_task" => Action::CreateTask {
                contact_id: self.get("contact_id"),
                title: self.get("title"),
                body: self.get("body"),
                due: self.get("due"),
            },
            "create_note" => Action::CreateNote {
                contact_id: self.get("contact_id"),
                body: self.get("body"),
            },
            "update_contact" => {
                let fields = self.contact_fields(false);
                if fields == ContactFields::default() {
                    return Err(wrong("", "Fill in at least one field to change."));
                }
                Action::UpdateContact {
                    contact_id: self.get("contact_id"),
                    fields,
                }
            }
            "upsert_contact" => {
                let fields = self.contact_fields(true);
                if fields.email.is_empty() && fields.phone.is_empty() {
                    return Err(wrong(
                        "email",
                        "Give an e-mail or a phone: HighLevel finds the contact to update by them.",
                    ));
                }
                Action::UpsertContact { fields }
            }
            "delete_contact" => Action::DeleteContact {
                contact_id: self.get("contact_id"),
            },
            "refresh_contact" => Action::RefreshContact {
                contact_id: self.get("contact_id"),
            },
            "update_task" => {
                let (title, body, due) = (self.get("title"), self.get("body"), self.get("due"));
                if title.is_empty() && body.is_empty() && due.is_empty() {
                    return Err(wrong(
                        "",
                        "Fill in what should change: the title, the description or the due date.",
                    ));
                }
                Action::UpdateTask {
                    contact_id: self.get("contact_id"),
                    task_id: self.get("task_id"),
                    title,
                    body,
                    due,
                }
            }
            "complete_task" => Action::CompleteTask {
                contact_id: self.get("contact_id"),
                task_id: self.get("task_id"),
            },
            "delete_task" => Action::DeleteTask {
                contact_id: self.get("contact_id"),
                task_id: self.get("task_id"),
            },
            "update_note" => Action::UpdateNote {
                contact_id: self.get("contact_id"),
                note_id: self.get("note_id"),
                body: self.get("body"),
            },
            "delete_note" => Action::DeleteNote {
                contact_id: self.get("contact_id"),
                note_id: self.get("note_id"),
            },
            "add_to_campaign" => Action::AddToCampaign {
                contact_id: self.get("contact_id"),
                campaign_id: self.get("campaign_id"),
            },
            "remove_from_campaign" => Action::RemoveFromCampaign {
                contact_id: self.get("contact_id"),
                campaign_id: self.get("campaign_id"),
            },
            "add_to_workflow" => Action::AddToWorkflow {
                contact_id: self.get("contact_id"),
                workflow_id: self.get("workflow_id"),
            },
            "remove_from_workflow" => Action::RemoveFromWorkflow {
                contact_id: self.get("contact_id"),
                workflow_id: self.get("workflow_id"),
            },
            "add_followers" => Action::AddFollowers {
                contact_id: self.get("contact_id"),
                followers: self.get("followers"),
            },
            "remove_followers" => Action::RemoveFollowers {
                contact_id: self.get("contact_id"),
                followers: self.get("followers"),
            },
            // Which parameters the operation takes, the server checks: the
            // catalogue is not in the browser.
            STEP_CALL => Action::HighLevelCall {
                operation: self.get("operation"),
                params: self
                    .fields
                    .iter()
                    .filter_map(|(key, value)| {
                        let name = key.strip_prefix(PARAM_PREFIX)?;
                        let value = value.trim();
                        (!value.is_empty()).then(|| (name.to_owned(), value.to_owned()))
                    })
                    .collect(),
                body: self.get("body"),
            },
            "alert" => Action::Alert {
                user_id: match self.get("to").as_str() {
                    "" => None,
                    id => Some(
                        id.parse()
                            .map_err(|_| wrong("to", "Choose the whole team or a member."))?,
                    ),
                },
                title: self.get("title"),
                message: self.get("message"),
            },
            "summary" => {
                let period = self.get("period");
                if !SUMMARY_PERIODS.iter().any(|(key, _)| *key == period) {
                    return Err(wrong("period", "Choose the period to sum up."));
                }
                let deliver = if self.get("deliver") == "app" {
                    SummaryTo::App {
                        connection_id: self
                            .get("connection")
                            .parse()
                            .map_err(|_| wrong("connection", "Choose an app."))?,
                        path: self.get("path"),
                    }
                } else {
                    SummaryTo::Alert
                };
                Action::Summary { period, deliver }
            }
            "wait" => Action::Wait {
                delay: self.delay().map_err(|(key, message)| wrong(key, message))?,
            },
            "branch" => Action::Branch {
                test: self.test().map_err(|(key, message)| wrong(key, message))?,
                then_to: self.get("then_to"),
                otherwise_to: self.get("otherwise_to"),
            },
            _ => Action::SendToApp {
                connection_id: self
                    .get("connection")
                    .parse()
                    .map_err(|_| wrong("connection", "Choose an app."))?,
                path: self.get("path"),
                contact_id: self.get("contact_id"),
                with_records: self.get("with") == "records",
            },
        })
    }

    /// The contact fields filled in; the company only where the kind has it.
    fn contact_fields(&self, company: bool) -> ContactFields {
        ContactFields::ALL
            .iter()
            .filter(|(key, ..)| company || *key != "company_name")
            .fold(ContactFields::default(), |fields, (key, ..)| {
                fields.with(key, self.get(key))
            })
    }

    fn delay(&self) -> Result<Delay, (&'static str, &'static str)> {
        if self.get("mode") == "until" {
            return Ok(Delay::Until {
                moment: self.get("until"),
            });
        }
        let amount = self.get("amount");
        // An expression is worked out when the run reaches the step.
        let number = amount.parse::<f64>().ok();
        if !amount.contains("{{") && !number.is_some_and(|n| n.is_finite() && n >= 0.0) {
            return Err(("amount", "Say how long with a number, such as 2."));
        }
        let unit = TimeUnit::from_key(&self.get("unit"))
            .ok_or(("unit", "Choose minutes, hours or days."))?;
        Ok(Delay::Duration { amount, unit })
    }

    fn test(&self) -> Result<Test, (&'static str, &'static str)> {
        if self.get("mode") == "expression" {
            return Ok(Test::Expression {
                expression: self.get("expression"),
            });
        }
        let operator = Operator::from_key(&self.get("operator"))
            .ok_or(("operator", "Choose how to compare."))?;
        let value = self.get("value");
        if operator.takes_value() && value.is_empty() {
            return Err(("value", "Give the value to compare with."));
        }
        Ok(Test::Condition(Condition {
            field: self.get("field"),
            operator,
            value,
        }))
    }
}

fn find_by_key(by: FindBy) -> &'static str {
    match by {
        FindBy::Email => "email",
        FindBy::Phone => "phone",
        FindBy::Search => "search",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn welcome() -> Definition {
        Definition {
            trigger: Trigger::AppEvent {
                connection_id: 4,
                event_type: "signup.created".into(),
            },
            filter: Filter {
                join: Join::Any,
                conditions: vec![Condition {
                    field: "data.member.status".into(),
                    operator: Operator::Equals,
                    value: "Active".into(),
                }],
                expression: String::new(),
            },
            steps: vec![
                Step {
                    name: "member".into(),
                    action: Action::ApplyMapping {
                        connection_id: 4,
                        event_type: "signup.created".into(),
                    },
                },
                Step {
                    name: "welcome".into(),
                    action: Action::CreateTask {
                        contact_id: "{{ steps.member.contact_id }}".into(),
                        title: "Welcome call".into(),
                        body: String::new(),
                        due: "{{ now | date(add_days=1) }}T09:00".into(),
                    },
                },
                Step {
                    name: "tell".into(),
                    action: Action::SendToApp {
                        connection_id: 4,
                        path: String::new(),
                        contact_id: String::new(),
                        with_records: false,
                    },
                },
            ],
        }
    }

    #[test]
    fn a_definition_survives_its_form() {
        let form = AutomationForm::of("Welcome", &welcome());
        assert_eq!(form.trigger, "app:4:signup.created");
        assert_eq!(form.definition(), Ok(welcome()));
    }

    fn schedule_form(fields: &[(&str, &str)]) -> AutomationForm {
        let mut form = AutomationForm::of("Morning", &welcome());
        form.trigger = "schedule".into();
        form.trigger_fields = fields
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        form
    }

    fn trigger_of(fields: &[(&str, &str)]) -> Result<Trigger, Vec<String>> {
        let form = schedule_form(fields);
        parse_trigger(&form.trigger, &form.trigger_fields)
            .map_err(|problems| problems.into_iter().map(|p| p.at).collect())
    }

    #[test]
    fn each_schedule_survives_its_form() {
        use chrono::Weekday;
        let at = ClockTime::parse("18:30").unwrap();
        for schedule in [
            Schedule::EveryMinutes { minutes: 5 },
            Schedule::Daily { at },
            Schedule::Weekly {
                days: vec![Weekday::Mon, Weekday::Thu],
                at,
            },
            Schedule::Cron {
                expression: "*/30 8-18 * * 1-5".into(),
            },
        ] {
            let definition = Definition {
                trigger: Trigger::Schedule { schedule },
                ..welcome()
            };
            let form = AutomationForm::of("Morning", &definition);
            assert_eq!(form.trigger, "schedule");
            // The fields of the other kinds of schedule start at their defaults.
            assert_eq!(
                form.trigger_fields.keys().collect::<Vec<_>>(),
                ["at", "cron", "days", "every", "minutes"]
            );
            assert_eq!(form.definition(), Ok(definition));
        }
    }

    #[test]
    fn schedule_fields_are_read_leniently_and_in_week_order() {
        use chrono::Weekday;
        assert_eq!(
            trigger_of(&[
                ("every", "weekly"),
                ("days", "Thursday, mon,thu"),
                ("at", " 7:05 ")
            ]),
            Ok(Trigger::Schedule {
                schedule: Schedule::Weekly {
                    days: vec![Weekday::Mon, Weekday::Thu],
                    at: ClockTime::parse("07:05").unwrap(),
                }
            })
        );
        assert_eq!(
            trigger_of(&[("every", "cron"), ("cron", " 0  9 * * 1-5 ")]),
            Ok(Trigger::Schedule {
                schedule: Schedule::Cron {
                    expression: "0 9 * * 1-5".into()
                }
            })
        );
        // Only the fields `every` calls for are read.
        assert_eq!(
            trigger_of(&[("every", "minutes"), ("minutes", "15"), ("at", "nonsense")]),
            Ok(Trigger::Schedule {
                schedule: Schedule::EveryMinutes { minutes: 15 }
            })
        );
    }

    #[test]
    fn schedule_problems_sit_next_to_their_fields() {
        for (fields, at) in [
            (
                vec![("every", "minutes"), ("minutes", "20")],
                vec!["trigger.minutes"],
            ),
            (
                vec![("every", "minutes"), ("minutes", "0")],
                vec!["trigger.minutes"],
            ),
            (
                vec![("every", "daily"), ("at", "24:00")],
                vec!["trigger.at"],
            ),
            (
                vec![("every", "weekly"), ("days", ""), ("at", "9")],
                vec!["trigger.days", "trigger.at"],
            ),
            (
                vec![("every", "weekly"), ("days", "someday"), ("at", "09:00")],
                vec!["trigger.days"],
            ),
            (
                vec![("every", "cron"), ("cron", "0 9 * *")],
                vec!["trigger.cron"],
            ),
            (vec![("every", "cron"), ("cron", "")], vec!["trigger.cron"]),
            (vec![("every", "")], vec!["trigger.every"]),
        ] {
            assert_eq!(
                trigger_of(&fields),
                Err(at.iter().map(|a| a.to_string()).collect()),
                "{fields:?}"
            );
        }
        let wrong = parse_trigger("app:x", &BTreeMap::new()).unwrap_err();
        assert_eq!(wrong[0].at, "trigger");
    }

    #[test]
    fn times_of_day_are_hours_and_minutes() {
        assert_eq!(ClockTime::parse("9:00").unwrap().to_string(), "09:00");
        assert_eq!(ClockTime::parse("23:59").unwrap().to_string(), "23:59");
        for wrong in ["24:00", "9:5", "09:60", "ab:cd", "", "0900", "+9:00"] {
            assert_eq!(ClockTime::parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn a_schedule_is_saved_as_plain_json_and_old_forms_still_read() {
        let trigger = Trigger::Schedule {
            schedule: Schedule::Daily {
                at: ClockTime::parse("09:00").unwrap(),
            },
        };
        let json = serde_json::to_value(&trigger).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "schedule", "schedule": {"every": "daily", "at": "09:00"}})
        );
        assert_eq!(serde_json::from_value::<Trigger>(json).unwrap(), trigger);
        let weekly = serde_json::json!({"kind": "schedule", "schedule": {"every": "weekly", "days": ["Mon", "Fri"], "at": "18:00"}});
        assert!(serde_json::from_value::<Trigger>(weekly).is_ok());
        // A form from before triggers had fields.
        let form = serde_json::json!({
            "name": "Old", "trigger": "manual", "join": "all", "conditions": [],
            "expression": "", "steps": []
        });
        let form: AutomationForm = serde_json::from_value(form).unwrap();
        assert!(form.trigger_fields.is_empty());
    }

    #[test]
    fn a_highlevel_change_keeps_its_tag_or_status_in_a_field() {
        let fields = |value: &str| BTreeMap::from([("value".to_owned(), value.to_owned())]);
        let tagged = Trigger::HighLevel {
            event: "tag_added".into(),
            value: "vip".into(),
        };
        assert_eq!(
            parse_trigger("highlevel:tag_added", &fields(" vip ")),
            Ok(tagged.clone())
        );
        assert_eq!(trigger_fields(&tagged), fields("vip"));
        // A change with nothing to narrow it has no field, and ignores one.
        assert_eq!(
            parse_trigger("highlevel:contact_created", &fields("vip")),
            Ok(Trigger::HighLevel {
                event: "contact_created".into(),
                value: String::new()
            })
        );
        let created = Trigger::HighLevel {
            event: "contact_created".into(),
            value: String::new(),
        };
        assert!(trigger_fields(&created).is_empty());
        assert!(parse_trigger("highlevel:appointment_status", &fields("showed")).is_ok());
        let wrong = parse_trigger("highlevel:appointment_status", &fields("late")).unwrap_err();
        assert_eq!(wrong[0].at, "trigger.value");
        let unknown = parse_trigger("highlevel:weather", &BTreeMap::new()).unwrap_err();
        assert_eq!(unknown[0].at, "trigger");
    }

    #[test]
    fn every_trigger_kind_starts_with_fields_that_parse() {
        for kind in trigger_kinds() {
            assert!(
                parse_trigger(&kind.key, &kind.defaults()).is_ok(),
                "{}",
                kind.key
            );
        }
    }

    #[test]
    fn every_problem_names_its_field() {
        let mut form = AutomationForm::of("", &welcome());
        form.trigger = "app:x".into();
        form.conditions[0].value = String::new();
        form.steps[1].name = "member".into();
        form.steps[1].fields.insert("title".into(), " ".into());
        form.steps[2]
            .fields
            .insert("connection".into(), String::new());
        let at: Vec<String> = form
            .definition()
            .unwrap_err()
            .into_iter()
            .map(|p| p.at)
            .collect();
        assert_eq!(
            at,
            [
                "name",
                "trigger",
                "condition.0",
                "step.1.name",
                "step.1.title",
                "step.2.connection"
            ]
        );
    }

    fn step(name: &str, action: Action) -> Step {
        Step {
            name: name.into(),
            action,
        }
    }

    fn tags(name: &str) -> Step {
        step(
            name,
            Action::AddTags {
                contact_id: "{{ contact }}".into(),
                tags: name.into(),
            },
        )
    }

    fn flow() -> Definition {
        Definition {
            trigger: Trigger::Manual,
            filter: Filter::default(),
            steps: vec![
                step(
                    "pause",
                    Action::Wait {
                        delay: Delay::Duration {
                            amount: "{{ data.days }}".into(),
                            unit: TimeUnit::Days,
                        },
                    },
                ),
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
                tags("basic"),
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
                step(
                    "morning",
                    Action::Wait {
                        delay: Delay::Until {
                            moment: "{{ now | date(add_days=1) }}T09:00".into(),
                        },
                    },
                ),
                tags("gold"),
            ],
        }
    }

    #[test]
    fn waits_and_branches_survive_their_form() {
        let form = AutomationForm::of("Flow", &flow());
        assert_eq!(form.steps[0].fields["mode"], "for");
        assert_eq!(form.steps[1].fields["mode"], "condition");
        assert_eq!(form.steps[3].fields["mode"], "expression");
        assert_eq!(form.steps[4].fields["mode"], "until");
        assert_eq!(form.definition(), Ok(flow()));
    }

    #[test]
    fn a_new_wait_or_branch_starts_on_its_first_choices() {
        let kinds = step_kinds();
        let kind = |key: &str| kinds.iter().find(|kind| kind.key == key).unwrap();
        let wait = StepForm::new(kind("wait"), "wait");
        assert_eq!(wait.fields["mode"], "for");
        assert_eq!(wait.fields["unit"], "days");
        let branch = StepForm::new(kind("branch"), "check");
        assert_eq!(branch.fields["mode"], "condition");
        assert_eq!(branch.fields["operator"], "equals");
        assert_eq!(branch.fields["then_to"], "");
        assert_eq!(branch.fields["otherwise_to"], END);
        // Filled in, the hidden fields are not asked for.
        let mut wait = wait;
        wait.fields.insert("amount".into(), "3".into());
        assert_eq!(
            wait.action(),
            Ok(Action::Wait {
                delay: Delay::Duration {
                    amount: "3".into(),
                    unit: TimeUnit::Days
                }
            })
        );
        let mut branch = branch;
        branch
            .fields
            .insert("field".into(), "steps.found.found".into());
        branch.fields.insert("value".into(), "true".into());
        assert!(branch.action().is_ok(), "{:?}", branch.action());
    }

    fn every_new_kind() -> Definition {
        let contact = || "{{ steps.found.id }}".to_owned();
        let fields = ContactFields {
            first_name: "{{ data.member.first_name }}".into(),
            email: "{{ data.member.email }}".into(),
            ..ContactFields::default()
        };
        Definition {
            trigger: Trigger::Manual,
            filter: Filter::default(),
            steps: vec![
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
                        contact_id: contact(),
                        fields: ContactFields {
                            source: "Clubworx".into(),
                            ..fields.clone()
                        },
                    },
                ),
                step(
                    "member",
                    Action::UpsertContact {
                        fields: ContactFields {
                            company_name: "Acme".into(),
                            ..fields
                        },
                    },
                ),
                step(
                    "moved",
                    Action::UpdateTask {
                        contact_id: contact(),
                        task_id: "{{ steps.task.id }}".into(),
                        title: String::new(),
                        body: String::new(),
                        due: "2027-01-04T09:00".into(),
                    },
                ),
                step(
                    "done",
                    Action::CompleteTask {
                        contact_id: contact(),
                        task_id: "t1".into(),
                    },
                ),
                step(
                    "dropped",
                    Action::DeleteTask {
                        contact_id: contact(),
                        task_id: "t2".into(),
                    },
                ),
                step(
                    "noted",
                    Action::UpdateNote {
                        contact_id: contact(),
                        note_id: "n1".into(),
                        body: "Renewed".into(),
                    },
                ),
                step(
                    "unnoted",
                    Action::DeleteNote {
                        contact_id: contact(),
                        note_id: "n2".into(),
                    },
                ),
                step(
                    "campaign",
                    Action::AddToCampaign {
                        contact_id: contact(),
                        campaign_id: "camp".into(),
                    },
                ),
                step(
                    "uncampaign",
                    Action::RemoveFromCampaign {
                        contact_id: contact(),
                        campaign_id: "camp".into(),
                    },
                ),
                step(
                    "workflow",
                    Action::AddToWorkflow {
                        contact_id: contact(),
                        workflow_id: "wf".into(),
                    },
                ),
                step(
                    "unworkflow",
                    Action::RemoveFromWorkflow {
                        contact_id: contact(),
                        workflow_id: "wf".into(),
                    },
                ),
                step(
                    "follow",
                    Action::AddFollowers {
                        contact_id: contact(),
                        followers: "u1, u2".into(),
                    },
                ),
                step(
                    "unfollow",
                    Action::RemoveFollowers {
                        contact_id: contact(),
                        followers: "u1".into(),
                    },
                ),
                step(
                    "more",
                    Action::HighLevelCall {
                        operation: "get-contact".into(),
                        params: [("contactId".to_owned(), contact())].into(),
                        body: String::new(),
                    },
                ),
                step(
                    "tell",
                    Action::Alert {
                        user_id: Some(7),
                        title: "New member".into(),
                        message: "{{ data.name }}".into(),
                    },
                ),
                step(
                    "everyone",
                    Action::Alert {
                        user_id: None,
                        title: "New member".into(),
                        message: String::new(),
                    },
                ),
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
                            connection_id: 4,
                            path: "/summaries".into(),
                        },
                    },
                ),
                step(
                    "gone",
                    Action::DeleteContact {
                        contact_id: contact(),
                    },
                ),
            ],
        }
    }

    #[test]
    fn the_new_kinds_survive_their_form() {
        let definition = every_new_kind();
        let form = AutomationForm::of("Everything", &definition);
        assert_eq!(form.steps[0].fields["by"], "search");
        assert_eq!(
            form.steps[1].fields.get("company_name"),
            None,
            "an update sets no company"
        );
        assert_eq!(form.steps[2].fields["company_name"], "Acme");
        assert_eq!(
            form.steps[14].fields["param.contactId"],
            "{{ steps.found.id }}"
        );
        assert_eq!(form.steps[15].fields["to"], "7");
        assert_eq!(form.steps[16].fields["to"], "");
        assert_eq!(form.steps[18].fields["deliver"], "app");
        assert_eq!(form.steps[18].fields["connection"], "4");
        assert_eq!(form.definition(), Ok(definition.clone()));
        // Each kind the form offers is the action's, by key and label.
        let kinds = step_kinds();
        for step in &definition.steps {
            let kind = kinds.iter().find(|kind| kind.key == step.action.key());
            assert_eq!(
                kind.map(|kind| kind.label.as_str()),
                Some(step.action.label())
            );
        }
        let mut keys: Vec<&str> = kinds.iter().map(|kind| kind.key.as_str()).collect();
        keys.dedup();
        assert_eq!(keys.len(), kinds.len());
    }

    #[test]
    fn the_new_kinds_say_what_is_missing_next_to_the_field() {
        let problems = |index: usize, change: &dyn Fn(&mut StepForm)| -> Vec<String> {
            let mut form = AutomationForm::of("Everything", &every_new_kind());
            change(&mut form.steps[index]);
            form.definition()
                .unwrap_err()
                .into_iter()
                .map(|problem| problem.at)
                .collect()
        };
        let clear = |keys: &'static [&'static str]| {
            move |step: &mut StepForm| {
                for key in keys {
                    step.fields.insert((*key).into(), " ".into());
                }
            }
        };
        const NAMES: [&str; 5] = ["first_name", "last_name", "email", "phone", "source"];
        assert_eq!(
            problems(1, &clear(&NAMES)),
            ["step.1"],
            "something to change"
        );
        assert_eq!(problems(2, &clear(&["email", "phone"])), ["step.2.email"]);
        assert_eq!(
            problems(3, &clear(&["due"])),
            ["step.3"],
            "something to change"
        );
        assert_eq!(problems(4, &clear(&["task_id"])), ["step.4.task_id"]);
        assert_eq!(problems(6, &clear(&["body"])), ["step.6.body"]);
        assert_eq!(
            problems(8, &clear(&["campaign_id"])),
            ["step.8.campaign_id"]
        );
        assert_eq!(
            problems(11, &clear(&["workflow_id"])),
            ["step.11.workflow_id"]
        );
        assert_eq!(problems(12, &clear(&["followers"])), ["step.12.followers"]);
        assert_eq!(problems(14, &clear(&["operation"])), ["step.14.operation"]);
        assert_eq!(problems(15, &clear(&["title"])), ["step.15.title"]);
        assert_eq!(
            problems(15, &|step: &mut StepForm| {
                step.fields.insert("to".into(), "someone".into());
            }),
            ["step.15.to"]
        );
        assert_eq!(
            problems(18, &clear(&["connection"])),
            ["step.18.connection"]
        );
        // A summary kept as an alert needs no app.
        let mut form = AutomationForm::of("Everything", &every_new_kind());
        form.steps[17]
            .fields
            .insert("connection".into(), String::new());
        assert!(form.definition().is_ok());
        assert_eq!(
            problems(17, &|step: &mut StepForm| {
                step.fields.insert("period".into(), "forever".into());
            }),
            ["step.17.period"]
        );
    }

    #[test]
    fn a_new_summary_starts_as_todays_alert() {
        let kinds = step_kinds();
        let summary = kinds.iter().find(|kind| kind.key == "summary").unwrap();
        let new = StepForm::new(summary, "summary");
        assert_eq!(new.fields["period"], "today");
        assert_eq!(new.fields["deliver"], "alert");
        assert_eq!(
            new.action(),
            Ok(Action::Summary {
                period: "today".into(),
                deliver: SummaryTo::Alert
            })
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn summary_periods_are_the_reports() {
        use crate::reports::summary::Period;
        let periods: Vec<(&str, &str)> = Period::ALL
            .iter()
            .map(|period| (period.key(), period.label()))
            .collect();
        assert_eq!(periods, SUMMARY_PERIODS);
    }

    /// The problems of the flow with `change` made to its form, by field.
    fn problems_after(change: impl FnOnce(&mut AutomationForm)) -> Vec<(String, String)> {
        let mut form = AutomationForm::of("Flow", &flow());
        change(&mut form);
        form.definition()
            .unwrap_err()
            .into_iter()
            .map(|p| (p.at, p.message))
            .collect()
    }

    #[test]
    fn a_branch_only_jumps_forward_to_a_step_that_exists() {
        let set = |form: &mut AutomationForm, step: usize, key: &str, value: &str| {
            form.steps[step].fields.insert(key.into(), value.into());
        };
        let earlier = problems_after(|form| set(form, 3, "otherwise_to", "basic"));
        assert_eq!(earlier.len(), 1);
        assert_eq!(earlier[0].0, "step.3.otherwise_to");
        assert!(earlier[0].1.contains("only goes forward"), "{earlier:?}");
        let itself = problems_after(|form| set(form, 1, "then_to", "check"));
        assert_eq!(itself[0].0, "step.1.then_to");
        let unknown = problems_after(|form| set(form, 1, "then_to", "platinum"));
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].0, "step.1.then_to");
        assert!(unknown[0].1.contains("No step"), "{unknown:?}");
        // Moving the target before the branch is caught too.
        let moved = problems_after(|form| form.steps.swap(1, 5));
        assert!(
            moved.iter().any(|(at, _)| at == "step.5.then_to"),
            "{moved:?}"
        );
        let named_end = problems_after(|form| form.steps[2].name = END.into());
        assert_eq!(named_end[0].0, "step.2.name");
    }

    #[test]
    fn a_wait_and_a_branch_say_what_is_missing_next_to_the_field() {
        let at = |problems: Vec<(String, String)>| -> Vec<String> {
            problems.into_iter().map(|(at, _)| at).collect()
        };
        assert_eq!(
            at(problems_after(|form| {
                form.steps[0].fields.insert("amount".into(), "soon".into());
            })),
            ["step.0.amount"]
        );
        assert_eq!(
            at(problems_after(|form| {
                form.steps[0].fields.insert("amount".into(), "-1".into());
            })),
            ["step.0.amount"]
        );
        assert_eq!(
            at(problems_after(|form| {
                form.steps[4].fields.insert("until".into(), " ".into());
            })),
            ["step.4.until"]
        );
        assert_eq!(
            at(problems_after(|form| {
                form.steps[1].fields.insert("value".into(), String::new());
            })),
            ["step.1.value"]
        );
        assert_eq!(
            at(problems_after(|form| {
                form.steps[1].fields.insert("field".into(), String::new());
            })),
            ["step.1.field"]
        );
        assert_eq!(
            at(problems_after(|form| {
                form.steps[3]
                    .fields
                    .insert("expression".into(), String::new());
            })),
            ["step.3.expression"]
        );
        // "is empty" needs no value.
        let mut form = AutomationForm::of("Flow", &flow());
        form.steps[1]
            .fields
            .insert("operator".into(), "is_empty".into());
        form.steps[1].fields.insert("value".into(), String::new());
        assert!(form.definition().is_ok());
    }
}
