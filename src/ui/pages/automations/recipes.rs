//! Ready-made automations, app by app: pick one, choose the connection and
//! fill in its few values, and its automations are made, off, to be tested
//! on the sample in the builder and turned on. For an app that pulls, the
//! recipe is the read API request to give it.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::automations::recipes::{
    recipe_gallery_data, Applied, ApplyRecipe, RecipeCard, RecipeGallery,
};
use crate::api::automations::Choice;
use crate::ui::components::PageHeader;
use crate::ui::pages::apps::AppTileView;
use crate::ui::workspace::{refusal_of, FieldError};

#[island(lazy)]
pub fn RecipesPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let query = crate::ui::page_address::query();
    let wanted = query.with_untracked(|q| q.get("app").unwrap_or_default());
    let gallery = Resource::new(|| (), |_| recipe_gallery_data());
    view! {
        <PageHeader title="Ready-made automations"
            subtitle="What each app's integration guide describes, one click from working: choose one, test it on the sample, turn it on." />
        <Suspense fallback=|| view! { <section class="card"><p class="muted loading">"Loading the ready-made automations…"</p></section> }>
            {move || {
                let wanted = wanted.clone();
                Suspend::new(async move {
                    match gallery.await {
                        Ok(gallery) => view! { <Gallery gallery wanted /> }.into_any(),
                        Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// The apps' chips, then each shown app's recipes.
#[component]
fn Gallery(gallery: RecipeGallery, wanted: String) -> impl IntoView {
    let mut apps: Vec<(String, String)> = Vec::new();
    for card in &gallery.recipes {
        if !apps.iter().any(|(key, _)| *key == card.tile.key) {
            apps.push((card.tile.key.clone(), card.tile.name.clone()));
        }
    }
    let shown = RwSignal::new(wanted);
    let chips = apps.clone();
    view! {
        <div class="recipe-chips" role="group" aria-label="Apps" data-testid="recipe-apps">
            <button type="button" class="recipe-chip" class:recipe-chip-on=move || shown.get().is_empty()
                on:click=move |_| shown.set(String::new())>"All apps"</button>
            {chips.into_iter().map(|(key, name)| {
                let on = key.clone();
                view! {
                    <button type="button" class="recipe-chip" class:recipe-chip-on=move || shown.get() == on
                        data-testid=format!("recipe-app-{key}")
                        on:click=move |_| shown.set(key.clone())>{name}</button>
                }
            }).collect_view()}
        </div>
        {apps.into_iter().map(|(app, name)| {
            let cards: Vec<RecipeCard> = gallery.recipes.iter().filter(|card| card.tile.key == app).cloned().collect();
            let connections: Vec<Choice> = gallery.connections.iter()
                .filter(|(of, _)| *of == app).map(|(_, choice)| choice.clone()).collect();
            let (can_change, read_api) = (gallery.can_change, gallery.read_api.clone());
            let visible = move || shown.with(|shown| shown.is_empty() || *shown == app);
            view! {
                <Show when=visible>
                    <AppRecipes name=name.clone() cards=cards.clone() connections=connections.clone()
                        can_change read_api=read_api.clone() />
                </Show>
            }
        }).collect_view()}
    }
    .into_any()
}

#[component]
fn AppRecipes(
    name: String,
    cards: Vec<RecipeCard>,
    connections: Vec<Choice>,
    can_change: bool,
    read_api: String,
) -> impl IntoView {
    let Some(tile) = cards.first().map(|card| card.tile.clone()) else {
        return ().into_any();
    };
    let app = tile.key.clone();
    let connections = StoredValue::new(connections);
    let read_api = StoredValue::new(read_api);
    view! {
        <section class="recipe-app" data-testid="recipe-app" data-app=app>
            <div class="recipe-app-head">
                <AppTileView tile />
                <h2>{name.clone()}</h2>
                {connections.with_value(Vec::is_empty).then(|| view! {
                    <a class="button button-small button-secondary" href="/apps">{format!("Connect {name} first")}</a>
                })}
            </div>
            <div class="recipe-grid">
                {cards.into_iter().map(|card| view! {
                    <Recipe card connections=connections.get_value() can_change read_api=read_api.get_value() />
                }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Recipe(
    card: RecipeCard,
    connections: Vec<Choice>,
    can_change: bool,
    read_api: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let usable = can_change && !connections.is_empty();
    let what = if card.idea { "Idea" } else { "From the guide" };
    let makes = (!card.makes.is_empty()).then(|| {
        format!(
            "Makes {}: {}.",
            if card.makes.len() == 1 {
                "one automation"
            } else {
                "automations"
            },
            card.makes.join("; ")
        )
    });
    let read = card
        .read_path
        .clone()
        .map(|path| format!("GET {read_api}{path}"));
    let key = card.key.clone();
    view! {
        <article class="card stack recipe" data-testid="recipe" data-key=key>
            <div class="recipe-title">
                <span class=if card.idea { "pill pill-muted" } else { "pill pill-new" }>{what}</span>
                <h3>{card.title.clone()}</h3>
            </div>
            <p>{card.does.clone()}</p>
            {makes.map(|text| view! { <p class="muted small">{text}</p> })}
            {read.map(|request| view! { <code class="recipe-request">{request}</code> })}
            {usable.then(|| view! {
                <Show when=move || !open.get()>
                    <button type="button" class="button button-small" data-testid="use-recipe"
                        on:click=move |_| open.set(true)>"Use this"</button>
                </Show>
            })}
            <Show when=move || open.get()>
                <ApplyForm card=card.clone() connections=connections.clone() />
            </Show>
        </article>
    }
    .into_any()
}

/// The connection and the recipe's values, then what applying it made.
#[component]
fn ApplyForm(card: RecipeCard, connections: Vec<Choice>) -> impl IntoView {
    let apply = ServerAction::<ApplyRecipe>::new();
    let problem = Signal::derive(move || refusal_of(apply.value().get()));
    let connection = RwSignal::new(
        connections
            .first()
            .map(|choice| choice.value.clone())
            .unwrap_or_default(),
    );
    let values = RwSignal::new(
        card.inputs
            .iter()
            .map(|input| (input.key.clone(), input.default.clone()))
            .collect::<BTreeMap<_, _>>(),
    );
    let key = card.key.clone();
    let submit = move || {
        apply.dispatch(ApplyRecipe {
            key: key.clone(),
            connection_id: connection.get_untracked().parse().unwrap_or(0),
            inputs: values.get_untracked(),
        });
    };
    view! {
        <div class="stack recipe-form" data-testid="recipe-form">
            <div class="ws-field">
                <label>"Connection"</label>
                <select data-testid="recipe-connection" prop:value=connection
                    on:change=move |ev| connection.set(event_target_value(&ev))>
                    {connections.iter().map(|choice| view! { <option value=choice.value.clone()>{choice.label.clone()}</option> }).collect_view()}
                </select>
                <FieldError problem field="connection" />
            </div>
            {card.inputs.iter().map(|input| {
                let key = input.key.clone();
                let read = key.clone();
                let field = key.clone();
                view! {
                    <div class="ws-field">
                        <label>{input.label.clone()}</label>
                        <input data-testid=format!("recipe-input-{key}")
                            prop:value=move || values.with(|all| all.get(&read).cloned().unwrap_or_default())
                            on:input=move |ev| { let value = event_target_value(&ev); values.update(|all| { all.insert(key.clone(), value); }); } />
                        <span class="muted small">{input.help.clone()}</span>
                        {move || problem.get().filter(|(name, _)| *name == field)
                            .map(|(_, message)| view! { <p class="field-error" role="alert">{message}</p> })}
                    </div>
                }
            }).collect_view()}
            <button type="button" class="button" data-testid="apply-recipe" disabled=move || apply.pending().get()
                on:click=move |_| submit()>"Make it"</button>
            <FieldError problem field="recipe" />
            <FieldError problem field="" />
            {move || apply.value().get().and_then(Result::ok).map(|applied| view! { <AppliedView applied /> })}
        </div>
    }
    .into_any()
}

#[component]
fn AppliedView(applied: Applied) -> impl IntoView {
    if let Some(request) = applied.read_request {
        return view! {
            <div class="recipe-applied" data-testid="recipe-applied">
                <p class="form-success">"Give the app this request:"</p>
                <code class="recipe-request" data-testid="read-request">{format!("GET {request}")}</code>
                <p class="muted small">"With the header Authorization: Bearer and the connection's API key, shown once on the connection's page (rotate it there to see a new one). Answers come from Switchboard's copy of HighLevel, within your team only."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="recipe-applied" data-testid="recipe-applied">
            <p class="form-success">"Made, and off until you turn it on. Open each to test it on the sample:"</p>
            <ul class="recipe-made">
                {applied.automations.into_iter().map(|(id, name)| view! {
                    <li><a href=format!("/automations/{id}") data-testid="made-automation">{name}</a></li>
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
