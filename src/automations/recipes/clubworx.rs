//! Clubworx: members, tasks and notes into HighLevel; a new sign-up tagged;
//! the day's summary and chosen HighLevel changes sent back.

use crate::apps::templates::AppKind;
use crate::automations::model::{Action, ClockTime, Schedule, SummaryTo, Trigger};

use super::{
    custom_field_input, input, on_highlevel, planned, step, time_input, Chosen, Makes,
    MappingTweaks, Planned, Recipe,
};

pub fn recipes() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "clubworx.members",
            app: AppKind::Clubworx,
            title: "Clubworx members become HighLevel contacts",
            does: "When a member is added or changed in Clubworx, the HighLevel contact with the same e-mail is created or updated (name, phone, address, their Clubworx tags and status as tags) by the connection's mapping.",
            idea: false,
            inputs: vec![custom_field_input(
                "id_field",
                "Keep the Clubworx id in",
                "Optional: a custom field of your HighLevel location (its name), which then finds each member's contact. Left empty, contacts are found by e-mail.",
            )],
            tweaks: Some(MappingTweaks {
                events: &["member.created", "member.updated"],
                extra_tags: "{{ data.member.status | lower }}",
                id_input: "id_field",
                id: "{{ data.member.id }}",
            }),
            makes: Makes::Automations(members),
        },
        Recipe {
            key: "clubworx.tasks",
            app: AppKind::Clubworx,
            title: "Clubworx tasks become HighLevel tasks",
            does: "When Clubworx creates a task for a member, the same task (title, due date) is created on the matching HighLevel contact, once even when Clubworx sends the event twice.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(tasks),
        },
        Recipe {
            key: "clubworx.notes",
            app: AppKind::Clubworx,
            title: "Clubworx notes become HighLevel notes",
            does: "When a note is added in Clubworx, it is added to the matching HighLevel contact.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(notes),
        },
        Recipe {
            key: "clubworx.signup",
            app: AppKind::Clubworx,
            title: "Tag new sign-ups",
            does: "When someone signs up through a Clubworx form, the HighLevel contact is created or updated and tagged.",
            idea: true,
            inputs: vec![input("tag", "Tag", "new member", "The tag every new sign-up gets in HighLevel.")],
            tweaks: None,
            makes: Makes::Automations(signup),
        },
        Recipe {
            key: "clubworx.daily_summary",
            app: AppKind::Clubworx,
            title: "The day's summary, sent to Clubworx",
            does: "Every day at the time chosen, today's new contacts, tasks created and completed, and notes, sent to Clubworx.",
            idea: true,
            inputs: vec![time_input("at", "Time of day", "18:00", "On your team's clock, HH:MM.")],
            tweaks: None,
            makes: Makes::Automations(daily_summary),
        },
        Recipe {
            key: "clubworx.alerts",
            app: AppKind::Clubworx,
            title: "Tell Clubworx when something important happens in HighLevel",
            does: "When the chosen tag is added to a contact, or a contact is deleted, in HighLevel, Clubworx gets the contact at once.",
            idea: true,
            inputs: vec![input("tag", "Tag", "vip", "The HighLevel tag that matters.")],
            tweaks: None,
            makes: Makes::Automations(alerts),
        },
    ]
}

fn members(chosen: &Chosen) -> Vec<Planned> {
    chosen.mapping_of_each(&[
        ("Clubworx: new member to HighLevel", "member.created"),
        ("Clubworx: changed member to HighLevel", "member.updated"),
    ])
}

fn tasks(chosen: &Chosen) -> Vec<Planned> {
    chosen.mapping_of_each(&[("Clubworx: task to HighLevel", "task.created")])
}

fn notes(chosen: &Chosen) -> Vec<Planned> {
    chosen.mapping_of_each(&[("Clubworx: note to HighLevel", "note.added")])
}

fn signup(chosen: &Chosen) -> Vec<Planned> {
    let event = "signup.created";
    vec![chosen.on_app_event(
        "Clubworx: tag new sign-ups",
        event,
        vec![
            chosen.mapping_step(event),
            step(
                "tagged",
                Action::AddTags {
                    contact_id: "{{ steps.contact.contact_id }}".into(),
                    tags: chosen.value("tag"),
                },
            ),
        ],
    )]
}

fn daily_summary(chosen: &Chosen) -> Vec<Planned> {
    let at = ClockTime::parse(&chosen.value("at")).unwrap_or_default();
    vec![planned(
        "Clubworx: the day's summary",
        Trigger::Schedule {
            schedule: Schedule::Daily { at },
        },
        vec![step(
            "summary",
            Action::Summary {
                period: "today".into(),
                deliver: SummaryTo::App {
                    connection_id: chosen.connection_id,
                    path: "/summaries".into(),
                },
            },
        )],
    )]
}

fn alerts(chosen: &Chosen) -> Vec<Planned> {
    vec![
        on_highlevel(
            "Clubworx: tell it about a tagged contact",
            "tag_added",
            &chosen.value("tag"),
            vec![chosen.send_step("sent", "/alerts", "{{ contact.id }}")],
        ),
        on_highlevel(
            "Clubworx: tell it about a deleted contact",
            "contact_deleted",
            "",
            vec![chosen.send_step("sent", "/alerts", "")],
        ),
    ]
}
