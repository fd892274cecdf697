// Times as the owner reads them: in their own clock and format, and "in 4 s" for what is coming.

/** A stored time in the reader's own clock and format; "—" when there is none. */
export function when(iso: string | null): string {
  if (iso === null || iso === "") return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** "in 4 s", "in 5 min", "in 2 h": how long until a time to come; "now" once it has come. */
export function until(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return "—";
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  if (s <= 0) return "now";
  if (s < 90) return `in ${String(s)} s`;
  if (s < 90 * 60) return `in ${String(Math.round(s / 60))} min`;
  return `in ${String(Math.round(s / 3600))} h`;
}
