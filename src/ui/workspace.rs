//! Pieces the contact, task and appointment pages share.

use leptos::prelude::*;

use crate::app_error::{AppError, FieldProblem};
use crate::ui::layout::CurrentUserResource;

/// A friendly box for "nothing here" and "could not load".
#[component]
pub fn EmptyState(
    title: &'static str,
    detail: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="card ws-empty" data-testid="empty-state">
            <h2>{title}</h2>
            <p class="muted">{detail}</p>
            {children.map(|children| children())}
        </section>
    }
}

/// The message of the last run of a form's action, when it failed or
/// named a field: (field, message); the field is empty for the whole form.
pub fn problem_of(
    value: Option<Result<Option<FieldProblem>, AppError>>,
) -> Option<(String, String)> {
    match value {
        Some(Ok(Some(problem))) => Some((problem.field, problem.message)),
        other => refusal_of(other),
    }
}

/// The same for an action whose success carries no problem: what its
/// last failure says, and about which field.
pub fn refusal_of<T>(value: Option<Result<T, AppError>>) -> Option<(String, String)> {
    match value?.err()? {
        AppError::Invalid(problem) => Some((problem.field, problem.message)),
        error => Some((String::new(), error.to_string())),
    }
}

/// The message for `field` (or, with `field` empty, for the whole form).
#[component]
pub fn FieldError(problem: Signal<Option<(String, String)>>, field: &'static str) -> impl IntoView {
    move || {
        problem
            .get()
            .filter(|(name, _)| name == field)
            .map(|(_, message)| view! { <p class="field-error" role="alert">{message}</p> })
    }
}

/// Runs `fetch` only for someone signed in (`Ok(None)` otherwise), so a
/// signed-out visitor's page asks the server for nothing it would refuse.
pub async fn when_signed_in<T, F>(fetch: impl FnOnce() -> F) -> Result<Option<T>, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    // An island in the browser has no layout around it; the server
    // refuses its calls if nobody is signed in.
    let Some(user) = use_context::<CurrentUserResource>() else {
        return fetch().await.map(Some);
    };
    match user.await {
        Ok(Some(_)) => fetch().await.map(Some),
        _ => Ok(None),
    }
}

/// What a signed-out visitor sees instead of the team's data.
#[component]
pub fn SignInFirst(what: &'static str) -> impl IntoView {
    view! {
        <EmptyState title="Sign in first" detail=format!("Sign in with HighLevel to see {what}.")>
            <a class="button" href="/signin">"Sign in with HighLevel"</a>
        </EmptyState>
    }
}

/// Previous and next links around "Page N…"; a side without a page is left
/// empty so the label stays centred.
#[component]
pub fn PageLinks(
    previous: Option<String>,
    label: String,
    next: Option<String>,
    #[prop(optional)] test_id: &'static str,
) -> impl IntoView {
    let link = |href: Option<String>, text: &'static str| match href {
        Some(href) => {
            view! { <a class="button button-secondary button-small" href=href>{text}</a> }
                .into_any()
        }
        None => view! { <span></span> }.into_any(),
    };
    view! {
        <nav class="ws-pager" aria-label="Pages" data-testid=(!test_id.is_empty()).then_some(test_id)>
            {link(previous, "← Previous")}
            <span class="muted">{label}</span>
            {link(next, "Next →")}
        </nav>
    }
}
