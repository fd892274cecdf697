// Small display helpers shared by the queue monitor's parts.
import type { JobState } from "../bindings/JobState";

export { when } from "../lib/time";

export const STATES: readonly JobState[] = ["waiting", "delayed", "active", "completed", "failed", "cancelled"];

/** A queue's name as a person reads it: `message_sending` → `Message sending`. */
export function queueLabel(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How long between two stored times, e.g. `1.2 s`. */
export function took(from: string | null, to: string | null): string {
  if (from === null || to === null) return "";
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "";
  return ms < 1000 ? `${String(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
