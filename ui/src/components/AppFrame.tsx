// The frame around every page: navigation, the backend status banner, and the page itself.
// Keyboard users get a skip link and visible focus; a new page's heading takes focus, so screen
// readers announce it and the next Tab starts in the page.
import { type ReactNode, useEffect, useRef } from "react";
import type { Page } from "../hooks/useRoute";
import { SyncIndicator } from "../sync/SyncIndicator";
import { Icon } from "./Icon";

const NAV: { page: Page; label: string }[] = [
  { page: "templates", label: "Templates" },
  { page: "media", label: "Media" },
  { page: "orders", label: "Orders" },
  { page: "queues", label: "Queues" },
  { page: "webhooks", label: "Webhooks" },
  { page: "sync", label: "Sync" },
  { page: "activity", label: "Activity" },
  { page: "settings", label: "Settings" },
];

/** How long a new page may take to show its heading (it may be loading) before focus gives up. */
const HEADING_WAIT_MS = 3000;

export function AppFrame({ page, focusKey, banner, children }: { page: Page; focusKey: string; banner: ReactNode; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // The heading may come after the page's data: wait for it, a frame at a time.
    const started = performance.now();
    let frame = 0;
    const focusHeading = () => {
      const heading = main.current?.querySelector<HTMLElement>("h1");
      if (heading !== null && heading !== undefined) {
        heading.tabIndex = -1;
        heading.focus();
      } else if (performance.now() - started < HEADING_WAIT_MS) {
        frame = requestAnimationFrame(focusHeading);
      } else {
        main.current?.focus();
      }
    };
    focusHeading();
    return () => {
      cancelAnimationFrame(frame);
    };
  }, [focusKey]);
  return (
    <div className="frame">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            b
          </span>
          <span className="brand-name">botdesk</span>
        </div>
        <ul>
          {NAV.map((item) => (
            <li key={item.page}>
              <a
                href={`#/${item.page}`}
                aria-current={item.page === page ? "page" : undefined}
                className={item.page === page ? "active" : undefined}
                data-testid={`nav-${item.page}`}
                title={item.label}
              >
                <Icon name={item.page} className="nav-icon" />
                <span className="nav-label">{item.label}</span>
              </a>
            </li>
          ))}
        </ul>
        <SyncIndicator />
      </nav>
      <div className="content">
        {banner}
        <main id="main" ref={main} tabIndex={-1} data-testid={`page-${page}`}>
          {children}
        </main>
      </div>
    </div>
  );
}
