//! The typed HighLevel v2 client: models, the operation catalogue, the token
//! and `Version` headers, the shared rate budget, retries, paging, typed
//! errors and the request log. `cli` is the `switchboard api` command on top.

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
pub use error::{FieldProblem, HighLevelError};
pub use operations::{ApiVersion, Operation};
pub use rate_limit::{RateBudget, RateHeaders, RateLimiter};
pub use request_log::{LoggedRequest, RequestLog, RequestRecord};
pub use retry::RetryPolicy;
pub use token::{AccessToken, StaticToken};
