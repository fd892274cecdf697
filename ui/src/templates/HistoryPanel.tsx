// A template's versions: who saved what and when, the difference between any two, and going
// back to one (which is itself saved as a new version).
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { TemplateDto } from "../bindings/TemplateDto";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function HistoryPanel({ template, onRolledBack }: { template: TemplateDto; onRolledBack: (t: TemplateDto) => void }) {
  const versions = useApi(() => api.templateVersions(template.id), [template.id, template.version]);
  const [pick, setPick] = useState<{ from: number; to: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = template.version;
  const from = pick?.from ?? Math.max(latest - 1, 1);
  const to = pick?.to ?? latest;
  const diff = useApi(() => api.templateDiff(template.id, from, to), [template.id, from, to]);

  const rollback = (version: number) => {
    setError(null);
    api.rollbackTemplate(template.id, { version, base_version: latest }).then(
      (t) => {
        setPick(null);
        onRolledBack(t);
      },
      (e: unknown) => {
        setError(toApiError(e));
      },
    );
  };

  return (
    <section className="card history" aria-labelledby="history-title" data-testid="history-panel">
      <h2 id="history-title">History</h2>
      {versions.status === "loading" && versions.data === undefined && <Loading label="Loading versions…" />}
      {versions.status === "error" && <ErrorState error={versions.error} onRetry={versions.reload} />}
      {error !== null && <ErrorState error={error} />}
      {versions.data !== undefined && (
        <table className="data-table versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Saved</th>
              <th scope="col">Change</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.data.map((v) => (
              <tr key={v.id} data-testid="version-row" data-version={v.version}>
                <td>
                  v{v.version} <span className={`badge badge-status-${v.status}`}>{v.status}</span>
                </td>
                <td>
                  <time dateTime={v.created_at}>{new Date(v.created_at).toLocaleString()}</time>
                  <div className="muted">{v.actor}</div>
                </td>
                <td>{v.change_summary}</td>
                <td>
                  <input type="radio" name="diff-from" aria-label={`Compare from version ${String(v.version)}`} checked={from === v.version} onChange={() => { setPick({ from: v.version, to }); }} />
                </td>
                <td>
                  <input type="radio" name="diff-to" aria-label={`Compare to version ${String(v.version)}`} checked={to === v.version} onChange={() => { setPick({ from, to: v.version }); }} />
                </td>
                <td>
                  {v.version !== latest && (
                    <button type="button" className="secondary" data-testid={`rollback-${String(v.version)}`} onClick={() => { rollback(v.version); }}>
                      Roll back to this
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="diff" data-testid="diff-view">
        <h3>
          Changes from v{from} to v{to}
        </h3>
        {diff.status === "error" && <ErrorState error={diff.error} />}
        {diff.data !== undefined && diff.data.fields.length === 0 && <p className="muted">No differences.</p>}
        {diff.data !== undefined && diff.data.fields.filter((f) => f.field !== "body").length > 0 && (
          <table className="data-table">
            <tbody>
              {diff.data.fields
                .filter((f) => f.field !== "body")
                .map((f) => (
                  <tr key={f.field}>
                    <th scope="row">{f.field}</th>
                    <td className="diff-old">{show(f.old)}</td>
                    <td className="diff-new">{show(f.new)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
        {diff.data?.fields.some((f) => f.field === "body") === true && (
          <pre className="line-diff" aria-label="Body, line by line">
            {diff.data.body.map((line, n) => (
              <div key={n} className={`line-${line.op}`}>
                {line.op === "insert" ? "+ " : line.op === "delete" ? "− " : "  "}
                {line.text}
              </div>
            ))}
          </pre>
        )}
      </div>
    </section>
  );
}
