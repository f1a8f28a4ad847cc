//! One typed method per operation of the catalogue. Each names its
//! operationId, so the path, `Version` header and scope come from the catalogue.

use super::client::HighLevelClient;
use super::error::HighLevelError;
use super::models::*;

type Result<T> = std::result::Result<T, HighLevelError>;

/// No body: the type parameter the body-less calls need.
const NO_BODY: Option<&()> = None;

/// The page of the deprecated contact list to fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactsPage {
    pub start_after_id: Option<String>,
    /// Epoch milliseconds of the last contact of the previous page.
    pub start_after: Option<i64>,
    pub query: Option<String>,
    /// At most 100; HighLevel's default is 20.
    pub limit: Option<u32>,
}

/// Skip/limit paging of the lists that use it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub skip: Option<u32>,
    pub limit: Option<u32>,
}

impl HighLevelClient {
    // Contacts.

    pub async fn search_contacts(
        &self,
        location_id: &str,
        search: &SearchContacts,
    ) -> Result<SearchContactsResponse> {
        self.typed("search-contacts-advanced", location_id, &[], Some(search))
            .await
    }

    /// The contact an email or phone number would duplicate, if any.
    pub async fn get_duplicate_contact(
        &self,
        location_id: &str,
        email: Option<&str>,
        number: Option<&str>,
    ) -> Result<DuplicateContactResponse> {
        let mut params = Vec::new();
        if let Some(email) = email {
            params.push(("email", email));
        }
        if let Some(number) = number {
            params.push(("number", number));
        }
        self.typed("get-duplicate-contact", location_id, &params, NO_BODY)
            .await
    }

    pub async fn get_contact(
        &self,
        location_id: &str,
        contact_id: &str,
    ) -> Result<ContactResponse> {
        self.typed(
            "get-contact",
            location_id,
            &[("contactId", contact_id)],
            NO_BODY,
        )
        .await
    }

    pub async fn create_contact(
        &self,
        location_id: &str,
        contact: &CreateContact,
    ) -> Result<CreateContactResponse> {
        self.typed("create-contact", location_id, &[], Some(contact))
            .await
    }

    /// Changes the fields that are set; `tags`, when set, replaces every tag.
    pub async fn update_contact(
        &self,
        location_id: &str,
        contact_id: &str,
        fields: &ContactFields,
    ) -> Result<UpdateContactResponse> {
        self.typed(
            "update-contact",
            location_id,
            &[("contactId", contact_id)],
            Some(fields),
        )
        .await
    }

    pub async fn delete_contact(&self, location_id: &str, contact_id: &str) -> Result<Succeded> {
        self.typed(
            "delete-contact",
            location_id,
            &[("contactId", contact_id)],
            NO_BODY,
        )
        .await
    }

    pub async fn upsert_contact(
        &self,
        location_id: &str,
        contact: &UpsertContact,
    ) -> Result<UpsertContactResponse> {
        self.typed("upsert-contact", location_id, &[], Some(contact))
            .await
    }

    /// One page of the deprecated contact list (prefer [`search_contacts`](Self::search_contacts)).
    pub async fn get_contacts(
        &self,
        location_id: &str,
        page: &ContactsPage,
    ) -> Result<ContactsListResponse> {
        let start_after = page.start_after.map(|ms| ms.to_string());
        let limit = page.limit.map(|limit| limit.to_string());
        let mut params = Vec::new();
        push_some(&mut params, "startAfterId", page.start_after_id.as_deref());
        push_some(&mut params, "startAfter", start_after.as_deref());
        push_some(&mut params, "query", page.query.as_deref());
        push_some(&mut params, "limit", limit.as_deref());
        self.typed("get-contacts", location_id, &params, NO_BODY)
            .await
    }

    pub async fn get_contacts_by_business(
        &self,
        location_id: &str,
        business_id: &str,
        query: Option<&str>,
        window: Window,
    ) -> Result<ContactsListResponse> {
        let (skip, limit) = window.as_strings();
        let mut params = vec![("businessId", business_id)];
        push_some(&mut params, "query", query);
        push_some(&mut params, "skip", skip.as_deref());
        push_some(&mut params, "limit", limit.as_deref());
        self.typed("get-contacts-by-businessId", location_id, &params, NO_BODY)
            .await
    }

