//! The contact list over real HTTP: filters, sort, pages and the CSV export
//! follow the cache rows, and each team sees only its own contacts.

use crate::common;
use crate::workspace_support;

use chrono::{Duration, TimeZone, Utc};
use common::browser::demo_locations;
use serde_json::{json, Value};
use switchboard::cache::{self, Cached, ContactRecord, UserRecord};
use workspace_support::{ok_json, signed_in};

/// 120 contacts: "Member 000" … "Member 119" (+1 512-476-0000 …), one a day
/// from 1 January 2026; every third tagged `vip`, sources alternate `walk-in`
/// and `website`, the even ones assigned to user u1.
fn demo_contacts(location_id: &str) -> Vec<ContactRecord> {
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    (0..120)
        .map(|n| {
            let mut tags = vec!["member".to_owned()];
            if n % 3 == 0 {
                tags.push("vip".into());
            }
            let document = json!({
                "id": format!("c{n:03}"),
                "firstName": "Member",
                "lastName": format!("{n:03}"),
                "email": format!("member{n:03}@example.com"),
                "phone": format!("+1512476{n:04}"),
                "source": if n % 2 == 0 { "walk-in" } else { "website" },
                "assignedTo": if n % 2 == 0 { Some("u1") } else { None },
                "tags": tags,
                "dateAdded": (start + Duration::days(n)).to_rfc3339(),
            });
            ContactRecord::from_document(location_id, document).unwrap()
        })
        .collect()
}

