// The message templates the bot sends: searchable, filterable by type and status, each opening
// in the editor.
import { useState } from "react";
import { api } from "../api/client";
import { Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";

const TYPES = ["text", "buttons", "list", "media", "cta_url"] as const;
const STATUSES = ["draft", "active", "archived"] as const;

export function TemplatesPage() {
  const [kind, setKind] = useState("");
  const [status, setStatus] = useState("");
  const [q, setQ] = useState("");
  const templates = useApi(() => api.templates({ type: kind, status, q }), [kind, status, q]);
  useEvents((event) => {
    if (event.type.startsWith("template.") || event.type === "audit.appended") templates.reload();
  });
  const filtered = kind !== "" || status !== "" || q.trim() !== "";
  return (
    <section aria-labelledby="templates-title">
      <header className="page-header">
        <h1 id="templates-title">Templates</h1>
        <p className="subtitle">The messages the bot sends: order confirmations, payment requests, status updates.</p>
      </header>
      <div className="toolbar" role="search">
        <label>
          Search
          <input type="search" value={q} placeholder="Name or text" data-testid="template-search" onChange={(e) => { setQ(e.target.value); }} />
        </label>
        <label>
          Type
          <select value={kind} onChange={(e) => { setKind(e.target.value); }}>
            <option value="">All types</option>
            {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); }}>
            <option value="">Any status</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <a className="button-link" href="#/templates/new" data-testid="new-template">
          New template
        </a>
      </div>
      {templates.status === "error" && <ErrorState error={templates.error} onRetry={templates.reload} />}
      {templates.status === "loading" && templates.data === undefined && <Loading label="Loading templates…" />}
      {templates.data?.length === 0 && (
        <Empty title={filtered ? "No templates match" : "No templates yet"}>
          {filtered ? "Change the search or the filters." : "Create one with “New template”."}
        </Empty>
      )}
      {templates.data !== undefined && templates.data.length > 0 && (
        <ul className="template-list">
          {templates.data.map((t) => (
            <li key={t.id} className="card template-card" data-testid="template-card">
              <div className="template-head">
                <h2>
                  <a href={`#/templates/${t.id}`}>{t.name}</a>
                </h2>
                <span className="badge">{t.type}</span>
                <span className={`badge badge-status-${t.status}`}>{t.status}</span>
                {t.whatsapp_status !== null && <span className="badge">WhatsApp: {t.whatsapp_status}</span>}
                <span className="muted">
                  {t.language} · v{t.version}
                </span>
              </div>
              <p className="template-body">{t.body.length > 220 ? `${t.body.slice(0, 219)}…` : t.body}</p>
              <p className="muted">
                {t.variables.length} variable{t.variables.length === 1 ? "" : "s"}: {t.variables.map((v) => v.name).join(", ")}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
