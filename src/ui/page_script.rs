//! The few lines of JavaScript every page carries inline, so that pages
//! without islands (the dashboard, the reports, appointments, sign-in)
//! load no wasm at all.

use leptos::prelude::*;

const PAGE_SCRIPT: &str = include_str!("page_script.js");

/// The script, with this answer's nonce (the pages' policy allows no other
/// inline script).
#[component]
pub fn PageScript() -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    view! { <script nonce=nonce inner_html=PAGE_SCRIPT></script> }
}
