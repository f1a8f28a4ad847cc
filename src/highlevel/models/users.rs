//! Users of a location (`UserSchema`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Extra;

/// `RoleSchema`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRoles {
    #[serde(default, rename = "type")]
    pub role_type: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub location_ids: Vec<String>,
    #[serde(default)]
    pub restrict_sub_account: Option<bool>,
}

/// `UserSchema` and `UserSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub permissions: Option<Value>,
    #[serde(default)]
    pub scopes: Option<Value>,
    #[serde(default)]
    pub roles: Option<UserRoles>,
    #[serde(default)]
    pub deleted: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `SearchUserSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersSearchResponse {
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `LocationSuccessfulResponseDto`: the deprecated list of a location's users.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersResponse {
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The query of `GET /users/search`; `companyId` is required by the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsersSearch {
    pub company_id: String,
    pub location_id: Option<String>,
    pub query: Option<String>,
    pub skip: Option<u32>,
    pub limit: Option<u32>,
}
