//! Connecting an app: pick it, name the connection, check how it signs and
//! where its event type is (filled from the app's template), and get the
//! web address and secret to paste into the app.

use leptos::prelude::*;

use super::AppTileView;
use crate::api::apps::{AppChoice, ConnectApp, ConnectionForm, Created};
use crate::ui::workspace::{refusal_of, FieldError};

#[component]
pub fn ConnectAnApp(
    catalogue: Vec<AppChoice>,
    connected: RwSignal<Option<Created>>,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<AppChoice>);
    let choices = catalogue
        .into_iter()
        .map(|choice| {
            let key = choice.tile.key.clone();
            let pick = choice.clone();
            let is_chosen = move || chosen.with(|c| c.as_ref().is_some_and(|c| c.tile.key == key));
            view! {
                <button
                    type="button"
                    class="app-choice"
                    class:app-choice-selected=is_chosen.clone()
                    aria-pressed=move || is_chosen().to_string()
                    on:click=move |_| chosen.set(Some(pick.clone()))
                >
                    <AppTileView tile=choice.tile.clone() />
                    <span class="app-choice-text">
                        <strong>{choice.tile.name.clone()}</strong>
                        <span class="muted small">{choice.tagline.clone()}</span>
                    </span>
                </button>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="card stack" data-testid="connect-app">
            <h2 class="card-title">"Connect an app"</h2>
            <div class="app-choices">{choices}</div>
            {move || chosen.get().map(|choice| view! { <ConnectForm choice connected /> }.into_any())}
        </section>
    }
    .into_any()
}

#[component]
fn ConnectForm(choice: AppChoice, connected: RwSignal<Option<Created>>) -> impl IntoView {
    let connect = ServerAction::<ConnectApp>::new();
    let name = RwSignal::new(choice.tile.name.clone());
    let defaults = choice.form.clone();
    let mode = RwSignal::new(defaults.signing_mode.clone());
    let header = RwSignal::new(defaults.signing_header.clone());
    let encoding = RwSignal::new(defaults.encoding.clone());
    let prefix = RwSignal::new(defaults.prefix.clone());
    let type_from = RwSignal::new(defaults.event_type_from.clone());
    let type_key = RwSignal::new(defaults.event_type_key.clone());
    let app = choice.tile.key.clone();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        connect.dispatch(ConnectApp {
            app: app.clone(),
            name: name.get(),
            form: ConnectionForm {
                signing_mode: mode.get(),
                signing_header: header.get(),
                encoding: encoding.get(),
                prefix: prefix.get(),
                event_type_from: type_from.get(),
                event_type_key: type_key.get(),
            },
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(created)) = connect.value().get() {
            connected.set(Some(created));
        }
    });
    let problem = Signal::derive(move || refusal_of(connect.value().get()));
    let events = choice.events.join(", ");
    view! {
        <form class="app-form" on:submit=submit data-testid="connect-form">
            <p class="muted small">{format!("{} sends: {events}.", choice.tile.name)}</p>
            <p class="muted small">{choice.note.clone()}</p>
            <div class="ws-field">
                <label for="app-name">"Name of this connection"</label>
                <input id="app-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <FieldError problem field="name" />
            </div>
            <fieldset class="app-fieldset">
                <legend>"How the app proves a request is its own"</legend>
                <div class="ws-field">
                    <label for="signing-mode">"Method"</label>
                    <select id="signing-mode" prop:value=mode on:change=move |ev| mode.set(event_target_value(&ev))>
                        <option value="hmac_sha256">"A signature of the body (HMAC-SHA256)"</option>
                        <option value="secret_header">"The secret itself, in a header"</option>
                    </select>
                    <FieldError problem field="signing_mode" />
                </div>
                <div class="ws-field">
                    <label for="signing-header">"Header"</label>
                    <input id="signing-header" prop:value=header on:input=move |ev| header.set(event_target_value(&ev)) />
                    <FieldError problem field="signing_header" />
                </div>
                <Show when=move || mode.get() == "hmac_sha256">
                    <div class="ws-field">
                        <label for="signing-encoding">"Encoding"</label>
                        <select id="signing-encoding" prop:value=encoding on:change=move |ev| encoding.set(event_target_value(&ev))>
                            <option value="hex">"hex"</option>
                            <option value="base64">"base64"</option>
                        </select>
                        <FieldError problem field="encoding" />
                    </div>
                    <div class="ws-field">
                        <label for="signing-prefix">"Text before the signature (often empty)"</label>
                        <input id="signing-prefix" prop:value=prefix on:input=move |ev| prefix.set(event_target_value(&ev)) />
                    </div>
                </Show>
            </fieldset>
            <fieldset class="app-fieldset">
                <legend>"Where each request says what happened"</legend>
                <div class="ws-field">
                    <label for="type-from">"The event type is in"</label>
                    <select id="type-from" prop:value=type_from on:change=move |ev| type_from.set(event_target_value(&ev))>
                        <option value="body_field">"A field of the body"</option>
                        <option value="header">"A header"</option>
                        <option value="fixed">"Nowhere: every request is one type"</option>
                    </select>
                    <FieldError problem field="event_type_from" />
                </div>
                <div class="ws-field">
                    <label for="type-key">
                        {move || match type_from.get().as_str() {
                            "header" => "Header name",
                            "fixed" => "The one event type",
                            _ => "Field (a dot path such as data.type)",
                        }}
                    </label>
                    <input id="type-key" prop:value=type_key on:input=move |ev| type_key.set(event_target_value(&ev)) />
                    <FieldError problem field="event_type_key" />
                </div>
            </fieldset>
            <FieldError problem field="" />
            <button type="submit" class="button" disabled=move || connect.pending().get()>
                {move || if connect.pending().get() { "Connecting…" } else { "Connect" }}
            </button>
        </form>
    }
    .into_any()
}

/// What to paste into the app, once: the secret is never shown again.
#[component]
pub fn Connected(created: Created) -> impl IntoView {
    view! {
        <div class="app-created stack" role="status" data-testid="app-created">
            <strong>"Connected. Paste these two into the app's webhook settings:"</strong>
            <span class="muted small">"Web address"</span>
            <code data-testid="created-url">{created.webhook_url}</code>
            <span class="muted small">"Secret (shown this once: copy it now)"</span>
            <code data-testid="created-secret">{created.secret}</code>
            <a class="button button-secondary" href=format!("/apps/{}", created.id)>"Open the connection"</a>
        </div>
    }
}
