// Sync with the bot's Supabase project: where it stands (the last sync, what waits, by table),
// "sync now", the rows the server refused with what to do about each, and the connection.
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { SyncErrorDto } from "../bindings/SyncErrorDto";
import { ActionError, Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useThrottled } from "../hooks/useThrottled";
import { ConnectionForm } from "../sync/ConnectionForm";
import { describeFiles, describeSync } from "../sync/format";
import { IssueCode } from "../components/IssueCode";

const RESOLUTIONS: { action: "retry" | "keep-local" | "discard-local"; label: string; hint: string }[] = [
  { action: "retry", label: "Retry", hint: "Send it again on the next sync (after fixing what the server objected to)." },
  { action: "keep-local", label: "Keep local", hint: "Keep this device's version; it is sent with its next change." },
  { action: "discard-local", label: "Take the server's", hint: "Drop this device's change and take the server's version." },
];

function when(iso: string | null): string {
  return iso === null ? "never" : new Date(iso).toLocaleString();
}

function RefusedRows({ rows, onChanged }: { rows: SyncErrorDto[]; onChanged: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  if (rows.length === 0) return <Empty title="No refused rows">Everything this device sent was taken by the server.</Empty>;
  return (
    <>
      <ActionError error={error} testId="sync-resolve-error" />
      <table className="data-table" data-testid="sync-error-rows">
        <thead>
          <tr>
            <th>Row</th>
            <th>Why</th>
            <th>Tries</th>
            <th>Last</th>
            <th>What to do</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="sync-error-row">
              <td>
                {r.table} <code title={r.row_id}>{r.row_id.slice(0, 8)}</code>
              </td>
              <td>
                {r.reason} <IssueCode code={r.code} />
              </td>
              <td>{r.attempts}</td>
              <td>{when(r.last_at)}</td>
              <td className="row-actions">
                {RESOLUTIONS.map((x) => (
                  <button
                    key={x.action}
                    type="button"
                    className="secondary"
                    title={x.hint}
                    onClick={() => {
                      setError(null);
                      api.resolveSyncError(r.id, x.action).then(onChanged, (e: unknown) => {
                        setError(toApiError(e));
                      });
                    }}
                    data-testid={`sync-${x.action}`}
                  >
                    {x.label}
                  </button>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function SyncPage() {
  const [tick, setTick] = useState(0);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const status = useApi(() => api.syncStatus(), [tick]);
  const errors = useApi(() => api.syncErrors(), [tick]);
  const connection = useApi(() => api.syncConnection(), [tick]);
  const reload = useThrottled(() => {
    setTick((t) => t + 1);
  }, 300);
  useEvents((event) => {
    if (event.type === "sync.status" || event.type === "audit.appended" || event.type === "events.lagged") reload();
  });
  const s = status.data;
  // Until a project is set up, setting it up is the page's first step.
  const connectionFirst = connection.data !== undefined && !connection.data.configured;
  const form = connection.data !== undefined && <ConnectionForm key={String(connection.data.configured) + (connection.data.server ?? "")} connection={connection.data} onSaved={reload} />;
  return (
    <section aria-labelledby="sync-title">
      <header className="page-header">
        <h1 id="sync-title">Sync</h1>
        <p className="subtitle">botdesk works offline; when the bot's Supabase project can be reached, both sides are brought together.</p>
      </header>
      {connectionFirst && form}
      {status.status === "error" && s === undefined ? (
        <ErrorState error={status.error} onRetry={status.reload} />
      ) : s === undefined ? (
        <Loading label="Loading sync status…" />
      ) : (
        <div className="card" data-testid="sync-status">
          <h2 data-testid="sync-state" data-state={s.state}>
            {describeSync(s)}
          </h2>
          <dl className="facts">
            <dt>Last sync</dt>
            <dd data-testid="sync-last">{when(s.last_sync_at)}</dd>
            {s.offline_since !== null && (
              <>
                <dt>Offline since</dt>
                <dd>{when(s.offline_since)}</dd>
              </>
            )}
            {s.next_attempt_at !== null && (
              <>
                <dt>Next try</dt>
                <dd>{when(s.next_attempt_at)}</dd>
              </>
            )}
            {s.last_failure !== null && (
              <>
                <dt>Last failure</dt>
                <dd>
                  {s.last_failure.message} <IssueCode code={s.last_failure.code} />
                </dd>
              </>
            )}
            <dt>Waiting to be sent</dt>
            <dd data-testid="sync-pending">
              {s.pending_by_table.length === 0 ? "nothing" : s.pending_by_table.map((p) => `${p.table}: ${p.rows}`).join(", ")}
            </dd>
            <dt>Media files</dt>
            <dd data-testid="sync-files" data-pending={s.files.pending} data-uploaded={s.files.uploaded}>
              {describeFiles(s.files)}
              {s.files.current !== null && (
                <progress className="sync-file-progress" max={s.files.current.total} value={s.files.current.sent} aria-label="sending a file" />
              )}
              {s.files.last_error !== null && (
                <span className="field-error" data-testid="sync-files-error">
                  {" "}
                  {s.files.failing === 1 ? "1 file" : `${String(s.files.failing)} files`} not sent: {s.files.last_error}
                </span>
              )}
            </dd>
          </dl>
          <div className="button-row">
            <button
              type="button"
              disabled={!s.configured}
              aria-describedby={s.configured ? undefined : "sync-now-why"}
              onClick={() => {
                setActionError(null);
                api.syncNow().then(reload, (e: unknown) => {
                  setActionError(toApiError(e));
                });
              }}
              data-testid="sync-now"
            >
              Sync now
            </button>
            {!s.configured && (
              <span id="sync-now-why" className="hint">
                Set up the connection first: paste the project's connection string {connectionFirst ? "above" : "below"}.
              </span>
            )}
          </div>
          <ActionError error={actionError} testId="sync-now-error" />
        </div>
      )}
      <h2>Refused rows</h2>
      {errors.status === "error" && errors.data === undefined ? (
        <ErrorState error={errors.error} onRetry={errors.reload} />
      ) : errors.data === undefined ? (
        <Loading label="Loading refused rows…" />
      ) : (
        <RefusedRows rows={errors.data} onChanged={reload} />
      )}
      {!connectionFirst && form}
    </section>
  );
}
