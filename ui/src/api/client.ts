// The one typed API client. Each method names its HTTP route and its desktop command; the
// types come from the Rust DTOs (../bindings, generated, never edited).
import type { AuditFacetsDto } from "../bindings/AuditFacetsDto";
import type { AuditPageDto } from "../bindings/AuditPageDto";
import type { AuditQuery } from "../bindings/AuditQuery";
import type { HealthDto } from "../bindings/HealthDto";
import type { HttpApiStatusDto } from "../bindings/HttpApiStatusDto";
import type { SettingsDto } from "../bindings/SettingsDto";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { SystemInfoDto } from "../bindings/SystemInfoDto";
import type { PreviewDto } from "../bindings/PreviewDto";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { Rule } from "../bindings/Rule";
import type { TemplateContent } from "../bindings/TemplateContent";
import type { TemplateDiffDto } from "../bindings/TemplateDiffDto";
import type { TemplateDto } from "../bindings/TemplateDto";
import type { TemplateQuery } from "../bindings/TemplateQuery";
import type { TemplateRemovedDto } from "../bindings/TemplateRemovedDto";
import type { TemplateRollback } from "../bindings/TemplateRollback";
import type { TemplateStatusChange } from "../bindings/TemplateStatusChange";
import type { TemplateUpdate } from "../bindings/TemplateUpdate";
import type { TemplateVersionDto } from "../bindings/TemplateVersionDto";
import type { ValidationDto } from "../bindings/ValidationDto";
import type { CleanRequest } from "../bindings/CleanRequest";
import type { CountDto } from "../bindings/CountDto";
import type { EnqueueRequest } from "../bindings/EnqueueRequest";
import type { Enqueued } from "../bindings/Enqueued";
import type { JobAction } from "../bindings/JobAction";
import type { JobActionDto } from "../bindings/JobActionDto";
import type { JobDetail } from "../bindings/JobDetail";
import type { JobPage } from "../bindings/JobPage";
import type { JobQuery } from "../bindings/JobQuery";
import type { QueueOverviewDto } from "../bindings/QueueOverviewDto";
import type { QueueStats } from "../bindings/QueueStats";
import type { MediaDetailDto } from "../bindings/MediaDetailDto";
import type { MediaDto } from "../bindings/MediaDto";
import type { MediaPageDto } from "../bindings/MediaPageDto";
import type { MediaQuery } from "../bindings/MediaQuery";
import type { MediaRemovedDto } from "../bindings/MediaRemovedDto";
import type { MerchantDto } from "../bindings/MerchantDto";
import type { ProductCreate } from "../bindings/ProductCreate";
import type { ProductDto } from "../bindings/ProductDto";
import type { ProductLinkRequest } from "../bindings/ProductLinkRequest";
import type { DeliveryDetailDto } from "../bindings/DeliveryDetailDto";
import type { DeliveryDto } from "../bindings/DeliveryDto";
import type { DeliveryPageDto } from "../bindings/DeliveryPageDto";
import type { EventAccepted } from "../bindings/EventAccepted";
import type { IngestSecretDto } from "../bindings/IngestSecretDto";
import type { MerchantCreate } from "../bindings/MerchantCreate";
import type { ReplayedDto } from "../bindings/ReplayedDto";
import type { WebhookCreate } from "../bindings/WebhookCreate";
import type { WebhookDto } from "../bindings/WebhookDto";
import type { WebhookEventDto } from "../bindings/WebhookEventDto";
import type { WebhookSecretDto } from "../bindings/WebhookSecretDto";
import type { WebhookStatusDto } from "../bindings/WebhookStatusDto";
import type { WebhookUpdate } from "../bindings/WebhookUpdate";
import type { OrderCreate } from "../bindings/OrderCreate";
import type { OrderDto } from "../bindings/OrderDto";
import type { OrderPageDto } from "../bindings/OrderPageDto";
import type { OrderQuery } from "../bindings/OrderQuery";
import type { OrderUpdate } from "../bindings/OrderUpdate";
import type { SyncConnectionDto } from "../bindings/SyncConnectionDto";
import type { SyncConnectionUpdate } from "../bindings/SyncConnectionUpdate";
import type { SyncErrorDto } from "../bindings/SyncErrorDto";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import type { SyncTestDto } from "../bindings/SyncTestDto";
import { transport } from "./transport";

