//! The contact list: search, filters and sort in the URL (so a filtered list
//! can be shared), pages of fifty, CSV export of what the filter shows, and
//! tags added to or removed from the ticked contacts or from every match.

mod html;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use crate::api::contacts::{get_filter_choices, list_contacts, BulkTag, BulkTagMatching};
use crate::app_error::AppError;
use crate::format::thousands;
use crate::ui::components::PageHeader;
use crate::ui::page_address::from_query;
use crate::ui::workspace::{when_signed_in, EmptyState, PageLinks, SignInFirst};
use crate::workspace::filter::FIELDS;
use crate::workspace::filter::{ContactFilter, ContactSort};
use crate::workspace::model::{
    BulkTagOutcome, ContactList, ContactRow, FilterChoices, COUNT_CAP, PAGE_SIZE,
};
use html::{options_html, rows_html};

#[island(lazy)]
pub fn ContactsPage() -> impl IntoView {
    crate::ui::island::island_ready();
    let filter = from_query(|query| {
        ContactFilter::from_pairs(
            FIELDS
                .iter()
                .filter_map(|name| query.get(name).map(|value| (*name, value))),
        )
    });
    let selection = Selection::new();
    let contacts = Resource::new(
        move || (filter.get(), selection.changes()),
        |(filter, _)| {
            when_signed_in(move || async move { list_contacts(filter).await.map(ShownPage::from) })
        },
    );
    let choices = Resource::new(|| (), |_| when_signed_in(get_filter_choices));
    Effect::new(move |_| {
        filter.track();
        selection.clear();
    });
    let export = move || format!("/contacts/export.csv?{}", filter.get().to_query());
    view! {
        <PageHeader title="Contacts" subtitle="Everyone in your HighLevel account, searchable in an instant.">
            <a class="button button-secondary" href=export download rel="external" data-testid="export-csv">
                "Export CSV"
            </a>
        </PageHeader>
        <Suspense fallback=|| view! { <section class="card ws-filters"><p class="muted loading">"Loading filters…"</p></section> }>
            {move || {
                // Read here so the form follows a sort or page change made by a link.
                let current = filter.get();
                Suspend::new(async move {
                    choices
                        .await
                        .ok()
                        .flatten()
                        .map(|choices| view! { <Filters filter=current choices /> })
                })
            }}
        </Suspense>
        <Transition fallback=|| view! { <section class="card"><p class="muted loading">"Loading contacts…"</p></section> }>
            {move || Suspend::new(async move {
                match contacts.await {
                    Ok(Some(list)) => view! { <ContactTable list filter=filter.get_untracked() selection /> }.into_any(),
                    Ok(None) => view! { <SignInFirst what="your contacts" /> }.into_any(),
                    Err(error) => view! {
                        <EmptyState title="The contact list could not be shown" detail=error.to_string() />
                    }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(filter: ContactFilter, choices: FilterChoices) -> impl IntoView {
    let named = |values: Vec<String>| -> Vec<(String, String)> {
        values
            .into_iter()
            .map(|value| (value.clone(), value))
            .collect()
    };
    view! {
        <form class="card ws-filters" method="get" action="/contacts" role="search" data-testid="contact-filters">
            <div class="ws-field ws-search">
                <label for="q">"Search"</label>
                <input id="q" name="q" type="search" value=filter.q.clone() placeholder="Name, email, phone or company" />
            </div>
            <ChoiceField name="tag" label="Tag" anything="Any tag" choices=named(choices.tags) current=filter.tag.clone() />
            <ChoiceField name="source" label="Source" anything="Any source" choices=named(choices.sources) current=filter.source.clone() />
            <ChoiceField name="assignee" label="Assigned to" anything="Anyone" choices=choices.users current=filter.assignee.clone() />
            <div class="ws-field">
                <label for="added_from">"Added from"</label>
                <input id="added_from" name="added_from" type="date" value=filter.added_from.clone() />
            </div>
            <div class="ws-field">
                <label for="added_to">"Added to"</label>
                <input id="added_to" name="added_to" type="date" value=filter.added_to.clone() />
            </div>
            {(!filter.sort.is_empty()).then(|| view! { <input type="hidden" name="sort" value=filter.sort.clone() /> })}
            {(!filter.dir.is_empty()).then(|| view! { <input type="hidden" name="dir" value=filter.dir.clone() /> })}
            <div class="ws-filter-actions">
                <button type="submit" class="button">"Apply"</button>
                {filter.narrows().then(|| view! { <a class="button button-secondary" href="/contacts">"Clear"</a> })}
            </div>
        </form>
    }
}

/// A drop-down of the filter: `anything` first, then each (value, label).
#[component]
fn ChoiceField(
    name: &'static str,
    label: &'static str,
    anything: &'static str,
    choices: Vec<(String, String)>,
    current: String,
) -> impl IntoView {
    view! {
        <div class="ws-field">
            <label for=name>{label}</label>
            <select id=name name=name inner_html=options_html(anything, &choices, &current)></select>
        </div>
    }
}

#[component]
fn ContactTable(list: ShownPage, filter: ContactFilter, selection: Selection) -> impl IntoView {
    if list.ids.is_empty() {
        return if filter.narrows() {
            view! {
                <EmptyState title="No contacts match this filter" detail="Try fewer words or another tag, or clear the filter.".into()>
                    <a class="button button-secondary" href="/contacts">"Clear the filter"</a>
                </EmptyState>
            }
            .into_any()
        } else {
            view! {
                <EmptyState
                    title="No contacts yet"
                    detail="Contacts appear here once Switchboard has copied them from HighLevel, which starts by itself when you sign in.".into()
                >
                    <a class="button button-secondary" href="/sync">"Follow the sync"</a>
                </EmptyState>
            }
            .into_any()
        };
    }
    let can_write = list.can_write;
    let full_page = list.ids.len() == PAGE_SIZE as usize;
    let page_ids = list.ids.clone();
    let selected = selection.ticked;
    let all_selected = {
        let ids = page_ids.clone();
        move || {
            selection.everything.get()
                || selected.with(|chosen| ids.iter().all(|id| chosen.contains(id)))
        }
    };
    let toggle_all = move |_| {
        let page = page_ids.clone();
        selection.everything.set(false);
        selected.update(|chosen| {
            if page.iter().all(|id| chosen.contains(id)) {
                chosen.clear();
            } else {
                *chosen = page;
            }
        });
    };
    let body = NodeRef::<leptos::html::Tbody>::new();
    show_ticks(body, selection);
    let tick_one = move |event: leptos::ev::Event| {
        let ticked = event_target::<leptos::web_sys::HtmlInputElement>(&event);
        let (id, on) = (ticked.value(), ticked.checked());
        selection.everything.set(false);
        selected.update(|chosen| {
            chosen.retain(|other| *other != id);
            if on {
                chosen.push(id);
            }
        });
    };
    let matches = BulkMatches {
        filter: filter.clone(),
        total: list.total,
        on_page: list.ids.len(),
    };
    let header = |label: &'static str, column: ContactSort, class: &'static str| {
        let active = filter.sort() == column;
        let arrow = match (active, filter.descending()) {
            (false, _) => "",
            (true, true) => " ↓",
            (true, false) => " ↑",
        };
        let aria = match (active, filter.descending()) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        };
        let href = format!("/contacts?{}", filter.sorted_by(column).to_query());
        view! { <th class=class aria-sort=aria><a class="ws-sort" href=href>{label}{arrow}</a></th> }
    };
    view! {
        <section class="card ws-table-card">
            <div class="ws-table-head">
                <p class="ws-count" data-testid="contact-count">{count_text(list.total)}</p>
                {can_write.then(|| view! { <BulkBar selection matches /> })}
            </div>
            <div class="ws-table-scroll">
                <table class="table ws-table" data-testid="contacts">
                    <thead>
                        <tr>
                            {can_write.then(|| view! {
                                <th class="ws-check">
                                    <input type="checkbox" aria-label="Select every contact on this page" prop:checked=all_selected on:change=toggle_all />
                                </th>
                            })}
                            {header("Name", ContactSort::Name, "ws-name-cell")}
                            <th class="ws-hide-phone">"Phone"</th>
                            <th class="ws-hide-phone">"Source"</th>
                            <th class="ws-hide-phone">"Assigned to"</th>
                            <th>"Tags"</th>
                            {header("Added", ContactSort::Added, "ws-hide-phone")}
                        </tr>
                    </thead>
                    <tbody inner_html=rows_html(&list.rows, can_write) node_ref=body on:change=tick_one></tbody>
                </table>
            </div>
            <Pager filter total=list.total full_page=full_page />
        </section>
    }
    .into_any()
}

/// A page of the list as the island keeps it. Its rows are left out of
/// the data a page hydrates from (they were most of it): the server's HTML
/// already holds them, and the browser writes rows only from a page it
/// fetched itself after a tag change, which carries them.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct ShownPage {
    #[serde(skip)]
    rows: Arc<[ContactRow]>,
    ids: Vec<String>,
    total: i64,
    can_write: bool,
}

impl From<ContactList> for ShownPage {
    fn from(list: ContactList) -> Self {
        Self {
            ids: list.rows.iter().map(|row| row.id.clone()).collect(),
            rows: list.rows,
            total: list.total,
            can_write: list.can_write,
        }
    }
}

fn count_text(total: i64) -> String {
    match total {
        1 => "1 contact".into(),
        n if n > COUNT_CAP => format!("More than {} contacts", thousands(COUNT_CAP)),
        n => format!("{} contacts", thousands(n)),
    }
}

/// Ticks each row's box that the selection holds, and only those.
fn show_ticks(body: NodeRef<leptos::html::Tbody>, selection: Selection) {
    Effect::new(move |_| {
        let everything = selection.everything.get();
        let Some(body) = body.get() else {
            return;
        };
        let boxes = body.get_elements_by_tag_name("input");
        selection.ticked.with(|chosen| {
            for at in 0..boxes.length() {
                let input = boxes.item(at).and_then(|element| {
                    element.dyn_into::<leptos::web_sys::HtmlInputElement>().ok()
                });
                if let Some(input) = input {
                    input.set_checked(everything || chosen.contains(&input.value()));
                }
            }
        });
    });
}

/// What the ticked boxes say: some contacts of the page, or every contact
/// the filter matches; and the two ways of changing their tags.
#[derive(Clone, Copy)]
struct Selection {
    ticked: RwSignal<Vec<String>>,
    everything: RwSignal<bool>,
    some: ServerAction<BulkTag>,
    all: ServerAction<BulkTagMatching>,
}

impl Selection {
    fn new() -> Self {
        Self {
            ticked: RwSignal::new(Vec::new()),
            everything: RwSignal::new(false),
            some: ServerAction::new(),
            all: ServerAction::new(),
        }
    }

    fn clear(self) {
        self.ticked.set(Vec::new());
        self.everything.set(false);
    }

    /// Counts finished tag changes, so the list reloads after each.
    fn changes(self) -> (usize, usize) {
        (self.some.version().get(), self.all.version().get())
    }

    fn pending(self) -> bool {
        self.some.pending().get() || self.all.pending().get()
    }

    /// The answer of the last change made the way the selection is now.
    fn outcome(self) -> Option<Result<BulkTagOutcome, AppError>> {
        if self.everything.get() {
            self.all.value().get()
        } else {
            self.some.value().get()
        }
    }
}

/// The filter's matches, for the "select every match" offer.
#[derive(Clone)]
struct BulkMatches {
    filter: ContactFilter,
    total: i64,
    on_page: usize,
}

/// Adds or removes a tag on the ticked contacts, or on every match.
#[component]
fn BulkBar(selection: Selection, matches: BulkMatches) -> impl IntoView {
    let tag = RwSignal::new(String::new());
    let BulkMatches {
        filter,
        total,
        on_page,
    } = matches;
    let send = move |add: bool| {
        let tag = tag.get_untracked();
        if selection.everything.get_untracked() {
            selection.all.dispatch(BulkTagMatching {
                filter: filter.clone(),
                tag,
                add,
            });
        } else {
            selection.some.dispatch(BulkTag {
                contact_ids: selection.ticked.get_untracked(),
                tag,
                add,
            });
        }
    };
    let send_add = send.clone();
    // Every box of a page that does not hold every match is ticked.
    let can_widen = move || {
        !selection.everything.get()
            && total as usize > on_page
            && total <= COUNT_CAP
            && selection.ticked.with(|ticked| ticked.len() == on_page)
    };
    let count = move || {
        if selection.everything.get() {
            format!("All {} matching contacts selected", thousands(total))
        } else {
            format!("{} selected", selection.ticked.with(Vec::len))
        }
    };
    let result = move || {
        match selection.outcome() {
        _ if selection.pending() => Some(
            view! { <p class="muted loading" role="status">"Changing the tags in HighLevel…"</p> }
                .into_any(),
        ),
        Some(Ok(outcome)) if outcome.failures.is_empty() => Some(
            view! { <p class="ws-ok" role="status">{format!("Done: {} contacts changed.", thousands(outcome.changed as u64))}</p> }
                .into_any(),
        ),
        Some(Ok(outcome)) => Some(
            view! {
                <p class="field-error" role="alert">
                    {format!("{} contacts changed; others were not: {}", thousands(outcome.changed as u64), outcome.failures.join(" "))}
                </p>
            }
            .into_any(),
        ),
        Some(Err(error)) => Some(view! { <p class="field-error" role="alert">{error.to_string()}</p> }.into_any()),
        None => None,
    }
    };
    let nothing_chosen = move || {
        (!selection.everything.get() && selection.ticked.with(Vec::is_empty))
            || tag.with(|tag| tag.trim().is_empty())
            || selection.pending()
    };
    view! {
        <div class="ws-bulk" data-testid="bulk-tags">
            <span class="muted" data-testid="bulk-count">{count}</span>
            {move || can_widen().then(|| view! {
                <button type="button" class="ws-widen" on:click=move |_| selection.everything.set(true)>
                    {format!("Select all {} matching", thousands(total))}
                </button>
            })}
            {move || selection.everything.get().then(|| view! {
                <button type="button" class="ws-widen" on:click=move |_| selection.clear()>"Clear selection"</button>
            })}
            <input type="text" aria-label="Tag for the selected contacts" placeholder="Tag" prop:value=tag on:input=move |event| tag.set(event_target_value(&event)) />
            <button type="button" class="button button-small" disabled=nothing_chosen on:click=move |_| send_add(true)>"Add tag"</button>
            <button type="button" class="button button-secondary button-small" disabled=nothing_chosen on:click=move |_| send(false)>"Remove tag"</button>
            {result}
        </div>
    }
}

#[component]
fn Pager(filter: ContactFilter, total: i64, full_page: bool) -> impl IntoView {
    let size = i64::from(PAGE_SIZE);
    let pages = ((total.min(COUNT_CAP) + size - 1) / size).max(1);
    let page = i64::from(filter.page);
    let link = |page: u32| format!("/contacts?{}", filter.on_page(page).to_query());
    let previous = (page > 0).then(|| link(filter.page - 1));
    // Past the counted matches, a full page means there may be more.
    let more = if total > COUNT_CAP {
        full_page
    } else {
        page + 1 < pages
    };
    let next = more.then(|| link(filter.page + 1));
    let of = if total > COUNT_CAP {
        String::new()
    } else {
        format!(" of {pages}")
    };
    let label = format!("Page {}{of}", page + 1);
    view! { <PageLinks previous label next /> }
}
