//! The middleware stack, outermost first: hide credentials from traces, log
//! each request, turn panics into a 500 answer, bound body size and time, compress.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, Request, Response, StatusCode};
use axum::middleware::Next;
use axum::Router;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::app_error::AppError;

/// Largest request body accepted anywhere (webhooks set their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const SENSITIVE_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
    // The Read API's other header for its keys.
    HeaderName::from_static("x-api-key"),
];

/// Every route's stack: header redaction, request logs, panics answered
/// as 500, the body limit, a timeout and compression.
pub fn wrap<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    request_timeout: Duration,
) -> Router<S> {
    wrap_reading_own_body(
        router.layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES)),
        request_timeout,
    )
}

/// The same stack without the body limit, for routes that read their body
/// under a limit of their own and answer an oversized one themselves.
pub fn wrap_reading_own_body<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    request_timeout: Duration,
) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new(SENSITIVE_HEADERS))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(Level::INFO)),
            )
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                request_timeout,
            ))
            .layer(CompressionLayer::new()),
    )
}

/// Largest server-function error body read back to find its status.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// A server function's error answers with the status its [`AppError`] names:
/// the framework answers every error with 500.
pub async fn server_fn_error_status(request: Request<Body>, next: Next) -> Response<Body> {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The path only: query strings can carry codes and tokens (OAuth callbacks).
fn request_span(request: &Request<Body>) -> tracing::Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}

fn panic_response(_: Box<dyn Any + Send>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    let body = serde_json::json!({
        "error": "internal_error",
        "message": "Something went wrong on our side. It was logged; please try again.",
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
