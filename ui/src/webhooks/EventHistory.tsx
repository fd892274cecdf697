// The event history: every event handed to the dispatcher (from the bot, the app, the API or a
// test), newest first, with its payload and how many deliveries it made. Live: it reloads
// when an event is recorded.
import { useState } from "react";
import { api } from "../api/client";
import { Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useThrottled } from "../hooks/useThrottled";
import { EVENT_TYPES, when } from "./format";

/** The most often the history reloads while events pour in. */
const REFRESH_MS = 500;

/** The first few field names of a payload: what the collapsed row shows. */
function fieldsOf(payload: unknown): string {
  if (typeof payload !== "object" || payload === null) return "—";
  const names = Object.keys(payload);
  return names.length === 0 ? "—" : names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "");
}

export function EventHistory({ limit, testId }: { limit: number; testId: string }) {
  const [type, setType] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useThrottled(() => {
    setTick((t) => t + 1);
  }, REFRESH_MS);
  useEvents((event) => {
    if (event.type === "webhook.event" || event.type === "events.lagged") reload();
  });
  const events = useApi(() => api.webhookEvents(limit, type), [limit, type, tick]);
  return (
    <div className="event-history" data-testid={testId}>
      <div className="toolbar">
        <label>
          Event{" "}
          <select value={type ?? ""} onChange={(e) => { setType(e.target.value === "" ? null : e.target.value); }} data-testid="event-type-filter">
            <option value="">All events</option>
            {[...EVENT_TYPES, "test"].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {events.status === "error" && events.data === undefined ? (
        <ErrorState error={events.error} onRetry={events.reload} />
      ) : events.data === undefined ? (
        <Loading label="Loading events…" />
      ) : events.data.length === 0 ? (
        <Empty title={type === null ? "No events yet" : "No events of this type"}>Events from the bot, the app and test events appear here.</Empty>
      ) : (
        <table className="data-table" data-testid="event-rows">
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>From</th>
              <th>Deliveries</th>
              <th>Payload</th>
            </tr>
          </thead>
          <tbody>
            {events.data.map((e) => (
              <tr key={e.id} data-testid="event-row" data-event-type={e.event_type}>
                <td>{when(e.created_at)}</td>
                <td>
                  <code>{e.event_type}</code>
                </td>
                <td>{e.source}</td>
                <td>{e.deliveries}</td>
                <td>
                  <details className="changes">
                    <summary>{fieldsOf(e.payload)}</summary>
                    <pre>{JSON.stringify(e.payload, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
