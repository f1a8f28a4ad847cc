//! The catalogue of every HighLevel operation this client speaks: the
//! operationId of the official document, method, path template, `Version`
//! header, the scope a token needs, its query parameters and its body.
//!
//! The typed methods of the client and the `switchboard api` command both read
//! from this one table, so a path or header fixed here is fixed everywhere.

use reqwest::Method;

/// The `Version` header values the v2 documents declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// Contacts, locations, users and businesses.
    V2021_07_28,
    /// Every calendars operation.
    V2021_04_15,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2021_07_28 => "2021-07-28",
            ApiVersion::V2021_04_15 => "2021-04-15",
        }
    }
}

/// What an operation carries in its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No request body.
    None,
    /// A JSON object (`{}` when the caller gives none).
    Json,
    /// A JSON object whose required `locationId` is the connection's location.
    JsonWithLocation,
}

/// A query parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryParam {
    pub name: &'static str,
    pub required: bool,
}

/// One operation of the catalogue.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The operationId of the official document, e.g. `get-contact`.
    pub id: &'static str,
    pub method: Method,
    /// Path template with `{name}` placeholders, exactly as in the document
    /// (including its trailing slashes).
    pub path: &'static str,
    pub version: ApiVersion,
    /// The scope a token needs. The two bulk operations declare none in the
    /// document; they change contacts, so they need `contacts.write`.
    pub scope: &'static str,
    pub query: &'static [QueryParam],
    pub body: Body,
    pub summary: &'static str,
}

impl Operation {
    /// Names of the `{placeholders}` of the path template, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
    }

    /// Whether the operation changes data (it then needs a write scope).
    pub fn is_write(&self) -> bool {
        self.method != Method::GET && !self.scope.ends_with(".readonly")
    }

    /// Whether the connection's location fills a parameter or the body.
    pub fn takes_location(&self) -> bool {
        self.body == Body::JsonWithLocation
            || self.path_params().any(|name| name == LOCATION_ID)
            || self.query.iter().any(|param| param.name == LOCATION_ID)
    }
}

/// The parameter name every location-scoped operation uses.
pub const LOCATION_ID: &str = "locationId";

/// The operation with this operationId, if the catalogue has it.
pub fn find(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|operation| operation.id == id)
}

/// Every operation, contacts first, in the order of the documents.
pub fn all() -> &'static [Operation] {
    OPERATIONS
}