export type { JobAction } from "../bindings/JobAction";

const queuePath = (queue: string) => `/api/queues/${encodeURIComponent(queue)}`;
const mediaPath = (id: string) => `/api/media/${encodeURIComponent(id)}`;
const webhookPath = (id: string) => `/api/webhooks/${encodeURIComponent(id)}`;
const deliveryPath = (id: string) => `/api/webhook-deliveries/${encodeURIComponent(id)}`;
const orderPath = (id: string) => `/api/orders/${encodeURIComponent(id)}`;

/** Which file of a media record: the original, or a variant in a format. */
export interface MediaFileChoice {
  variant?: string;
  format?: "jpeg" | "webp";
}

export const api = {
  health: () =>
    transport().call<HealthDto>({ http: { method: "GET", path: "/api/health" }, ipc: { command: "health" } }),

  systemInfo: () =>
    transport().call<SystemInfoDto>({
      http: { method: "GET", path: "/api/system/info" },
      ipc: { command: "system_info" },
    }),

  audit: (query: AuditQuery) =>
    transport().call<AuditPageDto>({
      http: { method: "GET", path: "/api/audit", query: { ...query } },
      ipc: { command: "list_audit", args: { query } },
    }),

  auditFacets: () =>
    transport().call<AuditFacetsDto>({
      http: { method: "GET", path: "/api/audit/facets" },
      ipc: { command: "audit_facets" },
    }),

  settings: () =>
    transport().call<SettingsDto>({ http: { method: "GET", path: "/api/settings" }, ipc: { command: "get_settings" } }),

  updateSettings: (update: SettingsUpdate) =>
    transport().call<SettingsDto>({
      http: { method: "PUT", path: "/api/settings", body: update },
      ipc: { command: "update_settings", args: { update } },
    }),

  /** Desktop app only: whether it serves the HTTP API right now. */
  httpApiStatus: () =>
    transport().call<HttpApiStatusDto>({ http: null, ipc: { command: "http_api_status" } }),

  templates: (query: TemplateQuery) =>
    transport().call<TemplateDto[]>({
      http: { method: "GET", path: "/api/templates", query: { ...query } },
      ipc: { command: "list_templates", args: { query } },
    }),

  template: (id: string) =>
    transport().call<TemplateDto>({
      http: { method: "GET", path: `/api/templates/${encodeURIComponent(id)}` },
      ipc: { command: "get_template", args: { id } },
    }),

  createTemplate: (content: TemplateContent) =>
    transport().call<TemplateDto>({
      http: { method: "POST", path: "/api/templates", body: content },
      ipc: { command: "create_template", args: { content } },
    }),

  updateTemplate: (id: string, update: TemplateUpdate) =>
    transport().call<TemplateDto>({
      http: { method: "PUT", path: `/api/templates/${encodeURIComponent(id)}`, body: update },
      ipc: { command: "update_template", args: { id, update } },
    }),

  setTemplateStatus: (id: string, change: TemplateStatusChange) =>
    transport().call<TemplateDto>({
      http: { method: "POST", path: `/api/templates/${encodeURIComponent(id)}/status`, body: change },
      ipc: { command: "set_template_status", args: { id, change } },
    }),

  rollbackTemplate: (id: string, request: TemplateRollback) =>
    transport().call<TemplateDto>({
      http: { method: "POST", path: `/api/templates/${encodeURIComponent(id)}/rollback`, body: request },
      ipc: { command: "rollback_template", args: { id, request } },
    }),

  removeTemplate: (id: string) =>
    transport().call<TemplateRemovedDto>({
      http: { method: "DELETE", path: `/api/templates/${encodeURIComponent(id)}` },
      ipc: { command: "remove_template", args: { id } },
    }),

  validateTemplate: (content: TemplateContent) =>
    transport().call<ValidationDto>({
      http: { method: "POST", path: "/api/templates/validate", body: { content } },
      ipc: { command: "validate_template", args: { request: { content } } },
    }),

  previewTemplate: (request: PreviewRequest) =>
    transport().call<PreviewDto>({
      http: { method: "POST", path: "/api/templates/preview", body: request },
      ipc: { command: "preview_template", args: { request } },
    }),

  templateVersions: (id: string) =>
    transport().call<TemplateVersionDto[]>({
      http: { method: "GET", path: `/api/templates/${encodeURIComponent(id)}/versions` },
      ipc: { command: "template_versions", args: { id } },
    }),

  templateDiff: (id: string, from: number, to: number) =>
    transport().call<TemplateDiffDto>({
      http: { method: "GET", path: `/api/templates/${encodeURIComponent(id)}/diff`, query: { from, to } },
      ipc: { command: "template_diff", args: { id, query: { from, to } } },
    }),

  queues: () =>
    transport().call<QueueOverviewDto[]>({
      http: { method: "GET", path: "/api/queues" },
      ipc: { command: "list_queues" },
    }),

  jobs: (queue: string, query: JobQuery) =>
    transport().call<JobPage>({
      http: {
        method: "GET",
        path: `${queuePath(queue)}/jobs`,
        query: {
          status: query.status ?? undefined,
          q: query.q ?? undefined,
          cursor: query.cursor ?? undefined,
          limit: query.limit ?? undefined,
        },
      },
      ipc: { command: "list_jobs", args: { queue, query } },
    }),

  job: (queue: string, id: number) =>
    transport().call<JobDetail>({
      http: { method: "GET", path: `${queuePath(queue)}/jobs/${String(id)}` },
      ipc: { command: "get_job", args: { queue, id: String(id) } },
    }),

  enqueue: (queue: string, request: EnqueueRequest) =>
    transport().call<Enqueued>({
      http: { method: "POST", path: `${queuePath(queue)}/jobs`, body: request },
      ipc: { command: "enqueue_job", args: { queue, request } },
    }),

  jobAction: (queue: string, id: number, action: JobAction) =>
    transport().call<JobActionDto>({
      http: { method: "POST", path: `${queuePath(queue)}/jobs/${String(id)}/${action}` },
      ipc: { command: "job_action", args: { queue, id: String(id), action } },
    }),

  retryFailed: (queue: string) =>
    transport().call<CountDto>({
      http: { method: "POST", path: `${queuePath(queue)}/retry-failed` },
      ipc: { command: "retry_failed_jobs", args: { queue } },
    }),

  setQueuePaused: (queue: string, paused: boolean) =>
    transport().call<QueueStats>({
      http: { method: "POST", path: `${queuePath(queue)}/${paused ? "pause" : "resume"}` },
      ipc: { command: "set_queue_paused", args: { queue, paused } },
    }),

  cleanQueue: (queue: string, request: CleanRequest) =>
    transport().call<CountDto>({
      http: { method: "POST", path: `${queuePath(queue)}/clean`, body: request },
      ipc: { command: "clean_queue", args: { queue, request } },
    }),

  media: (query: MediaQuery) =>
    transport().call<MediaPageDto>({
      http: { method: "GET", path: "/api/media", query: { ...query, unused: query.unused === true ? "true" : undefined } },
      ipc: { command: "list_media", args: { query } },
    }),

  mediaDetail: (id: string) =>
    transport().call<MediaDetailDto>({
      http: { method: "GET", path: mediaPath(id) },
      ipc: { command: "get_media", args: { id } },
    }),

  /** Uploads a file picked or dropped in the page (streamed over HTTP, with progress). */
  uploadMedia: (file: File, merchantId: string | null, onProgress?: (share: number) => void) =>
    transport().upload<MediaDto>({
      http: { path: "/api/media", fields: merchantId === null ? {} : { merchant_id: merchantId } },
      ipc: {
        command: "upload_media",
        args: (fileData) => ({
          request: { file_data: fileData, file_name: file.name, ...(merchantId === null ? {} : { merchant_id: merchantId }) },
        }),
      },
      file,
      ...(onProgress === undefined ? {} : { onProgress }),
    }),

  /** Desktop app only: uploads a file dropped on the window, read from disk by the app. */
  uploadMediaPath: (path: string, merchantId: string | null) =>
    transport().call<MediaDto>({ http: null, ipc: { command: "upload_media_path", args: { path, merchantId } } }),

  mediaFile: (id: string, choice: MediaFileChoice, type: string) =>
    transport().bytes(
      {
        http: { method: "GET", path: `${mediaPath(id)}/file`, query: { variant: choice.variant, format: choice.format } },
        ipc: { command: "media_file", args: { id, variant: choice.variant ?? null, format: choice.format ?? null } },
      },
      type,
    ),

  removeMedia: (id: string, force: boolean) =>
    transport().call<MediaRemovedDto>({
      http: { method: "DELETE", path: mediaPath(id), query: { force: force ? "true" : undefined } },
      ipc: { command: "remove_media", args: { id, force } },
    }),

  reprocessMedia: (id: string) =>
    transport().call<MediaDto>({
      http: { method: "POST", path: `${mediaPath(id)}/process`, body: {} },
      ipc: { command: "reprocess_media", args: { id, options: {} } },
    }),

  linkMediaProduct: (id: string, productId: string, link: ProductLinkRequest) =>
    transport().call<MediaDetailDto>({
      http: { method: "PUT", path: `${mediaPath(id)}/products/${encodeURIComponent(productId)}`, body: link },
      ipc: { command: "link_media_product", args: { id, productId, link } },
    }),

  unlinkMediaProduct: (id: string, productId: string) =>
    transport().call<MediaDetailDto>({
      http: { method: "DELETE", path: `${mediaPath(id)}/products/${encodeURIComponent(productId)}` },
      ipc: { command: "unlink_media_product", args: { id, productId } },
    }),

  products: () =>
    transport().call<ProductDto[]>({ http: { method: "GET", path: "/api/products" }, ipc: { command: "list_products" } }),

  createProduct: (request: ProductCreate) =>
    transport().call<ProductDto>({
      http: { method: "POST", path: "/api/products", body: request },
      ipc: { command: "create_product", args: { request } },
    }),

  merchants: () =>
    transport().call<MerchantDto[]>({ http: { method: "GET", path: "/api/merchants" }, ipc: { command: "list_merchants" } }),

  createMerchant: (request: MerchantCreate) =>
    transport().call<MerchantDto>({
      http: { method: "POST", path: "/api/merchants", body: request },
      ipc: { command: "create_merchant", args: { request } },
    }),

  webhooks: () =>
    transport().call<WebhookDto[]>({ http: { method: "GET", path: "/api/webhooks" }, ipc: { command: "list_webhooks" } }),

  webhook: (id: string) =>
    transport().call<WebhookDto>({ http: { method: "GET", path: webhookPath(id) }, ipc: { command: "get_webhook", args: { id } } }),

  createWebhook: (request: WebhookCreate) =>
    transport().call<WebhookSecretDto>({
      http: { method: "POST", path: "/api/webhooks", body: request },
      ipc: { command: "create_webhook", args: { request } },
    }),

  updateWebhook: (id: string, request: WebhookUpdate) =>
    transport().call<WebhookDto>({
      http: { method: "PUT", path: webhookPath(id), body: request },
      ipc: { command: "update_webhook", args: { id, request } },
    }),

  removeWebhook: (id: string) =>
    transport().call<null>({ http: { method: "DELETE", path: webhookPath(id) }, ipc: { command: "remove_webhook", args: { id } } }),

  rotateWebhookSecret: (id: string) =>
    transport().call<WebhookSecretDto>({
      http: { method: "POST", path: `${webhookPath(id)}/rotate-secret`, body: {} },
      ipc: { command: "rotate_webhook_secret", args: { id } },
    }),

  sendWebhookTest: (id: string) =>
    transport().call<EventAccepted>({
      http: { method: "POST", path: `${webhookPath(id)}/test`, body: {} },
      ipc: { command: "send_webhook_test", args: { id } },
    }),

  webhookDeliveries: (id: string, status: string | null, cursor: string | null) =>
    transport().call<DeliveryPageDto>({
      http: {
        method: "GET",
        path: `${webhookPath(id)}/deliveries`,
        query: { status: status ?? undefined, cursor: cursor ?? undefined, limit: "50" },
      },
      ipc: { command: "list_webhook_deliveries", args: { id, status, cursor, limit: 50 } },
    }),

  webhookDelivery: (id: string) =>
    transport().call<DeliveryDetailDto>({
      http: { method: "GET", path: deliveryPath(id) },
      ipc: { command: "get_webhook_delivery", args: { id } },
    }),

  replayDelivery: (id: string) =>
    transport().call<DeliveryDto>({
      http: { method: "POST", path: `${deliveryPath(id)}/replay`, body: {} },
      ipc: { command: "replay_webhook_delivery", args: { id } },
    }),

  replayFailed: (id: string, since: string | null) =>
    transport().call<ReplayedDto>({
      http: { method: "POST", path: `${webhookPath(id)}/replay-failed`, body: since === null ? {} : { since } },
      ipc: { command: "replay_failed_webhook_deliveries", args: { id, request: since === null ? {} : { since } } },
    }),

  webhookStatus: () =>
    transport().call<WebhookStatusDto>({ http: { method: "GET", path: "/api/webhooks-status" }, ipc: { command: "webhook_status" } }),

  webhookEvents: (limit: number, type: string | null) =>
    transport().call<WebhookEventDto[]>({
      http: { method: "GET", path: "/api/webhook-events", query: { limit: String(limit), type: type ?? undefined } },
      ipc: { command: "recent_webhook_events", args: { limit, eventType: type } },
    }),

  orders: (query: OrderQuery) =>
    transport().call<OrderPageDto>({
      http: {
        method: "GET",
        path: "/api/orders",
        query: {
          merchant_id: query.merchant_id,
          status: query.status,
          cursor: query.cursor,
          limit: query.limit === undefined ? undefined : String(query.limit),
        },
      },
      ipc: { command: "list_orders", args: { query } },
    }),

  createOrder: (request: OrderCreate) =>
    transport().call<OrderDto>({
      http: { method: "POST", path: "/api/orders", body: request },
      ipc: { command: "create_order", args: { request } },
    }),

  updateOrder: (id: string, request: OrderUpdate) =>
    transport().call<OrderDto>({
      http: { method: "PATCH", path: orderPath(id), body: request },
      ipc: { command: "update_order", args: { id, request } },
    }),

  syncStatus: () =>
    transport().call<SyncStatusDto>({ http: { method: "GET", path: "/api/sync" }, ipc: { command: "sync_status" } }),

  syncNow: () =>
    transport().call<SyncStatusDto>({ http: { method: "POST", path: "/api/sync/now", body: {} }, ipc: { command: "sync_now" } }),

  syncConnection: () =>
    transport().call<SyncConnectionDto>({ http: { method: "GET", path: "/api/sync/connection" }, ipc: { command: "sync_connection" } }),

  setSyncConnection: (request: SyncConnectionUpdate) =>
    transport().call<SyncConnectionDto>({
      http: { method: "PUT", path: "/api/sync/connection", body: request },
      ipc: { command: "set_sync_connection", args: { request } },
    }),

  testSyncConnection: (request: SyncConnectionUpdate) =>
    transport().call<SyncTestDto>({
      http: { method: "POST", path: "/api/sync/connection/test", body: request },
      ipc: { command: "test_sync_connection", args: { request } },
    }),

  syncErrors: () =>
    transport().call<SyncErrorDto[]>({ http: { method: "GET", path: "/api/sync/errors" }, ipc: { command: "sync_errors" } }),

  resolveSyncError: (id: string, action: "retry" | "keep-local" | "discard-local") =>
    transport().call<SyncStatusDto>({
      http: { method: "POST", path: `/api/sync/errors/${encodeURIComponent(id)}/${action}`, body: {} },
      ipc: { command: "resolve_sync_error", args: { id, action } },
    }),

  rotateEventsSecret: () =>
    transport().call<IngestSecretDto>({
      http: { method: "POST", path: "/api/events/secret", body: {} },
      ipc: { command: "rotate_events_secret" },
    }),

  templateRules: () =>
    transport().call<Rule[]>({
      http: { method: "GET", path: "/api/templates/rules" },
      ipc: { command: "template_rules" },
    }),
};
