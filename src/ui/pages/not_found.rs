use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::icons::{Icon, IconSvg};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · Switchboard" />
        <section class="card error-card not-found" data-testid="not-found">
            <div class="error-icon">
                <IconSvg icon=Icon::Compass />
            </div>
            <p class="error-code">"404"</p>
            <h1>"We couldn't find that page"</h1>
            <p class="muted">
                "The link may be old, or the address mistyped. Everything is still reachable from the menu."
            </p>
            <a class="button" href="/">
                "Go to the dashboard"
            </a>
        </section>
    }
}
