//! What an attempt does to its endpoint: a success clears the failure streak; a failure starts
//! it (or keeps it); `410 Gone` disables the endpoint at once, and failing without a single
//! success for `disable_after` disables it too, with the reason the owner is shown. Plain
//! values in, plain values out: the caller reads and writes the row.

use std::fmt::Display;
use std::time::Duration;

/// How an attempt ended, as the endpoint's health sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempted {
    Delivered,
    Failed,
    /// The receiver answered 410 Gone: the endpoint no longer exists.
    Gone,
}

/// The part of an endpoint its health decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health<T> {
    pub enabled: bool,
    /// Since when every attempt has failed.
    pub failing_since: Option<T>,
}

/// The endpoint after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterAttempt<T> {
    pub failing_since: Option<T>,
    /// Set when this attempt disables the endpoint: why, in the owner's words.
    pub disabled_reason: Option<String>,
}

impl<T: PartialEq> AfterAttempt<T> {
    /// Whether the endpoint's row must be written.
    pub fn changes(&self, before: &Health<T>) -> bool {
        self.disabled_reason.is_some() || self.failing_since != before.failing_since
    }
}

/// The endpoint after an attempt that ended `attempted` at `now`. `failing_for` is how long
/// the endpoint has been failing before this attempt (zero when it was healthy).
pub fn after_attempt<T: Copy + Display>(
    before: &Health<T>,
    attempted: Attempted,
    now: T,
    failing_for: Duration,
    disable_after: Duration,
) -> AfterAttempt<T> {
    if attempted == Attempted::Delivered {
        return AfterAttempt {
            failing_since: None,
            disabled_reason: None,
        };
    }
    let since = before.failing_since.unwrap_or(now);
    let disabled_reason = if !before.enabled {
        None
    } else if attempted == Attempted::Gone {
        Some("the receiver answered 410 Gone: the endpoint no longer exists".to_owned())
    } else if failing_for >= disable_after {
        Some(format!(
            "every delivery failed since {since} ({} hours without a success)",
            disable_after.as_secs() / 3600
        ))
    } else {
        None
    };
    AfterAttempt {
        failing_since: Some(since),
        disabled_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);
    const FIVE_DAYS: Duration = Duration::from_secs(5 * 24 * 3600);

    fn healthy() -> Health<i64> {
        Health {
            enabled: true,
            failing_since: None,
        }
    }

    #[test]
    fn a_success_clears_the_streak_and_a_first_failure_starts_it() {
        let failing = Health {
            enabled: true,
            failing_since: Some(100),
        };
        let after = after_attempt(&failing, Attempted::Delivered, 200, DAY, FIVE_DAYS);
        assert_eq!(after.failing_since, None);
        assert!(after.changes(&failing));
        let after = after_attempt(
            &healthy(),
            Attempted::Delivered,
            200,
            Duration::ZERO,
            FIVE_DAYS,
        );
        assert!(
            !after.changes(&healthy()),
            "healthy and delivered: nothing to write"
        );

        let after = after_attempt(
            &healthy(),
            Attempted::Failed,
            300,
            Duration::ZERO,
            FIVE_DAYS,
        );
        assert_eq!(after.failing_since, Some(300));
        assert_eq!(after.disabled_reason, None);
        assert!(after.changes(&healthy()));
        let again = after_attempt(&failing, Attempted::Failed, 300, DAY, FIVE_DAYS);
        assert_eq!(again.failing_since, Some(100), "the streak keeps its start");
        assert!(!again.changes(&failing));
    }

    #[test]
    fn gone_disables_at_once_and_days_of_failures_disable_too() {
        let gone = after_attempt(&healthy(), Attempted::Gone, 7, Duration::ZERO, FIVE_DAYS);
        assert!(gone.disabled_reason.unwrap().contains("410 Gone"));

        let failing = Health {
            enabled: true,
            failing_since: Some(42),
        };
        let almost = after_attempt(&failing, Attempted::Failed, 99, FIVE_DAYS - DAY, FIVE_DAYS);
        assert_eq!(almost.disabled_reason, None);
        let over = after_attempt(&failing, Attempted::Failed, 99, FIVE_DAYS, FIVE_DAYS);
        assert_eq!(
            over.disabled_reason.as_deref(),
            Some("every delivery failed since 42 (120 hours without a success)")
        );

        let disabled = Health {
            enabled: false,
            failing_since: Some(42),
        };
        let after = after_attempt(&disabled, Attempted::Gone, 99, FIVE_DAYS, FIVE_DAYS);
        assert_eq!(
            after.disabled_reason, None,
            "a disabled endpoint is not disabled again"
        );
    }
}
