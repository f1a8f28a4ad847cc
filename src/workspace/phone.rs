//! Phone numbers. HighLevel keeps them in E.164 (`+17374463456`); pages show
//! them the way people write them (`+1 737-446-3456`), and a number typed
//! into a form is read in the contact's country when it has no country code.
//! The `phonenumber` crate carries every country's numbering plan, which no
//! hand-written rule would keep up with.

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::LazyLock;

use phonenumber::{country, Mode, PhoneNumber};
use quick_cache::sync::Cache;

/// What a person typed that is not a phone number, in words for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneProblem {
    /// No country code, and no country to read it in.
    NeedsCountryCode,
    /// No such number in its country's numbering plan.
    NotANumber,
}

impl PhoneProblem {
    pub fn message(self) -> &'static str {
        match self {
            PhoneProblem::NeedsCountryCode => {
                "Start the number with its country code, for example +1 512 555 0147."
            }
            PhoneProblem::NotANumber => {
                "This is not a phone number we can call: check the digits, and start with the country code (like +44) for a number abroad."
            }
        }
    }
}

/// Formatted numbers kept: a page of contacts shows the same numbers again
/// and again, and a few megabytes hold the numbers people are looking at.
const KEPT_NUMBERS: usize = 20_000;

/// How pages show a stored number; one that cannot be read is shown as stored.
/// Reading a number against its country's plan runs a dozen regular
/// expressions, a sixth of the server's time for a page of contacts, so each
/// answer is kept.
pub fn display(stored: &str) -> String {
    static SHOWN: LazyLock<Cache<String, String>> = LazyLock::new(|| Cache::new(KEPT_NUMBERS));
    let formatted = SHOWN.get_or_insert_with(stored, || Ok::<_, Infallible>(international(stored)));
    formatted.unwrap_or_else(|never| match never {})
}

/// Reads the numbering plans in before anyone asks. The first number read
/// in a process costs 130 ms in a release build (the plans are loaded, then
/// their country's expressions compiled), which the first page of contacts
/// after a start would otherwise wait for. A North American number, as most
/// teams' are.
pub fn load_numbering_plans() {
    international("+15125550147");
}

fn international(stored: &str) -> String {
    match phonenumber::parse(None, stored) {
        Ok(number) if phonenumber::is_valid(&number) => {
            number.format().mode(Mode::International).to_string()
        }
        _ => stored.to_owned(),
    }
}

/// Reads a typed number into E.164. A number without a country code is read
/// as a number of `country` (an ISO 3166 code such as `US`), else of the
/// country of `current`, the number the contact has now.
pub fn parse(
    typed: &str,
    country: Option<&str>,
    current: Option<&str>,
) -> Result<String, PhoneProblem> {
    let typed = typed.trim();
    let region = country
        .and_then(|code| code.trim().to_uppercase().parse::<country::Id>().ok())
        .or_else(|| current.and_then(country_of));
    if region.is_none() && !typed.starts_with('+') {
        return Err(PhoneProblem::NeedsCountryCode);
    }
    let number = phonenumber::parse(region, typed).map_err(|_| PhoneProblem::NotANumber)?;
    if !phonenumber::is_valid(&number) {
        return Err(PhoneProblem::NotANumber);
    }
    Ok(e164(&number))
}

/// The number an edit form sends: what the contact has when the form still
/// shows it (so an old number HighLevel took is never refused), else the typed
/// number read as [`parse`] does; `None` when the field is empty.
pub fn for_update(
    typed: &str,
    stored: Option<&str>,
    country: Option<&str>,
) -> Result<Option<String>, PhoneProblem> {
    let typed = typed.trim();
    match stored {
        _ if typed.is_empty() => Ok(None),
        Some(stored) if typed == stored || typed == display(stored) => Ok(Some(stored.to_owned())),
        _ => parse(typed, country, stored).map(Some),
    }
}

fn country_of(stored: &str) -> Option<country::Id> {
    phonenumber::parse(None, stored).ok()?.country().id()
}

fn e164(number: &PhoneNumber) -> String {
    number.format().mode(Mode::E164).to_string()
}

/// A search that is written like a phone number (digits, with spaces, dashes,
/// dots, brackets or a plus) looks for its digits, as numbers are stored:
/// `(737) 446-3456` finds `+17374463456`.
pub fn search_digits(words: &str) -> Cow<'_, str> {
    let phone_like = words
        .chars()
        .all(|c| c.is_ascii_digit() || " -.()+".contains(c));
    let digits: String = words.chars().filter(char::is_ascii_digit).collect();
    if phone_like && digits.len() >= 3 && digits.len() < words.len() {
        Cow::Owned(digits)
    } else {
        Cow::Borrowed(words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_numbers_show_the_way_people_write_them() {
        assert_eq!(display("+17374463456"), "+1 737-446-3456");
        assert_eq!(display("+442079460958"), "+44 20 7946 0958");
        assert_eq!(display("call reception"), "call reception");
    }

    #[test]
    fn typed_numbers_are_read_in_the_contact_country() {
        assert_eq!(
            parse("(737) 446-3456", Some("US"), None),
            Ok("+17374463456".to_owned())
        );
        assert_eq!(
            parse("020 7946 0958", Some("gb"), None),
            Ok("+442079460958".to_owned())
        );
        assert_eq!(
            parse("512 476 0147", None, Some("+17374463456")),
            Ok("+15124760147".to_owned())
        );
        assert_eq!(
            parse("+61 412 345 678", None, None),
            Ok("+61412345678".to_owned())
        );
    }

    #[test]
    fn what_is_not_a_number_says_why() {
        assert_eq!(
            parse("737 446 3456", None, None),
            Err(PhoneProblem::NeedsCountryCode)
        );
        assert_eq!(parse("12", Some("US"), None), Err(PhoneProblem::NotANumber));
        assert_eq!(
            parse("call after 5", Some("US"), None),
            Err(PhoneProblem::NotANumber)
        );
    }

    #[test]
    fn an_edit_keeps_the_number_it_was_shown() {
        let stored = Some("+15555550100");
        assert_eq!(
            for_update("+15555550100", stored, None),
            Ok(Some("+15555550100".to_owned()))
        );
        assert_eq!(for_update("  ", stored, None), Ok(None));
        assert_eq!(
            for_update("737-446-3456", Some("+17374463456"), None),
            Ok(Some("+17374463456".to_owned()))
        );
        assert_eq!(
            for_update("12345", stored, Some("US")),
            Err(PhoneProblem::NotANumber)
        );
    }

    #[test]
    fn searches_written_like_numbers_look_for_their_digits() {
        assert_eq!(search_digits("(737) 446-3456"), "7374463456");
        assert_eq!(search_digits("+1 737"), "1737");
        assert_eq!(search_digits("7374"), "7374");
        assert_eq!(search_digits("ann"), "ann");
        assert_eq!(search_digits("a-1"), "a-1");
    }
}
