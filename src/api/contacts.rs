//! The contact list and a contact's page: reads from the cache, writes to
//! HighLevel first and then to the cache from HighLevel's answer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::workspace::filter::{ContactFilter, ContactSort};

/// Contacts per page of the list.
pub const PAGE_SIZE: u32 = 50;
/// The list counts matches up to this many; beyond it shows "10,000+".
pub const COUNT_CAP: i64 = 10_000;

/// One row of the contact list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// `2026-11-24`.
    pub added: Option<String>,
}

/// A page of the filtered list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    pub rows: Vec<ContactRow>,
    /// Matches, counted up to [`COUNT_CAP`] + 1.
    pub total: i64,
    pub page: u32,
    pub can_write: bool,
}

/// What the filter drop-downs offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    /// HighLevel users: (id, name).
    pub users: Vec<(String, String)>,
}

/// A problem with a form, shown next to its field (`field` is the input's name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: &str) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The contacts that match `filter`, one page.
#[server(endpoint = "contacts/list", input = leptos::server_fn::codec::Json)]
pub async fn list_contacts(filter: ContactFilter) -> Result<ContactList, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Viewer).await?;
    let valid = filter
        .validate(|day| caller.zone.midnight(day))
        .map_err(|message| guard::bad_request(&message))?;
    let (rows, total) = crate::workspace::contacts::list(
        &caller.state.db,
        &caller.who.location_id,
        &valid,
        caller.zone,
    )
    .await
    .map_err(guard::database)?;
    Ok(ContactList {
        rows,
        total,
        page: valid.page,
        can_write: caller.role <= Role::Member,
    })
}

#[server(endpoint = "contacts/choices")]
pub async fn get_filter_choices() -> Result<FilterChoices, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Viewer).await?;
    crate::workspace::contacts::choices(&caller.state.db, &caller.who.location_id)
        .await
        .map_err(guard::database)
}

/// What a tag change on many contacts did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkTagOutcome {
    pub changed: usize,
    /// Plain-words reasons for the contacts HighLevel did not change.
    pub failures: Vec<String>,
}

/// Adds (`add`) or removes `tag` on every contact `filter` matches (on every
/// page, up to [`COUNT_CAP`]), through HighLevel's bulk operation.
#[server(endpoint = "contacts/bulk-tag-matching", input = leptos::server_fn::codec::Json)]
pub async fn bulk_tag_matching(
    filter: ContactFilter,
    tag: String,
    add: bool,
) -> Result<BulkTagOutcome, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Member).await?;
    let tag = tag_to_change(&tag)?;
    crate::workspace::bulk_tags::retag_matching(&caller, &filter, &tag, add).await
}

/// The tag of a bulk change, trimmed; refused when empty.
#[cfg(feature = "ssr")]
fn tag_to_change(tag: &str) -> Result<String, ServerFnError> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(crate::api::guard::bad_request(
            "Type the tag to add or remove.",
        ));
    }
    Ok(tag.to_owned())
}

/// Adds (`add`) or removes `tag` on each of `contact_ids` in HighLevel, then
/// caches each contact's tags as HighLevel answered them.
#[server(endpoint = "contacts/bulk-tag", input = leptos::server_fn::codec::Json)]
pub async fn bulk_tag(
    contact_ids: Vec<String>,
    tag: String,
    add: bool,
) -> Result<BulkTagOutcome, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Member).await?;
    let tag = tag_to_change(&tag)?;
    if contact_ids.is_empty() || contact_ids.len() > PAGE_SIZE as usize {
        return Err(guard::bad_request(&format!(
            "Select between 1 and {PAGE_SIZE} contacts."
        )));
    }
    crate::workspace::writes::retag_many(&caller, &contact_ids, &tag, add).await
}

/// A contact's page: its fields and everything that happened with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub company: Option<String>,
    pub source: String,
    pub contact_type: Option<String>,
    /// City, state, country.
    pub place: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
    pub dnd: bool,
    pub assigned_to: Option<String>,
    pub assignee: Option<String>,
    pub tags: Vec<String>,
    /// (field name, value) pairs.
    pub custom_fields: Vec<(String, String)>,
    pub added: Option<String>,
    pub updated: Option<String>,
    pub timeline: Vec<TimelineItem>,
    /// HighLevel users: (id, name).
    pub users: Vec<(String, String)>,
    pub can_write: bool,
    /// Why notes could not be loaded from HighLevel, if they could not.
    pub notes_problem: Option<String>,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineKind {
    Task,
    Note,
    Appointment,
}

/// One entry of a contact's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineItem {
    pub kind: TimelineKind,
    pub id: String,
    pub title: String,
    pub body: String,
    /// When it happens or happened, as pages show it.
    pub at: Option<String>,
    /// Tasks: the due moment as a `datetime-local` input takes it.
    pub due_input: String,
    pub completed: bool,
    pub overdue: bool,
    /// Appointments: HighLevel's status; tasks: "" .
    pub status: String,
    pub assigned_to: Option<String>,
    pub assignee: Option<String>,
    pub calendar: Option<String>,
}

