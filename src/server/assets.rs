//! The browser bundle under `/pkg`. cargo-leptos names each file after a hash
//! of its content (`hash-files`), so a name never points at other bytes and
//! browsers may keep the file for good. A `--precompress` build leaves `.br`
//! and `.gz` files beside each one, sent to browsers that accept them.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Serves `site-root/site-pkg-dir`; mount it at [`route`].
pub fn router<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let hashed_names = options.hash_files;
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(move |request, next| {
            add_headers(hashed_names, request, next)
        }))
}

/// Where the bundle is served: `/pkg` by default.
pub fn route(options: &LeptosOptions) -> String {
    format!("/{}", options.site_pkg_dir.trim_matches('/'))
}

/// Caches the hashed files for good. wasm-bindgen's snippets keep their
/// names (the generated script imports them by name): only the rest carries
/// a hash. The bytes sent depend on Accept-Encoding (a .br or .gz twin, or
/// not), which shared caches must know; the compression layer says so only
/// for the answers it compresses itself.
async fn add_headers(hashed_names: bool, request: Request, next: Next) -> Response {
    let hashed = hashed_names && !request.uri().path().starts_with("/snippets/");
    let mut response = next.run(request).await;
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    if hashed && found {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
