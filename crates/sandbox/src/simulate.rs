//! Simulated change: what staff and members would do in HighLevel itself,
//! applied through the same mutations as the API so the same webhooks fire.

use chrono::Utc;
use rand::seq::IteratorRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{json, Map};

use super::contacts::delete_contact;
use super::errors::{ApiError, ApiResult};
use super::events::{self, Event};
use super::notes::{add_note, delete_note, update_note};
use super::seed::{pick, seed_appointment, seed_contact, seed_note, seed_task};
use super::store::LocationData;
use super::tasks::{add_task, delete_task, update_task};
use super::Sandbox;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    Contacts,
    Tasks,
    Notes,
    Appointments,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// The body of `POST /_sandbox/simulate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulateRequest {
    pub entity: Entity,
    pub action: Action,
    pub count: usize,
    /// The first demo location when absent.
    pub location_id: Option<String>,
    /// Changes per second; all at once when absent.
    pub per_second: Option<f64>,
}

impl Sandbox {
    /// Applies one simulated change; the id of what changed, or None when
    /// there was nothing to change.
    pub(super) fn simulate_one(
        &self,
        location_id: &str,
        entity: Entity,
        action: Action,
        rng: &mut ChaCha8Rng,
    ) -> ApiResult<Option<String>> {
        self.change(location_id, |location| {
            let outcome = match entity {
                Entity::Contacts => change_contact(location, action, rng),
                Entity::Tasks => change_task(location, action, rng)?,
                Entity::Notes => change_note(location, action, rng)?,
                Entity::Appointments => change_appointment(location, action, rng),
            };
            Ok(outcome.map_or((None, Vec::new()), |(id, events)| (Some(id), events)))
        })
    }

    /// The location a simulation runs on.
    pub(super) fn simulation_location(&self, requested: Option<&str>) -> ApiResult<String> {
        let store = self.shared.store.read();
        match requested {
            Some(id) if store.locations.contains_key(id) => Ok(id.to_owned()),
            Some(_) => Err(ApiError::NotFound("Unknown location".into())),
            None => store
                .order
                .first()
                .cloned()
                .ok_or_else(|| ApiError::NotFound("No location".into())),
        }
    }
}

pub fn new_rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(rand::random())
}

type Outcome = Option<(String, Vec<Event>)>;

fn random_contact_id(location: &LocationData, rng: &mut ChaCha8Rng) -> Option<String> {
    location.contacts.keys().choose(rng).cloned()
}

fn change_contact(location: &mut LocationData, action: Action, rng: &mut ChaCha8Rng) -> Outcome {
    match action {
        Action::Create => {
            let serial = location.contacts.len() + rng.gen_range(100_000..1_000_000);
            let mut contact = seed_contact(rng, location, serial, Utc::now());
            contact.date_added = Utc::now();
            contact.date_updated = contact.date_added;
            let event = events::contact("ContactCreate", &contact);
            let id = contact.id.clone();
            location.contacts.insert(id.clone(), contact);
            Some((id, vec![event]))
        }
        Action::Update => {
            let id = random_contact_id(location, rng)?;
            let contact = location.contacts.get_mut(&id)?;
            contact.source = Some(pick(rng, &["walk-in", "referral", "website form"]).into());
            contact.date_updated = Utc::now();
            let mut emitted = vec![events::contact("ContactUpdate", contact)];
            let tag = pick(rng, &["vip", "newsletter", "yoga", "swim"]).to_owned();
            if !contact.tags.contains(&tag) {
                contact.tags.push(tag);
                emitted.push(events::contact("ContactTagUpdate", contact));
            }
            Some((id, emitted))
        }
        Action::Delete => {
            let id = random_contact_id(location, rng)?;
            let emitted = delete_contact(location, &id);
            Some((id, emitted))
        }
    }
}

