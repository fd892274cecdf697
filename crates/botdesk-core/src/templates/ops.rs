//! Message templates: list, read, create, save (a new version each time), change status, roll
//! back, delete (or archive), validate, preview, versions and diffs. The rules are the templates
//! capability's; this composes them with the store and publishes `template.*` events.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use botdesk_store::rusqlite::Connection;
use botdesk_store::tables::message_templates::{
    self, MessageTemplate, TemplateKind, TemplateStatus,
};
use botdesk_store::{Actor, Id, Stored};
use botdesk_templates::model::{TemplateContent, from_stored};
use botdesk_templates::versions::{self, Removal, TemplateError, VersionRef};
use botdesk_templates::{Compiled, Issue, RULES, Rule, SendOptions, check};

use crate::error::CoreError;
use crate::events::Event;
use crate::services::Services;
use crate::templates::wire::{
    PreviewDto, PreviewRequest, RemovalOutcome, TemplateDiffDto, TemplateDto, TemplateQuery,
    TemplateRemovedDto, TemplateRollback, TemplateStatusChange, TemplateUpdate, TemplateVersionDto,
    ValidationDto,
};

fn dto(t: Stored<MessageTemplate>) -> Result<TemplateDto, CoreError> {
    let content = from_stored(&t.data)
        .map_err(|e| CoreError::Template(TemplateError::Unreadable(e.to_string())))?;
    Ok(TemplateDto {
        id: t.meta.id.to_string(),
        status: t.data.status,
        whatsapp_status: t.data.whatsapp_status,
        version: t.data.version,
        created_at: t.meta.created_at.to_string(),
        updated_at: t.meta.updated_at.to_string(),
        content,
    })
}

fn template_id(id: &str) -> Result<Id, CoreError> {
    id.parse().map_err(|_| CoreError::NotFound {
        code: "template.not_found",
        message: format!("{id:?} is not a template id"),
    })
}

