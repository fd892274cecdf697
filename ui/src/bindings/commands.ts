// Generated from botdesk-core's table of operations (crate::api); never edit.
// Each command: its arguments (`path`, `query`, `body`, as HTTP carries them), its
// answer, and where it is served over HTTP.

import type { AuditFacetsDto } from "./AuditFacetsDto";
import type { AuditPageDto } from "./AuditPageDto";
import type { AuditQuery } from "./AuditQuery";
import type { CleanRequest } from "./CleanRequest";
import type { CountDto } from "./CountDto";
import type { DeliveriesQuery } from "./DeliveriesQuery";
import type { DeliveryDetailDto } from "./DeliveryDetailDto";
import type { DeliveryDto } from "./DeliveryDto";
import type { DeliveryPageDto } from "./DeliveryPageDto";
import type { DiffQuery } from "./DiffQuery";
import type { EnqueueBulkRequest } from "./EnqueueBulkRequest";
import type { EnqueueRequest } from "./EnqueueRequest";
import type { Enqueued } from "./Enqueued";
import type { EventAccepted } from "./EventAccepted";
import type { EventIn } from "./EventIn";
import type { HealthDto } from "./HealthDto";
import type { IngestSecretDto } from "./IngestSecretDto";
import type { JobActionDto } from "./JobActionDto";
import type { JobDetail } from "./JobDetail";
import type { JobPage } from "./JobPage";
import type { JobQuery } from "./JobQuery";
import type { JobStatus } from "./JobStatus";
import type { MediaDetailDto } from "./MediaDetailDto";
import type { MediaDto } from "./MediaDto";
import type { MediaOptionsDto } from "./MediaOptionsDto";
import type { MediaPageDto } from "./MediaPageDto";
import type { MediaQuery } from "./MediaQuery";
import type { MediaRemoveQuery } from "./MediaRemoveQuery";
import type { MediaRemovedDto } from "./MediaRemovedDto";
import type { MediaUploadRequest } from "./MediaUploadRequest";
import type { MerchantCreate } from "./MerchantCreate";
import type { MerchantDto } from "./MerchantDto";
import type { OrderCreate } from "./OrderCreate";
import type { OrderDto } from "./OrderDto";
import type { OrderPageDto } from "./OrderPageDto";
import type { OrderQuery } from "./OrderQuery";
import type { OrderUpdate } from "./OrderUpdate";
import type { PreviewDto } from "./PreviewDto";
import type { PreviewRequest } from "./PreviewRequest";
import type { ProductCreate } from "./ProductCreate";
import type { ProductDto } from "./ProductDto";
import type { ProductLinkRequest } from "./ProductLinkRequest";
import type { QueueOverviewDto } from "./QueueOverviewDto";
import type { QueueStats } from "./QueueStats";
import type { RecentEventsQuery } from "./RecentEventsQuery";
import type { ReplayFailed } from "./ReplayFailed";
import type { ReplayedDto } from "./ReplayedDto";
import type { Rule } from "./Rule";
import type { SettingsDto } from "./SettingsDto";
import type { SettingsUpdate } from "./SettingsUpdate";
import type { SyncConnectionDto } from "./SyncConnectionDto";
import type { SyncConnectionUpdate } from "./SyncConnectionUpdate";
import type { SyncErrorDto } from "./SyncErrorDto";
import type { SyncStatusDto } from "./SyncStatusDto";
import type { SyncTestDto } from "./SyncTestDto";
import type { SystemInfoDto } from "./SystemInfoDto";
import type { TemplateContent } from "./TemplateContent";
import type { TemplateDiffDto } from "./TemplateDiffDto";
import type { TemplateDto } from "./TemplateDto";
import type { TemplateQuery } from "./TemplateQuery";
import type { TemplateRemovedDto } from "./TemplateRemovedDto";
import type { TemplateRollback } from "./TemplateRollback";
import type { TemplateStatusChange } from "./TemplateStatusChange";
import type { TemplateUpdate } from "./TemplateUpdate";
import type { TemplateValidateRequest } from "./TemplateValidateRequest";
import type { TemplateVersionDto } from "./TemplateVersionDto";
import type { ValidationDto } from "./ValidationDto";
import type { WebhookCreate } from "./WebhookCreate";
import type { WebhookDto } from "./WebhookDto";
import type { WebhookEventDto } from "./WebhookEventDto";
import type { WebhookListQuery } from "./WebhookListQuery";
import type { WebhookSecretDto } from "./WebhookSecretDto";
import type { WebhookStatusDto } from "./WebhookStatusDto";
import type { WebhookUpdate } from "./WebhookUpdate";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The arguments of a command that takes none. */
export interface NoArgs {
  path?: never;
  query?: never;
  body?: never;
}

