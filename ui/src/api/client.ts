// The one typed API client. Every call is a command of the core's table of operations
// (../bindings/commands.ts, generated with the types it names, never edited): `command` builds
// its HTTP route and its desktop command from that map, so a call the shells do not have, or
// with the wrong arguments, does not typecheck. The desktop app's own commands (and the file
// upload and download, which are not JSON) are written here by hand.
import type { AuditQuery } from "../bindings/AuditQuery";
import type { HttpApiStatusDto } from "../bindings/HttpApiStatusDto";
import type { SettingsUpdate } from "../bindings/SettingsUpdate";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { TemplateContent } from "../bindings/TemplateContent";
import type { TemplateQuery } from "../bindings/TemplateQuery";
import type { TemplateRollback } from "../bindings/TemplateRollback";
import type { TemplateStatusChange } from "../bindings/TemplateStatusChange";
import type { TemplateUpdate } from "../bindings/TemplateUpdate";
import type { CleanRequest } from "../bindings/CleanRequest";
import type { EnqueueRequest } from "../bindings/EnqueueRequest";
import type { JobAction } from "../bindings/JobAction";
import type { JobQuery } from "../bindings/JobQuery";
import type { MediaDto } from "../bindings/MediaDto";
import type { MediaQuery } from "../bindings/MediaQuery";
import type { ProductCreate } from "../bindings/ProductCreate";
import type { ProductLinkRequest } from "../bindings/ProductLinkRequest";
import type { MerchantCreate } from "../bindings/MerchantCreate";
import type { WebhookCreate } from "../bindings/WebhookCreate";
import type { WebhookUpdate } from "../bindings/WebhookUpdate";
import type { OrderCreate } from "../bindings/OrderCreate";
import type { OrderQuery } from "../bindings/OrderQuery";
import type { OrderUpdate } from "../bindings/OrderUpdate";
import type { SyncConnectionUpdate } from "../bindings/SyncConnectionUpdate";
import { COMMANDS, type CommandArgs, type CommandName, type CommandOutput, type NoArgs } from "../bindings/commands";
import { transport, type HttpRoute } from "./transport";

export type { JobAction } from "../bindings/JobAction";

const mediaPath = (id: string) => `/api/media/${encodeURIComponent(id)}`;

/** Which file of a media record: the original, or a variant in a format. */
export interface MediaFileChoice {
  variant?: string;
  format?: "jpeg" | "webp";
}

/** A query's values as a query string carries them (booleans as `true`/`false`, nothing for null). */
function queryOf(query: unknown): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {};
  if (typeof query !== "object" || query === null) return out;
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (typeof value === "string" || typeof value === "number") out[name] = value;
    else if (typeof value === "boolean") out[name] = value ? "true" : "false";
  }
  return out;
}

interface AnyArgs {
  path?: Record<string, string>;
  query?: unknown;
  body?: unknown;
}

/** Runs command `name` of the core's table, over HTTP or the desktop IPC. */
export function command<K extends CommandName>(name: K, args: CommandArgs<K>): Promise<CommandOutput<K>> {
  const spec = COMMANDS[name];
  const given = args as AnyArgs;
  let path = spec.path;
  for (const param of spec.params) {
    path = path.replace(`{${param}}`, encodeURIComponent(given.path?.[param] ?? ""));
  }
  const http: HttpRoute = { method: spec.method, path };
  if (spec.query) http.query = queryOf(given.query);
  if (spec.body) http.body = given.body;
  return transport().call<CommandOutput<K>>({
    http,
    ipc: { command: name, args: { path: given.path ?? {}, query: given.query ?? {}, body: given.body ?? {} } },
  });
}

const none: NoArgs = {};

