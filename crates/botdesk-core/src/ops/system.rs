//! Health and facts about the running botdesk.

use crate::ctx::{Ctx, VERSION};
use crate::dto::{HealthDto, SystemInfoDto};
use crate::logging::log_dir;

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
        device_id: ctx.store().device_id().to_owned(),
    }
}
