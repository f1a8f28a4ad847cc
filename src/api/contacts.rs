//! The contact list and a contact's page: reads from the cache, writes to
//! HighLevel first and then to the cache from HighLevel's answer.

use leptos::prelude::*;

use crate::app_error::{AppError, FieldProblem};
use crate::workspace::filter::ContactFilter;
use crate::workspace::model::{BulkTagOutcome, ContactDetail, ContactList, FilterChoices};

/// The contacts that match `filter`, one page.
#[server(endpoint = "contacts/list", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn list_contacts(filter: ContactFilter) -> Result<ContactList, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    let valid = filter
        .validate(|day| caller.zone.midnight(day))
        .map_err(AppError::invalid)?;
    let (rows, total) = crate::workspace::contacts::list(
        &state.db,
        &caller.who.location_id,
        &valid,
        caller.zone,
        caller.cache_version,
    )
    .await?;
    Ok(ContactList {
        rows,
        total,
        page: valid.page,
        can_write: caller.can_write(),
    })
}

#[server(endpoint = "contacts/choices", output = crate::api::codec::JsonText)]
pub async fn get_filter_choices() -> Result<FilterChoices, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    crate::workspace::contacts::choices(&state.db, &caller.who.location_id, caller.cache_version)
        .await
        .map_err(AppError::from)
}

/// Adds (`add`) or removes `tag` on every contact `filter` matches (on every
/// page, up to [`COUNT_CAP`]), through HighLevel's bulk operation.
#[server(endpoint = "contacts/bulk-tag-matching", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn bulk_tag_matching(
    filter: ContactFilter,
    tag: String,
    add: bool,
) -> Result<BulkTagOutcome, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Member).await?;
    let tag = tag_to_change(&tag)?;
    crate::workspace::bulk_tags::retag_matching(&guard::team(&state, &caller)?, &filter, &tag, add)
        .await
        .map_err(AppError::from)
}

/// The tag of a bulk change, trimmed; refused when empty.
#[cfg(feature = "ssr")]
fn tag_to_change(tag: &str) -> Result<String, AppError> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err(AppError::invalid("Type the tag to add or remove."));
    }
    Ok(tag.to_owned())
}

/// Adds (`add`) or removes `tag` on each of `contact_ids` in HighLevel, then
/// caches each contact's tags as HighLevel answered them.
#[server(endpoint = "contacts/bulk-tag", input = leptos::server_fn::codec::Json, output = crate::api::codec::JsonText)]
pub async fn bulk_tag(
    contact_ids: Vec<String>,
    tag: String,
    add: bool,
) -> Result<BulkTagOutcome, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    use crate::workspace::model::PAGE_SIZE;

    let (state, caller) = guard::require(Role::Member).await?;
    let tag = tag_to_change(&tag)?;
    if contact_ids.is_empty() || contact_ids.len() > PAGE_SIZE as usize {
        return Err(AppError::invalid(format!(
            "Select between 1 and {PAGE_SIZE} contacts."
        )));
    }
    crate::workspace::writes::retag_many(&guard::team(&state, &caller)?, &contact_ids, &tag, add)
        .await
        .map_err(AppError::from)
}

#[server(endpoint = "contacts/detail", output = crate::api::codec::JsonText)]
pub async fn get_contact_detail(contact_id: String) -> Result<ContactDetail, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;

    let (state, caller) = guard::require(Role::Viewer).await?;
    crate::workspace::contact::detail(&guard::team(&state, &caller)?, &contact_id)
        .await
        .map_err(AppError::from)
}

/// Changes a contact's main fields in HighLevel.
#[server(endpoint = "contacts/update", output = crate::api::codec::JsonText)]
pub async fn update_contact(
    contact_id: String,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    source: String,
    assigned_to: String,
) -> Result<Option<FieldProblem>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::models::ContactFields;
    use crate::workspace::phone;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
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
    let team = guard::team(&state, &caller)?;
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
        .await?;
    writes::cache_contact(&team, &answer.contact).await?;
    Ok(None)
}

/// Adds or removes one tag of a contact.
#[server(endpoint = "contacts/tag", output = crate::api::codec::JsonText)]
pub async fn tag_contact(
    contact_id: String,
    tag: String,
    add: bool,
) -> Result<Option<FieldProblem>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let tag = tag.trim().to_owned();
    if tag.is_empty() {
        return Ok(Some(FieldProblem::new("tag", "Type a tag first.")));
    }
    writes::retag(&guard::team(&state, &caller)?, &contact_id, &tag, add).await?;
    Ok(None)
}

/// Deletes a contact in HighLevel; the cache keeps it marked deleted.
#[server(endpoint = "contacts/delete", output = crate::api::codec::JsonText)]
pub async fn delete_contact(contact_id: String) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::ContactRecord;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let team = guard::team(&state, &caller)?;
    team.client
        .delete_contact(&team.location_id, &contact_id)
        .await?;
    writes::forget::<ContactRecord>(&team, &contact_id).await?;
    Ok(())
}

/// Adds a note to a contact, or changes one (`note_id` set).
#[server(endpoint = "contacts/note", output = crate::api::codec::JsonText)]
pub async fn save_note(
    contact_id: String,
    note_id: Option<String>,
    body: String,
) -> Result<Option<FieldProblem>, AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::highlevel::models::NoteBody;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let body = body.trim().to_owned();
    if body.is_empty() {
        return Ok(Some(FieldProblem::new("body", "Write the note first.")));
    }
    let team = guard::team(&state, &caller)?;
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
    }?;
    let mut note = answer.note;
    note.contact_id.get_or_insert(contact_id);
    writes::cache_notes(&team, &[note]).await?;
    Ok(None)
}

#[server(endpoint = "contacts/note-delete", output = crate::api::codec::JsonText)]
pub async fn delete_note(contact_id: String, note_id: String) -> Result<(), AppError> {
    use crate::api::guard;
    use crate::auth::roles::Role;
    use crate::cache::NoteRecord;
    use crate::workspace::writes;

    let (state, caller) = guard::require(Role::Member).await?;
    let team = guard::team(&state, &caller)?;
    team.client
        .delete_note(&team.location_id, &contact_id, &note_id)
        .await?;
    writes::forget::<NoteRecord>(&team, &note_id).await?;
    Ok(())
}

/// Something@something.something, which is all a form should insist on.
#[cfg(feature = "ssr")]
fn looks_like_email(email: &str) -> bool {
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