fn change_task(
    location: &mut LocationData,
    action: Action,
    rng: &mut ChaCha8Rng,
) -> ApiResult<Outcome> {
    match action {
        Action::Create => {
            let Some(id) = random_contact_id(location, rng) else {
                return Ok(None);
            };
            let Some(contact) = location.contacts.get(&id) else {
                return Ok(None);
            };
            let mut task = seed_task(rng, contact, &location.users, Utc::now());
            task.date_added = Utc::now();
            task.completed = false;
            let task_id = task.id.clone();
            let (_, emitted) = add_task(location, task)?;
            Ok(Some((task_id, emitted)))
        }
        Action::Update => {
            let Some((contact_id, task_id)) = pick_task(location, rng, true) else {
                return Ok(None);
            };
            let mut body = Map::new();
            body.insert("completed".into(), json!(true));
            let (_, emitted) = update_task(location, &contact_id, &task_id, &body)?;
            Ok(Some((task_id, emitted)))
        }
        Action::Delete => {
            let Some((contact_id, task_id)) = pick_task(location, rng, false) else {
                return Ok(None);
            };
            let emitted = delete_task(location, &contact_id, &task_id)?;
            Ok(Some((task_id, emitted)))
        }
    }
}

/// A random task as `(contact id, task id)`; open ones only if asked.
fn pick_task(
    location: &LocationData,
    rng: &mut ChaCha8Rng,
    open_only: bool,
) -> Option<(String, String)> {
    location
        .contacts
        .values()
        .flat_map(|contact| contact.tasks.iter())
        .filter(|task| !open_only || !task.completed)
        .choose(rng)
        .map(|task| (task.contact_id.clone(), task.id.clone()))
}

fn change_note(
    location: &mut LocationData,
    action: Action,
    rng: &mut ChaCha8Rng,
) -> ApiResult<Outcome> {
    if action == Action::Create {
        let Some(id) = random_contact_id(location, rng) else {
            return Ok(None);
        };
        let Some(contact) = location.contacts.get(&id) else {
            return Ok(None);
        };
        let mut note = seed_note(rng, contact, &location.users, Utc::now());
        note.date_added = Utc::now();
        let note_id = note.id.clone();
        let (_, emitted) = add_note(location, note)?;
        return Ok(Some((note_id, emitted)));
    }
    let Some((contact_id, note_id)) = location
        .contacts
        .values()
        .flat_map(|contact| contact.notes.iter())
        .choose(rng)
        .map(|note| (note.contact_id.clone(), note.id.clone()))
    else {
        return Ok(None);
    };
    let emitted = if action == Action::Update {
        let mut body = Map::new();
        body.insert("body".into(), json!("Updated at the front desk."));
        update_note(location, &contact_id, &note_id, &body)?.1
    } else {
        delete_note(location, &contact_id, &note_id)?
    };
    Ok(Some((note_id, emitted)))
}

fn change_appointment(
    location: &mut LocationData,
    action: Action,
    rng: &mut ChaCha8Rng,
) -> Outcome {
    match action {
        Action::Create => {
            let id = random_contact_id(location, rng)?;
            let contact = location.contacts.get(&id)?;
            let mut appointment = seed_appointment(rng, location, contact, Utc::now())?;
            appointment.date_added = Utc::now();
            appointment.date_updated = appointment.date_added;
            let event = events::appointment("AppointmentCreate", &appointment);
            let appointment_id = appointment.id.clone();
            location
                .appointments
                .insert(appointment_id.clone(), appointment);
            Some((appointment_id, vec![event]))
        }
        Action::Update => {
            let id = location.appointments.keys().choose(rng).cloned()?;
            let appointment = location.appointments.get_mut(&id)?;
            appointment.status = pick(rng, &["confirmed", "showed", "noshow", "cancelled"]).into();
            appointment.date_updated = Utc::now();
            Some((
                id,
                vec![events::appointment("AppointmentUpdate", appointment)],
            ))
        }
        Action::Delete => {
            let id = location.appointments.keys().choose(rng).cloned()?;
            let appointment = location.appointments.remove(&id)?;
            Some((
                id,
                vec![events::appointment("AppointmentDelete", &appointment)],
            ))
        }
    }
}
