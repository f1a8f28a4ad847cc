//! The engine: one minijinja environment per team, holding the filters and
//! the limits, that runs a mapping's expressions over an event and words
//! whatever goes wrong for the person building the mapping.

use std::io;
use std::panic::{self, AssertUnwindSafe};

use minijinja::value::Value;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};
use serde_json::Value as Json;

use super::build::{Applied, Draft};
use super::limits::{self, FUEL, MAX_TEXT, RECURSION};
use super::targets::{self, Slot, Target};
use super::{
    body, filters, CustomField, FieldRule, IdentifyBy, Mapping, MappingContext, Preview, Problem,
    WriteMode,
};

/// Where a problem is in an expression: line and column, from 1.
type Position = Option<(usize, usize)>;

/// Runs mappings for one team. Building it registers the filters once;
/// each run compiles the mapping's expressions, which is cheap.
pub struct Engine {
    env: Environment<'static>,
    context: MappingContext,
}

/// A mapping being run over one event.
struct Pass<'c> {
    draft: Draft,
    /// Each rule's slot, with the rule's index.
    slots: Vec<(Slot<'c>, usize)>,
    problems: Vec<Problem>,
}

/// A mapping run over one event.
struct Run {
    applied: Applied,
    fills_contact: bool,
    values: Vec<Option<String>>,
    problems: Vec<Problem>,
}

impl Engine {
    pub fn new(context: &MappingContext) -> Self {
        let mut env = Environment::empty();
        // Event bodies differ from one event to the next: a missing field
        // (or a field of a missing object) reads as nothing, not an error.
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(RECURSION);
        // Debug information copies the source into every error; positions come without it.
        env.set_debug(false);
        env.set_formatter(|out, _, value| {
            out.write_str(&filters::text(value))
                .map_err(|_| Error::from(ErrorKind::WriteFailure))
        });
        filters::register(&mut env, context);
        Self {
            env,
            context: context.clone(),
        }
    }

    /// See [`super::preview`].
    pub fn preview(&self, mapping: &Mapping, sample: &Json) -> Preview {
        let run = self.run(mapping, sample);
        Preview {
            contact: run.fills_contact.then_some(run.applied.contact),
            task: run.applied.task,
            note: run.applied.note,
            values: run.values,
            problems: run.problems,
        }
    }

    /// See [`super::apply`].
    pub fn apply(&self, mapping: &Mapping, body: &Json) -> Result<Applied, Vec<Problem>> {
        let run = self.run(mapping, body);
        if run.problems.is_empty() {
            Ok(run.applied)
        } else {
            Err(run.problems)
        }
    }

    fn run(&self, mapping: &Mapping, event: &Json) -> Run {
        let root = body::root(event.clone());
        let mut pass = Pass {
            draft: Draft::new(&self.context.location_id),
            slots: Vec::new(),
            problems: Vec::new(),
        };
        let values = (mapping.rules.iter().enumerate())
            .map(|(index, rule)| self.rule(&mut pass, index, rule, &root))
            .collect();
        let check = Check {
            rules: &mapping.rules,
            slots: &pass.slots,
            draft: &pass.draft,
        };
        let mut wide = check.identity(&self.context.custom_fields, &mapping.identify_by);
        wide.extend(check.task());
        // A rule that already has a problem is not also called empty.
        wide.retain(|new| {
            new.rule.is_none() || !pass.problems.iter().any(|old| old.rule == new.rule)
        });
        pass.problems.extend(wide);
        let (applied, fills_contact) = pass.draft.finish();
        Run {
            applied,
            fills_contact,
            values,
            problems: pass.problems,
        }
    }

