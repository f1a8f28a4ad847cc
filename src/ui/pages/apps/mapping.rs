//! The field-mapping builder: one row per HighLevel field with the
//! expression that fills it, a picker of the sample's fields (a click puts
//! the field into the row being edited), the requests HighLevel would get
//! and each row's problems, worked out on the server as the person types,
//! and the saved versions with a restore.

use leptos::prelude::*;

use super::AppTileView;
use crate::api::apps_mapping::{
    check_mapping, mapping_editor, LookupRow, MappingCheck, MappingDraft, MappingPage,
    MappingProblem, RestoreMapping, RuleDraft, SaveMapping, TargetChoice, VersionRow,
};
use crate::ui::components::PageHeader;
use crate::ui::workspace::refusal_of;

/// `/apps/{id}/mapping?type=…`: the page of one event type's mapping.
pub fn mapping_href(connection_id: i64, event_type: &str) -> String {
    let encoded =
        percent_encoding::utf8_percent_encode(event_type, percent_encoding::NON_ALPHANUMERIC);
    format!("/apps/{connection_id}/mapping?type={encoded}")
}

/// `/apps/{id}/mapping?send=contact`: the body sent to the app for a record.
pub fn delivery_href(connection_id: i64, record: &str) -> String {
    let encoded = percent_encoding::utf8_percent_encode(record, percent_encoding::NON_ALPHANUMERIC);
    format!("/apps/{connection_id}/mapping?send={encoded}")
}

