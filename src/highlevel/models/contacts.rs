//! Contacts: the contact shapes the documents define, their write bodies,
//! search and the bulk operations.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;

/// `DndSettingSchema`: one channel's do-not-disturb state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DndSetting {
    /// `active`, `inactive` or `permanent`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `DndSettingsSchema`: do-not-disturb per channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DndSettings {
    #[serde(rename = "Call", default, skip_serializing_if = "Option::is_none")]
    pub call: Option<DndSetting>,
    #[serde(rename = "Email", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<DndSetting>,
    #[serde(rename = "SMS", default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<DndSetting>,
    #[serde(rename = "WhatsApp", default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<DndSetting>,
    #[serde(rename = "GMB", default, skip_serializing_if = "Option::is_none")]
    pub gmb: Option<DndSetting>,
    #[serde(rename = "FB", default, skip_serializing_if = "Option::is_none")]
    pub fb: Option<DndSetting>,
}

/// `InboundDndSettingsSchema`: `{all: {status, message}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InboundDndSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<DndSetting>,
}

/// `CustomFieldSchema` as read: `{id, value}`. The document says `value` is a
/// string, but numeric, list and file fields answer with other JSON types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    pub id: String,
    #[serde(default)]
    pub value: Value,
}

/// A custom field as written: `{id | key, field_value}`, where the value's
/// JSON type follows the field's type (string, number, string list, object).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub field_value: Value,
}

/// `AttributionSource`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionSource {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub campaign: Option<String>,
    #[serde(default)]
    pub utm_source: Option<String>,
    #[serde(default)]
    pub utm_medium: Option<String>,
    #[serde(default)]
    pub utm_content: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub medium: Option<String>,
    #[serde(default)]
    pub medium_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetContectByIdSchema` (sic): the contact returned by get, update and upsert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_lower_case: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub dnd: Option<bool>,
    #[serde(default)]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default, rename = "type")]
    pub contact_type: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub date_of_birth: Option<Value>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub attachments: Option<Value>,
    #[serde(default)]
    pub first_name_lower_case: Option<String>,
    #[serde(default)]
    pub full_name_lower_case: Option<String>,
    #[serde(default)]
    pub last_name_lower_case: Option<String>,
    #[serde(default)]
    pub last_activity: Option<Value>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default)]
    pub business_id: Option<String>,
    #[serde(default)]
    pub attribution_source: Option<AttributionSource>,
    #[serde(default)]
    pub last_attribution_source: Option<AttributionSource>,
    #[serde(default)]
    pub visitor_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreateContactSchema`: the contact returned by create-contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedContact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
    #[serde(default)]
    pub dnd: Option<bool>,
    #[serde(default)]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub business_id: Option<String>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContactsSearchSchema`: an item of the deprecated contact list and of the
