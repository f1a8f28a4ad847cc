//! Fake people, ids, phones and dates for the simulated apps, written the way
//! each app's country writes them.

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::seed::{pick, FIRST_NAMES, LAST_NAMES};

const LETTERS_AND_DIGITS: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz0123456789";

/// The random source and clock of one batch of events.
pub struct Fake {
    pub rng: ChaCha8Rng,
    pub now: DateTime<Utc>,
}

/// Someone a simulated app knows about.
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// An address at `domain`, unique enough for a demo.
    pub fn email(&self, fake: &mut Fake, domain: &str) -> String {
        format!(
            "{}.{}{}@{domain}",
            self.first.to_lowercase(),
            self.last.to_lowercase(),
            fake.rng.gen_range(1..1000)
        )
    }
}

impl Fake {
    pub fn person(&mut self) -> Person {
        Person {
            first: pick(&mut self.rng, &FIRST_NAMES),
            last: pick(&mut self.rng, &LAST_NAMES),
        }
    }

    /// One of `items`, which are never empty.
    pub fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        items.choose(&mut self.rng).copied().unwrap_or_default()
    }

    /// A position in a list of `len` items.
    pub fn index(&mut self, len: usize) -> usize {
        self.rng.gen_range(0..len.max(1))
    }

    /// One to `most` different items of `items`.
    pub fn some<'a>(&mut self, items: &[&'a str], most: usize) -> Vec<&'a str> {
        let count = self.rng.gen_range(1..=most.clamp(1, items.len().max(1)));
        items
            .choose_multiple(&mut self.rng, count)
            .copied()
            .collect()
    }

    pub fn number(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.rng.gen_range(range)
    }

    /// `prefix` and `length` letters and digits, as ids of many APIs look.
    pub fn token(&mut self, prefix: &str, length: usize) -> String {
        let body: String = (0..length)
            .map(|_| {
                let index = self.rng.gen_range(0..LETTERS_AND_DIGITS.len());
                char::from(LETTERS_AND_DIGITS[index])
            })
            .collect();
        format!("{prefix}{body}")
    }

    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.gen())
            .into_uuid()
            .to_string()
    }

    /// An Australian mobile: `0412 345 678`, from 0400 to 0439, where every
    /// number is a mobile a phone library accepts.
    pub fn au_mobile(&mut self) -> String {
        format!(
            "04{:02} {:03} {:03}",
            self.rng.gen_range(0..40),
            self.rng.gen_range(0..1000),
            self.rng.gen_range(0..1000)
        )
    }

    /// A US number in the range kept for fiction: `(512) 555-0142`.
    pub fn us_phone(&mut self, area: &str) -> String {
        format!("({area}) 555-01{:02}", self.rng.gen_range(0..100))
    }

    /// A UK mobile in the range libphonenumber gives as its example: `07400 123456`.
    pub fn uk_mobile(&mut self) -> String {
        format!("07400 123{:03}", self.rng.gen_range(0..1000))
    }

    /// A number in international form from one of a few countries.
    pub fn international_phone(&mut self) -> String {
        let n = |fake: &mut Fake, digits: u32| fake.rng.gen_range(0..10u64.pow(digits));
        match self.rng.gen_range(0..4) {
            0 => format!("+31 6 1{:07}", n(self, 7)),
            1 => format!("+971 50 {:03} {:04}", n(self, 3), n(self, 4)),
            2 => format!("+44 7400 123{:03}", n(self, 3)),
            _ => format!("+1 512 555 01{:02}", n(self, 2)),
        }
    }

    /// A birthday of an adult member.
    pub fn birth_date(&mut self) -> NaiveDate {
        let today = self.now.date_naive();
        today - Duration::days(self.rng.gen_range(18 * 365..70 * 365))
    }

    /// A day within the next two weeks.
    pub fn due_date(&mut self) -> DateTime<Utc> {
        self.now + Duration::days(self.rng.gen_range(1..15))
    }

    /// A moment in the last hour.
    pub fn recently(&mut self) -> DateTime<Utc> {
        self.now - Duration::seconds(self.rng.gen_range(0..3600))
    }
}

/// `2026-05-14T19:12:44+10:00`: Australian Eastern Standard Time.
pub fn aest(time: DateTime<Utc>) -> String {
    (time + Duration::hours(10))
        .format("%Y-%m-%dT%H:%M:%S+10:00")
        .to_string()
}

/// `2026-05-14T09:12:44Z`.
pub fn iso_seconds(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2026-05-14T09:12:44.512Z`.
pub fn iso_millis(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}
