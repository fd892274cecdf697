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

export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => {
      setHash(window.location.hash);
    };
    window.addEventListener("hashchange", onChange);
    return () => {
      window.removeEventListener("hashchange", onChange);
    };
  }, []);
  return { page: pageFromHash(hash), subpath: subpathFromHash(hash) };
}
