// One endpoint: its settings and actions (enable, send a test, rotate the secret, replay the
// failed deliveries, delete) and its delivery log, whose rows open a delivery.
import { type ReactNode, useState } from "react";
import { api } from "../api/client";
import { useAction } from "../hooks/useAction";
import type { DeliveryDto } from "../bindings/DeliveryDto";
import type { WebhookSecretDto } from "../bindings/WebhookSecretDto";
import { Countdown } from "../components/Countdown";
import { useConfirm } from "../components/Confirm";
import { ActionError, Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { usePanel } from "../hooks/usePanel";
import { DeliveryDetail } from "./DeliveryDetail";
import { EndpointForm } from "./EndpointForm";
import { STATUS_LABEL, when } from "./format";

function DeliveryLog({ webhookId, refresh, onOpen, open }: { webhookId: string; refresh: number; onOpen: (id: string) => void; open: string | null }) {
  const [status, setStatus] = useState<string | null>(null);
  const page = useApi(() => api.webhookDeliveries(webhookId, status, null), [webhookId, status, refresh]);
  return (
    <div className="delivery-log">
      <div className="toolbar" role="group" aria-label="Delivery state">
        <label>
          Show{" "}
          <select value={status ?? ""} onChange={(e) => { setStatus(e.target.value === "" ? null : e.target.value); }} data-testid="delivery-filter">
            <option value="">All deliveries</option>
            <option value="pending">Pending</option>
            <option value="retrying">Retrying</option>
            <option value="succeeded">Delivered</option>
            <option value="failed">Failed</option>
          </select>
        </label>
      </div>
      {page.status === "error" && page.data === undefined ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : page.data === undefined ? (
        <Loading label="Loading deliveries…" />
      ) : page.data.items.length === 0 ? (
        <Empty title="No deliveries yet">Send a test event to see one here.</Empty>
      ) : (
        <table className="data-table" data-testid="delivery-rows">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Attempts</th>
              <th>State</th>
              <th>Last answer</th>
              <th>Latency</th>
              <th>Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((d) => (
              <tr key={d.id} className={d.id === open ? "selected" : undefined} data-testid="delivery-row" data-status={d.status}>
                <td>
                  <button type="button" className="link-button" onClick={() => { onOpen(d.id); }}>
                    {when(d.created_at)}
                  </button>
                </td>
                <td>
                  <code>{d.event_type}</code>
                </td>
                <td>{d.attempts}</td>
                <td>
                  <span className={`badge badge-delivery-${d.status}`}>{STATUS_LABEL[d.status] ?? d.status}</span>
                </td>
                <td title={d.last_error ?? ""}>{d.last_status ?? (d.last_error !== null ? "no answer" : "—")}</td>
                <td>{d.last_latency_ms === null ? "—" : `${d.last_latency_ms} ms`}</td>
                <td>{(d.status === "retrying" || d.status === "pending") && d.next_attempt_at !== null ? <Countdown at={d.next_attempt_at} /> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** What became of a test event: it is sent when asked, but delivered only when the receiver says so. */
function TestOutcome({ webhookId, eventId, refresh }: { webhookId: string; eventId: string; refresh: number }) {
  const page = useApi(() => api.webhookDeliveries(webhookId, null, null), [webhookId, refresh]);
  const delivery: DeliveryDto | undefined = page.data?.items.find((d) => d.event_id === eventId);
  const answer = (d: DeliveryDto) => (d.last_status !== null ? `the receiver answered ${String(d.last_status)}` : (d.last_error ?? "no answer"));
  let text: ReactNode;
  let tone = "notice";
  if (delivery === undefined || delivery.status === "pending") {
    text = "Test event sent: waiting for the receiver's answer…";
  } else if (delivery.status === "succeeded") {
    text = `Test event delivered: ${answer(delivery)}${delivery.last_latency_ms !== null ? ` in ${String(delivery.last_latency_ms)} ms` : ""}.`;
    tone = "notice notice-ok";
  } else if (delivery.status === "retrying") {
    text = (
      <>
        Test event not delivered yet: {answer(delivery)}. Next attempt{" "}
        {delivery.next_attempt_at !== null ? <Countdown at={delivery.next_attempt_at} testId="test-countdown" /> : "soon"}.
      </>
    );
    tone = "notice notice-error";
  } else {
    text = `Test event failed: ${answer(delivery)}.`;
    tone = "notice notice-error";
  }
  return (
    <p className={tone} role="status" data-testid="endpoint-test-outcome" data-status={delivery?.status ?? "pending"}>
      {text}
    </p>
  );
}

/** The choices of "replay the failed deliveries of …": a label and hours back (0: all). */
const REPLAY_WINDOWS: [string, string][] = [
  ["of all time", "0"],
  ["of the last hour", "1"],
  ["of the last 24 hours", "24"],
  ["of the last 7 days", "168"],
];

/** A timeout as the owner reads it: "10 s", "2.5 s". */
function seconds(ms: number): string {
  return `${String(Math.round(ms / 100) / 10)} s`;
}

export function EndpointDetail({ id, refresh, onSecret, onDeleted, onChanged }: {
  id: string;
  refresh: number;
  onSecret: (s: WebhookSecretDto) => void;
  onDeleted: () => void;
  onChanged: () => void;
}) {
  const loaded = useApi(() => api.webhook(id), [id, refresh]);
  const { error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [testEvent, setTestEvent] = useState<string | null>(null);
  const confirm = useConfirm();
  const [editing, setEditing] = useState(false);
  const [replaySince, setReplaySince] = useState("0");
  const panel = usePanel<HTMLElement>("#/webhooks", loaded.data !== undefined, id);
  if (loaded.status === "error" && loaded.data === undefined) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  const w = loaded.data;
  if (w === undefined) return <Loading label="Loading the endpoint…" />;
  const act = <T,>(call: Promise<T>, done: (v: T) => void) => {
    setNotice(null);
    setTestEvent(null);
    run(call, (v) => {
      done(v);
      onChanged();
    });
  };
  return (
    <section ref={panel} className="endpoint-detail" aria-label="Endpoint" data-testid="endpoint-detail">
      <div className="card">
        <h2 className="endpoint-url">{w.url}</h2>
        <p className="hint">
          {w.enabled ? "Enabled" : `Disabled: ${w.disabled_reason ?? ""}`} · waits {seconds(w.timeout_ms)} for an answer · created {when(w.created_at)}
          {w.failing_since !== null && ` · failing since ${when(w.failing_since)}`}
          {w.previous_secret_expires_at !== null && ` · the previous secret signs too until ${when(w.previous_secret_expires_at)}`}
        </p>
        {!w.has_secret && (
          <p className="notice" role="status" data-testid="endpoint-no-secret">
            This endpoint came from another device, and its signing secret stayed there (secrets never leave the device that made them). This
            device sends it nothing until you rotate the secret here; give the new secret to the receiver too, then replay what failed.
          </p>
        )}
        {!w.enabled && w.disabled_reason !== null && (
          <p className="notice" role="status" data-testid="endpoint-disabled">
            botdesk stopped sending here: {w.disabled_reason}. Enable it once the receiver is fixed.
          </p>
        )}
        <div className="button-row">
          <button type="button" onClick={() => { act(api.sendWebhookTest(w.id), (sent) => { setTestEvent(sent.event_id); }); }} disabled={!w.enabled} data-testid="endpoint-test">
            Send test event
          </button>
          <button type="button" className="secondary" onClick={() => { act(api.updateWebhook(w.id, { enabled: !w.enabled }), () => undefined); }} data-testid="endpoint-toggle">
            {w.enabled ? "Disable" : "Enable"}
          </button>
          <button type="button" className="secondary" onClick={() => { act(api.rotateWebhookSecret(w.id), onSecret); }} data-testid="endpoint-rotate">
            Rotate secret
          </button>
          <span className="button-group">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                const hours = Number(replaySince);
                const since = hours > 0 ? new Date(Date.now() - hours * 3_600_000).toISOString() : null;
                act(api.replayFailed(w.id, since), (r) => {
                  setNotice(r.replayed === 0 ? "No failed deliveries to replay." : `${r.replayed} deliveries queued again.`);
                });
              }}
              data-testid="endpoint-replay-failed"
            >
              Replay failed
            </button>
            <select aria-label="Failed deliveries of" value={replaySince} onChange={(e) => { setReplaySince(e.target.value); }} data-testid="endpoint-replay-since">
              {REPLAY_WINDOWS.map(([label, hours]) => (
                <option key={label} value={hours}>
                  {label}
                </option>
              ))}
            </select>
          </span>
          <button type="button" className="secondary" onClick={() => { setEditing(true); }} data-testid="endpoint-edit">
            Edit
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              void confirm({ title: "Delete this endpoint?", body: `${w.url} gets nothing more from botdesk: its pending deliveries stop and its history goes.`, confirm: "Delete the endpoint", danger: true }).then((yes) => {
                if (yes) act(api.removeWebhook(w.id), onDeleted);
              });
            }}
            data-testid="endpoint-delete"
          >
            Delete
          </button>
        </div>
        {editing && (
          <EndpointForm
            existing={w}
            onCreated={() => undefined}
            onSaved={() => {
              setEditing(false);
              setNotice("Saved.");
              onChanged();
            }}
            onCancel={() => { setEditing(false); }}
          />
        )}
        {testEvent !== null && <TestOutcome webhookId={w.id} eventId={testEvent} refresh={refresh} />}
        {notice !== null && (
          <p className="hint" role="status" data-testid="endpoint-notice">
            {notice}
          </p>
        )}
        <ActionError error={error} testId="endpoint-action-error" />
      </div>
      <h2>Deliveries</h2>
      <DeliveryLog webhookId={w.id} refresh={refresh} onOpen={setOpen} open={open} />
      {open !== null && <DeliveryDetail key={open} id={open} refresh={refresh} onReplayed={onChanged} onClose={() => { setOpen(null); }} />}
    </section>
  );
}
