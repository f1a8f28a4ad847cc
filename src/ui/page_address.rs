//! Reading the page address (query and path parameters) from reactive code.
//!
//! On the server a page's reactive values are disposed once its response is
//! written; a resource woken at that moment still reads its source. Reading
//! through these helpers gives the default then instead of a panic.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

/// A memo of something read from the query string.
pub fn from_query<T>(read: impl Fn(&ParamsMap) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    let query = use_query_map();
    Memo::new(move |_| query.try_with(&read).unwrap_or_default())
}

/// A memo of something read from the route's path parameters.
pub fn from_params<T>(read: impl Fn(&ParamsMap) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    let params = use_params_map();
    Memo::new(move |_| params.try_with(&read).unwrap_or_default())
}
