//! The filters expressions can use: a few of minijinja's own, and those that
//! know the team: its country for phone numbers, its time zone for dates and
//! its lookup tables. Every filter turns nothing into nothing, so an event
//! without an optional field leaves the field empty instead of failing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::limits::MAX_TEXT;
use super::MappingContext;
use crate::workspace::phone::{self, PhoneProblem};
use crate::zone::TeamZone;

/// Every filter, for the message about one that does not exist.
pub(super) const NAMES: &str = "trim, lower, upper, title, capitalize, first_name, last_name, \
     e164, date, lookup, default, join, split, first, last, length, map";

/// Moments read when `date` is not told how they are written.
const ISO_FORMATS: [&str; 5] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
];

type Tables = BTreeMap<String, BTreeMap<String, String>>;

/// Adds the filters to an environment that has none.
pub(super) fn register(env: &mut Environment<'_>, context: &MappingContext) {
    env.add_filter("trim", minijinja::filters::trim);
    env.add_filter("lower", minijinja::filters::lower);
    env.add_filter("upper", minijinja::filters::upper);
    env.add_filter("title", minijinja::filters::title);
    env.add_filter("capitalize", minijinja::filters::capitalize);
    env.add_filter("default", minijinja::filters::default);
    env.add_filter("first", first);
    env.add_filter("last", last);
    env.add_filter("length", length);
    // `answers | map(attribute="answer")`: one field of every item of a list.
    env.add_filter("map", minijinja::filters::map);
    env.add_filter("join", join);
    env.add_filter("split", split);
    env.add_filter("first_name", first_name);
    env.add_filter("last_name", last_name);
    let country = context.country.clone();
    env.add_filter("e164", move |value: &Value, given: Option<&str>| {
        e164(value, given.or(country.as_deref()))
    });
    let zone = context.zone;
    let tz = zone.name().parse().unwrap_or(Tz::UTC);
    env.add_filter("date", move |value: &Value, kwargs: Kwargs| {
        date(value, (zone, tz), &kwargs)
    });
    let tables = context.lookups.clone();
    env.add_filter(
        "lookup",
        move |value: &Value, table: &Value, kwargs: Kwargs| lookup(value, &tables, table, &kwargs),
    );
}

/// What a value reads as in a field: nothing for a missing value, the items
/// of a list with commas between them, `true` or `false` for a yes or no.
pub(super) fn text(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        ValueKind::Bool => value.is_true().to_string(),
        ValueKind::String => value.as_str().unwrap_or_default().to_owned(),
        ValueKind::Seq | ValueKind::Iterable => {
            join(value, Some(", ")).unwrap_or_else(|_| value.to_string())
        }
        _ => value.to_string(),
    }
}

/// A value in a message: quoted, and cut short when long.
pub(super) fn shown(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("“{}…”", &text[..end]),
        None => format!("“{text}”"),
    }
}

/// Reads a phone number into E.164, in `country` when it has no country code.
pub(super) fn to_e164(text: &str, country: Option<&str>) -> Result<String, String> {
    phone::parse(text, country, None).map_err(|problem| match problem {
        PhoneProblem::NeedsCountryCode => format!(
            "{} has no country code (like +61), and the team has no country to read it in.",
            shown(text.trim())
        ),
        PhoneProblem::NotANumber => format!(
            "{} is not a phone number we can call: check the digits.",
            shown(text.trim())
        ),
    })
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// `length`: how many items a list has, or characters a text; 0 for nothing.
fn length(value: &Value) -> Result<usize, Error> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(0),
        _ => minijinja::filters::length(value),
    }
}

/// `first`: the first item of a list, or character of a text.
fn first(value: &Value) -> Result<Value, Error> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(Value::UNDEFINED),
        _ => minijinja::filters::first(value),
    }
}

/// `last`: the last item of a list, or character of a text.
fn last(value: &Value) -> Result<Value, Error> {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(Value::UNDEFINED),
        _ => minijinja::filters::last(value.clone()),
    }
}

/// `join(sep)`: the items of a list as text, with `sep` between them.
fn join(value: &Value, separator: Option<&str>) -> Result<String, Error> {
    let mut joined = String::new();
    let mut characters = 0;
    if matches!(value.kind(), ValueKind::Undefined | ValueKind::None) {
        return Ok(joined);
    }
    for (index, item) in value.try_iter()?.enumerate() {
        let piece = text(&item);
        let separator = if index > 0 {
            separator.unwrap_or("")
        } else {
            ""
        };
        characters += separator.chars().count() + piece.chars().count();
        if characters > MAX_TEXT {
            return Err(invalid(format!(
                "The joined text is longer than {MAX_TEXT} characters."
            )));
        }
        joined.push_str(separator);
        joined.push_str(&piece);
    }
    Ok(joined)
}

