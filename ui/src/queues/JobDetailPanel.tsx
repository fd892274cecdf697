// One job: its payload, progress, result, every failed attempt with its error and timing, and
// what the owner can do to it.
import { type ReactNode, useState } from "react";
import { type JobAction, api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { JobDetail } from "../bindings/JobDetail";
import { Countdown } from "../components/Countdown";
import { useConfirm } from "../components/Confirm";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { usePanel } from "../hooks/usePanel";
import { took, when } from "./format";

const LABEL: Record<JobAction, string> = { retry: "Retry", cancel: "Cancel", remove: "Remove", promote: "Run now" };
const DONE: Record<JobAction, string> = { retry: "Retried", cancel: "Cancelled", remove: "Removed", promote: "Moved to the front" };

/** Where the job is now, in words: the notice after an action reads the live state, not the answer. */
function stateNow(job: JobDetail): ReactNode {
  switch (job.state) {
    case "waiting":
      return "it is waiting to run";
    case "active":
      return "it is running";
    case "delayed":
      return (
        <>
          it runs <Countdown at={job.run_at} />
        </>
      );
    case "completed":
      return "it has finished";
    case "failed":
      return "it failed again";
    case "cancelled":
      return "it is cancelled";
  }
}

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
  const [done, setDone] = useState<JobAction | null>(null);
  const confirm = useConfirm();
  const panel = usePanel<HTMLElement>(`#/queues/${queue}`, detail.data !== undefined, `${queue}/${String(id)}`);

  const act = async (action: JobAction) => {
    if (
      action === "remove" &&
      !(await confirm({ title: `Remove job #${String(id)}?`, body: "Its record and its history of attempts are deleted.", confirm: "Remove the job", danger: true }))
    )
      return;
    setBusy(true);
    setFailure(null);
    api.jobAction(queue, id, action).then(
      (result) => {
        setBusy(false);
        setDone(action);
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
    <aside ref={panel} className="card job-detail" aria-labelledby="job-title" data-testid="job-detail">
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
              void act(action);
            }}
          >
            {LABEL[action]}
          </button>
        ))}
      </div>
      {done !== null && (
        <p className="notice" role="status" data-testid="job-notice">
          {DONE[done]} job #{job.id}: {stateNow(job)}.
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
        <dd>
          {when(job.run_at)}
          {job.state === "delayed" && (
            <span className="muted">
              {" "}
              (<Countdown at={job.run_at} testId="job-countdown" />)
            </span>
          )}
        </dd>
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
