//! The audit trail as the Activity page reads it.

use botdesk_store::tables::audit_logs::{self, AuditEntry, AuditFilter};

use crate::ctx::Ctx;
use crate::dto::{AuditEntryDto, AuditFacetsDto, AuditPageDto, AuditQuery};
use crate::error::CoreError;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

fn dto(e: AuditEntry) -> AuditEntryDto {
    AuditEntryDto {
        seq: e.seq,
        id: e.id,
        table_name: e.table_name,
        record_id: e.record_id,
        action: e.action.as_str().to_owned(),
        changes: e.changes,
        actor: e.actor,
        device_id: e.device_id,
        created_at: e.created_at.to_string(),
    }
}

/// A page of the trail, newest first, filtered by table, actor and record.
pub fn list(ctx: &Ctx, query: AuditQuery) -> Result<AuditPageDto, CoreError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(CoreError::invalid_field(
            "request.invalid_limit",
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        ));
    }
    let filter = AuditFilter {
        table_name: query.table.filter(|t| !t.is_empty()),
        actor: query.actor.filter(|a| !a.is_empty()),
        record_id: query.record_id.filter(|r| !r.is_empty()),
    };
    let page = ctx
        .store()
        .read(|c| audit_logs::list(c, &filter, limit, query.cursor.as_deref()))?;
    Ok(AuditPageDto {
        items: page.items.into_iter().map(dto).collect(),
        next_cursor: page.next_cursor,
    })
}

/// The tables and actors that appear in the trail.
pub fn facets(ctx: &Ctx) -> Result<AuditFacetsDto, CoreError> {
    let (tables, actors) = ctx.store().read(audit_logs::facets)?;
    Ok(AuditFacetsDto { tables, actors })
}
