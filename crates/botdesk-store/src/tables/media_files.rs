//! `media_files`: one record per uploaded file. The bytes live under `data_dir/media/`, named by
//! their SHA-256; several records may share one content.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, json_value, opt, select_where, text};
use crate::types::Id;

crate::text_enum! {
    pub enum MediaKind { Image = "image", Video = "video", Audio = "audio", Document = "document" }
}

crate::text_enum! {
    /// Where processing of a file stands.
    pub enum MediaStatus {
        Pending = "pending", Processing = "processing", Ready = "ready", Failed = "failed"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFile {
    pub owner_id: Option<Id>,
    pub merchant_id: Option<Id>,
    /// Lower-case hex SHA-256 of the original bytes.
    pub sha256: String,
    pub file_name: String,
    /// The type decided from the bytes.
    pub mime_type: String,
    /// The type the uploader claimed, kept to report a mismatch.
    pub declared_mime_type: Option<String>,
    pub kind: MediaKind,
    pub size_bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub status: MediaStatus,
    /// Derived files by name (`thumbnail`, `medium`, …).
    pub variants: serde_json::Value,
    pub failed_reason: Option<String>,
    pub metadata_stripped: bool,
    /// The original carried GPS coordinates (the derived files do not).
    pub had_location: bool,
}

impl Record for MediaFile {
    const TABLE: &'static str = "media_files";
    const COLUMNS: &'static [&'static str] = &[
        "owner_id",
        "merchant_id",
        "sha256",
        "file_name",
        "mime_type",
        "declared_mime_type",
        "kind",
        "size_bytes",
        "width",
        "height",
        "status",
        "variants",
        "failed_reason",
        "metadata_stripped",
        "had_location",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            opt(&self.owner_id),
            opt(&self.merchant_id),
            text(&self.sha256),
            text(&self.file_name),
            text(&self.mime_type),
            opt(&self.declared_mime_type),
            self.kind.into(),
            Value::Integer(self.size_bytes),
            self.width.map_or(Value::Null, Value::Integer),
            self.height.map_or(Value::Null, Value::Integer),
            self.status.into(),
            json_value(&self.variants),
            opt(&self.failed_reason),
            Value::Integer(i64::from(self.metadata_stripped)),
            Value::Integer(i64::from(self.had_location)),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<MediaFile> {
        Ok(MediaFile {
            owner_id: cols.take()?,
            merchant_id: cols.take()?,
            sha256: cols.take()?,
            file_name: cols.take()?,
            mime_type: cols.take()?,
            declared_mime_type: cols.take()?,
            kind: cols.take()?,
            size_bytes: cols.take()?,
            width: cols.take()?,
            height: cols.take()?,
            status: cols.take()?,
            variants: cols.json()?,
            failed_reason: cols.take()?,
            metadata_stripped: cols.flag()?,
            had_location: cols.flag()?,
        })
    }
}

/// How many live records use this content: its file may be removed only at zero.
pub fn count_by_sha256(conn: &Connection, sha256: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM media_files WHERE sha256 = ?1 AND deleted_at IS NULL",
        [sha256],
        |row| row.get(0),
    )?)
}

/// The live records with this content, newest first.
pub fn find_by_sha256(
    conn: &Connection,
    sha256: &str,
) -> Result<Vec<Stored<MediaFile>>, StoreError> {
    select_where(
        conn,
        "sha256 = ?1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
        [sha256],
    )
}
