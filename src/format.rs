//! Numbers and bodies as the pages write them, and cells as spreadsheets
//! may read them.

/// 1234567 → "1,234,567"; any integer type.
pub fn thousands(number: impl Into<i128>) -> String {
    let number = number.into();
    let digits = number.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if number < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A cell a spreadsheet would run as a formula is kept as text with a
/// leading apostrophe: one starting with `=`, `@`, a tab or a carriage
/// return, or with `+` or `-` followed by more than a number (a phone in
/// E.164, `+15125550100`, stays as it is).
pub fn spreadsheet_safe(value: &str) -> String {
    let signed_number =
        |rest: &str| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.');
    let formula = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !signed_number(&value[1..]),
        _ => false,
    };
    if formula {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// Bytes as lowercase hexadecimal (digests, signatures).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A body as people read it: indented when it is JSON, as text otherwise.
pub fn pretty_json(raw: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(raw)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned())
}

#[cfg(test)]
mod tests {
    use super::{spreadsheet_safe, thousands};

    #[test]
    fn formulas_are_kept_as_text_and_numbers_stay() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            spreadsheet_safe("-2+3+cmd|' /C calc'!A0"),
            "'-2+3+cmd|' /C calc'!A0"
        );
        assert_eq!(spreadsheet_safe("+15125550100"), "+15125550100");
        assert_eq!(spreadsheet_safe("-3.5"), "-3.5");
        assert_eq!(spreadsheet_safe("Ann"), "Ann");
    }

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(thousands(0u32), "0");
        assert_eq!(thousands(999i64), "999");
        assert_eq!(thousands(200_000u64), "200,000");
        assert_eq!(thousands(-1_234_567i64), "-1,234,567");
    }
}
