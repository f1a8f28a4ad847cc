//! Reading the page address (query and path parameters) from reactive code,
//! in a page rendered by the server and in an island in the browser.
//!
//! On the server the router has the address; a page's reactive values are
//! disposed once its response is written, and a resource woken at that
//! moment still reads its source, so reading through these helpers gives
//! the default then instead of a panic. An island in the browser has no
//! router: it reads the window's address, which stays as it is for the
//! island's life, since leaving the page loads another.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

/// The query string, reactively.
pub fn query() -> Memo<ParamsMap> {
    from_query(ParamsMap::clone)
}

/// The route's path parameters, reactively.
pub fn params() -> Memo<ParamsMap> {
    from_params(ParamsMap::clone)
}

/// A memo of something read from the query string.
pub fn from_query<T>(read: impl Fn(&ParamsMap) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    {
        let query = leptos_router::hooks::use_query_map();
        Memo::new(move |_| query.try_with(&read).unwrap_or_default())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let query = browser::query();
        Memo::new(move |_| read(&query))
    }
}

/// A memo of something read from the route's path parameters.
pub fn from_params<T>(read: impl Fn(&ParamsMap) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    #[cfg(feature = "ssr")]
    {
        let params = leptos_router::hooks::use_params_map();
        Memo::new(move |_| params.try_with(&read).unwrap_or_default())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let params = browser::params();
        Memo::new(move |_| read(&params))
    }
}

#[cfg(not(feature = "ssr"))]
mod browser {
    use leptos::prelude::window;
    use leptos_router::params::ParamsMap;

    pub fn query() -> ParamsMap {
        let mut map = ParamsMap::new();
        let search = window().location().search().unwrap_or_default();
        for pair in search
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            map.insert(decoded(key), decoded(value));
        }
        map
    }

    /// Every route with a parameter names one record by `id`: the segment
    /// after the section (`/contacts/:id`, `/apps/:id/mapping`), or after
    /// `runs` (`/automations/runs/:id`).
    pub fn params() -> ParamsMap {
        let mut map = ParamsMap::new();
        let path = window().location().pathname().unwrap_or_default();
        let segments: Vec<&str> = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        let id = match segments.as_slice() {
            [_, "runs", id, ..] | [_, id, ..] => Some(*id),
            _ => None,
        };
        if let Some(id) = id {
            map.insert("id", decoded(id));
        }
        map
    }

    fn decoded(part: &str) -> String {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    }
}
