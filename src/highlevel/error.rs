//! What can go wrong when talking to HighLevel, in types the UI can act on
//! and words a non-programmer understands.
//!
//! No variant holds a token or a request body. Messages from HighLevel are
//! kept because they say what was wrong with the input (a 422 names the field).

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

/// One problem HighLevel found with the input of a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The field the message starts with, when it names one.
    pub field: Option<String>,
    /// HighLevel's own words, e.g. `email must be an email`.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HighLevelError {
    /// 401: the token is invalid, expired or revoked.
    #[error("HighLevel refused the access token: {message}")]
    Unauthorized { message: String },
    /// 403, or a 401 that names a scope: the token lacks the scope this operation needs.
    #[error("the connection lacks the scope {scope} needed for {operation}")]
    MissingScope {
        operation: String,
        scope: String,
        message: String,
    },
    /// 422: HighLevel names the fields it rejects.
    #[error("HighLevel rejected the input: {}", join_problems(.problems))]
    Invalid { problems: Vec<InputProblem> },
    /// 400.
    #[error("HighLevel called the request malformed: {message}")]
    BadRequest { message: String },
    /// 403 for another reason than a scope, e.g. another location's data.
    #[error("HighLevel refused access: {message}")]
    Forbidden { message: String },
    /// 404.
    #[error("HighLevel has no such record: {message}")]
    NotFound { message: String },
    /// 429 after every retry.
    #[error("HighLevel kept answering 429 (too many requests)")]
    RateLimited { retry_after: Option<Duration> },
    /// The per-location burst budget would need a longer wait than allowed.
    #[error("the request budget for location {location_id} is spent for the next {wait:?}")]
    BudgetSpent { location_id: String, wait: Duration },
    /// The daily budget of the location is used up.
    #[error("the daily request budget for location {location_id} is used up")]
    DailyBudgetSpent { location_id: String },
    /// 5xx after every retry.
    #[error("HighLevel failed with status {status}: {message}")]
    Server { status: u16, message: String },
    /// Any other status this client does not expect.
    #[error("HighLevel answered with unexpected status {status}: {message}")]
    UnexpectedStatus { status: u16, message: String },
    /// No answer in time, after every retry.
    #[error("HighLevel did not answer in time")]
    Timeout,
    /// The connection failed (DNS, TLS, refused), after every retry.
    #[error("could not reach HighLevel: {0}")]
    Network(String),
    /// The answer was not the JSON the document describes.
    #[error("HighLevel's answer to {operation} could not be read: {detail}")]
    Decode { operation: String, detail: String },
    /// A paged list handed back a cursor it had already given.
    #[error("HighLevel's paging of {operation} stopped advancing")]
    CursorStuck { operation: String },
    /// The token source could not give a token.
    #[error("no access token for location {location_id}: {reason}")]
    Token { location_id: String, reason: String },
    /// The caller asked for something the catalogue cannot build.
    #[error("{0}")]
    Usage(String),
    /// The shared rate budget or request log could not be reached.
    #[error("database error: {0}")]
    Storage(String),
}

impl HighLevelError {
    /// The error in plain words, with what to do about it.
    pub fn user_message(&self) -> String {
        match self {
            HighLevelError::Unauthorized { .. } => {
                "HighLevel no longer accepts this connection. Reconnect it on the Connections page.".into()
            }
            HighLevelError::MissingScope { scope, .. } => format!(
                "This connection is not allowed to do that: it needs the \"{scope}\" permission. Reconnect it and grant that permission."
            ),
            HighLevelError::Invalid { problems } => {
                format!("HighLevel did not accept the data: {}.", join_problems(problems))
            }
            HighLevelError::BadRequest { message } => {
                format!("HighLevel could not understand the request: {message}.")
            }
            HighLevelError::Forbidden { .. } => {
                "HighLevel refused access to that data: it belongs to a location this connection cannot reach.".into()
            }
            HighLevelError::NotFound { .. } => {
                "HighLevel could not find that record. It may have been deleted.".into()
            }
            HighLevelError::RateLimited { .. } | HighLevelError::BudgetSpent { .. } => {
                "HighLevel asked us to slow down. Try again in a few seconds.".into()
            }
            HighLevelError::DailyBudgetSpent { .. } => {
                "Today's allowance of requests to HighLevel for this location is used up. It renews tomorrow.".into()
            }
            HighLevelError::Server { .. } | HighLevelError::UnexpectedStatus { .. } => {
                "HighLevel had a problem on its side. Try again in a few minutes.".into()
            }
            HighLevelError::Timeout => "HighLevel did not answer in time. Try again in a few minutes.".into(),
            HighLevelError::Network(_) => {
                "Could not reach HighLevel. Check the internet connection and try again.".into()
            }
            HighLevelError::Decode { .. } | HighLevelError::CursorStuck { .. } => {
                "HighLevel sent an answer we could not use. Try again later; if it keeps happening, report it.".into()
            }
            HighLevelError::Token { .. } => {
                "There is no usable sign-in for this location. Reconnect it on the Connections page.".into()
            }
            HighLevelError::Usage(message) => message.clone(),
            HighLevelError::Storage(_) => {
                "The app's database could not be reached. Try again in a moment.".into()
            }
        }
    }

