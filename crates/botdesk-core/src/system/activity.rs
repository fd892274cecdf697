//! The audit trail as the Activity page reads it.

use botdesk_store::tables::audit_logs::{self, AuditEntry, AuditFilter};

use crate::error::CoreError;
use crate::events::Event;
use crate::services::Services;
use crate::system::wire::{AuditEntryDto, AuditFacetsDto, AuditPageDto, AuditQuery};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

fn dto(e: AuditEntry) -> AuditEntryDto {
    AuditEntryDto {
        seq: e.seq,
        id: e.id,
        table_name: e.table_name,
        record_id: e.record_id,
        action: e.action,
        changes: e.changes,
        actor: e.actor,
        device_id: e.device_id,
        created_at: e.created_at.to_string(),
    }
}

/// A page of the trail, newest first, filtered by table, actor and record.
pub fn list(ctx: &Services, query: AuditQuery) -> Result<AuditPageDto, CoreError> {
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
pub fn facets(ctx: &Services) -> Result<AuditFacetsDto, CoreError> {
    let (tables, actors) = ctx.store().read(audit_logs::facets)?;
    Ok(AuditFacetsDto { tables, actors })
}

/// How often the audit trail is looked at for entries written by anyone.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// Publishes `audit.appended` whenever the trail grows, whoever wrote to it: this process, the
/// CLI, or the sqlite3 shell. The audit trail is written by triggers, so watching it is the one
/// way to see every change.
pub(crate) fn watch_audit_trail(services: &Services) {
    let services = services.clone();
    let mut ticker = services.ticker(WATCH_INTERVAL);
    tokio::spawn(async move {
        let last_seq = |s: &Services| Ok(s.store().read(audit_logs::last_seq)?);
        let mut last = match services.blocking(last_seq).await {
            Ok(seq) => seq,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the audit trail; activity will not update live");
                return;
            }
        };
        while ticker.next().await {
            match services.blocking(last_seq).await {
                Ok(seq) if seq > last => {
                    last = seq;
                    services
                        .events()
                        .publish(Event::AuditAppended { last_seq: seq });
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "audit watch: read failed; trying again"),
            }
        }
    });
}
