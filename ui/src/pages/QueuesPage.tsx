// The queue monitor: every queue's live counts and throughput, a queue's jobs, one job's
// detail, and the owner's fixes (retry, cancel, remove, run now, pause, retry all failed). It
// reads the local store, so it works offline.
import { useState } from "react";
import { api } from "../api/client";
import { ApiError, toApiError } from "../api/errors";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useThrottled } from "../hooks/useThrottled";
import { JobDetailPanel } from "../queues/JobDetailPanel";
import { JobTable } from "../queues/JobTable";
import { ProbeForm } from "../queues/ProbeForm";
import { QueueCards } from "../queues/QueueCards";
import { queueLabel } from "../queues/format";

/** The most often the page refreshes on live activity. */
const REFRESH_MS = 700;

/** `#/queues/<queue>/<id>` → its parts. */
function parse(subpath: string): { queue: string; id: number | null } {
  const [queue = "", id = ""] = subpath.split("/");
  const n = Number.parseInt(id, 10);
  return { queue, id: Number.isNaN(n) ? null : n };
}

/** A number that changes, at most every REFRESH_MS, after queue activity (or a lost stream). */
function useQueueActivity(): [number, () => void] {
  const [tick, setTick] = useState(0);
  const bump = useThrottled(() => {
    setTick((t) => t + 1);
  }, REFRESH_MS);
  useEvents((event) => {
    if (event.type === "queue.activity" || event.type === "events.lagged") bump();
  });
  return [tick, bump];
}

export function QueuesPage({ subpath }: { subpath: string }) {
  const { queue, id } = parse(subpath);
  const [tick, changed] = useQueueActivity();
  const overview = useApi(() => api.queues(), [tick]);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState("");
  const queues = overview.data ?? [];
  const selected = queues.find((q) => q.stats.queue === queue);

  const togglePause = (name: string, paused: boolean) => {
    setBusy(name);
    setFailure(null);
    api.setQueuePaused(name, paused).then(
      () => {
        setBusy(null);
        overview.reload();
      },
      (e: unknown) => {
        setBusy(null);
        setFailure(toApiError(e));
      },
    );
  };

  const retryFailed = () => {
    setFailure(null);
    api.retryFailed(queue).then(
      (n) => {
        setNotice(`${String(n.count)} failed job${n.count === 1 ? "" : "s"} will run again.`);
        changed();
      },
      (e: unknown) => {
        setFailure(toApiError(e));
      },
    );
  };

  return (
    <section aria-labelledby="queues-title">
      <header className="page-header">
        <h1 id="queues-title">Queues</h1>
        <p className="subtitle">Background work: sending messages, processing media and orders, delivering webhooks.</p>
      </header>
      {overview.status === "error" && <ErrorState error={overview.error} onRetry={overview.reload} />}
      {overview.data === undefined && overview.status === "loading" && <Loading label="Loading queues…" />}
      {failure !== null && <ErrorState error={failure} />}
      <QueueCards queues={queues} selected={queue} onTogglePause={togglePause} busy={busy} />
      {queue === "" && queues.length > 0 && <p className="muted">Choose a queue to see its jobs.</p>}
      {queue !== "" && overview.data !== undefined && selected === undefined && (
        <ErrorState error={new ApiError("queue.unknown", `There is no queue called “${queue}”.`)} />
      )}
      {selected !== undefined && (
        <div className="queue-view">
          <div className="queue-main">
            <div className="queue-view-head">
              <h2>{queueLabel(queue)}</h2>
              <button
                type="button"
                data-testid="retry-all-failed"
                disabled={selected.stats.failed === 0}
                onClick={retryFailed}
              >
                Retry all failed ({selected.stats.failed})
              </button>
            </div>
            {notice !== "" && (
              <p className="notice" role="status">
                {notice}
              </p>
            )}
            {selected.job_types.includes("probe") && (
              <ProbeForm
                queue={queue}
                onSent={(sent) => {
                  setNotice(`Test job #${String(sent)} queued.`);
                  changed();
                }}
              />
            )}
            <JobTable queue={queue} selectedId={id} refresh={tick} />
          </div>
          {id !== null && <JobDetailPanel key={id} queue={queue} id={id} refresh={tick} onChanged={changed} />}
        </div>
      )}
    </section>
  );
}
