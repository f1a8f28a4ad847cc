//! The builder of one automation, all in forms: what starts it (with the
//! fields of its kind, such as a schedule's), the filters that keep only
//! some events, and the steps in order, each with its own fields (a click
//! on a field of the sample puts it into the field being edited). Saving keeps a new version; a test runs the form as it is on
//! the sample without writing anything; "Run now" runs it for real.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::run::StepList;
use super::StatePill;
use crate::api::automations::{
    automation_editor, Choice, EditorPage, RetryFailedRuns, RunAutomationNow, SaveAutomation,
    SetAutomationState, SkipWaitingRuns, TestAutomation,
};
use crate::automations::form::{
    AutomationForm, FormProblem, Input, StepForm, StepKind, TriggerField, TriggerInput, TriggerKind,
};
use crate::automations::model::{Condition, Join, Operator, WEEK};
use crate::ui::components::PageHeader;

#[island(lazy)]
pub fn AutomationBuilderPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let params = crate::ui::page_address::params();
    let id = move || {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let save = ServerAction::<SaveAutomation>::new();
    let set_state = ServerAction::<SetAutomationState>::new();
    let skip = ServerAction::<SkipWaitingRuns>::new();
    // Only a save that kept a version reloads the form: a refused save or
    // a change of state leaves what the person typed in place.
    let saved = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(
            save.value().get(),
            Some(Ok(crate::api::automations::Saved {
                version: Some(_),
                ..
            }))
        ) {
            saved.update(|n| *n += 1);
        }
    });
    let editor = Resource::new(move || (id(), saved.get()), |(id, _)| automation_editor(id));
    let actions = Actions {
        save,
        set_state,
        skip,
        test: ServerAction::<TestAutomation>::new(),
        run_now: ServerAction::<RunAutomationNow>::new(),
        retry_failed: ServerAction::<RetryFailedRuns>::new(),
        wanted_state: StoredValue::new(None),
    };
    view! {
        <PageHeader title="Automation" subtitle="When this happens, do that." />
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the automation…"</p></section> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(page) => view! { <Builder page actions /> }.into_any(),
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The page's actions: they outlive the form, which reloads after a save.
#[derive(Clone, Copy)]
struct Actions {
    save: ServerAction<SaveAutomation>,
    set_state: ServerAction<SetAutomationState>,
    skip: ServerAction<SkipWaitingRuns>,
    test: ServerAction<TestAutomation>,
    run_now: ServerAction<RunAutomationNow>,
    retry_failed: ServerAction<RetryFailedRuns>,
    /// The state last asked for: a form reloaded while the change was
    /// on its way still shows it once the server agrees.
    wanted_state: StoredValue<Option<String>>,
}

/// What a step's selects offer, from the team's data.
struct Choices {
    app_events: Vec<Choice>,
    connections: Vec<Choice>,
    members: Vec<Choice>,
    operations: Vec<Choice>,
}

#[derive(Clone, Copy)]
struct ConditionRow {
    key: u32,
    field: RwSignal<String>,
    operator: RwSignal<String>,
    value: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct StepRow {
    key: u32,
    name: RwSignal<String>,
    kind: StoredValue<String>,
    fields: RwSignal<BTreeMap<String, String>>,
}

/// Where a picked field of the sample goes.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    Expression,
    ConditionField(u32),
    Step(u32, String),
}

#[derive(Clone, Copy)]
struct Form {
    name: RwSignal<String>,
    trigger: RwSignal<String>,
    /// The fields of the trigger's kind, kept across changes of kind.
    trigger_fields: RwSignal<BTreeMap<String, String>>,
    join: RwSignal<String>,
    expression: RwSignal<String>,
    conditions: RwSignal<Vec<ConditionRow>>,
    steps: RwSignal<Vec<StepRow>>,
    next: StoredValue<u32>,
    active: RwSignal<Option<Slot>>,
    /// The problems of the last save or test, by field.
    problems: RwSignal<Vec<FormProblem>>,
}

impl Form {
    fn new(form: &AutomationForm) -> Self {
        let this = Self {
            name: RwSignal::new(form.name.clone()),
            trigger: RwSignal::new(form.trigger.clone()),
            trigger_fields: RwSignal::new(form.trigger_fields.clone()),
            join: RwSignal::new(if form.join == Join::Any { "any" } else { "all" }.into()),
            expression: RwSignal::new(form.expression.clone()),
            conditions: RwSignal::new(Vec::new()),
            steps: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
            active: RwSignal::new(None),
            problems: RwSignal::new(Vec::new()),
        };
        for condition in &form.conditions {
            this.add_condition(condition.clone());
        }
        for step in &form.steps {
            this.add_step(step.clone());
        }
        this
    }

    fn key(&self) -> u32 {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        key
    }

    fn add_condition(&self, condition: Condition) {
        let row = ConditionRow {
            key: self.key(),
            field: RwSignal::new(condition.field),
            operator: RwSignal::new(condition.operator.key().into()),
            value: RwSignal::new(condition.value),
        };
        self.conditions.update(|rows| rows.push(row));
    }

    fn add_step(&self, step: StepForm) {
        let row = StepRow {
            key: self.key(),
            name: RwSignal::new(step.name),
            kind: StoredValue::new(step.kind),
            fields: RwSignal::new(step.fields),
        };
        self.steps.update(|rows| rows.push(row));
    }

    /// Chooses the trigger `key`; the fields of its kind that have no
    /// value yet start at their defaults.
    fn choose_trigger(&self, key: String, kinds: &[TriggerKind]) {
        if let Some(kind) = kinds.iter().find(|kind| kind.key == key) {
            self.trigger_fields.update(|fields| {
                for field in &kind.fields {
                    fields
                        .entry(field.key.clone())
                        .or_insert_with(|| field.default.clone());
                }
            });
        }
        self.trigger.set(key);
    }

    /// A name no step has yet, from the kind's key.
    fn fresh_name(&self, kind: &str) -> String {
        let base = match kind {
            "apply_mapping" | "update_contact" | "upsert_contact" => "contact",
            "find_contact" => "found",
            "create_task" => "task",
            "update_task" | "complete_task" => "task_change",
            "create_note" => "note",
            "update_note" => "note_change",
            "delete_contact" | "delete_task" | "delete_note" => "deleted",
            "add_to_campaign" | "remove_from_campaign" => "campaign",
            "add_to_workflow" | "remove_from_workflow" => "workflow",
            "add_followers" | "remove_followers" => "followers",
            "send_to_app" => "delivery",
            "alert" => "alert",
            "summary" => "summary",
            "highlevel_call" => "highlevel",
            "wait" => "wait",
            "branch" => "check",
            _ => "tags",
        };
        let taken = |name: &str| {
            self.steps
                .with_untracked(|rows| rows.iter().any(|row| row.name.get_untracked() == name))
        };
        (1..)
            .map(|n| {
                if n == 1 {
                    base.to_owned()
                } else {
                    format!("{base}_{n}")
                }
            })
            .find(|name| !taken(name))
            .unwrap_or_default()
    }

    fn form(&self) -> AutomationForm {
        AutomationForm {
            name: self.name.get(),
            trigger: self.trigger.get(),
            trigger_fields: self.trigger_fields.get(),
            join: if self.join.get() == "any" {
                Join::Any
            } else {
                Join::All
            },
            conditions: self.conditions.with(|rows| {
                rows.iter()
                    .map(|row| Condition {
                        field: row.field.get(),
                        operator: Operator::from_key(&row.operator.get())
                            .unwrap_or(Operator::Equals),
                        value: row.value.get(),
                    })
                    .collect()
            }),
            expression: self.expression.get(),
            steps: self.steps.with(|rows| {
                rows.iter()
                    .map(|row| StepForm {
                        name: row.name.get(),
                        kind: row.kind.get_value(),
                        fields: row.fields.get(),
                    })
                    .collect()
            }),
        }
    }

    /// Puts a picked field of the sample where the person is typing.
    fn insert(&self, path: &str) {
        let braces = format!("{{{{ {path} }}}}");
        let append = |text: &mut String| {
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            text.push_str(&braces);
        };
        match self.active.get_untracked() {
            Some(Slot::Expression) => self.expression.update(append),
            Some(Slot::ConditionField(key)) => {
                if let Some(row) = self
                    .conditions
                    .with_untracked(|rows| rows.iter().find(|r| r.key == key).copied())
                {
                    row.field.set(path.to_owned());
                }
            }
            Some(Slot::Step(key, field)) => {
                if let Some(row) = self
                    .steps
                    .with_untracked(|rows| rows.iter().find(|r| r.key == key).copied())
                {
                    row.fields
                        .update(|fields| append(fields.entry(field).or_default()));
                }
            }
            None => {}
        }
    }

    /// The message for the field at `at`, if the last save or test had one.
    fn problem(&self, at: String) -> impl Fn() -> Option<String> + Copy + 'static {
        let problems = self.problems;
        let at = StoredValue::new(at);
        move || {
            problems.with(|all| {
                at.with_value(|at| {
                    all.iter()
                        .find(|problem| &problem.at == at)
                        .map(|problem| problem.message.clone())
                })
            })
        }
    }
}

