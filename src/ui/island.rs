//! What islands need in place of the router: an island is hydrated on its
//! own in the browser, without the router's context, so it reads the page
//! address from the window and leaves the page by loading another.

use leptos::prelude::*;

/// One value of the page address's query string: the router's on the
/// server, the window's in the browser (an island lives as long as its page).
pub fn query_value(name: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use leptos_router::hooks::use_query_map;
        use_query_map().with_untracked(|query| query.get(name))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let search = window().location().search().ok()?;
        search.trim_start_matches('?').split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decoded(key) == name).then(|| decoded(value))
        })
    }
}

#[cfg(not(feature = "ssr"))]
fn decoded(part: &str) -> String {
    percent_encoding::percent_decode_str(&part.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Loads another page.
pub fn go_to(address: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().assign(address);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = address;
}

/// Marks the page hydrated (`data-hydrated="true"` on the shell, which the
/// browser tests wait for) once every island on it has been attached. Each
/// island calls this once; a page without islands is marked at start.
pub fn island_ready() {
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static READY: AtomicUsize = AtomicUsize::new(0);
        let ready = READY.fetch_add(1, Ordering::Relaxed) + 1;
        mark_when_all_ready(ready);
    });
}

/// Called at start with no island ready yet, and by each island.
#[cfg(feature = "hydrate")]
pub fn mark_when_all_ready(ready: usize) {
    let document = document();
    let islands = document.get_elements_by_tag_name("leptos-island").length() as usize;
    if ready >= islands {
        if let Ok(Some(shell)) = document.query_selector(".app-shell") {
            let _ = shell.set_attribute("data-hydrated", "true");
        }
    }
}
