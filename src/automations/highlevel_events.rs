//! The HighLevel changes an automation can start on. The cache's triggers
//! (migration `highlevel_triggers`) name each change by one of these keys,
//! whichever way it reached the cache: a webhook, a poll of the sync, or a
//! write from a page or another automation.

use serde::{Deserialize, Serialize};

/// What, beyond its kind, an event can be narrowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Narrowing {
    None,
    /// A tag's name; any tag when empty.
    Tag,
    /// An appointment status; any change when empty.
    AppointmentStatus,
}

/// One kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighLevelEvent {
    pub key: &'static str,
    pub label: &'static str,
    pub narrowing: Narrowing,
    /// What the trigger's data holds besides `event` (and `contact` for all).
    pub data: &'static str,
}

const fn event(
    key: &'static str,
    label: &'static str,
    narrowing: Narrowing,
    data: &'static str,
) -> HighLevelEvent {
    HighLevelEvent {
        key,
        label,
        narrowing,
        data,
    }
}

/// Every event, in the order the builder offers them.
pub const EVENTS: [HighLevelEvent; 15] = [
    event(
        "contact_created",
        "A contact is created",
        Narrowing::None,
        "",
    ),
    event(
        "contact_updated",
        "A contact is changed",
        Narrowing::None,
        "changed",
    ),
    event(
        "contact_deleted",
        "A contact is deleted",
        Narrowing::None,
        "",
    ),
    event(
        "tag_added",
        "A tag is added to a contact",
        Narrowing::Tag,
        "tag",
    ),
    event(
        "tag_removed",
        "A tag is removed from a contact",
        Narrowing::Tag,
        "tag",
    ),
    event("task_created", "A task is created", Narrowing::None, "task"),
    event(
        "task_changed",
        "A task's title, description, due date or assignee changes",
        Narrowing::None,
        "task, previous",
    ),
    event(
        "task_completed",
        "A task is completed",
        Narrowing::None,
        "task",
    ),
    event(
        "task_overdue",
        "A task becomes overdue",
        Narrowing::None,
        "task",
    ),
    event("task_deleted", "A task is deleted", Narrowing::None, "task"),
    event("note_added", "A note is added", Narrowing::None, "note"),
    event(
        "note_changed",
        "A note is changed",
        Narrowing::None,
        "note, previous_body",
    ),
    event(
        "appointment_created",
        "An appointment is booked",
        Narrowing::None,
        "appointment",
    ),
    event(
        "appointment_rescheduled",
        "An appointment is moved",
        Narrowing::None,
        "appointment, previous_start_time",
    ),
    event(
        "appointment_status",
        "An appointment's status changes",
        Narrowing::AppointmentStatus,
        "appointment, status, previous_status",
    ),
];

/// HighLevel's appointment statuses a trigger can wait for, with labels.
pub const APPOINTMENT_STATUSES: [(&str, &str); 5] = [
    ("confirmed", "Confirmed"),
    ("showed", "Showed"),
    ("noshow", "No-show"),
    ("cancelled", "Cancelled"),
    ("invalid", "Invalid"),
];

pub fn find(key: &str) -> Option<HighLevelEvent> {
    EVENTS.into_iter().find(|event| event.key == key)
}

/// The trigger in plain words, e.g. "A tag is added to a contact: vip".
pub fn describe(key: &str, value: &str) -> String {
    let label = find(key).map_or(key, |event| event.label);
    if value.is_empty() {
        label.to_owned()
    } else {
        format!("{label}: {value}")
    }
}

/// The data a run of `event` would read, built from the newest matching
/// record of the team's cache the way the cache's triggers build it: what
/// "Test with the sample" runs on. None when the cache holds none.
#[cfg(feature = "ssr")]
pub async fn sample(
    db: &sqlx::PgPool,
    location_id: &str,
    event: &str,
    value: &str,
) -> sqlx::Result<Option<serde_json::Value>> {
    let Some(found) = find(event) else {
        return Ok(None);
    };
    let family = found.key.split('_').next().unwrap_or_default();
    let sql = match family {
        "contact" | "tag" => {
            r"SELECT jsonb_build_object('event', $2::text, 'contact', automations_contact_json(c))
                 || CASE WHEN $2 LIKE 'tag_%' THEN jsonb_build_object('tag', COALESCE(NULLIF($3, ''), c.tags[1], 'member'))
                         WHEN $2 = 'contact_updated' THEN jsonb_build_object('changed', jsonb_build_array('email'))
                         ELSE '{}' END
               FROM cache_contacts c WHERE c.location_id = $1 AND c.deleted_at IS NULL
              ORDER BY c.date_added DESC NULLS LAST LIMIT 1"
        }
        "task" | "note" => {
            r"SELECT jsonb_build_object('event', $2::text, split_part($2, '_', 1), automations_row_json(r.row),
                                        'contact', automations_contact_of($1, r.row->>'contact_id'))
               FROM (SELECT to_jsonb(t) AS row, t.date_added FROM cache_tasks t
                      WHERE $2 LIKE 'task_%' AND t.location_id = $1 AND t.deleted_at IS NULL
                     UNION ALL
                     SELECT to_jsonb(n), n.date_added FROM cache_notes n
                      WHERE $2 LIKE 'note_%' AND n.location_id = $1 AND n.deleted_at IS NULL) r
              ORDER BY r.date_added DESC NULLS LAST LIMIT 1"
        }
        _ => {
            r"SELECT jsonb_build_object('event', $2::text, 'appointment', automations_row_json(to_jsonb(a)),
                                        'contact', automations_contact_of($1, a.contact_id))
                 || CASE WHEN $2 = 'appointment_status'
                         THEN jsonb_build_object('status', COALESCE(NULLIF($3, ''), a.status), 'previous_status', 'new')
                         ELSE '{}' END
               FROM cache_appointments a WHERE a.location_id = $1 AND a.deleted_at IS NULL
              ORDER BY a.date_added DESC NULLS LAST LIMIT 1"
        }
    };
    sqlx::query_scalar(sql)
        .bind(location_id)
        .bind(found.key)
        .bind(value)
        .fetch_optional(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = EVENTS.iter().map(|event| event.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), EVENTS.len());
    }

    #[test]
    fn description_names_the_narrowing() {
        assert_eq!(
            describe("tag_added", "vip"),
            "A tag is added to a contact: vip"
        );
        assert_eq!(describe("task_completed", ""), "A task is completed");
    }
}
