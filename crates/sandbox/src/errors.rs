//! Error answers in the shapes of `common/common-schemas.json`: `message` is a
//! string for 400/401/403 and an array of strings for 422.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 400 `BadRequestDTO`; also what the contacts spec documents for an
    /// unknown id, since it declares no 404.
    BadRequest(String),
    /// 401 `UnauthorizedDTO`.
    Unauthorized(String),
    /// 403: a missing scope or another location's data.
    Forbidden(String),
    /// 404 for paths the sandbox does not serve.
    NotFound(String),
    /// 422 `UnprocessableDTO`.
    Unprocessable(Vec<String>),
    /// 429 past a rate limit.
    TooManyRequests,
    /// A 5xx injected by a fault.
    Injected(StatusCode),
    /// OAuth token endpoint errors: the statusCode/message shape plus the
    /// RFC 6749 `error` and `error_description` a standard client reads.
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
}

impl ApiError {
    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::Unprocessable(vec![message.into()])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Injected(status) => *status,
            Self::OAuth { status, .. } => *status,
        }
    }

    fn body(&self) -> serde_json::Value {
        let code = self.status().as_u16();
        match self {
            Self::BadRequest(message) => json!({"statusCode": code, "message": message}),
            Self::Unauthorized(message) => {
                json!({"statusCode": code, "message": message, "error": "Unauthorized"})
            }
            Self::Forbidden(message) => {
                json!({"statusCode": code, "message": message, "error": "Forbidden"})
            }
            Self::NotFound(message) => {
                json!({"statusCode": code, "message": message, "error": "Not Found"})
            }
            Self::Unprocessable(messages) => {
                json!({"statusCode": code, "message": messages, "error": "Unprocessable Entity"})
            }
            Self::TooManyRequests => json!({
                "statusCode": code,
                "message": "Too Many Requests",
                "error": "Too Many Requests"
            }),
            Self::Injected(status) => json!({
                "statusCode": code,
                "message": status.canonical_reason().unwrap_or("Server Error"),
            }),
            Self::OAuth {
                error, description, ..
            } => json!({
                "statusCode": code,
                "message": description,
                "error": error,
                "error_description": description,
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Paths the sandbox does not serve get a JSON 404 like the real API's.
pub async fn not_found_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("Cannot {}", uri.path()))
}
