//! The HighLevel records Switchboard can send an app, each with the body a
//! delivery mapping starts from and a sample to preview it on: the team's
//! newest cached record of the kind, or an example before the first sync.

use serde_json::{json, Value as Json};
use sqlx::PgPool;

use super::{FieldRule, WriteMode};

/// A kind of HighLevel record a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Contact,
    Task,
    Note,
    Appointment,
}

impl Record {
    pub const ALL: [Record; 4] = [
        Record::Contact,
        Record::Task,
        Record::Note,
        Record::Appointment,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Record::Contact => "contact",
            Record::Task => "task",
            Record::Note => "note",
            Record::Appointment => "appointment",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|record| record.key() == key)
    }

    /// What is sent, in plain words.
    pub fn label(self) -> &'static str {
        match self {
            Record::Contact => "A contact, when it is added or changes",
            Record::Task => "A task, when it is added, changes or is done",
            Record::Note => "A note, when it is added or changes",
            Record::Appointment => "An appointment, when it is booked or changes",
        }
    }

    /// The body a new delivery mapping starts with: `(path, expression)`.
    pub fn starting_rules(self) -> Vec<FieldRule> {
        let rules: &[(&str, &str)] = match self {
            Record::Contact => &[
                ("contact.id", "{{ id }}"),
                ("contact.first_name", "{{ firstName }}"),
                ("contact.last_name", "{{ lastName }}"),
                ("contact.email", "{{ email }}"),
                ("contact.phone", "{{ phone }}"),
                ("contact.tags[]", "{{ tags | join(\",\") }}"),
                ("source", "HighLevel"),
            ],
            Record::Task => &[
                ("task.id", "{{ id }}"),
                ("task.contact_id", "{{ contactId }}"),
                ("task.title", "{{ title }}"),
                ("task.due", "{{ dueDate }}"),
                ("task.completed", "{{ completed }}"),
            ],
            Record::Note => &[
                ("note.id", "{{ id }}"),
                ("note.contact_id", "{{ contactId }}"),
                ("note.body", "{{ body }}"),
                ("note.added", "{{ dateAdded }}"),
            ],
            Record::Appointment => &[
                ("appointment.id", "{{ id }}"),
                ("appointment.contact_id", "{{ contactId }}"),
                ("appointment.title", "{{ title }}"),
                ("appointment.starts", "{{ startTime }}"),
                ("appointment.status", "{{ appointmentStatus }}"),
            ],
        };
        rules
            .iter()
            .map(|(path, expression)| FieldRule {
                target: (*path).into(),
                expression: (*expression).into(),
                mode: WriteMode::Overwrite,
            })
            .collect()
    }

    /// The team's most recently changed record of this kind, as HighLevel
    /// sent it.
    pub async fn newest(self, db: &PgPool, location_id: &str) -> sqlx::Result<Option<Json>> {
        let query = match self {
            Record::Contact => {
                "SELECT raw FROM cache_contacts WHERE location_id = $1 ORDER BY date_updated DESC NULLS LAST LIMIT 1"
            }
            Record::Task => {
                "SELECT raw FROM cache_tasks WHERE location_id = $1 ORDER BY synced_at DESC LIMIT 1"
            }
            Record::Note => {
                "SELECT raw FROM cache_notes WHERE location_id = $1 ORDER BY synced_at DESC LIMIT 1"
            }
            Record::Appointment => {
                "SELECT raw FROM cache_appointments WHERE location_id = $1 ORDER BY synced_at DESC LIMIT 1"
            }
        };
        sqlx::query_scalar(query)
            .bind(location_id)
            .fetch_optional(db)
            .await
    }

    /// A record of this kind as HighLevel writes it, for a team with none yet.
    pub fn example(self) -> Json {
        match self {
            Record::Contact => json!({
                "id": "ocQHyuzHvysMo5N5VsXc", "firstName": "Maria", "lastName": "Lopez",
                "email": "maria.lopez@example.com", "phone": "+15125550147",
                "tags": ["member", "newsletter"], "source": "Website",
                "dateAdded": "2026-11-20T15:04:00.000Z"
            }),
            Record::Task => json!({
                "id": "tKq1mR2pX9", "contactId": "ocQHyuzHvysMo5N5VsXc", "title": "Call about the trial class",
                "body": "She asked about family pricing.", "dueDate": "2026-11-22T16:00:00.000Z", "completed": false
            }),
            Record::Note => json!({
                "id": "nT5pQ8wE2r", "contactId": "ocQHyuzHvysMo5N5VsXc",
                "body": "Prefers evening classes.", "dateAdded": "2026-11-21T10:30:00.000Z"
            }),
            Record::Appointment => json!({
                "id": "aP3sD7fG1h", "contactId": "ocQHyuzHvysMo5N5VsXc", "title": "Intro session",
                "startTime": "2026-11-24T17:00:00.000Z", "endTime": "2026-11-24T18:00:00.000Z",
                "appointmentStatus": "confirmed"
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apps::mapping::{Engine, MappingContext};

    #[test]
    fn every_starting_body_reads_its_example_without_a_problem() {
        let engine = Engine::new(&MappingContext::default());
        for record in Record::ALL {
            assert_eq!(Record::from_key(record.key()), Some(record));
            let preview = engine.delivery(&record.starting_rules(), &record.example());
            assert_eq!(preview.problems, [], "{}", record.key());
            assert_eq!(
                preview.body[record.key()]["id"],
                record.example()["id"],
                "{}",
                record.key()
            );
        }
    }
}
