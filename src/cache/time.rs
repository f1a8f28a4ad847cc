//! HighLevel's timestamps come in several spellings: RFC 3339 with `Z` or an
//! offset, `"2021-07-16 11:00:00"` (UTC, in the contacts' appointments), or
//! milliseconds since the epoch.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// The instant a HighLevel timestamp names, or `None` when it names none.
pub fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => parse_text(text),
        Value::Number(number) => DateTime::from_timestamp_millis(number.as_i64()?),
        _ => None,
    }
}

pub(super) fn parse_opt(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(parse_text)
}

fn parse_text(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        return Some(naive.and_utc());
    }
    text.parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_millis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_spelling_highlevel_uses() {
        let expected = "2021-07-16T11:00:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(parse_time(&json!("2021-07-16T11:00:00.000Z")), expected);
        assert_eq!(parse_time(&json!("2021-07-16T16:30:00+05:30")), expected);
        assert_eq!(parse_time(&json!("2021-07-16 11:00:00")), expected);
        assert_eq!(parse_time(&json!(1_626_433_200_000_i64)), expected);
        assert_eq!(parse_time(&json!("not a time")), None);
        assert_eq!(parse_time(&json!(null)), None);
    }
}