export interface CommandSpec {
  method: HttpMethod;
  /** The path, with `{param}` for each of `params`. */
  path: string;
  params: readonly string[];
  query: boolean;
  body: boolean;
}

export interface Commands {
  /** Whether botdesk is up, and which version and schema it runs. */
  health: { args: NoArgs; output: HealthDto };
  /** Versions and where botdesk keeps its data and logs. */
  system_info: { args: NoArgs; output: SystemInfoDto };
  /** The audit trail, newest first, a page at a time. */
  list_audit: { args: { query: AuditQuery }; output: AuditPageDto };
  /** The tables and actors the audit trail can be filtered by. */
  audit_facets: { args: NoArgs; output: AuditFacetsDto };
  /** The owner's settings. */
  get_settings: { args: NoArgs; output: SettingsDto };
  /** Changes some settings; fields left out stay as they are. */
  update_settings: { args: { body: SettingsUpdate }; output: SettingsDto };
  /** Message templates by name, optionally of one type and status, matching `q`. */
  list_templates: { args: { query: TemplateQuery }; output: TemplateDto[] };
  /** Creates a draft template (version 1). */
  create_template: { args: { body: TemplateContent }; output: TemplateDto };
  /** WhatsApp's rules, with their limits and sources. */
  template_rules: { args: NoArgs; output: Rule[] };
  /** Every problem with a template's content, without saving it. */
  validate_template: { args: { body: TemplateValidateRequest }; output: ValidationDto };
  /** A saved template or an unsaved draft filled in: the phone's view, the Cloud API requests, */
  preview_template: { args: { body: PreviewRequest }; output: PreviewDto };
  /** A template: its content, its status and its version. */
  get_template: { args: { path: { id: string } }; output: TemplateDto };
  /** Saves new content as a new version; refused when the template changed since */
  update_template: { args: { path: { id: string }; body: TemplateUpdate }; output: TemplateDto };
  /** Deletes a draft that was never active; archives a template that was. */
  remove_template: { args: { path: { id: string } }; output: TemplateRemovedDto };
  /** Activates, archives or returns a template to draft (a new version). */
  set_template_status: { args: { path: { id: string }; body: TemplateStatusChange }; output: TemplateDto };
  /** Brings back an earlier version's content as a new version. */
  rollback_template: { args: { path: { id: string }; body: TemplateRollback }; output: TemplateDto };
  /** A template's versions, newest first. */
  template_versions: { args: { path: { id: string } }; output: TemplateVersionDto[] };
  /** What changed between two versions. */
  template_diff: { args: { path: { id: string }; query: DiffQuery }; output: TemplateDiffDto };
  /** Every queue with its counts, whether this botdesk runs it, and its recent throughput. */
  list_queues: { args: NoArgs; output: QueueOverviewDto[] };
  /** One queue with its counts, job types and throughput. */
  get_queue: { args: { path: { name: string } }; output: QueueOverviewDto };
  /** The counts alone: `{queue, active, waiting, completed, failed, delayed, …}`. */
  queue_stats: { args: { path: { name: string } }; output: QueueStats };
  /** A page of the queue's jobs, newest first: by state, and by id or payload text (`q`). */
  list_jobs: { args: { path: { name: string }; query: JobQuery }; output: JobPage };
  /** Enqueues a job of one of the queue's job types. */
  enqueue_job: { args: { path: { name: string }; body: EnqueueRequest }; output: Enqueued };
  /** Enqueues up to 10,000 jobs in one transaction: all, or none with the first bad one named. */
  enqueue_jobs: { args: { path: { name: string }; body: EnqueueBulkRequest }; output: Enqueued[] };
  /** Everything about one job, with each failed attempt's error and timing. */
  get_job: { args: { path: { name: string; id: string } }; output: JobDetail };
  /** Removes a job that is not running. */
  remove_job: { args: { path: { name: string; id: string } }; output: JobActionDto };
  /** `{id, status, progress, attempts, failedReason}`. */
  job_status: { args: { path: { name: string; id: string } }; output: JobStatus };
  /** `retry` (a failed or cancelled job), `cancel` (one not finished), `remove` (one not */
  job_action: { args: { path: { name: string; id: string; action: string } }; output: JobActionDto };
  /** Stops claiming the queue's jobs (running ones finish). */
  pause_queue: { args: { path: { name: string } }; output: QueueStats };
  /** Claims the queue's jobs again. */
  resume_queue: { args: { path: { name: string } }; output: QueueStats };
  /** Retries every failed job of the queue. */
  retry_failed_jobs: { args: { path: { name: string } }; output: CountDto };
  /** Deletes finished jobs in one state: all, or those older than an age. */
  clean_queue: { args: { path: { name: string }; body: CleanRequest }; output: CountDto };
  /** The media library, newest first: by kind, status, merchant, product, or unused. */
  list_media: { args: { query: MediaQuery }; output: MediaPageDto };
  /** Uploads a file as base64 in JSON (the original design's call). */
  upload_media: { args: { body: MediaUploadRequest }; output: MediaDto };
  /** A media file with its variants and what uses it. */
  get_media: { args: { path: { id: string } }; output: MediaDetailDto };
  /** Deletes a media file (and the stored files no other record holds). */
  remove_media: { args: { path: { id: string }; query: MediaRemoveQuery }; output: MediaRemovedDto };
  /** Processes an image again (after a failure, or with other sizes or quality). */
  reprocess_media: { args: { path: { id: string }; body: MediaOptionsDto }; output: MediaDto };
  /** Shows the file on a product (at a position; as its main picture when `primary`). */
  link_media_product: { args: { path: { id: string; product_id: string }; body: ProductLinkRequest }; output: MediaDetailDto };
  /** Stops showing the file on a product. */
  unlink_media_product: { args: { path: { id: string; product_id: string } }; output: MediaDetailDto };
  /** Every product, by name (for the pickers). */
  list_products: { args: NoArgs; output: ProductDto[] };
  /** One product. */
  get_product: { args: { path: { id: string } }; output: ProductDto };
  /** Creates a product the bot sells. */
  create_product: { args: { body: ProductCreate }; output: ProductDto };
  /** Every merchant, by name. */
  list_merchants: { args: NoArgs; output: MerchantDto[] };
  /** Creates a merchant (a shop botdesk serves). */
  create_merchant: { args: { body: MerchantCreate }; output: MerchantDto };
  /** Orders, newest first: of one merchant, in one status. */
  list_orders: { args: { query: OrderQuery }; output: OrderPageDto };
  /** Creates an order (announced as `order_created`). */
  create_order: { args: { body: OrderCreate }; output: OrderDto };
  /** An order with its lines. */
  get_order: { args: { path: { id: string } }; output: OrderDto };
  /** Changes an order's status, payment or notes. */
  update_order: { args: { path: { id: string }; body: OrderUpdate }; output: OrderDto };
  /** Every endpoint, with its health (success rate, last status, why it is disabled). */
  list_webhooks: { args: { query: WebhookListQuery }; output: WebhookDto[] };
  /** Creates an endpoint. */
  create_webhook: { args: { body: WebhookCreate }; output: WebhookSecretDto };
  /** The original design's `getWebhookStatus()`. */
  webhook_status: { args: NoArgs; output: WebhookStatusDto };
  /** An endpoint with its health. */
  get_webhook: { args: { path: { id: string } }; output: WebhookDto };
  /** Changes an endpoint; enabling one clears its disabled reason and failure streak. */
  update_webhook: { args: { path: { id: string }; body: WebhookUpdate }; output: WebhookDto };
  /** Deletes an endpoint (its deliveries stop). */
  remove_webhook: { args: { path: { id: string } }; output: null };
  /** A new signing secret, shown once. */
  rotate_webhook_secret: { args: { path: { id: string } }; output: WebhookSecretDto };
  /** Sends a `test` event to this endpoint. */
  send_webhook_test: { args: { path: { id: string } }; output: EventAccepted };
  /** An endpoint's deliveries, newest first. */
  list_webhook_deliveries: { args: { path: { id: string }; query: DeliveriesQuery }; output: DeliveryPageDto };
  /** Replays every failed delivery of an endpoint (created since `since`, when given). */
  replay_failed_webhook_deliveries: { args: { path: { id: string }; body: ReplayFailed }; output: ReplayedDto };
  /** A delivery: its body as signed and every attempt. */
  get_webhook_delivery: { args: { path: { id: string } }; output: DeliveryDetailDto };
  /** Sends a delivery again now, with the same `webhook-id`. */
  replay_webhook_delivery: { args: { path: { id: string } }; output: DeliveryDto };
  /** The original design's `getRecentEvents(limit, type)`: the event history, newest first. */
  recent_webhook_events: { args: { query: RecentEventsQuery }; output: WebhookEventDto[] };
  /** The original design's `handleWebhookEvent(event_type, payload, merchant_id)`. */
  handle_webhook_event: { args: { body: EventIn }; output: EventAccepted };
  /** A new secret for the bot to sign `POST /api/events` with, shown once. */
  rotate_events_secret: { args: NoArgs; output: IngestSecretDto };
  /** Where sync stands: synced, changes pending (by table), syncing, offline since, errors. */
  sync_status: { args: NoArgs; output: SyncStatusDto };
  /** Queues a sync now (even while backing off from an unreachable server). */
  sync_now: { args: NoArgs; output: SyncStatusDto };
  /** Where sync goes, without the password. */
  sync_connection: { args: NoArgs; output: SyncConnectionDto };
  /** Sets the project's connection (an empty connection string removes it). */
  set_sync_connection: { args: { body: SyncConnectionUpdate }; output: SyncConnectionDto };
  /** Tries a connection without syncing. */
  test_sync_connection: { args: { body: SyncConnectionUpdate }; output: SyncTestDto };
  /** The rows the server refused, newest first. */
  sync_errors: { args: NoArgs; output: SyncErrorDto[] };
  /** Resolves a refused row. */
  resolve_sync_error: { args: { path: { id: string; action: string } }; output: SyncStatusDto };
}

