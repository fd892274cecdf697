// The audit trail: newest first, a page at a time, filtered by table and actor, updated live
// when anyone (this app, the CLI, the bot) changes something.
import { useEffect, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { AuditEntryDto } from "../bindings/AuditEntryDto";
import { Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { EventHistory } from "../webhooks/EventHistory";

const PAGE_SIZE = 50;
/** Record ids are UUIDs (shown by their first 8 characters) or names (settings keys). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Filters = { table: string; actor: string };

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "∅";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function ChangeSummary({ entry }: { entry: AuditEntryDto }) {
  const fields = Object.entries(entry.changes);
  const shown = fields.slice(0, 3);
  return (
    <details className="changes">
      <summary>
        {shown.map(([field, change]) => (
          <span key={field} className="change">
            <b>{field}</b>{" "}
            {entry.action === "insert"
              ? describeValue(change.new)
              : `${describeValue(change.old)} → ${describeValue(change.new)}`}
          </span>
        ))}
        {fields.length > shown.length && <span className="more">+{fields.length - shown.length} more</span>}
      </summary>
      <pre>{JSON.stringify(entry.changes, null, 2)}</pre>
    </details>
  );
}

type Listing = {
  /** The request this listing answers. */
  key: string;
  items: AuditEntryDto[];
  cursor: string | null;
  error: ApiError | null;
};

export function ActivityPage() {
  const [filters, setFilters] = useState<Filters>({ table: "", actor: "" });
  const [version, setVersion] = useState(0);
  const [listing, setListing] = useState<Listing | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [newer, setNewer] = useState(false);
  const facets = useApi(() => api.auditFacets(), []);
  const key = `${filters.table}|${filters.actor}|${version}`;

  useEffect(() => {
    let live = true;
    api.audit({ table: filters.table, actor: filters.actor, limit: PAGE_SIZE }).then(
      (page) => {
        if (live) setListing({ key, items: page.items, cursor: page.next_cursor, error: null });
      },
      (e: unknown) => {
        if (live) setListing({ key, items: [], cursor: null, error: toApiError(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [key, filters]);

  const current = listing !== null && listing.key === key ? listing : null;
  const items = current?.items ?? listing?.items ?? [];
  const error = current?.error ?? null;

  const showLatest = () => {
    setNewer(false);
    setVersion((v) => v + 1);
  };

  const loadMore = () => {
    if (current?.cursor == null) return;
    const cursor = current.cursor;
    setLoadingMore(true);
    api.audit({ table: filters.table, actor: filters.actor, limit: PAGE_SIZE, cursor }).then(
      (page) => {
        setLoadingMore(false);
        setListing((previous) =>
          previous === null || previous.key !== key
            ? previous
            : { ...previous, items: [...previous.items, ...page.items], cursor: page.next_cursor },
        );
      },
      (e: unknown) => {
        setLoadingMore(false);
        setListing((previous) => (previous === null ? previous : { ...previous, error: toApiError(e) }));
      },
    );
  };

  useEvents((event) => {
    if (event.type !== "audit.appended" && event.type !== "events.lagged") return;
    // On the first page the list simply refreshes; deeper in, it says so instead of jumping.
    if (items.length <= PAGE_SIZE) {
      setVersion((v) => v + 1);
      facets.reload();
    } else {
      setNewer(true);
    }
  });

  const filtered = filters.table !== "" || filters.actor !== "";
  return (
    <section aria-labelledby="activity-title">
      <header className="page-header">
        <h1 id="activity-title">Activity</h1>
        <p className="subtitle">Every change to templates, media, webhooks, orders and settings, and who made it.</p>
      </header>
      <div className="toolbar" role="search">
        <label>
          Table
          <select
            value={filters.table}
            data-testid="filter-table"
            onChange={(e) => {
              setFilters({ ...filters, table: e.target.value });
            }}
          >
            <option value="">All tables</option>
            {facets.data?.tables.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor
          <select
            value={filters.actor}
            data-testid="filter-actor"
            onChange={(e) => {
              setFilters({ ...filters, actor: e.target.value });
            }}
          >
            <option value="">Everyone</option>
            {facets.data?.actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        {newer && (
          <button type="button" className="notice-button" onClick={showLatest}>
            New activity: show latest
          </button>
        )}
      </div>
      {error !== null && <ErrorState error={error} onRetry={showLatest} />}
      {current === null && items.length === 0 && <Loading label="Loading activity…" />}
      {current !== null && error === null && items.length === 0 && (
        <Empty title={filtered ? "Nothing matches these filters" : "No activity yet"}>
          {filtered ? "Choose another table or actor." : "Changes appear here as soon as anything is saved."}
        </Empty>
      )}
      {items.length > 0 && (
        <div className="table-scroll" role="region" aria-label="Changes" tabIndex={0}>
        <table className="data-table" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Action</th>
              <th scope="col">Who</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.seq} data-testid="audit-row" data-seq={entry.seq}>
                <td>
                  <time dateTime={entry.created_at} title={entry.created_at}>
                    {new Date(entry.created_at).toLocaleString()}
                  </time>
                </td>
                <td>
                  <span className="table-name">{entry.table_name}</span>
                  <code className="record-id" title={entry.record_id}>
                    {UUID.test(entry.record_id) ? entry.record_id.slice(0, 8) : entry.record_id}
                  </code>
                </td>
                <td>
                  <span className={`badge badge-${entry.action}`}>{entry.action}</span>
                </td>
                <td className="actor">{entry.actor}</td>
                <td>
                  <ChangeSummary entry={entry} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {current?.cursor != null && items.length > 0 && (
        <div className="pager">
          <button type="button" onClick={loadMore} disabled={loadingMore} data-testid="load-more">
            {loadingMore ? "Loading…" : "Load older changes"}
          </button>
        </div>
      )}
      <h2 id="activity-events">Events</h2>
      <p className="hint">What the bot and the app announced, and how many webhook deliveries each made.</p>
      <EventHistory limit={50} testId="activity-events" />
    </section>
  );
}
