//! A field mapping over a Clubworx-like member event: the exact requests it
//! makes, and the problems a person sees for a mistyped expression, a custom
//! field the location does not have and a number nobody can call.

use serde_json::{json, Value};
use switchboard::apps::mapping::{
    self, CustomField, FieldRule, IdentifyBy, Mapping, MappingContext, Problem, WriteMode,
};
use switchboard::zone::TeamZone;

fn member_event() -> Value {
    json!({
        "event": "member.updated",
        "id": "evt_01HQ7X2M9K",
        "created_at": "2026-03-02T09:15:00+11:00",
        "data": {
            "member": {
                "id": 58123,
                "first_name": "Mary",
                "last_name": "Nguyen",
                "email": "MARY@Example.COM ",
                "mobile": "0412 345 678",
                "status": "Active",
                "date_of_birth": "1990-02-03",
                "address": {"street": "12 Beach Rd", "suburb": "Bondi", "state": "NSW", "postcode": "2026"},
                "membership": {"plan": "Unlimited", "started_on": "2026-03-01"},
                "emergency_contact": null,
                "marketing_opt_out": false
            },
            "location": {"name": "Bondi Beach"}
        }
    })
}

fn context() -> MappingContext {
    let field = |id: &str, key: &str, name: &str, data_type: &str| CustomField {
        id: id.into(),
        key: key.into(),
        name: name.into(),
        data_type: data_type.into(),
    };
    let status = [("Active", "member"), ("Suspended", "on hold")]
        .map(|(from, to)| (from.to_owned(), to.to_owned()));
    MappingContext {
        location_id: "ve9EPM428h8vShlRW1KT".into(),
        country: Some("AU".into()),
        zone: TeamZone::named("Australia/Sydney"),
        custom_fields: vec![
            field(
                "cfMember",
                "contact.clubworx_member_id",
                "Clubworx member ID",
                "TEXT",
            ),
            field(
                "cfPlan",
                "contact.membership_plan",
                "Membership plan",
                "SINGLE_OPTIONS",
            ),
        ],
        lookups: [("status".to_owned(), status.into_iter().collect())].into(),
    }
}

fn rule(target: &str, expression: &str, mode: WriteMode) -> FieldRule {
    FieldRule {
        target: target.into(),
        expression: expression.into(),
        mode,
    }
}

fn member_mapping() -> Mapping {
    use WriteMode::{Append, OnlyIfEmpty, Overwrite};
    Mapping {
        identify_by: IdentifyBy::Email,
        rules: vec![
            rule(
                "contact.firstName",
                "{{ data.member.first_name }}",
                Overwrite,
            ),
            rule("contact.lastName", "{{ data.member.last_name }}", Overwrite),
            rule(
                "contact.email",
                "{{ data.member.email | trim | lower }}",
                Overwrite,
            ),
            rule(
                "contact.phone",
                "{{ data.member.mobile | e164 }}",
                Overwrite,
            ),
            rule(
                "contact.dateOfBirth",
                "{{ data.member.date_of_birth }}",
                OnlyIfEmpty,
            ),
            rule(
                "contact.address1",
                "{{ data.member.address.street }}",
                Overwrite,
            ),
            rule(
                "contact.city",
                "{{ data.member.address.suburb }}",
                Overwrite,
            ),
            rule(
                "contact.state",
                "{{ data.member.address.state }}",
                Overwrite,
            ),
            rule(
                "contact.postalCode",
                "{{ data.member.address.postcode }}",
                Overwrite,
            ),
            rule("contact.country", "AU", OnlyIfEmpty),
            rule("contact.source", "Clubworx", OnlyIfEmpty),
            rule(
                "contact.tags",
                "{{ data.member.status | lookup(\"status\") }}",
                Append,
            ),
            rule(
                "contact.dnd",
                "{{ data.member.marketing_opt_out }}",
                Overwrite,
            ),
            rule(
                "contact.customField.clubworx_member_id",
                "{{ data.member.id }}",
                OnlyIfEmpty,
            ),
            rule(
                "contact.customField.membership_plan",
                "{{ data.member.membership.plan }}",
                Overwrite,
            ),
            rule(
                "task.title",
                "Welcome {{ data.member.first_name }} to {{ data.location.name }}",
                Overwrite,
            ),
            rule(
                "task.dueDate",
                "{{ data.member.membership.started_on }}",
                Overwrite,
            ),
            rule(
                "note.body",
                "{{ data.member.emergency_contact | default('No emergency contact given.') }}",
                Overwrite,
            ),
        ],
    }
}

