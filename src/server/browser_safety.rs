//! What keeps a browser from being turned against its own user: changes are
//! accepted only from Switchboard's own pages, and every answer tells the
//! browser not to frame it, sniff it or leak its address.
//!
//! Cookies are SameSite=Lax too, but that alone trusts every subdomain and
//! any browser that ignores SameSite; the origin check does not.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use axum::middleware::Next;

/// The policy of answers that set none of their own (JSON, files, the
/// sandbox's pages); the app's pages send a stricter one with a nonce.
const DEFAULT_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, as browsers expect for HSTS.
const HSTS: &str = "max-age=31536000";

/// Refuses a state-changing request that a browser sent from another site.
///
/// `Sec-Fetch-Site` decides when the browser sends it; otherwise `Origin`
/// must name the host the request was sent to. A request with neither did
/// not come from a browser page (a script or a server), which cannot carry
/// someone else's cookies.
pub async fn same_origin_writes(request: Request<Body>, next: Next) -> Response<Body> {
    let reads_only = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if reads_only || from_own_pages(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "refused a change sent from another site");
    let body = serde_json::json!({
        "error": "cross_origin",
        "message": "This change came from another site. Switchboard only accepts changes made on its own pages.",
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::FORBIDDEN;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn from_own_pages(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, authority)| authority);
    matches!((origin_host, host), (Some(from), Some(to)) if from.eq_ignore_ascii_case(to))
}

/// Adds the headers every answer carries; HSTS only when served over https.
pub fn add_security_headers(headers: &mut HeaderMap, https: bool) {
    let set = |headers: &mut HeaderMap, name, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CONTENT_SECURITY_POLICY, DEFAULT_POLICY);
    if https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn only_the_own_origin_or_no_browser_may_change_things() {
        assert!(from_own_pages(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!from_own_pages(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!from_own_pages(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(from_own_pages(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!from_own_pages(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!from_own_pages(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(from_own_pages(&HeaderMap::new()));
    }
}
