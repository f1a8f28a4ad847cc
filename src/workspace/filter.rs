//! The contact list's filter: what the URL query says, and the checked form
//! of it that the queries use. The same filter drives the list and the export.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The filter as the URL carries it; every field may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFilter {
    /// Words to find in the name, email, phone or company.
    pub q: String,
    pub tag: String,
    pub source: String,
    /// A HighLevel user id.
    pub assignee: String,
    /// `YYYY-MM-DD`, inclusive.
    pub added_from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub added_to: String,
    /// `name` (the default) or `added`.
    pub sort: String,
    /// `asc` or `desc`; the default depends on the sort.
    pub dir: String,
    /// From 0.
    pub page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactSort {
    Name,
    Added,
}

/// A filter whose dates and sort are known to be valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValidFilter {
    pub q: Option<String>,
    pub tag: Option<String>,
    pub source: Option<String>,
    pub assignee: Option<String>,
    pub added_from: Option<DateTime<Utc>>,
    /// Exclusive: the start of the day after `added_to`.
    pub added_before: Option<DateTime<Utc>>,
    pub sort: ContactSort,
    pub descending: bool,
    pub page: u32,
}

/// The fields of the URL query, in order.
pub const FIELDS: [&str; 9] = [
    "q",
    "tag",
    "source",
    "assignee",
    "added_from",
    "added_to",
    "sort",
    "dir",
    "page",
];

impl ContactFilter {
    /// The filter of a URL query; unknown names are ignored.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut filter = Self::default();
        for (name, value) in pairs {
            let value = value.as_ref().to_owned();
            match name.as_ref() {
                "q" => filter.q = value,
                "tag" => filter.tag = value,
                "source" => filter.source = value,
                "assignee" => filter.assignee = value,
                "added_from" => filter.added_from = value,
                "added_to" => filter.added_to = value,
                "sort" => filter.sort = value,
                "dir" => filter.dir = value,
                "page" => filter.page = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        filter
    }

    /// The URL query of this filter (without `?`), leaving out empty fields.
    pub fn to_query(&self) -> String {
        let page = (self.page > 0).then(|| self.page.to_string());
        let values = [
            Some(self.q.as_str()),
            Some(self.tag.as_str()),
            Some(self.source.as_str()),
            Some(self.assignee.as_str()),
            Some(self.added_from.as_str()),
            Some(self.added_to.as_str()),
            Some(self.sort.as_str()),
            Some(self.dir.as_str()),
            page.as_deref(),
        ];
        FIELDS
            .iter()
            .zip(values)
            .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| (name, v)))
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// This filter sorted by `column`: the other direction when it is
    /// already sorted by it, from the first page.
    pub fn sorted_by(&self, column: ContactSort) -> Self {
        let descending = if self.sort() == column {
            !self.descending()
        } else {
            column == ContactSort::Added
        };
        Self {
            sort: match column {
                ContactSort::Name => "name",
                ContactSort::Added => "added",
            }
            .into(),
            dir: if descending { "desc" } else { "asc" }.into(),
            page: 0,
            ..self.clone()
        }
    }

    pub fn on_page(&self, page: u32) -> Self {
        Self {
            page,
            ..self.clone()
        }
    }

    /// Whether anything narrows the list.
    pub fn narrows(&self) -> bool {
        [
            &self.q,
            &self.tag,
            &self.source,
            &self.assignee,
            &self.added_from,
            &self.added_to,
        ]
        .iter()
        .any(|value| !value.trim().is_empty())
    }

    pub fn sort(&self) -> ContactSort {
        if self.sort == "added" {
            ContactSort::Added
        } else {
            ContactSort::Name
        }
    }

    /// Names ascend and dates descend unless the filter says otherwise.
    pub fn descending(&self) -> bool {
        match self.dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => self.sort() == ContactSort::Added,
        }
    }

    /// Checks the dates and sort; the error says which field is wrong.
    /// `day_starts` says when a day of the team begins.
    pub fn validate(
        &self,
        day_starts: impl Fn(NaiveDate) -> DateTime<Utc>,
    ) -> Result<ValidFilter, String> {
        let day = |value: &str, label: &str| -> Result<Option<NaiveDate>, String> {
            let value = value.trim();
            if value.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("The {label} date must look like 2026-11-25."))
        };
        if !matches!(self.sort.as_str(), "" | "name" | "added") {
            return Err("Contacts sort by name or by date added.".into());
        }
        if !matches!(self.dir.as_str(), "" | "asc" | "desc") {
            return Err("The sort direction is asc or desc.".into());
        }
        let from = day(&self.added_from, "\"added from\"")?;
        let to = day(&self.added_to, "\"added to\"")?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err("The \"added from\" date is after the \"added to\" date.".into());
            }
        }
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        Ok(ValidFilter {
            q: text(&self.q).map(|q| q.to_lowercase()),
            tag: text(&self.tag),
            source: text(&self.source),
            assignee: text(&self.assignee),
            added_from: from.map(&day_starts),
            added_before: to.and_then(|to| to.succ_opt()).map(&day_starts),
            sort: self.sort(),
            descending: self.descending(),
            page: self.page,
        })
    }
}

impl ValidFilter {
    /// The same matches from the start, in the default order: what every
    /// page and sort of this filter share.
    pub fn first_page(&self) -> Self {
        Self {
            sort: ContactSort::Name,
            descending: false,
            page: 0,
            ..self.clone()
        }
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_midnight(day: NaiveDate) -> DateTime<Utc> {
        day.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    #[test]
    fn a_query_round_trips() {
        let filter = ContactFilter {
            q: "ann & co".into(),
            tag: "vip".into(),
            added_from: "2026-01-01".into(),
            sort: "added".into(),
            page: 2,
            ..ContactFilter::default()
        };
        let query = filter.to_query();
        assert_eq!(
            query,
            "q=ann%20%26%20co&tag=vip&added_from=2026-01-01&sort=added&page=2"
        );
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (
                    name.to_owned(),
                    value.replace("%20", " ").replace("%26", "&"),
                )
            })
            .collect();
        let parsed = ContactFilter::from_pairs(pairs);
        assert_eq!(parsed, filter);
    }

    #[test]
    fn bad_dates_and_sorts_are_named() {
        let bad_date = ContactFilter {
            added_to: "25/11/2026".into(),
            ..ContactFilter::default()
        };
        assert!(bad_date
            .validate(utc_midnight)
            .unwrap_err()
            .contains("added to"));
        let backwards = ContactFilter {
            added_from: "2026-02-01".into(),
            added_to: "2026-01-01".into(),
            ..ContactFilter::default()
        };
        assert!(backwards.validate(utc_midnight).is_err());
        let sort = ContactFilter {
            sort: "email; drop".into(),
            ..ContactFilter::default()
        };
        assert!(sort.validate(utc_midnight).is_err());
    }

    #[test]
    fn the_end_date_is_inclusive() {
        let filter = ContactFilter {
            added_to: "2026-11-25".into(),
            ..ContactFilter::default()
        };
        let valid = filter.validate(utc_midnight).unwrap();
        assert_eq!(
            valid.added_before.map(|at| at.to_rfc3339()),
            Some("2026-11-26T00:00:00+00:00".into())
        );
        assert_eq!(valid.sort, ContactSort::Name);
        assert!(!valid.descending);
    }
}
