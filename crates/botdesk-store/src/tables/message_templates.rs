//! `message_templates`: the messages the bot sends, as stored. The template model and its rules
//! (parsing, WhatsApp's limits, rendering) belong to the templates capability; this module only
//! stores and finds rows.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::record::{
    Columns, Record, Stored, json_value, opt, select_one_where, select_where, text,
};
use crate::types::Id;

crate::text_enum! {
    /// One per kind of WhatsApp message the bot sends.
    pub enum TemplateKind {
        Text = "text", Buttons = "buttons", List = "list", Media = "media", CtaUrl = "cta_url"
    }
}

crate::text_enum! {
    pub enum TemplateCategory {
        Utility = "utility", Marketing = "marketing", Authentication = "authentication"
    }
}

crate::text_enum! {
    /// The local life cycle; WhatsApp's own review status is kept apart as free text.
    pub enum TemplateStatus { Draft = "draft", Active = "active", Archived = "archived" }
}

crate::text_enum! {
    /// `{{order_id}}` (named) or `{{1}}` (positional).
    pub enum ParameterFormat { Named = "named", Positional = "positional" }
}

crate::text_enum! {
    pub enum HeaderType {
        None = "none", Text = "text", Image = "image", Video = "video", Document = "document"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageTemplate {
    pub name: String,
    pub kind: TemplateKind,
    pub category: TemplateCategory,
    pub language: String,
    pub status: TemplateStatus,
    pub whatsapp_status: Option<String>,
    pub parameter_format: ParameterFormat,
    pub header_type: HeaderType,
    pub header_text: Option<String>,
    pub header_media_id: Option<Id>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: serde_json::Value,
    pub list_button: Option<String>,
    pub list_sections: serde_json::Value,
    /// Declared variables: `[{"name": …, "example": …}]`.
    pub variables: serde_json::Value,
    /// Bumped on every save; a save names the version it started from.
    pub version: i64,
    pub created_by: Option<Id>,
}

impl Record for MessageTemplate {
    const TABLE: &'static str = "message_templates";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "kind",
        "category",
        "language",
        "status",
        "whatsapp_status",
        "parameter_format",
        "header_type",
        "header_text",
        "header_media_id",
        "body",
        "footer",
        "buttons",
        "list_button",
        "list_sections",
        "variables",
        "version",
        "created_by",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            text(&self.name),
            self.kind.into(),
            self.category.into(),
            text(&self.language),
            self.status.into(),
            opt(&self.whatsapp_status),
            self.parameter_format.into(),
            self.header_type.into(),
            opt(&self.header_text),
            opt(&self.header_media_id),
            text(&self.body),
            opt(&self.footer),
            json_value(&self.buttons),
            opt(&self.list_button),
            json_value(&self.list_sections),
            json_value(&self.variables),
            Value::Integer(self.version),
            opt(&self.created_by),
        ]
    }

    fn read(cols: &mut Columns<'_, '_>) -> rusqlite::Result<MessageTemplate> {
        Ok(MessageTemplate {
            name: cols.take()?,
            kind: cols.take()?,
            category: cols.take()?,
            language: cols.take()?,
            status: cols.take()?,
            whatsapp_status: cols.take()?,
            parameter_format: cols.take()?,
            header_type: cols.take()?,
            header_text: cols.take()?,
            header_media_id: cols.take()?,
            body: cols.take()?,
            footer: cols.take()?,
            buttons: cols.json()?,
            list_button: cols.take()?,
            list_sections: cols.json()?,
            variables: cols.json()?,
            version: cols.take()?,
            created_by: cols.take()?,
        })
    }
}

/// The live template with this name and language.
pub fn find_by_name(
    conn: &Connection,
    name: &str,
    language: &str,
) -> Result<Option<Stored<MessageTemplate>>, StoreError> {
    select_one_where(
        conn,
        "name = ?1 AND language = ?2 AND deleted_at IS NULL",
        [name, language],
    )
}

/// Live templates, optionally of one kind and status, by name.
pub fn list_by(
    conn: &Connection,
    kind: Option<TemplateKind>,
    status: Option<TemplateStatus>,
) -> Result<Vec<Stored<MessageTemplate>>, StoreError> {
    select_where(
        conn,
        "deleted_at IS NULL AND (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2) \
         ORDER BY name, language",
        rusqlite::params![kind, status],
    )
}

/// Templates whose header uses this media file.
pub fn using_media(conn: &Connection, media_id: Id) -> Result<Vec<Id>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM message_templates WHERE header_media_id = ?1 AND deleted_at IS NULL",
        )?
        .query_map([media_id], |row| row.get(0))?
        .collect::<Result<Vec<_>, _>>()?)
}
