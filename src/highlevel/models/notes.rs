//! Notes of a contact (`GetNoteSchema` and its bodies).

use serde::{Deserialize, Serialize};

use super::Extra;

/// `GetNoteSchema`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub date_added: Option<String>,
    #[serde(default)]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub pinned: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetNotesListSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NotesResponse {
    #[serde(default)]
    pub notes: Vec<Note>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GetCreateUpdateNoteSuccessfulResponseDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteResponse {
    pub note: Note,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `NotesDTO` (create, `body` required) and `UpdateNoteDTO` (update, all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}
