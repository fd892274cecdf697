// A detail panel beside a list (a photo, a job, a delivery): it takes focus when it opens (its
// heading, so a screen reader says what opened), Escape closes it, and focus goes back to the
// row that opened it, unless the owner has already moved on to something else.
import { useEffect, useRef } from "react";

// Panels open inside panels (a delivery inside its endpoint): Escape closes the innermost one.
const escapeStack: { current: () => void }[] = [];

function onKey(e: KeyboardEvent) {
  if (e.key !== "Escape" || e.defaultPrevented) return;
  // A modal dialog over the page handles its own Escape.
  if (document.querySelector("dialog[open]") !== null) return;
  const top = escapeStack.at(-1);
  if (top === undefined) return;
  e.preventDefault();
  top.current();
}

/** Runs `onEscape` on Escape, if no panel opened later listens too and no dialog is open. */
export function useEscape(onEscape: () => void) {
  const handler = useRef(onEscape);
  useEffect(() => {
    handler.current = onEscape;
  });
  useEffect(() => {
    const entry = handler;
    if (escapeStack.length === 0) document.addEventListener("keydown", onKey);
    escapeStack.push(entry);
    return () => {
      escapeStack.splice(escapeStack.indexOf(entry), 1);
      if (escapeStack.length === 0) document.removeEventListener("keydown", onKey);
    };
  }, []);
}

/**
 * A panel's focus and Escape. `close` is the address of the page without the panel, or what
 * closes it; `ready` says its heading is there to take focus; a new `key` is a new item.
 */
export function usePanel<T extends HTMLElement>(close: string | (() => void), ready: boolean, key: string) {
  const panel = useRef<T>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    opener.current = document.activeElement;
    const element = panel;
    return () => {
      const back = opener.current;
      const active = document.activeElement;
      // Focus goes back only if it was in the panel or is lost; not if the owner went elsewhere.
      const lost = active === null || active === document.body || !(active instanceof HTMLElement) || !active.isConnected;
      const inPanel = active !== null && (element.current?.contains(active) ?? false);
      if ((lost || inPanel) && back instanceof HTMLElement && back.isConnected) back.focus();
    };
  }, [key]);
  useEffect(() => {
    if (!ready) return;
    const heading = panel.current?.querySelector<HTMLElement>("h2");
    if (heading === null || heading === undefined) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [ready, key]);
  useEscape(() => {
    if (typeof close === "string") window.location.hash = close;
    else close();
  });
  return panel;
}
