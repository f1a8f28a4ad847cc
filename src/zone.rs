//! A team's time zone: the one its HighLevel location is set to. Pages show
//! moments in it, read typed dates and times in it, and reports count days
//! and weeks in it, so a 6 pm class in Chicago is on Monday, not Tuesday.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TeamZone(Tz);

impl Default for TeamZone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl TeamZone {
    /// The zone an IANA name (`America/Chicago`) names; UTC when it names none.
    pub fn named(name: &str) -> Self {
        name.trim().parse().map(Self).unwrap_or_default()
    }

    /// The zone of the team of `location_id`; UTC for a team not seen yet.
    pub async fn of_team(db: &PgPool, location_id: &str) -> sqlx::Result<Self> {
        let name: Option<String> =
            sqlx::query_scalar("SELECT time_zone FROM teams WHERE location_id = $1")
                .bind(location_id)
                .fetch_optional(db)
                .await?;
        Ok(name.as_deref().map(Self::named).unwrap_or_default())
    }

    /// The IANA name, e.g. `America/Chicago`. Only ever a name from the time
    /// zone database, so it is safe to spell inside SQL.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// A moment as pages show it: `2026-11-24 17:34 CST`.
    pub fn moment(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// A moment a few days off, with its weekday: `Tue 24 Nov 2026 09:00 CST`.
    pub fn day_and_time(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%a %-d %b %Y %H:%M %Z")
            .to_string()
    }

    /// A moment as data carries it, with the zone's offset:
    /// `2026-11-24T17:34:00-06:00`.
    pub fn rfc3339(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// The zone's rules, for stepping through its wall clock.
    pub fn rules(self) -> Tz {
        self.0
    }

    /// A moment to the second, for logs of events: `2026-11-24 17:34:05 CST`.
    pub fn to_the_second(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string()
    }

    /// The zone's short name at a moment: `CST` in winter, `CDT` in summer.
    pub fn abbreviation(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%Z").to_string()
    }

    /// The wall-clock time of a moment: `17:34`.
    pub fn clock(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%H:%M").to_string()
    }

    /// The team's calendar day a moment falls on.
    pub fn date(self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }

    /// A moment as a `datetime-local` input shows it: `2026-11-24T17:34`.
    pub fn input_value(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// The moment a wall-clock time names. In the hour clocks skip in spring
    /// it is taken an hour later; in the hour they repeat in autumn, the
    /// first time.
    pub fn at(self, local: NaiveDateTime) -> DateTime<Utc> {
        [local, local + Duration::hours(1)]
            .into_iter()
            .find_map(|wall| self.0.from_local_datetime(&wall).earliest())
            .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc))
    }

    /// When the team's day `date` begins.
    pub fn midnight(self, date: NaiveDate) -> DateTime<Utc> {
        self.at(date.and_time(chrono::NaiveTime::MIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn wall(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn unknown_names_are_utc() {
        assert_eq!(TeamZone::named("Mars/Olympus").name(), "UTC");
        assert_eq!(TeamZone::named("").name(), "UTC");
        assert_eq!(
            TeamZone::named(" America/Chicago ").name(),
            "America/Chicago"
        );
    }

    #[test]
    fn an_evening_in_chicago_is_the_same_day_there() {
        let chicago = TeamZone::named("America/Chicago");
        let class = utc("2026-11-24T00:30:00Z");
        assert_eq!(chicago.date(class).to_string(), "2026-11-23");
        assert_eq!(chicago.moment(class), "2026-11-23 18:30 CST");
        assert_eq!(chicago.to_the_second(class), "2026-11-23 18:30:00 CST");
        assert_eq!(chicago.clock(class), "18:30");
        assert_eq!(chicago.abbreviation(class), "CST");
        assert_eq!(chicago.input_value(class), "2026-11-23T18:30");
        assert_eq!(chicago.rfc3339(class), "2026-11-23T18:30:00-06:00");
        assert_eq!(chicago.at(wall("2026-11-23T18:30")), class);
    }

    #[test]
    fn skipped_and_repeated_hours_name_one_moment() {
        let chicago = TeamZone::named("America/Chicago");
        // 8 March 2026: 02:00 jumps to 03:00.
        assert_eq!(
            chicago.at(wall("2026-03-08T02:30")),
            utc("2026-03-08T08:30:00Z")
        );
        // 1 November 2026: 01:30 happens twice; the first is CDT.
        assert_eq!(
            chicago.at(wall("2026-11-01T01:30")),
            utc("2026-11-01T06:30:00Z")
        );
    }

    #[test]
    fn the_day_begins_at_local_midnight() {
        let sydney = TeamZone::named("Australia/Sydney");
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(sydney.midnight(day), utc("2026-11-24T13:00:00Z"));
    }
}
