// Routing by URL hash (#/activity): works the same in the desktop window's custom protocol and
// in a browser, with no server-side routes needed.
import { useEffect, useState } from "react";

export const PAGES = ["templates", "media", "orders", "queues", "webhooks", "sync", "activity", "settings"] as const;
export type Page = (typeof PAGES)[number];

export const DEFAULT_PAGE: Page = "templates";

export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, "").split(/[/?]/)[0] ?? "";
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : DEFAULT_PAGE;
}

/** What follows the page in the hash: `#/templates/abc` → `abc` (empty when nothing does). */
export function subpathFromHash(hash: string): string {
  const parts = hash.replace(/^#\/?/, "").split("?")[0]?.split("/") ?? [];
  return parts.slice(1).join("/");
}

export interface Route {
  page: Page;
  subpath: string;
}

/** Asked before the address changes away from a page with unsaved work: true lets it go. */
type LeaveGuard = (to: string) => Promise<boolean>;

let leaveGuard: LeaveGuard | null = null;
let shownHash = window.location.hash;
let letThrough: string | null = null;

/** Puts `guard` in front of every address change until the returned function is called. */
export function guardLeaving(guard: LeaveGuard): () => void {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = null;
  };
}

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => {
      const to = window.location.hash;
      const guard = leaveGuard;
      if (guard !== null && to !== shownHash && to !== letThrough) {
        // Back to where the owner is, without a history entry, while they decide.
        const from = shownHash;
        history.replaceState(null, "", from === "" ? window.location.pathname + window.location.search : from);
        void guard(to).then((leave) => {
          if (!leave) return;
          letThrough = to;
          window.location.hash = to;
        });
        return;
      }
      letThrough = null;
      shownHash = to;
      setHash(to);
    };
    window.addEventListener("hashchange", onChange);
    return () => {
      window.removeEventListener("hashchange", onChange);
    };
  }, []);
  return { page: pageFromHash(hash), subpath: subpathFromHash(hash) };
}
