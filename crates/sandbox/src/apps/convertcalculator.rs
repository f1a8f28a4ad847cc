//! Simulated ConvertCalculator: price calculators on a gym's website. Each
//! body is one form submission (the visitor, every answer, the total) with
//! the type in `event`.

use serde_json::{json, Value};

use super::fake::{iso_seconds, Fake};

pub const EVENTS: &[&str] = &["submission.created", "quote.accepted"];

/// A calculator: its name, page and its questions with the possible
/// answers, each adding to the monthly price.
struct Calculator {
    name: &'static str,
    page: &'static str,
    base: f64,
    questions: &'static [(&'static str, &'static [(&'static str, f64)])],
}

const CALCULATORS: [Calculator; 2] = [
    Calculator {
        name: "Membership price calculator",
        page: "https://www.example.com/prices",
        base: 39.0,
        questions: &[
            (
                "Which membership?",
                &[("Off-peak", 0.0), ("Unlimited", 20.0), ("Family", 55.0)],
            ),
            (
                "Sessions with a coach per month",
                &[("0", 0.0), ("2", 30.0), ("4", 55.0)],
            ),
            ("Add the sauna?", &[("No", 0.0), ("Yes", 9.0)]),
        ],
    },
    Calculator {
        name: "Corporate wellness quote",
        page: "https://www.example.com/corporate",
        base: 250.0,
        questions: &[
            (
                "Team size",
                &[("5-10", 0.0), ("11-25", 240.0), ("26-50", 610.0)],
            ),
            (
                "On-site classes per month",
                &[("None", 0.0), ("2", 180.0), ("4", 340.0)],
            ),
        ],
    },
];

const CURRENCIES: [(&str, &str); 3] = [("EUR", "\u{20ac}"), ("USD", "$"), ("GBP", "\u{a3}")];

pub fn body(event: &str, fake: &mut Fake) -> Option<Value> {
    if !EVENTS.contains(&event) {
        return None;
    }
    let calculator = &CALCULATORS[fake.index(CALCULATORS.len())];
    let person = fake.person();
    let mut total = calculator.base;
    let answers: Vec<Value> = calculator
        .questions
        .iter()
        .map(|(question, options)| {
            let (answer, price) = fake.pick(options);
            total += price;
            json!({"question": question, "answer": answer})
        })
        .collect();
    let (currency, symbol) = fake.pick(&CURRENCIES);
    let submitted = fake.recently();
    let mut body = json!({
        "event": event,
        "id": fake.token("sub_", 10),
        "createdAt": iso_seconds(submitted),
        "calculator": {
            "id": fake.token("cc_", 6),
            "name": calculator.name,
            "url": calculator.page
        },
        "contact": {
            "name": person.full_name(),
            "email": person.email(fake, "example.com"),
            "phone": fake.international_phone()
        },
        "answers": answers,
        "total": {"value": total, "currency": currency, "formatted": format!("{symbol}{total:.2}")},
    });
    if event == "quote.accepted" {
        body["quote"] = json!({
            "id": fake.token("qte_", 6),
            "number": format!("Q-{}-{:04}", submitted.format("%Y"), fake.number(1..10_000)),
            "acceptedAt": iso_seconds(fake.now),
            "validUntil": (submitted + chrono::Duration::days(30)).format("%Y-%m-%d").to_string(),
        });
    }
    Some(body)
}
