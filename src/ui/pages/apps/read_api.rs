//! The connection's "Read API" card: the key apps use to pull contacts
//! (created or rotated by owners and admins, shown once), the contact
//! fields it may read, and an example request.

use leptos::prelude::*;

use crate::api::apps_read::{
    read_api_settings, IssueApiKey, IssuedKey, ReadApiView, SetReadFields,
};
use crate::ui::workspace::{refusal_of, FieldError};

#[component]
pub fn ReadApi(id: i64, can_change: Signal<bool>) -> impl IntoView {
    let issue = ServerAction::<IssueApiKey>::new();
    // The key's facts reload once a new key is issued.
    let issued = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(issue.value().get(), Some(Ok(_))) {
            issued.update(|n| *n += 1);
        }
    });
    let settings = Resource::new(move || issued.get(), move |_| read_api_settings(id));
    view! {
        <section class="card stack app-read-api" data-testid="read-api">
            <h2 class="card-title">"Read API"</h2>
            <p class="muted small">
                "Lets apps that look people up, such as Workiom or ConvertCalculator, pull a contact with its tasks and notes from Switchboard using this connection's key."
            </p>
            <NewKey issue />
            <Transition fallback=|| view! { <p class="muted loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(view) => view! { <ReadApiBody id view can_change=can_change.get() issue /> }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn ReadApiBody(
    id: i64,
    view: ReadApiView,
    can_change: bool,
    issue: ServerAction<IssueApiKey>,
) -> impl IntoView {
    let has_key = view.prefix.is_some();
    let example = format!(
        "curl -H \"Authorization: Bearer <key>\" \\\n  \"{}/contacts/{{id}}?include=tasks,notes\"",
        view.api_url
    );
    let openapi = format!("{}/openapi.json", view.api_url);
    view! {
        <div class="stack app-section">
            <h3 class="app-subtitle">"The key"</h3>
            <KeyFacts view=view.clone() can_change />
            {can_change.then(|| view! { <KeyButton id has_key issue /> })}
        </div>
        <ReadFields id read=view.read_fields all=view.all_fields can_change />
        <div class="stack app-section">
            <h3 class="app-subtitle">"Try it"</h3>
            <p class="muted small">
                "Ask for a contact by its id, with its tasks and notes. Put the key in place of <key> and a contact's id in place of {id}."
            </p>
            <pre class="app-read-curl" data-testid="read-api-example">{example}</pre>
            <a href=openapi target="_blank" rel="noopener" data-testid="read-api-openapi">
                "Every endpoint, described for developers (OpenAPI)"
            </a>
        </div>
    }
    .into_any()
}

#[component]
fn KeyFacts(view: ReadApiView, can_change: bool) -> impl IntoView {
    let next = if can_change {
        "Create one, then paste it into the app."
    } else {
        "An owner or admin of your team creates one."
    };
    match view.prefix {
        None => view! {
            <p class="muted" data-testid="read-key-empty">{format!("No key yet. {next}")}</p>
        }
        .into_any(),
        Some(prefix) => view! {
            <dl class="facts" data-testid="read-key">
                <dt>"Starts with"</dt>
                <dd><code data-testid="read-key-prefix">{format!("{prefix}…")}</code></dd>
                <dt>"Issued"</dt>
                <dd data-testid="read-key-issued">{view.issued.unwrap_or_default()}</dd>
                <dt>"Last used"</dt>
                <dd data-testid="read-key-last-used">{view.last_used.unwrap_or_else(|| "Not yet".into())}</dd>
            </dl>
        }
        .into_any(),
    }
}

/// "Create key", or "Rotate key" with an in-page confirmation: the old key
/// stops working at once.
#[component]
fn KeyButton(id: i64, has_key: bool, issue: ServerAction<IssueApiKey>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let send = move || {
        confirming.set(false);
        issue.dispatch(IssueApiKey { connection_id: id });
    };
    let pending = issue.pending();
    view! {
        <div class="stack app-key-actions">
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class=if has_key { "button button-secondary" } else { "button" }
                            disabled=move || pending.get()
                            data-testid="read-key-issue"
                            on:click=move |_| if has_key { confirming.set(true) } else { send() }
                        >
                            {if has_key { "Rotate key" } else { "Create key" }}
                        </button>
                    }
                }
            >
                <div class="app-confirm stack" role="group" aria-label="Confirm rotating the key" data-testid="read-key-confirm">
                    <strong>"Rotate the key?"</strong>
                    <span class="small">
                        "The current key stops working at once. Every app that uses it needs the new one."
                    </span>
                    <div class="app-actions">
                        <button type="button" class="button ws-danger" data-testid="read-key-rotate" on:click=move |_| send()>
                            "Yes, rotate it"
                        </button>
                        <button type="button" class="button button-secondary" data-testid="read-key-cancel" on:click=move |_| confirming.set(false)>
                            "Keep the current key"
                        </button>
                    </div>
                </div>
            </Show>
            {move || {
                issue
                    .value()
                    .get()
                    .and_then(Result::err)
                    .map(|error| view! { <p class="form-error" role="alert">{error.to_string()}</p> })
            }}
        </div>
    }
    .into_any()
}

