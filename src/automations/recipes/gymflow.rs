//! GymFlow: contacts, tags, tasks and notes into HighLevel; a lead's
//! welcome task; a contact's records read through the read API.

use crate::apps::templates::AppKind;
use crate::automations::model::{Action, Step};

use super::{
    contact_by_email, input, on_highlevel, step, Chosen, Makes, Planned, ReadRequest, Recipe,
};

pub fn recipes() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "gymflow.contacts",
            app: AppKind::GymFlow,
            title: "GymFlow contacts become HighLevel contacts",
            does: "When a contact is added or changed in GymFlow, the HighLevel contact with the same e-mail is created or updated, and its tasks and notes are read into Switchboard again.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(contacts),
        },
        Recipe {
            key: "gymflow.tags",
            app: AppKind::GymFlow,
            title: "GymFlow tags mirrored on HighLevel contacts",
            does: "When a tag is added to or removed from a contact in GymFlow, the same tag is added to or removed from the HighLevel contact. Nothing is sent back to GymFlow.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(tags),
        },
        Recipe {
            key: "gymflow.tasks_notes",
            app: AppKind::GymFlow,
            title: "GymFlow tasks and notes become HighLevel tasks and notes",
            does: "When a task or a note is created for a contact in GymFlow, it is created on the matching HighLevel contact.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(tasks_notes),
        },
        Recipe {
            key: "gymflow.lead_welcome",
            app: AppKind::GymFlow,
            title: "Welcome a new lead the next morning",
            does: "When a lead signs up in GymFlow, the HighLevel contact is created and given a welcome task due the next morning.",
            idea: true,
            inputs: vec![
                input("title", "Task title", "Welcome call", "The task's title; the lead's name is added after it."),
                input("at", "Due the next day at", "09:00", "On your team's clock, HH:MM."),
            ],
            tweaks: None,
            makes: Makes::Automations(lead_welcome),
        },
        Recipe {
            key: "gymflow.highlevel_tags",
            app: AppKind::GymFlow,
            title: "Tags chosen in HighLevel, mirrored to GymFlow",
            does: "When one of the tags you choose is added to or removed from a contact in HighLevel, GymFlow gets the contact and the tag. A tag GymFlow itself sent is already there, so nothing goes round in circles.",
            idea: true,
            inputs: vec![input(
                "tags",
                "Tags",
                "member, trial",
                "The HighLevel tags GymFlow should hear of, separated by commas.",
            )],
            tweaks: None,
            makes: Makes::Automations(highlevel_tags),
        },
        Recipe {
            key: "gymflow.contact_records",
            app: AppKind::GymFlow,
            title: "A contact's tasks, notes and appointments in GymFlow",
            does: "GymFlow reads a contact's tasks, notes and appointments from Switchboard's copy of HighLevel.",
            idea: true,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::ReadRequest(ReadRequest {
                path: "/contacts?email={email}",
                configure: "In GymFlow's integrations, add a lookup that calls this address with the contact's e-mail and the connection's API key as a bearer token; add include=tasks,notes,appointments to the contact's own address for its records.",
            }),
        },
    ]
}

fn contacts(chosen: &Chosen) -> Vec<Planned> {
    chosen.on_each_app_event(
        &[
            ("GymFlow: new contact to HighLevel", "contact.created"),
            ("GymFlow: changed contact to HighLevel", "contact.updated"),
        ],
        |event| {
            vec![
                chosen.mapping_step(event),
                step(
                    "records",
                    Action::RefreshContact {
                        contact_id: "{{ steps.contact.contact_id }}".into(),
                    },
                ),
            ]
        },
    )
}

/// The HighLevel contact of the GymFlow contact; the run ends when
/// HighLevel has none.
fn found_contact() -> Vec<Step> {
    contact_by_email("{{ data.contact.email | trim | lower }}")
}

fn tags(chosen: &Chosen) -> Vec<Planned> {
    let tag = || "{{ data.tag.name }}".to_owned();
    let contact_id = || "{{ steps.contact.id }}".to_owned();
    let mut added = found_contact();
    added.push(step(
        "tagged",
        Action::AddTags {
            contact_id: contact_id(),
            tags: tag(),
        },
    ));
    let mut removed = found_contact();
    removed.push(step(
        "untagged",
        Action::RemoveTags {
            contact_id: contact_id(),
            tags: tag(),
        },
    ));
    vec![
        chosen.on_app_event("GymFlow: tag added in HighLevel too", "tag.added", added),
        chosen.on_app_event(
            "GymFlow: tag removed in HighLevel too",
            "tag.removed",
            removed,
        ),
    ]
}

fn tasks_notes(chosen: &Chosen) -> Vec<Planned> {
    chosen.mapping_of_each(&[
        ("GymFlow: task to HighLevel", "task.created"),
        ("GymFlow: note to HighLevel", "note.created"),
    ])
}

/// One automation per chosen tag and way (added, removed), as a HighLevel
/// trigger waits for one tag.
fn highlevel_tags(chosen: &Chosen) -> Vec<Planned> {
    let tags = chosen.value("tags");
    let chosen_tags = tags.split(',').map(str::trim).filter(|tag| !tag.is_empty());
    chosen_tags
        .flat_map(|tag| {
            [("added", "tag_added"), ("removed", "tag_removed")].map(|(way, event)| {
                on_highlevel(
                    &format!("GymFlow: tag \u{201c}{tag}\u{201d} {way} in HighLevel"),
                    event,
                    tag,
                    vec![chosen.send_step("sent", &format!("/tags/{way}"), "")],
                )
            })
        })
        .collect()
}

fn lead_welcome(chosen: &Chosen) -> Vec<Planned> {
    let event = "contact.created";
    vec![chosen.on_app_event(
        "GymFlow: welcome a new lead",
        event,
        vec![
            chosen.mapping_step(event),
            step(
                "welcome",
                Action::CreateTask {
                    contact_id: "{{ steps.contact.contact_id }}".into(),
                    title: format!("{} {{{{ data.contact.firstName }}}}", chosen.value("title")),
                    body: String::new(),
                    due: format!("{{{{ now | date(add_days=1) }}}}T{}", chosen.value("at")),
                },
            ),
        ],
    )]
}
