//! The typed HighLevel v2 client: models, the operation catalogue, the token
//! and `Version` headers, the shared rate budget, retries, paging, typed
//! errors and the request log. `cli` is the `switchboard api` command on top.
//!
//! A server process builds one client and shares it:
//!
//! ```text
//! let client = HighLevelClient::builder(base_url, token_source)
//!     .rate_limiter(RateLimiter::shared(pool.clone(), RateBudget::default()))
//!     .request_log(RequestLog::new(pool.clone()))
//!     .build()?;
//! let contact = client.get_contact(location_id, contact_id).await?.contact;
//! let every = client.search_contacts_all(location_id, search); // a Stream
//! ```
//!
//! - `token_source` is a [`StaticToken`] for a Private Integration Token, or
//!   any [`AccessToken`] (OAuth connections refresh behind it).
//! - Every typed method names an operation of [`operations`]; [`HighLevelClient::call`]
//!   sends any of them by operationId with JSON in and out.
//! - Errors are [`HighLevelError`]: `user_message()` gives the plain words,
//!   `needs_reconnect()` says when the connection must be renewed.
//! - [`RateLimiter::used_today`] gives the budget a location used today.

pub mod bodies;
pub mod cli;
pub mod client;
pub mod endpoints;
pub mod error;
pub mod models;
pub mod operations;
pub mod paging;
pub mod rate_limit;
pub mod request_log;
pub mod retry;
pub mod token;

pub use client::{HighLevelClient, HighLevelClientBuilder, Params, DEFAULT_BASE_URL};
pub use endpoints::{ContactsPage, Window};
pub use error::{HighLevelError, InputProblem};
pub use operations::{ApiVersion, Operation};
pub use rate_limit::{RateBudget, RateHeaders, RateLimiter};
pub use request_log::{LoggedRequest, RequestLog, RequestRecord};
pub use retry::RetryPolicy;
pub use token::{AccessToken, StaticToken};