/// `split(sep)`: a text cut into a list at each `sep` (at spaces when not
/// given), each item trimmed and empty items left out.
fn split(value: &Value, separator: Option<&str>) -> Value {
    let text = text(value);
    match separator.filter(|separator| !separator.is_empty()) {
        Some(separator) => items(text.split(separator)),
        None => items(text.split_whitespace()),
    }
}

fn items<'a>(pieces: impl Iterator<Item = &'a str>) -> Value {
    pieces
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(Value::from)
        .collect()
}

/// `first_name`: the first word of a full name ("Mary Jane Berg" → "Mary").
fn first_name(value: &Value) -> String {
    text(value)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// `last_name`: the words of a full name after the first ("Mary Jane Berg" → "Jane Berg").
fn last_name(value: &Value) -> String {
    let text = text(value);
    text.split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `e164`, or `e164("AU")`: a phone number in E.164 (`+61412345678`), read
/// in the given country (else the team's) when it has no country code.
fn e164(value: &Value, country: Option<&str>) -> Result<String, Error> {
    let text = text(value);
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    to_e164(&text, country).map_err(invalid)
}

/// `date(from="%d/%m/%Y", to="%Y-%m-%d")`: a date or moment written as
/// `from` (ISO 8601 when not given) rewritten as `to` (`%Y-%m-%d` when not
/// given), `add_days` later (or earlier when negative). Times without an
/// offset are the team's; output is in its zone.
fn date(value: &Value, (zone, tz): (TeamZone, Tz), kwargs: &Kwargs) -> Result<String, Error> {
    let from: Option<String> = kwargs.get("from")?;
    let to: Option<String> = kwargs.get("to")?;
    let add_days: Option<i32> = kwargs.get("add_days")?;
    kwargs.assert_all_used()?;
    let text = text(value);
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let moment = match from.as_deref() {
        Some(format) => read(text, format, zone, tz),
        None => read_iso(text, zone, tz),
    };
    let moment = moment.ok_or_else(|| {
        invalid(match &from {
            Some(format) => format!("{} is not a date written as {format}.", shown(text)),
            None => format!(
                "{} is not a date like 2026-03-01 or 2026-03-01T09:30: say how it is written, for example date(from=\"%d/%m/%Y\").",
                shown(text)
            ),
        })
    })?;
    let moment =
        moment + chrono::Duration::days(add_days.unwrap_or(0).clamp(-36_600, 36_600).into());
    let to = to.as_deref().unwrap_or("%Y-%m-%d");
    let mut written = String::new();
    write!(written, "{}", moment.format(to)).map_err(|_| {
        invalid(format!(
            "“{to}” is not a date format: write one with signs like %Y-%m-%d."
        ))
    })?;
    Ok(written)
}

/// A moment written in one of the ISO 8601 forms, expressed in `tz`.
pub(super) fn read_iso(text: &str, zone: TeamZone, tz: Tz) -> Option<DateTime<Tz>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&tz))
        .ok()
        .or_else(|| ISO_FORMATS.iter().find_map(|f| read(text, f, zone, tz)))
}

/// A moment written as `format`: with an offset, a wall-clock time of the
/// team, or a day (its start).
fn read(text: &str, format: &str, zone: TeamZone, tz: Tz) -> Option<DateTime<Tz>> {
    if let Ok(at) = DateTime::parse_from_str(text, format) {
        return Some(at.with_timezone(&tz));
    }
    if let Ok(wall) = NaiveDateTime::parse_from_str(text, format) {
        return Some(zone.at(wall).with_timezone(&tz));
    }
    let day = NaiveDate::parse_from_str(text, format).ok()?;
    Some(zone.midnight(day).with_timezone(&tz))
}

