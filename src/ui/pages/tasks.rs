//! Tasks: mine or everyone's, open (overdue first) or done, completed in
//! place, in pages of fifty.

use leptos::prelude::*;

use crate::api::tasks::{list_tasks, CompleteTask};
use crate::format::thousands;
use crate::ui::components::PageHeader;
use crate::ui::page_address::from_query;
use crate::ui::workspace::{when_signed_in, EmptyState, PageLinks, SignInFirst};
use crate::workspace::model::{TaskItem, TaskList, TASK_PAGE};

#[island(lazy)]
pub fn TasksPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let mine = from_query(|query| query.get("who").as_deref() == Some("mine"));
    let done = from_query(|query| query.get("show").as_deref() == Some("done"));
    let page = from_query(|query| {
        query
            .get("page")
            .and_then(|page| page.parse().ok())
            .unwrap_or(0)
    });
    let complete = ServerAction::<CompleteTask>::new();
    let tasks = Resource::new(
        move || (mine.get(), done.get(), page.get(), complete.version().get()),
        |(mine, done, page, _)| when_signed_in(move || list_tasks(mine, done, Some(page))),
    );
    let link = move |who: &str, show: &str| format!("/tasks?who={who}&show={show}");
    let tab = move |active: bool| {
        if active {
            "ws-tab ws-tab-active"
        } else {
            "ws-tab"
        }
    };
    let failure = move || match complete.value().get() {
        Some(Err(error)) => {
            Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> })
        }
        _ => None,
    };
    view! {
        <PageHeader title="Tasks" subtitle="Follow-ups for you and your team, overdue first." />
        <nav class="ws-tabs ws-tabs-bar" aria-label="Which tasks">
            <a class=move || tab(!mine.get()) href=move || link("all", if done.get() { "done" } else { "open" })>"Everyone's"</a>
            <a class=move || tab(mine.get()) href=move || link("mine", if done.get() { "done" } else { "open" })>"Mine"</a>
            <span class="ws-tabs-gap"></span>
            <a class=move || tab(!done.get()) href=move || link(if mine.get() { "mine" } else { "all" }, "open")>"Open"</a>
            <a class=move || tab(done.get()) href=move || link(if mine.get() { "mine" } else { "all" }, "done")>"Done"</a>
        </nav>
        {failure}
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading tasks…"</p></section> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    Ok(Some(list)) => view! { <TaskListView list mine=mine.get_untracked() done=done.get_untracked() complete /> }.into_any(),
                    Ok(None) => view! { <SignInFirst what="your tasks" /> }.into_any(),
                    Err(error) => view! { <EmptyState title="Tasks could not be shown" detail=error.to_string() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TaskListView(
    list: TaskList,
    mine: bool,
    done: bool,
    complete: ServerAction<CompleteTask>,
) -> impl IntoView {
    if list.tasks.is_empty() {
        let (title, detail) = match (done, mine) {
            (true, _) => ("Nothing completed yet", "Tasks you complete show up here."),
            (false, true) => ("Nothing on your plate", "No open task is assigned to you. Well done."),
            (false, false) => (
                "No open tasks",
                "Tasks appear here once Switchboard has copied them from HighLevel, or when you add one on a contact's page.",
            ),
        };
        return view! { <EmptyState title detail=detail.to_owned() /> }.into_any();
    }
    let first = i64::from(list.page) * TASK_PAGE + 1;
    let shown = format!("{first}–{}", first + list.tasks.len() as i64 - 1);
    let summary = if done {
        format!("Completed, latest first · {shown}")
    } else if list.page > 0 || list.more {
        format!(
            "{} open · {} overdue · showing {shown}",
            thousands(list.open),
            thousands(list.overdue)
        )
    } else {
        format!(
            "{} open · {} overdue",
            thousands(list.open),
            thousands(list.overdue)
        )
    };
    let pager = view! { <TaskPager page=list.page more=list.more mine done /> };
    let can_write = list.can_write;
    view! {
        <section class="card ws-table-card">
            <p class="ws-count" data-testid="task-summary">{summary}</p>
            <ul class="ws-tasks" data-testid="tasks">
                {list.tasks.into_iter().map(|task| view! { <TaskLine task can_write complete /> }).collect_view()}
            </ul>
            {pager}
        </section>
    }
    .into_any()
}

/// Previous and next links, kept on the same tab.
#[component]
fn TaskPager(page: u32, more: bool, mine: bool, done: bool) -> impl IntoView {
    if page == 0 && !more {
        return None;
    }
    let who = if mine { "mine" } else { "all" };
    let show = if done { "done" } else { "open" };
    let link = move |page: u32| format!("/tasks?who={who}&show={show}&page={page}");
    let previous = (page > 0).then(|| link(page - 1));
    let next = more.then(|| link(page + 1));
    let label = format!("Page {}", page + 1);
    Some(view! { <PageLinks previous label next test_id="task-pager" /> })
}

#[component]
fn TaskLine(
    task: TaskItem,
    can_write: bool,
    complete: ServerAction<CompleteTask>,
) -> impl IntoView {
    let button = can_write.then(|| {
        let contact_id = task.contact_id.clone();
        let task_id = task.id.clone();
        let completed = task.completed;
        let label = if completed { format!("Reopen {}", task.title) } else { format!("Complete {}", task.title) };
        view! {
            <button
                type="button"
                class=if completed { "ws-checkbox ws-checkbox-on" } else { "ws-checkbox" }
                aria-label=label
                disabled=move || contact_id.is_none() || complete.pending().get()
                on:click={
                    let contact_id = task.contact_id.clone().unwrap_or_default();
                    move |_| {
                        complete.dispatch(CompleteTask { contact_id: contact_id.clone(), task_id: task_id.clone(), completed: !completed });
                    }
                }
            >
                {completed.then_some("✓")}
            </button>
        }
    });
    let due = task.due.clone().map(|due| {
        let class = if task.overdue {
            "pill pill-danger"
        } else {
            "muted ws-due"
        };
        let text = if task.overdue {
            format!("Overdue · {due}")
        } else {
            format!("Due {due}")
        };
        view! { <span class=class>{text}</span> }
    });
    let contact = task.contact_id.clone().map(|id| {
        let name = task
            .contact_name
            .clone()
            .unwrap_or_else(|| "Contact".into());
        view! { <a href=format!("/contacts/{id}")>{name}</a> }
    });
    view! {
        <li class="ws-task" data-testid="task" data-task-id=task.id.clone()>
            {button}
            <div class="ws-task-main">
                <p class=if task.completed { "ws-entry-title ws-done" } else { "ws-entry-title" }>{task.title.clone()}</p>
                <p class="ws-task-meta">
                    {contact}
                    {task.assignee.clone().map(|name| view! { <span class="muted">{format!("· {name}")}</span> })}
                </p>
            </div>
            <div class="ws-task-due">{due}</div>
        </li>
    }
}
