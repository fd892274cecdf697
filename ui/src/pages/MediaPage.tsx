// The media library: drop photos in, watch them upload and get processed, browse and filter
// what is there, open one to see its variants, link it to a product, or delete it.
import { useState } from "react";
import { api } from "../api/client";
import type { MediaDto } from "../bindings/MediaDto";
import type { MediaQuery } from "../bindings/MediaQuery";
import { Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useThrottled } from "../hooks/useThrottled";
import { MediaDetail } from "../media/MediaDetail";
import { MediaGrid } from "../media/MediaGrid";
import { UploadPanel } from "../media/UploadPanel";

/** The most often the grid reloads on live media events. */
const REFRESH_MS = 300;

type News = { percent: number; status: string; reason: string | null };

function Filters({ query, onChange }: { query: MediaQuery; onChange: (q: MediaQuery) => void }) {
  const merchants = useApi(() => api.merchants(), []);
  const products = useApi(() => api.products(), []);
  /** One filter changed; an empty value removes it. */
  const set = <K extends keyof MediaQuery>(key: K, value: MediaQuery[K] | "" | false) => {
    const next: MediaQuery = {};
    for (const [k, v] of Object.entries(query) as [keyof MediaQuery, unknown][]) {
      if (k !== key) Object.assign(next, { [k]: v });
    }
    if (value !== "" && value !== false && value !== undefined) Object.assign(next, { [key]: value });
    onChange(next);
  };
  return (
    <div className="toolbar" role="group" aria-label="Filters">
      <label>
        Type{" "}
        <select value={query.kind ?? ""} onChange={(e) => { set("kind", e.target.value); }} data-testid="filter-kind">
          <option value="">All</option>
          <option value="image">Images</option>
          <option value="document">Documents</option>
          <option value="video">Video</option>
          <option value="audio">Audio</option>
        </select>
      </label>
      <label>
        Merchant{" "}
        <select value={query.merchant_id ?? ""} onChange={(e) => { set("merchant_id", e.target.value); }}>
          <option value="">All</option>
          {(merchants.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Product{" "}
        <select value={query.product_id ?? ""} onChange={(e) => { set("product_id", e.target.value); }} data-testid="filter-product">
          <option value="">All</option>
          {(products.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input type="checkbox" checked={query.unused === true} onChange={(e) => { set("unused", e.target.checked); }} data-testid="filter-unused" /> Unused only
      </label>
    </div>
  );
}

export function MediaPage({ subpath }: { subpath: string }) {
  const selected = subpath === "" ? null : subpath;
  const [query, setQuery] = useState<MediaQuery>({});
  const [tick, setTick] = useState(0);
  const [extra, setExtra] = useState<MediaDto[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [news, setNews] = useState<Map<string, News>>(new Map());
  const page = useApi(() => api.media({ ...query, limit: 60 }), [query, tick]);

  const refresh = useThrottled(() => {
    setExtra([]);
    setTick((t) => t + 1);
  }, REFRESH_MS);
  useEvents((event) => {
    switch (event.type) {
      case "media.progress":
        setNews((m) => new Map(m).set(event.id, { percent: event.percent, status: "processing", reason: null }));
        break;
      case "media.processed":
      case "media.failed":
        setNews((m) => new Map(m).set(event.media.id, { percent: 100, status: event.media.status, reason: event.media.failed_reason }));
        refresh();
        break;
      case "media.uploaded":
      case "media.deleted":
      case "events.lagged":
        refresh();
        break;
      default:
        break;
    }
  });

  const items = [...(page.data?.items ?? []), ...extra];
  const nextCursor = extra.length > 0 ? cursor : (page.data?.next_cursor ?? null);
  const loadMore = () => {
    if (nextCursor === null) return;
    api.media({ ...query, limit: 60, cursor: nextCursor }).then(
      (more) => {
        setExtra((e) => [...e, ...more.items]);
        setCursor(more.next_cursor);
      },
      () => {
        // The grid keeps what it has; the banner reports an unreachable backend.
      },
    );
  };
  const progress = new Map([...news].map(([id, n]) => [id, n.percent]));

  return (
    <section aria-labelledby="media-title">
      <header className="page-header">
        <h1 id="media-title">Media</h1>
        <p className="subtitle">Product photos and files for the bot. Photos are turned upright, stripped of location and camera data, and made small for WhatsApp.</p>
      </header>
      <UploadPanel merchantId={query.merchant_id ?? null} live={news} onUploaded={refresh} />
      <Filters
        query={query}
        onChange={(q) => {
          setExtra([]);
          setQuery(q);
        }}
      />
      <div className={selected === null ? "media-layout" : "media-layout media-layout-detail"}>
        <div>
          {page.status === "error" && page.data === undefined ? (
            <ErrorState error={page.error} onRetry={page.reload} />
          ) : page.data === undefined ? (
            <Loading label="Loading the library…" />
          ) : items.length === 0 ? (
            <Empty title="Nothing here yet">Drop product photos above, or change the filters.</Empty>
          ) : (
            <>
              <MediaGrid items={items} progress={progress} selected={selected} />
              {nextCursor !== null && (
                <button type="button" className="secondary" onClick={loadMore}>
                  Show more
                </button>
              )}
            </>
          )}
        </div>
        {selected !== null && (
          <MediaDetail
            id={selected}
            refresh={tick}
            onDeleted={() => {
              window.location.hash = "#/media";
              refresh();
            }}
          />
        )}
      </div>
    </section>
  );
}
