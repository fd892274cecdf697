//! One short command per core op. Each takes what the UI sent, calls the op off the UI
//! thread, and returns its DTO or its `WireError` (the UI's client reads both transports' errors
//! the same way).

use botdesk_core::dto::{
    AuditFacetsDto, AuditPageDto, DiffQuery, HealthDto, HttpApiStatusDto, PreviewDto, SettingsDto,
    SystemInfoDto, TemplateDiffDto, TemplateDto, TemplateRemovedDto, TemplateValidateRequest,
    TemplateVersionDto, ValidationDto,
};
use botdesk_core::dto::{CleanRequest, CountDto, EnqueueRequest, JobActionDto, QueueOverviewDto};
use botdesk_core::dto::{
    DeliveryDetailDto, DeliveryDto, DeliveryPageDto, IngestSecretDto, OrderDto, OrderPageDto,
    ReplayedDto, SyncConnectionDto, SyncErrorDto, SyncStatusDto, SyncTestDto, WebhookDto,
    WebhookEventDto, WebhookSecretDto, WebhookStatusDto,
};
use botdesk_core::dto::{
    MediaDetailDto, MediaDto, MediaPageDto, MediaRemovedDto, MerchantDto, ProductDto,
    ProductLinkRequest,
};
use botdesk_core::media::library::Upload;
use botdesk_core::ops::webhooks::EventAccepted;
use botdesk_core::queue::{Enqueued, JobDetail, JobPage, JobQuery, QueueStats};
use botdesk_core::templates::Rule;
use botdesk_core::{Ctx, WireError, ops, request};

use crate::Desktop;

type Reply<T> = Result<T, WireError>;

/// What the UI sent, as the op's request type (bad input is `request.invalid_body`).
fn args<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    request::from_value(value).map_err(|e| e.wire())
}

async fn run<T: Send + 'static>(
    state: &Desktop,
    op: impl FnOnce(&Ctx) -> Result<T, botdesk_core::CoreError> + Send + 'static,
) -> Reply<T> {
    let ctx = state.ctx()?;
    ctx.blocking(op).await.map_err(|e| e.wire())
}

#[tauri::command]
pub async fn health(state: tauri::State<'_, Desktop>) -> Reply<HealthDto> {
    Ok(ops::system::health(&state.ctx()?))
}

#[tauri::command]
pub async fn system_info(state: tauri::State<'_, Desktop>) -> Reply<SystemInfoDto> {
    Ok(ops::system::info(&state.ctx()?))
}

#[tauri::command]
pub async fn list_audit(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<AuditPageDto> {
    let query = args(query)?;
    run(&state, move |ctx| ops::activity::list(ctx, query)).await
}

#[tauri::command]
pub async fn audit_facets(state: tauri::State<'_, Desktop>) -> Reply<AuditFacetsDto> {
    run(&state, ops::activity::facets).await
}

#[tauri::command]
pub async fn get_settings(state: tauri::State<'_, Desktop>) -> Reply<SettingsDto> {
    run(&state, ops::settings::get).await
}

#[tauri::command]
pub async fn update_settings(
    state: tauri::State<'_, Desktop>,
    update: serde_json::Value,
) -> Reply<SettingsDto> {
    let update = args(update)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::settings::update(ctx, &actor, update)
    })
    .await
}

#[tauri::command]
pub async fn list_templates(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<Vec<TemplateDto>> {
    let query = args(query)?;
    run(&state, move |ctx| ops::templates::list(ctx, query)).await
}

#[tauri::command]
pub async fn http_api_status(state: tauri::State<'_, Desktop>) -> Reply<HttpApiStatusDto> {
    Ok(state.http_api.status())
}

#[tauri::command]
pub async fn get_template(state: tauri::State<'_, Desktop>, id: String) -> Reply<TemplateDto> {
    run(&state, move |ctx| ops::templates::get(ctx, &id)).await
}

#[tauri::command]
pub async fn create_template(
    state: tauri::State<'_, Desktop>,
    content: serde_json::Value,
) -> Reply<TemplateDto> {
    let content = args(content)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::templates::create(ctx, &actor, content)
    })
    .await
}

