//! Club OS: HighLevel's copy of a member sent back, HighLevel tasks sent
//! over, Club OS edits written to HighLevel, and the unified view read
//! through the read API.

use crate::apps::templates::AppKind;

use super::{contact_by_email, on_each_highlevel, Chosen, Makes, Planned, ReadRequest, Recipe};

pub fn recipes() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "club_os.send_back",
            app: AppKind::ClubOs,
            title: "Send HighLevel's copy of a member back to Club OS",
            does: "When a member is added or changed in Club OS, the HighLevel contact with the same e-mail is read and its first and last name, e-mail and phone are sent to Club OS.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(send_back),
        },
        Recipe {
            key: "club_os.tasks",
            app: AppKind::ClubOs,
            title: "HighLevel tasks sent to Club OS",
            does: "When a task is created, changed or completed in HighLevel, its title, status and due date are sent to Club OS.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(tasks),
        },
        Recipe {
            key: "club_os.edits",
            app: AppKind::ClubOs,
            title: "Club OS edits update HighLevel",
            does: "When a member's details or tags change in Club OS, the HighLevel contact's e-mail, phone and tags follow.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(edits),
        },
        Recipe {
            key: "club_os.unified_view",
            app: AppKind::ClubOs,
            title: "A member's HighLevel contact, tasks, notes and appointments in Club OS",
            does: "Club OS reads the contact with its tasks, notes and appointments from Switchboard's copy, without spending HighLevel's request budget.",
            idea: true,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::ReadRequest(ReadRequest {
                path: "/contacts/{contactId}?include=tasks,notes,appointments",
                configure: "In Club OS, add a web request on the member page that calls this address with the connection's API key as a bearer token.",
            }),
        },
    ]
}

fn send_back(chosen: &Chosen) -> Vec<Planned> {
    chosen.on_each_app_event(
        &[
            (
                "Club OS: send a new member's HighLevel copy back",
                "member.created",
            ),
            (
                "Club OS: send a changed member's HighLevel copy back",
                "member.updated",
            ),
        ],
        |_| {
            let mut steps = contact_by_email("{{ member.email | trim | lower }}");
            steps.push(chosen.send_step("sent", "/members", "{{ steps.contact.id }}"));
            steps
        },
    )
}

fn tasks(chosen: &Chosen) -> Vec<Planned> {
    on_each_highlevel(
        &[
            ("Club OS: send new HighLevel tasks", "task_created"),
            ("Club OS: send changed HighLevel tasks", "task_changed"),
            ("Club OS: send completed HighLevel tasks", "task_completed"),
        ],
        || vec![chosen.send_step("sent", "/tasks", "")],
    )
}

fn edits(chosen: &Chosen) -> Vec<Planned> {
    chosen.mapping_of_each(&[
        ("Club OS: member changes to HighLevel", "member.updated"),
        ("Club OS: member tags to HighLevel", "member.tagged"),
    ])
}
