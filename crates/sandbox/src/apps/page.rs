//! `GET /_sandbox/apps/{app}`: a page for demos showing what the simulated
//! app received from Switchboard, newest first. Every value is escaped:
//! bodies and headers come from outside.

use axum::extract::{Path, State};
use axum::response::Html;

use super::inbox::Delivery;
use super::App;
use crate::errors::ApiResult;
use crate::html::escape;
use crate::Sandbox;

/// Deliveries the page shows.
const SHOWN: usize = 50;

const STYLE: &str = "<style>\
body{font-family:system-ui,sans-serif;background:#f4f6fb;color:#1d2433;margin:0}\
main{max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.3rem}.badge{display:inline-block;background:#fff3cd;color:#7a5b00;border-radius:6px;padding:.1rem .5rem;font-size:.8rem}\
article{background:#fff;border-radius:10px;padding:1rem;margin:.8rem 0;box-shadow:0 1px 6px #0001}\
pre{white-space:pre-wrap;word-break:break-all;background:#f7f8fb;padding:.6rem;border-radius:6px;font-size:.85rem}\
.meta{color:#5d6577;font-size:.85rem}</style>";

pub async fn page(
    State(sandbox): State<Sandbox>,
    Path(app): Path<String>,
) -> ApiResult<Html<String>> {
    let app = App::parse(&app)?;
    let (checking, answer) = sandbox.shared.apps.settings(app);
    let deliveries = sandbox.shared.apps.deliveries(app);
    let shown: String = deliveries.iter().rev().take(SHOWN).map(delivery).collect();
    let shown = if shown.is_empty() {
        "<p>Nothing received yet.</p>".to_owned()
    } else {
        shown
    };
    let name = escape(app.name());
    let key = escape(app.key());
    let checking = if checking {
        "signatures are checked against the secret set"
    } else {
        "no secret is set, so signatures are not checked"
    };
    Ok(Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{name} · Sandbox</title>{STYLE}</head>\
         <body><main><span class=\"badge\">Simulated app</span><h1>{name}</h1>\
         <p class=\"meta\">What Switchboard sent to <code>/_sandbox/apps/{key}/inbox</code>: \
         {count} received, the last {SHOWN} shown; {checking}; answering {answer}.</p>\
         {shown}</main></body></html>",
        count = deliveries.len(),
    )))
}

fn delivery(delivery: &Delivery) -> String {
    let signature = match delivery.signature_valid {
        Some(true) => "signature verified",
        Some(false) => "signature does not verify",
        None => "signature not checked",
    };
    let repeat = if delivery.repeat {
        " · a repeat of an accepted delivery"
    } else {
        ""
    };
    let headers: String = delivery
        .headers
        .iter()
        .map(|(name, value)| format!("{}: {}\n", escape(name), escape(value)))
        .collect();
    format!(
        "<article><div class=\"meta\">#{seq} · {time} · <code>{path}</code> · {signature} · answered {answered}{repeat}</div>\
         <details><summary>Headers</summary><pre>{headers}</pre></details><pre>{body}</pre></article>",
        seq = delivery.seq,
        time = escape(&delivery.time),
        path = escape(&delivery.path),
        answered = delivery.answered,
        body = escape(&delivery.body),
    )
}