#[tauri::command]
pub async fn update_template(
    state: tauri::State<'_, Desktop>,
    id: String,
    update: serde_json::Value,
) -> Reply<TemplateDto> {
    let update = args(update)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::templates::update(ctx, &actor, &id, update)
    })
    .await
}

#[tauri::command]
pub async fn set_template_status(
    state: tauri::State<'_, Desktop>,
    id: String,
    change: serde_json::Value,
) -> Reply<TemplateDto> {
    let change = args(change)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::templates::set_status(ctx, &actor, &id, change)
    })
    .await
}

#[tauri::command]
pub async fn rollback_template(
    state: tauri::State<'_, Desktop>,
    id: String,
    request: serde_json::Value,
) -> Reply<TemplateDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::templates::rollback(ctx, &actor, &id, request)
    })
    .await
}

#[tauri::command]
pub async fn remove_template(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<TemplateRemovedDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| ops::templates::remove(ctx, &actor, &id)).await
}

#[tauri::command]
pub async fn validate_template(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<ValidationDto> {
    let request: TemplateValidateRequest = args(request)?;
    run(&state, move |ctx| {
        ops::templates::validate(ctx, &request.content)
    })
    .await
}

#[tauri::command]
pub async fn preview_template(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<PreviewDto> {
    let request = args(request)?;
    run(&state, move |ctx| ops::templates::preview(ctx, request)).await
}

#[tauri::command]
pub async fn template_versions(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<Vec<TemplateVersionDto>> {
    run(&state, move |ctx| ops::templates::versions(ctx, &id)).await
}

#[tauri::command]
pub async fn template_diff(
    state: tauri::State<'_, Desktop>,
    id: String,
    query: serde_json::Value,
) -> Reply<TemplateDiffDto> {
    let query: DiffQuery = args(query)?;
    run(&state, move |ctx| {
        ops::templates::diff(ctx, &id, query.from, query.to)
    })
    .await
}

#[tauri::command]
pub async fn template_rules() -> Reply<&'static [Rule]> {
    Ok(ops::templates::rules())
}

#[tauri::command]
pub async fn list_queues(state: tauri::State<'_, Desktop>) -> Reply<Vec<QueueOverviewDto>> {
    run(&state, ops::queues::overviews).await
}

#[tauri::command]
pub async fn list_jobs(
    state: tauri::State<'_, Desktop>,
    queue: String,
    query: serde_json::Value,
) -> Reply<JobPage> {
    let query: JobQuery = args(query)?;
    run(&state, move |ctx| {
        ops::queues::list_jobs(ctx, ops::queues::queue(&queue)?, &query)
    })
    .await
}

#[tauri::command]
pub async fn get_job(
    state: tauri::State<'_, Desktop>,
    queue: String,
    id: String,
) -> Reply<JobDetail> {
    run(&state, move |ctx| {
        let queue = ops::queues::queue(&queue)?;
        ops::queues::job(ctx, queue, ops::queues::job_id(queue, &id)?)
    })
    .await
}

/// The queue ops that change things are async (they go through the running engine).
async fn queue_op<T, F, Fut>(state: &Desktop, op: F) -> Reply<T>
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = Result<T, botdesk_core::CoreError>>,
{
    let ctx = state.ctx()?;
    op(ctx).await.map_err(|e| e.wire())
}

#[tauri::command]
pub async fn enqueue_job(
    state: tauri::State<'_, Desktop>,
    queue: String,
    request: serde_json::Value,
) -> Reply<Enqueued> {
    let request: EnqueueRequest = args(request)?;
    queue_op(&state, |ctx| async move {
        ops::queues::enqueue(&ctx, ops::queues::queue(&queue)?, request).await
    })
    .await
}

#[tauri::command]
pub async fn job_action(
    state: tauri::State<'_, Desktop>,
    queue: String,
    id: String,
    action: String,
) -> Reply<JobActionDto> {
    queue_op(&state, |ctx| async move {
        let queue = ops::queues::queue(&queue)?;
        let id = ops::queues::job_id(queue, &id)?;
        ops::queues::act(&ctx, queue, id, ops::queues::parse_action(&action)?).await
    })
    .await
}

#[tauri::command]
pub async fn retry_failed_jobs(state: tauri::State<'_, Desktop>, queue: String) -> Reply<CountDto> {
    queue_op(&state, |ctx| async move {
        ops::queues::retry_failed(&ctx, ops::queues::queue(&queue)?).await
    })
    .await
}

#[tauri::command]
pub async fn set_queue_paused(
    state: tauri::State<'_, Desktop>,
    queue: String,
    paused: bool,
) -> Reply<QueueStats> {
    queue_op(&state, |ctx| async move {
        ops::queues::set_paused(&ctx, ops::queues::queue(&queue)?, paused).await
    })
    .await
}

#[tauri::command]
pub async fn clean_queue(
    state: tauri::State<'_, Desktop>,
    queue: String,
    request: serde_json::Value,
) -> Reply<CountDto> {
    let request: CleanRequest = args(request)?;
    queue_op(&state, |ctx| async move {
        ops::queues::clean(&ctx, ops::queues::queue(&queue)?, request).await
    })
    .await
}

#[tauri::command]
pub async fn list_media(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<MediaPageDto> {
    let query = args(query)?;
    run(&state, move |ctx| ops::media::list(ctx, query)).await
}

#[tauri::command]
pub async fn get_media(state: tauri::State<'_, Desktop>, id: String) -> Reply<MediaDetailDto> {
    run(&state, move |ctx| ops::media::get(ctx, &id)).await
}

/// A file the UI read itself (the file picker), as the HTTP call's base64 JSON.
#[tauri::command]
pub async fn upload_media(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<MediaDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    queue_op(&state, |ctx| async move {
        ops::media::upload_base64(&ctx, &actor, request).await
    })
    .await
}

/// A file dropped on the window: read from disk directly, streamed into the store.
#[tauri::command]
pub async fn upload_media_path(
    state: tauri::State<'_, Desktop>,
    path: String,
    merchant_id: Option<String>,
) -> Reply<MediaDto> {
    let actor = state.actor.clone();
    queue_op(&state, |ctx| async move {
        let path = std::path::PathBuf::from(path);
        let file = std::fs::File::open(&path).map_err(|e| {
            botdesk_core::CoreError::invalid(
                "media.unreadable_file",
                format!("{} cannot be read: {e}", path.display()),
            )
        })?;
        let upload = Upload {
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            declared_mime: None,
            merchant_id,
        };
        ops::media::upload_stream(&ctx, &actor, upload, None, file).await
    })
    .await
}

/// A media file's bytes (the original or a variant), for the UI to show.
#[tauri::command]
pub async fn media_file(
    state: tauri::State<'_, Desktop>,
    id: String,
    variant: Option<String>,
    format: Option<String>,
) -> Result<tauri::ipc::Response, WireError> {
    let found = queue_op(&state, |ctx| async move {
        ops::media::file(&ctx, &id, variant.as_deref(), format.as_deref()).await
    })
    .await?;
    let bytes = tokio::fs::read(&found.path).await.map_err(|e| {
        botdesk_core::CoreError::Internal(format!("reading {}: {e}", found.path.display())).wire()
    })?;
    Ok(tauri::ipc::Response::new(bytes))
}

#[tauri::command]
pub async fn remove_media(
    state: tauri::State<'_, Desktop>,
    id: String,
    force: bool,
) -> Reply<MediaRemovedDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::media::remove(ctx, &actor, &id, force)
    })
    .await
}

