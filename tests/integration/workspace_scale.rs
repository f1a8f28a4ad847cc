//! The contact list at 100,000 contacts: every filter shape answers over
//! real HTTP, and its plan uses the cache's indexes. Prints the timings and
//! plans (run with `--nocapture` to read them); the speed targets are in
//! `benches/dashboard.rs`, not here.

use crate::common;
use crate::workspace_support;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::browser::demo_locations;
use serde_json::{json, Value};
use switchboard::cache::{self, ContactRecord};
use switchboard::workspace::contacts::explain;
use switchboard::workspace::filter::ContactFilter;
use workspace_support::{ok_json, signed_in};

const CONTACTS: usize = 100_000;
const BATCH: usize = 5_000;

const FIRST: [&str; 8] = ["Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana"];
const SOURCES: [&str; 5] = ["walk-in", "website", "facebook", "referral", "instagram"];
const TAGS: [&str; 6] = ["member", "trial", "vip", "lapsed", "kids", "pt-client"];

fn contact(location_id: &str, n: usize) -> ContactRecord {
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let tags: Vec<&str> = TAGS
        .iter()
        .enumerate()
        .filter(|(i, _)| (n + i).is_multiple_of(i + 2))
        .map(|(_, t)| *t)
        .collect();
    let document = json!({
        "id": format!("c{n:06}"),
        "firstName": FIRST[n % FIRST.len()],
        "lastName": format!("Member{n:06}"),
        "email": format!("member{n:06}@example.com"),
        "phone": format!("+1555{n:07}"),
        "source": SOURCES[n % SOURCES.len()],
        "assignedTo": format!("u{}", n % 5),
        "tags": tags,
        "dateAdded": (start + chrono::Duration::minutes(n as i64 * 7)).to_rfc3339(),
    });
    ContactRecord::from_document(location_id, document).unwrap()
}

#[tokio::test]
async fn every_filter_is_served_by_an_index_at_100k_contacts() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let loading = Instant::now();
    for start in (0..CONTACTS).step_by(BATCH) {
        let batch: Vec<ContactRecord> = (start..start + BATCH)
            .map(|n| contact(&location_id, n))
            .collect();
        cache::upsert(&app.db, &batch).await.unwrap();
    }
    sqlx::query("ANALYZE cache_contacts")
        .execute(&app.db)
        .await
        .unwrap();
    println!("loaded {CONTACTS} contacts in {:?}", loading.elapsed());
    let browser = signed_in(&app, &location_id, &users[0], false).await;

    let started = Instant::now();
    let choices = ok_json(browser.call("contacts/choices", &[]).await).await;
    let elapsed = started.elapsed();
    println!(
        "filter choices ({} tags, {} sources) in {elapsed:?} over HTTP",
        choices["tags"].as_array().unwrap().len(),
        choices["sources"].as_array().unwrap().len()
    );
    assert_eq!(choices["tags"].as_array().unwrap().len(), TAGS.len());
    let mut sources = SOURCES.map(Value::from).to_vec();
    sources.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    assert_eq!(
        choices["sources"].as_array().unwrap(),
        &sources,
        "every source once, in order"
    );

    let shapes = [
        ("first page by name", json!({})),
        ("newest first", json!({"sort": "added"})),
        ("page 500 by name", json!({"page": 500})),
        ("search 'member0421'", json!({"q": "member0421"})),
        ("search 'ann'", json!({"q": "ann"})),
        ("search 'a' (word starts)", json!({"q": "a"})),
        ("search 'zq' (word starts, none)", json!({"q": "zq"})),
        ("tag vip", json!({"tag": "vip"})),
        (
            "tag + source + assignee",
            json!({"tag": "trial", "source": "website", "assignee": "u1"}),
        ),
        (
            "added in March 2024, newest first",
            json!({"added_from": "2024-03-01", "added_to": "2024-03-31", "sort": "added"}),
        ),
        (
            "tag vip, sorted by date",
            json!({"tag": "vip", "sort": "added"}),
        ),
    ];
    for (label, filter) in shapes {
        let mut best = Duration::MAX;
        let mut answer = serde_json::Value::Null;
        for _ in 0..3 {
            let started = Instant::now();
            answer = ok_json(
                browser
                    .http
                    .post(format!("{}/api/contacts/list", app.base))
                    .json(&json!({ "filter": filter }))
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            best = best.min(started.elapsed());
        }
        println!(
            "{label}: {} matches, page in {best:?} over HTTP",
            answer["total"]
        );
        let valid = serde_json::from_value::<ContactFilter>(filter)
            .unwrap()
            .validate(|day| day.and_time(chrono::NaiveTime::MIN).and_utc())
            .unwrap();
        let plan = explain(&app.db, &location_id, &valid).await.unwrap();
        println!("  {}", plan.join("\n  "));
        let plan = plan.join("\n");
        assert!(plan.contains("Index"), "{label} uses an index:\n{plan}");
    }
}