    /// Whether trying the same request again may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HighLevelError::RateLimited { .. }
                | HighLevelError::Server { .. }
                | HighLevelError::Timeout
                | HighLevelError::Network(_)
        )
    }

    /// Whether the user must reconnect the location before anything else works.
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self,
            HighLevelError::Unauthorized { .. } | HighLevelError::Token { .. }
        )
    }

    /// Reads an error answer: `{statusCode, message, error}`, where `message`
    /// is a string for most statuses and a list of strings for 422.
    pub fn from_response(
        status: StatusCode,
        body: &[u8],
        operation: &str,
        scope: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        let messages = error_messages(body);
        let message = if messages.is_empty() {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned()
        } else {
            messages.join("; ")
        };
        match status.as_u16() {
            401 if mentions_scope(&message) => missing_scope(operation, scope, message),
            401 => HighLevelError::Unauthorized { message },
            403 if mentions_scope(&message) => missing_scope(operation, scope, message),
            403 => HighLevelError::Forbidden { message },
            404 => HighLevelError::NotFound { message },
            422 => HighLevelError::Invalid {
                problems: messages.into_iter().map(InputProblem::parse).collect(),
            },
            400 => HighLevelError::BadRequest { message },
            429 => HighLevelError::RateLimited { retry_after },
            500..=599 => HighLevelError::Server {
                status: status.as_u16(),
                message,
            },
            other => HighLevelError::UnexpectedStatus {
                status: other,
                message,
            },
        }
    }
}

impl HighLevelError {
    /// A short, stable name of the error for the log: never a message, which
    /// could echo input back.
    pub fn kind(&self) -> &'static str {
        match self {
            HighLevelError::Unauthorized { .. } => "unauthorized",
            HighLevelError::MissingScope { .. } => "missing_scope",
            HighLevelError::Invalid { .. } => "invalid",
            HighLevelError::BadRequest { .. } => "bad_request",
            HighLevelError::Forbidden { .. } => "forbidden",
            HighLevelError::NotFound { .. } => "not_found",
            HighLevelError::RateLimited { .. } => "rate_limited",
            HighLevelError::BudgetSpent { .. } => "budget_spent",
            HighLevelError::DailyBudgetSpent { .. } => "daily_budget_spent",
            HighLevelError::Server { .. } => "server_error",
            HighLevelError::UnexpectedStatus { .. } => "unexpected_status",
            HighLevelError::Timeout => "timeout",
            HighLevelError::Network(_) => "network",
            HighLevelError::Decode { .. } => "decode",
            HighLevelError::CursorStuck { .. } => "cursor_stuck",
            HighLevelError::Token { .. } => "token",
            HighLevelError::Usage(_) => "usage",
            HighLevelError::Storage(_) => "storage",
        }
    }
}

/// A refusal or failure in plain words, with a status that fits it.
impl From<HighLevelError> for crate::app_error::AppError {
    fn from(error: HighLevelError) -> Self {
        tracing::warn!(%error, "HighLevel refused or failed a request");
        crate::app_error::AppError::HighLevel {
            kind: error.kind().to_owned(),
            message: error.user_message(),
        }
    }
}