const fn required(name: &'static str) -> QueryParam {
    QueryParam {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> QueryParam {
    QueryParam {
        name,
        required: false,
    }
}

const CONTACTS_READ: &str = "contacts.readonly";
const CONTACTS_WRITE: &str = "contacts.write";
const V1: ApiVersion = ApiVersion::V2021_07_28;
const CALENDARS: ApiVersion = ApiVersion::V2021_04_15;

#[allow(clippy::too_many_arguments)]
const fn op(
    id: &'static str,
    method: Method,
    path: &'static str,
    version: ApiVersion,
    scope: &'static str,
    query: &'static [QueryParam],
    body: Body,
    summary: &'static str,
) -> Operation {
    Operation {
        id,
        method,
        path,
        version,
        scope,
        query,
        body,
        summary,
    }
}

// One line per operation reads as a table; rustfmt would spread each over ten lines.
#[rustfmt::skip]
static OPERATIONS: &[Operation] = &[
    // apps/contacts.json: all 32 operations.
    op("search-contacts-advanced", Method::POST, "/contacts/search", V1, CONTACTS_READ, &[], Body::JsonWithLocation, "Search contacts with filters, sort and searchAfter paging"),
    op("get-duplicate-contact", Method::GET, "/contacts/search/duplicate", V1, CONTACTS_READ, &[required("locationId"), optional("number"), optional("email")], Body::None, "Find the contact a new email or phone would duplicate"),
    op("get-all-tasks", Method::GET, "/contacts/{contactId}/tasks", V1, CONTACTS_READ, &[], Body::None, "List the tasks of a contact"),
    op("create-task", Method::POST, "/contacts/{contactId}/tasks", V1, CONTACTS_WRITE, &[], Body::Json, "Create a task for a contact"),
    op("get-task", Method::GET, "/contacts/{contactId}/tasks/{taskId}", V1, CONTACTS_READ, &[], Body::None, "Get one task of a contact"),
    op("update-task", Method::PUT, "/contacts/{contactId}/tasks/{taskId}", V1, CONTACTS_WRITE, &[], Body::Json, "Change a task"),
    op("delete-task", Method::DELETE, "/contacts/{contactId}/tasks/{taskId}", V1, CONTACTS_WRITE, &[], Body::None, "Delete a task"),
    op("update-task-completed", Method::PUT, "/contacts/{contactId}/tasks/{taskId}/completed", V1, CONTACTS_WRITE, &[], Body::Json, "Mark a task done or not done"),
    op("get-appointments-for-contact", Method::GET, "/contacts/{contactId}/appointments", V1, CONTACTS_READ, &[], Body::None, "List the appointments of a contact"),
    op("add-tags", Method::POST, "/contacts/{contactId}/tags", V1, CONTACTS_WRITE, &[], Body::Json, "Add tags to a contact"),
    op("remove-tags", Method::DELETE, "/contacts/{contactId}/tags", V1, CONTACTS_WRITE, &[], Body::Json, "Remove tags from a contact"),
    op("get-all-notes", Method::GET, "/contacts/{contactId}/notes", V1, CONTACTS_READ, &[], Body::None, "List the notes of a contact"),
    op("create-note", Method::POST, "/contacts/{contactId}/notes", V1, CONTACTS_WRITE, &[], Body::Json, "Add a note to a contact"),
    op("get-note", Method::GET, "/contacts/{contactId}/notes/{id}", V1, CONTACTS_READ, &[], Body::None, "Get one note of a contact"),
    op("update-note", Method::PUT, "/contacts/{contactId}/notes/{id}", V1, CONTACTS_WRITE, &[], Body::Json, "Change a note"),
    op("delete-note", Method::DELETE, "/contacts/{contactId}/notes/{id}", V1, CONTACTS_WRITE, &[], Body::None, "Delete a note"),
    op("create-association", Method::POST, "/contacts/bulk/tags/update/{type}", V1, CONTACTS_WRITE, &[], Body::JsonWithLocation, "Add (type=add) or remove (type=remove) tags on many contacts"),
    op("add-remove-contact-from-business", Method::POST, "/contacts/bulk/business", V1, CONTACTS_WRITE, &[], Body::JsonWithLocation, "Attach contacts to a business, or detach them (businessId null)"),
    op("get-contact", Method::GET, "/contacts/{contactId}", V1, CONTACTS_READ, &[], Body::None, "Get a contact"),
    op("update-contact", Method::PUT, "/contacts/{contactId}", V1, CONTACTS_WRITE, &[], Body::Json, "Change a contact (tags given replace all tags)"),
    op("delete-contact", Method::DELETE, "/contacts/{contactId}", V1, CONTACTS_WRITE, &[], Body::None, "Delete a contact"),
    op("upsert-contact", Method::POST, "/contacts/upsert", V1, CONTACTS_WRITE, &[], Body::JsonWithLocation, "Create a contact or update the one with the same email or phone"),
    op("get-contacts-by-businessId", Method::GET, "/contacts/business/{businessId}", V1, CONTACTS_READ, &[optional("limit"), required("locationId"), optional("skip"), optional("query")], Body::None, "List the contacts of a business"),
    op("add-followers-contact", Method::POST, "/contacts/{contactId}/followers", V1, CONTACTS_WRITE, &[], Body::Json, "Add followers to a contact"),
    op("remove-followers-contact", Method::DELETE, "/contacts/{contactId}/followers", V1, CONTACTS_WRITE, &[], Body::Json, "Remove followers from a contact"),
    op("add-contact-to-campaign", Method::POST, "/contacts/{contactId}/campaigns/{campaignId}", V1, CONTACTS_WRITE, &[], Body::Json, "Add a contact to a campaign"),
    op("remove-contact-from-campaign", Method::DELETE, "/contacts/{contactId}/campaigns/{campaignId}", V1, CONTACTS_WRITE, &[], Body::None, "Remove a contact from a campaign"),
    op("remove-contact-from-every-campaign", Method::DELETE, "/contacts/{contactId}/campaigns/removeAll", V1, CONTACTS_WRITE, &[], Body::None, "Remove a contact from every campaign"),
    op("add-contact-to-workflow", Method::POST, "/contacts/{contactId}/workflow/{workflowId}", V1, CONTACTS_WRITE, &[], Body::Json, "Add a contact to a workflow"),
    op("delete-contact-from-workflow", Method::DELETE, "/contacts/{contactId}/workflow/{workflowId}", V1, CONTACTS_WRITE, &[], Body::Json, "Remove a contact from a workflow"),
    op("create-contact", Method::POST, "/contacts/", V1, CONTACTS_WRITE, &[], Body::JsonWithLocation, "Create a contact"),
    op("get-contacts", Method::GET, "/contacts/", V1, CONTACTS_READ, &[required("locationId"), optional("startAfterId"), optional("startAfter"), optional("query"), optional("limit")], Body::None, "List contacts (deprecated: use search-contacts-advanced)"),
    // apps/locations.json
    op("task-search", Method::POST, "/locations/{locationId}/tasks/search", V1, "locations/tasks.readonly", &[], Body::Json, "Search the tasks of the whole location"),
    op("get-location", Method::GET, "/locations/{locationId}", V1, "locations.readonly", &[], Body::None, "Get the location: name, time zone, contact details"),
    op("get-custom-fields", Method::GET, "/locations/{locationId}/customFields", V1, "locations/customFields.readonly", &[optional("model")], Body::None, "List the custom fields of the location"),
    op("get-location-tags", Method::GET, "/locations/{locationId}/tags", V1, "locations/tags.readonly", &[], Body::None, "List the tags of the location"),
    // apps/calendars.json
    op("get-calendars", Method::GET, "/calendars/", CALENDARS, "calendars.readonly", &[required("locationId"), optional("groupId"), optional("showDrafted")], Body::None, "List the calendars of the location"),
    op("get-calendar-events", Method::GET, "/calendars/events", CALENDARS, "calendars/events.readonly", &[required("locationId"), optional("userId"), optional("calendarId"), optional("groupId"), required("startTime"), required("endTime")], Body::None, "List events between two times (epoch ms) of a calendar, user or group"),
    op("get-appointment", Method::GET, "/calendars/events/appointments/{eventId}", CALENDARS, "calendars/events.readonly", &[], Body::None, "Get one appointment"),
    // apps/users.json
    op("search-users", Method::GET, "/users/search", V1, "users.readonly", &[required("companyId"), optional("query"), optional("skip"), optional("limit"), optional("locationId"), optional("type"), optional("role"), optional("ids"), optional("sort"), optional("sortDirection"), optional("enabled2waySync")], Body::None, "Search users"),
    op("get-user", Method::GET, "/users/{userId}", V1, "users.readonly", &[], Body::None, "Get a user"),
    op("get-user-by-location", Method::GET, "/users/", V1, "users.readonly", &[required("locationId")], Body::None, "List the users of the location (deprecated: use search-users)"),
    // apps/businesses.json
    op("get-businesses-by-location", Method::GET, "/businesses/", V1, "businesses.readonly", &[required("locationId"), optional("limit"), optional("skip")], Body::None, "List the businesses of the location"),
    op("get-business", Method::GET, "/businesses/{businessId}", V1, "businesses.readonly", &[], Body::None, "Get a business"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contacts_operation_is_there_once() {
        let contacts = all()
            .iter()
            .filter(|op| op.path.starts_with("/contacts"))
            .count();
        assert_eq!(contacts, 32);
        let mut ids: Vec<_> = all().iter().map(|op| op.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
    }

    #[test]
    fn calendars_use_their_own_version() {
        for operation in all() {
            let expected = if operation.path.starts_with("/calendars") {
                ApiVersion::V2021_04_15
            } else {
                ApiVersion::V2021_07_28
            };
            assert_eq!(operation.version, expected, "{}", operation.id);
        }
    }

    #[test]
    fn writes_need_write_scopes() {
        let create = find("create-task").map(Operation::is_write);
        let search = find("search-contacts-advanced").map(Operation::is_write);
        assert_eq!((create, search), (Some(true), Some(false)));
        let placeholders: Vec<_> = find("get-note")
            .map(|op| op.path_params().collect())
            .unwrap_or_default();
        assert_eq!(placeholders, ["contactId", "id"]);
    }
}