/// The key just issued, shown this once with a way to copy it.
#[component]
fn NewKey(issue: ServerAction<IssueApiKey>) -> impl IntoView {
    move || match issue.value().get() {
        Some(Ok(IssuedKey { key, .. })) => view! { <ShownOnce key /> }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn ShownOnce(key: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let to_copy = key.clone();
    let copy = move |_| copy_text(&to_copy, copied);
    view! {
        <div class="app-created stack" role="status" data-testid="read-key-new">
            <strong>"Copy it now: it will not be shown again."</strong>
            <span class="muted small">"Paste it into the app's settings. Anyone with this key can read the contact fields below."</span>
            <div class="app-key-box">
                <code class="app-key" data-testid="read-key-value">{key}</code>
                <button type="button" class="button button-secondary button-small" data-testid="read-key-copy" on:click=copy>
                    "Copy"
                </button>
            </div>
            {move || copied.get().map(|done| {
                if done {
                    view! { <span class="muted small">"Copied."</span> }.into_any()
                } else {
                    view! { <span class="muted small">"This browser would not copy it: select the key and copy it by hand."</span> }.into_any()
                }
            })}
        </div>
    }
}

/// Puts `text` on the clipboard; `done` says whether the browser did.
#[cfg(feature = "hydrate")]
fn copy_text(text: &str, done: RwSignal<Option<bool>>) {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        type Pending;
        #[wasm_bindgen(catch, js_namespace = ["navigator", "clipboard"], js_name = writeText)]
        fn write_text(text: &str) -> Result<Pending, JsValue>;
        #[wasm_bindgen(method)]
        fn then(this: &Pending, copied: &JsValue, refused: &JsValue) -> Pending;
    }

    match write_text(text) {
        Ok(pending) => {
            pending.then(
                &Closure::once_into_js(move |_: JsValue| done.set(Some(true))),
                &Closure::once_into_js(move |_: JsValue| done.set(Some(false))),
            );
        }
        Err(_) => done.set(Some(false)),
    }
}

#[cfg(not(feature = "hydrate"))]
fn copy_text(_text: &str, _done: RwSignal<Option<bool>>) {}

/// The fields the key may read: checkboxes for owners and admins, a list
/// for everyone else.
#[component]
fn ReadFields(id: i64, read: Vec<String>, all: Vec<String>, can_change: bool) -> impl IntoView {
    let chosen = RwSignal::new(read);
    let save = ServerAction::<SetReadFields>::new();
    let problem = Signal::derive(move || refusal_of(save.value().get()));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SetReadFields {
            connection_id: id,
            fields: chosen.get(),
        });
    };
    let saved = move || {
        matches!(save.value().get(), Some(Ok(())))
            .then(|| view! { <p class="muted small" role="status" data-testid="read-fields-saved">"Saved."</p> })
    };
    let boxes = all
        .into_iter()
        .map(|field| {
            let key = field.clone();
            let checked = move || chosen.with(|chosen| chosen.contains(&key));
            let key = field.clone();
            let toggle = move |ev| {
                let on = event_target_checked(&ev);
                chosen.update(|chosen| {
                    chosen.retain(|kept| kept != &key);
                    if on {
                        chosen.push(key.clone());
                    }
                });
            };
            view! {
                <label class="checkbox app-read-field">
                    <input
                        type="checkbox"
                        name="fields"
                        value=field.clone()
                        prop:checked=checked
                        disabled=!can_change
                        on:change=toggle
                        data-testid=format!("read-field-{field}")
                    />
                    <span>{label_of(&field)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <form class="app-form app-section" on:submit=submit data-testid="read-fields">
            <fieldset class="app-fieldset app-read-fields">
                <legend>"Fields the key may read"</legend>
                {boxes}
            </fieldset>
            <FieldError problem field="fields" />
            <FieldError problem field="" />
            {can_change.then(|| view! {
                <div class="app-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get() data-testid="read-fields-save">
                        "Save"
                    </button>
                    {saved}
                </div>
            })}
        </form>
    }
    .into_any()
}

/// A field's name for people; its API name where there is no better one.
fn label_of(key: &str) -> String {
    let label = match key {
        "name" => "Full name",
        "firstName" => "First name",
        "lastName" => "Last name",
        "email" => "Email",
        "phone" => "Phone",
        "tags" => "Tags",
        "company" => "Company",
        "businessId" => "Business",
        "source" => "Source",
        "type" => "Lead or customer",
        "assignee" => "Assigned to",
        "dateAdded" => "Date added",
        "dateUpdated" => "Last changed",
        "address" => "Address",
        "website" => "Website",
        "timezone" => "Time zone",
        "dnd" => "Do not disturb",
        "customFields" => "Custom fields",
        other => other,
    };
    label.to_owned()
}