    /// Runs one rule into the pass; its text, unless the expression failed.
    fn rule<'c>(
        &'c self,
        pass: &mut Pass<'c>,
        index: usize,
        rule: &FieldRule,
        root: &Value,
    ) -> Option<String> {
        let mut report = |message, position| {
            pass.problems.push(Problem {
                rule: Some(index),
                target: rule.target.clone(),
                message,
                position,
            });
        };
        let target = targets::parse(&rule.target, &self.context.custom_fields)
            .map_err(|message| report(message, None))
            .ok();
        if let Some(target) = target {
            let earlier = pass.slots.iter().find(|(slot, _)| *slot == target.slot);
            if let Some(message) = misuse(target, rule.mode, earlier.map(|&(_, at)| at)) {
                report(message, None);
            }
        }
        let text = self
            .render(&rule.expression, root)
            .map_err(|(message, position)| report(message, position))
            .ok();
        let value = match (target, &text) {
            (Some(target), Some(text)) => targets::to_json(target.kind, text, &self.context)
                .map_err(|message| report(message, None))
                .ok()
                .flatten(),
            _ => None,
        };
        if let Some(target) = target {
            pass.slots.push((target.slot, index));
            pass.draft.target(target.slot);
            if let Some(value) = value {
                pass.draft.write(target.slot, rule.mode, value);
            }
        }
        text
    }

    /// What an expression makes of `data`, or why it makes nothing, in
    /// words that say where: what automations' steps and filters use.
    pub fn text(&self, source: &str, data: &Json) -> Result<String, String> {
        self.render(source, &body::root(data.clone()))
            .map_err(|(message, position)| match position {
                Some((line, column)) => format!("{message} (line {line}, column {column})"),
                None => message,
            })
    }

    /// What an expression makes of the event, or why it makes nothing.
    pub(super) fn render(&self, source: &str, root: &Value) -> Result<String, (String, Position)> {
        limits::check(source).map_err(|refusal| {
            let position = refusal.offset.map(|at| position(source, at));
            (refusal.message, position)
        })?;
        // minijinja panics on some odd input (`loop.cycle()` divides by
        // zero); that must cost the expression, not the request.
        panic::catch_unwind(AssertUnwindSafe(|| self.evaluate(source, root))).unwrap_or_else(|_| {
            Err((
                "This cannot be worked out: check the filters and brackets.".into(),
                None,
            ))
        })
    }

    fn evaluate(&self, source: &str, root: &Value) -> Result<String, (String, Position)> {
        let template = self
            .env
            .template_from_str(source)
            .map_err(|err| describe(&err, source))?;
        let mut out = Bounded::default();
        match template.render_captured_to(root, &mut out) {
            Ok(_) => Ok(out.text),
            Err(_) if out.overflowed => {
                Err((format!("This makes more than {MAX_TEXT} characters."), None))
            }
            Err(err) => Err(describe(&err, source)),
        }
    }
}

/// A rule that writes in a way its field does not allow, or fills a field
/// an earlier rule (`earlier`, an index) fills.
fn misuse(target: Target, mode: WriteMode, earlier: Option<usize>) -> Option<String> {
    let tags = target.slot == Slot::Contact("tags");
    let new_each_time = matches!(target.slot, Slot::Task(_) | Slot::Note);
    match (mode, earlier) {
        (WriteMode::Append, _) if !tags => Some(
            "Only tags can be added to: replace this field, or fill it only when it is empty."
                .into(),
        ),
        (WriteMode::OnlyIfEmpty, _) if new_each_time => Some(
            "A task or a note is new each time, so “only if empty” is for contact fields.".into(),
        ),
        (_, Some(row)) if !tags => Some(format!("Row {} fills this field already.", row + 1)),
        _ => None,
    }
}

/// The problems of the mapping as a whole.
struct Check<'a, 'c> {
    rules: &'a [FieldRule],
    slots: &'a [(Slot<'c>, usize)],
    draft: &'a Draft,
}

impl Check<'_, '_> {
    /// The field contacts are found by: a rule must fill it, and the event
    /// must give it a value.
    fn identity(&self, fields: &[CustomField], identify_by: &IdentifyBy) -> Vec<Problem> {
        let key = targets::identity_key(fields, identify_by);
        let Ok(target) = targets::parse(&key, fields) else {
            let message = format!(
                "This HighLevel location has no custom field with the key “{}” to find contacts by.",
                key.trim_start_matches("contact.customField.")
            );
            return vec![wide(&key, message)];
        };
        let what = match target.slot {
            Slot::Custom(field) => format!("the custom field “{}”", field.name),
            Slot::Contact("phone") => "the phone".into(),
            _ => "the email".into(),
        };
        let reason = "contacts are found by it";
        match self.rule_for(target.slot) {
            None => vec![wide(&key, format!("Add a field for {what}: {reason}."))],
            Some(index) => self
                .empty(index, target.slot, &what, reason)
                .into_iter()
                .collect(),
        }
    }

