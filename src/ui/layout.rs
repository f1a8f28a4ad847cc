//! The frame around every page: navigation, the bell, who is signed in, and
//! the banners.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::api::session::get_current_user;
use crate::api::system::get_highlevel_mode;
use crate::app_error::AppError;
use crate::auth::CurrentUser;
use crate::ui::alerts::AlertBell;
use crate::ui::icons::{Icon, IconSvg};

const NAVIGATION: &[(&str, &str, Icon)] = &[
    ("/", "Dashboard", Icon::Dashboard),
    ("/contacts", "Contacts", Icon::Contacts),
    ("/tasks", "Tasks", Icon::Tasks),
    ("/appointments", "Appointments", Icon::Appointments),
    ("/reports", "Reports", Icon::Reports),
    ("/apps", "Apps", Icon::Apps),
    ("/automations", "Automations", Icon::Automations),
    ("/connections", "Connections", Icon::Connections),
    ("/events", "Incoming events", Icon::Events),
    ("/sync", "Sync", Icon::Sync),
    ("/settings", "Settings", Icon::Settings),
];

#[component]
pub fn AppLayout(children: Children) -> impl IntoView {
    // One request for the signed-in person, shared by the sidebar and banners.
    provide_context(Resource::new(|| (), |_| get_current_user()));
    // The frame is rendered on the server only, once per page load: plain
    // links marked against the page's path, without the router's reactive ones.
    let here = use_location().pathname.get_untracked();
    view! {
        <div class="app-shell">
            <aside class="sidebar">
                <div class="brand-row">
                    <a class="brand" href="/">
                        <span class="brand-mark" aria-hidden="true">"S"</span>
                        <span class="brand-name">"Switchboard"</span>
                    </a>
                    <AlertBell />
                </div>
                <nav class="nav" aria-label="Main">
                    {NAVIGATION
                        .iter()
                        .map(|&(href, label, icon)| {
                            view! {
                                <a href=href class="nav-link" aria-current=(here == href).then_some("page")>
                                    <IconSvg icon />
                                    <span>{label}</span>
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <AccountPanel />
            </aside>
            <main class="content">
                <SandboxBanner />
                <ReconnectBanner />
                <ErrorBoundary fallback=|errors| {
                    view! { <PageError errors /> }
                }>{children()}</ErrorBoundary>
            </main>
        </div>
    }
}

/// Who is signed in, with sign-out; or the way to sign in.
#[component]
fn AccountPanel() -> impl IntoView {
    let user = expect_context::<CurrentUserResource>();
    view! {
        <div class="account">
            <Suspense>
                {move || Suspend::new(async move {
                    match user.await.ok().flatten() {
                        Some(user) => {
                            view! {
                                <div class="account-card" data-testid="account">
                                    <span class="account-name">{user.name}</span>
                                    <span class="account-team">
                                        {user.location_name} " · " {user.role.label()}
                                    </span>
                                    <form method="post" action="/auth/logout">
                                        <button type="submit" class="link-button">
                                            "Sign out"
                                        </button>
                                    </form>
                                </div>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <a class="button account-signin" href="/signin">
                                    "Sign in"
                                </a>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}

pub type CurrentUserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// Says what to do when HighLevel stopped accepting the team's connection.
#[component]
fn ReconnectBanner() -> impl IntoView {
    let user = expect_context::<CurrentUserResource>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                user.await
                    .ok()
                    .flatten()
                    .filter(|user| user.needs_reconnect)
                    .map(|_| {
                        view! {
                            <div class="banner banner-danger" role="alert" data-testid="reconnect-banner">
                                <strong>"HighLevel stopped accepting this connection."</strong>
                                " Syncing and changes are paused. "
                                <a href="/signin">"Sign in again"</a>
                                " to reconnect."
                            </div>
                        }
                    })
            })}
        </Suspense>
    }
}

/// Says plainly when the data on screen is the sandbox's demo data.
#[component]
fn SandboxBanner() -> impl IntoView {
    let mode = Resource::new(|| (), |_| get_highlevel_mode());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let sandbox = mode.await.is_ok_and(|mode| mode.sandbox);
                sandbox
                    .then(|| {
                        view! {
                            <div class="banner banner-sandbox" role="status" data-testid="sandbox-banner">
                                <strong>"Sandbox mode."</strong>
                                " You are looking at demo data from a simulated HighLevel, so nothing you do here touches a real account. To connect your own HighLevel, set HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET (see the README)."
                            </div>
                        }
                    })
            })}
        </Suspense>
    }
}

/// Shown in place of a page whose data could not be loaded.
#[component]
fn PageError(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <section class="card error-card" role="alert">
            <div class="error-icon">
                <IconSvg icon=Icon::Alert />
            </div>
            <h1>"Something went wrong"</h1>
            <p class="muted">
                "This page could not be shown. Try again in a moment; if it keeps happening, the server log says why."
            </p>
            <ul class="error-list">
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
            <a class="button" href="/">
                "Back to the dashboard"
            </a>
        </section>
    }
}
