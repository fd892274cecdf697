// One job: its payload, progress, result, every failed attempt with its error and timing, and
// what the owner can do to it.
import { useState } from "react";
import { type JobAction, api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { took, when } from "./format";

const LABEL: Record<JobAction, string> = { retry: "Retry", cancel: "Cancel", remove: "Remove", promote: "Run now" };

export function JobDetailPanel({
  queue,
  id,
  refresh,
  onChanged,
}: {
  queue: string;
  id: number;
  refresh: number;
  onChanged: () => void;
}) {
  const detail = useApi(() => api.job(queue, id), [queue, id, refresh]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState("");

  const act = (action: JobAction) => {
    if (action === "remove" && !window.confirm(`Remove job #${String(id)}? Its record and history are deleted.`)) return;
    setBusy(true);
    setFailure(null);
    api.jobAction(queue, id, action).then(
      (result) => {
        setBusy(false);
        setNotice(result.state === null ? `Job #${String(id)} removed.` : `Job #${String(id)} is now ${result.state}.`);
        onChanged();
        if (result.state === null) window.location.hash = `#/queues/${queue}`;
        else detail.reload();
      },
      (e: unknown) => {
        setBusy(false);
        setFailure(toApiError(e));
      },
    );
  };

  if (detail.data === undefined) {
    return detail.status === "error" ? <ErrorState error={detail.error} onRetry={detail.reload} /> : <Loading />;
  }
  const job = detail.data;
  return (
    <aside className="card job-detail" aria-labelledby="job-title" data-testid="job-detail">
      <header className="job-detail-head">
        <h2 id="job-title">
          Job #{job.id} <span className="muted">{job.name}</span>
        </h2>
        <span className={`badge badge-job-${job.state}`} data-testid="job-state">
          {job.state}
        </span>
        <a className="close" href={`#/queues/${queue}`} aria-label="Close the job">
          ×
        </a>
      </header>
      <div className="button-row">
        {job.actions.map((action) => (
          <button
            key={action}
            type="button"
            disabled={busy}
            data-testid={`job-${action}`}
            className={action === "remove" || action === "cancel" ? "danger" : undefined}
            onClick={() => {
              act(action);
            }}
          >
            {LABEL[action]}
          </button>
        ))}
      </div>
      {notice !== "" && (
        <p className="notice" role="status" data-testid="job-notice">
          {notice}
        </p>
      )}
      {failure !== null && <ErrorState error={failure} />}
      <dl className="job-facts">
        <dt>Attempts</dt>
        <dd data-testid="job-attempts">
          {job.attempts} of {job.max_attempts}
        </dd>
        <dt>Priority</dt>
        <dd>{job.priority}</dd>
        <dt>Progress</dt>
        <dd>
          <progress max={100} value={job.progress} aria-label="Progress" /> {job.progress}%
          {job.progress_message !== null && <span className="muted"> — {job.progress_message}</span>}
        </dd>
        <dt>Created</dt>
        <dd>{when(job.created_at)}</dd>
        <dt>{job.state === "delayed" ? "Runs at" : "Run at"}</dt>
        <dd>{when(job.run_at)}</dd>
        <dt>Last attempt</dt>
        <dd>
          {when(job.started_at)}
          {job.finished_at !== null && <span className="muted"> (took {took(job.started_at, job.finished_at)})</span>}
        </dd>
        {job.failed_reason !== null && (
          <>
            <dt>Failed because</dt>
            <dd className="reason" data-testid="job-failed-reason">
              {job.failed_reason}
            </dd>
          </>
        )}
      </dl>
      <h3>Payload</h3>
      <pre className="json" data-testid="job-payload">
        {JSON.stringify(job.payload, null, 2)}
      </pre>
      {job.result !== null && (
        <>
          <h3>Result</h3>
          <pre className="json" data-testid="job-result">
            {JSON.stringify(job.result, null, 2)}
          </pre>
        </>
      )}
      <h3>Failed attempts</h3>
      {job.failures.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ol className="attempts" data-testid="job-failures">
          {job.failures.map((f) => (
            <li key={f.attempt}>
              <b>Attempt {f.attempt}</b> <span className="muted">{when(f.finished_at)}</span>{" "}
              {f.started_at !== null && <span className="muted">after {took(f.started_at, f.finished_at)}</span>}
              <div className="reason">{f.error}</div>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
