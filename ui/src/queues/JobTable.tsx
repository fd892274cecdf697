// A queue's jobs, newest first: filtered by state, searched by id or payload text, a page at a
// time (keyset paging: as fast on the millionth job as on the first).
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { JobPage } from "../bindings/JobPage";
import type { JobState } from "../bindings/JobState";
import { Empty, ErrorState, Loading } from "../components/DataState";
import { STATES, when } from "./format";

const PAGE_SIZE = 25;

type Listing = { key: string; page: JobPage | null; error: ApiError | null };

export function JobTable({
  queue,
  selectedId,
  refresh,
}: {
  queue: string;
  selectedId: number | null;
  /** Changes when the queue's jobs moved: the shown page is fetched again. */
  refresh: number;
}) {
  const [status, setStatus] = useState<JobState | null>(null);
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  /** The cursors of the pages before this one (empty: the newest page). */
  const [cursors, setCursors] = useState<string[]>([]);
  const [listing, setListing] = useState<Listing | null>(null);
  const cursor = cursors.at(-1) ?? null;
  const key = `${queue}|${status ?? ""}|${query}|${cursor ?? ""}`;

  // Typing searches once the owner pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(search.trim());
      setCursors([]);
    }, 300);
    return () => {
      clearTimeout(timer);
    };
  }, [search]);

  useEffect(() => {
    let live = true;
    api.jobs(queue, { status, q: query === "" ? null : query, cursor, limit: PAGE_SIZE }).then(
      (page) => {
        if (!live) return;
        // A later page emptied by live changes (its jobs retried, cleaned): back to the newest.
        if (page.jobs.length === 0 && cursor !== null) setCursors([]);
        else setListing({ key, page, error: null });
      },
      (e: unknown) => {
        if (live) setListing((previous) => ({ key, page: previous?.page ?? null, error: toApiError(e) }));
      },
    );
    return () => {
      live = false;
    };
  }, [key, queue, status, query, cursor, refresh]);

  const page = listing?.page ?? null;

  return (
    <div className="job-table">
      <div className="toolbar" role="search">
        <div className="state-tabs" role="tablist" aria-label="Job state">
          {[null, ...STATES].map((s) => (
            <button
              key={s ?? "all"}
              type="button"
              role="tab"
              aria-selected={status === s}
              data-testid={`filter-${s ?? "all"}`}
              onClick={() => {
                setStatus(s);
                setCursors([]);
              }}
            >
              {s ?? "all"}
            </button>
          ))}
        </div>
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="Job id or payload text"
            data-testid="job-search"
            onChange={(e) => {
              setSearch(e.target.value);
            }}
          />
        </label>
      </div>
      {listing?.error != null && <ErrorState error={listing.error} />}
      {page === null && listing?.error == null && <Loading label="Loading jobs…" />}
      {page !== null && page.jobs.length === 0 && (
        <Empty title={query === "" && status === null ? "No jobs in this queue" : "No job matches"}>
          {query === "" && status === null
            ? "Jobs appear here when the bot or botdesk queues work."
            : "Try another state or search."}
        </Empty>
      )}
      {page !== null && page.jobs.length > 0 && (
        <table className="data-table" data-testid="job-rows">
          <thead>
            <tr>
              <th>Job</th>
              <th>State</th>
              <th>Attempts</th>
              <th>Updated</th>
              <th>Payload / reason</th>
            </tr>
          </thead>
          <tbody>
            {page.jobs.map((j) => (
              <tr key={j.id} className={j.id === selectedId ? "row-selected" : undefined} data-testid="job-row">
                <td>
                  <a href={`#/queues/${queue}/${String(j.id)}`} data-testid={`job-link-${String(j.id)}`}>
                    #{j.id}
                  </a>{" "}
                  <span className="muted">{j.name}</span>
                </td>
                <td>
                  <span className={`badge badge-job-${j.state}`}>{j.state}</span>
                  {j.state === "active" && <span className="muted"> {j.progress}%</span>}
                </td>
                <td>
                  {j.attempts}/{j.max_attempts}
                </td>
                <td className="nowrap">{when(j.updated_at)}</td>
                <td className="payload-cell">
                  {j.failed_reason !== null && j.state !== "completed" ? (
                    <span className="reason">{j.failed_reason}</span>
                  ) : (
                    <code>{j.payload_preview}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => {
            setCursors(cursors.slice(0, -1));
          }}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={page?.next_cursor == null}
          data-testid="older-jobs"
          onClick={() => {
            if (page?.next_cursor != null) setCursors([...cursors, page.next_cursor]);
          }}
        >
          Older →
        </button>
      </div>
    </div>
  );
}
