// How sync's state reads on screen.
import type { SyncFilesDto } from "../bindings/SyncFilesDto";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import { bytes } from "../media/format";

function clock(iso: string | null): string {
  if (iso === null) return "";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function changes(n: number): string {
  return n === 1 ? "1 change" : `${n} changes`;
}

function files(n: number): string {
  return n === 1 ? "1 file" : `${n} files`;
}

function percent(sent: number, total: number): string {
  return total <= 0 ? "0 %" : `${String(Math.floor((sent / total) * 100))} %`;
}

/** One line for the indicator: "synced", "offline since 10:32, 1 change pending", … */
export function describeSync(s: SyncStatusDto): string {
  switch (s.state) {
    case "not_configured":
      return "sync not set up";
    case "syncing":
      if (s.pending_changes > 0) return `syncing ${changes(s.pending_changes)}`;
      if (s.files.current !== null) return `sending ${files(s.files.pending)}, ${percent(s.files.current.sent, s.files.current.total)}`;
      return "syncing";
    case "offline":
      return `offline since ${clock(s.offline_since)}, ${changes(s.pending_changes)} pending`;
    case "error":
      if (s.errors > 0) return s.errors === 1 ? "1 row refused" : `${s.errors} rows refused`;
      if (s.last_failure === null && s.files.failing > 0) return `${files(s.files.failing)} not sent`;
      return `sync failed: ${s.last_failure?.code ?? "error"}`;
    case "pending":
      if (s.pending_changes > 0) return `${changes(s.pending_changes)} pending`;
      if (s.files.pending > 0 && s.files.storage_configured) return `${files(s.files.pending)} to send`;
      return "not synced yet";
    case "synced":
      return "synced";
    default:
      return s.state;
  }
}

/** Where media files stand, for the Sync page. */
export function describeFiles(f: SyncFilesDto): string {
  if (!f.storage_configured) {
    return f.pending > 0
      ? `${files(f.pending)} stay on this device: no Storage bucket is set up`
      : "no Storage bucket set up: media files stay on the device that added them";
  }
  if (f.current !== null) {
    return `sending ${files(f.pending)}: ${bytes(f.current.sent)} of ${bytes(f.current.total)} of this one`;
  }
  if (f.pending > 0) {
    const held = f.sent_bytes > 0 ? ` (${bytes(f.sent_bytes)} of ${bytes(f.pending_bytes)} sent)` : "";
    return `${files(f.pending)} waiting${held}; ${files(f.uploaded)} in Storage`;
  }
  return f.uploaded > 0 ? `all ${files(f.uploaded)} in Storage` : "none to send";
}