    // Tasks of a contact.

    pub async fn get_all_tasks(
        &self,
        location_id: &str,
        contact_id: &str,
    ) -> Result<TasksResponse> {
        self.typed(
            "get-all-tasks",
            location_id,
            &[("contactId", contact_id)],
            NO_BODY,
        )
        .await
    }

    pub async fn create_task(
        &self,
        location_id: &str,
        contact_id: &str,
        task: &CreateTask,
    ) -> Result<TaskResponse> {
        self.typed(
            "create-task",
            location_id,
            &[("contactId", contact_id)],
            Some(task),
        )
        .await
    }

    pub async fn get_task(
        &self,
        location_id: &str,
        contact_id: &str,
        task_id: &str,
    ) -> Result<TaskResponse> {
        let params = [("contactId", contact_id), ("taskId", task_id)];
        self.typed("get-task", location_id, &params, NO_BODY).await
    }

    pub async fn update_task(
        &self,
        location_id: &str,
        contact_id: &str,
        task_id: &str,
        task: &UpdateTask,
    ) -> Result<TaskResponse> {
        let params = [("contactId", contact_id), ("taskId", task_id)];
        self.typed("update-task", location_id, &params, Some(task))
            .await
    }

    pub async fn delete_task(
        &self,
        location_id: &str,
        contact_id: &str,
        task_id: &str,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("taskId", task_id)];
        self.typed("delete-task", location_id, &params, NO_BODY)
            .await
    }

    pub async fn update_task_completed(
        &self,
        location_id: &str,
        contact_id: &str,
        task_id: &str,
        completed: bool,
    ) -> Result<TaskResponse> {
        let params = [("contactId", contact_id), ("taskId", task_id)];
        let body = TaskCompleted { completed };
        self.typed("update-task-completed", location_id, &params, Some(&body))
            .await
    }

    /// Tasks of the whole location, one page (see [`HighLevelClient::search_tasks_all`]).
    pub async fn task_search(
        &self,
        location_id: &str,
        search: &TaskSearch,
    ) -> Result<TaskSearchResponse> {
        self.typed("task-search", location_id, &[], Some(search))
            .await
    }

    // Appointments of a contact.

    pub async fn get_appointments_for_contact(
        &self,
        location_id: &str,
        contact_id: &str,
    ) -> Result<ContactAppointmentsResponse> {
        let params = [("contactId", contact_id)];
        self.typed(
            "get-appointments-for-contact",
            location_id,
            &params,
            NO_BODY,
        )
        .await
    }

    // Tags of a contact.

    pub async fn add_tags(
        &self,
        location_id: &str,
        contact_id: &str,
        tags: &[String],
    ) -> Result<TagsBody> {
        let body = TagsBody {
            tags: tags.to_vec(),
        };
        self.typed(
            "add-tags",
            location_id,
            &[("contactId", contact_id)],
            Some(&body),
        )
        .await
    }

    pub async fn remove_tags(
        &self,
        location_id: &str,
        contact_id: &str,
        tags: &[String],
    ) -> Result<TagsBody> {
        let body = TagsBody {
            tags: tags.to_vec(),
        };
        self.typed(
            "remove-tags",
            location_id,
            &[("contactId", contact_id)],
            Some(&body),
        )
        .await
    }

    // Notes of a contact.

    pub async fn get_all_notes(
        &self,
        location_id: &str,
        contact_id: &str,
    ) -> Result<NotesResponse> {
        self.typed(
            "get-all-notes",
            location_id,
            &[("contactId", contact_id)],
            NO_BODY,
        )
        .await
    }

    pub async fn create_note(
        &self,
        location_id: &str,
        contact_id: &str,
        note: &NoteBody,
    ) -> Result<NoteResponse> {
        self.typed(
            "create-note",
            location_id,
            &[("contactId", contact_id)],
            Some(note),
        )
        .await
    }

    pub async fn get_note(
        &self,
        location_id: &str,
        contact_id: &str,
        note_id: &str,
    ) -> Result<NoteResponse> {
        let params = [("contactId", contact_id), ("id", note_id)];
        self.typed("get-note", location_id, &params, NO_BODY).await
    }

    pub async fn update_note(
        &self,
        location_id: &str,
        contact_id: &str,
        note_id: &str,
        note: &NoteBody,
    ) -> Result<NoteResponse> {
        let params = [("contactId", contact_id), ("id", note_id)];
        self.typed("update-note", location_id, &params, Some(note))
            .await
    }

    pub async fn delete_note(
        &self,
        location_id: &str,
        contact_id: &str,
        note_id: &str,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("id", note_id)];
        self.typed("delete-note", location_id, &params, NO_BODY)
            .await
    }

    // Bulk changes.

    /// Adds or removes tags on many contacts (operationId `create-association` (sic)).
    pub async fn bulk_update_tags(
        &self,
        location_id: &str,
        action: BulkTagAction,
        body: &BulkTags,
    ) -> Result<BulkTagsResponse> {
        let params = [("type", action.as_str())];
        self.typed("create-association", location_id, &params, Some(body))
            .await
    }

    pub async fn bulk_update_business(
        &self,
        location_id: &str,
        body: &BulkBusiness,
    ) -> Result<BulkBusinessResponse> {
        self.typed(
            "add-remove-contact-from-business",
            location_id,
            &[],
            Some(body),
        )
        .await
    }

    // Followers, campaigns and workflows of a contact.

    pub async fn add_followers(
        &self,
        location_id: &str,
        contact_id: &str,
        followers: &[String],
    ) -> Result<FollowersResponse> {
        let body = FollowersBody {
            followers: followers.to_vec(),
        };
        let params = [("contactId", contact_id)];
        self.typed("add-followers-contact", location_id, &params, Some(&body))
            .await
    }

    pub async fn remove_followers(
        &self,
        location_id: &str,
        contact_id: &str,
        followers: &[String],
    ) -> Result<FollowersResponse> {
        let body = FollowersBody {
            followers: followers.to_vec(),
        };
        let params = [("contactId", contact_id)];
        self.typed(
            "remove-followers-contact",
            location_id,
            &params,
            Some(&body),
        )
        .await
    }

    pub async fn add_contact_to_campaign(
        &self,
        location_id: &str,
        contact_id: &str,
        campaign_id: &str,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("campaignId", campaign_id)];
        let empty = serde_json::Map::new();
        self.typed(
            "add-contact-to-campaign",
            location_id,
            &params,
            Some(&empty),
        )
        .await
    }

    pub async fn remove_contact_from_campaign(
        &self,
        location_id: &str,
        contact_id: &str,
        campaign_id: &str,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("campaignId", campaign_id)];
        self.typed(
            "remove-contact-from-campaign",
            location_id,
            &params,
            NO_BODY,
        )
        .await
    }

    pub async fn remove_contact_from_every_campaign(
        &self,
        location_id: &str,
        contact_id: &str,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id)];
        self.typed(
            "remove-contact-from-every-campaign",
            location_id,
            &params,
            NO_BODY,
        )
        .await
    }

    pub async fn add_contact_to_workflow(
        &self,
        location_id: &str,
        contact_id: &str,
        workflow_id: &str,
        body: &WorkflowBody,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("workflowId", workflow_id)];
        self.typed("add-contact-to-workflow", location_id, &params, Some(body))
            .await
    }

    pub async fn remove_contact_from_workflow(
        &self,
        location_id: &str,
        contact_id: &str,
        workflow_id: &str,
        body: &WorkflowBody,
    ) -> Result<Succeded> {
        let params = [("contactId", contact_id), ("workflowId", workflow_id)];
        self.typed(
            "delete-contact-from-workflow",
            location_id,
            &params,
            Some(body),
        )
        .await
    }

    // The location and its lists.

    /// The location itself; also a cheap check that a token works.
    pub async fn get_location(&self, location_id: &str) -> Result<LocationResponse> {
        self.typed("get-location", location_id, &[], NO_BODY).await
    }

    /// Custom field definitions; `model` is `contact`, `opportunity` or `all`.
    pub async fn get_custom_fields(
        &self,
        location_id: &str,
        model: Option<&str>,
    ) -> Result<CustomFieldsResponse> {
        let mut params = Vec::new();
        push_some(&mut params, "model", model);
        self.typed("get-custom-fields", location_id, &params, NO_BODY)
            .await
    }

    pub async fn get_location_tags(&self, location_id: &str) -> Result<TagsResponse> {
        self.typed("get-location-tags", location_id, &[], NO_BODY)
            .await
    }

    // Calendars.

    pub async fn get_calendars(&self, location_id: &str) -> Result<CalendarsResponse> {
        self.typed("get-calendars", location_id, &[], NO_BODY).await
    }

    pub async fn get_calendar_events(
        &self,
        query: &CalendarEventsQuery,
    ) -> Result<CalendarEventsResponse> {
        let start = query.start_time_ms.to_string();
        let end = query.end_time_ms.to_string();
        let owner = match &query.owner {
            EventOwner::Calendar(id) => ("calendarId", id.as_str()),
            EventOwner::User(id) => ("userId", id.as_str()),
            EventOwner::Group(id) => ("groupId", id.as_str()),
        };
        let params = [
            ("startTime", start.as_str()),
            ("endTime", end.as_str()),
            owner,
        ];
        self.typed("get-calendar-events", &query.location_id, &params, NO_BODY)
            .await
    }

    pub async fn get_appointment(
        &self,
        location_id: &str,
        event_id: &str,
    ) -> Result<CalendarEventResponse> {
        let params = [("eventId", event_id)];
        self.typed("get-appointment", location_id, &params, NO_BODY)
            .await
    }

    // Users.

    pub async fn get_user(&self, location_id: &str, user_id: &str) -> Result<User> {
        self.typed("get-user", location_id, &[("userId", user_id)], NO_BODY)
            .await
    }

    pub async fn search_users(
        &self,
        location_id: &str,
        search: &UsersSearch,
    ) -> Result<UsersSearchResponse> {
        let (skip, limit) = Window {
            skip: search.skip,
            limit: search.limit,
        }
        .as_strings();
        let mut params = vec![("companyId", search.company_id.as_str())];
        push_some(&mut params, "locationId", search.location_id.as_deref());
        push_some(&mut params, "query", search.query.as_deref());
        push_some(&mut params, "skip", skip.as_deref());
        push_some(&mut params, "limit", limit.as_deref());
        self.typed("search-users", location_id, &params, NO_BODY)
            .await
    }

    /// The users of the location (deprecated upstream in favour of [`search_users`](Self::search_users)).
    pub async fn get_users_by_location(&self, location_id: &str) -> Result<UsersResponse> {
        self.typed("get-user-by-location", location_id, &[], NO_BODY)
            .await
    }

    // Businesses.

    pub async fn get_businesses(
        &self,
        location_id: &str,
        window: Window,
    ) -> Result<BusinessesResponse> {
        let (skip, limit) = window.as_strings();
        let mut params = Vec::new();
        push_some(&mut params, "skip", skip.as_deref());
        push_some(&mut params, "limit", limit.as_deref());
        self.typed("get-businesses-by-location", location_id, &params, NO_BODY)
            .await
    }

    pub async fn get_business(
        &self,
        location_id: &str,
        business_id: &str,
    ) -> Result<BusinessResponse> {
        self.typed(
            "get-business",
            location_id,
            &[("businessId", business_id)],
            NO_BODY,
        )
        .await
    }
}

impl Window {
    fn as_strings(self) -> (Option<String>, Option<String>) {
        (
            self.skip.map(|skip| skip.to_string()),
            self.limit.map(|limit| limit.to_string()),
        )
    }
}

fn push_some<'a>(
    params: &mut Vec<(&'static str, &'a str)>,
    name: &'static str,
    value: Option<&'a str>,
) {
    if let Some(value) = value {
        params.push((name, value));
    }
}
