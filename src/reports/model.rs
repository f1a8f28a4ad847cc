//! What the dashboard and the team report show: the filter they are drawn
//! for and the figures, crossing the wire from server to browser.

use serde::{Deserialize, Serialize};

/// The stretch of time a report covers, ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Period {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Week, Period::Month, Period::Quarter, Period::Year];

    /// The value in the page address (`?period=30d`).
    pub fn key(self) -> &'static str {
        match self {
            Period::Week => "7d",
            Period::Month => "30d",
            Period::Quarter => "90d",
            Period::Year => "365d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Week => "Last 7 days",
            Period::Month => "Last 30 days",
            Period::Quarter => "Last 90 days",
            Period::Year => "Last 12 months",
        }
    }

    pub fn days(self) -> i64 {
        match self {
            Period::Week => 7,
            Period::Month => 30,
            Period::Quarter => 90,
            Period::Year => 365,
        }
    }

    /// Unknown or missing keys fall back to the last 30 days.
    pub fn from_key(key: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|period| Some(period.key()) == key)
            .unwrap_or_default()
    }

    /// New contacts are counted per day over short periods, per week over long ones.
    pub fn bucket(self) -> Bucket {
        if self.days() <= 31 {
            Bucket::Day
        } else {
            Bucket::Week
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bucket {
    Day,
    Week,
}

/// The controls of a report, as the page address carries them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ReportFilter {
    pub period: Period,
    /// Only contacts with this tag (and their tasks and appointments).
    pub tag: Option<String>,
    /// Only what this HighLevel user is assigned to.
    pub assignee: Option<String>,
    /// The team (HighLevel location); the signed-in team when absent.
    pub location: Option<String>,
}

impl ReportFilter {
    /// Builds a filter from the address's query values; empty means "all".
    pub fn from_query(
        period: Option<&str>,
        tag: Option<&str>,
        assignee: Option<&str>,
        location: Option<&str>,
    ) -> Self {
        let given = |value: Option<&str>| {
            value
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        Self {
            period: Period::from_key(period),
            tag: given(tag),
            assignee: given(assignee),
            location: given(location),
        }
    }

    /// Whether a tag or an assignee narrows the figures.
    pub fn narrows(&self) -> bool {
        self.tag.is_some() || self.assignee.is_some()
    }

    /// The query string of this filter (without `?`), for links and downloads.
    pub fn query(&self) -> String {
        let mut pairs = vec![format!("period={}", self.period.key())];
        for (name, value) in [
            ("tag", &self.tag),
            ("assignee", &self.assignee),
            ("location", &self.location),
        ] {
            if let Some(value) = value {
                pairs.push(format!("{name}={}", encode_component(value)));
            }
        }
        pairs.join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// An id with the name people know it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// Whether there is anything to report on yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataState {
    /// The team has no HighLevel connection.
    NotConnected,
    /// Connected, but the first sync has not yet filled the cache and
    /// counted it.
    NotSynced,
    Ready,
}

/// The headline numbers of the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub contacts_total: i64,
    pub contacts_new: i64,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    pub appointments_next_7_days: i64,
    /// Appointments of the period that have an outcome: showed or no-show.
    pub showed: i64,
    pub no_show: i64,
}

impl Figures {
    /// Share of showed among appointments with an outcome, in percent.
    pub fn show_rate(&self) -> Option<f64> {
        rate(self.showed, self.showed + self.no_show)
    }

    pub fn no_show_rate(&self) -> Option<f64> {
        rate(self.no_show, self.showed + self.no_show)
    }
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// One label and its count (a source, a tag, a day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// Tasks of one assignee (`id` empty for unassigned tasks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssigneeTasks {
    pub id: String,
    pub name: String,
    pub open: i64,
    pub overdue: i64,
    /// Completed within the period.
    pub completed: i64,
    /// Median hours from creation to completion of the tasks completed within the period.
    pub median_hours: Option<f64>,
}

/// Appointments that start in one week, by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekStatuses {
    /// Monday of the week, `YYYY-MM-DD`.
    pub week: String,
    pub counts: Vec<Count>,
}

/// A chart drawn on the server, as SVG markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    pub key: String,
    pub title: String,
    pub svg: String,
    /// Nothing to draw for this filter.
    pub empty: bool,
}

/// Everything the dashboard shows for one filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub filter: ReportFilter,
    pub location_id: String,
    pub teams: Vec<Choice>,
    pub assignees: Vec<Choice>,
    pub tags: Vec<String>,
    pub state: DataState,
    /// When the cache last received data, as pages show moments.
    pub last_synced: Option<String>,
    /// The team's time zone, whose days and weeks the charts count.
    pub time_zone: String,
    pub figures: Figures,
    pub bucket: Bucket,
    pub new_contacts: Vec<Count>,
    pub by_source: Vec<Count>,
    pub top_tags: Vec<Count>,
    pub by_assignee: Vec<AssigneeTasks>,
    pub appointments_by_week: Vec<WeekStatuses>,
    pub charts: Vec<Chart>,
}

/// An overview as the dashboard page's hydration data carries it. The
/// charts' SVG is already in the server-rendered HTML and hydration keeps
/// that markup as it is (an `inner_html` is not set again when hydrating),
/// so the data leaves it out instead of sending every chart twice; a
/// filter changed in the browser fetches a whole overview again.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct PageOverview(pub Overview);

