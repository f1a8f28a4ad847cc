//! Simulated apps: stand-ins for the apps a gym connects to Switchboard
//! (Clubworx, Club OS, GymFlow, ConvertCalculator, Workiom, and any app that
//! posts webhooks). On request each sends realistic events, signed as told,
//! to a URL; each also keeps an inbox for what Switchboard sends it.
//!
//! The real apps do not publish their payloads; these are our assumptions,
//! the same ones Switchboard's templates describe.

mod club_os;
mod clubworx;
mod convertcalculator;
mod fake;
mod generic;
mod gymflow;
mod inbox;
mod page;
mod send;
mod signature;
mod workiom;

use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

pub use inbox::Inboxes;

use self::fake::Fake;
use self::signature::{Convention, Encoding, Mode};
use super::errors::{ApiError, ApiResult};
use super::Sandbox;

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/apps", get(list))
        .route("/_sandbox/apps/{app}", get(page::page))
        .route("/_sandbox/apps/{app}/send", post(send::send))
        .route(
            "/_sandbox/apps/{app}/inbox",
            post(inbox::receive).get(inbox::list).delete(inbox::clear),
        )
        .route("/_sandbox/apps/{app}/inbox/{*rest}", post(inbox::receive))
        .route("/_sandbox/apps/{app}/inbox-secret", put(inbox::set_secret))
        .route("/_sandbox/apps/{app}/inbox-answer", put(inbox::set_answer))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum App {
    Clubworx,
    ClubOs,
    GymFlow,
    ConvertCalculator,
    Workiom,
    Generic,
}

/// Where an app puts the type of an event.
pub enum TypePlace {
    BodyField(&'static str),
    Header(&'static str),
}

impl App {
    const ALL: [App; 6] = [
        App::Clubworx,
        App::ClubOs,
        App::GymFlow,
        App::ConvertCalculator,
        App::Workiom,
        App::Generic,
    ];

    pub fn key(self) -> &'static str {
        match self {
            App::Clubworx => "clubworx",
            App::ClubOs => "club_os",
            App::GymFlow => "gymflow",
            App::ConvertCalculator => "convertcalculator",
            App::Workiom => "workiom",
            App::Generic => "generic",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            App::Clubworx => "Clubworx",
            App::ClubOs => "Club OS",
            App::GymFlow => "GymFlow",
            App::ConvertCalculator => "ConvertCalculator",
            App::Workiom => "Workiom",
            App::Generic => "Any app (webhooks)",
        }
    }

    /// The app named in a path; 400 for any other name.
    pub fn parse(key: &str) -> ApiResult<App> {
        App::ALL
            .into_iter()
            .find(|app| app.key() == key)
            .ok_or_else(|| {
                let known: Vec<&str> = App::ALL.iter().map(|app| app.key()).collect();
                ApiError::BadRequest(format!(
                    "Unknown app \"{key}\"; the simulated apps are {}",
                    known.join(", ")
                ))
            })
    }

    /// The event types it sends, the most common first.
    pub fn events(self) -> &'static [&'static str] {
        match self {
            App::Clubworx => clubworx::EVENTS,
            App::ClubOs => club_os::EVENTS,
            App::GymFlow => gymflow::EVENTS,
            App::ConvertCalculator => convertcalculator::EVENTS,
            App::Workiom => workiom::EVENTS,
            App::Generic => generic::EVENTS,
        }
    }

    pub fn type_place(self) -> TypePlace {
        match self {
            App::Clubworx | App::ConvertCalculator => TypePlace::BodyField("event"),
            App::ClubOs => TypePlace::Header(club_os::EVENT_HEADER),
            App::GymFlow | App::Generic => TypePlace::BodyField("type"),
            App::Workiom => TypePlace::BodyField("eventType"),
        }
    }

    pub fn signing(self) -> Convention {
        let hmac = |header, encoding, prefix| Convention {
            mode: Mode::HmacSha256,
            header,
            encoding,
            prefix,
        };
        let secret = |header| Convention {
            mode: Mode::SecretHeader,
            header,
            encoding: Encoding::Hex,
            prefix: "",
        };
        match self {
            App::Clubworx => hmac("X-Clubworx-Signature", Encoding::Hex, ""),
            App::ClubOs => secret("X-ClubOS-Secret"),
            App::GymFlow => hmac("X-GymFlow-Signature", Encoding::Hex, "sha256="),
            App::ConvertCalculator => hmac("X-CC-Signature", Encoding::Base64, ""),
            App::Workiom => secret("X-Workiom-Token"),
            App::Generic => hmac("X-Signature", Encoding::Hex, "sha256="),
        }
    }

    /// A new event body of type `event`; None for a type the app lacks.
    fn body(self, event: &str, fake: &mut Fake) -> Option<Value> {
        match self {
            App::Clubworx => clubworx::body(event, fake),
            App::ClubOs => club_os::body(event, fake),
            App::GymFlow => gymflow::body(event, fake),
            App::ConvertCalculator => convertcalculator::body(event, fake),
            App::Workiom => workiom::body(event, fake),
            App::Generic => generic::body(event, fake),
        }
    }
}

/// Every simulated app, what it sends and where the event type is.
async fn list() -> Json<Value> {
    let apps: Vec<Value> = App::ALL
        .iter()
        .map(|app| {
            let place = match app.type_place() {
                TypePlace::BodyField(path) => json!({"bodyField": path}),
                TypePlace::Header(name) => json!({"header": name}),
            };
            json!({
                "key": app.key(),
                "name": app.name(),
                "eventTypes": app.events(),
                "eventTypeIn": place,
            })
        })
        .collect();
    Json(Value::Array(apps))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn every_event_type_makes_a_body_and_no_other_does() {
        let mut fake = Fake {
            rng: rand_chacha::ChaCha8Rng::seed_from_u64(1),
            now: chrono::Utc::now(),
        };
        for app in App::ALL {
            for event in app.events() {
                let body = app.body(event, &mut fake);
                assert!(body.is_some_and(|body| body.is_object()), "{app:?} {event}");
            }
            assert!(app.body("nothing.happened", &mut fake).is_none());
        }
    }
}
