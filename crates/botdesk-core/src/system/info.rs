//! Health and facts about the running botdesk.

use crate::ctx::{Ctx, VERSION};
use crate::dto::{HealthDto, SystemInfoDto};
use crate::logging::{LOG_FILE_PREFIX, log_dir};

pub fn health(ctx: &Ctx) -> HealthDto {
    HealthDto {
        status: "ok".into(),
        version: VERSION.into(),
        schema_version: ctx.store().schema_version(),
    }
}

pub fn info(ctx: &Ctx) -> SystemInfoDto {
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
        shell: ctx.shell().as_str().to_owned(),
    }
}

/// Today's date as the log file names it (UTC, like the rotation).
fn date(ctx: &Ctx) -> String {
    let now = ctx.now().to_string();
    now.get(..10).unwrap_or(&now).to_owned()
}