export type CommandName = keyof Commands;
export type CommandArgs<K extends CommandName> = Commands[K]["args"];
export type CommandOutput<K extends CommandName> = Commands[K]["output"];

export const COMMANDS: { readonly [K in CommandName]: CommandSpec } = {
  health: { method: "GET", path: "/api/health", params: [], query: false, body: false },
  system_info: { method: "GET", path: "/api/system/info", params: [], query: false, body: false },
  list_audit: { method: "GET", path: "/api/audit", params: [], query: true, body: false },
  audit_facets: { method: "GET", path: "/api/audit/facets", params: [], query: false, body: false },
  get_settings: { method: "GET", path: "/api/settings", params: [], query: false, body: false },
  update_settings: { method: "PUT", path: "/api/settings", params: [], query: false, body: true },
  list_templates: { method: "GET", path: "/api/templates", params: [], query: true, body: false },
  create_template: { method: "POST", path: "/api/templates", params: [], query: false, body: true },
  template_rules: { method: "GET", path: "/api/templates/rules", params: [], query: false, body: false },
  validate_template: { method: "POST", path: "/api/templates/validate", params: [], query: false, body: true },
  preview_template: { method: "POST", path: "/api/templates/preview", params: [], query: false, body: true },
  get_template: { method: "GET", path: "/api/templates/{id}", params: ["id"], query: false, body: false },
  update_template: { method: "PUT", path: "/api/templates/{id}", params: ["id"], query: false, body: true },
  remove_template: { method: "DELETE", path: "/api/templates/{id}", params: ["id"], query: false, body: false },
  set_template_status: { method: "POST", path: "/api/templates/{id}/status", params: ["id"], query: false, body: true },
  rollback_template: { method: "POST", path: "/api/templates/{id}/rollback", params: ["id"], query: false, body: true },
  template_versions: { method: "GET", path: "/api/templates/{id}/versions", params: ["id"], query: false, body: false },
  template_diff: { method: "GET", path: "/api/templates/{id}/diff", params: ["id"], query: true, body: false },
  list_queues: { method: "GET", path: "/api/queues", params: [], query: false, body: false },
  get_queue: { method: "GET", path: "/api/queues/{name}", params: ["name"], query: false, body: false },
  queue_stats: { method: "GET", path: "/api/queues/{name}/stats", params: ["name"], query: false, body: false },
  list_jobs: { method: "GET", path: "/api/queues/{name}/jobs", params: ["name"], query: true, body: false },
  enqueue_job: { method: "POST", path: "/api/queues/{name}/jobs", params: ["name"], query: false, body: true },
  enqueue_jobs: { method: "POST", path: "/api/queues/{name}/jobs/bulk", params: ["name"], query: false, body: true },
  get_job: { method: "GET", path: "/api/queues/{name}/jobs/{id}", params: ["name", "id"], query: false, body: false },
  remove_job: { method: "DELETE", path: "/api/queues/{name}/jobs/{id}", params: ["name", "id"], query: false, body: false },
  job_status: { method: "GET", path: "/api/queues/{name}/jobs/{id}/status", params: ["name", "id"], query: false, body: false },
  job_action: { method: "POST", path: "/api/queues/{name}/jobs/{id}/{action}", params: ["name", "id", "action"], query: false, body: false },
  pause_queue: { method: "POST", path: "/api/queues/{name}/pause", params: ["name"], query: false, body: false },
  resume_queue: { method: "POST", path: "/api/queues/{name}/resume", params: ["name"], query: false, body: false },
  retry_failed_jobs: { method: "POST", path: "/api/queues/{name}/retry-failed", params: ["name"], query: false, body: false },
  clean_queue: { method: "POST", path: "/api/queues/{name}/clean", params: ["name"], query: false, body: true },
  list_media: { method: "GET", path: "/api/media", params: [], query: true, body: false },
  upload_media: { method: "POST", path: "/api/media/upload", params: [], query: false, body: true },
  get_media: { method: "GET", path: "/api/media/{id}", params: ["id"], query: false, body: false },
  remove_media: { method: "DELETE", path: "/api/media/{id}", params: ["id"], query: true, body: false },
  reprocess_media: { method: "POST", path: "/api/media/{id}/process", params: ["id"], query: false, body: true },
  link_media_product: { method: "PUT", path: "/api/media/{id}/products/{product_id}", params: ["id", "product_id"], query: false, body: true },
  unlink_media_product: { method: "DELETE", path: "/api/media/{id}/products/{product_id}", params: ["id", "product_id"], query: false, body: false },
  list_products: { method: "GET", path: "/api/products", params: [], query: false, body: false },
  get_product: { method: "GET", path: "/api/products/{id}", params: ["id"], query: false, body: false },
  create_product: { method: "POST", path: "/api/products", params: [], query: false, body: true },
  list_merchants: { method: "GET", path: "/api/merchants", params: [], query: false, body: false },
  create_merchant: { method: "POST", path: "/api/merchants", params: [], query: false, body: true },
  list_orders: { method: "GET", path: "/api/orders", params: [], query: true, body: false },
  create_order: { method: "POST", path: "/api/orders", params: [], query: false, body: true },
  get_order: { method: "GET", path: "/api/orders/{id}", params: ["id"], query: false, body: false },
  update_order: { method: "PATCH", path: "/api/orders/{id}", params: ["id"], query: false, body: true },
  list_webhooks: { method: "GET", path: "/api/webhooks", params: [], query: true, body: false },
  create_webhook: { method: "POST", path: "/api/webhooks", params: [], query: false, body: true },
  webhook_status: { method: "GET", path: "/api/webhooks-status", params: [], query: false, body: false },
  get_webhook: { method: "GET", path: "/api/webhooks/{id}", params: ["id"], query: false, body: false },
  update_webhook: { method: "PUT", path: "/api/webhooks/{id}", params: ["id"], query: false, body: true },
  remove_webhook: { method: "DELETE", path: "/api/webhooks/{id}", params: ["id"], query: false, body: false },
  rotate_webhook_secret: { method: "POST", path: "/api/webhooks/{id}/rotate-secret", params: ["id"], query: false, body: false },
  send_webhook_test: { method: "POST", path: "/api/webhooks/{id}/test", params: ["id"], query: false, body: false },
  list_webhook_deliveries: { method: "GET", path: "/api/webhooks/{id}/deliveries", params: ["id"], query: true, body: false },
  replay_failed_webhook_deliveries: { method: "POST", path: "/api/webhooks/{id}/replay-failed", params: ["id"], query: false, body: true },
  get_webhook_delivery: { method: "GET", path: "/api/webhook-deliveries/{id}", params: ["id"], query: false, body: false },
  replay_webhook_delivery: { method: "POST", path: "/api/webhook-deliveries/{id}/replay", params: ["id"], query: false, body: false },
  recent_webhook_events: { method: "GET", path: "/api/webhook-events", params: [], query: true, body: false },
  handle_webhook_event: { method: "POST", path: "/api/webhook-events", params: [], query: false, body: true },
  rotate_events_secret: { method: "POST", path: "/api/events/secret", params: [], query: false, body: false },
  sync_status: { method: "GET", path: "/api/sync", params: [], query: false, body: false },
  sync_now: { method: "POST", path: "/api/sync/now", params: [], query: false, body: false },
  sync_connection: { method: "GET", path: "/api/sync/connection", params: [], query: false, body: false },
  set_sync_connection: { method: "PUT", path: "/api/sync/connection", params: [], query: false, body: true },
  test_sync_connection: { method: "POST", path: "/api/sync/connection/test", params: [], query: false, body: true },
  sync_errors: { method: "GET", path: "/api/sync/errors", params: [], query: false, body: false },
  resolve_sync_error: { method: "POST", path: "/api/sync/errors/{id}/{action}", params: ["id", "action"], query: false, body: false },
};
