//! Store maintenance from outside the app: migrating and backing up a data dir.

use std::path::Path;

use botdesk_store::{DB_FILE, Store, StoreOptions};

use crate::error::CoreError;
use crate::system::wire::{BackupReportDto, MigrateReportDto};

/// Creates the store in `data_dir`, or brings it to this botdesk's schema.
pub fn migrate(data_dir: &Path) -> Result<MigrateReportDto, CoreError> {
    let db = data_dir.join(DB_FILE);
    let from_version = botdesk_store::schema_version_of(&db)?;
    let store = Store::open(data_dir, StoreOptions::default())?;
    Ok(MigrateReportDto {
        db_path: db.display().to_string(),
        from_version,
        schema_version: store.schema_version(),
    })
}

/// Writes a consistent copy of the store in `data_dir` to `dest`, without migrating it and
/// while the app may have it open.
pub fn backup(data_dir: &Path, dest: &Path) -> Result<BackupReportDto, CoreError> {
    let report = botdesk_store::backup_file(&data_dir.join(DB_FILE), dest)?;
    Ok(BackupReportDto {
        path: report.path.display().to_string(),
        bytes: report.bytes,
        schema_version: report.schema_version,
    })
}
