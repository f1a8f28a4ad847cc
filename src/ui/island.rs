//! What islands need in place of the router: an island is hydrated on its
//! own in the browser, without the router's context, so it reads the page
//! address from the window and leaves the page by loading another.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;

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
/// island calls this once; the page script marks a page without islands.
pub fn island_ready() {
    #[cfg(feature = "hydrate")]
    Effect::new(|| {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static READY: AtomicUsize = AtomicUsize::new(0);
        let ready = READY.fetch_add(1, Ordering::Relaxed) + 1;
        let document = document();
        let islands = document.get_elements_by_tag_name("leptos-island").length() as usize;
        if ready >= islands {
            if let Ok(Some(shell)) = document.query_selector(".app-shell") {
                let _ = shell.set_attribute("data-hydrated", "true");
            }
        }
    });
}
