//! When a schedule ticks, on a team's wall clock: the first tick after a
//! moment, the last one at or before it, and the next few for the builder
//! to show. Ticks are whole minutes. Where the clocks skip an hour in
//! spring, a daily or weekly time inside the skipped hour ticks an hour
//! later; where they repeat an hour in autumn, it ticks the first time
//! only (as [`TeamZone::at`] reads wall-clock times). Cron expressions are
//! stepped through by `croner` on the zone's own rules.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;

use super::model::{ClockTime, Schedule};
use crate::zone::TeamZone;

/// A cron expression of five fields (no seconds, no years), as schedules
/// read them.
pub fn cron(expression: &str) -> Result<Cron, croner::errors::CronError> {
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expression)
}

/// What is wrong with a cron expression, in plain words; `None` when it
/// reads and ticks at least once in the years ahead.
pub fn cron_problem(expression: &str) -> Option<String> {
    match cron(expression) {
        Err(error) => Some(format!(
            "Not a cron expression: {error}. It has five fields: minute, hour, day of the month, month and day of the week, such as 0 9 * * 1-5."
        )),
        Ok(cron) => cron.find_next_occurrence(&Utc::now(), false).is_err().then(|| {
            "This cron expression never comes round (a 30 February?): check its day and month."
                .to_owned()
        }),
    }
}

/// The first tick strictly after `after`; `None` for a cron expression that
/// never comes round.
pub fn next_after(
    schedule: &Schedule,
    zone: TeamZone,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match schedule {
        Schedule::EveryMinutes { minutes } => {
            let start = whole_minute(after) + Duration::minutes(1);
            minutes_from(start, *minutes, zone, 1)
        }
        Schedule::Daily { at } => on_days(zone, after, *at, |_| true, 1),
        Schedule::Weekly { days, at } => {
            on_days(zone, after, *at, |date| days.contains(&date.weekday()), 1)
        }
        Schedule::Cron { expression } => {
            let local = after.with_timezone(&zone.rules());
            let next = cron(expression)
                .ok()?
                .find_next_occurrence(&local, false)
                .ok()?;
            Some(next.with_timezone(&Utc))
        }
    }
}

/// The last tick at or before `until`: the one due at `until`.
pub fn latest_until(
    schedule: &Schedule,
    zone: TeamZone,
    until: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match schedule {
        Schedule::EveryMinutes { minutes } => minutes_from(whole_minute(until), *minutes, zone, -1),
        Schedule::Daily { at } => on_days(zone, until, *at, |_| true, -1),
        Schedule::Weekly { days, at } => {
            on_days(zone, until, *at, |date| days.contains(&date.weekday()), -1)
        }
        Schedule::Cron { expression } => {
            let local = until.with_timezone(&zone.rules());
            let latest = cron(expression)
                .ok()?
                .find_previous_occurrence(&local, true)
                .ok()?;
            Some(latest.with_timezone(&Utc))
        }
    }
}

/// The next `count` ticks after `after`.
pub fn upcoming(
    schedule: &Schedule,
    zone: TeamZone,
    after: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let mut ticks = Vec::with_capacity(count);
    let mut from = after;
    while ticks.len() < count {
        let Some(tick) = next_after(schedule, zone, from) else {
            break;
        };
        ticks.push(tick);
        from = tick;
    }
    ticks
}

fn whole_minute(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp().div_euclid(60) * 60;
    DateTime::from_timestamp(seconds, 0).unwrap_or(at)
}

/// The first minute from `start` on (`step` 1) or back (`step` -1) whose
/// time on the team's clock is a multiple of `every` minutes, counted
/// across days, so that every 7 minutes stays 7 minutes apart at midnight.
/// At most a day is searched: a multiple of 15 minutes or less comes round
/// within the hour of a change of the clocks.
fn minutes_from(
    start: DateTime<Utc>,
    every: u8,
    zone: TeamZone,
    step: i64,
) -> Option<DateTime<Utc>> {
    let every = i64::from(every.max(1));
    let rules = zone.rules();
    (0..24 * 60)
        .map(|n| start + Duration::minutes(n * step))
        .find(|minute| {
            let offset = rules
                .offset_from_utc_datetime(&minute.naive_utc())
                .fix()
                .local_minus_utc();
            let local = minute.timestamp() + i64::from(offset);
            local.div_euclid(60).rem_euclid(every) == 0
        })
}

