//! Who an event is about, so runs about one person start in the order their
//! events arrived. Apps name people differently, so the first of these
//! found, at any depth (shallowest first), is used: an e-mail, then a
//! phone, then an id of a contact or member. An event with none of them is
//! about no one in particular and is not held behind others.

use serde_json::Value as Json;

/// Field names read, best first, with how each is kept.
const NAMES: [(&str, Kind); 9] = [
    ("email", Kind::Email),
    ("emailAddress", Kind::Email),
    ("email_address", Kind::Email),
    ("phone", Kind::Phone),
    ("mobile", Kind::Phone),
    ("contactId", Kind::Id),
    ("contact_id", Kind::Id),
    ("memberId", Kind::Id),
    ("member_id", Kind::Id),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Email,
    Phone,
    Id,
}

/// Deepest level looked at.
const DEPTH: usize = 4;

/// The event's subject, such as `email:ana@example.com`.
pub fn of_event(body: &Json) -> Option<String> {
    NAMES.iter().find_map(|(name, kind)| {
        let value = find(body, name, 0)?;
        match kind {
            Kind::Email => Some(format!("email:{}", value.trim().to_lowercase())),
            Kind::Phone => {
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                (digits.len() >= 6).then(|| format!("phone:{digits}"))
            }
            Kind::Id => Some(format!("id:{}", value.trim())),
        }
    })
}

/// The text at the shallowest field called `name`.
fn find<'a>(value: &'a Json, name: &str, depth: usize) -> Option<&'a str> {
    let Json::Object(fields) = value else {
        return None;
    };
    if let Some(text) = fields
        .get(name)
        .and_then(Json::as_str)
        .filter(|t| !t.trim().is_empty())
    {
        return Some(text);
    }
    if depth >= DEPTH {
        return None;
    }
    fields
        .values()
        .find_map(|child| find(child, name, depth + 1))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_email_anywhere_names_the_person() {
        let body = json!({"event": "member.updated", "data": {"member": {"id": "m1", "email": " Ana@Example.com "}}});
        assert_eq!(of_event(&body).as_deref(), Some("email:ana@example.com"));
    }

    #[test]
    fn a_phone_or_an_id_does_when_there_is_no_email() {
        let body = json!({"contact": {"phone": "+61 400 123 456"}});
        assert_eq!(of_event(&body).as_deref(), Some("phone:61400123456"));
        let body = json!({"task": {"title": "Call", "memberId": "M-9"}});
        assert_eq!(of_event(&body).as_deref(), Some("id:M-9"));
        assert_eq!(of_event(&json!({"total": 3})), None);
    }
}
