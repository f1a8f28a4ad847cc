//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::ui::layout::AppLayout;
use crate::ui::page_script::PageScript;
use crate::ui::pages::{
    AppConnectionPage, AppointmentsPage, AppsPage, AutomationBuilderPage, AutomationsPage,
    ConnectionsPage, ContactPage, ContactsPage, DashboardPage, EventsPage, MappingBuilderPage,
    NotFoundPage, RecipesPage, ReportsPage, RunHistoryPage, RunPage, SettingsPage, SignInPage,
    SyncPage, TasksPage,
};

/// The document around every server-rendered page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    send_page_policy();
    let loads_wasm = loads_wasm();
    if !loads_wasm {
        write_no_hydration_data();
    }
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
                {loads_wasm.then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
                <PageScript />
            </body>
        </html>
    }
}

/// Pages whose every island-free part is rendered here: they load no wasm
/// at all, which a phone at the front desk notices most on the dashboard.
const WITHOUT_ISLANDS: &[&str] = &["/", "/reports", "/appointments", "/signin"];

/// Whether the page asked for needs the browser bundle for its islands.
fn loads_wasm() -> bool {
    use_context::<axum::http::request::Parts>()
        .is_none_or(|request| !WITHOUT_ISLANDS.contains(&request.uri.path()))
}

/// A page no browser hydrates need not carry its resources' data: on the
/// reports that is a quarter of the page.
fn write_no_hydration_data() {
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
}

/// The pages' content security policy: scripts from this server, or inline
/// with this answer's nonce (the hydration scripts), and WebAssembly may
/// compile. Inline styles stay allowed: components set `style` attributes
/// (bar widths), which carry no script.
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

/// The route table. Every page renders in one piece (`SsrMode::Async`): pages
/// read the local cache, so streaming each fallback and then a script to swap
/// it out would cost more than the wait it saves.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <AppLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts") view=ContactsPage ssr=SsrMode::Async />
                    <Route path=path!("/contacts/:id") view=ContactPage ssr=SsrMode::Async />
                    <Route path=path!("/tasks") view=TasksPage ssr=SsrMode::Async />
                    <Route path=path!("/appointments") view=AppointmentsPage ssr=SsrMode::Async />
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async />
                    <Route path=path!("/apps") view=AppsPage ssr=SsrMode::Async />
                    <Route path=path!("/apps/:id") view=AppConnectionPage ssr=SsrMode::Async />
                    <Route path=path!("/apps/:id/mapping") view=MappingBuilderPage ssr=SsrMode::Async />
                    <Route path=path!("/automations") view=AutomationsPage ssr=SsrMode::Async />
                    <Route path=path!("/automations/runs") view=RunHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/automations/templates") view=RecipesPage ssr=SsrMode::Async />
                    <Route path=path!("/automations/runs/:id") view=RunPage ssr=SsrMode::Async />
                    <Route path=path!("/automations/:id") view=AutomationBuilderPage ssr=SsrMode::Async />
                    <Route path=path!("/connections") view=ConnectionsPage ssr=SsrMode::Async />
                    <Route path=path!("/events") view=EventsPage ssr=SsrMode::Async />
                    <Route path=path!("/sync") view=SyncPage ssr=SsrMode::Async />
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                </Routes>
            </AppLayout>
        </Router>
    }
}