#[component]
fn Builder(page: EditorPage, actions: Actions) -> impl IntoView {
    let form = Form::new(&page.form);
    let id = page.id;
    // The problems of the newest save or test show next to their fields.
    Effect::new(move |_| {
        if let Some(Ok(saved)) = actions.save.value().get() {
            form.problems.set(saved.problems);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(tested)) = actions.test.value().get() {
            form.problems.set(tested.problems);
        }
    });
    let kinds = StoredValue::new(page.kinds.clone());
    let trigger_kinds = StoredValue::new(page.trigger_kinds.clone());
    let choices = StoredValue::new(Choices {
        app_events: page.app_events.clone(),
        connections: page.connections.clone(),
        members: page.members.clone(),
        operations: page.operations.clone(),
    });
    let can_change = page.can_change;
    view! {
        <div class="auto-page" data-testid="automation-builder">
            <a class="map-back muted small" href="/automations">"\u{2190} Automations"</a>
            <Head page=page.clone() form actions />
            <div class="map-layout">
                <div class="stack auto-main">
                    <section class="card stack">
                        <h2 class="card-title">"1. When"</h2>
                        <div class="ws-field auto-wide">
                            <label for="auto-trigger">"This starts the automation"</label>
                            <select id="auto-trigger" data-testid="automation-trigger" prop:value=form.trigger
                                on:change=move |ev| trigger_kinds.with_value(|all| form.choose_trigger(event_target_value(&ev), all))>
                                {page.triggers.iter().map(|choice| view! { <option value=choice.value.clone()>{choice.label.clone()}</option> }).collect_view()}
                            </select>
                            <ProblemText text=form.problem("trigger".into()) />
                        </div>
                        <TriggerFields form kinds=trigger_kinds zone=page.zone.clone() next=page.next_ticks.clone() />
                    </section>
                    <Filters form />
                    <section class="card stack" data-testid="automation-steps">
                        <h2 class="card-title">"3. Then"</h2>
                        <p class="muted small">"Steps run in order. A step reads the event and what earlier steps gave: "<code>"{{ steps.contact.contact_id }}"</code>" is the contact the step named contact created or found."</p>
                        <ProblemText text=form.problem("steps".into()) />
                        <For each=move || form.steps.get() key=|row| row.key let:row>
                            <StepCard row form kinds choices />
                        </For>
                        <AddStep form kinds />
                    </section>
                    <SaveBar id version=page.version form actions can_change />
                    <TestResult actions />
                </div>
                <aside class="map-side">
                    <Sample form page=page.clone() />
                    <Versions versions=page.versions.clone() />
                    <section class="card stack">
                        <h2 class="card-title">"Runs"</h2>
                        <a class="button button-secondary button-small" href=format!("/automations/runs?automation={id}") data-testid="automation-runs-link">"See this automation's runs"</a>
                        {can_change.then(|| view! {
                            <button type="button" class="button button-ghost button-small" data-testid="retry-failed"
                                on:click=move |_| { actions.retry_failed.dispatch(RetryFailedRuns { id }); }>"Retry every failed run"</button>
                            {move || actions.retry_failed.value().get().map(|answer| match answer {
                                Ok(count) => view! { <p class="muted small">{format!("{count} run{} queued again.", if count == 1 { "" } else { "s" })}</p> }.into_any(),
                                Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                            })}
                        })}
                    </section>
                </aside>
            </div>
        </div>
    }
    .into_any()
}