#[tauri::command]
pub async fn reprocess_media(
    state: tauri::State<'_, Desktop>,
    id: String,
    options: serde_json::Value,
) -> Reply<MediaDto> {
    let options = args(options)?;
    let actor = state.actor.clone();
    queue_op(&state, |ctx| async move {
        ops::media::reprocess(&ctx, &actor, &id, Some(options)).await
    })
    .await
}

#[tauri::command]
pub async fn link_media_product(
    state: tauri::State<'_, Desktop>,
    id: String,
    product_id: String,
    link: serde_json::Value,
) -> Reply<MediaDetailDto> {
    let link: ProductLinkRequest = args(link)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::media::link_product(ctx, &actor, &id, &product_id, link)
    })
    .await
}

#[tauri::command]
pub async fn unlink_media_product(
    state: tauri::State<'_, Desktop>,
    id: String,
    product_id: String,
) -> Reply<MediaDetailDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::media::unlink_product(ctx, &actor, &id, &product_id)
    })
    .await
}

#[tauri::command]
pub async fn list_products(state: tauri::State<'_, Desktop>) -> Reply<Vec<ProductDto>> {
    run(&state, ops::media::products).await
}

#[tauri::command]
pub async fn create_product(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<ProductDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::media::create_product(ctx, &actor, request)
    })
    .await
}

