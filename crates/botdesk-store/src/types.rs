//! The value types every table shares: `Id` (a UUID stored as text), `Timestamp` (RFC 3339
//! UTC with milliseconds, so text order is time order), the injectable `Clock`, and `Actor`,
//! who a change is recorded against in the audit trail.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::Mutex;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A row id: a UUID, stored as its 36-character hyphenated text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// A new time-ordered id (UUID v7) for `now`: ids made later sort later, which keeps
    /// inserts at the end of the primary-key index.
    pub fn new_at(now: Timestamp) -> Id {
        let nanos = now.0.unix_timestamp_nanos();
        let secs = nanos.div_euclid(1_000_000_000) as u64;
        let subsec = nanos.rem_euclid(1_000_000_000) as u32;
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, subsec);
        Id(uuid::Uuid::new_v7(ts))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Id, uuid::Error> {
        uuid::Uuid::try_parse(s).map(Id)
    }
}

impl ToSql for Id {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Id {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Id> {
        let text = value.as_str()?;
        text.parse().map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// A point in time, always UTC, with millisecond precision.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn from_datetime(at: OffsetDateTime) -> Timestamp {
        let at = at.to_offset(UtcOffset::UTC);
        // Truncate to milliseconds: what the text form holds is what the value is.
        let millis = at.millisecond();
        Timestamp(
            at.replace_nanosecond(u32::from(millis) * 1_000_000)
                .unwrap_or(at),
        )
    }

    pub fn from_unix_millis(millis: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .ok()
            .map(Timestamp)
    }

    pub fn unix_millis(self) -> i64 {
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }

    pub fn datetime(self) -> OffsetDateTime {
        self.0
    }

    pub fn plus(self, duration: time::Duration) -> Timestamp {
        Timestamp(self.0 + duration)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = time::error::Parse;
    fn from_str(s: &str) -> Result<Timestamp, Self::Err> {
        OffsetDateTime::parse(s, &Rfc3339).map(Timestamp::from_datetime)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Timestamp {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Timestamp> {
        value
            .as_str()?
            .parse()
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// Where time comes from. Rules never read the system clock themselves, so tests can fix it.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(OffsetDateTime::now_utc())
    }
}

/// A clock that only moves when told to: for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<Timestamp>>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now = now.plus(by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Who acts: recorded as `actor` on every audit row the change produces.
///
/// The text form is `kind:detail`, e.g. `desktop:amina`, `api_key:3f2a…`, `job:media_processing/…`,
/// `cli:migrate`, `system:seed`, `sync:<device>`. Changes made outside botdesk (the sqlite3
/// shell) are recorded as `sql:unknown`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The person at the desktop app, by their OS user name.
    Desktop(String),
    /// An HTTP client, by the id of the API key it presented.
    ApiKey(String),
    /// An HTTP client on loopback when no API key exists.
    Local,
    /// A queued job, by queue and job id.
    Job { queue: String, id: String },
    /// The command-line tool, by subcommand.
    Cli(String),
    /// Sync applying another device's change.
    Sync(String),
    /// botdesk itself (seeding, retention, migrations).
    System(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Desktop(user) => write!(f, "desktop:{user}"),
            Actor::ApiKey(id) => write!(f, "api_key:{id}"),
            Actor::Local => write!(f, "local"),
            Actor::Job { queue, id } => write!(f, "job:{queue}/{id}"),
            Actor::Cli(command) => write!(f, "cli:{command}"),
            Actor::Sync(device) => write!(f, "sync:{device}"),
            Actor::System(what) => write!(f, "system:{what}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_rfc3339_millis_and_round_trip() {
        let at: Timestamp = "2026-11-25T18:25:35.123456+02:00".parse().unwrap();
        assert_eq!(at.to_string(), "2026-11-25T16:25:35.123Z");
        assert_eq!(at.to_string().parse::<Timestamp>().unwrap(), at);
        assert_eq!(Timestamp::from_unix_millis(at.unix_millis()).unwrap(), at);
    }

    #[test]
    fn ids_made_later_sort_later() {
        let t: Timestamp = "2026-01-01T00:00:00.000Z".parse().unwrap();
        let a = Id::new_at(t);
        let b = Id::new_at(t.plus(time::Duration::milliseconds(1)));
        assert!(a.to_string() < b.to_string());
        assert_eq!(a.to_string().parse::<Id>().unwrap(), a);
    }
}
