//! The dashboard's and the team report's figures equal the same figures
//! computed here, by plain iteration, from the sandbox's data fetched over
//! HTTP; and reports are for members of the team only.

use crate::common;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, Utc};
use chrono_tz::Tz;
use reqwest::StatusCode;
use serde_json::{json, Value};
use switchboard::cache::parse_time;
use switchboard::reports::model::{Overview, TeamReport};

use common::browser::{demo_locations, Browser};

const SCOPES: [&str; 7] = [
    "contacts.readonly",
    "locations.readonly",
    "locations/tasks.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
    "users.readonly",
    "businesses.readonly",
];

/// The sandbox's data of one location, as its API answers it.
struct Sandboxed {
    contacts: Vec<Value>,
    tasks: Vec<Value>,
    appointments: Vec<Value>,
    users: Vec<Value>,
    businesses: Vec<Value>,
    /// The location's time zone, whose days the charts count.
    zone: Tz,
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
    location: String,
}

impl Api {
    async fn new(base: &str, location: &str) -> Self {
        Self {
            http: common::http(),
            base: format!("{base}/sandbox"),
            token: common::sandbox_token(base, location, &SCOPES).await,
            location: location.to_owned(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder, version: &str) -> Value {
        let response = request
            .bearer_auth(&self.token)
            .header("Version", version)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn get(&self, path: &str, version: &str) -> Value {
        self.send(self.http.get(format!("{}{path}", self.base)), version)
            .await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let request = self.http.post(format!("{}{path}", self.base)).json(&body);
        self.send(request, "2021-07-28").await
    }

    async fn fetch(&self) -> Sandboxed {
        let location = &self.location;
        let contacts = self
            .post(
                "/contacts/search",
                json!({"locationId": location, "pageLimit": 500}),
            )
            .await;
        let tasks = self
            .post(
                &format!("/locations/{location}/tasks/search"),
                json!({"limit": 10000}),
            )
            .await;
        let calendars = self
            .get(&format!("/calendars/?locationId={location}"), "2021-04-15")
            .await;
        let (from, to) = (
            (Utc::now() - Duration::days(800)).timestamp_millis(),
            (Utc::now() + Duration::days(800)).timestamp_millis(),
        );
        let mut appointments = Vec::new();
        for calendar in list(&calendars, "calendars") {
            let path = format!(
                "/calendars/events?locationId={location}&calendarId={}&startTime={from}&endTime={to}",
                calendar["id"].as_str().unwrap()
            );
            appointments.extend(list(&self.get(&path, "2021-04-15").await, "events"));
        }
        let users = self
            .get(&format!("/users/?locationId={location}"), "2021-07-28")
            .await;
        let businesses = self
            .get(&format!("/businesses/?locationId={location}"), "2021-07-28")
            .await;
        let zone = self
            .get(&format!("/locations/{location}"), "2021-07-28")
            .await["location"]["timezone"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let fetched = Sandboxed {
            contacts: list(&contacts, "contacts"),
            tasks: list(&tasks, "tasks"),
            appointments,
            users: list(&users, "users"),
            businesses: list(&businesses, "businesses"),
            zone,
        };
        assert_eq!(
            fetched.contacts.len() as u64,
            contacts["total"].as_u64().unwrap(),
            "one page holds every contact"
        );
        fetched
    }
}

fn list(answer: &Value, key: &str) -> Vec<Value> {
    answer[key].as_array().cloned().unwrap_or_default()
}

/// The appointments the sync keeps: its window around the day of the run.
async fn appointment_window(
    db: &sqlx::PgPool,
    location: &str,
    at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (back, ahead): (i32, i32) = sqlx::query_as(
        "SELECT appointments_days_back, appointments_days_ahead FROM sync_settings WHERE location_id = $1",
    )
    .bind(location)
    .fetch_one(db)
    .await
    .unwrap();
    (
        at - Duration::days(back.into()),
        at + Duration::days(ahead.into()),
    )
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value[key].as_str().filter(|text| !text.is_empty())
}

fn time(value: &Value, key: &str) -> Option<DateTime<Utc>> {
    parse_time(&value[key])
}

/// The filter a test asks for, as plain values.
#[derive(Clone)]
struct Want {
    days: i64,
    tag: Option<String>,
    assignee: Option<String>,
    /// The sync's appointment window.
    window: (DateTime<Utc>, DateTime<Utc>),
}

/// Every figure, computed from the sandbox's answers.
#[derive(Debug, PartialEq)]
struct Expected {
    contacts_total: i64,
    contacts_new: i64,
    tasks_open: i64,
    tasks_overdue: i64,
    appointments_next_7_days: i64,
    showed: i64,
    no_show: i64,
    by_source: BTreeMap<String, i64>,
    top_tags: BTreeMap<String, i64>,
    /// assignee id → (open, overdue, completed in period, median hours)
    by_assignee: BTreeMap<String, (i64, i64, i64, Option<f64>)>,
    /// business id → contacts
    business_contacts: BTreeMap<String, i64>,
    /// The team's day (or the Monday of its week) → new contacts, for the
    /// days that have any.
    new_per_bucket: BTreeMap<String, i64>,
}

fn expected(data: &Sandboxed, want: &Want, now: DateTime<Utc>, seen_at: DateTime<Utc>) -> Expected {
    // A period is whole days of the team's time zone, ending today.
    let today = now.with_timezone(&data.zone).date_naive();
    let day_of = |at: DateTime<Utc>| at.with_timezone(&data.zone).date_naive();
    let first_day = today - Duration::days(want.days - 1);
    let start = first_day
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(data.zone)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let has_tag = |contact: &Value| {
        want.tag.as_ref().is_none_or(|tag| {
            contact["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some(tag.as_str())))
        })
    };
    let contacts: Vec<&Value> = data
        .contacts
        .iter()
        .filter(|c| has_tag(c))
        .filter(|c| want.assignee.is_none() || text(c, "assignedTo") == want.assignee.as_deref())
        .collect();
    let tagged: HashMap<&str, bool> = data
        .contacts
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), has_tag(c)))
        .collect();
    let is_new =
        |c: &&&Value| time(c, "dateAdded").is_some_and(|at| at >= start && day_of(at) <= today);
    let new: Vec<&&Value> = contacts.iter().filter(is_new).collect();
    let mut by_source = BTreeMap::new();
    let mut tag_counts = BTreeMap::new();
    let mut new_per_bucket = BTreeMap::new();
    for contact in &new {
        let day = time(contact, "dateAdded")
            .unwrap()
            .with_timezone(&data.zone)
            .date_naive();
        let bucket = if want.days <= 31 {
            day
        } else {
            day - Duration::days(day.weekday().num_days_from_monday().into())
        };
        *new_per_bucket.entry(bucket.to_string()).or_insert(0) += 1;
        let source = text(contact, "source").unwrap_or("(no source)").to_owned();
        *by_source.entry(source).or_insert(0) += 1;
        for tag in contact["tags"].as_array().into_iter().flatten() {
            *tag_counts
                .entry(tag.as_str().unwrap().to_owned())
                .or_insert(0) += 1;
        }
    }
    let linked = |item: &Value, assignee_key: &str| {
        text(item, "contactId")
            .or_else(|| item["contactDetails"]["id"].as_str())
            .is_some_and(|id| tagged.get(id).copied().unwrap_or(false) || want.tag.is_none())
            && (want.assignee.is_none() || text(item, assignee_key) == want.assignee.as_deref())
    };
    let mut by_assignee: BTreeMap<String, (i64, i64, i64, Vec<f64>)> = BTreeMap::new();
    for task in data.tasks.iter().filter(|t| linked(t, "assignedTo")) {
        let row = by_assignee
            .entry(text(task, "assignedTo").unwrap_or("").to_owned())
            .or_default();
        let completed = task["completed"].as_bool().unwrap_or(false);
        if !completed {
            row.0 += 1;
            if time(task, "dueDate").is_some_and(|due| due < now) {
                row.1 += 1;
            }
        } else {
            // Done before the first sync: completed on its due date (or when
            // seen, if earlier), and too uncertain for the median.
            let done_at = time(task, "dueDate").map_or(seen_at, |due| due.min(seen_at));
            if done_at >= start {
                row.2 += 1;
            }
        }
    }
    let (mut upcoming, mut showed, mut no_show) = (0, 0, 0);
    for appointment in data
        .appointments
        .iter()
        .filter(|a| linked(a, "assignedUserId"))
    {
        let Some(starts) = time(appointment, "startTime")
            .filter(|at| *at >= want.window.0 && *at <= want.window.1)
        else {
            continue;
        };
        let status = appointment["appointmentStatus"].as_str().unwrap_or("new");
        let day = day_of(starts);
        if day >= today
            && day < today + Duration::days(7)
            && !["cancelled", "invalid"].contains(&status)
        {
            upcoming += 1;
        }
        if day >= first_day && day <= today {
            showed += i64::from(status == "showed");
            no_show += i64::from(status == "noshow");
        }
    }
    let mut business_contacts = BTreeMap::new();
    for contact in &contacts {
        if let Some(business) = text(contact, "businessId") {
            *business_contacts.entry(business.to_owned()).or_insert(0) += 1;
        }
    }
    Expected {
        contacts_total: contacts.len() as i64,
        contacts_new: new.len() as i64,
        tasks_open: by_assignee.values().map(|row| row.0).sum(),
        tasks_overdue: by_assignee.values().map(|row| row.1).sum(),
        appointments_next_7_days: upcoming,
        showed,
        no_show,
        by_source,
        top_tags: top(tag_counts),
        by_assignee: by_assignee
            .into_iter()
            .map(|(id, (open, overdue, done, mut hours))| {
                (id, (open, overdue, done, median(&mut hours)))
            })
            .collect(),
        business_contacts,
        new_per_bucket,
    }
}

/// The ten largest counts, ties by name, as the dashboard ranks them.
fn top(counts: BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    let mut ranked: Vec<(String, i64)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(10).collect()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

fn shown(overview: &Overview) -> Expected {
    let f = &overview.figures;
    let pairs = |counts: &[switchboard::reports::model::Count]| {
        counts.iter().map(|c| (c.label.clone(), c.count)).collect()
    };
    Expected {
        contacts_total: f.contacts_total,
        contacts_new: f.contacts_new,
        tasks_open: f.tasks_open,
        tasks_overdue: f.tasks_overdue,
        appointments_next_7_days: f.appointments_next_7_days,
        showed: f.showed,
        no_show: f.no_show,
        by_source: pairs(&overview.by_source),
        top_tags: pairs(&overview.top_tags),
        by_assignee: overview
            .by_assignee
            .iter()
            .map(|row| {
                (
                    row.id.clone(),
                    (row.open, row.overdue, row.completed, row.median_hours),
                )
            })
            .collect(),
        business_contacts: BTreeMap::new(),
        new_per_bucket: overview
            .new_contacts
            .iter()
            .filter(|day| day.count > 0)
            .map(|day| (day.label.clone(), day.count))
            .collect(),
    }
}

fn assert_close(shown: Expected, mut expected: Expected, what: &str, tolerance_hours: f64) {
    expected.business_contacts = BTreeMap::new();
    // Medians within their tolerance; everything else exactly.
    for (id, row) in &expected.by_assignee {
        let got = shown
            .by_assignee
            .get(id)
            .unwrap_or_else(|| panic!("{what}: assignee {id} missing"));
        match (got.3, row.3) {
            (Some(a), Some(b)) => {
                // Medians come from buckets 19% wide: within 10%.
                assert!(
                    (a - b).abs() <= tolerance_hours + 0.1 * b,
                    "{what}: median of {id}: {a} vs {b}"
                )
            }
            (a, b) => assert_eq!(a, b, "{what}: median of {id}"),
        }
    }
    let strip = |mut e: Expected| {
        e.by_assignee.values_mut().for_each(|row| row.3 = None);
        e
    };
    assert_eq!(strip(shown), strip(expected), "{what}");
}

async fn overview(browser: &Browser, form: &[(&str, &str)]) -> Overview {
    let response = browser.call("reports/overview", form).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// A contact of `location` added now, written as a sync writes it.
async fn write_contact(app: &common::TestApp, location: &str, id: &str) {
    let contact = switchboard::cache::ContactRecord::from_document(
        location,
        json!({"id": id, "firstName": "Nina", "dateAdded": Utc::now().to_rfc3339()}),
    )
    .unwrap();
    switchboard::cache::upsert(&app.db, &[contact])
        .await
        .unwrap();
}

#[tokio::test]
async fn until_the_first_sync_has_counted_the_dashboard_says_the_data_is_on_its_way() {
    use switchboard::cache::rollups;
    use switchboard::reports::model::DataState;

    let app = common::spawn_app(common::test_db().await).await;
    let (location, users) = demo_locations(&app.base).await.swap_remove(0);
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, &location, &users[0]).await;

    // A first sync defers the rollups, then writes the cache.
    rollups::defer(&app.db, &location).await.unwrap();
    write_contact(&app, &location, "first-sync-writing").await;
    let writing = overview(&browser, &[("period", "30d")]).await;
    assert_eq!(writing.state, DataState::NotSynced);

    rollups::count_deferred(&app.db, &location).await.unwrap();
    write_contact(&app, &location, "after-the-count").await;
    let counted = overview(&browser, &[("period", "30d")]).await;
    assert_eq!(counted.state, DataState::Ready);
    assert_eq!(counted.figures.contacts_total, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_figures_equal_the_sandbox_data() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location, users) = &locations[0];
    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser.consent(&consent, location, &users[0]).await;

    // Signed in and connected, nothing synced yet: the dashboard says so.
    let empty = overview(&browser, &[("period", "30d")]).await;
    assert_eq!(
        empty.state,
        switchboard::reports::model::DataState::NotSynced
    );

    let (sync_started, seen_at) = app.full_sync(location).await;
    let api = Api::new(&app.base, location).await;
    let data = api.fetch().await;
    assert!(data.contacts.len() >= 50 && !data.tasks.is_empty() && !data.appointments.is_empty());
    let window = appointment_window(&app.db, location, sync_started).await;
    // The sync saw each completed task at some moment of its run.
    let tolerance_hours = (seen_at - sync_started).num_milliseconds() as f64 / 3_600_000.0 + 1e-3;

    let busiest_tag = {
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for tag in data
            .contacts
            .iter()
            .flat_map(|c| c["tags"].as_array().cloned().unwrap_or_default())
        {
            *counts.entry(tag.as_str().unwrap().to_owned()).or_default() += 1;
        }
        top(counts).into_iter().max_by_key(|(_, n)| *n).unwrap().0
    };
    let assignee = data
        .tasks
        .iter()
        .find_map(|t| text(t, "assignedTo"))
        .unwrap()
        .to_owned();
    let cases = [
        ("365d", 365, None, None),
        ("30d", 30, None, None),
        ("7d", 7, None, None),
        ("365d", 365, Some(busiest_tag.clone()), None),
        ("90d", 90, None, Some(assignee.clone())),
        (
            "365d",
            365,
            Some(busiest_tag.clone()),
            Some(assignee.clone()),
        ),
    ];
    for (period, days, tag, who) in cases {
        let mut form = vec![("period", period)];
        if let Some(tag) = &tag {
            form.push(("tag", tag));
        }
        if let Some(who) = &who {
            form.push(("assignee", who));
        }
        let shown_overview = overview(&browser, &form).await;
        let now = Utc::now();
        let want = Want {
            days,
            tag: tag.clone(),
            assignee: who.clone(),
            window,
        };
        let what = format!("{period} tag={tag:?} assignee={who:?}");
        assert_eq!(
            shown_overview.state,
            switchboard::reports::model::DataState::Ready
        );
        assert!(shown_overview.last_synced.is_some());
        assert_eq!(shown_overview.time_zone, data.zone.name(), "{what}");
        assert_eq!(shown_overview.charts.len(), 5, "{what}");
        for chart in shown_overview.charts.iter().filter(|chart| !chart.empty) {
            assert!(
                chart.svg.starts_with("<svg") && chart.svg.contains("<title>"),
                "{what}: {} is drawn, with hover titles",
                chart.key
            );
        }
        assert_close(
            shown(&shown_overview),
            expected(&data, &want, now, seen_at),
            &what,
            tolerance_hours,
        );

        // The team report counts the same tasks, and each business's contacts.
        let response = browser.call("reports/team", &form).await;
        assert_eq!(response.status(), StatusCode::OK);
        let report: TeamReport = response.json().await.unwrap();
        let expected_now = expected(&data, &want, now, seen_at);
        let per_assignee: BTreeMap<String, (i64, i64, i64)> = report
            .by_assignee
            .iter()
            .map(|row| (row.id.clone(), (row.open, row.overdue, row.completed)))
            .collect();
        let want_assignee: BTreeMap<String, (i64, i64, i64)> = expected_now
            .by_assignee
            .iter()
            .map(|(id, row)| (id.clone(), (row.0, row.1, row.2)))
            .collect();
        assert_eq!(per_assignee, want_assignee, "{what}: team report");
        let per_business: BTreeMap<String, i64> = report
            .by_business
            .iter()
            .filter(|row| row.contacts > 0)
            .map(|row| (row.id.clone(), row.contacts))
            .collect();
        assert_eq!(
            per_business, expected_now.business_contacts,
            "{what}: businesses"
        );
        assert_eq!(
            report.by_business.len(),
            data.businesses.len(),
            "{what}: every business has a row"
        );
        for row in report.by_assignee.iter().filter(|row| !row.id.is_empty()) {
            let user = data
                .users
                .iter()
                .find(|user| user["id"] == row.id.as_str())
                .unwrap();
            assert_eq!(
                Some(row.name.as_str()),
                text(user, "name"),
                "{what}: names from the users"
            );
        }
        assert_eq!(report.assignee_table.rows.len(), report.by_assignee.len());
        assert!(report.assignee_table.csv_href.starts_with("data:text/csv"));
    }
    let narrowed = overview(&browser, &[("period", "365d"), ("tag", &busiest_tag)]).await;
    let everything = overview(&browser, &[("period", "365d")]).await;
    assert!(
        narrowed.figures.contacts_total < everything.figures.contacts_total,
        "the tag filter narrows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_for_members_of_the_team() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let signed_out = Browser::new(&app.base);
    let response = signed_out.call("reports/overview", &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let browser = Browser::new(&app.base);
    let consent = browser.start_sign_in(false).await;
    browser
        .consent(&consent, &locations[0].0, &locations[0].1[0])
        .await;
    let other_team = &locations[1].0;
    for endpoint in ["reports/overview", "reports/team"] {
        let response = browser.call(endpoint, &[("location", other_team)]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{endpoint}");
        let body = response.text().await.unwrap();
        assert!(body.contains("not a member"), "{body}");
    }

    // Once a member of the second team too (as HighLevel users of a whole
    // company are), its reports open and the location control offers both.
    sqlx::query("INSERT INTO teams (location_id, name) VALUES ($1, 'Second team')")
        .bind(other_team)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO memberships (user_id, location_id, role) SELECT id, $1, 'viewer' FROM users",
    )
    .bind(other_team)
    .execute(&app.db)
    .await
    .unwrap();
    let response = browser
        .call("reports/overview", &[("location", other_team)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let overview: Overview = response.json().await.unwrap();
    assert_eq!(&overview.location_id, other_team);
    assert_eq!(
        overview.state,
        switchboard::reports::model::DataState::NotConnected
    );
    assert_eq!(overview.teams.len(), 2);
}
