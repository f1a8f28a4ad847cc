//! Small shapes shared by several endpoints.

use serde::{Deserialize, Serialize};

use super::Extra;

/// `{succeded}` (sic): the answer of most deletes and of campaign and workflow changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Succeded {
    #[serde(default)]
    pub succeded: bool,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `{tags}`: the body of add-tags and remove-tags, and their answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagsBody {
    pub tags: Vec<String>,
}

/// `FollowersDTO`: the body of add-followers-contact and remove-followers-contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowersBody {
    pub followers: Vec<String>,
}

/// `CreateAddFollowersSuccessfulResponseDto` and `DeleteFollowersSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowersResponse {
    #[serde(default)]
    pub followers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers_added: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers_removed: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `CreateWorkflowDto`: the body of the workflow operations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_start_time: Option<String>,
}
