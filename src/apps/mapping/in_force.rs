//! The mapping a connection uses for an event type or a kind of record: its
//! newest saved version, or, before the first save, the starting mapping of
//! the app's template. The builder shows it and automations run it.

use sqlx::PgPool;

use super::records::Record;
use super::store::{self, Direction, Lookups, Of, Saved};
use super::{IdentifyBy, Mapping};
use crate::apps::connections::store::Connection;
use crate::apps::templates::{self, AppKind, EventTemplate};

/// The template's description of an event type the connection's app sends.
pub fn template_event(app: &str, event_type: &str) -> Option<EventTemplate> {
    templates::template(AppKind::from_key(app).unwrap_or(AppKind::Generic))
        .events
        .into_iter()
        .find(|event| event.key == event_type)
}

/// The mapping before the first save; `None` for a kind of record
/// Switchboard does not send.
pub fn starting(app: &str, of: Of<'_>) -> Option<Saved> {
    let mapping = match of.direction {
        Direction::Send => Mapping {
            identify_by: IdentifyBy::Email,
            rules: Record::from_key(of.subject)?.starting_rules(),
        },
        Direction::Receive => template_event(app, of.subject)
            .as_ref()
            .map(EventTemplate::starting_mapping)
            .unwrap_or(Mapping {
                identify_by: IdentifyBy::Email,
                rules: Vec::new(),
            }),
    };
    Some(Saved {
        mapping,
        lookups: Lookups::new(),
    })
}

/// The newest saved version, else the starting mapping.
pub async fn in_force(
    db: &PgPool,
    connection: &Connection,
    of: Of<'_>,
) -> sqlx::Result<Option<Saved>> {
    Ok(match store::newest(db, of).await? {
        Some(saved) => Some(saved),
        None => starting(&connection.app, of),
    })
}
