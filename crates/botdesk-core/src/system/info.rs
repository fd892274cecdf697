//! Health and facts about the running botdesk.

use crate::logging::{LOG_FILE_PREFIX, log_dir};
use crate::services::Shell;
use crate::services::{Services, VERSION};
use crate::system::wire::{HealthDto, HealthStatus, ShellKind, SystemInfoDto};

pub fn health(ctx: &Services) -> HealthDto {
    HealthDto {
        status: HealthStatus::Ok,
        version: VERSION.into(),
        schema_version: ctx.store().schema_version(),
    }
}

pub fn info(ctx: &Services) -> SystemInfoDto {
    SystemInfoDto {
        version: VERSION.into(),
        schema_version: ctx.store().schema_version(),
        data_dir: ctx.data_dir().display().to_string(),
        db_path: ctx.store().path().display().to_string(),
        log_dir: log_dir(ctx.data_dir()).display().to_string(),
        log_file: log_dir(ctx.data_dir())
            .join(format!("{LOG_FILE_PREFIX}.{}.log", date(ctx)))
            .display()
            .to_string(),
        device_id: ctx.store().device_id().to_owned(),
        shell: match ctx.shell() {
            Shell::Desktop => ShellKind::Desktop,
            Shell::Server => ShellKind::Server,
            Shell::Cli => ShellKind::Cli,
        },
    }
}

/// Today's date as the log file names it (UTC, like the rotation).
fn date(ctx: &Services) -> String {
    let now = ctx.now().to_string();
    now.get(..10).unwrap_or(&now).to_owned()
}
