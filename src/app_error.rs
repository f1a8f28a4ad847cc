//! The one error every server function answers with. It crosses the wire as
//! JSON, so a page matches on what went wrong instead of reading text; its
//! message is always written for people and never carries internals (a
//! database error is logged where it is converted and arrives here as
//! [`AppError::Unavailable`]).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What is wrong with one field of a form (`field` is the input's name; empty
/// for the form as a whole), shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, message: &str) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Nobody is signed in.
    #[error("Please sign in first.")]
    Unauthorized,
    /// Signed in, but the role or the team does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The input is not acceptable; the problem names the field.
    #[error("{}", .0.message)]
    Invalid(FieldProblem),
    #[error("{0}")]
    NotFound(String),
    /// HighLevel refused or failed; `kind` is the client's stable name for
    /// how (`missing_scope`, `invalid`, `rate_limited`, …).
    #[error("{message}")]
    HighLevel { kind: String, message: String },
    /// The server, or something it needs, cannot answer right now.
    #[error("{0}")]
    Unavailable(String),
}

impl AppError {
    /// Bad input that is not about one field.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(FieldProblem {
            field: String::new(),
            message: message.into(),
        })
    }

    /// The HTTP status a server function's caller gets with this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::Invalid(_) => 400,
            AppError::NotFound(_) => 404,
            AppError::HighLevel { kind, .. } => match kind.as_str() {
                "missing_scope" | "forbidden" => 403,
                "invalid" | "bad_request" => 422,
                "not_found" => 404,
                "rate_limited" | "budget_spent" | "daily_budget_spent" => 429,
                _ => 502,
            },
            AppError::Unavailable(_) => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// The framework's own failures: the request never reached the function,
    /// or its answer could not be read.
    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unavailable(
                "The server could not be reached. Check the connection and try again.".into(),
            ),
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::invalid(message)
            }
            _ => AppError::Unavailable("Something went wrong on the server. Try again.".into()),
        }
    }
}

/// Logged here, once; the caller only learns that the database is away.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "a database query failed");
        AppError::Unavailable("The database did not answer. Try again in a moment.".into())
    }
}

/// Plain routes answer with the status and `{"error": message}`.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": self.to_string() });
        (status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_the_wire_as_variants() {
        let error = AppError::Invalid(FieldProblem::new("phone", "Not a phone number."));
        let bytes = error.ser();
        assert_eq!(AppError::de(bytes), error);
        assert_eq!(error.to_string(), "Not a phone number.");
    }

    #[test]
    fn highlevel_refusals_keep_their_status() {
        let refusal = |kind: &str| AppError::HighLevel {
            kind: kind.into(),
            message: String::new(),
        };
        assert_eq!(refusal("missing_scope").status(), 403);
        assert_eq!(refusal("invalid").status(), 422);
        assert_eq!(refusal("timeout").status(), 502);
    }
}
