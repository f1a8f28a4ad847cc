//! The middleware stack, outermost first: hide credentials from traces, log
//! each request, turn panics into a 500 answer, bound body size and time, compress.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, Request, Response, StatusCode};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest request body accepted anywhere (webhooks set their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

const SENSITIVE_HEADERS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
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