#[tauri::command]
pub async fn list_merchants(state: tauri::State<'_, Desktop>) -> Reply<Vec<MerchantDto>> {
    run(&state, ops::media::merchants).await
}

// Webhooks --------------------------------------------------------------------------------------

#[tauri::command]
pub async fn list_webhooks(state: tauri::State<'_, Desktop>) -> Reply<Vec<WebhookDto>> {
    run(&state, |ctx| ops::webhooks::list(ctx, None)).await
}

#[tauri::command]
pub async fn get_webhook(state: tauri::State<'_, Desktop>, id: String) -> Reply<WebhookDto> {
    run(&state, move |ctx| ops::webhooks::get(ctx, &id)).await
}

#[tauri::command]
pub async fn create_webhook(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<WebhookSecretDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::create(ctx, &actor, request)
    })
    .await
}

#[tauri::command]
pub async fn update_webhook(
    state: tauri::State<'_, Desktop>,
    id: String,
    request: serde_json::Value,
) -> Reply<WebhookDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::update(ctx, &actor, &id, request)
    })
    .await
}

#[tauri::command]
pub async fn remove_webhook(state: tauri::State<'_, Desktop>, id: String) -> Reply<()> {
    let actor = state.actor.clone();
    run(&state, move |ctx| ops::webhooks::remove(ctx, &actor, &id)).await
}

#[tauri::command]
pub async fn rotate_webhook_secret(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<WebhookSecretDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::rotate_secret(ctx, &actor, &id)
    })
    .await
}

#[tauri::command]
pub async fn send_webhook_test(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<EventAccepted> {
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::send_test(ctx, &actor, &id)
    })
    .await
}

#[tauri::command]
pub async fn list_webhook_deliveries(
    state: tauri::State<'_, Desktop>,
    id: String,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Reply<DeliveryPageDto> {
    run(&state, move |ctx| {
        ops::webhooks::deliveries_of(
            ctx,
            &id,
            status.as_deref(),
            cursor.as_deref(),
            limit.unwrap_or(50),
        )
    })
    .await
}

#[tauri::command]
pub async fn get_webhook_delivery(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<DeliveryDetailDto> {
    run(&state, move |ctx| ops::webhooks::delivery(ctx, &id)).await
}

#[tauri::command]
pub async fn replay_webhook_delivery(
    state: tauri::State<'_, Desktop>,
    id: String,
) -> Reply<DeliveryDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| ops::webhooks::replay(ctx, &actor, &id)).await
}

