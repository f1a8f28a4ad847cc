//! The Apps page: the team's connections to other apps, and connecting one.

mod connect;
mod connection;
mod mapping;
mod mappings;
mod outbound;
mod read_api;
mod sample;

use leptos::prelude::*;

use crate::api::apps::{apps_overview, AppCard, AppTile, Created};
use crate::ui::components::PageHeader;

pub use connection::AppConnectionPage;
pub use mapping::MappingBuilderPage;

#[island(lazy)]
pub fn AppsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    // A new connection reloads the list; what to paste into the app stays
    // above it.
    let connected = RwSignal::new(None::<Created>);
    let overview = Resource::new(
        move || connected.with(|created| created.as_ref().map(|created| created.id)),
        |_| apps_overview(),
    );
    view! {
        <PageHeader
            title="Apps"
            subtitle="Connect the other apps your gym runs on. Their events arrive here, are checked, and are kept for your automations."
        />
        {move || connected.get().map(|created| view! { <connect::Connected created /> })}
        <Suspense fallback=|| {
            view! {
                <section class="card">
                    <p class="muted loading">"Loading your apps…"</p>
                </section>
            }
        }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => {
                        view! {
                            <ConnectedApps cards=overview.connections.clone() />
                            <section class="card auto-recipes-link" data-testid="apps-recipes-link">
                                <div>
                                    <h2 class="card-title">"Ready-made automations"</h2>
                                    <p class="muted small">"What each app's integration guide describes, made in one click once the app is connected."</p>
                                </div>
                                <a class="button button-secondary" href="/automations/templates">"See them"</a>
                            </section>
                            {if overview.can_change {
                                view! { <connect::ConnectAnApp catalogue=overview.catalogue connected /> }.into_any()
                            } else {
                                view! {
                                    <p class="muted">"Owners and admins of your team connect apps."</p>
                                }
                                    .into_any()
                            }}
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <section class="card">
                                <p class="form-error">{error.to_string()}</p>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConnectedApps(cards: Vec<AppCard>) -> impl IntoView {
    if cards.is_empty() {
        return view! {
            <section class="card stack" data-testid="apps-empty">
                <h2>"No apps connected yet"</h2>
                <p class="muted">
                    "Pick the app below that your gym uses. Switchboard gives you a web address and a secret to paste into it, and shows every event it sends."
                </p>
            </section>
        }
            .into_any();
    }
    view! {
        <section class="apps-grid" data-testid="apps">
            {cards.into_iter().map(|card| view! { <AppCardView card /> }).collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn AppCardView(card: AppCard) -> impl IntoView {
    let activity = if card.last_request.is_empty() {
        "No events yet".to_owned()
    } else {
        format!(
            "{} received · {} refused · last {}",
            card.received, card.refused, card.last_request
        )
    };
    view! {
        <a class="card app-card" href=format!("/apps/{}", card.id) data-testid="app-card">
            <AppTileView tile=card.tile.clone() />
            <div class="app-card-text">
                <strong>{card.name}</strong>
                <span class="muted small">{card.tile.name}</span>
                <span class="muted small">{activity}</span>
            </div>
        </a>
    }
}

/// An app's logo tile: its initial on its colour.
#[component]
pub fn AppTileView(tile: AppTile) -> impl IntoView {
    view! {
        <span class="app-tile" style=format!("background:{}", tile.colour) aria-hidden="true">
            {tile.initial}
        </span>
    }
}
