use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::connections::{list_connections, AddPrivateToken, ConnectionView, Disconnect};
use crate::format::thousands;
use crate::ui::components::PageHeader;
use crate::ui::layout::CurrentUserResource;

#[island(lazy)]
pub fn ConnectionsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let disconnect = ServerAction::<Disconnect>::new();
    let add_token = ServerAction::<AddPrivateToken>::new();
    let connections = Resource::new(
        move || (disconnect.version().get(), add_token.version().get()),
        |_| list_connections(),
    );
    // Made here, not where it is shown: a resource made inside a `Suspend`
    // is made again each time that part renders, and an island's resources
    // must be made in the same order on the server and in the browser.
    let user = Resource::new(|| (), |_| crate::api::session::get_current_user());
    view! {
        <PageHeader title="Connections" subtitle="The accounts and apps Switchboard talks to." />
        <Suspense fallback=|| view! { <section class="card"><p class="muted loading">"Loading your connections…"</p></section> }>
            {move || Suspend::new(async move {
                match connections.await {
                    Ok(list) if list.is_empty() => view! { <NotConnected add_token user /> }.into_any(),
                    Ok(list) => list
                        .into_iter()
                        .map(|connection| view! { <ConnectionCard connection disconnect /> })
                        .collect_view()
                        .into_any(),
                    Err(error) => view! { <SignInFirst message=error.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card muted-card">
            <h2 class="card-title">"Other apps"</h2>
            <p class="muted">
                "Clubworx, Club OS, GymFlow, ConvertCalculator, Workiom and any app that sends webhooks are connected on the "
                <a href="/apps">"Apps page"</a>
                "."
            </p>
        </section>
    }
}

#[component]
fn ConnectionCard(
    connection: ConnectionView,
    disconnect: ServerAction<Disconnect>,
) -> impl IntoView {
    let kind = if connection.kind == "oauth" {
        "Signed in with HighLevel"
    } else {
        "Private Integration Token"
    };
    let (status_class, status_text) = if connection.needs_reconnect {
        ("pill pill-danger", "Needs reconnecting")
    } else {
        ("pill pill-ok", "Connected")
    };
    let share = (f64::from(connection.requests_today) / f64::from(connection.daily_limit.max(1))
        * 100.0)
        .min(100.0);
    let expiry = connection.expires_in_minutes.map(describe_expiry);
    view! {
        <section class="card connection" data-testid="connection">
            <div class="connection-head">
                <div>
                    <h2>{connection.location_name}</h2>
                    <p class="muted">{kind} " · location " <code>{connection.location_id}</code></p>
                </div>
                <span class=status_class data-testid="connection-status">{status_text}</span>
            </div>
            {(!connection.status_detail.is_empty()).then(|| view! { <p class="form-error">{connection.status_detail}</p> })}
            <dl class="facts">
                <dt>"Permissions"</dt>
                <dd class="chips" data-testid="scopes">
                    {if connection.scopes.is_empty() {
                        view! { <span class="muted">"Set on the token in HighLevel"</span> }.into_any()
                    } else {
                        connection.scopes.into_iter().map(|scope| view! { <span class="chip">{scope}</span> }).collect_view().into_any()
                    }}
                </dd>
                {expiry.map(|expiry| view! { <dt>"Access renews"</dt><dd>{expiry}</dd> })}
                <dt>"Last renewed"</dt>
                <dd>{connection.refreshed_at.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Connected"</dt>
                <dd>{connection.connected_at}</dd>
                <dt>"API requests today"</dt>
                <dd>
                    <div class="meter" role="meter" aria-valuenow=connection.requests_today aria-valuemax=connection.daily_limit>
                        <div class="meter-fill" style=format!("width: {share:.1}%")></div>
                    </div>
                    <span class="muted" data-testid="requests-today">
                        {format!(
                            "{} of {} allowed per day",
                            thousands(connection.requests_today),
                            thousands(connection.daily_limit),
                        )}
                    </span>
                </dd>
            </dl>
            {connection.can_manage.then(|| view! {
                <ConnectForm label=if connection.needs_reconnect { "Reconnect with HighLevel" } else { "Replace with my HighLevel sign-in" } />
                <ActionForm action=disconnect>
                    <button type="submit" class="button button-secondary">"Disconnect"</button>
                </ActionForm>
            })}
        </section>
    }
}

fn describe_expiry(minutes: i64) -> String {
    match minutes {
        m if m <= 0 => "now".into(),
        m if m < 60 => format!("in {m} min"),
        m => format!("in {} h {} min", m / 60, m % 60),
    }
}

#[component]
fn NotConnected(
    add_token: ServerAction<AddPrivateToken>,
    user: CurrentUserResource,
) -> impl IntoView {
    let problem = move || match add_token.value().get() {
        Some(Ok(Some(problem))) => Some(problem.message),
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    view! {
        <section class="card stack" data-testid="not-connected">
            <h2>"HighLevel is not connected"</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    let can_manage = user.await.ok().flatten().is_some_and(|user| user.role.can_manage());
                    if can_manage {
                        view! {
                            <p class="muted">"Connect with your own HighLevel sign-in, or paste a Private Integration Token from HighLevel (Settings → Private Integrations)."</p>
                            <ConnectForm label="Connect with HighLevel" />
                            <ActionForm action=add_token attr:class="token-form">
                                <label for="token">"Private Integration Token"</label>
                                <input id="token" name="token" type="password" autocomplete="off" placeholder="pit-…" />
                                {move || problem().map(|message| view! { <p class="field-error" role="alert">{message}</p> })}
                                <button type="submit" class="button button-secondary">"Check and connect"</button>
                            </ActionForm>
                        }
                            .into_any()
                    } else {
                        view! { <p class="muted">"Only an owner or admin can connect HighLevel; signing in does not connect the team."</p> }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Owners and admins connect the team, or replace its connection, by
/// signing in with HighLevel for that purpose (`/auth/login?connect=1`).
#[component]
fn ConnectForm(label: &'static str) -> impl IntoView {
    view! {
        <form method="get" action="/auth/login" class="signin-form">
            <p class="muted">
                "Signing in alone does not change the team's connection; this button makes your HighLevel sign-in the team's connection."
            </p>
            <input type="hidden" name="connect" value="1" />
            <label class="checkbox">
                <input type="checkbox" name="write" value="1" />
                <span>"Let Switchboard make changes in HighLevel (tags, tasks, notes, contacts)"</span>
            </label>
            <button type="submit" class="button button-secondary">{label}</button>
        </form>
    }
}

#[component]
fn SignInFirst(message: String) -> impl IntoView {
    view! {
        <section class="card stack" data-testid="connections-signed-out">
            <h2>"Sign in to see your connection"</h2>
            <p class="muted">{message}</p>
            <a class="button" href="/signin">"Sign in with HighLevel"</a>
        </section>
    }
}
