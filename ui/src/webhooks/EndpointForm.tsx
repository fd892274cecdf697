// An endpoint's settings: the merchant it belongs to (or a new one), its URL, the events it
// gets, its timeout and extra headers. Creating one shows its signing secret once; editing
// one keeps its merchant and secret (masked header values sent back unchanged stay as stored).
import { useState } from "react";
import { api } from "../api/client";
import { ActionError } from "../components/DataState";
import { type ApiError, toApiError } from "../api/errors";
import type { WebhookDto } from "../bindings/WebhookDto";
import type { WebhookSecretDto } from "../bindings/WebhookSecretDto";
import { useApi } from "../hooks/useApi";
import { MerchantField } from "../merchants/MerchantField";
import { EventChoice } from "./EventChoice";
import { headersToText, textToHeaders } from "./format";

export function EndpointForm({ existing, onCreated, onSaved, onCancel }: {
  /** The endpoint being edited; null for a new one. */
  existing: WebhookDto | null;
  onCreated: (created: WebhookSecretDto) => void;
  onSaved: (saved: WebhookDto) => void;
  onCancel: () => void;
}) {
  const merchants = useApi(() => api.merchants(), []);
  const [merchant, setMerchant] = useState("");
  const [newMerchant, setNewMerchant] = useState("");
  const [url, setUrl] = useState(existing?.url ?? "");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [events, setEvents] = useState<string[]>(existing?.events ?? ["*"]);
  const [timeout, setTimeoutMs] = useState(String(existing?.timeout_ms ?? 10000));
  const [headers, setHeaders] = useState(existing === null ? "" : headersToText(existing.custom_headers));
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const list = merchants.data ?? [];
  // Until the owner picks, the first merchant; with none yet, a new one.
  const chosen = merchant !== "" ? merchant : (list[0]?.id ?? "new");

  const submit = async () => {
    setError(null);
    const custom = textToHeaders(headers);
    if (typeof custom === "string") {
      setError(custom);
      return;
    }
    const timeoutMs = Number(timeout);
    if (!Number.isInteger(timeoutMs)) {
      setError("The timeout is a whole number of milliseconds.");
      return;
    }
    setBusy(true);
    try {
      if (existing !== null) {
        onSaved(await api.updateWebhook(existing.id, { url, description, events, timeout_ms: timeoutMs, custom_headers: custom }));
        return;
      }
      let merchantId = chosen;
      if (chosen === "new") {
        // Kept chosen, so that a retry after a refused URL doesn't create the merchant twice.
        merchantId = (await api.createMerchant({ name: newMerchant })).id;
        setMerchant(merchantId);
        merchants.reload();
      }
      const created = await api.createWebhook({
        merchant_id: merchantId,
        url,
        description,
        events,
        timeout_ms: timeoutMs,
        custom_headers: custom,
      });
      onCreated(created);
    } catch (e: unknown) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const needsName = existing === null && chosen === "new";
  const title = existing === null ? "New endpoint" : "Edit endpoint";
  return (
    <form
      className="card endpoint-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{title}</h2>
      {existing === null && (
        <div className="field-row">
          <MerchantField merchants={list} value={chosen} onChange={setMerchant} last={{ value: "new", label: "New merchant…" }} testId="endpoint-merchant" />
          {needsName && (
            <label className="field">
              <span className="field-label">Merchant name</span>
              <input value={newMerchant} onChange={(e) => { setNewMerchant(e.target.value); }} data-testid="endpoint-merchant-name" />
            </label>
          )}
        </div>
      )}
      <label className="field">
        <span className="field-label">URL</span>
        <input type="url" required placeholder="https://shop.example.com/hooks/botdesk" value={url} onChange={(e) => { setUrl(e.target.value); }} data-testid="endpoint-url" />
      </label>
      <label className="field">
        <span className="field-label">Description</span>
        <input value={description} onChange={(e) => { setDescription(e.target.value); }} />
      </label>
      <EventChoice value={events} onChange={setEvents} />
      <div className="field-row">
        <label className="field">
          <span className="field-label">Timeout (ms)</span>
          <input inputMode="numeric" value={timeout} onChange={(e) => { setTimeoutMs(e.target.value); }} data-testid="endpoint-timeout" />
        </label>
        <label className="field">
          <span className="field-label">Extra headers, one "Name: value" per line</span>
          <textarea rows={2} value={headers} onChange={(e) => { setHeaders(e.target.value); }} placeholder="Authorization: Bearer …" />
        </label>
      </div>
      <ActionError error={error} testId="endpoint-error" />
      <div className="button-row">
        <button type="submit" disabled={busy} data-testid={existing === null ? "endpoint-create" : "endpoint-save"}>
          {existing === null ? "Create endpoint" : "Save"}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
