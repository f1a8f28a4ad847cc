//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute};

use crate::ui::layout::AppLayout;
use crate::ui::pages::{
    AppConnectionPage, AppointmentsPage, AppsPage, AutomationBuilderPage, AutomationsPage,
    ConnectionsPage, ContactPage, ContactsPage, DashboardPage, EventsPage, MappingBuilderPage,
    NotFoundPage, RecipesPage, ReportsPage, RunHistoryPage, RunPage, SettingsPage, SignInPage,
    SyncPage, TasksPage,
};

/// The document around every server-rendered page.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" />
                // The file names carry their content's hash (see hash.txt).
                <HashedStylesheet id="leptos" options=options.clone() />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The pages' content security policy: scripts from this server, or inline
/// with this answer's nonce (the hydration scripts), and WebAssembly may
/// compile. Inline styles stay allowed: components set `style` attributes
/// (bar widths), which carry no script.
#[cfg(feature = "ssr")]
fn send_page_policy() {
    use axum::http::{header, HeaderValue};

    let (Some(nonce), Some(response), Some(state)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
        use_context::<crate::state::AppState>(),
    ) else {
        return;
    };
    // The sign-in forms go to /auth/login, which redirects to HighLevel's
    // consent page: browsers check that redirect against form-action too.
    let consent = crate::config::origin_of(&state.highlevel.auth_base);
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action 'self' {consent}; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(feature = "ssr")]
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Switchboard") />
        <Router>
            <AppLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("") view=DashboardPage />
                    <Route path=path!("/contacts") view={Lazy::<ContactsRoute>::new()} />
                    <Route path=path!("/contacts/:id") view={Lazy::<ContactRoute>::new()} />
                    <Route path=path!("/tasks") view={Lazy::<TasksRoute>::new()} />
                    <Route path=path!("/appointments") view={Lazy::<AppointmentsRoute>::new()} />
                    <Route path=path!("/reports") view={Lazy::<ReportsRoute>::new()} />
                    <Route path=path!("/apps") view={Lazy::<AppsRoute>::new()} />
                    <Route path=path!("/apps/:id") view={Lazy::<AppConnectionRoute>::new()} />
                    <Route path=path!("/apps/:id/mapping") view={Lazy::<MappingBuilderRoute>::new()} />
                    <Route path=path!("/automations") view={Lazy::<AutomationsRoute>::new()} />
                    <Route path=path!("/automations/runs") view={Lazy::<RunHistoryRoute>::new()} />
                    <Route path=path!("/automations/templates") view={Lazy::<RecipesRoute>::new()} />
                    <Route path=path!("/automations/runs/:id") view={Lazy::<RunRoute>::new()} />
                    <Route path=path!("/automations/:id") view={Lazy::<AutomationBuilderRoute>::new()} />
                    <Route path=path!("/connections") view={Lazy::<ConnectionsRoute>::new()} />
                    <Route path=path!("/events") view={Lazy::<EventsRoute>::new()} />
                    <Route path=path!("/sync") view={Lazy::<SyncRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} />
                    <Route path=path!("/signin") view={Lazy::<SignInRoute>::new()} />
                </Routes>
            </AppLayout>
        </Router>
    }
}

/// Declares a lazy route per page: with `cargo leptos --split`, the page's
/// code becomes a wasm chunk of its own that the browser fetches when the
/// page is first shown, so the first load carries only the shell and the
/// dashboard. The server renders them like any other route.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

#[cfg(feature = "ssr")]
lazy_pages! {
    ContactsRoute => ContactsPage,
    ContactRoute => ContactPage,
    TasksRoute => TasksPage,
    AppointmentsRoute => AppointmentsPage,
    ReportsRoute => ReportsPage,
    AppsRoute => AppsPage,
    AppConnectionRoute => AppConnectionPage,
    MappingBuilderRoute => MappingBuilderPage,
    AutomationsRoute => AutomationsPage,
    RunHistoryRoute => RunHistoryPage,
    RecipesRoute => RecipesPage,
    RunRoute => RunPage,
    AutomationBuilderRoute => AutomationBuilderPage,
    ConnectionsRoute => ConnectionsPage,
    EventsRoute => EventsPage,
    SyncRoute => SyncPage,
    SettingsRoute => SettingsPage,
    SignInRoute => SignInPage,
}
