//! ConvertCalculator: HighLevel contacts with their tasks and notes sent
//! over, a follow-up task for new leads, and notes appended to its log.

use crate::apps::templates::AppKind;
use crate::automations::model::Action;

use super::{input, on_each_highlevel, on_highlevel, step, Chosen, Makes, Planned, Recipe};

pub fn recipes() -> Vec<Recipe> {
    vec![
        Recipe {
            key: "convertcalculator.contacts",
            app: AppKind::ConvertCalculator,
            title: "HighLevel contacts sent to ConvertCalculator",
            does: "When a contact is created or changed in HighLevel, it is sent to ConvertCalculator, shaped by the connection's contact mapping, with its tasks and notes.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(contacts),
        },
        Recipe {
            key: "convertcalculator.follow_up",
            app: AppKind::ConvertCalculator,
            title: "A follow-up task for every new lead",
            does: "When a contact is created in HighLevel, or gets the lead tag, a follow-up task is created for it.",
            idea: false,
            inputs: vec![
                input("tag", "Lead tag", "lead", "The tag that makes a contact a lead."),
                input("title", "Task title", "Follow up on the quote", "The task's title; the contact's name is added after it."),
                input("days", "Due after (days)", "2", "Days after the contact came in."),
            ],
            tweaks: None,
            makes: Makes::Automations(follow_up),
        },
        Recipe {
            key: "convertcalculator.notes",
            app: AppKind::ConvertCalculator,
            title: "HighLevel notes appended to ConvertCalculator's activity log",
            does: "When a note is added or changed in HighLevel, it is appended to ConvertCalculator's activity log.",
            idea: false,
            inputs: Vec::new(),
            tweaks: None,
            makes: Makes::Automations(notes),
        },
    ]
}

fn contacts(chosen: &Chosen) -> Vec<Planned> {
    on_each_highlevel(
        &[
            (
                "ConvertCalculator: send new HighLevel contacts",
                "contact_created",
            ),
            (
                "ConvertCalculator: send changed HighLevel contacts",
                "contact_updated",
            ),
        ],
        || vec![chosen.send_with_records_step("sent", "/contacts", "{{ contact.id }}")],
    )
}

fn follow_up(chosen: &Chosen) -> Vec<Planned> {
    let task = || {
        vec![step(
            "task",
            Action::CreateTask {
                contact_id: "{{ contact.id }}".into(),
                title: format!("{} {{{{ contact.display_name }}}}", chosen.value("title")),
                body: String::new(),
                due: format!("{{{{ now | date(add_days={}) }}}}", chosen.value("days")),
            },
        )]
    };
    vec![
        on_highlevel(
            "ConvertCalculator: follow up a new contact",
            "contact_created",
            "",
            task(),
        ),
        on_highlevel(
            "ConvertCalculator: follow up a new lead",
            "tag_added",
            &chosen.value("tag"),
            task(),
        ),
    ]
}

fn notes(chosen: &Chosen) -> Vec<Planned> {
    on_each_highlevel(
        &[
            ("ConvertCalculator: log new HighLevel notes", "note_added"),
            (
                "ConvertCalculator: log changed HighLevel notes",
                "note_changed",
            ),
        ],
        || vec![chosen.send_step("logged", "/activity", "")],
    )
}
