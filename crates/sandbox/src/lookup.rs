//! Finding a location's data under the store lock: reads, changes that queue
//! their webhook events, and the contact checks (an unknown contact is a 400,
//! another location's a 403).

use super::auth::Grant;
use super::errors::{ApiError, ApiResult};
use super::events::Event;
use super::store::{Contact, LocationData};
use super::Sandbox;

pub fn not_found() -> ApiError {
    ApiError::BadRequest("Contact not found".into())
}

impl Sandbox {
    /// Runs `change` on the token's location with the store locked, then
    /// queues the events it produced.
    pub(super) fn change<R>(
        &self,
        location_id: &str,
        change: impl FnOnce(&mut LocationData) -> ApiResult<(R, Vec<Event>)>,
    ) -> ApiResult<R> {
        let (result, events) = {
            let mut store = self.shared.store.write();
            let location = store
                .locations
                .get_mut(location_id)
                .ok_or_else(|| ApiError::BadRequest("Location not found".into()))?;
            change(location)?
        };
        self.emit(events);
        Ok(result)
    }

    pub(super) fn look<R>(
        &self,
        location_id: &str,
        look: impl FnOnce(&LocationData) -> ApiResult<R>,
    ) -> ApiResult<R> {
        let store = self.shared.store.read();
        let location = store
            .locations
            .get(location_id)
            .ok_or_else(|| ApiError::BadRequest("Location not found".into()))?;
        look(location)
    }

    /// Checks that a contact exists and belongs to the token's location:
    /// another location's contact is a 403, an unknown one a 400.
    pub(super) fn locate_contact(&self, grant: &Grant, contact_id: &str) -> ApiResult<()> {
        let store = self.shared.store.read();
        match store.location_of_contact(contact_id) {
            Some(location) if location == grant.location_id => Ok(()),
            Some(_) => Err(ApiError::Forbidden(
                "The token does not have access to this location".into(),
            )),
            None => Err(not_found()),
        }
    }

    /// `change` applied to one contact of the token's location.
    pub(super) fn change_contact<R>(
        &self,
        grant: &Grant,
        contact_id: &str,
        change: impl FnOnce(&mut LocationData, &str) -> ApiResult<(R, Vec<Event>)>,
    ) -> ApiResult<R> {
        self.locate_contact(grant, contact_id)?;
        self.change(&grant.location_id, |location| {
            if !location.contacts.contains_key(contact_id) {
                return Err(not_found());
            }
            change(location, contact_id)
        })
    }

    pub(super) fn look_contact<R>(
        &self,
        grant: &Grant,
        contact_id: &str,
        look: impl FnOnce(&LocationData, &Contact) -> ApiResult<R>,
    ) -> ApiResult<R> {
        self.locate_contact(grant, contact_id)?;
        self.look(&grant.location_id, |location| {
            let contact = location.contacts.get(contact_id).ok_or_else(not_found)?;
            look(location, contact)
        })
    }
}

/// The contact `id` of `location`, which the caller has checked exists.
pub fn contact_mut<'a>(location: &'a mut LocationData, id: &str) -> ApiResult<&'a mut Contact> {
    location.contacts.get_mut(id).ok_or_else(not_found)
}
