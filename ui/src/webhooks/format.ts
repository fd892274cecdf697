// How webhook facts read on screen.
export const EVENT_TYPES = [
  "message_received",
  "message_sent",
  "order_created",
  "order_status_changed",
  "product_updated",
  "payment_received",
  "delivery_started",
  "delivery_completed",
  "bot_connected",
  "bot_disconnected",
] as const;

export const STATUS_LABEL: Record<string, string> = {
  pending: "Pending",
  retrying: "Retrying",
  succeeded: "Delivered",
  failed: "Failed",
};

/** A time as the owner reads it: local, to the second. */
export function when(iso: string | null): string {
  if (iso === null) return "—";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString();
}

/** "in 4 s", "in 5 min", "in 2 h": how long until a retry. */
export function until(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return "—";
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  if (s <= 0) return "now";
  if (s < 90) return `in ${s} s`;
  if (s < 90 * 60) return `in ${Math.round(s / 60)} min`;
  return `in ${Math.round(s / 3600)} h`;
}

/** Custom headers as the form edits them: one `Name: value` per line. */
export function headersToText(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}

export function textToHeaders(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return `Line ${i + 1} is not "Name: value".`;
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}
