//! A customer's WhatsApp number as the Cloud API takes it: E.164, a `+`, the country code and
//! the number, 8 to 15 digits. A local number ("0712 345 678") is refused with the way to write
//! it, never guessed into a country. Store-free: the orders crate of the orders issue takes it.

/// Why a number is not a WhatsApp number, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAWhatsAppNumber(pub String);

/// The number in E.164 (`+254712345678`) from what was typed: spaces, dashes, dots and
/// brackets are dropped, a leading `00` is the international `+`.
pub fn whatsapp_number(typed: &str) -> Result<String, NotAWhatsAppNumber> {
    let compact: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest
    } else if compact.starts_with('0') {
        return Err(NotAWhatsAppNumber(format!(
            "{typed:?} is a local number: write it with its country code, e.g. +254 712 345 678 for 0712 345 678 in Kenya"
        )));
    } else {
        return Err(NotAWhatsAppNumber(format!(
            "{typed:?} needs a + and its country code, e.g. +254 712 345 678"
        )));
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NotAWhatsAppNumber(format!(
            "{typed:?} is not a phone number: only digits after the +"
        )));
    }
    if digits.starts_with('0') {
        return Err(NotAWhatsAppNumber(format!(
            "{typed:?}: a country code never starts with 0"
        )));
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(NotAWhatsAppNumber(format!(
            "{typed:?} has {} digits after the +; a WhatsApp number has 8 to 15",
            digits.len()
        )));
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_are_kept_in_e164() {
        assert_eq!(
            whatsapp_number("+254 712 345 678").unwrap(),
            "+254712345678"
        );
        assert_eq!(
            whatsapp_number("+1 (555) 123-4567").unwrap(),
            "+15551234567"
        );
        assert_eq!(
            whatsapp_number("0044 20 7946 0958").unwrap(),
            "+442079460958"
        );
    }

    #[test]
    fn local_and_broken_numbers_are_refused_saying_how_to_write_them() {
        let local = whatsapp_number("0712 345 678").unwrap_err();
        assert!(local.0.contains("country code"), "{local:?}");
        for bad in [
            "712345678",
            "+0712345678",
            "+25471234567890123",
            "+2547",
            "+254 71x 345",
            "+",
        ] {
            assert!(whatsapp_number(bad).is_err(), "{bad} was taken");
        }
    }
}
