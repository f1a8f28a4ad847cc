//! The connection's "Sending to the app" card: where Switchboard delivers,
//! how it signs in there, the signing secret (shown once), and a test
//! delivery that shows the app's answer.

use leptos::prelude::*;

use crate::api::apps_outbound::{
    outbound_settings, OutboundView, RotateSigningSecret, SaveOutbound, SendTestDelivery,
};
use crate::apps::outbound::model::{AuthMode, DeliveryOutcome};
use crate::ui::workspace::{refusal_of, FieldError};

#[component]
pub fn Outbound(id: i64, can_change: Signal<bool>) -> impl IntoView {
    let save = ServerAction::<SaveOutbound>::new();
    // Reload only after a save went through: a refused one keeps what was typed.
    let saves = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            saves.update(|n| *n += 1);
        }
    });
    let settings = Resource::new(move || saves.get(), move |_| outbound_settings(id));
    view! {
        <section class="card stack app-outbound" data-testid="outbound">
            <h2 class="card-title">"Sending to the app"</h2>
            <p class="muted small">
                "Where Switchboard sends this app's deliveries. Every delivery is signed with the connection's signing secret, so the app can check it came from you."
            </p>
            <Transition fallback=|| view! { <p class="muted loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(view) if can_change.get() => view! { <OutboundForm id view save /> }.into_any(),
                        Ok(view) => view! { <OutboundFacts view /> }.into_any(),
                        Err(error) => view! { <p class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn OutboundFacts(view: OutboundView) -> impl IntoView {
    let target = if view.base_url.is_empty() {
        "Not set".to_owned()
    } else {
        view.base_url
    };
    view! {
        <dl class="facts">
            <dt>"Base URL"</dt>
            <dd>{target}</dd>
            <dt>"Signs in with"</dt>
            <dd>{view.auth_mode.key()}</dd>
        </dl>
    }
}

#[component]
fn OutboundForm(id: i64, view: OutboundView, save: ServerAction<SaveOutbound>) -> impl IntoView {
    let base_url = RwSignal::new(view.base_url.clone());
    let mode = RwSignal::new(view.auth_mode.key().to_owned());
    let header = RwSignal::new(view.auth_header.clone());
    let value = RwSignal::new(String::new());
    let timeout = RwSignal::new(view.timeout_secs.to_string());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = value.get();
        save.dispatch(SaveOutbound {
            connection_id: id,
            base_url: base_url.get(),
            auth_mode: AuthMode::from_key(&mode.get()).unwrap_or(AuthMode::None),
            auth_header: header.get(),
            auth_value: (!typed.is_empty()).then_some(typed),
            timeout_secs: timeout.get().trim().parse().unwrap_or(0),
        });
    };
    let problem = Signal::derive(move || refusal_of(save.value().get()));
    let saved = move || {
        matches!(save.value().get(), Some(Ok(())))
            .then(|| view! { <p class="muted small" role="status">"Saved."</p> })
    };
    let kept = if view.has_auth_secret {
        "Leave empty to keep the one saved"
    } else {
        ""
    };
    view! {
        <form class="app-form" on:submit=submit data-testid="outbound-form">
            <div class="ws-field">
                <label for="outbound-url">"Base URL (https://…)"</label>
                <input id="outbound-url" prop:value=base_url on:input=move |ev| base_url.set(event_target_value(&ev)) />
                <FieldError problem field="base_url" />
            </div>
            <fieldset class="app-fieldset">
                <legend>"How Switchboard signs in to the app"</legend>
                <div class="ws-field">
                    <label for="outbound-mode">"Method"</label>
                    <select id="outbound-mode" prop:value=mode on:change=move |ev| mode.set(event_target_value(&ev))>
                        <option value="none">"No sign-in"</option>
                        <option value="bearer">"A bearer token"</option>
                        <option value="header">"A header of the app's choosing"</option>
                        <option value="basic">"User and password (HTTP Basic)"</option>
                    </select>
                </div>
                <Show when=move || mode.get() == "header">
                    <div class="ws-field">
                        <label for="outbound-header">"Header"</label>
                        <input id="outbound-header" prop:value=header on:input=move |ev| header.set(event_target_value(&ev)) />
                        <FieldError problem field="auth_header" />
                    </div>
                </Show>
                <Show when=move || mode.get() != "none">
                    <div class="ws-field">
                        <label for="outbound-value">
                            {move || if mode.get() == "basic" { "user:password" } else { "Token or value" }}
                        </label>
                        <input id="outbound-value" type="password" autocomplete="off" placeholder=kept prop:value=value on:input=move |ev| value.set(event_target_value(&ev)) />
                        <FieldError problem field="auth_value" />
                    </div>
                </Show>
            </fieldset>
            <div class="ws-field">
                <label for="outbound-timeout">"Give up after (seconds, 1 to 60)"</label>
                <input id="outbound-timeout" inputmode="numeric" prop:value=timeout on:input=move |ev| timeout.set(event_target_value(&ev)) />
                <FieldError problem field="timeout_secs" />
            </div>
            <FieldError problem field="" />
            <div class="app-actions">
                <button type="submit" class="button" disabled=move || save.pending().get()>"Save"</button>
                {saved}
            </div>
        </form>
        <SigningSecret id set=view.signing_secret_set />
        <TestDelivery id />
    }
    .into_any()
}

#[component]
fn SigningSecret(id: i64, set: bool) -> impl IntoView {
    let rotate = ServerAction::<RotateSigningSecret>::new();
    view! {
        <div class="stack app-secret">
            <span class="muted small">
                {if set { "A signing secret is set. A new one replaces it at once." } else { "No signing secret yet: make one, then give it to the app." }}
            </span>
            <button type="button" class="button button-secondary" on:click=move |_| { rotate.dispatch(RotateSigningSecret { connection_id: id }); }>
                {if set { "Make a new signing secret" } else { "Make a signing secret" }}
            </button>
            {move || match rotate.value().get() {
                Some(Ok(secret)) => view! {
                    <div class="app-created stack" role="status" data-testid="signing-secret">
                        <span class="muted small">"Signing secret (shown this once: copy it now)"</span>
                        <code>{secret}</code>
                    </div>
                }.into_any(),
                Some(Err(error)) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

#[component]
fn TestDelivery(id: i64) -> impl IntoView {
    let send = ServerAction::<SendTestDelivery>::new();
    view! {
        <div class="stack">
            <button type="button" class="button button-secondary" disabled=move || send.pending().get()
                on:click=move |_| { send.dispatch(SendTestDelivery { connection_id: id }); }>
                {move || if send.pending().get() { "Sending…" } else { "Send a test delivery" }}
            </button>
            {move || match send.value().get() {
                Some(Ok(outcome)) => view! { <DeliveryResult outcome /> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
    }
}

#[component]
fn DeliveryResult(outcome: DeliveryOutcome) -> impl IntoView {
    let headline = match (&outcome.error, outcome.status) {
        (None, Some(status)) => format!(
            "Delivered: the app answered {status} in {} ms.",
            outcome.duration_ms
        ),
        (Some(error), _) => format!("Not delivered: {error}"),
        (None, None) => "Not delivered.".to_owned(),
    };
    let class = if outcome.delivered() {
        "app-created stack"
    } else {
        "form-error stack"
    };
    view! {
        <div class=class role="status" data-testid="delivery-result">
            <strong>{headline}</strong>
            {(!outcome.body_excerpt.is_empty()).then(|| view! { <pre class="event-body">{outcome.body_excerpt.clone()}</pre> })}
        </div>
    }
}
