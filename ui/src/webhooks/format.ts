// How webhook facts read on screen.
export { until, when } from "../lib/time";

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
