//! Pieces the contact, task and appointment pages share.

use leptos::prelude::*;

use crate::api::contacts::FieldProblem;

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

/// A server function's error as a sentence for people.
pub fn plain_error(error: &ServerFnError) -> String {
    let text = error.to_string();
    text.trim_start_matches("error running server function: ")
        .to_owned()
}

/// 12345 → "12,345".
pub fn thousands(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if number < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// The message of the last run of a form's action, when it failed or
/// named a field: (field, message); the field is empty for the whole form.
pub fn problem_of(
    value: Option<Result<Option<FieldProblem>, ServerFnError>>,
) -> Option<(String, String)> {
    match value {
        Some(Ok(Some(problem))) => Some((problem.field, problem.message)),
        Some(Err(error)) => Some((String::new(), plain_error(&error))),
        _ => None,
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