#[island(lazy)]
pub fn MappingBuilderPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let params = crate::ui::page_address::params();
    let query = crate::ui::page_address::query();
    let source = move || {
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
        let (sends, subject) = query.with(|q| match q.get("send") {
            Some(record) => (true, record),
            None => (false, q.get("type").unwrap_or_default()),
        });
        (id.unwrap_or(0), sends, subject)
    };
    // Bumped after a save or a restore, to read the versions again; the
    // actions live here so their answers outlast the form they re-render.
    let saves = RwSignal::new(0u32);
    let save = ServerAction::<SaveMapping>::new();
    let restore = ServerAction::<RestoreMapping>::new();
    // Each answer clears the other's, so only the latest is shown.
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            restore.value().set(None);
            saves.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if matches!(restore.value().get(), Some(Ok(_))) {
            save.value().set(None);
            saves.update(|n| *n += 1);
        }
    });
    let page = Resource::new(
        move || (source(), saves.get()),
        |((id, sends, subject), _)| mapping_editor(id, sends, subject),
    );
    view! {
        <PageHeader title="Field mapping" subtitle="Which field goes where, between the app and HighLevel." />
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the mapping…"</p></section> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <Builder page save restore /> }.into_any(),
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// One row of the form; its fields are signals so typing keeps the focus.
#[derive(Clone, Copy)]
struct Row {
    key: u32,
    target: RwSignal<String>,
    expression: RwSignal<String>,
    mode: RwSignal<String>,
}

#[derive(Clone, Copy)]
struct LookupLine {
    key: u32,
    table: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

/// The form's state, and the next key for a new row.
#[derive(Clone, Copy)]
struct Form {
    identify_by: RwSignal<String>,
    external_field: RwSignal<String>,
    rows: RwSignal<Vec<Row>>,
    lookups: RwSignal<Vec<LookupLine>>,
    next_key: StoredValue<u32>,
    /// The row a picked field goes into.
    active: RwSignal<Option<u32>>,
}

impl Form {
    fn new(draft: &MappingDraft) -> Self {
        let form = Self {
            identify_by: RwSignal::new(draft.identify_by.clone()),
            external_field: RwSignal::new(draft.external_field.clone()),
            rows: RwSignal::new(Vec::new()),
            lookups: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            active: RwSignal::new(None),
        };
        for rule in &draft.rules {
            form.add_row(rule.clone());
        }
        for row in &draft.lookups {
            form.add_lookup(row.clone());
        }
        form
    }

    fn key(&self) -> u32 {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }

    fn add_row(&self, rule: RuleDraft) -> u32 {
        let key = self.key();
        self.rows.update(|rows| {
            rows.push(Row {
                key,
                target: RwSignal::new(rule.target),
                expression: RwSignal::new(rule.expression),
                mode: RwSignal::new(rule.mode),
            })
        });
        key
    }

    fn add_lookup(&self, row: LookupRow) {
        let key = self.key();
        self.lookups.update(|lines| {
            lines.push(LookupLine {
                key,
                table: RwSignal::new(row.table),
                from: RwSignal::new(row.from),
                to: RwSignal::new(row.to),
            })
        });
    }

    fn draft(&self) -> MappingDraft {
        MappingDraft {
            identify_by: self.identify_by.get(),
            external_field: self.external_field.get(),
            rules: self.rows.with(|rows| {
                rows.iter()
                    .map(|row| RuleDraft {
                        target: row.target.get(),
                        expression: row.expression.get(),
                        mode: row.mode.get(),
                    })
                    .collect()
            }),
            lookups: self.lookups.with(|lines| {
                lines
                    .iter()
                    .map(|line| LookupRow {
                        table: line.table.get(),
                        from: line.from.get(),
                        to: line.to.get(),
                    })
                    .collect()
            }),
        }
    }

    fn index_of(&self, key: u32) -> Option<usize> {
        self.rows
            .with(|rows| rows.iter().position(|row| row.key == key))
    }

    /// Puts `{{ path }}` at the end of the active row, or in a new row.
    fn insert(&self, path: &str) {
        let placeholder = format!("{{{{ {path} }}}}");
        let active = self.active.get_untracked().and_then(|key| {
            self.rows
                .with_untracked(|rows| rows.iter().find(|row| row.key == key).copied())
        });
        match active {
            Some(row) => row.expression.update(|text| {
                if !text.is_empty() && !text.ends_with(' ') {
                    text.push(' ');
                }
                text.push_str(&placeholder);
            }),
            None => {
                let key = self.add_row(RuleDraft {
                    target: String::new(),
                    expression: placeholder,
                    mode: "overwrite".into(),
                });
                self.active.set(Some(key));
            }
        }
    }
}

#[component]
fn Builder(
    page: MappingPage,
    save: ServerAction<SaveMapping>,
    restore: ServerAction<RestoreMapping>,
) -> impl IntoView {
    let form = Form::new(&page.draft);
    let id = page.connection_id;
    let sends = page.sends;
    let subject = StoredValue::new(page.subject.clone());
    let draft = Memo::new(move |_| form.draft());
    // Checked once the page has hydrated (an Effect runs only then): the
    // server renders the page unchecked, and so does hydration.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let check = Resource::new(
        move || (hydrated.get(), draft.get()),
        move |(hydrated, draft)| async move {
            match hydrated {
                true => Some(check_mapping(id, sends, subject.get_value(), draft).await),
                false => None,
            }
        },
    );
    let targets = StoredValue::new(page.targets.clone());
    let checked = Signal::derive(move || check.get().flatten().and_then(Result::ok));
    let can_change = page.can_change;
    view! {
        <div class="map-page" data-testid="mapping-builder">
            <a class="map-back muted small" href=format!("/apps/{id}")>{format!("\u{2190} {}", page.connection_name)}</a>
            <section class="card map-head">
                <div class="app-heading">
                    <AppTileView tile=page.tile.clone() />
                    <div>
                        <h2 class="card-title" data-testid="mapping-event">{page.label.clone()}</h2>
                        <span class="muted small">{if sends { "Sent to the app \u{b7} " } else { "" }}<code>{page.subject.clone()}</code>" \u{b7} "{page.sample_from.clone()}</span>
                    </div>
                </div>
                {page.location_note.clone().map(|note| view! { <p class="form-warning small">{note}</p> })}
            </section>
            <div class="map-layout">
                <section class="card stack map-rules" data-testid="mapping-rules">
                    {if sends {
                        view! {
                            <h2 class="card-title">"Fields the app gets"</h2>
                            <p class="muted small">
                                "Each row fills one field of the body sent to the app: name it with dots for nesting ("<code>"member.email"</code>"), and end it with [] for a list. Type text, or click a field of the record to put it in the row you are editing."
                            </p>
                        }.into_any()
                    } else {
                        view! {
                            <h2 class="card-title">"HighLevel fields"</h2>
                            <p class="muted small">
                                "Each row fills one HighLevel field. Type text, or click a field of the sample to put it in the row you are editing. Filters change a value: "
                                <code>"{{ data.member.email | lower }}"</code>
                                ". See the list under the rows."
                            </p>
                            <Identity form custom_fields=page.custom_fields.clone() />
                        }.into_any()
                    }}
                    <WholeMappingProblems checked />
                    <div class="map-rows">
                        <For each=move || form.rows.get() key=|row| row.key let:row>
                            <RuleRow row form targets checked sends />
                        </For>
                    </div>
                    <button type="button" class="button button-secondary" data-testid="add-rule"
                        on:click=move |_| { let key = form.add_row(RuleDraft { target: String::new(), expression: String::new(), mode: "overwrite".into() }); form.active.set(Some(key)); }>
                        "Add a field"
                    </button>
                    <Lookups form />
                    <FilterHelp />
                    <SaveBar id sends subject save checked draft can_change />
                </section>
                <aside class="map-side">
                    <SamplePicker form fields=page.sample_fields.clone() sample=page.sample.clone() sends />
                    <RequestPreview checked sends />
                    <Versions id sends subject versions=page.versions.clone() can_change restore />
                </aside>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Identity(form: Form, custom_fields: Vec<(String, String)>) -> impl IntoView {
    let has_custom = !custom_fields.is_empty();
    view! {
        <div class="map-identity">
            <div class="ws-field">
                <label for="map-identify">"Find the HighLevel contact by"</label>
                <select id="map-identify" data-testid="identify-by" prop:value=form.identify_by
                    on:change=move |ev| form.identify_by.set(event_target_value(&ev))>
                    <option value="email">"Email"</option>
                    <option value="phone">"Phone"</option>
                    <option value="external_id" disabled=!has_custom>"The app's id, kept in a custom field"</option>
                </select>
            </div>
            <Show when=move || form.identify_by.get() == "external_id">
                <div class="ws-field">
                    <label for="map-external">"Custom field with the app's id"</label>
                    <select id="map-external" prop:value=form.external_field
                        on:change=move |ev| form.external_field.set(event_target_value(&ev))>
                        <option value="">"Choose a field"</option>
                        {custom_fields.iter().map(|(key, name)| view! { <option value=key.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                </div>
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn RuleRow(
    row: Row,
    form: Form,
    targets: StoredValue<Vec<TargetChoice>>,
    checked: Signal<Option<MappingCheck>>,
    sends: bool,
) -> impl IntoView {
    let index = Memo::new(move |_| form.index_of(row.key));
    let problems = Memo::new(move |_| {
        let at = index.get();
        checked.with(|check| {
            check
                .iter()
                .flat_map(|check| check.problems.iter())
                .filter(|problem| problem.rule.is_some() && problem.rule == at)
                .map(|problem| problem.message.clone())
                .collect::<Vec<_>>()
        })
    });
    let value = move || {
        let at = index.get()?;
        checked.with(|check| check.as_ref()?.values.get(at).cloned().flatten())
    };
    let field_id = format!("map-rule-{}", row.key);
    let is_tags = move || row.target.get() == "contact.tags";
    view! {
        <div class="map-row" class:map-row-active=move || form.active.get() == Some(row.key)
            class:map-row-wrong=move || !problems.with(Vec::is_empty) data-testid="mapping-rule" data-target=move || row.target.get()>
            <div class="map-row-head">
                {if sends {
                    view! {
                        <input class="map-path" aria-label="Field of the body" data-testid="rule-target" spellcheck="false"
                            placeholder="member.email" prop:value=row.target on:input=move |ev| row.target.set(event_target_value(&ev)) />
                    }.into_any()
                } else {
                    view! {
                        <select aria-label="HighLevel field" data-testid="rule-target" prop:value=row.target
                            on:change=move |ev| row.target.set(event_target_value(&ev))>
                            <option value="">"Choose a field"</option>
                            <TargetOptions targets current=row.target />
                        </select>
                        <select aria-label="When the contact has a value" class="map-mode" data-testid="rule-mode" prop:value=row.mode
                            on:change=move |ev| row.mode.set(event_target_value(&ev))>
                            <option value="overwrite">"Replace"</option>
                            <option value="only_if_empty">"Only if empty"</option>
                            <option value="append" disabled=move || !is_tags()>"Add to (tags)"</option>
                        </select>
                    }.into_any()
                }}
                <button type="button" class="button button-small button-ghost" aria-label="Remove this field"
                    on:click=move |_| form.rows.update(|rows| rows.retain(|other| other.key != row.key))>"\u{2715}"</button>
            </div>
            <input id=field_id class="map-expression" spellcheck="false" autocomplete="off" data-testid="rule-expression"
                aria-label="Value" placeholder="{{ field }} or text"
                prop:value=row.expression
                on:focus=move |_| form.active.set(Some(row.key))
                on:input=move |ev| row.expression.set(event_target_value(&ev)) />
            {move || match value() {
                Some(text) if !text.is_empty() => view! { <p class="map-value small" data-testid="rule-value">"\u{2192} "{text}</p> }.into_any(),
                _ => ().into_any(),
            }}
            {move || problems.get().into_iter().map(|message| view! {
                <p class="field-error" role="alert" data-testid="rule-problem">{message}</p>
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// The targets in their groups; a target the location no longer has stays
/// listed so the row's problem can name it.
#[component]
fn TargetOptions(
    targets: StoredValue<Vec<TargetChoice>>,
    current: RwSignal<String>,
) -> impl IntoView {
    let groups = ["Contact", "Custom fields", "Task", "Note"];
    let known = targets.with_value(|all| all.iter().any(|t| t.key == current.get_untracked()));
    let unknown = current.get_untracked();
    view! {
        {groups.into_iter().map(|group| {
            let choices: Vec<TargetChoice> = targets.with_value(|all| all.iter().filter(|t| t.group == group).cloned().collect());
            (!choices.is_empty()).then(|| view! {
                <optgroup label=group>
                    {choices.into_iter().map(|choice| {
                        let label = if choice.required { format!("{} (finds the contact)", choice.label) } else { choice.label.clone() };
                        view! { <option value=choice.key.clone() title=choice.takes.clone()>{label}</option> }
                    }).collect_view()}
                </optgroup>
            })
        }).collect_view()}
        {(!known && !unknown.is_empty()).then(|| view! { <option value=unknown.clone()>{unknown.clone()}</option> })}
    }
    .into_any()
}

#[component]
fn WholeMappingProblems(checked: Signal<Option<MappingCheck>>) -> impl IntoView {
    let whole = move || {
        checked.with(|check| {
            check
                .iter()
                .flat_map(|check| check.problems.iter())
                .filter(|problem| problem.rule.is_none())
                .cloned()
                .collect::<Vec<MappingProblem>>()
        })
    };
    move || {
        whole()
            .into_iter()
            .map(|problem| view! { <p class="field-error" role="alert" data-testid="mapping-problem">{problem.message}</p> })
            .collect_view()
    }
}

#[component]
fn Lookups(form: Form) -> impl IntoView {
    view! {
        <details class="map-lookups" open=move || !form.lookups.with(Vec::is_empty)>
            <summary>"Lookup tables"</summary>
            <p class="muted small">
                "Turn the app's words into yours: a row of the table "<code>"status"</code>" from "<code>"Active"</code>" to "<code>"member"</code>
                " makes "<code>"{{ data.member.status | lookup(\"status\") }}"</code>" give "<code>"member"</code>"."
            </p>
            <For each=move || form.lookups.get() key=|line| line.key let:line>
                <div class="map-lookup" data-testid="lookup-row">
                    <input aria-label="Table" placeholder="Table" prop:value=line.table on:input=move |ev| line.table.set(event_target_value(&ev)) />
                    <input aria-label="Their value" placeholder="Their value" prop:value=line.from on:input=move |ev| line.from.set(event_target_value(&ev)) />
                    <input aria-label="Our value" placeholder="Our value" prop:value=line.to on:input=move |ev| line.to.set(event_target_value(&ev)) />
                    <button type="button" class="button button-small button-ghost" aria-label="Remove this row"
                        on:click=move |_| form.lookups.update(|lines| lines.retain(|other| other.key != line.key))>"\u{2715}"</button>
                </div>
            </For>
            <button type="button" class="button button-secondary button-small" data-testid="add-lookup"
                on:click=move |_| {
                    let table = form.lookups.with_untracked(|lines| lines.last().map(|line| line.table.get_untracked())).unwrap_or_else(|| "status".into());
                    form.add_lookup(LookupRow { table, from: String::new(), to: String::new() });
                }>
                "Add a lookup row"
            </button>
        </details>
    }
    .into_any()
}

#[component]
fn FilterHelp() -> impl IntoView {
    let filters = [
        ("trim, lower, upper, title", "tidy text"),
        ("first_name, last_name", "split a full name"),
        (
            "e164 or e164(\"AU\")",
            "a phone number in international form, read in the team's country unless it has a code",
        ),
        (
            "date(from=\"%d/%m/%Y\", to=\"%Y-%m-%d\", add_days=1)",
            "read and write dates, in the team's time zone",
        ),
        ("default(\"none\")", "a fallback when the field is empty"),
        ("lookup(\"status\")", "a lookup table"),
        (
            "join(\", \"), split(\",\"), first, last, map(attribute=\"x\")",
            "lists",
        ),
    ];
    view! {
        <details class="map-help">
            <summary>"Filters"</summary>
            <dl class="facts">
                {filters.into_iter().map(|(filter, does)| view! { <dt><code>{filter}</code></dt><dd>{does}</dd> }).collect_view()}
            </dl>
        </details>
    }
    .into_any()
}

#[component]
fn SaveBar(
    id: i64,
    sends: bool,
    subject: StoredValue<String>,
    save: ServerAction<SaveMapping>,
    checked: Signal<Option<MappingCheck>>,
    draft: Memo<MappingDraft>,
    can_change: bool,
) -> impl IntoView {
    let problem_count =
        move || checked.with(|check| check.as_ref().map(|check| check.problems.len()));
    let blocked = move || save.pending().get() || problem_count() != Some(0);
    let status = move || {
        match save.value().get() {
        Some(Ok(version)) => Some(view! { <p class="muted small" role="status" data-testid="mapping-saved">{format!("Saved as version {version}.")}</p> }.into_any()),
        refused @ Some(Err(_)) => refusal_of(refused).map(|(_, message)| view! { <p class="field-error" role="alert">{message}</p> }.into_any()),
        None => None,
    }
    };
    let hint = move || match problem_count() {
        Some(0) => "No problems: ready to save.".to_owned(),
        Some(1) => "Fix the problem above to save.".to_owned(),
        Some(n) => format!("Fix the {n} problems above to save."),
        None => "Checking…".to_owned(),
    };
    view! {
        <Show when=move || can_change fallback=|| view! { <p class="muted small">"Owners and admins change mappings."</p> }>
            <div class="app-actions map-save">
                <button type="button" class="button" data-testid="save-mapping" disabled=blocked
                    on:click=move |_| { save.dispatch(SaveMapping { connection_id: id, sends, subject: subject.get_value(), draft: draft.get_untracked() }); }>
                    "Save mapping"
                </button>
                <span class="muted small" data-testid="mapping-hint">{hint}</span>
            </div>
            {status}
        </Show>
    }
    .into_any()
}

#[component]
fn SamplePicker(
    form: Form,
    fields: Vec<crate::api::apps_mapping::PickerField>,
    sample: String,
    sends: bool,
) -> impl IntoView {
    view! {
        <section class="card stack map-picker" data-testid="sample-fields">
            <h2 class="card-title">{if sends { "Fields of the record" } else { "Fields of the sample" }}</h2>
            <p class="muted small">"Click one to put it in the row you are editing."</p>
            <ul class="map-fields">
                {fields.into_iter().map(|field| {
                    let path = field.path.clone();
                    view! {
                        <li>
                            <button type="button" class="map-field" data-testid="sample-field" data-path=field.path.clone()
                                on:mousedown=move |ev| ev.prevent_default()
                                on:click=move |_| form.insert(&path)>
                                <code>{field.path.clone()}</code>
                                <span class="muted small">{field.value}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <details>
                <summary class="small">"The whole sample"</summary>
                <pre class="event-body">{sample}</pre>
            </details>
        </section>
    }
    .into_any()
}

#[component]
fn RequestPreview(checked: Signal<Option<MappingCheck>>, sends: bool) -> impl IntoView {
    view! {
        <section class="card stack map-preview">
            <h2 class="card-title">{if sends { "What the app gets" } else { "What HighLevel gets" }}</h2>
            <p class="muted small">"Worked out from the sample as you type."</p>
            {move || match checked.get() {
                Some(check) if check.requests.is_empty() || check.requests == "{}" => view! { <p class="muted" data-testid="mapping-requests">"Nothing yet: fill a field."</p> }.into_any(),
                Some(check) => view! { <pre class="event-body" data-testid="mapping-requests">{check.requests}</pre> }.into_any(),
                None => view! { <p class="muted loading">"Working it out…"</p> }.into_any(),
            }}
        </section>
    }
    .into_any()
}

#[component]
fn Versions(
    id: i64,
    sends: bool,
    subject: StoredValue<String>,
    versions: Vec<VersionRow>,
    can_change: bool,
    restore: ServerAction<RestoreMapping>,
) -> impl IntoView {
    let newest = versions.first().map(|version| version.version);
    view! {
        <section class="card stack map-versions" data-testid="mapping-versions">
            <h2 class="card-title">"Versions"</h2>
            {if versions.is_empty() {
                view! { <p class="muted small">"Not saved yet: the starting mapping is shown. Each save keeps a version you can go back to."</p> }.into_any()
            } else {
                view! {
                    <ul class="map-version-list">
                        {versions.into_iter().map(|version| {
                            let number = version.version;
                            let who = if version.saved_by.is_empty() { String::new() } else { format!(" by {}", version.saved_by) };
                            view! {
                                <li data-testid="mapping-version">
                                    <span><strong>{format!("Version {number}")}</strong>{(Some(number) == newest).then(|| view! { <span class="pill pill-ok">"In use"</span> })}</span>
                                    <span class="muted small">{format!("{}{who} \u{b7} {} fields", version.saved_at, version.rules)}</span>
                                    {(can_change && Some(number) != newest).then(|| view! {
                                        <button type="button" class="button button-secondary button-small" data-testid="restore-version"
                                            on:click=move |_| { restore.dispatch(RestoreMapping { connection_id: id, sends, subject: subject.get_value(), version: number }); }>
                                            "Restore"
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {move || match restore.value().get() {
                Some(Ok(version)) => Some(view! { <p class="muted small" role="status">{format!("Restored as version {version}.")}</p> }.into_any()),
                Some(Err(error)) => Some(view! { <p class="field-error" role="alert">{error.to_string()}</p> }.into_any()),
                None => None,
            }}
        </section>
    }
    .into_any()
}