export const api = {
  health: () => command("health", none),

  systemInfo: () => command("system_info", none),

  audit: (query: AuditQuery) => command("list_audit", { query }),

  auditFacets: () => command("audit_facets", none),

  settings: () => command("get_settings", none),

  updateSettings: (update: SettingsUpdate) => command("update_settings", { body: update }),

  /** Desktop app only: whether it serves the HTTP API right now. */
  httpApiStatus: () =>
    transport().call<HttpApiStatusDto>({ http: null, ipc: { command: "http_api_status" } }),

  templates: (query: TemplateQuery) => command("list_templates", { query }),

  template: (id: string) => command("get_template", { path: { id } }),

  createTemplate: (content: TemplateContent) => command("create_template", { body: content }),

  updateTemplate: (id: string, update: TemplateUpdate) => command("update_template", { path: { id }, body: update }),

  setTemplateStatus: (id: string, change: TemplateStatusChange) =>
    command("set_template_status", { path: { id }, body: change }),

  rollbackTemplate: (id: string, request: TemplateRollback) =>
    command("rollback_template", { path: { id }, body: request }),

  removeTemplate: (id: string) => command("remove_template", { path: { id } }),

  validateTemplate: (content: TemplateContent) => command("validate_template", { body: { content } }),

  previewTemplate: (request: PreviewRequest) => command("preview_template", { body: request }),

  templateVersions: (id: string) => command("template_versions", { path: { id } }),

  templateDiff: (id: string, from: number, to: number) => command("template_diff", { path: { id }, query: { from, to } }),

  templateRules: () => command("template_rules", none),

  queues: () => command("list_queues", none),

  jobs: (queue: string, query: JobQuery) => command("list_jobs", { path: { name: queue }, query }),

  job: (queue: string, id: number) => command("get_job", { path: { name: queue, id: String(id) } }),

  enqueue: (queue: string, request: EnqueueRequest) => command("enqueue_job", { path: { name: queue }, body: request }),

  jobAction: (queue: string, id: number, action: JobAction) =>
    command("job_action", { path: { name: queue, id: String(id), action } }),

  retryFailed: (queue: string) => command("retry_failed_jobs", { path: { name: queue } }),

  setQueuePaused: (queue: string, paused: boolean) =>
    command(paused ? "pause_queue" : "resume_queue", { path: { name: queue } }),

  cleanQueue: (queue: string, request: CleanRequest) => command("clean_queue", { path: { name: queue }, body: request }),

  media: (query: MediaQuery) => command("list_media", { query }),

  mediaDetail: (id: string) => command("get_media", { path: { id } }),

  /** Uploads a file picked or dropped in the page (streamed over HTTP, with progress). */
  uploadMedia: (file: File, merchantId: string | null, onProgress?: (share: number) => void) =>
    transport().upload<MediaDto>({
      http: { path: "/api/media", fields: merchantId === null ? {} : { merchant_id: merchantId } },
      ipc: {
        command: "upload_media",
        args: (fileData) => ({
          body: { file_data: fileData, file_name: file.name, ...(merchantId === null ? {} : { merchant_id: merchantId }) },
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

  /** Deletes a file; `force` even when in use; `replaceWith` puts that file in its place everywhere. */
  removeMedia: (id: string, force: boolean, replaceWith?: string) =>
    command("remove_media", { path: { id }, query: { ...(force ? { force } : {}), ...(replaceWith === undefined ? {} : { replace_with: replaceWith }) } }),

  reprocessMedia: (id: string) => command("reprocess_media", { path: { id }, body: {} }),

  linkMediaProduct: (id: string, productId: string, link: ProductLinkRequest) =>
    command("link_media_product", { path: { id, product_id: productId }, body: link }),

  unlinkMediaProduct: (id: string, productId: string) =>
    command("unlink_media_product", { path: { id, product_id: productId } }),

  products: () => command("list_products", none),

  product: (id: string) => command("get_product", { path: { id } }),

  createProduct: (request: ProductCreate) => command("create_product", { body: request }),

  merchants: () => command("list_merchants", none),

  createMerchant: (request: MerchantCreate) => command("create_merchant", { body: request }),

  webhooks: (merchantId?: string) =>
    command("list_webhooks", { query: merchantId === undefined ? {} : { merchant_id: merchantId } }),

  webhook: (id: string) => command("get_webhook", { path: { id } }),

  createWebhook: (request: WebhookCreate) => command("create_webhook", { body: request }),

  updateWebhook: (id: string, request: WebhookUpdate) => command("update_webhook", { path: { id }, body: request }),

  removeWebhook: (id: string) => command("remove_webhook", { path: { id } }),

  rotateWebhookSecret: (id: string) => command("rotate_webhook_secret", { path: { id } }),

  sendWebhookTest: (id: string) => command("send_webhook_test", { path: { id } }),

  webhookDeliveries: (id: string, status: string | null, cursor: string | null) =>
    command("list_webhook_deliveries", {
      path: { id },
      query: { ...(status === null ? {} : { status }), ...(cursor === null ? {} : { cursor }), limit: 50 },
    }),

  webhookDelivery: (id: string) => command("get_webhook_delivery", { path: { id } }),

  replayDelivery: (id: string) => command("replay_webhook_delivery", { path: { id } }),

  replayFailed: (id: string, since: string | null) =>
    command("replay_failed_webhook_deliveries", { path: { id }, body: since === null ? {} : { since } }),

  webhookStatus: () => command("webhook_status", none),

  webhookEvents: (limit: number, type: string | null) =>
    command("recent_webhook_events", { query: { limit, ...(type === null ? {} : { type }) } }),

  orders: (query: OrderQuery) => command("list_orders", { query }),

  createOrder: (request: OrderCreate) => command("create_order", { body: request }),

  updateOrder: (id: string, request: OrderUpdate) => command("update_order", { path: { id }, body: request }),

  syncStatus: () => command("sync_status", none),

  syncNow: () => command("sync_now", none),

  syncConnection: () => command("sync_connection", none),

  setSyncConnection: (request: SyncConnectionUpdate) => command("set_sync_connection", { body: request }),

  testSyncConnection: (request: SyncConnectionUpdate) => command("test_sync_connection", { body: request }),

  syncErrors: () => command("sync_errors", none),

  resolveSyncError: (id: string, action: "retry" | "keep-local" | "discard-local") =>
    command("resolve_sync_error", { path: { id, action } }),

  rotateEventsSecret: () => command("rotate_events_secret", none),
};
