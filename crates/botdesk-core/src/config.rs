//! Settings: `DATA_DIR/botdesk.toml` when it exists, overridden by `BOTDESK_*` environment
//! variables, overridden by command-line flags. Every bad value is refused with
//! `config.invalid`, naming the setting and where it came from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CoreError;

/// The reverse-DNS identifier of the app. The desktop app keeps its data in the platform's
/// app-data folder under this name (Tauri's `app_data_dir`), and the CLI defaults to the same.
pub const APP_IDENTIFIER: &str = "app.botdesk";

/// The config file's name inside the data dir.
pub const CONFIG_FILE: &str = "botdesk.toml";

/// The platform's app-data folder for botdesk (`~/.local/share/app.botdesk` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// The settings botdesk runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where `botdesk serve` listens.
    pub listen: SocketAddr,
    /// The largest request body the HTTP API accepts, in bytes.
    pub max_body_bytes: u64,
    /// How long a claimed job is held without its worker's heartbeat: after a crash or a kill,
    /// the jobs that were running wait this long before they run again.
    pub queue_lease_seconds: u64,
    /// The largest image accepted (bytes); other media have WhatsApp's own limits.
    pub media_max_image_bytes: u64,
    /// The most megapixels an image may declare (checked from its header, before decoding).
    pub media_max_megapixels: u64,
    /// Attempts per webhook delivery (the schedule spans about three days at 12).
    pub webhook_max_attempts: u64,
    /// An endpoint failing without a single success for this long is disabled (5 days).
    pub webhook_disable_after_hours: u64,
    /// Delivery attempts and events older than this are deleted.
    pub webhook_log_retention_days: u64,
    /// Deliveries to one endpoint in flight at once, so a slow one cannot take every worker.
    pub webhook_endpoint_concurrency: u64,
    /// Lets webhook URLs reach this machine (127.0.0.1, ::1, localhost): for development only.
    pub webhooks_allow_localhost: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            max_body_bytes: 32 * 1024 * 1024,
            queue_lease_seconds: 30,
            media_max_image_bytes: 50 * 1024 * 1024,
            media_max_megapixels: 100,
            webhook_max_attempts: 12,
            webhook_disable_after_hours: 5 * 24,
            webhook_log_retention_days: 30,
            webhook_endpoint_concurrency: 8,
            webhooks_allow_localhost: false,
        }
    }
}

/// The config file as written; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<String>,
    max_body_bytes: Option<u64>,
    queue_lease_seconds: Option<u64>,
    media_max_image_bytes: Option<u64>,
    media_max_megapixels: Option<u64>,
    webhook_max_attempts: Option<u64>,
    webhook_disable_after_hours: Option<u64>,
    webhook_log_retention_days: Option<u64>,
    webhook_endpoint_concurrency: Option<u64>,
    webhooks_allow_localhost: Option<bool>,
}

/// Values given on the command line, which win over everything else.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    pub listen: Option<String>,
}

const MIN_BODY: u64 = 1024;
const MAX_BODY: u64 = 1024 * 1024 * 1024;
const MIN_LEASE: u64 = 2;
const MAX_LEASE: u64 = 3600;

/// Where a setting's value is read from: the file, then the environment (`BOTDESK_<KEY>`).
struct Sources<'a> {
    path: &'a Path,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Sources<'_> {
    fn var(key: &str) -> String {
        format!("BOTDESK_{}", key.to_ascii_uppercase())
    }

    /// A whole number within `range` (`unit` names it in messages): the environment's, else
    /// the file's, else `default`.
    fn number(
        &self,
        key: &'static str,
        from_file: Option<u64>,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
        unit: &str,
    ) -> Result<u64, CoreError> {
        let var = Self::var(key);
        let mut value = from_file.map(|v| (v, format!("{key} in {}", self.path.display())));
        if let Some(text) = (self.env)(&var) {
            let parsed = text.trim().parse::<u64>().map_err(|_| CoreError::Config {
                message: format!("{var} must be a whole number of {unit}, not {text:?}"),
                field: Some(key.into()),
            })?;
            value = Some((parsed, var));
        }
        let Some((v, source)) = value else {
            return Ok(default);
        };
        if !range.contains(&v) {
            return Err(CoreError::Config {
                message: format!(
                    "{source}: {v} is out of range ({} to {} {unit})",
                    range.start(),
                    range.end()
                ),
                field: Some(key.into()),
            });
        }
        Ok(v)
    }

    /// A yes or no: the environment's (`1`, `true`, `yes`, `on` or their opposites), else the
    /// file's, else `default`.
    fn flag(
        &self,
        key: &'static str,
        from_file: Option<bool>,
        default: bool,
    ) -> Result<bool, CoreError> {
        let var = Self::var(key);
        let Some(text) = (self.env)(&var) else {
            return Ok(from_file.unwrap_or(default));
        };
        match text.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(CoreError::Config {
                message: format!("{var} must be true or false, not {text:?}"),
                field: Some(key.into()),
            }),
        }
    }

    /// An address to listen on: the environment's, else the file's, else `default`.
    fn listen(
        &self,
        from_file: Option<&str>,
        default: SocketAddr,
    ) -> Result<SocketAddr, CoreError> {
        let var = Self::var("listen");
        if let Some(text) = (self.env)(&var) {
            return parse_listen(&text, &var);
        }
        match from_file {
            Some(text) => parse_listen(text, &format!("listen in {}", self.path.display())),
            None => Ok(default),
        }
    }
}

