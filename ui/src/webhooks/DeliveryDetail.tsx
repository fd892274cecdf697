// One delivery: the body as signed, and each attempt's request headers and answer.
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import { ActionError, ErrorState, Loading } from "../components/DataState";
import { Countdown } from "../components/Countdown";
import { useApi } from "../hooks/useApi";
import { usePanel } from "../hooks/usePanel";
import { STATUS_LABEL, when } from "./format";

export function DeliveryDetail({ id, refresh, onReplayed, onClose }: { id: string; refresh: number; onReplayed: () => void; onClose: () => void }) {
  const loaded = useApi(() => api.webhookDelivery(id), [id, refresh]);
  const [error, setError] = useState<ApiError | null>(null);
  const panel = usePanel<HTMLDivElement>(onClose, loaded.data !== undefined, id);
  if (loaded.status === "error" && loaded.data === undefined) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  const d = loaded.data;
  if (d === undefined) return <Loading label="Loading the delivery…" />;
  // A delivery on its way can't be replayed; one waiting for its next attempt is sent now.
  const waiting = d.status === "retrying";
  const replay = () => {
    setError(null);
    api.replayDelivery(d.id).then(onReplayed, (e: unknown) => {
      setError(toApiError(e));
    });
  };
  return (
    <div ref={panel} className="card delivery-detail" data-testid="delivery-detail">
      <header className="job-detail-head">
        <h2>
          <code>{d.event_type}</code> · {STATUS_LABEL[d.status] ?? d.status}
        </h2>
        <button type="button" className="close link-button" aria-label="Close the delivery" onClick={onClose}>
          ×
        </button>
      </header>
      <p className="hint">
        Delivery <code>{d.id}</code> (the <code>webhook-id</code> header) · created {when(d.created_at)}
      </p>
      <div className="button-row">
        <button type="button" className="secondary" disabled={d.status === "pending"} onClick={replay} data-testid="delivery-replay">
          {waiting ? "Retry now" : "Replay"}
        </button>
        {waiting && d.next_attempt_at !== null && <span className="hint">
            Next attempt <Countdown at={d.next_attempt_at} testId="delivery-countdown" /> by itself.
          </span>}
      </div>
      <ActionError error={error} />
      <h3>Body</h3>
      <pre className="code-block">{d.body}</pre>
      <h3>Attempts</h3>
      {d.attempts_log.length === 0 && <p className="hint">Not tried yet.</p>}
      <ol className="attempts">
        {d.attempts_log.map((a) => (
          <li key={a.attempt} data-testid="delivery-attempt">
            <p>
              <strong>#{a.attempt}</strong> {when(a.at)} · {a.outcome === "success" ? "delivered" : "failed"} ·{" "}
              {a.response_status ?? "no answer"} · {a.latency_ms ?? "—"} ms
            </p>
            {a.error !== null && <p className="field-error">{a.error}</p>}
            <details>
              <summary>Request headers</summary>
              <pre className="code-block">{JSON.stringify(a.request_headers, null, 2)}</pre>
            </details>
            {a.response_body_excerpt !== null && (
              <details>
                <summary>Answer (start)</summary>
                <pre className="code-block">{a.response_body_excerpt}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