/// The fields of the chosen trigger's kind, under its select: for a
/// schedule, how often and when, and its next ticks as saved.
#[component]
fn TriggerFields(
    form: Form,
    kinds: StoredValue<Vec<TriggerKind>>,
    zone: String,
    next: Vec<String>,
) -> impl IntoView {
    let zone = StoredValue::new(zone);
    let next = StoredValue::new(next);
    move || {
        let key = form.trigger.get();
        let kind = kinds.with_value(|all| all.iter().find(|kind| kind.key == key).cloned())?;
        if kind.fields.is_empty() {
            return None;
        }
        let saved = next.get_value();
        Some(
            view! {
                <div class="stack auto-trigger-fields" data-testid="trigger-fields" data-kind=kind.key.clone()>
                    <p class="muted small">{kind.help.clone()}</p>
                    {kind.fields.into_iter().map(|field| view! { <TriggerFieldInput form field /> }).collect_view()}
                    <p class="muted small" data-testid="trigger-zone">{format!("Times are on your team's clock: {}.", zone.get_value())}</p>
                    <NextTicks ticks=saved />
                </div>
            }
            .into_any(),
        )
    }
}

/// A saved schedule's next ticks.
#[component]
fn NextTicks(ticks: Vec<String>) -> impl IntoView {
    if ticks.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="small" data-testid="schedule-next">
            <span class="muted">"Next runs, as saved (when it is on):"</span>
            <ul class="auto-next-ticks">
                {ticks.into_iter().map(|tick| view! { <li>{tick}</li> }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// One field of the trigger's kind, shown while the kind's other fields
/// call for it (a schedule's time, for every day or every week).
#[component]
fn TriggerFieldInput(form: Form, field: TriggerField) -> impl IntoView {
    let field = StoredValue::new(field);
    let shown = Memo::new(move |_| {
        form.trigger_fields
            .with(|fields| field.with_value(|field| field.shown(fields)))
    });
    move || {
        shown
            .get()
            .then(|| view! { <TriggerFieldBody form field=field.get_value() /> })
    }
}

#[component]
fn TriggerFieldBody(form: Form, field: TriggerField) -> impl IntoView {
    let key = StoredValue::new(field.key.clone());
    let value = move || {
        form.trigger_fields
            .with(|fields| key.with_value(|key| fields.get(key).cloned().unwrap_or_default()))
    };
    let set = move |text: String| {
        form.trigger_fields.update(|fields| {
            fields.insert(key.get_value(), text);
        })
    };
    let id = format!("auto-trigger-{}", field.key);
    let testid = format!("trigger-{}", field.key);
    let input = match field.input.clone() {
        TriggerInput::Choice(options) => view! {
            <select id=id.clone() data-testid=testid prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                {options.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        }
        .into_any(),
        TriggerInput::Number { min, max } => view! {
            <input id=id.clone() type="number" step="1" min=min.to_string() max=max.to_string() data-testid=testid
                prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any(),
        TriggerInput::Time => view! {
            <input id=id.clone() type="time" data-testid=testid prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any(),
        TriggerInput::Days => view! { <DayBoxes form key=field.key.clone() /> }.into_any(),
        TriggerInput::Text => view! {
            <input id=id.clone() class="map-expression" spellcheck="false" autocomplete="off" data-testid=testid
                placeholder=field.placeholder.clone() prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
        }
        .into_any(),
    };
    let help =
        (!field.help.is_empty()).then(|| view! { <p class="muted small">{field.help.clone()}</p> });
    view! {
        <div class="ws-field auto-wide">
            <label for=id>{field.label.clone()}</label>
            {input}
            {help}
            <ProblemText text=form.problem(format!("trigger.{}", field.key)) />
        </div>
    }
    .into_any()
}

/// A checkbox for each day of the week, written into the field `key` as
/// `mon,thu`.
#[component]
fn DayBoxes(form: Form, key: String) -> impl IntoView {
    let key = StoredValue::new(key);
    let chosen = move || {
        form.trigger_fields
            .with(|fields| key.with_value(|key| fields.get(key).cloned().unwrap_or_default()))
    };
    let toggle = move |day: &'static str, on: bool| {
        let mut days: Vec<String> = chosen()
            .split(',')
            .map(|part| part.trim().to_ascii_lowercase())
            .filter(|part| !part.is_empty() && part != day)
            .collect();
        if on {
            days.push(day.to_owned());
        }
        let text = WEEK
            .iter()
            .filter(|(_, week_day)| days.iter().any(|chosen| chosen == week_day))
            .map(|(_, week_day)| *week_day)
            .collect::<Vec<_>>()
            .join(",");
        form.trigger_fields.update(|fields| {
            fields.insert(key.get_value(), text);
        });
    };
    view! {
        <div class="auto-days" role="group" aria-label="Days of the week" data-testid="trigger-days">
            {WEEK.iter().map(|(_, day)| {
                let day: &'static str = day;
                let checked = move || chosen().split(',').any(|part| part.trim().eq_ignore_ascii_case(day));
                let label = format!("{}{}", day[..1].to_ascii_uppercase(), &day[1..]);
                view! {
                    <label class="auto-day">
                        <input type="checkbox" data-testid=format!("trigger-day-{day}") prop:checked=checked
                            on:change=move |ev| toggle(day, event_target_checked(&ev)) />
                        {label}
                    </label>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn ProblemText(text: impl Fn() -> Option<String> + Send + Sync + 'static) -> impl IntoView {
    move || {
        text().map(|message| view! { <p class="field-error" role="alert" data-testid="form-problem">{message}</p> })
    }
}

/// The name, whether it runs, and what waits while it is paused.
#[component]
fn Head(page: EditorPage, form: Form, actions: Actions) -> impl IntoView {
    let id = page.id;
    let state = RwSignal::new(page.state.clone());
    let waiting = RwSignal::new(page.waiting);
    let set = move |to: &'static str| {
        actions.wanted_state.set_value(Some(to.to_owned()));
        actions.set_state.dispatch(SetAutomationState {
            id,
            state: to.into(),
        });
    };
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(wanted)) = (
            actions.set_state.value().get(),
            actions.wanted_state.get_value(),
        ) {
            state.set(wanted);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.skip.value().get() {
            waiting.set(0);
        }
    });
    let can_change = page.can_change;
    let runs_wait = move || state.get() == "paused" && waiting.get() != 0;
    let in_wait = page.in_wait;
    let held = move || state.get() != "on" && in_wait != 0;
    view! {
        <section class="card stack auto-head">
            <div class="auto-head-row">
                <div class="ws-field auto-wide">
                    <label for="auto-name">"Name"</label>
                    <input id="auto-name" data-testid="automation-name" prop:value=form.name
                        on:input=move |ev| form.name.set(event_target_value(&ev)) />
                    <ProblemText text=form.problem("name".into()) />
                </div>
                <div class="auto-state">
                    {move || view! { <StatePill state=state.get() /> }}
                    <span class="muted small">{format!("Version {}", page.version)}</span>
                </div>
            </div>
            {can_change.then(|| view! {
                <div class="auto-state-buttons" role="group" aria-label="Whether it runs">
                    <button type="button" class="button button-small" class:button-secondary=move || state.get() != "on" data-testid="turn-on"
                        disabled=move || state.get() == "on" on:click=move |_| set("on")>"Turn on"</button>
                    <button type="button" class="button button-small button-secondary" data-testid="pause"
                        disabled=move || state.get() == "paused" on:click=move |_| set("paused")>"Pause"</button>
                    <button type="button" class="button button-small button-secondary" data-testid="turn-off"
                        disabled=move || state.get() == "off" on:click=move |_| set("off")>"Turn off"</button>
                </div>
            })}
            <p class="muted small" data-testid="state-meaning">{move || state_meaning(&state.get(), form.trigger.get() == "schedule")}</p>
            <Show when=runs_wait>
                <div class="auto-waiting">
                    <span>{move || format!("{} run{} waiting.", waiting.get(), if waiting.get() == 1 { "" } else { "s" })}</span>
                    {can_change.then(|| view! {
                        <button type="button" class="button button-small button-ghost" data-testid="skip-waiting"
                            on:click=move |_| { actions.skip.dispatch(SkipWaitingRuns { id }); }>"Skip them (kept as skipped)"</button>
                    })}
                </div>
            </Show>
            <Show when=held>
                <p class="muted small" data-testid="runs-in-wait">{format!(
                    "{in_wait} run{} part-way through, held by a Wait step: {} on after the wait once the automation is on. Skipping leaves {}.",
                    if in_wait == 1 { " is" } else { "s are" },
                    if in_wait == 1 { "it goes" } else { "they go" },
                    if in_wait == 1 { "it" } else { "them" },
                )}</p>
            </Show>
            {move || actions.set_state.value().get().and_then(Result::err).map(|error| view! { <p class="form-error">{error.to_string()}</p> })}
        </section>
    }
    .into_any()
}

/// What on, paused and off mean for the automation's kind of trigger.
fn state_meaning(state: &str, scheduled: bool) -> &'static str {
    match (state, scheduled) {
        ("on", false) => "On: every event of its trigger starts a run.",
        ("paused", false) => "Paused: events are kept in the queue and run when it is on again.",
        (_, false) => "Off: events of its trigger are not kept for it. Test it on the sample, then turn it on.",
        ("on", true) => "On: each tick of its schedule starts a run.",
        ("paused", true) => "Paused: its ticks are kept in the queue and run when it is on again.",
        (_, true) => "Off: its schedule does not tick. Test it on the sample, then turn it on: the first run is the first tick after that.",
    }
}

#[component]
fn Filters(form: Form) -> impl IntoView {
    view! {
        <section class="card stack" data-testid="automation-filters">
            <h2 class="card-title">"2. Only if (optional)"</h2>
            <p class="muted small">"Runs the filters stop are kept as “filtered”, not as failures. Text compares without regard to case."</p>
            <Show when=move || !form.conditions.with(Vec::is_empty)>
                <div class="ws-field">
                    <label for="auto-join">"Go on when"</label>
                    <select id="auto-join" prop:value=form.join on:change=move |ev| form.join.set(event_target_value(&ev))>
                        <option value="all">"every condition holds"</option>
                        <option value="any">"any condition holds"</option>
                    </select>
                </div>
            </Show>
            <For each=move || form.conditions.get() key=|row| row.key let:row>
                <ConditionLine row form />
            </For>
            <button type="button" class="button button-secondary button-small" data-testid="add-condition"
                on:click=move |_| form.add_condition(Condition { field: String::new(), operator: Operator::Equals, value: String::new() })>
                "Add a condition"
            </button>
            <div class="ws-field auto-wide">
                <label for="auto-expression">"And this expression is true"</label>
                <input id="auto-expression" class="map-expression" spellcheck="false" placeholder="{{ data.member.status == 'Active' }}"
                    prop:value=form.expression on:focus=move |_| form.active.set(Some(Slot::Expression))
                    on:input=move |ev| form.expression.set(event_target_value(&ev)) />
                <ProblemText text=form.problem("expression".into()) />
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn ConditionLine(row: ConditionRow, form: Form) -> impl IntoView {
    let index = Memo::new(move |_| {
        form.conditions
            .with(|rows| rows.iter().position(|r| r.key == row.key).unwrap_or(0))
    });
    let problem = move || form.problem(format!("condition.{}", index.get()))();
    let takes_value =
        move || Operator::from_key(&row.operator.get()).is_none_or(Operator::takes_value);
    view! {
        <div class="auto-condition" data-testid="condition">
            <input aria-label="Field" class="map-path" spellcheck="false" placeholder="data.member.status" data-testid="condition-field"
                prop:value=row.field on:focus=move |_| form.active.set(Some(Slot::ConditionField(row.key)))
                on:input=move |ev| row.field.set(event_target_value(&ev)) />
            <select aria-label="Operator" data-testid="condition-operator" prop:value=row.operator on:change=move |ev| row.operator.set(event_target_value(&ev))>
                {Operator::ALL.into_iter().map(|op| view! { <option value=op.key()>{op.label()}</option> }).collect_view()}
            </select>
            <Show when=takes_value>
                <input aria-label="Value" data-testid="condition-value" placeholder="Active" prop:value=row.value
                    on:input=move |ev| row.value.set(event_target_value(&ev)) />
            </Show>
            <button type="button" class="button button-small button-ghost" aria-label="Remove this condition"
                on:click=move |_| form.conditions.update(|rows| rows.retain(|r| r.key != row.key))>"\u{2715}"</button>
            <div class="auto-condition-problem"><ProblemText text=problem /></div>
        </div>
    }
    .into_any()
}

#[component]
fn StepCard(
    row: StepRow,
    form: Form,
    kinds: StoredValue<Vec<StepKind>>,
    choices: StoredValue<Choices>,
) -> impl IntoView {
    let index = Memo::new(move |_| {
        form.steps
            .with(|rows| rows.iter().position(|r| r.key == row.key).unwrap_or(0))
    });
    let kind = kinds.with_value(|all| {
        all.iter()
            .find(|kind| kind.key == row.kind.get_value())
            .cloned()
    });
    let Some(kind) = kind else {
        return ().into_any();
    };
    let move_by = move |delta: isize| {
        form.steps.update(|rows| {
            let Some(at) = rows.iter().position(|r| r.key == row.key) else {
                return;
            };
            let to = at.saturating_add_signed(delta).min(rows.len() - 1);
            rows.swap(at, to);
        })
    };
    view! {
        <div class="auto-step" data-testid="step" data-kind=kind.key.clone()>
            <div class="auto-step-head">
                <span class="auto-step-number">{move || index.get() + 1}</span>
                <div class="auto-step-title">
                    <strong>{kind.label.clone()}</strong>
                    <span class="muted small">{kind.help.clone()}</span>
                </div>
                <div class="auto-step-tools">
                    <button type="button" class="button button-small button-ghost" aria-label="Move up" on:click=move |_| move_by(-1)>"\u{2191}"</button>
                    <button type="button" class="button button-small button-ghost" aria-label="Move down" on:click=move |_| move_by(1)>"\u{2193}"</button>
                    <button type="button" class="button button-small button-ghost" aria-label="Remove this step" data-testid="remove-step"
                        on:click=move |_| form.steps.update(|rows| rows.retain(|r| r.key != row.key))>"\u{2715}"</button>
                </div>
            </div>
            <ProblemText text=move || form.problem(format!("step.{}", index.get()))() />
            <div class="auto-step-fields">
                <div class="ws-field">
                    <label>"Step name"</label>
                    <input class="map-path" data-testid="step-name" spellcheck="false" prop:value=row.name on:input=move |ev| row.name.set(event_target_value(&ev)) />
                    <ProblemText text=move || form.problem(format!("step.{}.name", index.get()))() />
                </div>
                {kind.fields.into_iter().map(|field| view! { <StepField row form field index choices /> }).collect_view()}
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn StepField(
    row: StepRow,
    form: Form,
    field: crate::automations::form::FieldSpec,
    index: Memo<usize>,
    choices: StoredValue<Choices>,
) -> impl IntoView {
    let key = StoredValue::new(field.key.clone());
    let value = move || {
        row.fields
            .with(|fields| key.with_value(|key| fields.get(key).cloned().unwrap_or_default()))
    };
    let set = move |text: String| {
        row.fields.update(|fields| {
            fields.insert(key.get_value(), text);
        })
    };
    let problem = move || form.problem(format!("step.{}.{}", index.get(), key.get_value()))();
    let label = if field.optional {
        format!("{} (optional)", field.label)
    } else {
        field.label.clone()
    };
    let input = match field.input {
        Input::Expression => view! {
            <input class="map-expression" spellcheck="false" autocomplete="off" data-testid=format!("step-{}", field.key)
                placeholder=field.placeholder.clone() prop:value=value
                on:focus=move |_| form.active.set(Some(Slot::Step(row.key, key.get_value())))
                on:input=move |ev| set(event_target_value(&ev)) />
        }.into_any(),
        Input::AppEvent | Input::Connection | Input::Operation => {
            let options = choices.with_value(|choices| match field.input {
                Input::AppEvent => choices.app_events.clone(),
                Input::Connection => choices.connections.clone(),
                _ => choices.operations.clone(),
            });
            view! { <ChoiceSelect key=field.key.clone() first="Choose…" options value set /> }.into_any()
        }
        Input::TeamMember => {
            let options = choices.with_value(|choices| choices.members.clone());
            view! { <ChoiceSelect key=field.key.clone() first="The whole team" options value set /> }.into_any()
        }
        Input::Json => view! {
            <textarea class="map-expression auto-json" rows="5" spellcheck="false" data-testid=format!("step-{}", field.key)
                placeholder=field.placeholder.clone() prop:value=value
                on:focus=move |_| form.active.set(Some(Slot::Step(row.key, key.get_value())))
                on:input=move |ev| set(event_target_value(&ev))></textarea>
        }.into_any(),
        Input::FindBy => view! {
            <select data-testid=format!("step-{}", field.key) prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                <option value="email">"E-mail, in HighLevel"</option>
                <option value="phone">"Phone, in HighLevel"</option>
                <option value="search">"Words, as the Contacts page's search finds them"</option>
            </select>
        }.into_any(),
        Input::Select => view! {
            <select data-testid=format!("step-{}", field.key) prop:value=value on:change=move |ev| set(event_target_value(&ev))>
                {field.options.iter().map(|(option, label)| view! { <option value=option.clone()>{label.clone()}</option> }).collect_view()}
            </select>
        }.into_any(),
        Input::LaterStep => view! { <LaterStepPicker row form field=field.clone() index /> }.into_any(),
    };
    // A field of another mode (the moment of a wait for a while) is hidden.
    let spec = StoredValue::new(field);
    let style = move || {
        let shown = row
            .fields
            .with(|fields| spec.with_value(|spec| spec.shown(fields)));
        if shown {
            ""
        } else {
            "display: none"
        }
    };
    view! {
        <div class="ws-field auto-wide" style=style>
            <label>{label}</label>
            {input}
            <ProblemText text=problem />
        </div>
    }
    .into_any()
}

/// A select of the team's choices after a first one with no value. A value
/// no longer offered (an operation the connection may not send any more)
/// stays listed while it is chosen, so the problem next to it says why.
#[component]
fn ChoiceSelect(
    key: String,
    first: &'static str,
    options: Vec<Choice>,
    value: impl Fn() -> String + Copy + Send + Sync + 'static,
    set: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current = untrack(value);
    let kept = (!current.is_empty() && !options.iter().any(|choice| choice.value == current))
        .then(|| view! { <option value=current.clone()>{current.clone()}</option> });
    view! {
        <select data-testid=format!("step-{key}") prop:value=value on:change=move |ev| set(event_target_value(&ev))>
            <option value="">{first}</option>
            {options.into_iter().map(|choice| view! { <option value=choice.value>{choice.label}</option> }).collect_view()}
            {kept}
        </select>
    }
    .into_any()
}

/// Where a branch goes: its fixed choices (the next step, the end of the
/// run), then each step after the branch by its number and name. A step
/// that is no longer after it stays listed while it is chosen, so the
/// problem next to the field says why it will not do.
#[component]
fn LaterStepPicker(
    row: StepRow,
    form: Form,
    field: crate::automations::form::FieldSpec,
    index: Memo<usize>,
) -> impl IntoView {
    let key = StoredValue::new(field.key.clone());
    let fixed = StoredValue::new(field.options.clone());
    let value = move || {
        row.fields
            .with(|fields| key.with_value(|key| fields.get(key).cloned().unwrap_or_default()))
    };
    let options = move || {
        let current = value();
        let mut options = fixed.get_value();
        let later = form.steps.with(|rows| {
            let after = index.get() + 1;
            rows.iter()
                .enumerate()
                .skip(after)
                .map(|(at, r)| (r.name.get(), format!("Step {}: {}", at + 1, r.name.get())))
                .collect::<Vec<_>>()
        });
        options.extend(later);
        if !options.iter().any(|(option, _)| *option == current) {
            options.push((current.clone(), current.clone()));
        }
        options
            .into_iter()
            .map(|(option, label)| {
                let chosen = option == current;
                view! { <option value=option selected=chosen>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <select data-testid=format!("step-{}", field.key) prop:value=value
            on:change=move |ev| row.fields.update(|fields| { fields.insert(key.get_value(), event_target_value(&ev)); })>
            {options}
        </select>
    }
    .into_any()
}

#[component]
fn AddStep(form: Form, kinds: StoredValue<Vec<StepKind>>) -> impl IntoView {
    let chosen = RwSignal::new("create_task".to_owned());
    let add = move |_| {
        let key = chosen.get_untracked();
        let Some(kind) = kinds.with_value(|all| all.iter().find(|kind| kind.key == key).cloned())
        else {
            return;
        };
        form.add_step(StepForm::new(&kind, &form.fresh_name(&key)));
    };
    view! {
        <div class="auto-add-step">
            <select aria-label="Kind of step" data-testid="step-kind" prop:value=chosen on:change=move |ev| chosen.set(event_target_value(&ev))>
                {kinds.with_value(|all| {
                    let mut groups: Vec<(String, Vec<StepKind>)> = Vec::new();
                    for kind in all {
                        match groups.iter_mut().find(|(group, _)| *group == kind.group) {
                            Some((_, kinds)) => kinds.push(kind.clone()),
                            None => groups.push((kind.group.clone(), vec![kind.clone()])),
                        }
                    }
                    groups.into_iter().map(|(group, kinds)| view! {
                        <optgroup label=group>
                            {kinds.into_iter().map(|kind| view! { <option value=kind.key>{kind.label}</option> }).collect_view()}
                        </optgroup>
                    }).collect_view()
                })}
            </select>
            <button type="button" class="button button-secondary" data-testid="add-step" on:click=add>"Add a step"</button>
        </div>
    }
    .into_any()
}

#[component]
fn SaveBar(id: i64, version: i32, form: Form, actions: Actions, can_change: bool) -> impl IntoView {
    if !can_change {
        return view! { <p class="muted">"Owners and admins of your team change automations."</p> }
            .into_any();
    }
    let saving = actions.save.pending();
    let testing = actions.test.pending();
    view! {
        <section class="card auto-save" data-testid="automation-save-bar">
            <div class="auto-save-buttons">
                <button type="button" class="button" data-testid="save-automation" disabled=move || saving.get()
                    on:click=move |_| { actions.save.dispatch(SaveAutomation { id, form: form.form() }); }>"Save"</button>
                <button type="button" class="button button-secondary" data-testid="test-automation" disabled=move || testing.get()
                    on:click=move |_| { actions.test.dispatch(TestAutomation { id, form: form.form() }); }>
                    {move || if testing.get() { "Testing…" } else { "Test with the sample" }}
                </button>
                <button type="button" class="button button-ghost" data-testid="run-now"
                    on:click=move |_| { actions.run_now.dispatch(RunAutomationNow { id }); }>"Send one real test"</button>
            </div>
            <div data-testid="save-result">
                {move || actions.save.value().get().map(|answer| match answer {
                    Ok(saved) => match saved.version {
                        // The note waits for the form to reload with the saved version.
                        Some(kept) if kept != version => view! { <p class="muted small loading">"Saved, reloading…"</p> }.into_any(),
                        Some(kept) => view! { <p class="form-success">{saved_note(kept, &saved.next_ticks)}</p> }.into_any(),
                        None => view! { <p class="form-error">{format!("Not saved: fix the {} problem{} shown next to {}.", saved.problems.len(), if saved.problems.len() == 1 { "" } else { "s" }, if saved.problems.len() == 1 { "its field" } else { "their fields" })}</p> }.into_any(),
                    },
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                })}
                {move || actions.run_now.value().get().map(|answer| match answer {
                    Ok(run) => view! { <p class="form-success">"A real run is on its way: "<a href=format!("/automations/runs/{run}") data-testid="real-run-link">{format!("run #{run}")}</a></p> }.into_any(),
                    Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                })}
            </div>
        </section>
    }
    .into_any()
}

/// A save's note: the version, and a schedule's next tick.
fn saved_note(version: i32, next_ticks: &[String]) -> String {
    match next_ticks.first() {
        Some(next) => format!("Saved as version {version}. Next run: {next} (when it is on)."),
        None => format!("Saved as version {version}."),
    }
}

/// What the last test built: each step's request, nothing sent.
#[component]
fn TestResult(actions: Actions) -> impl IntoView {
    move || {
        actions.test.value().get().map(|answer| match answer {
            Ok(tested) => match tested.run {
                Some(run) => view! {
                    <section class="card stack" data-testid="test-result">
                        <h2 class="card-title">"Test on the sample"</h2>
                        <p class="small">
                            <span class=format!("pill run-{}", run.run.status)>{run.run.status_label.clone()}</span>
                            " Nothing was written: each request below is what a real run sends."
                        </p>
                        {run.run.error.clone().map(|error| view! { <p class="form-error" data-testid="test-error">{error}</p> })}
                        <StepList steps=run.steps.clone() />
                    </section>
                }.into_any(),
                None => view! { <section class="card"><p class="form-error">"Not tested: fix the problems shown next to their fields."</p></section> }.into_any(),
            },
            Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
        })
    }
}

#[component]
fn Sample(form: Form, page: EditorPage) -> impl IntoView {
    view! {
        <section class="card stack map-sample" data-testid="automation-sample">
            <h2 class="card-title">"Fields you can use"</h2>
            <p class="muted small">{page.sample_from.clone()}" Click a field to put it where you are typing."</p>
            <ul class="map-fields">
                {page.sample_fields.iter().map(|field| {
                    let path = field.path.clone();
                    view! {
                        <li>
                            <button type="button" class="map-field" data-testid="sample-field" data-path=path.clone()
                                on:mousedown=move |ev| ev.prevent_default()
                                on:click=move |_| form.insert(&path)>
                                <code>{field.path.clone()}</code>
                                <span class="muted small">{field.value.clone()}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <details>
                <summary class="small">"The whole sample"</summary>
                <pre class="map-json">{page.sample.clone()}</pre>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn Versions(versions: Vec<(i32, String, String)>) -> impl IntoView {
    view! {
        <section class="card stack">
            <h2 class="card-title">"Versions"</h2>
            <p class="muted small">"Each save is a version; every run says which one it ran."</p>
            <ul class="map-version-list" data-testid="automation-versions">
                {versions.into_iter().map(|(version, at, by)| view! {
                    <li><strong>{format!("Version {version}")}</strong>" "<span class="muted small">{at}{(!by.is_empty()).then(|| format!(" \u{b7} {by}"))}</span></li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
