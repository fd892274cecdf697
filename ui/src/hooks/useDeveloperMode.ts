// Developer mode: error codes, positions and the Cloud API's JSON shown beside the owner's
// words. Off by default (owners read sentences); kept on this device, shared by every page.
import { useSyncExternalStore } from "react";

const KEY = "botdesk.developer-mode";
const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return window.localStorage.getItem(KEY) === "on";
  } catch {
    return false;
  }
}

export function setDeveloperMode(on: boolean) {
  try {
    if (on) window.localStorage.setItem(KEY, "on");
    else window.localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private window): the setting lasts until the page closes.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

export function useDeveloperMode(): boolean {
  return useSyncExternalStore(subscribe, read, () => false);
}
