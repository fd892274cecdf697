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
import type { TemplateDto } from "../bindings/TemplateDto";
import type { TemplateQuery } from "../bindings/TemplateQuery";
import { transport } from "./transport";

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
};