#[tauri::command]
pub async fn replay_failed_webhook_deliveries(
    state: tauri::State<'_, Desktop>,
    id: String,
    request: serde_json::Value,
) -> Reply<ReplayedDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::replay_failed(ctx, &actor, &id, request)
    })
    .await
}

#[tauri::command]
pub async fn webhook_status(state: tauri::State<'_, Desktop>) -> Reply<WebhookStatusDto> {
    run(&state, ops::webhooks::status).await
}

#[tauri::command]
pub async fn recent_webhook_events(
    state: tauri::State<'_, Desktop>,
    limit: Option<u32>,
    event_type: Option<String>,
) -> Reply<Vec<WebhookEventDto>> {
    run(&state, move |ctx| {
        ops::webhooks::recent_events(ctx, limit.unwrap_or(50), event_type.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn rotate_events_secret(state: tauri::State<'_, Desktop>) -> Reply<IngestSecretDto> {
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::webhooks::rotate_ingest_secret(ctx, &actor)
    })
    .await
}

#[tauri::command]
pub async fn create_merchant(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<MerchantDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::media::create_merchant(ctx, &actor, request)
    })
    .await
}

// Orders ----------------------------------------------------------------------------------------

#[tauri::command]
pub async fn list_orders(
    state: tauri::State<'_, Desktop>,
    query: serde_json::Value,
) -> Reply<OrderPageDto> {
    let query = args(query)?;
    run(&state, move |ctx| ops::orders::list(ctx, query)).await
}

#[tauri::command]
pub async fn get_order(state: tauri::State<'_, Desktop>, id: String) -> Reply<OrderDto> {
    run(&state, move |ctx| ops::orders::get(ctx, &id)).await
}

#[tauri::command]
pub async fn create_order(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<OrderDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| ops::orders::create(ctx, &actor, request)).await
}

#[tauri::command]
pub async fn update_order(
    state: tauri::State<'_, Desktop>,
    id: String,
    request: serde_json::Value,
) -> Reply<OrderDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::orders::update(ctx, &actor, &id, request)
    })
    .await
}

// Sync ------------------------------------------------------------------------------------------

#[tauri::command]
pub async fn sync_status(state: tauri::State<'_, Desktop>) -> Reply<SyncStatusDto> {
    run(&state, ops::sync::status).await
}

#[tauri::command]
pub async fn sync_now(state: tauri::State<'_, Desktop>) -> Reply<SyncStatusDto> {
    run(&state, ops::sync::sync_now).await
}

#[tauri::command]
pub async fn sync_connection(state: tauri::State<'_, Desktop>) -> Reply<SyncConnectionDto> {
    run(&state, ops::sync::connection).await
}

#[tauri::command]
pub async fn set_sync_connection(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<SyncConnectionDto> {
    let request = args(request)?;
    let actor = state.actor.clone();
    run(&state, move |ctx| {
        ops::sync::set_connection(ctx, &actor, request)
    })
    .await
}

#[tauri::command]
pub async fn test_sync_connection(
    state: tauri::State<'_, Desktop>,
    request: serde_json::Value,
) -> Reply<SyncTestDto> {
    let request = args(request)?;
    let ctx = state.ctx()?;
    ops::sync::test_connection(&ctx, Some(request))
        .await
        .map_err(|e| e.wire())
}

#[tauri::command]
pub async fn sync_errors(state: tauri::State<'_, Desktop>) -> Reply<Vec<SyncErrorDto>> {
    run(&state, ops::sync::errors).await
}

#[tauri::command]
pub async fn resolve_sync_error(
    state: tauri::State<'_, Desktop>,
    id: String,
    action: String,
) -> Reply<SyncStatusDto> {
    let ctx = state.ctx()?;
    let resolution: ops::sync::Resolution = action
        .parse()
        .map_err(|e: botdesk_core::CoreError| e.wire())?;
    ops::sync::resolve(&ctx, &state.actor, &id, resolution)
        .await
        .map_err(|e| e.wire())?;
    run(&state, ops::sync::status).await
}
