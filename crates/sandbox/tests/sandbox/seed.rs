//! Seeded data: deterministic from the seed, realistic in shape and volume,
//! at any size the demo asks for.

use crate::support as sandbox_support;

use reqwest::Method;
use serde_json::{json, Value};
use switchboard_sandbox::SandboxConfig;

use sandbox_support::*;

async fn first_page(api: &Api) -> Value {
    let token = api.full_token().await;
    let (_, answer) = api
        .post(
            "/contacts/search",
            &token,
            json!({"locationId": api.location_id, "pageLimit": 50}),
        )
        .await;
    answer["contacts"].clone()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let one = start().await;
    let two = start().await;
    assert_eq!(one.location_id, two.location_id);
    assert_eq!(one.company_id, two.company_id);
    assert_eq!(one.running.sandbox().company_id(), one.company_id);
    assert_eq!(first_page(&one).await, first_page(&two).await);
    let other = start_with(SandboxConfig {
        seed: 8,
        ..test_config()
    })
    .await;
    assert_ne!(other.location_id, one.location_id);
}

#[tokio::test]
async fn contacts_look_like_gym_members_and_leads() {
    let api = start().await;
    let contacts = first_page(&api).await;
    let contacts = contacts.as_array().unwrap();
    assert_eq!(contacts.len(), 50);
    let e164 = |phone: &str| {
        phone.len() == 12
            && phone.starts_with("+1")
            && phone[1..].chars().all(|c| c.is_ascii_digit())
    };
    for contact in contacts {
        assert!(
            e164(contact["phone"].as_str().unwrap()),
            "{}",
            contact["phone"]
        );
        assert!(contact["email"].as_str().unwrap().contains('@'));
        assert!(contact["source"].is_string());
        let tags = contact["tags"].as_array().unwrap();
        assert!(tags.contains(&json!("member")) || tags.contains(&json!("lead")));
    }
    let oldest = contacts
        .iter()
        .map(|c| c["dateAdded"].as_str().unwrap())
        .min()
        .unwrap();
    let newest = contacts
        .iter()
        .map(|c| c["dateAdded"].as_str().unwrap())
        .max()
        .unwrap();
    assert!(
        oldest < "2025-06-01" && newest > "2025-12-01",
        "{oldest}..{newest}"
    );
    assert!(contacts
        .iter()
        .any(|c| !c["customFields"].as_array().unwrap().is_empty()));
}

#[tokio::test]
async fn volumes_follow_the_per_contact_ratios() {
    let api = start_with(SandboxConfig {
        contacts: 2_000,
        anchor: None,
        ..test_config()
    })
    .await;
    let (_, stats) = api.control(Method::GET, "/_sandbox/stats", None).await;
    let main = &stats["locations"][0];
    let per_contact = |key: &str| main[key].as_f64().unwrap() / 2_000.0;
    assert_eq!(main["contacts"], 2_000);
    assert!(
        (1.7..2.3).contains(&per_contact("tasks")),
        "tasks {}",
        main["tasks"]
    );
    assert!(
        (0.85..1.15).contains(&per_contact("notes")),
        "notes {}",
        main["notes"]
    );
    assert!((0.4..0.6).contains(&per_contact("appointments")));
    assert!(main["overdueTasks"].as_u64().unwrap() > 50);
    assert!(main["completedTasks"].as_u64().unwrap() > 500);
    assert_eq!(stats["locations"][1]["contacts"], 200);
    assert_eq!(main["calendars"], 3);
}

#[tokio::test]
async fn ten_thousand_contacts_fill_the_first_location_and_a_tenth_the_others() {
    let api = start_with(SandboxConfig {
        contacts: 10_000,
        ..test_config()
    })
    .await;
    let (_, stats) = api.control(Method::GET, "/_sandbox/stats", None).await;
    let contacts: Vec<u64> = stats["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|location| location["contacts"].as_u64().unwrap())
        .collect();
    assert_eq!(contacts, [10_000, 1_000, 1_000]);
}
