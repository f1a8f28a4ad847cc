//! The location itself, and its lists: custom fields and tags.

use serde::{Deserialize, Serialize};

use super::Extra;

/// `CustomFieldSchema` of the locations document (a field definition, not a value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub field_key: Option<String>,
    #[serde(default)]
    pub placeholder: Option<String>,
    #[serde(default)]
    pub data_type: Option<String>,
    #[serde(default)]
    pub position: Option<f64>,
    #[serde(default)]
    pub picklist_options: Vec<String>,
    #[serde(default)]
    pub is_allowed_custom_option: Option<bool>,
    #[serde(default)]
    pub is_multi_file_allowed: Option<bool>,
    #[serde(default)]
    pub max_file_limit: Option<f64>,
    #[serde(default)]
    pub location_id: Option<String>,
    /// `contact` or `opportunity`.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CustomFieldsListSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldsResponse {
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `LocationTagsSchema`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `LocationTagsSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagsResponse {
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetLocationByIdSchema`, with the fields this app shows; addresses,
/// settings and branding stay in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    /// ISO 3166 alpha-2, such as `US`.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetLocationByIdSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocationResponse {
    pub location: Location,
    #[serde(flatten)]
    pub extra: Extra,
}
