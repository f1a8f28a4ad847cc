//! Numbers as the pages write them.

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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(thousands(0u32), "0");
        assert_eq!(thousands(999i64), "999");
        assert_eq!(thousands(200_000u64), "200,000");
        assert_eq!(thousands(-1_234_567i64), "-1,234,567");
    }
}