#[server(endpoint = "contacts/detail")]
pub async fn get_contact_detail(contact_id: String) -> Result<ContactDetail, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let caller = guard::require(Role::Viewer).await?;
    crate::workspace::contact::detail(&caller, &contact_id).await
}

/// Changes a contact's main fields in HighLevel.
#[server(endpoint = "contacts/update")]
pub async fn update_contact(
    contact_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    source: String,
    assigned_to: String,
) -> Result<Option<FieldProblem>, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::models::ContactFields;
    use crate::workspace::phone;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let email = email.trim().to_owned();
    if !email.is_empty() && !looks_like_email(&email) {
        return Ok(Some(FieldProblem::new(
            "email",
            "This does not look like an email address.",
        )));
    }
    if [&first_name, &last_name, &email, &phone]
        .iter()
        .all(|value| value.trim().is_empty())
    {
        return Ok(Some(FieldProblem::new(
            "first_name",
            "Give the contact a name, an email or a phone number.",
        )));
    }
    let team = Team::of(&caller)?;
    let (stored, country) = crate::workspace::contact::stored_phone(&team, &contact_id).await?;
    let phone = match phone::for_update(&phone, stored.as_deref(), country.as_deref()) {
        Ok(phone) => phone,
        Err(problem) => return Ok(Some(FieldProblem::new("phone", problem.message()))),
    };
    let text = |value: String| Some(value.trim().to_owned());
    let fields = ContactFields {
        first_name: text(first_name),
        last_name: text(last_name),
        email: Some(email).filter(|email| !email.is_empty()),
        phone,
        source: Some(source.trim().to_owned()).filter(|source| !source.is_empty()),
        assigned_to: Some(assigned_to).filter(|user| !user.is_empty()),
        ..ContactFields::default()
    };
    let answer = team
        .client
        .update_contact(&team.location_id, &contact_id, &fields)
        .await
        .map_err(|error| writes::refused(&error))?;
    writes::cache_contact(&team, &answer.contact).await?;
    Ok(None)
}

/// Adds or removes one tag of a contact.
#[server(endpoint = "contacts/tag")]
pub async fn tag_contact(
    contact_id: String,
    tag: String,
    add: bool,
) -> Result<Option<FieldProblem>, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let tag = tag.trim().to_owned();
    if tag.is_empty() {
        return Ok(Some(FieldProblem::new("tag", "Type a tag first.")));
    }
    writes::retag(&Team::of(&caller)?, &contact_id, &tag, add).await?;
    Ok(None)
}

/// Deletes a contact in HighLevel; the cache keeps it marked deleted.
#[server(endpoint = "contacts/delete")]
pub async fn delete_contact(contact_id: String) -> Result<(), ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::ContactRecord;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let team = Team::of(&caller)?;
    team.client
        .delete_contact(&team.location_id, &contact_id)
        .await
        .map_err(|error| writes::refused(&error))?;
    writes::forget::<ContactRecord>(&team, &contact_id).await
}

/// Adds a note to a contact, or changes one (`note_id` set).
#[server(endpoint = "contacts/note")]
pub async fn save_note(
    contact_id: String,
    note_id: Option<String>,
    body: String,
) -> Result<Option<FieldProblem>, ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::models::NoteBody;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let body = body.trim().to_owned();
    if body.is_empty() {
        return Ok(Some(FieldProblem::new("body", "Write the note first.")));
    }
    let team = Team::of(&caller)?;
    let note = NoteBody {
        body: Some(body),
        ..NoteBody::default()
    };
    let answer = match note_id.filter(|id| !id.is_empty()) {
        Some(note_id) => {
            team.client
                .update_note(&team.location_id, &contact_id, &note_id, &note)
                .await
        }
        None => {
            team.client
                .create_note(&team.location_id, &contact_id, &note)
                .await
        }
    }
    .map_err(|error| writes::refused(&error))?;
    let mut note = answer.note;
    note.contact_id.get_or_insert(contact_id);
    writes::cache_notes(&team, &[note]).await?;
    Ok(None)
}

#[server(endpoint = "contacts/note-delete")]
pub async fn delete_note(contact_id: String, note_id: String) -> Result<(), ServerFnError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::NoteRecord;
    use crate::workspace::writes::{self, Team};

    let caller = guard::require(Role::Member).await?;
    let team = Team::of(&caller)?;
    team.client
        .delete_note(&team.location_id, &contact_id, &note_id)
        .await
        .map_err(|error| writes::refused(&error))?;
    writes::forget::<NoteRecord>(&team, &note_id).await
}

/// Something@something.something, which is all a form should insist on.
pub fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}
