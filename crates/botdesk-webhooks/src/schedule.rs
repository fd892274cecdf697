//! When a failed delivery is tried again: the documented schedule (Standard Webhooks' and
//! Svix's: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then every 10 h up to the
//! attempt limit; with the default 12 attempts about 2.8 days), each delay ±20 % so that a
//! receiver coming back is not hit by every retry in the same second. A receiver that asked for
//! time (`Retry-After`) gets at least that, within bounds; one that answered 429 or timed out
//! gets twice the scheduled delay, at least 30 s.

use std::time::Duration;

/// The delay after the n-th failed attempt (index 0 = after the first attempt).
const SCHEDULE_S: [u64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];
/// Past the schedule: every 10 h.
const LAST_S: u64 = 10 * 3600;
/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Attempts per delivery unless the settings say otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 12;

/// How an attempt failed, as far as the schedule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Refused connection, 5xx, other non-2xx.
    Plain,
    /// 429 Too Many Requests, or no answer within the timeout: the receiver is struggling.
    Overloaded,
}

/// The delay after failed attempt `attempt` (1 = the first), with jitter drawn from `unit`
/// (0.0–1.0: the caller's randomness, fixed in tests).
pub fn delay_after(
    attempt: u32,
    failure: Failure,
    retry_after: Option<Duration>,
    unit: f64,
) -> Duration {
    let index = attempt.saturating_sub(1) as usize;
    let mut base = Duration::from_secs(SCHEDULE_S.get(index).copied().unwrap_or(LAST_S));
    if failure == Failure::Overloaded {
        base = (base * 2).max(Duration::from_secs(30));
    }
    let jittered = base.mul_f64(0.8 + 0.4 * unit.clamp(0.0, 1.0));
    match retry_after {
        Some(asked) => jittered.max(asked.min(MAX_RETRY_AFTER)),
        None => jittered,
    }
}

/// The schedule as the docs and the UI show it.
pub fn documented() -> Vec<Duration> {
    SCHEDULE_S.iter().map(|s| Duration::from_secs(*s)).collect()
}

/// Reads `Retry-After`: seconds, or an HTTP date relative to `now_s`.
pub fn parse_retry_after(value: &str, now_s: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate(value)?;
    Some(Duration::from_secs(at.saturating_sub(now_s).max(0) as u64))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only date form senders must use.
fn httpdate(value: &str) -> Option<i64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let day: i64 = day.parse().ok()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)? as i64
        + 1;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spans_about_three_days_within_20_percent() {
        let secs = |attempt, unit| delay_after(attempt, Failure::Plain, None, unit).as_secs_f64();
        assert_eq!(secs(1, 0.5), 5.0);
        assert_eq!(secs(2, 0.5), 300.0);
        assert_eq!(secs(1, 0.0), 4.0);
        assert_eq!(secs(1, 1.0), 6.0);
        assert_eq!(secs(8, 0.5), 36_000.0);
        assert_eq!(secs(30, 0.5), 36_000.0);
        let total: f64 = (1..DEFAULT_MAX_ATTEMPTS).map(|a| secs(a, 0.5)).sum();
        let days = total / 86_400.0;
        assert!((2.5..3.2).contains(&days), "{days:.2} days");
    }

    #[test]
    fn overload_and_retry_after_wait_longer() {
        let d = |failure, after| delay_after(1, failure, after, 0.5).as_secs();
        assert_eq!(d(Failure::Overloaded, None), 30);
        assert_eq!(d(Failure::Plain, Some(Duration::from_secs(120))), 120);
        // Never shorter than the schedule, never longer than a day.
        assert_eq!(d(Failure::Plain, Some(Duration::from_secs(1))), 5);
        assert_eq!(
            d(Failure::Plain, Some(Duration::from_secs(10 * 86_400))),
            86_400
        );
    }

    #[test]
    fn retry_after_is_read_in_both_forms() {
        assert_eq!(parse_retry_after("120", 0), Some(Duration::from_secs(120)));
        // 1994-11-06T08:49:37Z is 784111777.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 - 60),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 + 60),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("-5", 0), None);
    }
}