impl Config {
    /// Reads the settings for `data_dir` from its file, the environment (`env` is
    /// `std::env::var` outside tests: `BOTDESK_<KEY>` for each key) and `overrides`. Every key
    /// is named here once; the file's struct is taken apart whole, so a key added to it and
    /// not read here does not compile.
    pub fn load(
        data_dir: &Path,
        env: impl Fn(&str) -> Option<String>,
        overrides: &ConfigOverrides,
    ) -> Result<Config, CoreError> {
        let path = data_dir.join(CONFIG_FILE);
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<ConfigFile>(&text).map_err(|e| CoreError::Config {
                message: format!("{} is not valid: {}", path.display(), e.message().trim()),
                field: e.span().map(|_| CONFIG_FILE.to_owned()),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
            Err(e) => {
                return Err(CoreError::Config {
                    message: format!("cannot read {}: {e}", path.display()),
                    field: None,
                });
            }
        };
        // An empty variable is an unset one, as most tools read it.
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let sources = Sources {
            path: &path,
            env: &env,
        };
        let ConfigFile {
            listen,
            max_body_bytes,
            queue_lease_seconds,
            media_max_image_bytes,
            media_max_megapixels,
            webhook_max_attempts,
            webhook_disable_after_hours,
            webhook_log_retention_days,
            webhook_endpoint_concurrency,
            webhooks_allow_localhost,
        } = file;
        let d = Config::default();
        let mut config = Config {
            listen: sources.listen(listen.as_deref(), d.listen)?,
            max_body_bytes: sources.number(
                "max_body_bytes",
                max_body_bytes,
                d.max_body_bytes,
                MIN_BODY..=MAX_BODY,
                "bytes",
            )?,
            queue_lease_seconds: sources.number(
                "queue_lease_seconds",
                queue_lease_seconds,
                d.queue_lease_seconds,
                MIN_LEASE..=MAX_LEASE,
                "seconds",
            )?,
            media_max_image_bytes: sources.number(
                "media_max_image_bytes",
                media_max_image_bytes,
                d.media_max_image_bytes,
                1024..=1024 * 1024 * 1024,
                "bytes",
            )?,
            media_max_megapixels: sources.number(
                "media_max_megapixels",
                media_max_megapixels,
                d.media_max_megapixels,
                1..=1000,
                "megapixels",
            )?,
            webhook_max_attempts: sources.number(
                "webhook_max_attempts",
                webhook_max_attempts,
                d.webhook_max_attempts,
                1..=50,
                "attempts",
            )?,
            webhook_disable_after_hours: sources.number(
                "webhook_disable_after_hours",
                webhook_disable_after_hours,
                d.webhook_disable_after_hours,
                1..=24 * 90,
                "hours",
            )?,
            webhook_log_retention_days: sources.number(
                "webhook_log_retention_days",
                webhook_log_retention_days,
                d.webhook_log_retention_days,
                1..=3650,
                "days",
            )?,
            webhook_endpoint_concurrency: sources.number(
                "webhook_endpoint_concurrency",
                webhook_endpoint_concurrency,
                d.webhook_endpoint_concurrency,
                1..=64,
                "deliveries",
            )?,
            webhooks_allow_localhost: sources.flag(
                "webhooks_allow_localhost",
                webhooks_allow_localhost,
                d.webhooks_allow_localhost,
            )?,
        };
        if let Some(listen) = &overrides.listen {
            config.listen = parse_listen(listen, "--listen")?;
        }
        Ok(config)
    }
}

impl Config {
    /// The media limits this config sets.
    pub fn media_limits(&self) -> botdesk_media::Limits {
        botdesk_media::Limits {
            max_image_bytes: self.media_max_image_bytes,
            max_pixels: self.media_max_megapixels * 1_000_000,
            ..botdesk_media::Limits::default()
        }
    }
}

fn parse_listen(value: &str, source: &str) -> Result<SocketAddr, CoreError> {
    value.trim().parse().map_err(|_| CoreError::Config {
        message: format!(
            "{source}: {value:?} is not an address to listen on; write it as IP:PORT, \
             e.g. 127.0.0.1:8787"
        ),
        field: Some("listen".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn file_then_environment_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "listen = \"127.0.0.1:9000\"\nmax_body_bytes = 2048\n",
        )
        .unwrap();
        let config = Config::load(dir.path(), no_env, &ConfigOverrides::default()).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_body_bytes, 2048);

        let env = |k: &str| (k == "BOTDESK_LISTEN").then(|| "127.0.0.1:9001".to_owned());
        assert_eq!(
            Config::load(dir.path(), env, &ConfigOverrides::default())
                .unwrap()
                .listen
                .port(),
            9001
        );
        let flags = ConfigOverrides {
            listen: Some("127.0.0.1:9002".into()),
        };
        assert_eq!(
            Config::load(dir.path(), env, &flags).unwrap().listen.port(),
            9002
        );
    }

    #[test]
    fn bad_settings_are_refused_with_a_clear_message() {
        let cases = [
            ("listen = \"localhost\"\n", "listen"),
            ("max_body_bytes = 5\n", "out of range"),
            ("colour = \"blue\"\n", "unknown field"),
            ("listen = \n", "not valid"),
            ("max_body_bytes = \"big\"\n", "not valid"),
            ("queue_lease_seconds = 1\n", "out of range"),
            ("queue_lease_seconds = -3\n", "not valid"),
        ];
        for (text, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
            let err = Config::load(dir.path(), no_env, &ConfigOverrides::default()).unwrap_err();
            assert_eq!(err.code(), "config.invalid");
            assert!(err.to_string().contains(expected), "{text:?}: {err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let env = |k: &str| (k == "BOTDESK_MAX_BODY_BYTES").then(|| "lots".to_owned());
        let err = Config::load(dir.path(), env, &ConfigOverrides::default()).unwrap_err();
        assert!(err.to_string().contains("BOTDESK_MAX_BODY_BYTES"), "{err}");
        let flags = ConfigOverrides {
            listen: Some("nowhere".into()),
        };
        let err = Config::load(dir.path(), no_env, &flags).unwrap_err();
        assert!(err.to_string().contains("--listen"), "{err}");
    }
    /// Every key, through the file and through its `BOTDESK_*` variable: the expected configs
    /// are struct literals, so a key added to `Config` must be added here, and one that `load`
    /// forgets fails.
    #[test]
    fn every_setting_is_read_from_the_file_and_from_the_environment() {
        let expected = Config {
            listen: "127.0.0.1:9100".parse().unwrap(),
            max_body_bytes: 4096,
            queue_lease_seconds: 7,
            media_max_image_bytes: 2048,
            media_max_megapixels: 3,
            webhook_max_attempts: 4,
            webhook_disable_after_hours: 5,
            webhook_log_retention_days: 6,
            webhook_endpoint_concurrency: 2,
            webhooks_allow_localhost: true,
        };
        let values = [
            ("listen", "\"127.0.0.1:9100\"", "127.0.0.1:9100"),
            ("max_body_bytes", "4096", "4096"),
            ("queue_lease_seconds", "7", "7"),
            ("media_max_image_bytes", "2048", "2048"),
            ("media_max_megapixels", "3", "3"),
            ("webhook_max_attempts", "4", "4"),
            ("webhook_disable_after_hours", "5", "5"),
            ("webhook_log_retention_days", "6", "6"),
            ("webhook_endpoint_concurrency", "2", "2"),
            ("webhooks_allow_localhost", "true", "yes"),
        ];
        let dir = tempfile::tempdir().unwrap();
        let text: String = values
            .iter()
            .map(|(key, toml, _)| format!("{key} = {toml}\n"))
            .collect();
        std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
        let from_file = Config::load(dir.path(), no_env, &ConfigOverrides::default()).unwrap();
        assert_eq!(from_file, expected);

        let empty = tempfile::tempdir().unwrap();
        let env = |name: &str| {
            values
                .iter()
                .find(|(key, _, _)| format!("BOTDESK_{}", key.to_ascii_uppercase()) == name)
                .map(|(_, _, text)| (*text).to_owned())
        };
        let from_env = Config::load(empty.path(), env, &ConfigOverrides::default()).unwrap();
        assert_eq!(from_env, expected);
        assert_ne!(
            Config::default(),
            expected,
            "every value differs from its default"
        );
    }
}
