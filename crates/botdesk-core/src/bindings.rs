//! The TypeScript types of the DTOs and the map of every command, for the UI's one typed
//! client (`ui/src/bindings/`). They are generated, never written by hand: this crate's test
//! `typescript_bindings_are_current` regenerates them and fails when the committed files were
//! stale. The table of operations exports what its commands name; the types here are those no
//! command names (events, the desktop app's own reports, what the UI builds itself).

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::dto::*;

/// Writes every DTO (and what it uses) to `dir`, one `.ts` file per type.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    // i64 values fit in a JSON number for everything botdesk counts (sequences, sizes).
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    crate::api::typescript::export::<crate::surface::Api>(&cfg, dir)?;
    HealthDto::export_all(&cfg)?;
    SystemInfoDto::export_all(&cfg)?;
    ErrorBodyDto::export_all(&cfg)?;
    crate::error::ErrorCode::export_all(&cfg)?;
    export_rule_codes(dir)?;
    AuditPageDto::export_all(&cfg)?;
    AuditFacetsDto::export_all(&cfg)?;
    AuditQuery::export_all(&cfg)?;
    SettingsDto::export_all(&cfg)?;
    SettingsUpdate::export_all(&cfg)?;
    ApiKeyDto::export_all(&cfg)?;
    CreatedApiKeyDto::export_all(&cfg)?;
    TemplateQuery::export_all(&cfg)?;
    TemplateDto::export_all(&cfg)?;
    TemplateUpdate::export_all(&cfg)?;
    TemplateStatusChange::export_all(&cfg)?;
    TemplateRollback::export_all(&cfg)?;
    TemplateRemovedDto::export_all(&cfg)?;
    TemplateValidateRequest::export_all(&cfg)?;
    ValidationDto::export_all(&cfg)?;
    PreviewRequest::export_all(&cfg)?;
    PreviewDto::export_all(&cfg)?;
    TemplateVersionDto::export_all(&cfg)?;
    DiffQuery::export_all(&cfg)?;
    TemplateDiffDto::export_all(&cfg)?;
    botdesk_templates::Rule::export_all(&cfg)?;
    EventDto::export_all(&cfg)?;
    ConnectionStatsDto::export_all(&cfg)?;
    HttpApiStatusDto::export_all(&cfg)?;
    QueueOverviewDto::export_all(&cfg)?;
    EnqueueRequest::export_all(&cfg)?;
    EnqueueBulkRequest::export_all(&cfg)?;
    JobActionDto::export_all(&cfg)?;
    CountDto::export_all(&cfg)?;
    CleanRequest::export_all(&cfg)?;
    botdesk_queue::JobPage::export_all(&cfg)?;
    botdesk_queue::JobDetail::export_all(&cfg)?;
    botdesk_queue::JobStatus::export_all(&cfg)?;
    botdesk_queue::JobQuery::export_all(&cfg)?;
    botdesk_queue::Enqueued::export_all(&cfg)?;
    botdesk_queue::QueueName::export_all(&cfg)?;
    crate::queues::probe::Probe::export_all(&cfg)?;
    MediaUploadRequest::export_all(&cfg)?;
    MediaOptionsDto::export_all(&cfg)?;
    MediaDto::export_all(&cfg)?;
    MediaDetailDto::export_all(&cfg)?;
    MediaPageDto::export_all(&cfg)?;
    MediaQuery::export_all(&cfg)?;
    MediaRemovedDto::export_all(&cfg)?;
    ProductLinkRequest::export_all(&cfg)?;
    ProductDto::export_all(&cfg)?;
    ProductCreate::export_all(&cfg)?;
    MerchantDto::export_all(&cfg)?;
    MerchantCreate::export_all(&cfg)?;
    OrderDto::export_all(&cfg)?;
    OrderItemDto::export_all(&cfg)?;
    OrderCreate::export_all(&cfg)?;
    OrderUpdate::export_all(&cfg)?;
    OrderQuery::export_all(&cfg)?;
    OrderPageDto::export_all(&cfg)?;
    SyncConnectionDto::export_all(&cfg)?;
    SyncConnectionUpdate::export_all(&cfg)?;
    SyncStatusDto::export_all(&cfg)?;
    SyncErrorDto::export_all(&cfg)?;
    SyncTestDto::export_all(&cfg)?;
    WebhookDto::export_all(&cfg)?;
    WebhookCreate::export_all(&cfg)?;
    WebhookUpdate::export_all(&cfg)?;
    WebhookSecretDto::export_all(&cfg)?;
    DeliveryPageDto::export_all(&cfg)?;
    DeliveryDetailDto::export_all(&cfg)?;
    EventIn::export_all(&cfg)?;
    WebhookEventDto::export_all(&cfg)?;
    WebhookStatusDto::export_all(&cfg)?;
    ReplayFailed::export_all(&cfg)?;
    ReplayedDto::export_all(&cfg)?;
    IngestSecretDto::export_all(&cfg)?;
    EventAccepted::export_all(&cfg)?;
    Ok(())
}

/// `RuleCode.ts`: the code of each of WhatsApp's rules (the editor's counters name theirs).
fn export_rule_codes(dir: &Path) -> Result<(), ExportError> {
    let codes: Vec<String> = botdesk_templates::RULES
        .iter()
        .map(|r| format!("\"{}\"", r.code))
        .collect();
    let text = format!(
        "// Generated from botdesk-templates' RULES (crate::bindings); never edit.\n\n\
         /** The code of one of WhatsApp's rules, as `Rule.code` and an issue's `code` carry it. */\n\
         export type RuleCode =\n  | {};\n",
        codes.join("\n  | ")
    );
    std::fs::write(dir.join("RuleCode.ts"), text)?;
    Ok(())
}
