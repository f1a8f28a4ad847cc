//! Building blocks shared by pages.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::icons::{Icon, IconSvg};

/// Title row of a page; also sets the document title.
#[component]
pub fn PageHeader(
    title: &'static str,
    subtitle: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <Title text=title />
        <header class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="page-subtitle">{subtitle}</p>
            </div>
            <div class="page-actions">{children.map(|children| children())}</div>
        </header>
    }
}

/// A page whose feature is not built yet: says plainly what will be here.
#[component]
pub fn ComingSoon(
    icon: Icon,
    headline: &'static str,
    items: &'static [&'static str],
) -> impl IntoView {
    view! {
        <section class="card coming-soon" data-testid="coming-soon">
            <div class="coming-soon-icon">
                <IconSvg icon />
            </div>
            <h2>{headline}</h2>
            <p class="muted">"This part of Switchboard is on its way. Here is what it will hold:"</p>
            <ul class="feature-list">
                {items
                    .iter()
                    .map(|item| {
                        view! {
                            <li>
                                <IconSvg icon=Icon::Check class="feature-check" />
                                <span>{*item}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
