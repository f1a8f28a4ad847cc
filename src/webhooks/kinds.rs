//! The event types the intake knows, and what each does to the cache.

/// What an event type means for the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A contact document. `partial` when HighLevel may send only the fields
    /// that changed ("specific fields … updated"): it is merged over the cached one.
    Contact {
        partial: bool,
    },
    ContactDelete,
    /// A task document; `completes` for TaskComplete, whose payload has no
    /// `completed` field.
    Task {
        completes: bool,
    },
    TaskDelete,
    Note,
    NoteDelete,
    /// An appointment, nested under `appointment`.
    Appointment,
    AppointmentDelete,
    /// INSTALL and UNINSTALL: the app's own lifecycle, nothing to cache.
    AppLifecycle,
}

impl Kind {
    /// The kind of a `type` field; `None` for a type the intake does not know.
    pub fn of(event_type: &str) -> Option<Self> {
        Some(match event_type {
            "ContactCreate" => Kind::Contact { partial: false },
            "ContactUpdate" | "ContactDndUpdate" | "ContactTagUpdate" => {
                Kind::Contact { partial: true }
            }
            "ContactDelete" => Kind::ContactDelete,
            "TaskCreate" => Kind::Task { completes: false },
            "TaskComplete" => Kind::Task { completes: true },
            "TaskDelete" => Kind::TaskDelete,
            "NoteCreate" | "NoteUpdate" => Kind::Note,
            "NoteDelete" => Kind::NoteDelete,
            "AppointmentCreate" | "AppointmentUpdate" => Kind::Appointment,
            "AppointmentDelete" => Kind::AppointmentDelete,
            "INSTALL" | "UNINSTALL" => Kind::AppLifecycle,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_cache_event_is_known() {
        for name in [
            "ContactCreate",
            "ContactUpdate",
            "ContactDelete",
            "ContactDndUpdate",
            "ContactTagUpdate",
            "TaskCreate",
            "TaskComplete",
            "TaskDelete",
            "NoteCreate",
            "NoteUpdate",
            "NoteDelete",
            "AppointmentCreate",
            "AppointmentUpdate",
            "AppointmentDelete",
        ] {
            assert!(Kind::of(name).is_some(), "{name}");
        }
        assert_eq!(Kind::of("OpportunityCreate"), None);
        assert_eq!(Kind::of("contactcreate"), None);
    }
}