/// contacts of a business.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedContact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub business_id: Option<String>,
    #[serde(default)]
    pub attributions: Vec<AttributionSource>,
    #[serde(default)]
    pub followers: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContactOpportunity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOpportunity {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub pipeline_id: Option<String>,
    #[serde(default)]
    pub pipeline_stage_id: Option<String>,
    #[serde(default)]
    pub monetary_value: Option<f64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Contact` of the search answer (last defined in the document at commit 83fb797).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchedContact {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub first_name_lower_case: Option<String>,
    #[serde(default)]
    pub last_name_lower_case: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub phone_label: Option<String>,
    #[serde(default)]
    pub additional_emails: Vec<Value>,
    #[serde(default)]
    pub additional_phones: Vec<Value>,
    #[serde(default)]
    pub company_name: Option<String>,
    #[serde(default)]
    pub business_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default, rename = "type")]
    pub contact_type: Option<String>,
    #[serde(default)]
    pub dnd: Option<bool>,
    #[serde(default)]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldValue>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub date_of_birth: Option<Value>,
    #[serde(default)]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub followers: Vec<String>,
    #[serde(default)]
    pub valid_email: Option<bool>,
    #[serde(default)]
    pub opportunities: Vec<ContactOpportunity>,
    #[serde(default)]
    pub business_id: Option<String>,
    /// The cursor of this contact: `[sort value, id]`. The next page starts
    /// after the `search_after` of the last contact of a page.
    #[serde(default)]
    pub search_after: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContactsByIdSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactResponse {
    pub contact: Contact,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreateContactsSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateContactResponse {
    pub contact: CreatedContact,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `UpdateContactsSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateContactResponse {
    #[serde(default)]
    pub succeded: bool,
    pub contact: Contact,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `UpsertContactsSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertContactResponse {
    #[serde(default)]
    pub new: bool,
    pub contact: Contact,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of get-duplicate-contact (no schema in the document): the
/// matching contact, or `null` when there is none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DuplicateContactResponse {
    #[serde(default)]
    pub contact: Option<Contact>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContactsMetaSchema`: the cursor of the deprecated contact list. The
/// document defines it without referencing it; real answers carry it as `meta`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactsMeta {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub next_page_url: Option<String>,
    #[serde(default)]
    pub start_after_id: Option<String>,
    #[serde(default)]
    pub start_after: Option<i64>,
    #[serde(default)]
    pub current_page: Option<u64>,
    #[serde(default)]
    pub next_page: Option<u64>,
    #[serde(default)]
    pub prev_page: Option<u64>,
}

/// `ContactsSearchSuccessfulResponseDto`: the deprecated list and the contacts of a business.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactsListResponse {
    #[serde(default)]
    pub contacts: Vec<ListedContact>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ContactsMeta>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `SearchContactSuccessResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchContactsResponse {
    #[serde(default)]
    pub contacts: Vec<SearchedContact>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One sort key of a contact search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchSort {
    pub field: String,
    /// `asc` or `desc`.
    pub direction: String,
}

/// The body of search-contacts-advanced. The document's `SearchBodyV2DTO` is
/// empty; these are the fields of the search documentation it links to.
/// `filters` stay JSON: they nest groups of `{field, operator, value}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchContacts {
    pub location_id: String,
    /// At most 500.
    pub page_limit: u32,
    /// Page number for standard paging; never sent together with `search_after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<SearchSort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// The fields create, update and upsert have in common (`UpdateContactDto`).
/// Note that `tags` replaces every tag of the contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dnd_settings: Option<DndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_dnd_settings: Option<InboundDndSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Vec<CustomFieldInput>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Several formats are accepted, for example `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
}

/// `CreateContactDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateContact {
    pub location_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(flatten)]
    pub fields: ContactFields,
}

/// `UpsertContactDto`: create, or update the contact that matches by email or phone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertContact {
    pub location_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_new_if_duplicate_allowed: Option<bool>,
    #[serde(flatten)]
    pub fields: ContactFields,
}

/// `GetEventSchema`: an appointment as listed for a contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactAppointment {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub calendar_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub assigned_user_id: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// For example `2021-07-16 11:00:00`: not ISO-8601, unlike calendar events.
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub appointment_status: Option<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub date_updated: Option<String>,
    #[serde(default)]
    pub assigned_resources: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetEventsSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactAppointmentsResponse {
    #[serde(default)]
    pub events: Vec<ContactAppointment>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which way bulk tag update goes: the `{type}` of `/contacts/bulk/tags/update/{type}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkTagAction {
    Add,
    Remove,
}

impl BulkTagAction {
    pub fn as_str(self) -> &'static str {
        match self {
            BulkTagAction::Add => "add",
            BulkTagAction::Remove => "remove",
        }
    }
}

/// `UpdateTagsDTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTags {
    pub contacts: Vec<String>,
    pub tags: Vec<String>,
    pub location_id: String,
    /// Only for removal: drop every tag of the contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_all_tags: Option<bool>,
}

/// `UpdateTagsResponseDTO`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkTagsResponse {
    #[serde(default)]
    pub succeded: bool,
    #[serde(default)]
    pub error_count: u64,
    #[serde(default)]
    pub responses: Vec<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `ContactsBusinessUpdate`: attach contacts to a business, or detach them
/// with `business_id: None` (sent as `null`, which is how removal is asked for).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkBusiness {
    pub location_id: String,
    pub ids: Vec<String>,
    pub business_id: Option<String>,
}

/// `ContactsBulkUpateResponse` (sic).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkBusinessResponse {
    #[serde(default)]
    pub success: bool,
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
