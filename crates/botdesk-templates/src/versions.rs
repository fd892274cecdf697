//! Saving templates: every save is a new version (who, when, what changed), a save names the
//! version it started from and is refused when someone else saved since, a rollback is itself a
//! new version, and a template that was ever active is archived rather than deleted.

use botdesk_store::record::Stored;
use botdesk_store::rusqlite::Connection;
use botdesk_store::tables::media_files::MediaFile;
use botdesk_store::tables::message_templates::{self, MessageTemplate};
use botdesk_store::tables::template_versions::{self, TemplateVersion};
use botdesk_store::{Id, StoreError, Tx};
use serde::{Deserialize, Serialize};

use crate::diff::{self, ContentDiff};
use crate::model::{
    HeaderType, ParameterFormat, TemplateCategory, TemplateContent, TemplateKind, TemplateStatus,
    from_stored, to_stored,
};
use crate::rules::{Issue, check};

/// What can go wrong saving or reading templates.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("the template has {} problem(s): {}", .0.len(), .0.first().map_or("", |i| i.message.as_str()))]
    Invalid(Vec<Issue>),
    #[error("template {0} not found")]
    NotFound(String),
    #[error("a template named {name:?} in {language} already exists")]
    NameTaken { name: String, language: String },
    #[error(
        "the template was saved by someone else since you opened it (you started from version {base}, it is now at version {current}); reload it and apply your change again"
    )]
    VersionConflict { base: i64, current: i64 },
    #[error("template {template} has no version {version}")]
    VersionNotFound { template: String, version: String },
    #[error("version {version_id} belongs to another template")]
    VersionOfAnotherTemplate { version_id: String },
    #[error("stored template data cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TemplateError {
    pub fn code(&self) -> &'static str {
        match self {
            // A list of problems goes out under the first one's code… which is not static; the
            // wire layer uses `issues()` for the details and this for the summary.
            TemplateError::Invalid(_) => "template.invalid",
            TemplateError::NotFound(_) => "template.not_found",
            TemplateError::NameTaken { .. } => "template.name_taken",
            TemplateError::VersionConflict { .. } => "template.version_conflict",
            TemplateError::VersionNotFound { .. } => "template.version_not_found",
            TemplateError::VersionOfAnotherTemplate { .. } => {
                "template.version_of_another_template"
            }
            TemplateError::Unreadable(_) => "template.unreadable",
            TemplateError::Store(e) => e.code(),
        }
    }

    pub fn issues(&self) -> &[Issue] {
        match self {
            TemplateError::Invalid(issues) => issues,
            _ => &[],
        }
    }
}

/// A version's stored snapshot: the template row's content fields and status, as the seed
/// migration (V4) wrote them.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    name: String,
    kind: TemplateKind,
    category: TemplateCategory,
    language: String,
    status: TemplateStatus,
    parameter_format: ParameterFormat,
    header_type: HeaderType,
    header_text: Option<String>,
    header_media_id: Option<String>,
    body: String,
    footer: Option<String>,
    buttons: serde_json::Value,
    list_button: Option<String>,
    list_sections: serde_json::Value,
    variables: serde_json::Value,
}

