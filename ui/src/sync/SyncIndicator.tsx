// Always in view: where sync stands, in a few words, live. A click opens the Sync page.
import { useState } from "react";
import { api } from "../api/client";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { describeSync } from "./format";

export function SyncIndicator() {
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<SyncStatusDto | null>(null);
  const loaded = useApi(() => api.syncStatus(), [tick]);
  useEvents((event) => {
    if (event.type === "sync.status") setLive(event.status);
    // The change log grows with any edit: the count of pending changes follows.
    if (event.type === "audit.appended" || event.type === "events.lagged") {
      setLive(null);
      setTick((t) => t + 1);
    }
  });
  const status = live ?? loaded.data;
  if (status === undefined) return null;
  return (
    <a href="#/sync" className={`sync-indicator sync-${status.state}`} data-testid="sync-indicator" data-state={status.state} title={status.last_failure?.message ?? describeSync(status)}>
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-words">{describeSync(status)}</span>
    </a>
  );
}