    /// A task needs a title (without one the event makes no task) and a due date.
    fn task(&self) -> Vec<Problem> {
        if !self
            .slots
            .iter()
            .any(|(slot, _)| matches!(slot, Slot::Task(_)))
        {
            return Vec::new();
        }
        let reason = "a task needs one";
        let mut problems = Vec::new();
        for (slot, key, what) in [
            (Slot::Task("title"), "task.title", "the task's title"),
            (Slot::Task("dueDate"), "task.dueDate", "the task's due date"),
        ] {
            if self.rule_for(slot).is_none() {
                problems.push(wide(key, format!("Add a field for {what}: {reason}.")));
            }
        }
        if let Some(index) = self.rule_for(Slot::Task("dueDate")) {
            if self.draft.has(Slot::Task("title")) {
                problems.extend(self.empty(
                    index,
                    Slot::Task("dueDate"),
                    "the task's due date",
                    reason,
                ));
            }
        }
        problems
    }

    fn rule_for(&self, slot: Slot) -> Option<usize> {
        self.slots
            .iter()
            .find(|(filled, _)| *filled == slot)
            .map(|&(_, index)| index)
    }

    /// A problem on rule `index` when the event leaves its `slot` empty.
    fn empty(&self, index: usize, slot: Slot, what: &str, reason: &str) -> Option<Problem> {
        (!self.draft.has(slot)).then(|| Problem {
            rule: Some(index),
            target: self.rules[index].target.clone(),
            message: format!(
                "{} is empty in this event, and {reason}.",
                capitalized(what)
            ),
            position: None,
        })
    }
}

fn wide(target: &str, message: String) -> Problem {
    Problem {
        rule: None,
        target: target.to_owned(),
        message,
        position: None,
    }
}

/// A minijinja error in words, and where it is in `source`.
fn describe(err: &Error, source: &str) -> (String, Position) {
    let range = err
        .range()
        .filter(|range| source.get(range.clone()).is_some());
    let named = range.clone().map_or("", |range| source[range].trim());
    let message = match err.kind() {
        ErrorKind::SyntaxError => format!(
            "This is not written right here: {}.",
            err.detail().unwrap_or("something is missing")
        ),
        ErrorKind::UnknownFilter => format!(
            "There is no filter called “{named}”. The filters are {}.",
            filters::NAMES
        ),
        ErrorKind::UnknownFunction | ErrorKind::UnknownMethod => {
            "Expressions read the event and cannot call functions: use filters, like {{ data.name | upper }}.".into()
        }
        ErrorKind::OutOfFuel => {
            "This takes too many steps, so it was stopped: look for loops over long lists.".into()
        }
        _ if err.detail().is_some_and(|detail| detail.starts_with("recursion limit")) => {
            "This nests too deep, so it was stopped.".into()
        }
        _ => match err.detail() {
            Some(detail) => sentence(detail),
            None => sentence(&format!("this cannot be worked out ({})", err.kind())),
        },
    };
    (message, range.map(|range| position(source, range.start)))
}

