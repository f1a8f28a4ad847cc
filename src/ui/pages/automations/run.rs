//! One run: how it ended and what to do about it, the data it started
//! with, and each step's request, answer and timing. A run still going is
//! followed live; a failed one is retried from its failed step with the
//! version it ran or the current one.

use std::time::Duration;

use leptos::prelude::*;

use super::history::RunStatusPill;
use crate::api::automations::{run_detail, RetryRun, StepView};
use crate::ui::components::PageHeader;

const LIVE_REFRESH: Duration = Duration::from_millis(1000);

#[island(lazy)]
pub fn RunPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let params = crate::ui::page_address::params();
    let id = move || {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let retry = ServerAction::<RetryRun>::new();
    let tick = RwSignal::new(0u32);
    let live = RwSignal::new(false);
    let detail = Resource::new(
        move || (id(), tick.get(), retry.version().get()),
        |(id, ..)| run_detail(id),
    );
    // Effects run only in the browser: follow a run until it ends.
    Effect::new(move |_| {
        let refresh = move || {
            if live.get_untracked() {
                tick.update(|tick| *tick = tick.wrapping_add(1));
            }
        };
        if let Ok(handle) = set_interval_with_handle(refresh, LIVE_REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <PageHeader title="Run" subtitle="What started it, what each step sent, and how it ended." />
        <a class="map-back muted small" href="/automations/runs">"\u{2190} Run history"</a>
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading the run…"</p></section> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(page) => {
                        // A run held by a wait goes on in minutes or days: not followed.
                        live.set(matches!(page.run.status.as_str(), "queued" | "running") && page.run.waiting_until.is_none());
                        let run = page.run.clone();
                        let run_id = run.id;
                        view! {
                            <section class="card stack auto-run-head" data-testid="run-summary" data-status=run.status.clone()>
                                <div class="auto-card-head">
                                    <h2 class="card-title">{format!("Run #{} of ", run.id)}<a href=format!("/automations/{}", run.automation_id)>{run.automation.clone()}</a></h2>
                                    <RunStatusPill run=run.clone() />
                                </div>
                                <p class="muted small">{format!("{} \u{b7} queued {} \u{b7} version {}{}", run.trigger, run.queued_at, run.version,
                                    if run.duration.is_empty() { String::new() } else { format!(" \u{b7} took {}", run.duration) })}</p>
                                {(!run.subject.is_empty()).then(|| view! { <p class="small">"About "<code>{run.subject.clone()}</code></p> })}
                                {run.error.clone().map(|error| view! { <p class="form-error" data-testid="run-error">{error}</p> })}
                                {run.retry_at.clone().map(|at| view! { <p class="form-warning small">{format!("Tries again at {at}.")}</p> })}
                                {run.waiting_until.clone().map(|at| view! { <p class="small" data-testid="run-waiting-until">{format!("Waiting until {at}: then it goes on with the next step. Until then it stays queued.")}</p> })}
                                {page.advice.clone().map(|advice| view! { <p class="small" data-testid="run-advice"><strong>"What to do: "</strong>{advice}</p> })}
                                {page.can_retry.then(|| view! {
                                    <div class="auto-state-buttons">
                                        <button type="button" class="button" data-testid="retry-run"
                                            on:click=move |_| { retry.dispatch(RetryRun { id: run_id, current: true }); }>
                                            {format!("Retry from the failed step (version {})", page.current_version)}
                                        </button>
                                        {(page.current_version != run.version).then(|| view! {
                                            <button type="button" class="button button-secondary" data-testid="retry-run-same"
                                                on:click=move |_| { retry.dispatch(RetryRun { id: run_id, current: false }); }>
                                                {format!("Retry with version {}", run.version)}
                                            </button>
                                        })}
                                    </div>
                                })}
                                {move || retry.value().get().and_then(Result::err).map(|error| view! { <p class="form-error">{error.to_string()}</p> })}
                            </section>
                            <section class="card stack">
                                <h2 class="card-title">"Steps"</h2>
                                {if page.steps.is_empty() {
                                    view! { <p class="muted">{if live.get_untracked() { "Waiting to start…" } else { "No step ran." }}</p> }.into_any()
                                } else {
                                    view! { <StepList steps=page.steps.clone() /> }.into_any()
                                }}
                            </section>
                            <section class="card stack">
                                <details>
                                    <summary>"The data it started with"</summary>
                                    <pre class="map-json" data-testid="run-trigger-data">{page.trigger_data.clone()}</pre>
                                </details>
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <section class="card"><p class="form-error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Each step with its status, timing and what it sent and got.
#[component]
pub fn StepList(steps: Vec<StepView>) -> impl IntoView {
    view! {
        <ol class="auto-step-list" data-testid="run-steps">
            {steps.into_iter().map(|step| view! {
                <li class="auto-run-step" data-testid="run-step" data-status=step.status.clone()>
                    <div class="auto-card-head">
                        <strong>{format!("{}. {}", step.position + 1, step.name)}</strong>
                        <span class=format!("pill step-{}", step.status)>{match step.status.as_str() {
                            "done" => "Done",
                            "failed" => "Failed",
                            "waiting" => "Waiting",
                            "skipped" => "Skipped by the branch",
                            _ => "Sent, answer not kept",
                        }}</span>
                    </div>
                    {(!step.started.is_empty()).then(|| view! {
                        <span class="muted small">{format!("{}{}", step.started, step.duration_ms.map(|ms| format!(" \u{b7} {ms} ms")).unwrap_or_default())}</span>
                    })}
                    {step.summary.clone().map(|summary| view! { <p class="small" data-testid="step-summary">{summary}</p> })}
                    {step.error.clone().map(|error| view! { <p class="form-error" data-testid="step-error">{error}</p> })}
                    {(!step.request.is_empty()).then(|| view! {
                        <details open=step.status == "failed"><summary class="small">"Request"</summary><pre class="map-json" data-testid="step-request">{step.request.clone()}</pre></details>
                    })}
                    {(!step.answer.is_empty()).then(|| view! {
                        <details><summary class="small">"Answer"</summary><pre class="map-json">{step.answer.clone()}</pre></details>
                    })}
                    {(!step.output.is_empty()).then(|| view! {
                        <details><summary class="small">"What later steps read"</summary><pre class="map-json" data-testid="step-output">{step.output.clone()}</pre></details>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
