//! Workiom: it pulls a contact, its tasks and notes, or a business's
//! contacts through the read API; and hears when a task is completed.

use crate::apps::templates::AppKind;

use super::{on_each_highlevel, Chosen, Makes, Planned, ReadRequest, Recipe};

pub fn recipes() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "workiom.contact_tasks",
            app: AppKind::Workiom,
            title: "Opening a contact in Workiom loads it with its tasks",
            does: "Workiom reads the contact and its tasks from Switchboard's copy of HighLevel when someone opens it.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::ReadRequest(ReadRequest {
                path: "/contacts/{contactId}?include=tasks",
                configure: "In Workiom, add an HTTP request to the contact list's \u{201c}record opened\u{201d} automation with this address and the connection's API key as a bearer token.",
            }),
        },
        Recipe {
            key: "workiom.contact_tasks_notes",
            app: AppKind::Workiom,
            title: "Selecting a contact loads its tasks and notes",
            does: "Workiom reads the contact's tasks and notes when someone selects it.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::ReadRequest(ReadRequest {
                path: "/contacts/{contactId}?include=tasks,notes",
                configure: "In Workiom, add an HTTP request to the contact list's \u{201c}record selected\u{201d} automation with this address and the connection's API key as a bearer token.",
            }),
        },
        Recipe {
            key: "workiom.business_contacts",
            app: AppKind::Workiom,
            title: "Viewing a business loads its contacts",
            does: "Workiom reads every contact of a HighLevel business when someone views the business.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::ReadRequest(ReadRequest {
                path: "/businesses/{businessId}/contacts",
                configure: "In Workiom, add an HTTP request to the businesses list's \u{201c}record opened\u{201d} automation with this address and the connection's API key as a bearer token.",
            }),
        },
        Recipe {
            key: "workiom.task_alerts",
            app: AppKind::Workiom,
            title: "Tell Workiom when a task is completed or becomes overdue",
            does: "When a contact's task is completed in HighLevel, or its due date passes while it is open, Workiom gets the task and its contact.",
            idea: true,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(task_alerts),
        },
    ]
}

fn task_alerts(chosen: &Chosen) -> Vec<Planned> {
    on_each_highlevel(
        &[
            ("Workiom: tell it about completed tasks", "task_completed"),
            ("Workiom: tell it about overdue tasks", "task_overdue"),
        ],
        || vec![chosen.send_step("sent", "/alerts", "")],
    )
}
