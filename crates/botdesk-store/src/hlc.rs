//! Hybrid logical clock values: what sync compares to decide which of two changes of a row
//! wins. A value is milliseconds since the epoch, a counter for changes within the same
//! millisecond (or while the wall clock is behind a value already seen), and the device that
//! made the change; written `PPPPPPPPPPPPP-CCCCCC-device` with fixed widths, so that text order
//! is clock order with the device breaking ties. The server writes the same form
//! (`botdesk_sync.server_hlc`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The largest millisecond value the 13-digit field holds (year 2286).
const MAX_MS: u64 = 9_999_999_999_999;
const MAX_COUNTER: u32 = 999_999;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub ms: u64,
    pub counter: u32,
    pub device: String,
}

/// A text that is not a clock value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a clock value (PPPPPPPPPPPPP-CCCCCC-device)")]
pub struct InvalidHlc(pub String);

impl Hlc {
    /// The value for a change made now (`now_ms`) on `device`, after `last` (the latest value
    /// this store issued or saw): later than `last` even when the wall clock is behind it.
    pub fn next(last: Option<&Hlc>, now_ms: u64, device: &str) -> Hlc {
        let now_ms = now_ms.min(MAX_MS);
        match last {
            Some(l) if l.ms >= now_ms => {
                if l.counter < MAX_COUNTER {
                    Hlc {
                        ms: l.ms,
                        counter: l.counter + 1,
                        device: device.to_owned(),
                    }
                } else {
                    Hlc {
                        ms: (l.ms + 1).min(MAX_MS),
                        counter: 0,
                        device: device.to_owned(),
                    }
                }
            }
            _ => Hlc {
                ms: now_ms,
                counter: 0,
                device: device.to_owned(),
            },
        }
    }

    /// The later of two values, by the clock's own order.
    pub fn max(a: Hlc, b: Hlc) -> Hlc {
        if b > a { b } else { a }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:06}-{}", self.ms, self.counter, self.device)
    }
}

impl FromStr for Hlc {
    type Err = InvalidHlc;
    fn from_str(s: &str) -> Result<Hlc, InvalidHlc> {
        let bad = || InvalidHlc(s.chars().take(80).collect());
        let (ms, rest) = s.split_at_checked(13).ok_or_else(bad)?;
        let rest = rest.strip_prefix('-').ok_or_else(bad)?;
        let (counter, rest) = rest.split_at_checked(6).ok_or_else(bad)?;
        let device = rest.strip_prefix('-').ok_or_else(bad)?;
        if !ms.bytes().all(|b| b.is_ascii_digit())
            || !counter.bytes().all(|b| b.is_ascii_digit())
            || device.is_empty()
        {
            return Err(bad());
        }
        Ok(Hlc {
            ms: ms.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            device: device.to_owned(),
        })
    }
}

impl Ord for Hlc {
    /// The text order, which is what the server compares.
    fn cmp(&self, other: &Hlc) -> Ordering {
        (self.ms, self.counter, &self.device).cmp(&(other.ms, other.counter, &other.device))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Hlc) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hlc {
        s.parse().unwrap()
    }

    #[test]
    fn text_order_is_clock_order() {
        let values = [
            "1764800000000-000000-b",
            "1764800000000-000001-a",
            "1764800000001-000000-a",
            "1764800000000-000000-a",
        ];
        let mut by_text: Vec<&str> = values.to_vec();
        by_text.sort();
        let mut by_clock: Vec<Hlc> = values.iter().map(|v| h(v)).collect();
        by_clock.sort();
        let by_clock: Vec<String> = by_clock.iter().map(Hlc::to_string).collect();
        assert_eq!(by_text, by_clock);
        assert_eq!(h(values[0]).to_string(), values[0], "round trip");
    }

    #[test]
    fn the_next_value_is_later_than_anything_seen_even_with_the_clock_behind() {
        let seen = h("1764800000500-000007-other");
        let next = Hlc::next(Some(&seen), 1_764_800_000_000, "me");
        assert!(next > seen);
        assert_eq!(next.to_string(), "1764800000500-000008-me");
        let later = Hlc::next(Some(&next), 1_764_800_000_900, "me");
        assert_eq!(later.to_string(), "1764800000900-000000-me");
        assert_eq!(
            Hlc::next(None, 5, "me").to_string(),
            "0000000000005-000000-me"
        );
        let full = Hlc {
            ms: 10,
            counter: MAX_COUNTER,
            device: "x".into(),
        };
        assert!(Hlc::next(Some(&full), 1, "me") > full);
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            "",
            "yesterday",
            "176480000000-000000-a",
            "1764800000000-00000a-a",
            "1764800000000-000000-",
            "1764800000000_000000_a",
        ] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad}");
        }
    }
}
