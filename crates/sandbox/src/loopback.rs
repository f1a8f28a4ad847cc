//! The control API and the consent page hand out tokens and codes without
//! credentials, so only callers on this machine may reach them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::ApiError;

/// Lets through only requests whose peer is a loopback address. A request
/// without `ConnectInfo` is refused: the peer is unknown, not trusted.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match peer {
        Some(ip) if is_loopback(ip) => next.run(request).await,
        Some(_) => refusal("This part of the sandbox answers callers on its own machine only."),
        None => refusal(
            "The sandbox cannot tell where this request comes from; \
             its server must be run with connect info.",
        ),
    }
}

/// 127.0.0.0/8 and ::1, also as an IPv4-mapped address (a dual-stack socket
/// sees IPv4 peers as `::ffff:127.0.0.1`).
fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

fn refusal(message: &str) -> Response {
    ApiError::Forbidden(message.into()).into_response()
}
