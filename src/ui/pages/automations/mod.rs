//! The Automations pages: the team's automations and a new one, the
//! builder of one (`builder`), the ready-made ones of each app (`recipes`),
//! the run history (`history`) and one run's steps (`run`).

mod builder;
mod history;
mod recipes;
mod run;

use leptos::prelude::*;

use crate::api::automations::{automations_overview, AutomationCard, Choice, CreateAutomation};
use crate::ui::components::PageHeader;
use crate::ui::workspace::refusal_of;

pub use builder::AutomationBuilderPage;
pub use history::RunHistoryPage;
pub use recipes::RecipesPage;
pub use run::RunPage;

#[island(lazy)]
pub fn AutomationsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let overview = Resource::new(|| (), |_| automations_overview());
    view! {
        <PageHeader title="Automations" subtitle="When something happens in one of your apps, Switchboard does the rest: every run is kept, and failed ones can be retried." />
        <Suspense fallback=|| view! { <section class="card"><p class="muted loading">"Loading your automations…"</p></section> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(page) => view! {
                        {(page.attention > 0).then(|| view! {
                            <a class="banner banner-danger auto-attention" href="/automations/runs?status=needs_attention" data-testid="runs-attention">
                                {format!("{} run{} failed or need{} attention: see what went wrong and retry.",
                                    page.attention, if page.attention == 1 { "" } else { "s" }, if page.attention == 1 { "s" } else { "" })}
                            </a>
                        })}
                        <AutomationList cards=page.automations.clone() />
                        <section class="card auto-recipes-link" data-testid="recipes-link">
                            <div>
                                <h2 class="card-title">"Ready-made for your apps"</h2>
                                <p class="muted small">"Clubworx, Club OS, GymFlow, ConvertCalculator and Workiom: what their integration guides describe, made for you in one click."</p>
                            </div>
                            <a class="button button-secondary" href="/automations/templates">"See the ready-made automations"</a>
                        </section>
                        {if page.can_change {
                            view! { <NewAutomation triggers=page.triggers.clone() /> }.into_any()
                        } else {
                            view! { <p class="muted">"Owners and admins of your team build automations."</p> }.into_any()
                        }}
                    }.into_any(),
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn AutomationList(cards: Vec<AutomationCard>) -> impl IntoView {
    if cards.is_empty() {
        return view! {
            <section class="card stack" data-testid="automations-empty">
                <h2>"No automations yet"</h2>
                <p class="muted">
                    "An automation starts when a connected app sends an event (a new member, a signup, a task) or on a schedule, and then updates HighLevel or another app, step by step. Create one below, test it on a sample, then turn it on."
                </p>
            </section>
        }
        .into_any();
    }
    view! {
        <div class="auto-list-head">
            <h2 class="card-title">"Your automations"</h2>
            <a class="button button-secondary button-small" href="/automations/runs">"Run history"</a>
        </div>
        <section class="apps-grid" data-testid="automations">
            {cards.into_iter().map(|card| view! { <Card card /> }).collect_view()}
        </section>
    }
    .into_any()
}

/// On, paused or off, as a pill.
#[component]
pub fn StatePill(state: String) -> impl IntoView {
    let (class, label) = match state.as_str() {
        "on" => ("pill pill-ok", "On"),
        "paused" => ("pill pill-warning", "Paused"),
        _ => ("pill pill-muted", "Off"),
    };
    view! { <span class=class data-testid="automation-state">{label}</span> }
}

#[component]
fn Card(card: AutomationCard) -> impl IntoView {
    let activity = match &card.last_run {
        Some((status, at)) => format!("{} today \u{b7} last: {status}, {at}", card.runs_today),
        None => "No runs yet".into(),
    };
    view! {
        <a class="card auto-card" href=format!("/automations/{}", card.id) data-testid="automation-card">
            <div class="auto-card-head">
                <strong>{card.name}</strong>
                <StatePill state=card.state />
            </div>
            <span class="muted small">{card.trigger}</span>
            <span class="muted small">{format!("{} step{} \u{b7} version {}", card.steps, if card.steps == 1 { "" } else { "s" }, card.version)}</span>
            <span class="small">{activity}</span>
            {(card.failing > 0).then(|| view! { <span class="pill pill-danger small">{format!("{} failing", card.failing)}</span> })}
        </a>
    }
}

#[component]
fn NewAutomation(triggers: Vec<Choice>) -> impl IntoView {
    let create = ServerAction::<CreateAutomation>::new();
    let problem = Signal::derive(move || refusal_of(create.value().get()));
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            crate::ui::island::go_to(&format!("/automations/{id}"));
        }
    });
    let has_apps = triggers
        .iter()
        .any(|choice| choice.value.starts_with("app:"));
    view! {
        <section class="card stack auto-new" data-testid="new-automation">
            <h2 class="card-title">"New automation"</h2>
            {(!has_apps).then(|| view! {
                <p class="muted small">"Connect an app on the "<a href="/apps">"Apps page"</a>" to start automations from its events."</p>
            })}
            <ActionForm action=create attr:class="auto-new-form">
                <div class="ws-field">
                    <label for="auto-name">"Name"</label>
                    <input id="auto-name" name="name" required placeholder="Welcome new members" data-testid="new-automation-name" />
                    <crate::ui::workspace::FieldError problem field="name" />
                </div>
                <div class="ws-field">
                    <label for="auto-trigger">"Starts"</label>
                    <select id="auto-trigger" name="trigger" data-testid="new-automation-trigger">
                        {triggers.into_iter().map(|choice| view! { <option value=choice.value>{choice.label}</option> }).collect_view()}
                    </select>
                    <crate::ui::workspace::FieldError problem field="trigger" />
                </div>
                <button type="submit" class="button" data-testid="create-automation" disabled=move || create.pending().get()>"Create"</button>
            </ActionForm>
            <crate::ui::workspace::FieldError problem field="" />
        </section>
    }
    .into_any()
}
