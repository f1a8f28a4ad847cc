//! Reading query strings and JSON bodies without ever rejecting a request in a
//! shape the real API would not use: malformed input becomes a 400, invalid
//! fields become one 422 listing every problem, as HighLevel's validator does.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::errors::{ApiError, ApiResult};

/// The query string as a map; repeated keys keep the last value.
#[derive(Debug, Default)]
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(|pairs| QueryMap(pairs.into_iter().collect()))
            .map_err(|_| ApiError::BadRequest("malformed query string".into()))
    }
}

impl QueryMap {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, key: &str) -> ApiResult<&str> {
        self.get(key)
            .ok_or_else(|| ApiError::unprocessable(format!("{key} should not be empty")))
    }

    /// A non-negative integer parameter with a default.
    pub fn number(&self, key: &str, default: usize) -> ApiResult<usize> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .parse()
                .map_err(|_| ApiError::unprocessable(format!("{key} must be a number"))),
        }
    }
}

/// A JSON object body; an empty body counts as `{}`.
pub fn json_object(bytes: &[u8]) -> ApiResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest(
            "the body must be a JSON object".into(),
        )),
        Err(error) => Err(ApiError::BadRequest(format!("Unexpected JSON: {error}"))),
    }
}

/// Reads typed fields out of a body, collecting every problem.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<String>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            problems: Vec::new(),
        }
    }

    fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.present(key)? {
            Value::String(text) => Some(text.clone()),
            _ => {
                self.problems.push(format!("{key} must be a string"));
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &str) -> Option<String> {
        let value = self.string(key);
        if value.as_deref().is_none_or(str::is_empty)
            && self.present(key).is_none_or(Value::is_string)
        {
            self.problems.push(format!("{key} should not be empty"));
            return None;
        }
        value
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.present(key)? {
            Value::Bool(flag) => Some(*flag),
            _ => {
                self.problems.push(format!("{key} must be a boolean value"));
                None
            }
        }
    }

    pub fn required_boolean(&mut self, key: &str) -> Option<bool> {
        if self.present(key).is_none() {
            self.problems.push(format!("{key} must be a boolean value"));
            return None;
        }
        self.boolean(key)
    }

    pub fn number(&mut self, key: &str) -> Option<f64> {
        match self.present(key)? {
            Value::Number(number) => number.as_f64(),
            _ => {
                self.problems.push(format!("{key} must be a number"));
                None
            }
        }
    }

    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        let Value::Array(items) = self.present(key)? else {
            self.problems.push(format!("{key} must be an array"));
            return None;
        };
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect();
        if strings.is_none() {
            self.problems
                .push(format!("each value in {key} must be a string"));
        }
        strings
    }

    pub fn required_strings(&mut self, key: &str) -> Option<Vec<String>> {
        if self.present(key).is_none() {
            self.problems.push(format!("{key} must be an array"));
            return None;
        }
        self.strings(key)
    }

    /// A date field: an ISO-8601 date-time or a plain `YYYY-MM-DD` date.
    pub fn date(&mut self, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.string(key)?;
        let parsed = parse_date(&text);
        if parsed.is_none() {
            self.problems
                .push(format!("{key} must be a valid ISO 8601 date string"));
        }
        parsed
    }

    pub fn required_date(&mut self, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        if self.present(key).is_none() {
            self.problems
                .push(format!("{key} must be a valid ISO 8601 date string"));
            return None;
        }
        self.date(key)
    }

    pub fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.present(key)? {
            Value::Object(map) => Some(map),
            _ => {
                self.problems.push(format!("{key} must be an object"));
                None
            }
        }
    }

    pub fn array(&mut self, key: &str) -> Option<&'a Vec<Value>> {
        match self.present(key)? {
            Value::Array(items) => Some(items),
            _ => {
                self.problems.push(format!("{key} must be an array"));
                None
            }
        }
    }

    pub fn problem(&mut self, message: impl Into<String>) {
        self.problems.push(message.into());
    }

    /// 422 with every problem found, or Ok when there was none.
    pub fn finish(self) -> ApiResult<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Unprocessable(self.problems))
        }
    }
}

/// Accepts what HighLevel accepts for dates: RFC 3339, or `YYYY-MM-DD`, or
/// `YYYY-MM-DD HH:MM:SS` (taken as UTC).
pub fn parse_date(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
    if let Ok(parsed) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    if let Ok(parsed) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        return Some(Utc.from_utc_datetime(&parsed));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?))
}
