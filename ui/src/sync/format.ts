// How sync's state reads on screen.
import type { SyncStatusDto } from "../bindings/SyncStatusDto";

function clock(iso: string | null): string {
  if (iso === null) return "";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function changes(n: number): string {
  return n === 1 ? "1 change" : `${n} changes`;
}

/** One line for the indicator: "synced", "offline since 10:32, 1 change pending", … */
export function describeSync(s: SyncStatusDto): string {
  switch (s.state) {
    case "not_configured":
      return "sync not set up";
    case "syncing":
      return s.pending_changes > 0 ? `syncing ${changes(s.pending_changes)}` : "syncing";
    case "offline":
      return `offline since ${clock(s.offline_since)}, ${changes(s.pending_changes)} pending`;
    case "error":
      if (s.errors > 0) return s.errors === 1 ? "1 row refused" : `${s.errors} rows refused`;
      return `sync failed: ${s.last_failure?.code ?? "error"}`;
    case "pending":
      return s.pending_changes > 0 ? `${changes(s.pending_changes)} pending` : "not synced yet";
    case "synced":
      return "synced";
    default:
      return s.state;
  }
}