fn snapshot(t: &MessageTemplate) -> serde_json::Value {
    let s = Snapshot {
        name: t.name.clone(),
        kind: t.kind,
        category: t.category,
        language: t.language.clone(),
        status: t.status,
        parameter_format: t.parameter_format,
        header_type: t.header_type,
        header_text: t.header_text.clone(),
        header_media_id: t.header_media_id.map(|id| id.to_string()),
        body: t.body.clone(),
        footer: t.footer.clone(),
        buttons: t.buttons.clone(),
        list_button: t.list_button.clone(),
        list_sections: t.list_sections.clone(),
        variables: t.variables.clone(),
    };
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

/// The content and status a version holds.
pub fn version_content(
    v: &TemplateVersion,
    current: &MessageTemplate,
) -> Result<(TemplateContent, TemplateStatus), TemplateError> {
    let s: Snapshot = serde_json::from_value(v.snapshot.clone())
        .map_err(|e| TemplateError::Unreadable(format!("version {}: {e}", v.version)))?;
    let row = MessageTemplate {
        name: s.name,
        kind: s.kind,
        category: s.category,
        language: s.language,
        status: s.status,
        parameter_format: s.parameter_format,
        header_type: s.header_type,
        header_text: s.header_text,
        header_media_id: s.header_media_id.and_then(|id| id.parse().ok()),
        body: s.body,
        footer: s.footer,
        buttons: s.buttons,
        list_button: s.list_button,
        list_sections: s.list_sections,
        variables: s.variables,
        ..current.clone()
    };
    let content = from_stored(&row).map_err(|e| TemplateError::Unreadable(e.to_string()))?;
    Ok((content, row.status))
}

/// The header's media record, which must exist: its id, or the issue when it does not. Reads
/// the store only for a media header.
pub fn header_media(
    conn: &Connection,
    content: &TemplateContent,
) -> Result<Result<Option<Id>, Issue>, TemplateError> {
    let Some(text) = content.header.media_id().filter(|m| !m.trim().is_empty()) else {
        return Ok(Ok(None));
    };
    let found = text
        .parse::<Id>()
        .ok()
        .map(|id| botdesk_store::find::<MediaFile>(conn, id))
        .transpose()?
        .flatten()
        .filter(|m| !m.is_deleted());
    Ok(match found {
        Some(media) => Ok(Some(media.id())),
        None => Err(Issue {
            code: "template.header_media_not_found".into(),
            message: format!(
                "the header's media file {text} does not exist (was it deleted?): choose another"
            ),
            field: "header.media_id".into(),
            at: None,
            len: None,
            limit: None,
            variable: None,
        }),
    })
}

/// Checks `content` against every rule and against the store (its header's media must exist).
/// Returns the header media's id.
pub fn validate(conn: &Connection, content: &TemplateContent) -> Result<Option<Id>, TemplateError> {
    let mut issues = check(content).issues;
    let media = match header_media(conn, content)? {
        Ok(media) => media,
        Err(issue) => {
            issues.push(issue);
            None
        }
    };
    if issues.is_empty() {
        Ok(media)
    } else {
        Err(TemplateError::Invalid(issues))
    }
}

fn live(conn: &Connection, id: Id) -> Result<Stored<MessageTemplate>, TemplateError> {
    match botdesk_store::find::<MessageTemplate>(conn, id)? {
        Some(t) if !t.is_deleted() => Ok(t),
        _ => Err(TemplateError::NotFound(id.to_string())),
    }
}

pub fn get(conn: &Connection, id: Id) -> Result<Stored<MessageTemplate>, TemplateError> {
    live(conn, id)
}

fn ensure_name_free(
    conn: &Connection,
    content: &TemplateContent,
    except: Option<Id>,
) -> Result<(), TemplateError> {
    match message_templates::find_by_name(conn, &content.name, &content.language)? {
        Some(other) if Some(other.id()) != except => Err(TemplateError::NameTaken {
            name: content.name.clone(),
            language: content.language.clone(),
        }),
        _ => Ok(()),
    }
}

fn record_version(
    tx: &Tx<'_>,
    t: &Stored<MessageTemplate>,
    summary: &str,
    actor: &str,
) -> Result<(), TemplateError> {
    botdesk_store::insert(
        tx,
        TemplateVersion {
            template_id: t.id(),
            version: t.data.version,
            snapshot: snapshot(&t.data),
            change_summary: summary.to_owned(),
            created_by: t.data.created_by,
            actor: Some(actor.to_owned()),
        },
    )?;
    Ok(())
}

/// Creates a draft template (version 1).
pub fn create(
    tx: &Tx<'_>,
    content: &TemplateContent,
    actor: &str,
) -> Result<Stored<MessageTemplate>, TemplateError> {
    let media = validate(tx, content)?;
    ensure_name_free(tx, content, None)?;
    let base = MessageTemplate {
        name: String::new(),
        kind: content.kind,
        category: content.category,
        language: String::new(),
        status: TemplateStatus::Draft,
        whatsapp_status: None,
        parameter_format: content.parameter_format,
        header_type: HeaderType::None,
        header_text: None,
        header_media_id: None,
        body: String::new(),
        footer: None,
        buttons: serde_json::json!([]),
        list_button: None,
        list_sections: serde_json::json!([]),
        variables: serde_json::json!([]),
        version: 1,
        created_by: None,
    };
    let row = botdesk_store::insert(tx, to_stored(content, media, &base))
        .map_err(duplicate_name(content))?;
    record_version(tx, &row, "Created", actor)?;
    Ok(row)
}

fn duplicate_name(content: &TemplateContent) -> impl Fn(StoreError) -> TemplateError + '_ {
    move |e| match e {
        StoreError::Duplicate { .. } => TemplateError::NameTaken {
            name: content.name.clone(),
            language: content.language.clone(),
        },
        other => TemplateError::Store(other),
    }
}