fn expected_upsert() -> Value {
    json!({
        "locationId": "ve9EPM428h8vShlRW1KT",
        "firstName": "Mary",
        "lastName": "Nguyen",
        "email": "mary@example.com",
        "phone": "+61412345678",
        "dateOfBirth": "1990-02-03",
        "address1": "12 Beach Rd",
        "city": "Bondi",
        "state": "NSW",
        "postalCode": "2026",
        "country": "AU",
        "source": "Clubworx",
        "tags": ["member"],
        "dnd": false,
        "customFields": [
            {"id": "cfMember", "field_value": "58123"},
            {"id": "cfPlan", "field_value": "Unlimited"}
        ]
    })
}

#[test]
fn a_member_event_becomes_the_exact_upsert_task_and_note() {
    let shown = mapping::preview(&member_mapping(), &member_event(), &context());
    assert_eq!(shown.problems, []);
    assert!(mapping::is_valid(&shown));
    assert_eq!(shown.contact, Some(expected_upsert()));
    // The membership starts on 1 March: the task is due at 9:00 in Sydney.
    assert_eq!(
        shown.task,
        Some(
            json!({"title": "Welcome Mary to Bondi Beach", "dueDate": "2026-02-28T22:00:00Z", "completed": false})
        )
    );
    assert_eq!(
        shown.note,
        Some(json!({"body": "No emergency contact given."}))
    );
    assert_eq!(shown.values[2].as_deref(), Some("mary@example.com"));
}

#[test]
fn a_real_event_applies_the_same_way_and_respects_the_contact_s_own_values() {
    let applied = mapping::apply(&member_mapping(), &member_event(), &context()).unwrap();
    assert_eq!(applied.contact, expected_upsert());
    let existing = json!({
        "id": "c1", "email": "mary@example.com", "source": "Website form", "country": "AU",
        "dateOfBirth": null, "tags": ["lead"],
        "customFields": [{"id": "cfMember", "value": "58123"}, {"id": "cfPlan", "value": "Casual"}]
    });
    let mut expected = expected_upsert();
    let fields = expected.as_object_mut().unwrap();
    fields.remove("source");
    fields.remove("country");
    fields.insert("tags".into(), json!(["lead", "member"]));
    fields.insert(
        "customFields".into(),
        json!([{"id": "cfPlan", "field_value": "Unlimited"}]),
    );
    assert_eq!(applied.for_existing(&existing), expected);
}

#[test]
fn mistakes_show_next_to_their_fields() {
    let mut broken = member_mapping();
    broken.rules[0].expression = "{{ data.member.first_name | title }".into();
    broken.rules[3].expression =
        "{{ data.member.emergency_contact | default('call reception') }}".into();
    broken.rules.push(rule(
        "contact.customField.belt_colour",
        "{{ data.member.belt }}",
        WriteMode::Overwrite,
    ));
    let shown = mapping::preview(&broken, &member_event(), &context());
    assert!(!mapping::is_valid(&shown));
    assert_eq!(
        shown.problems,
        [
            Problem {
                rule: Some(0),
                target: "contact.firstName".into(),
                message: "This is not written right here: unexpected `}`, expected end of variable block.".into(),
                position: Some((1, 35)),
            },
            Problem {
                rule: Some(3),
                target: "contact.phone".into(),
                message: "“call reception” is not a phone number we can call: check the digits.".into(),
                position: None,
            },
            Problem {
                rule: Some(18),
                target: "contact.customField.belt_colour".into(),
                message: "This HighLevel location has no custom field with the key “belt_colour”.".into(),
                position: None,
            },
        ]
    );
    // The rest of the request is still shown, without the broken fields.
    let contact = shown.contact.unwrap();
    assert_eq!(contact["email"], "mary@example.com");
    assert!(contact.get("firstName").is_none() && contact.get("phone").is_none());
    assert_eq!(
        mapping::apply(&broken, &member_event(), &context()).map_err(|problems| problems.len()),
        Err(3)
    );
}

#[test]
fn a_phone_filter_error_points_at_the_filter() {
    let mut broken = member_mapping();
    broken.rules[3].expression = "{{ data.member.status | e164 }}".into();
    let shown = mapping::preview(&broken, &member_event(), &context());
    assert_eq!(
        shown.problems,
        [Problem {
            rule: Some(3),
            target: "contact.phone".into(),
            message: "“Active” is not a phone number we can call: check the digits.".into(),
            position: Some((1, 25)),
        }]
    );
}
