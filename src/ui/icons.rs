//! Line icons drawn for Switchboard (24×24 grid, stroke = currentColor).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Dashboard,
    Contacts,
    Tasks,
    Appointments,
    Reports,
    Automations,
    Apps,
    Connections,
    Sync,
    Settings,
    Events,
    Compass,
    Alert,
    Check,
    Bell,
}

impl Icon {
    /// The outline as one path: its strokes are subpaths, so an icon is a
    /// single element to render.
    fn path(self) -> &'static str {
        match self {
            Icon::Dashboard => "M4 4h7v9H4z M13 4h7v5h-7z M13 11h7v9h-7z M4 15h7v5H4z",
            Icon::Apps => "M4 4h6v6H4z M14 4h6v6h-6z M4 14h6v6H4z M17 14v6 M14 17h6",
            Icon::Contacts => "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M2 21v-1a6 6 0 0 1 6-6h2a6 6 0 0 1 6 6v1 M17 3.5a4 4 0 0 1 0 7.5 M19 14a5 5 0 0 1 3 5v2",
            Icon::Tasks => "M9 11l3 3 8-8 M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h9",
            Icon::Appointments => "M5 5h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z M16 3v4 M8 3v4 M3 10h18",
            Icon::Reports => "M4 20h16 M6 16v-5 M11 16V5 M16 16v-8",
            Icon::Automations => "M13 2L4 14h7l-1 8 9-12h-7z",
            Icon::Bell => "M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9 M10.3 21a1.9 1.9 0 0 0 3.4 0",
            Icon::Connections => "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
            Icon::Sync => "M20 11a8 8 0 0 0-14.9-3.5 M4 4v4h4 M4 13a8 8 0 0 0 14.9 3.5 M20 20v-4h-4",
            Icon::Settings => "M4 6h10 M18 6h2 M16 4v4 M4 12h4 M12 12h8 M10 10v4 M4 18h12 M20 18h0 M18 16v4",
            // An inbox tray: events arriving.
            Icon::Events => "M3 13h5l2 3h4l2-3h5 M5 5h14l2 8v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6z",
            Icon::Compass => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M15.5 8.5l-2 5-5 2 2-5z",
            Icon::Alert => "M12 3l10 18H2z M12 10v5 M12 18v.01",
            Icon::Check => "M5 12l5 5 9-10",
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=format!("icon {class}")
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=icon.path() />
        </svg>
    }
}