impl InputProblem {
    /// HighLevel's validation messages start with the field name
    /// (`email must be an email`); a message that does not stays whole.
    pub fn parse(message: String) -> Self {
        let field = message
            .split_whitespace()
            .next()
            .filter(|word| {
                let rest = &message[word.len()..];
                rest.starts_with(" must ")
                    || rest.starts_with(" should ")
                    || rest.starts_with(" is ")
            })
            .map(|word| word.trim_end_matches(':').to_owned());
        InputProblem { field, message }
    }
}

fn missing_scope(operation: &str, scope: &str, message: String) -> HighLevelError {
    HighLevelError::MissingScope {
        operation: operation.to_owned(),
        scope: named_scope(&message).unwrap_or_else(|| scope.to_owned()),
        message,
    }
}

fn mentions_scope(message: &str) -> bool {
    message.to_ascii_lowercase().contains("scope")
}

/// A scope the server's message names (`contacts.write`, `locations/tags.readonly`).
fn named_scope(message: &str) -> Option<String> {
    message
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '(' | ')' | '[' | ']'))
        .map(|word| word.trim_end_matches(['.', ':']))
        .find(|word| word.ends_with(".readonly") || word.ends_with(".write"))
        .map(str::to_owned)
}

fn join_problems(problems: &[InputProblem]) -> String {
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    messages.join("; ")
}

/// The `message` of an error body as a list; empty when the body is not the
/// documented shape.
fn error_messages(body: &[u8]) -> Vec<String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Message {
        One(String),
        Many(Vec<String>),
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        message: Option<Message>,
        error: Option<String>,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody {
            message: Some(Message::One(message)),
            ..
        }) => vec![message],
        Ok(ErrorBody {
            message: Some(Message::Many(messages)),
            ..
        }) => messages,
        Ok(ErrorBody {
            error: Some(error), ..
        }) => vec![error],
        _ => Vec::new(),
    }
}

impl From<sqlx::Error> for HighLevelError {
    fn from(error: sqlx::Error) -> Self {
        HighLevelError::Storage(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(status: u16, body: &str) -> HighLevelError {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        HighLevelError::from_response(
            status,
            body.as_bytes(),
            "create-task",
            "contacts.write",
            None,
        )
    }

    #[test]
    fn a_422_names_each_field() {
        let error = read(
            422,
            r#"{"statusCode":422,"message":["email must be an email","title should not be empty"],"error":"Unprocessable Entity"}"#,
        );
        let HighLevelError::Invalid { problems } = &error else {
            panic!("expected Invalid, got {error:?}");
        };
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_deref()).collect();
        assert_eq!(fields, [Some("email"), Some("title")]);
        assert!(error.user_message().contains("email must be an email"));
    }

    #[test]
    fn a_403_names_the_missing_scope() {
        let error = read(
            403,
            r#"{"statusCode":403,"message":"The token is not authorized for this scope"}"#,
        );
        assert!(
            matches!(&error, HighLevelError::MissingScope { scope, .. } if scope == "contacts.write")
        );
        assert!(error.user_message().contains("contacts.write"));
    }

    #[test]
    fn a_403_about_another_location_is_not_a_scope_problem() {
        let error = read(
            403,
            r#"{"statusCode":403,"message":"The token does not have access to this location"}"#,
        );
        assert!(
            matches!(&error, HighLevelError::Forbidden { .. }),
            "{error:?}"
        );
        assert!(!error.needs_reconnect());
    }

    #[test]
    fn a_401_about_scope_is_a_missing_scope_named_by_the_server() {
        let error = read(
            401,
            r#"{"statusCode":401,"message":"The token is not authorized for this scope: locations/tags.readonly"}"#,
        );
        assert!(
            matches!(&error, HighLevelError::MissingScope { scope, .. } if scope == "locations/tags.readonly"),
            "{error:?}"
        );
    }

    #[test]
    fn a_plain_401_asks_to_reconnect() {
        let error = read(
            401,
            r#"{"statusCode":401,"message":"Invalid JWT","error":"Unauthorized"}"#,
        );
        assert!(error.needs_reconnect());
        assert!(error.user_message().contains("Reconnect"));
    }

    #[test]
    fn a_body_that_is_not_json_still_gives_a_message() {
        let error = read(502, "<html>bad gateway</html>");
        assert!(
            matches!(&error, HighLevelError::Server { status: 502, message } if message == "Bad Gateway")
        );
        assert!(error.is_transient());
    }
}
