//! What an app asks for, read from the query string: which lookup, and
//! which lists come with a contact. A parameter that is unknown, repeated
//! or out of bounds is refused with the reason, so that a typo is told
//! rather than silently ignored.

use crate::workspace::phone;

/// Longest contact or business id accepted (HighLevel's are 20 characters).
pub const MAX_ID_LENGTH: usize = 100;
/// Longest lookup value accepted.
const MAX_VALUE_LENGTH: usize = 200;

/// How contacts are looked up: exactly one of these parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Any case.
    Email(String),
    /// E.164, read from what was sent.
    Phone(String),
    /// The contact list's search: name, email, phone or company.
    Search(String),
}

/// The lists that come with a contact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    pub tasks: bool,
    pub notes: bool,
    pub appointments: bool,
}

/// Refuses an empty or overlong id.
pub fn check_id(what: &str, id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err(format!("The {what} id is empty."));
    }
    if id.chars().count() > MAX_ID_LENGTH {
        return Err(format!(
            "The {what} id is longer than {MAX_ID_LENGTH} characters."
        ));
    }
    Ok(())
}

/// Refuses parameters other than `allowed`, and any sent twice.
pub fn only(pairs: &[(String, String)], allowed: &[&str]) -> Result<(), String> {
    for (index, (name, _)) in pairs.iter().enumerate() {
        if !allowed.contains(&name.as_str()) {
            return Err(match allowed {
                [] => format!("Unknown parameter `{name}`: this endpoint takes none."),
                _ => format!(
                    "Unknown parameter `{name}`: this endpoint takes {}.",
                    allowed.join(", ")
                ),
            });
        }
        if pairs[..index].iter().any(|(earlier, _)| earlier == name) {
            return Err(format!("The parameter `{name}` is sent twice."));
        }
    }
    Ok(())
}

impl Lookup {
    pub const PARAMETERS: [&'static str; 3] = ["email", "phone", "q"];

    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, String> {
        only(pairs, &Self::PARAMETERS)?;
        let (name, value) = match pairs {
            [one] => one,
            [] => return Err("Look contacts up by one of email, phone or q.".into()),
            _ => return Err("Send only one of email, phone or q.".into()),
        };
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("The parameter `{name}` is empty."));
        }
        if value.chars().count() > MAX_VALUE_LENGTH {
            return Err(format!(
                "The parameter `{name}` is longer than {MAX_VALUE_LENGTH} characters."
            ));
        }
        match name.as_str() {
            "email" => Ok(Lookup::Email(value.to_owned())),
            "phone" => phone::parse(value, None, None)
                .map(Lookup::Phone)
                .map_err(|problem| format!("phone: {}", problem.message())),
            _ => Ok(Lookup::Search(value.to_owned())),
        }
    }
}

impl Include {
    /// `include=tasks,notes,appointments`, any of them in any order.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, String> {
        only(pairs, &["include"])?;
        let mut include = Include::default();
        let names = pairs.iter().flat_map(|(_, value)| value.split(','));
        for name in names.map(str::trim).filter(|name| !name.is_empty()) {
            match name {
                "tasks" => include.tasks = true,
                "notes" => include.notes = true,
                "appointments" => include.appointments = true,
                other => {
                    return Err(format!(
                        "Unknown include `{other}`: use tasks, notes or appointments."
                    ))
                }
            }
        }
        Ok(include)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_lookup_is_exactly_one_parameter() {
        assert_eq!(
            Lookup::from_pairs(&pairs(&[("email", " Ann@Example.com ")])),
            Ok(Lookup::Email("Ann@Example.com".into()))
        );
        assert_eq!(
            Lookup::from_pairs(&pairs(&[("phone", "+1 (512) 476-0147")])),
            Ok(Lookup::Phone("+15124760147".into()))
        );
        assert_eq!(
            Lookup::from_pairs(&pairs(&[("q", "ann")])),
            Ok(Lookup::Search("ann".into()))
        );
        for wrong in [
            pairs(&[]),
            pairs(&[("email", "a@b.c"), ("q", "ann")]),
            pairs(&[("q", "a"), ("q", "b")]),
            pairs(&[("name", "ann")]),
            pairs(&[("q", "  ")]),
            pairs(&[("phone", "512 476 0147")]),
            pairs(&[("q", &"a".repeat(201))]),
        ] {
            assert!(Lookup::from_pairs(&wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn includes_are_named_lists() {
        assert_eq!(Include::from_pairs(&[]), Ok(Include::default()));
        assert_eq!(
            Include::from_pairs(&pairs(&[("include", "notes, tasks")])),
            Ok(Include {
                tasks: true,
                notes: true,
                appointments: false
            })
        );
        let unknown = Include::from_pairs(&pairs(&[("include", "tasks,invoices")]));
        assert!(unknown.unwrap_err().contains("invoices"));
        assert!(Include::from_pairs(&pairs(&[("expand", "tasks")])).is_err());
    }

    #[test]
    fn ids_are_bounded() {
        assert!(check_id("contact", "abc").is_ok());
        assert!(check_id("contact", "").is_err());
        assert!(check_id("contact", &"x".repeat(100)).is_ok());
        assert!(check_id("contact", &"x".repeat(101)).is_err());
    }
}