/// `lookup("table", default=...)`: the value's entry in a lookup table
/// (an exact match first, then one that ignores case); the default, or
/// nothing, when it has none. The table is named, or written in place as
/// `{"Active": "member"}`.
fn lookup(value: &Value, tables: &Tables, table: &Value, kwargs: &Kwargs) -> Result<Value, Error> {
    let default: Option<Value> = kwargs.get("default")?;
    kwargs.assert_all_used()?;
    let inline: BTreeMap<String, String>;
    let entries = match table.as_str() {
        Some(name) => tables
            .get(name)
            .ok_or_else(|| invalid(format!("There is no lookup table called “{name}”.")))?,
        None => {
            inline = inline_table(table)?;
            &inline
        }
    };
    let key = text(value);
    let key = key.trim();
    let lowered = key.to_lowercase();
    let found = entries.get(key).or_else(|| {
        entries
            .iter()
            .find(|(from, _)| from.trim().to_lowercase() == lowered)
            .map(|(_, to)| to)
    });
    Ok(match found {
        Some(to) => Value::from(to.as_str()),
        None => default.unwrap_or_else(|| Value::from("")),
    })
}

/// A table written in the expression, such as `{"Active": "member"}`.
fn inline_table(table: &Value) -> Result<BTreeMap<String, String>, Error> {
    if table.kind() != ValueKind::Map {
        return Err(invalid(
            "lookup takes the name of a table, or a table such as {\"Active\": \"member\"}.".into(),
        ));
    }
    let keys = table.try_iter()?;
    keys.map(|key| {
        let to = table.get_item(&key)?;
        Ok((text(&key), text(&to)))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::apps::mapping::body;

    fn context() -> MappingContext {
        let status = [("Active", "member"), ("Trial", "trial")]
            .map(|(from, to)| (from.to_owned(), to.to_owned()));
        MappingContext {
            country: Some("AU".into()),
            zone: TeamZone::named("Australia/Sydney"),
            lookups: [("status".to_owned(), status.into_iter().collect())].into(),
            ..MappingContext::default()
        }
    }

    fn run(source: &str) -> Result<String, String> {
        let mut env = Environment::empty();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        register(&mut env, &context());
        let body = json!({"name": "  Mary Jane van der Berg ", "status": "ACTIVE",
            "mobile": "0412 345 678", "tags": ["a", "b"], "many": vec!["x"; 200], "born": "03/02/1990", "n": null});
        env.render_str(source, body::root(body))
            .map_err(|err| err.detail().unwrap_or_default().to_owned())
    }

    fn ok(source: &str) -> String {
        run(source).unwrap()
    }

    #[test]
    fn trim_lower_upper_title_capitalize() {
        assert_eq!(ok("[{{ name | trim }}]"), "[Mary Jane van der Berg]");
        assert_eq!(ok("{{ 'MARY@Example.COM' | lower }}"), "mary@example.com");
        assert_eq!(ok("{{ 'mary' | upper }}"), "MARY");
        assert_eq!(ok("{{ 'mary JANE' | title }}"), "Mary Jane");
        assert_eq!(ok("{{ 'mary JANE' | capitalize }}"), "Mary jane");
        assert_eq!(ok("[{{ missing | trim | lower | upper | title }}]"), "[]");
    }

    #[test]
    fn first_name_is_the_first_word_and_last_name_the_rest() {
        assert_eq!(ok("{{ name | first_name }}"), "Mary");
        assert_eq!(ok("{{ name | last_name }}"), "Jane van der Berg");
        assert_eq!(
            ok("{{ 'Cher' | first_name }}|{{ 'Cher' | last_name }}"),
            "Cher|"
        );
        assert_eq!(
            ok("[{{ missing | first_name }}{{ missing | last_name }}]"),
            "[]"
        );
    }

    #[test]
    fn e164_reads_numbers_in_the_team_country() {
        assert_eq!(ok("{{ mobile | e164 }}"), "+61412345678");
        assert_eq!(ok("{{ '+1 (737) 446-3456' | e164 }}"), "+17374463456");
        assert_eq!(ok("[{{ missing | e164 }}]"), "[]");
        assert_eq!(ok("{{ '(737) 446-3456' | e164('US') }}"), "+17374463456");
        assert_eq!(
            run("{{ 'call me' | e164 }}"),
            Err("“call me” is not a phone number we can call: check the digits.".into())
        );
    }

    #[test]
    fn e164_without_a_country_needs_a_country_code() {
        let mut env = Environment::empty();
        register(&mut env, &MappingContext::default());
        let err = env
            .render_str("{{ '0412 345 678' | e164 }}", ())
            .unwrap_err();
        assert_eq!(
            err.detail(),
            Some("“0412 345 678” has no country code (like +61), and the team has no country to read it in.")
        );
    }

    #[test]
    fn date_rewrites_dates_and_moments_in_the_team_zone() {
        assert_eq!(ok("{{ born | date(from='%d/%m/%Y') }}"), "1990-02-03");
        assert_eq!(ok("{{ '2026-02-28' | date(add_days=1) }}"), "2026-03-01");
        assert_eq!(
            ok("{{ '1990-02-03' | date(to='%d %B %Y') }}"),
            "03 February 1990"
        );
        // A wall-clock time is Sydney's; an offset is converted to Sydney's.
        assert_eq!(
            ok("{{ '01/03/2026 9:30' | date(from='%d/%m/%Y %H:%M', to='%Y-%m-%dT%H:%M%:z') }}"),
            "2026-03-01T09:30+11:00"
        );
        assert_eq!(
            ok("{{ '2026-03-01T00:00:00Z' | date(to='%Y-%m-%d %H:%M') }}"),
            "2026-03-01 11:00"
        );
        assert_eq!(ok("[{{ missing | date }}]"), "[]");
    }

    #[test]
    fn date_says_what_it_could_not_read() {
        assert_eq!(
            run("{{ born | date }}"),
            Err("“03/02/1990” is not a date like 2026-03-01 or 2026-03-01T09:30: say how it is written, for example date(from=\"%d/%m/%Y\").".into())
        );
        assert_eq!(
            run("{{ 'soon' | date(from='%d/%m/%Y') }}"),
            Err("“soon” is not a date written as %d/%m/%Y.".into())
        );
        assert_eq!(
            run("{{ born | date(from='%d/%m/%Y', to='%Y-%Q') }}"),
            Err("“%Y-%Q” is not a date format: write one with signs like %Y-%m-%d.".into())
        );
        assert!(run("{{ born | date(form='%d/%m/%Y') }}").is_err());
    }

    #[test]
    fn lookup_maps_through_a_named_table() {
        assert_eq!(ok("{{ 'Active' | lookup('status') }}"), "member");
        assert_eq!(ok("{{ status | lookup('status') }}"), "member");
        assert_eq!(ok("[{{ 'Gone' | lookup('status') }}]"), "[]");
        assert_eq!(
            ok("{{ 'Gone' | lookup('status', default='lead') }}"),
            "lead"
        );
        assert_eq!(
            ok("{{ 'new zealand' | lookup({'New Zealand': 'NZ'}) }}"),
            "NZ"
        );
        assert_eq!(
            run("{{ 'Active' | lookup('plans') }}"),
            Err("There is no lookup table called “plans”.".into())
        );
    }

    #[test]
    fn default_applies_to_missing_and_null() {
        assert_eq!(ok("{{ missing | default('x') }}"), "x");
        assert_eq!(ok("{{ n | default('x') }}"), "x");
        assert_eq!(
            ok("{{ name | default('x') | trim }}"),
            "Mary Jane van der Berg"
        );
    }

    #[test]
    fn join_and_split_work_on_lists() {
        assert_eq!(ok("{{ tags | join('; ') }}"), "a; b");
        assert_eq!(ok("{{ 'a, b,,c ' | split(',') | join('|') }}"), "a|b|c");
        assert_eq!(ok("{{ name | split | length }}"), "5");
        assert_eq!(ok("{{ tags | first }}{{ tags | last }}"), "ab");
        assert_eq!(
            ok("[{{ missing | split(',') | join(',') }}{{ missing | length }}]"),
            "[0]"
        );
        assert_eq!(ok("[{{ missing | first }}{{ missing | last }}]"), "[]");
        let separator = "-".repeat(60);
        assert_eq!(
            run(&format!("{{{{ many | join('{separator}') }}}}")),
            Err(format!(
                "The joined text is longer than {MAX_TEXT} characters."
            ))
        );
    }

    #[test]
    fn text_of_values() {
        assert_eq!(text(&Value::from(true)), "true");
        assert_eq!(text(&Value::UNDEFINED), "");
        assert_eq!(text(&Value::from(())), "");
        assert_eq!(text(&Value::from(vec!["a", "b"])), "a, b");
        assert_eq!(text(&Value::from(4.5)), "4.5");
        assert_eq!(shown(&"x".repeat(50)), format!("“{}…”", "x".repeat(40)));
    }
}
