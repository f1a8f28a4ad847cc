//! Every template agrees with itself: its fields are exactly the sample's
//! values, its mappings name known targets and listed fields, and the event
//! type sits where the template says.

use std::collections::BTreeSet;

use super::paths::{leaf_paths, values_at};
use super::*;

fn every_event() -> impl Iterator<Item = (Template, EventTemplate)> {
    AppKind::ALL.into_iter().flat_map(|kind| {
        let template = template(kind);
        template
            .events
            .clone()
            .into_iter()
            .map(move |event| (template.clone(), event))
    })
}

fn name(template: &Template, event: &EventTemplate) -> String {
    format!("{} {}", template.kind.key(), event.key)
}

#[test]
fn every_field_is_in_the_sample_and_every_value_is_a_field() {
    for (template, event) in every_event() {
        let listed: Vec<&str> = event.fields.iter().map(|f| f.path.as_str()).collect();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(
            unique.len(),
            listed.len(),
            "{}: a field twice",
            name(&template, &event)
        );
        for path in &listed {
            assert!(
                !values_at(&event.sample, path).is_empty(),
                "{}: {path} is not in the sample",
                name(&template, &event)
            );
        }
        let leaves: BTreeSet<String> = leaf_paths(&event.sample).into_iter().collect();
        let listed: BTreeSet<String> = listed.iter().map(|path| (*path).to_owned()).collect();
        assert_eq!(leaves, listed, "{}", name(&template, &event));
    }
}

#[test]
fn listed_kinds_are_those_the_sample_shows() {
    for (template, event) in every_event() {
        for derived in derive_fields(&event.sample) {
            let listed = event.fields.iter().find(|f| f.path == derived.path);
            assert_eq!(
                listed.map(|f| f.kind),
                Some(derived.kind),
                "{}: {}",
                name(&template, &event),
                derived.path
            );
        }
    }
}

/// The body paths an expression reads: the start of each `{{ … }}` up to
/// its first filter, with `fields["A b"]` read as `fields.A b`.
fn paths_read(expression: &str) -> Vec<String> {
    expression
        .split("{{")
        .skip(1)
        .filter_map(|block| block.split("}}").next())
        .map(|block| {
            block
                .split('|')
                .next()
                .unwrap_or_default()
                .trim()
                .replace("[\"", ".")
                .replace("\"]", "")
        })
        .collect()
}

#[test]
fn mappings_fill_known_targets_from_listed_fields() {
    for (template, event) in every_event() {
        let targets: Vec<&str> = event
            .default_mapping
            .iter()
            .map(|(target, _)| target.as_str())
            .collect();
        let unique: BTreeSet<&str> = targets.iter().copied().collect();
        assert_eq!(
            unique.len(),
            targets.len(),
            "{}: a target twice",
            name(&template, &event)
        );
        assert!(
            !targets.is_empty(),
            "{}: no mapping",
            name(&template, &event)
        );
        for (target, expression) in &event.default_mapping {
            assert!(
                TARGETS.contains(&target.as_str()),
                "unknown target {target}"
            );
            for path in paths_read(expression) {
                let listed = event
                    .fields
                    .iter()
                    .any(|f| f.path == path || f.path.starts_with(&format!("{path}[]")));
                assert!(listed, "{}: {target} reads {path}", name(&template, &event));
            }
        }
    }
}

#[test]
fn the_event_type_is_where_the_template_says() {
    for (template, event) in every_event() {
        match &template.event_type_from {
            EventTypeSource::BodyField(path) => assert_eq!(
                values_at(&event.sample, path),
                [&serde_json::Value::String(event.key.clone())],
                "{}",
                name(&template, &event)
            ),
            EventTypeSource::Header(header) => assert!(!header.is_empty()),
            EventTypeSource::Fixed(key) => assert_eq!(key, &event.key),
        }
    }
}

#[test]
fn each_app_has_its_event_types() {
    let keys = |kind: AppKind| -> Vec<String> {
        template(kind).events.into_iter().map(|e| e.key).collect()
    };
    assert_eq!(
        keys(AppKind::Clubworx),
        [
            "member.created",
            "member.updated",
            "task.created",
            "note.added",
            "signup.created"
        ]
    );
    assert_eq!(
        keys(AppKind::ClubOs),
        [
            "member.created",
            "member.updated",
            "member.tagged",
            "task.created",
            "note.created"
        ]
    );
    assert_eq!(
        keys(AppKind::GymFlow),
        [
            "contact.created",
            "contact.updated",
            "tag.added",
            "tag.removed",
            "task.created",
            "note.created"
        ]
    );
    assert_eq!(
        keys(AppKind::ConvertCalculator),
        ["submission.created", "quote.accepted"]
    );
    assert_eq!(
        keys(AppKind::Workiom),
        [
            "contact.created",
            "contact.updated",
            "task.created",
            "note.created",
            "business.created"
        ]
    );
    assert_eq!(keys(AppKind::Generic), ["event"]);
}

#[test]
fn apps_are_told_apart_and_their_keys_read_back() {
    let colours: BTreeSet<&str> = AppKind::ALL.iter().map(|kind| kind.colour()).collect();
    assert_eq!(colours.len(), AppKind::ALL.len());
    for kind in AppKind::ALL {
        assert_eq!(AppKind::from_key(kind.key()), Some(kind));
        assert_eq!(serde_json::json!(kind), kind.key());
        assert!(kind.colour().starts_with('#') && kind.colour().len() == 7);
        assert!(kind.tagline().ends_with('.'));
    }
    assert_eq!(AppKind::from_key("hubspot"), None);
}

#[test]
fn every_example_says_real_payloads_vary() {
    for (template, event) in every_event() {
        assert!(template.note.contains("vary by account"));
        assert!(event.sample_note.contains("vary by account"));
        assert!(event.sample_note.contains(&event.label));
    }
}

#[test]
fn templates_survive_a_round_trip_through_json() {
    for kind in AppKind::ALL {
        let template = template(kind);
        let text = serde_json::to_string(&template).unwrap();
        let back: Template = serde_json::from_str(&text).unwrap();
        assert_eq!(back, template);
    }
    let signing = serde_json::to_value(template(AppKind::GymFlow).signing).unwrap();
    assert_eq!(
        signing,
        serde_json::json!({
            "mode": "hmac_sha256",
            "header": "X-GymFlow-Signature",
            "encoding": "hex",
            "prefix": "sha256="
        })
    );
}

#[test]
fn every_starting_mapping_previews_its_sample_without_a_problem() {
    use crate::apps::mapping::{self, MappingContext};
    let context = MappingContext {
        location_id: "loc".into(),
        country: Some("US".into()),
        ..MappingContext::default()
    };
    for (template, event) in every_event() {
        let preview = mapping::preview(&event.starting_mapping(), &event.sample, &context);
        assert!(
            preview.problems.is_empty(),
            "{}: {:?}",
            name(&template, &event),
            preview.problems
        );
        assert!(
            preview.contact.is_some(),
            "{}: no contact",
            name(&template, &event)
        );
    }
}
