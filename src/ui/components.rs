//! Building blocks shared by pages.

use leptos::prelude::*;
use leptos_meta::Title;

/// Title row of a page; also sets the document title (named in full here,
/// since an island in the browser has no app around it to format it).
#[component]
pub fn PageHeader(
    title: &'static str,
    subtitle: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Switchboard") />
        <header class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="page-subtitle">{subtitle}</p>
            </div>
            <div class="page-actions">{children.map(|children| children())}</div>
        </header>
    }
}
