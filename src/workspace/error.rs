//! What can go wrong in the workspace, and how callers are told.

use crate::app_error::AppError;
use crate::highlevel::HighLevelError;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The input cannot be used; the message says why.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(&'static str),
    /// HighLevel refused or failed; nothing was cached.
    #[error(transparent)]
    HighLevel(#[from] HighLevelError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// HighLevel answered without what the cache needs (an id).
    #[error("HighLevel's answer had no {0} id")]
    Unusable(&'static str),
}

impl From<WorkspaceError> for AppError {
    fn from(error: WorkspaceError) -> Self {
        match error {
            WorkspaceError::Invalid(message) => AppError::invalid(message),
            WorkspaceError::NotFound(message) => AppError::NotFound(message.into()),
            WorkspaceError::HighLevel(error) => error.into(),
            WorkspaceError::Database(error) => error.into(),
            WorkspaceError::Unusable(_) => {
                tracing::warn!(%error, "HighLevel's answer could not be cached");
                HighLevelError::Decode {
                    operation: "a write".into(),
                    detail: error.to_string(),
                }
                .into()
            }
        }
    }
}
