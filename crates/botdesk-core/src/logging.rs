//! Logging for both shells: readable lines to stderr, JSON lines to a daily-rotated file in
//! `DATA_DIR/logs/` (the last 14 days kept). The level comes from `BOTDESK_LOG`, else
//! `RUST_LOG`, else `info` (refinery at `warn`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Where the log files of a data dir go.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// The log file name prefix: files are `botdesk.YYYY-MM-DD.log`.
pub const LOG_FILE_PREFIX: &str = "botdesk";

/// Keeps the file writer flushing; drop it last, at exit.
#[derive(Debug)]
pub struct LogGuard {
    _file: Option<WorkerGuard>,
    /// Why the file log could not be opened, if it could not.
    pub file_error: Option<String>,
}

/// refinery narrates every migration run at info; its warnings and errors are what matter.
const DEFAULT_FILTER: &str = "info,refinery_core=warn";

fn filter() -> EnvFilter {
    let spec = std::env::var("BOTDESK_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
}

/// Starts logging. When the log folder cannot be written, logs go to stderr only and the
/// reason is in [`LogGuard::file_error`], so that the real error (often the same unwritable
/// data dir) can still be reported.
///
/// `stderr_level` caps what reaches stderr when no `BOTDESK_LOG`/`RUST_LOG` is set: a
/// one-shot command (`botdesk keys list`) shows warnings only; the file gets everything.
pub fn init(data_dir: &Path, stderr_level: tracing::Level) -> LogGuard {
    let dir = log_dir(data_dir);
    let appender = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            Builder::new()
                .rotation(Rotation::DAILY)
                .filename_prefix(LOG_FILE_PREFIX)
                .filename_suffix("log")
                .max_log_files(14)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let explicit =
        std::env::var_os("BOTDESK_LOG").is_some() || std::env::var_os("RUST_LOG").is_some();
    let stderr_cap = if explicit {
        tracing_subscriber::filter::LevelFilter::TRACE
    } else {
        tracing_subscriber::filter::LevelFilter::from_level(stderr_level)
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .compact()
        .with_filter(stderr_cap);
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .with(file)
                .try_init();
            LogGuard {
                _file: Some(guard),
                file_error: None,
            }
        }
        Err(reason) => {
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(stderr)
                .try_init();
            LogGuard {
                _file: None,
                file_error: Some(reason),
            }
        }
    }
}