impl Serialize for PageOverview {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut overview = self.0.clone();
        for chart in &mut overview.charts {
            chart.svg.clear();
        }
        overview.serialize(serializer)
    }
}

/// A team report as the reports page's hydration data carries it: the page
/// shows the tables, so the rows they were made from are left out (a third
/// of the data at 40 businesses, which the server escapes character by
/// character into the page).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct PageTeamReport(pub TeamReport);

impl Serialize for PageTeamReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TeamReport {
            by_assignee: Vec::new(),
            by_business: Vec::new(),
            ..self.0.clone()
        }
        .serialize(serializer)
    }
}

/// A table of the team report, with its CSV download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportTable {
    pub columns: Vec<String>,
    /// Cells as shown; `sort_keys` holds what each cell sorts by.
    pub rows: Vec<Vec<String>>,
    pub sort_keys: Vec<Vec<SortKey>>,
    /// `data:text/csv,…` link of the whole table.
    pub csv_href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, PartialOrd)]
pub enum SortKey {
    Number(f64),
    Text(String),
}

/// Business report row: a business's contacts and their tasks and appointments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessRow {
    pub id: String,
    pub name: String,
    pub contacts: i64,
    pub tasks_open: i64,
    pub tasks_overdue: i64,
    pub tasks_completed: i64,
    pub appointments_upcoming: i64,
    pub appointments_showed: i64,
    pub appointments_no_show: i64,
}

/// The team report page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamReport {
    pub filter: ReportFilter,
    pub teams: Vec<Choice>,
    pub assignees: Vec<Choice>,
    pub tags: Vec<String>,
    pub state: DataState,
    pub last_synced: Option<String>,
    pub by_assignee: Vec<AssigneeTasks>,
    pub by_business: Vec<BusinessRow>,
    pub assignee_table: ReportTable,
    pub business_table: ReportTable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_round_trips_through_the_address() {
        let filter = ReportFilter::from_query(Some("90d"), Some("vip & co"), Some(" "), None);
        assert_eq!(filter.period, Period::Quarter);
        assert_eq!(filter.assignee, None);
        assert_eq!(filter.query(), "period=90d&tag=vip%20%26%20co");
        assert_eq!(Period::from_key(Some("nonsense")), Period::Month);
    }

    #[test]
    fn rates_need_an_outcome() {
        let figures = Figures {
            showed: 3,
            no_show: 1,
            ..Figures::default()
        };
        assert_eq!(figures.show_rate(), Some(75.0));
        assert_eq!(figures.no_show_rate(), Some(25.0));
        assert_eq!(Figures::default().show_rate(), None);
    }

    #[test]
    fn page_data_of_a_team_report_keeps_the_tables_not_their_rows() {
        let table = ReportTable {
            columns: vec!["Business".into()],
            rows: vec![vec!["North Gym".into()]],
            sort_keys: vec![vec![SortKey::Text("north gym".into())]],
            csv_href: "data:text/csv,Business%0ANorth%20Gym".into(),
        };
        let report = TeamReport {
            filter: ReportFilter::default(),
            teams: Vec::new(),
            assignees: Vec::new(),
            tags: Vec::new(),
            state: DataState::Ready,
            last_synced: None,
            by_assignee: Vec::new(),
            by_business: vec![BusinessRow {
                id: "biz-1".into(),
                name: "North Gym".into(),
                contacts: 3,
                tasks_open: 0,
                tasks_overdue: 0,
                tasks_completed: 0,
                appointments_upcoming: 0,
                appointments_showed: 0,
                appointments_no_show: 0,
            }],
            assignee_table: table.clone(),
            business_table: table,
        };
        let json = serde_json::to_string(&PageTeamReport(report.clone())).unwrap();
        assert!(!json.contains("biz-1"), "{json}");
        let PageTeamReport(read) = serde_json::from_str(&json).unwrap();
        let expected = TeamReport {
            by_business: Vec::new(),
            ..report
        };
        assert_eq!(read, expected);
    }

    #[test]
    fn page_data_leaves_out_only_the_charts_markup() {
        let chart = Chart {
            key: "by-source".into(),
            title: "Contacts by source".into(),
            svg: "<svg>drawn</svg>".into(),
            empty: false,
        };
        let overview = Overview {
            filter: ReportFilter::default(),
            location_id: "loc".into(),
            teams: Vec::new(),
            assignees: Vec::new(),
            tags: vec!["vip".into()],
            state: DataState::Ready,
            last_synced: None,
            time_zone: "UTC".into(),
            figures: Figures {
                contacts_total: 7,
                ..Figures::default()
            },
            bucket: Bucket::Day,
            new_contacts: Vec::new(),
            by_source: Vec::new(),
            top_tags: Vec::new(),
            by_assignee: Vec::new(),
            appointments_by_week: Vec::new(),
            charts: vec![chart.clone()],
        };
        let json = serde_json::to_string(&PageOverview(overview.clone())).unwrap();
        assert!(!json.contains("drawn"), "{json}");
        let PageOverview(read) = serde_json::from_str(&json).unwrap();
        let expected = Overview {
            charts: vec![Chart {
                svg: String::new(),
                ..chart
            }],
            ..overview
        };
        assert_eq!(read, expected);
    }
}