/// `text` with a capital and a full stop.
fn sentence(text: &str) -> String {
    let stop = if text.ends_with(['.', '!', '?']) {
        ""
    } else {
        "."
    };
    format!("{}{stop}", capitalized(text))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The line and column (from 1, in characters) of a byte offset.
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Output that refuses to grow past [`MAX_TEXT`] characters.
#[derive(Default)]
struct Bounded {
    text: String,
    characters: usize,
    overflowed: bool,
}

impl io::Write for Bounded {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let piece = String::from_utf8_lossy(bytes);
        self.characters += piece.chars().count();
        if self.characters > MAX_TEXT {
            self.overflowed = true;
            return Err(io::Error::other("too long"));
        }
        self.text.push_str(&piece);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use serde_json::json;

    use super::*;
    use crate::apps::mapping::{preview, CustomField};
    use crate::zone::TeamZone;

    fn context() -> MappingContext {
        MappingContext {
            location_id: "loc1".into(),
            country: Some("AU".into()),
            zone: TeamZone::named("Australia/Sydney"),
            custom_fields: vec![CustomField {
                id: "cf1".into(),
                key: "contact.member_id".into(),
                name: "Member ID".into(),
                data_type: "TEXT".into(),
            }],
            ..MappingContext::default()
        }
    }

    fn sample() -> Json {
        json!({"data": {"member": {"id": 42, "email": "mary@example.com", "mobile": "0412 345 678",
            "note": "call me", "born": "03/02/1990", "long": "x".repeat(500), "list": (0..100).collect::<Vec<_>>()}}})
    }

    fn rule(target: &str, expression: &str) -> FieldRule {
        FieldRule {
            target: target.into(),
            expression: expression.into(),
            mode: WriteMode::Overwrite,
        }
    }

    fn mapping(rules: Vec<FieldRule>) -> Mapping {
        let mut all = vec![rule("contact.email", "{{ data.member.email }}")];
        all.extend(rules);
        Mapping {
            identify_by: IdentifyBy::Email,
            rules: all,
        }
    }

    /// The problems of a mapping with the email rule and `rules`.
    fn problems(rules: Vec<FieldRule>) -> Vec<Problem> {
        preview(&mapping(rules), &sample(), &context()).problems
    }

    fn one(target: &str, expression: &str) -> (String, Position) {
        let mut found = problems(vec![rule(target, expression)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let problem = found.remove(0);
        assert_eq!(problem.rule, Some(1));
        assert_eq!(problem.target, target);
        (problem.message, problem.position)
    }

    #[test]
    fn a_good_mapping_has_no_problems() {
        let rules = vec![
            rule("contact.phone", "{{ data.member.mobile }}"),
            rule("contact.source", "Clubworx"),
            rule("contact.customField.member_id", "{{ data.member.id }}"),
        ];
        let shown = preview(&mapping(rules.clone()), &sample(), &context());
        assert_eq!(shown.problems, []);
        assert_eq!(
            shown.values,
            [
                Some("mary@example.com".to_owned()),
                Some("0412 345 678".to_owned()),
                Some("Clubworx".to_owned()),
                Some("42".to_owned()),
            ]
        );
        assert_eq!(
            shown.contact,
            Some(json!({"locationId": "loc1", "email": "mary@example.com",
                "phone": "+61412345678", "source": "Clubworx",
                "customFields": [{"id": "cf1", "field_value": "42"}]}))
        );
        let applied = Engine::new(&context()).apply(&mapping(rules), &sample());
        assert_eq!(
            applied.map(|applied| applied.contact),
            Ok(shown.contact.unwrap())
        );
    }

    #[test]
    fn the_body_has_the_shape_of_the_client_s_upsert() {
        let rules = vec![
            rule("contact.tags", "member, vip"),
            rule("contact.dnd", "no"),
            rule(
                "contact.dateOfBirth",
                "{{ data.member.born | date(from='%d/%m/%Y') }}",
            ),
        ];
        let contact = preview(&mapping(rules), &sample(), &context())
            .contact
            .unwrap();
        let typed: crate::highlevel::models::UpsertContact =
            serde_json::from_value(contact.clone()).unwrap();
        assert_eq!(serde_json::to_value(typed).unwrap(), contact);
    }

    #[test]
    fn a_syntax_error_says_where() {
        assert_eq!(
            one("contact.firstName", "Hi\n  {{ data.member.name | lower( }}"),
            (
                "This is not written right here: unexpected `}`.".into(),
                Some((2, 32))
            )
        );
        assert_eq!(
            one("contact.firstName", "{{ data.member.name "),
            (
                "This is not written right here: unexpected end of input, expected end of variable block.".into(),
                Some((1, 16))
            )
        );
    }

    #[test]
    fn a_filter_error_says_where() {
        assert_eq!(
            one("contact.phone", "{{ data.member.note | e164 }}"),
            (
                "“call me” is not a phone number we can call: check the digits.".into(),
                Some((1, 23))
            )
        );
    }

    #[test]
    fn unknown_filters_and_functions_are_named() {
        let (message, position) = one("contact.city", "{{ data.member.city | shout }}");
        assert_eq!(position, Some((1, 23)));
        assert!(
            message.starts_with("There is no filter called “shout”. The filters are trim, lower,")
        );
        let (message, _) = one("contact.city", "{{ range(10) }}");
        assert_eq!(
            message,
            "Expressions read the event and cannot call functions: use filters, like {{ data.name | upper }}."
        );
    }

    #[test]
    fn refused_blocks_and_multiplying_say_where() {
        assert_eq!(
            one("contact.city", "{% set x = 'a' %}{{ x }}"),
            (
                "Only {% if %} and {% for %} blocks can be used here, not {% set %}.".into(),
                Some((1, 4))
            )
        );
        assert_eq!(
            one("contact.city", "{{ 'ab' * 100000000 }}"),
            (
                "Multiplying with * is not available in mappings.".into(),
                Some((1, 9))
            )
        );
    }

    #[test]
    fn a_huge_loop_is_stopped() {
        let loops = "{% for a in data.member.list %}{% for b in data.member.list %}{% for c in data.member.list %}{{ c }}{% endfor %}{% endfor %}{% endfor %}";
        let started = Instant::now();
        let (message, _) = one("note.body", loops);
        assert_eq!(
            message,
            "This takes too many steps, so it was stopped: look for loops over long lists."
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn deep_recursion_is_stopped() {
        let mut deep = json!([]);
        for _ in 0..200 {
            deep = json!([{"children": deep}]);
        }
        let body = json!({"data": {"member": {"email": "a@b.co"}, "deep": deep}});
        let expression = "{% for x in data.deep recursive %}.{{ loop(x.children) }}{% endfor %}";
        let shown = preview(
            &mapping(vec![rule("note.body", expression)]),
            &body,
            &context(),
        );
        assert_eq!(shown.problems.len(), 1);
        assert_eq!(
            shown.problems[0].message,
            "This nests too deep, so it was stopped."
        );
    }

    #[test]
    fn long_output_is_stopped() {
        let expression = "{% for a in data.member.list %}{{ data.member.long }}{% endfor %}";
        assert_eq!(
            one("note.body", expression),
            (format!("This makes more than {MAX_TEXT} characters."), None)
        );
    }

    #[test]
    fn values_that_are_not_of_their_field_say_so() {
        assert_eq!(
            one("contact.phone", "{{ data.member.note }}"),
            (
                "“call me” is not a phone number we can call: check the digits.".into(),
                None
            )
        );
        assert_eq!(
            one("contact.dateOfBirth", "{{ data.member.born }}").0,
            "“03/02/1990” is not a date written year-month-day (1990-02-03): convert it, for example with | date(from=\"%d/%m/%Y\")."
        );
        let found = preview(
            &mapping(vec![rule("contact.email", "not an email")]),
            &sample(),
            &context(),
        )
        .problems;
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].message, "Row 1 fills this field already.");
        assert_eq!(found[1].message, "“not an email” is not an email address.");
        let by_phone = Mapping {
            identify_by: IdentifyBy::Phone,
            rules: vec![
                rule("contact.email", "not an email"),
                rule("contact.phone", "{{ data.member.mobile }}"),
            ],
        };
        let found = preview(&by_phone, &sample(), &context()).problems;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "“not an email” is not an email address.");
    }

    #[test]
    fn targets_and_modes_that_do_not_fit_say_so() {
        assert_eq!(
            one("contact.customField.belt", "black").0,
            "This HighLevel location has no custom field with the key “belt”."
        );
        assert_eq!(
            one("contact.nickname", "Mo").0,
            "“contact.nickname” is not a field Switchboard can fill."
        );
        let mut append = rule("contact.city", "Perth");
        append.mode = WriteMode::Append;
        let found = problems(vec![append]);
        assert_eq!(
            found[0].message,
            "Only tags can be added to: replace this field, or fill it only when it is empty."
        );
        let mut note = rule("note.body", "Joined");
        note.mode = WriteMode::OnlyIfEmpty;
        let found = problems(vec![note]);
        assert_eq!(
            found[0].message,
            "A task or a note is new each time, so “only if empty” is for contact fields."
        );
        let mut tags = rule("contact.tags", "a");
        tags.mode = WriteMode::Append;
        assert_eq!(problems(vec![tags.clone(), tags]), []);
    }

    #[test]
    fn the_field_contacts_are_found_by_is_required() {
        let none = Mapping {
            identify_by: IdentifyBy::Email,
            rules: vec![rule("contact.city", "Perth")],
        };
        let found = preview(&none, &sample(), &context()).problems;
        assert_eq!(
            found,
            [Problem {
                rule: None,
                target: "contact.email".into(),
                message: "Add a field for the email: contacts are found by it.".into(),
                position: None,
            }]
        );
        let empty = Mapping {
            identify_by: IdentifyBy::Phone,
            rules: vec![rule("contact.phone", "{{ data.member.landline }}")],
        };
        let found = preview(&empty, &sample(), &context()).problems;
        assert_eq!(found[0].rule, Some(0));
        assert_eq!(
            found[0].message,
            "The phone is empty in this event, and contacts are found by it."
        );
        let by_id = |key: &str, rules| Mapping {
            identify_by: IdentifyBy::ExternalId {
                custom_field: key.into(),
            },
            rules,
        };
        let found = preview(
            &by_id("member_id", vec![rule("contact.customField.member_id", "")]),
            &sample(),
            &context(),
        )
        .problems;
        assert_eq!(
            found[0].message,
            "The custom field “Member ID” is empty in this event, and contacts are found by it."
        );
        let found = preview(&by_id("member_id", vec![]), &sample(), &context()).problems;
        assert_eq!(
            found[0].message,
            "Add a field for the custom field “Member ID”: contacts are found by it."
        );
        let found = preview(&by_id("belt", vec![]), &sample(), &context()).problems;
        assert_eq!(
            found[0].message,
            "This HighLevel location has no custom field with the key “belt” to find contacts by."
        );
    }

    #[test]
    fn a_task_needs_a_title_and_a_due_date() {
        let found = problems(vec![rule("task.body", "Details")]);
        let messages: Vec<&str> = found.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Add a field for the task's title: a task needs one.",
                "Add a field for the task's due date: a task needs one."
            ]
        );
        let found = problems(vec![
            rule("task.title", "Call {{ data.member.email }}"),
            rule("task.dueDate", "{{ data.member.due }}"),
        ]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule, found[0].message.as_str()),
            (
                Some(2),
                "The task's due date is empty in this event, and a task needs one."
            )
        );
        let shown = preview(
            &mapping(vec![
                rule("task.title", "Call"),
                rule("task.dueDate", "2026-03-02 09:30"),
            ]),
            &sample(),
            &context(),
        );
        assert_eq!(shown.problems, []);
        assert_eq!(
            shown.task,
            Some(json!({"title": "Call", "dueDate": "2026-03-01T22:30:00Z", "completed": false}))
        );
    }

    #[test]
    fn apply_refuses_an_event_with_problems() {
        let bad = mapping(vec![rule("contact.phone", "{{ data.member.note }}")]);
        let refused = apply_with(&bad, &sample());
        assert_eq!(refused.map_err(|problems| problems.len()), Err(1));
    }

    fn apply_with(mapping: &Mapping, body: &Json) -> Result<Applied, Vec<Problem>> {
        crate::apps::mapping::apply(mapping, body, &context())
    }

    #[test]
    fn nothing_makes_the_preview_panic() {
        let odd = [
            "",
            "{{",
            "}}",
            "{%",
            "{% for %}",
            "{% endfor %}",
            "{{ data[ }}",
            "\u{0}{{ \u{0} }}",
            "{{ 'é' ~ }}",
            "é{{ é }}",
            "{% if data %}{% else %}",
            "{{ data.member.list[-1] }}",
            "{{ data.member.list | join | split | first | date }}",
            "{{ 1 / 0 }}",
            "{{ 10 // 0 }}",
            "{{ data.member.list[99999999999999999999] }}",
            "{{ data | length }}{{ data }}",
            "{{ data.member.list | lookup('x') }}",
            "{{ '%' | date(from='%') }}",
            "{#",
            "{% raw %}",
            "{{ data.member.id | date(to='%') }}",
            "{{ -9223372036854775808 - 1 }}",
            "{{ 2 ** 2 }}",
            "{% for x in data %}{{ loop.cycle() }}{% endfor %}",
            "{{ data.member.email[0:1000000] }}",
        ];
        let bodies = [
            sample(),
            json!(null),
            json!([1]),
            json!({"data": null}),
            json!("x"),
        ];
        for expression in odd {
            for target in [
                "contact.email",
                "contact.dnd",
                "contact.customField.member_id",
                "task.dueDate",
                "x",
            ] {
                for body in &bodies {
                    let shown = preview(&mapping(vec![rule(target, expression)]), body, &context());
                    assert!(!is_valid_for(&shown) || shown.problems.is_empty());
                }
            }
        }
    }

    fn is_valid_for(shown: &Preview) -> bool {
        crate::apps::mapping::is_valid(shown)
    }

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(position("ab\ncé{{", 6), (2, 3));
        assert_eq!(position("x", 0), (1, 1));
        assert_eq!(position("x", 99), (1, 2));
    }
}