async fn list(app: &common::TestApp, browser: &common::browser::Browser, filter: Value) -> Value {
    ok_json(
        browser
            .http
            .post(format!("{}/api/contacts/list", app.base))
            .json(&json!({ "filter": filter }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn names(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages_the_cache() {
    let app = common::spawn_app(common::test_db().await).await;
    let locations = demo_locations(&app.base).await;
    let (location_id, users) = &locations[0];
    let mut contacts = demo_contacts(location_id);
    // Another team's contact, and a deleted one, are never listed.
    contacts.extend(demo_contacts(&locations[1].0).into_iter().take(1));
    cache::upsert(&app.db, &contacts).await.unwrap();
    cache::mark_deleted(
        &app.db,
        ContactRecord::TABLE,
        location_id,
        &["c119".into()],
        Utc::now(),
    )
    .await
    .unwrap();
    let user =
        UserRecord::from_model(location_id, &json!({"id": "u1", "name": "Coach Kim"})).unwrap();
    cache::upsert(&app.db, &[user]).await.unwrap();
    let browser = signed_in(&app, location_id, &users[0], false).await;

    let first = list(&app, &browser, json!({})).await;
    assert_eq!(first["total"], 119);
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(names(&first)[..2], ["Member 000", "Member 001"]);
    assert_eq!(first["rows"][0]["assignee"], "Coach Kim");
    assert_eq!(first["can_write"], true);

    let last = list(&app, &browser, json!({"page": 2})).await;
    assert_eq!(names(&last).len(), 19);
    assert_eq!(names(&last).last().unwrap(), "Member 118");

    let newest = list(&app, &browser, json!({"sort": "added"})).await;
    assert_eq!(names(&newest)[0], "Member 118", "dates descend by default");
    let by_name_down = list(&app, &browser, json!({"sort": "name", "dir": "desc"})).await;
    assert_eq!(names(&by_name_down)[0], "Member 118");

    let vip = list(&app, &browser, json!({"tag": "vip"})).await;
    assert_eq!(vip["total"], 40);
    assert!(vip["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|row| row["tags"].as_array().unwrap().contains(&json!("vip"))));

    let combined = list(
        &app,
        &browser,
        json!({"tag": "vip", "source": "walk-in", "assignee": "u1"}),
    )
    .await;
    assert_eq!(combined["total"], 20, "multiples of 6 below 119");

    let found = list(&app, &browser, json!({"q": "MEMBER01"})).await;
    assert_eq!(
        found["total"], 10,
        "search is case-blind and matches emails"
    );
    let literal = list(&app, &browser, json!({"q": "member_0"})).await;
    assert_eq!(literal["total"], 0, "an underscore is not a wildcard");
    // One or two letters match the start of a word: "em" is inside every
    // "member" but starts none of their words.
    assert_eq!(list(&app, &browser, json!({"q": "me"})).await["total"], 119);
    assert_eq!(list(&app, &browser, json!({"q": "em"})).await["total"], 0);
    let starting = list(&app, &browser, json!({"q": "01"})).await;
    assert_eq!(starting["total"], 10, "last names 010 to 019");
    assert_eq!(names(&starting)[0], "Member 010");
    // A number is found however it is written, and shown as people write it.
    let by_phone = list(&app, &browser, json!({"q": "(512) 476-0042"})).await;
    assert_eq!(names(&by_phone), ["Member 042"]);
    assert_eq!(by_phone["rows"][0]["phone"], "+1 512-476-0042");

    // 1 January + 31 days is 1 February: Members 031 … 059 are added in February.
    let february = list(
        &app,
        &browser,
        json!({"added_from": "2026-02-01", "added_to": "2026-02-28"}),
    )
    .await;
    assert_eq!(february["total"], 28);
    assert_eq!(names(&february)[0], "Member 031");

    let refused = browser
        .http
        .post(format!("{}/api/contacts/list", app.base))
        .json(&json!({"filter": {"added_from": "1 March"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("2026-11-25"));
}

/// A page is kept while the cache stays as it was: a sync's write or a
/// deletion shows on the next view of the same page.
#[tokio::test]
async fn a_kept_page_gives_way_to_the_next_write() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    cache::upsert(&app.db, &demo_contacts(&location_id))
        .await
        .unwrap();
    let browser = signed_in(&app, &location_id, &users[0], false).await;
    let vip = json!({"tag": "vip"});
    let before = list(&app, &browser, vip.clone()).await;
    assert_eq!(before["total"], 40);
    assert_eq!(names(&before)[0], "Member 000");
    assert_eq!(list(&app, &browser, vip.clone()).await, before, "kept");

    let newcomer = ContactRecord::from_document(
        &location_id,
        json!({"id": "new", "firstName": "Aaron", "lastName": "Abbot", "tags": ["vip"]}),
    )
    .unwrap();
    cache::upsert(&app.db, &[newcomer]).await.unwrap();
    let after = list(&app, &browser, vip.clone()).await;
    assert_eq!(after["total"], 41);
    assert_eq!(names(&after)[0], "Aaron Abbot");

    cache::mark_deleted(
        &app.db,
        ContactRecord::TABLE,
        &location_id,
        &["new".into()],
        Utc::now(),
    )
    .await
    .unwrap();
    let deleted = list(&app, &browser, vip).await;
    assert_eq!(deleted["total"], 40);
    assert_eq!(names(&deleted)[0], "Member 000");
}

#[tokio::test]
async fn an_empty_list_leads_to_the_sync() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let browser = signed_in(&app, &location_id, &users[0], false).await;
    let page = browser.page("/contacts").await;
    let empty = page
        .split_once(r#"data-testid="empty-state""#)
        .and_then(|(_, rest)| rest.split_once("</section>"))
        .map(|(section, _)| section)
        .expect("the list's empty state");
    assert!(empty.contains("No contacts yet"), "{empty}");
    assert!(empty.contains(r#"<a href="/sync""#), "{empty}");
    assert!(empty.contains("Follow the sync"), "{empty}");
}

#[tokio::test]
async fn the_export_follows_the_filter_and_quotes_fields() {
    let app = common::spawn_app(common::test_db().await).await;
    let (location_id, users) = demo_locations(&app.base).await.swap_remove(0);
    let mut contacts = demo_contacts(&location_id);
    let awkward = json!({
        "id": "quoted", "firstName": "Ann, \"The Coach\"", "lastName": "O'Neil",
        "companyName": "Gym\nNorth", "tags": ["vip", "coach"], "dateAdded": "2026-03-01T10:00:00Z"
    });
    contacts.push(ContactRecord::from_document(&location_id, awkward).unwrap());
    // Typed into a HighLevel form by anyone: must not run in a spreadsheet.
    let formula = json!({
        "id": "formula", "firstName": "=HYPERLINK(\"https://evil.example\",\"Open\")",
        "companyName": "@SUM(A1)", "tags": ["vip"], "dateAdded": "2026-03-02T10:00:00Z"
    });
    contacts.push(ContactRecord::from_document(&location_id, formula).unwrap());
    cache::upsert(&app.db, &contacts).await.unwrap();

    let anonymous = common::http()
        .get(format!("{}/contacts/export.csv", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.text().await.unwrap().contains("sign in"));

    let browser = signed_in(&app, &location_id, &users[0], false).await;
    let response = browser
        .http
        .get(format!(
            "{}/contacts/export.csv?tag=vip&sort=added",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "Name");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 42, "40 demo VIPs and the two awkward ones");
    let formula = records
        .iter()
        .find(|record| &record[8] == "formula")
        .unwrap();
    assert!(formula[0].starts_with("'=HYPERLINK("), "{formula:?}");
    assert_eq!(&formula[3], "'@SUM(A1)");
    let awkward = records
        .iter()
        .find(|record| &record[8] == "quoted")
        .unwrap();
    assert_eq!(&awkward[0], "Ann, \"The Coach\" O'Neil");
    assert_eq!(&awkward[3], "Gym\nNorth");
    assert_eq!(&awkward[6], "vip, coach");
    // Newest first, as the list sorts by date added.
    assert_eq!(&records[0][0], "Member 117");
    assert_eq!(&records[0][2], "+15124760117", "numbers export in E.164");

    let bad = browser
        .http
        .get(format!("{}/contacts/export.csv?added_to=soon", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("added to"));
}
