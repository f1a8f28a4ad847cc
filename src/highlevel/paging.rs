//! Lists that span several pages, as streams of items.
//!
//! Each stream asks for the next page only when the previous one is used up,
//! and ends after the last page. A page that does not move the cursor
//! forward ends the stream with [`HighLevelError::CursorStuck`]: looping on
//! it would spend the location's budget for nothing.

use futures::stream::{self, Stream, TryStreamExt};
use serde_json::Value;

use super::client::HighLevelClient;
use super::endpoints::ContactsPage;
use super::error::HighLevelError;
use super::models::{ListedContact, SearchContacts, SearchedContact, TaskSearch};

/// Page size of the task search when the caller sets none (HighLevel's default).
const DEFAULT_TASK_PAGE: u32 = 25;

/// Page size of the deprecated contact list when the caller sets none (its maximum).
const DEFAULT_CONTACTS_PAGE: u32 = 100;

/// Where a paged walk stands.
enum Cursor<C> {
    Start,
    After(C),
    Done,
}

impl HighLevelClient {
    /// Every contact matching `search`, page after page through `searchAfter`
    /// (which reaches past the 10,000 records of numbered pages).
    pub fn search_contacts_all(
        &self,
        location_id: &str,
        search: SearchContacts,
    ) -> impl Stream<Item = Result<SearchedContact, HighLevelError>> + Send + '_ {
        let location_id = location_id.to_owned();
        let pages = stream::try_unfold(Cursor::Start, move |cursor| {
            let location_id = location_id.clone();
            let mut search = search.clone();
            async move {
                let previous = match cursor {
                    Cursor::Done => return Ok(None),
                    Cursor::Start => None,
                    Cursor::After(previous) => Some(previous),
                };
                search.page = None;
                search.search_after = previous.clone();
                let page = self.search_contacts(&location_id, &search).await?.contacts;
                let next = next_search_cursor(&page, search.page_limit, previous)?;
                Ok(Some((page, next)))
            }
        });
        flatten(pages)
    }

    /// Every contact of the deprecated `GET /contacts/` list, page after page
    /// through `startAfterId` and `startAfter`.
    pub fn list_contacts_all(
        &self,
        location_id: &str,
        first: ContactsPage,
    ) -> impl Stream<Item = Result<ListedContact, HighLevelError>> + Send + '_ {
        let location_id = location_id.to_owned();
        let limit = first.limit.unwrap_or(DEFAULT_CONTACTS_PAGE);
        let first = ContactsPage {
            limit: Some(limit),
            ..first
        };
        let pages = stream::try_unfold(Cursor::After(first), move |cursor| {
            let location_id = location_id.clone();
            async move {
                let Cursor::After(page) = cursor else {
                    return Ok(None);
                };
                let answer = self.get_contacts(&location_id, &page).await?;
                let next = next_list_cursor(&answer, &page, limit)?;
                Ok(Some((answer.contacts, next)))
            }
        });
        flatten(pages)
    }

    /// Every task of the location matching `search`, page after page through
    /// `skip` and `limit`. The items are untyped: see
    /// [`TaskSearchResponse`](super::models::TaskSearchResponse).
    pub fn search_tasks_all(
        &self,
        location_id: &str,
        search: TaskSearch,
    ) -> impl Stream<Item = Result<Value, HighLevelError>> + Send + '_ {
        let location_id = location_id.to_owned();
        let limit = search.limit.unwrap_or(DEFAULT_TASK_PAGE).max(1);
        let start = (search.skip.unwrap_or(0), None::<String>);
        let pages = stream::try_unfold(Cursor::After(start), move |cursor| {
            let location_id = location_id.clone();
            let mut search = search.clone();
            async move {
                let Cursor::After((skip, previous_first)) = cursor else {
                    return Ok(None);
                };
                search.skip = Some(skip);
                search.limit = Some(limit);
                let page = self.task_search(&location_id, &search).await?.tasks;
                let first = page.first().and_then(task_id);
                if page.len() < to_usize(limit) {
                    return Ok(Some((page, Cursor::Done)));
                }
                // Skipping further must give other tasks; the same first task
                // again means the server ignores `skip`.
                if previous_first.is_some() && previous_first == first {
                    return Err(stuck("task-search"));
                }
                let next_skip = skip.saturating_add(limit);
                Ok(Some((page, Cursor::After((next_skip, first)))))
            }
        });
        flatten(pages)
    }
}

/// Turns a stream of pages into a stream of items.
fn flatten<T: Send>(
    pages: impl Stream<Item = Result<Vec<T>, HighLevelError>> + Send,
) -> impl Stream<Item = Result<T, HighLevelError>> + Send {
    pages
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
}

/// The `searchAfter` to continue after this page, or the end.
fn next_search_cursor(
    page: &[SearchedContact],
    page_limit: u32,
    previous: Option<Vec<Value>>,
) -> Result<Cursor<Vec<Value>>, HighLevelError> {
    if page.len() < to_usize(page_limit) || page.is_empty() {
        return Ok(Cursor::Done);
    }
    let next = page
        .last()
        .and_then(|contact| contact.search_after.clone())
        .ok_or_else(|| stuck("search-contacts-advanced"))?;
    if previous.as_ref() == Some(&next) {
        return Err(stuck("search-contacts-advanced"));
    }
    Ok(Cursor::After(next))
}

/// The page after this one of the deprecated list, or the end. The cursor is
/// the answer's `meta`, or else the last contact's id.
fn next_list_cursor(
    answer: &super::models::ContactsListResponse,
    asked: &ContactsPage,
    limit: u32,
) -> Result<Cursor<ContactsPage>, HighLevelError> {
    if answer.contacts.len() < to_usize(limit) || answer.contacts.is_empty() {
        return Ok(Cursor::Done);
    }
    let meta = answer.meta.clone().unwrap_or_default();
    let start_after_id = meta
        .start_after_id
        .or_else(|| answer.contacts.last().map(|contact| contact.id.clone()));
    let next = ContactsPage {
        start_after_id,
        start_after: meta.start_after,
        ..asked.clone()
    };
    if next.start_after_id == asked.start_after_id && next.start_after == asked.start_after {
        return Err(stuck("get-contacts"));
    }
    Ok(Cursor::After(next))
}

fn task_id(task: &Value) -> Option<String> {
    let id = task.get("id").or_else(|| task.get("_id"))?;
    id.as_str().map(str::to_owned)
}

fn stuck(operation: &str) -> HighLevelError {
    HighLevelError::CursorStuck {
        operation: operation.to_owned(),
    }
}

fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