fn check_base(t: &Stored<MessageTemplate>, base_version: i64) -> Result<(), TemplateError> {
    if t.data.version != base_version {
        return Err(TemplateError::VersionConflict {
            base: base_version,
            current: t.data.version,
        });
    }
    Ok(())
}

/// The outcome of a save.
#[derive(Debug)]
pub struct Saved {
    pub template: Stored<MessageTemplate>,
    /// False when the content was already as given: no new version.
    pub changed: bool,
}

/// Saves new content over the version the editor started from.
pub fn update(
    tx: &Tx<'_>,
    id: Id,
    content: &TemplateContent,
    base_version: i64,
    summary: Option<&str>,
    actor: &str,
) -> Result<Saved, TemplateError> {
    let current = live(tx, id)?;
    check_base(&current, base_version)?;
    let media = validate(tx, content)?;
    ensure_name_free(tx, content, Some(id))?;
    let old = from_stored(&current.data).map_err(|e| TemplateError::Unreadable(e.to_string()))?;
    if &old == content {
        return Ok(Saved {
            template: current,
            changed: false,
        });
    }
    let mut row = to_stored(content, media, &current.data);
    row.version += 1;
    let saved = botdesk_store::update(tx, id, row).map_err(duplicate_name(content))?;
    let summary = summary
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| diff::summary(&old, content), str::to_owned);
    record_version(tx, &saved, &summary, actor)?;
    Ok(Saved {
        template: saved,
        changed: true,
    })
}

/// Shows another file in a template's header, as a new version of it (a file it showed is
/// being deleted and the owner chose its replacement). Keeps the template's status.
pub fn replace_header_media(
    tx: &Tx<'_>,
    id: Id,
    replacement: &str,
    summary: &str,
    actor: &str,
) -> Result<Saved, TemplateError> {
    let current = live(tx, id)?;
    let mut content =
        from_stored(&current.data).map_err(|e| TemplateError::Unreadable(e.to_string()))?;
    content.header.set_media_id(replacement.to_owned());
    update(tx, id, &content, current.data.version, Some(summary), actor)
}