/// The first moment after `from` (`step` 1), or the last at or before it
/// (`step` -1), at which the team's clock shows `at` on a day that `fits`.
/// A week and a day of days is enough for any set of weekdays.
fn on_days(
    zone: TeamZone,
    from: DateTime<Utc>,
    at: ClockTime,
    fits: impl Fn(NaiveDate) -> bool,
    step: i64,
) -> Option<DateTime<Utc>> {
    let time = NaiveTime::from_hms_opt(at.hour(), at.minute(), 0)?;
    // A day's time may land on the next day where the skipped hour is
    // the last of a day: start a day early.
    let first = zone.date(from) - Duration::days(step);
    (0..=9)
        .map(|n| first + Duration::days(n * step))
        .filter(|date| fits(*date))
        .map(|date| zone.at(date.and_time(time)))
        .find(|tick| {
            if step > 0 {
                *tick > from
            } else {
                *tick <= from
            }
        })
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;

    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(text: &str) -> ClockTime {
        ClockTime::parse(text).unwrap()
    }

    fn sydney() -> TeamZone {
        TeamZone::named("Australia/Sydney")
    }

    /// The ticks after `after`, on the zone's clock with its offset.
    fn next(schedule: &Schedule, zone: TeamZone, after: &str, count: usize) -> Vec<String> {
        upcoming(schedule, zone, utc(after), count)
            .into_iter()
            .map(|tick| zone.rfc3339(tick))
            .collect()
    }

    #[test]
    fn every_few_minutes_ticks_on_the_clock() {
        let every = Schedule::EveryMinutes { minutes: 15 };
        assert_eq!(
            next(&every, sydney(), "2026-12-04T09:07:30+11:00", 3),
            [
                "2026-12-04T09:15:00+11:00",
                "2026-12-04T09:30:00+11:00",
                "2026-12-04T09:45:00+11:00"
            ]
        );
        // Nepal's clock is 5:45 ahead of UTC: still on its quarter hours.
        let kathmandu = TeamZone::named("Asia/Kathmandu");
        assert_eq!(
            next(&every, kathmandu, "2026-12-04T09:01:00+05:45", 1),
            ["2026-12-04T09:15:00+05:45"]
        );
        let minute = Schedule::EveryMinutes { minutes: 1 };
        assert_eq!(
            next(&minute, sydney(), "2026-12-04T09:00:00+11:00", 2),
            ["2026-12-04T09:01:00+11:00", "2026-12-04T09:02:00+11:00"]
        );
        // A tick is due at its own minute, and stays the latest until the next.
        let due = latest_until(&every, sydney(), utc("2026-12-04T09:29:59+11:00")).unwrap();
        assert_eq!(sydney().rfc3339(due), "2026-12-04T09:15:00+11:00");
        let due = latest_until(&every, sydney(), utc("2026-12-04T09:30:00+11:00")).unwrap();
        assert_eq!(sydney().rfc3339(due), "2026-12-04T09:30:00+11:00");
    }

    #[test]
    fn every_seven_minutes_stays_seven_minutes_apart_across_midnight() {
        let every = Schedule::EveryMinutes { minutes: 7 };
        let ticks = upcoming(&every, sydney(), utc("2026-12-04T23:30:00+11:00"), 10);
        for pair in ticks.windows(2) {
            assert_eq!(pair[1] - pair[0], Duration::minutes(7));
        }
    }

    #[test]
    fn a_daily_time_follows_sydney_into_and_out_of_summer_time() {
        let daily = Schedule::Daily { at: at("09:00") };
        // Summer time starts on 4 October 2026 at 02:00 (+10 → +11) and
        // ends on 5 April 2026 at 03:00 (+11 → +10): 9:00 stays 9:00.
        assert_eq!(
            next(&daily, sydney(), "2026-10-03T10:00:00+10:00", 2),
            ["2026-10-04T09:00:00+11:00", "2026-10-05T09:00:00+11:00"]
        );
        assert_eq!(
            next(&daily, sydney(), "2026-04-04T10:00:00+11:00", 1),
            ["2026-04-05T09:00:00+10:00"]
        );
        let ticks = upcoming(&daily, sydney(), utc("2026-10-03T10:00:00+10:00"), 1);
        // 23 hours apart from the day before, on the day the clocks skip.
        assert_eq!(
            ticks[0] - utc("2026-10-03T09:00:00+10:00"),
            Duration::hours(23)
        );
    }

    #[test]
    fn a_time_the_clocks_skip_or_repeat_ticks_once() {
        // 02:30 does not exist in Sydney on 4 October 2026: it ticks at
        // 03:30 that day.
        let skipped = Schedule::Daily { at: at("02:30") };
        assert_eq!(
            next(&skipped, sydney(), "2026-10-03T12:00:00+10:00", 2),
            ["2026-10-04T03:30:00+11:00", "2026-10-05T02:30:00+11:00"]
        );
        // 02:30 happens twice on 5 April 2026: the first one only.
        let repeated = Schedule::Daily { at: at("02:30") };
        assert_eq!(
            next(&repeated, sydney(), "2026-04-04T12:00:00+11:00", 2),
            ["2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00"]
        );
        let between = utc("2026-04-05T02:45:00+10:00");
        let due = latest_until(&repeated, sydney(), between).unwrap();
        assert_eq!(sydney().rfc3339(due), "2026-04-05T02:30:00+11:00");
    }

    #[test]
    fn every_few_minutes_keeps_its_pace_when_the_clocks_change() {
        let every = Schedule::EveryMinutes { minutes: 15 };
        // 02:00 becomes 03:00 on 4 October 2026.
        assert_eq!(
            next(&every, sydney(), "2026-10-04T01:40:00+10:00", 3),
            [
                "2026-10-04T01:45:00+10:00",
                "2026-10-04T03:00:00+11:00",
                "2026-10-04T03:15:00+11:00"
            ]
        );
        // 03:00 becomes 02:00 on 5 April 2026: the repeated hour ticks in both.
        assert_eq!(
            next(&every, sydney(), "2026-04-05T02:40:00+11:00", 3),
            [
                "2026-04-05T02:45:00+11:00",
                "2026-04-05T02:00:00+10:00",
                "2026-04-05T02:15:00+10:00"
            ]
        );
    }

    #[test]
    fn weekly_ticks_on_its_days_only() {
        let weekly = Schedule::Weekly {
            days: vec![Weekday::Mon, Weekday::Thu],
            at: at("18:30"),
        };
        // 4 December 2026 is a Friday.
        assert_eq!(
            next(&weekly, sydney(), "2026-12-04T12:00:00+11:00", 3),
            [
                "2026-12-07T18:30:00+11:00",
                "2026-12-10T18:30:00+11:00",
                "2026-12-14T18:30:00+11:00"
            ]
        );
        let due = latest_until(&weekly, sydney(), utc("2026-12-07T18:29:00+11:00")).unwrap();
        assert_eq!(sydney().rfc3339(due), "2026-12-03T18:30:00+11:00");
    }

    #[test]
    fn cron_is_read_in_the_team_zone_across_a_change_of_the_clocks() {
        let weekdays = Schedule::Cron {
            expression: "0 9 * * 1-5".into(),
        };
        // Friday 2 October, then Monday 5 October after the clocks moved.
        assert_eq!(
            next(&weekdays, sydney(), "2026-10-02T08:00:00+10:00", 2),
            ["2026-10-02T09:00:00+10:00", "2026-10-05T09:00:00+11:00"]
        );
        let due = latest_until(&weekdays, sydney(), utc("2026-10-04T12:00:00+11:00")).unwrap();
        assert_eq!(sydney().rfc3339(due), "2026-10-02T09:00:00+10:00");
        let chicago = TeamZone::named("America/Chicago");
        let half_hours = Schedule::Cron {
            expression: "*/30 8-9 * * *".into(),
        };
        assert_eq!(
            next(&half_hours, chicago, "2026-12-04T09:10:00-06:00", 3),
            [
                "2026-12-04T09:30:00-06:00",
                "2026-12-05T08:00:00-06:00",
                "2026-12-05T08:30:00-06:00"
            ]
        );
    }

    #[test]
    fn cron_expressions_are_five_fields_that_come_round() {
        assert_eq!(cron_problem("0 9 * * 1-5"), None);
        assert_eq!(cron_problem("@daily"), None);
        for wrong in [
            "0 9 * *",
            "0 0 9 * * 1-5",
            "61 * * * *",
            "every day",
            "0 0 30 2 *",
        ] {
            assert!(cron_problem(wrong).is_some(), "{wrong}");
        }
    }

    #[test]
    fn the_latest_tick_is_the_one_before_the_next() {
        let zone = sydney();
        let schedules = [
            Schedule::EveryMinutes { minutes: 7 },
            Schedule::Daily { at: at("02:30") },
            Schedule::Weekly {
                days: vec![Weekday::Sun],
                at: at("02:30"),
            },
            Schedule::Cron {
                expression: "30 2 * * *".into(),
            },
        ];
        // Around both changes of the clocks, at odd moments.
        let starts = ["2026-04-03T00:00:00+11:00", "2026-10-02T00:00:00+10:00"];
        for schedule in &schedules {
            for start in starts {
                let mut moment = utc(start);
                for _ in 0..200 {
                    moment += Duration::seconds(3_607);
                    let latest = latest_until(schedule, zone, moment).unwrap();
                    let next = next_after(schedule, zone, latest).unwrap();
                    assert!(
                        latest <= moment && next > moment,
                        "{schedule:?} at {moment}"
                    );
                }
            }
        }
    }
}