/// Live templates by name, optionally of one type and status, matching `q`.
pub fn list(ctx: &Services, query: TemplateQuery) -> Result<Vec<TemplateDto>, CoreError> {
    let kind = parse::<TemplateKind>(query.kind.as_deref(), "type")?;
    let status = parse::<TemplateStatus>(query.status.as_deref(), "status")?;
    let words: Vec<String> = query
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let rows = ctx
        .store()
        .read(|c| message_templates::list_by(c, kind, status))?;
    rows.into_iter()
        .filter(|t| {
            let haystack = format!("{} {}", t.data.name, t.data.body).to_lowercase();
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .map(dto)
        .collect()
}

fn parse<T>(value: Option<&str>, field: &'static str) -> Result<Option<T>, CoreError>
where
    T: std::str::FromStr<Err = botdesk_store::UnknownVariant>,
{
    match value {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|e: botdesk_store::UnknownVariant| {
                CoreError::invalid_field(
                    "request.invalid_filter",
                    field,
                    format!(
                        "{field} must be one of {}, not {text:?}",
                        e.allowed.join(", ")
                    ),
                )
            }),
    }
}

pub fn get(ctx: &Services, id: &str) -> Result<TemplateDto, CoreError> {
    let id = template_id(id)?;
    dto(ctx.store().read(|c| versions::get(c, id))?)
}

fn publish(ctx: &Services, event: fn(String, String, i64) -> Event, t: &TemplateDto) {
    ctx.events()
        .publish(event(t.id.clone(), t.content.name.clone(), t.version));
}

fn created(id: String, name: String, version: i64) -> Event {
    Event::TemplateCreated { id, name, version }
}

fn updated(id: String, name: String, version: i64) -> Event {
    Event::TemplateUpdated { id, name, version }
}

fn archived(id: String, name: String, version: i64) -> Event {
    Event::TemplateArchived { id, name, version }
}

/// Creates a draft template (the original design's `POST /api/templates`).
pub fn create(
    ctx: &Services,
    actor: &Actor,
    content: TemplateContent,
) -> Result<TemplateDto, CoreError> {
    let who = actor.to_string();
    let t = ctx.store().with_tx(actor, |tx| {
        versions::create(tx, &content, &who).map_err(CoreError::from)
    })?;
    let t = dto(t)?;
    publish(ctx, created, &t);
    Ok(t)
}

/// Saves new content over the version the editor started from.
pub fn update(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    update: TemplateUpdate,
) -> Result<TemplateDto, CoreError> {
    let id = template_id(id)?;
    let who = actor.to_string();
    let saved = ctx.store().with_tx(actor, |tx| {
        versions::update(
            tx,
            id,
            &update.content,
            update.base_version,
            update.change_summary.as_deref(),
            &who,
        )
        .map_err(CoreError::from)
    })?;
    let t = dto(saved.template)?;
    if saved.changed {
        publish(ctx, updated, &t);
    }
    Ok(t)
}

/// Activates, archives, or returns a template to draft.
pub fn set_status(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    change: TemplateStatusChange,
) -> Result<TemplateDto, CoreError> {
    let id = template_id(id)?;
    let who = actor.to_string();
    let saved = ctx.store().with_tx(actor, |tx| {
        versions::set_status(tx, id, change.status, Some(change.base_version), &who)
            .map_err(CoreError::from)
    })?;
    let t = dto(saved.template)?;
    if saved.changed {
        publish(
            ctx,
            if t.status == TemplateStatus::Archived {
                archived
            } else {
                updated
            },
            &t,
        );
    }
    Ok(t)
}

/// Brings back an earlier version as a new version.
pub fn rollback(
    ctx: &Services,
    actor: &Actor,
    id: &str,
    request: TemplateRollback,
) -> Result<TemplateDto, CoreError> {
    let id = template_id(id)?;
    let to = match (request.version, request.version_id.as_deref()) {
        (Some(n), None) => VersionRef::Number(n),
        (None, Some(v)) => VersionRef::Id(v.parse().map_err(|_| {
            CoreError::invalid_field(
                "request.invalid_body",
                "version_id",
                format!("{v:?} is not a version id"),
            )
        })?),
        _ => {
            return Err(CoreError::invalid(
                "request.invalid_body",
                "give either `version` (its number) or `version_id`",
            ));
        }
    };
    let who = actor.to_string();
    let saved = ctx.store().with_tx(actor, |tx| {
        versions::rollback(tx, id, &to, request.base_version, &who).map_err(CoreError::from)
    })?;
    let t = dto(saved.template)?;
    if saved.changed {
        publish(ctx, updated, &t);
    }
    Ok(t)
}

/// Deletes a draft that was never active; archives a template that was.
pub fn remove(ctx: &Services, actor: &Actor, id: &str) -> Result<TemplateRemovedDto, CoreError> {
    let id = template_id(id)?;
    let who = actor.to_string();
    let (outcome, before) = ctx.store().with_tx(actor, |tx| -> Result<_, CoreError> {
        let before = versions::get(tx, id)?;
        Ok((versions::remove(tx, id, &who)?, before))
    })?;
    match outcome {
        Removal::Deleted => {
            ctx.events().publish(Event::TemplateDeleted {
                id: id.to_string(),
                name: before.data.name,
            });
            Ok(TemplateRemovedDto {
                outcome: RemovalOutcome::Deleted,
                template: None,
            })
        }
        Removal::Archived => {
            let t = get(ctx, &id.to_string())?;
            publish(ctx, archived, &t);
            Ok(TemplateRemovedDto {
                outcome: RemovalOutcome::Archived,
                template: Some(t),
            })
        }
    }
}

/// Every problem with `content`, without saving anything.
pub fn validate(ctx: &Services, content: &TemplateContent) -> Result<ValidationDto, CoreError> {
    let issues = ctx.store().read(|c| match versions::validate(c, content) {
        Ok(_) => Ok(Vec::new()),
        Err(TemplateError::Invalid(issues)) => Ok(issues),
        Err(other) => Err(CoreError::from(other)),
    })?;
    Ok(ValidationDto { issues })
}

/// A template ready to preview: its content, its compiled texts, and its problems. Saved
/// templates are kept prepared until the store changes ("parse once, render many").
#[derive(Debug)]
struct Prepared {
    content: TemplateContent,
    compiled: Option<Compiled>,
    issues: Vec<Issue>,
}

/// Saved templates, prepared, until the store changes.
type PreparedCache = crate::cache::StoreCachedMap<Id, Prepared>;

fn prepare(conn: Option<&Connection>, content: TemplateContent) -> Result<Prepared, CoreError> {
    let checked = check(&content);
    let mut issues = checked.issues;
    if let Some(conn) = conn
        && let Err(issue) = versions::header_media(conn, &content)?
    {
        issues.push(issue);
    }
    Ok(Prepared {
        content,
        compiled: checked.compiled,
        issues,
    })
}

fn prepared(ctx: &Services, request: &mut PreviewRequest) -> Result<Arc<Prepared>, CoreError> {
    match (request.template_id.as_deref(), request.draft.take()) {
        (Some(id), None) => {
            let id = template_id(id)?;
            ctx.area::<PreparedCache>().get(ctx.store(), &id, |store| {
                store.read(|c| {
                    let t = versions::get(c, id)?;
                    let content = from_stored(&t.data).map_err(|e| {
                        CoreError::Template(TemplateError::Unreadable(e.to_string()))
                    })?;
                    prepare(Some(c), content)
                })
            })
        }
        (None, Some(draft)) => Ok(Arc::new(if draft.header.media_id().is_some() {
            ctx.store().read(|c| prepare(Some(c), draft))?
        } else {
            prepare(None, draft)?
        })),
        _ => Err(CoreError::invalid(
            "request.invalid_body",
            "give either `template_id` (a saved template) or `draft` (unsaved content)",
        )),
    }
}

/// A template filled in with `variables` (examples fill the rest): what the phone shows, the
/// Cloud API requests, and every problem found on the way. Cheap for a saved template: it is
/// compiled once and kept until the store changes, so a preview is a render.
pub fn preview(ctx: &Services, mut request: PreviewRequest) -> Result<PreviewDto, CoreError> {
    let prepared = prepared(ctx, &mut request)?;
    render(&prepared, request)
}

/// [`preview`] from an async task: a saved template already prepared, or a draft that names
/// no media, is rendered at once (asking the store only whether it changed); anything that
/// must read the store goes through the store gate.
pub async fn preview_soon(
    ctx: &Services,
    mut request: PreviewRequest,
) -> Result<PreviewDto, CoreError> {
    let ready = match (request.template_id.as_deref(), request.draft.as_ref()) {
        (Some(id), None) => {
            let id = template_id(id)?;
            ctx.area::<PreparedCache>().peek(ctx.store(), &id)?
        }
        (None, Some(draft)) if draft.header.media_id().is_none() => {
            let draft = request.draft.take();
            draft.map(|d| prepare(None, d)).transpose()?.map(Arc::new)
        }
        _ => None,
    };
    match ready {
        Some(prepared) => render(&prepared, request),
        None => ctx.blocking(move |ctx| preview(ctx, request)).await,
    }
}

fn render(prepared: &Prepared, request: PreviewRequest) -> Result<PreviewDto, CoreError> {
    let mut issues = prepared.issues.clone();
    // A variable without an example is already reported as such; rendering it again as an
    // empty value would count the same gap twice, in words that point at the wrong thing.
    let unexampled: HashSet<String> = issues
        .iter()
        .filter(|i| i.code == "template.variable_example_missing")
        .filter_map(|i| i.variable.clone())
        .filter(|name| !request.variables.contains_key(name))
        .collect();
    let mut values: HashMap<String, String> = prepared
        .content
        .variables
        .iter()
        .map(|v| (v.name.clone(), v.example.clone()))
        .collect();
    values.extend(request.variables);
    let options = SendOptions {
        to: request.to,
        header_media: request.header_media,
    };
    let Some(compiled) = &prepared.compiled else {
        return Ok(PreviewDto {
            rendered: None,
            template_send: None,
            session_message: None,
            issues,
        });
    };
    let mut note = |found: Vec<Issue>| {
        for issue in found {
            let explained = matches!(
                issue.code.as_str(),
                "template.parameter_empty" | "template.value_missing"
            ) && issue
                .variable
                .as_ref()
                .is_some_and(|v| unexampled.contains(v));
            if !explained && !issues.contains(&issue) {
                issues.push(issue);
            }
        }
    };
    let rendered = compiled.render(&values).map_err(&mut note).ok();
    let template_send = compiled
        .template_send(&values, &options)
        .map_err(&mut note)
        .ok();
    let session_message = rendered.as_ref().and_then(|r| {
        compiled
            .session_message_of(r, &options)
            .map_err(&mut note)
            .ok()
    });
    Ok(PreviewDto {
        rendered,
        template_send,
        session_message,
        issues,
    })
}

pub fn versions(ctx: &Services, id: &str) -> Result<Vec<TemplateVersionDto>, CoreError> {
    let id = template_id(id)?;
    let rows = ctx.store().read(|c| versions::versions(c, id))?;
    Ok(rows
        .into_iter()
        .map(|v| TemplateVersionDto {
            id: v.meta.id.to_string(),
            version: v.data.version,
            status: v
                .data
                .snapshot
                .get("status")
                .and_then(|s| s.as_str())
                .and_then(|s| s.parse().ok())
                .unwrap_or(TemplateStatus::Draft),
            change_summary: v.data.change_summary,
            actor: v.data.actor,
            created_at: v.meta.created_at.to_string(),
        })
        .collect())
}

pub fn diff(ctx: &Services, id: &str, from: i64, to: i64) -> Result<TemplateDiffDto, CoreError> {
    let id = template_id(id)?;
    let diff = ctx
        .store()
        .read(|c| versions::diff_versions(c, id, from, to))?;
    Ok(TemplateDiffDto { from, to, diff })
}

/// WhatsApp's rules, with their limits and sources (for the editor's counters and the docs).
pub fn rules() -> &'static [Rule] {
    RULES
}
