//! `template_versions`: every saved state of a template, append-only, for history, diff and
//! rollback.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{Columns, Record, Stored, json_value, opt, select_where, text};
use crate::types::Id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateVersion {
    pub template_id: Id,
    pub version: i64,
    /// The template's content at this version.
    pub snapshot: serde_json::Value,
    pub change_summary: String,
    pub created_by: Option<Id>,
    /// Who saved it (audit actor text).
    pub actor: Option<String>,
}

impl Record for TemplateVersion {
    const TABLE: &'static str = "template_versions";
    const COLUMNS: &'static [&'static str] = &[
        "template_id",
        "version",
        "snapshot",
        "change_summary",
        "created_by",
        "actor",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.template_id),
            Value::Integer(self.version),
            json_value(&self.snapshot),
            text(&self.change_summary),
            opt(&self.created_by),
            opt(&self.actor),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<TemplateVersion> {
        Ok(TemplateVersion {
            template_id: cols.take()?,
            version: cols.take()?,
            snapshot: cols.json()?,
            change_summary: cols.take()?,
            created_by: cols.take()?,
            actor: cols.take()?,
        })
    }
}

/// A template's versions, newest first.
pub fn for_template(
    conn: &Connection,
    template_id: Id,
) -> Result<Vec<Stored<TemplateVersion>>, StoreError> {
    select_where(
        conn,
        "template_id = ?1 AND deleted_at IS NULL ORDER BY version DESC",
        [template_id],
    )
}