/// Moves a template to draft, active or archived (a new version).
pub fn set_status(
    tx: &Tx<'_>,
    id: Id,
    status: TemplateStatus,
    base_version: Option<i64>,
    actor: &str,
) -> Result<Saved, TemplateError> {
    let current = live(tx, id)?;
    if let Some(base) = base_version {
        check_base(&current, base)?;
    }
    if current.data.status == status {
        return Ok(Saved {
            template: current,
            changed: false,
        });
    }
    if status == TemplateStatus::Active {
        // Only a template that passes every rule may be used by the bot.
        let content =
            from_stored(&current.data).map_err(|e| TemplateError::Unreadable(e.to_string()))?;
        validate(tx, &content)?;
    }
    let mut row = current.data.clone();
    row.status = status;
    row.version += 1;
    let saved = botdesk_store::update(tx, id, row)?;
    let summary = match status {
        TemplateStatus::Active => "Activated",
        TemplateStatus::Archived => "Archived",
        TemplateStatus::Draft => "Back to draft",
    };
    record_version(tx, &saved, summary, actor)?;
    Ok(Saved {
        template: saved,
        changed: true,
    })
}

/// Which version to go back to: its number, or its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef {
    Number(i64),
    Id(Id),
}

fn find_version(
    conn: &Connection,
    template: Id,
    which: &VersionRef,
) -> Result<Stored<TemplateVersion>, TemplateError> {
    let versions = template_versions::for_template(conn, template)?;
    match which {
        VersionRef::Number(n) => versions
            .into_iter()
            .find(|v| v.data.version == *n)
            .ok_or_else(|| TemplateError::VersionNotFound {
                template: template.to_string(),
                version: n.to_string(),
            }),
        VersionRef::Id(version_id) => {
            match botdesk_store::find::<TemplateVersion>(conn, *version_id)? {
                Some(v) if v.data.template_id == template => Ok(v),
                Some(_) => Err(TemplateError::VersionOfAnotherTemplate {
                    version_id: version_id.to_string(),
                }),
                None => Err(TemplateError::VersionNotFound {
                    template: template.to_string(),
                    version: version_id.to_string(),
                }),
            }
        }
    }
}

/// Brings back an earlier version's content, as a new version (its status stays as it is now).
pub fn rollback(
    tx: &Tx<'_>,
    id: Id,
    to: &VersionRef,
    base_version: i64,
    actor: &str,
) -> Result<Saved, TemplateError> {
    let current = live(tx, id)?;
    check_base(&current, base_version)?;
    let target = find_version(tx, id, to)?;
    let (content, _) = version_content(&target.data, &current.data)?;
    let summary = format!("Rolled back to version {}", target.data.version);
    update(tx, id, &content, base_version, Some(&summary), actor)
}

/// What deleting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// The template was active once: the bot may still refer to it, so it was archived.
    Archived,
}

/// Deletes a draft that was never active; archives a template that was.
pub fn remove(tx: &Tx<'_>, id: Id, actor: &str) -> Result<Removal, TemplateError> {
    let current = live(tx, id)?;
    let ever_active = current.data.status != TemplateStatus::Draft
        || template_versions::for_template(tx, id)?
            .iter()
            .any(|v| v.data.snapshot.get("status").and_then(|s| s.as_str()) == Some("active"));
    if ever_active {
        set_status(tx, id, TemplateStatus::Archived, None, actor)?;
        Ok(Removal::Archived)
    } else {
        botdesk_store::soft_delete::<MessageTemplate>(tx, id)?;
        Ok(Removal::Deleted)
    }
}

/// A template's versions, newest first.
pub fn versions(conn: &Connection, id: Id) -> Result<Vec<Stored<TemplateVersion>>, TemplateError> {
    live(conn, id)?;
    Ok(template_versions::for_template(conn, id)?)
}

/// What changed from version `from` to version `to`.
pub fn diff_versions(
    conn: &Connection,
    id: Id,
    from: i64,
    to: i64,
) -> Result<ContentDiff, TemplateError> {
    let current = live(conn, id)?;
    let a = find_version(conn, id, &VersionRef::Number(from))?;
    let b = find_version(conn, id, &VersionRef::Number(to))?;
    let (old, _) = version_content(&a.data, &current.data)?;
    let (new, _) = version_content(&b.data, &current.data)?;
    Ok(diff::diff(&old, &new))
}
