// Live events from the core: pages call this to update without reloading.
import { useEffect, useRef } from "react";
import type { EventDto } from "../bindings/EventDto";
import { transport } from "../api/transport";

type Listener = (event: EventDto) => void;

const listeners = new Set<Listener>();
const connectionListeners = new Set<(connected: boolean) => void>();
let unsubscribe: (() => void) | null = null;

function ensureSubscribed() {
  unsubscribe ??= transport().subscribe(
    (event) => {
      for (const listener of listeners) listener(event);
    },
    (connected) => {
      for (const listener of connectionListeners) listener(connected);
    },
  );
}

/** Calls `onEvent` for every event while the component is mounted. */
export function useEvents(onEvent: Listener): void {
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  useEffect(() => {
    const listener: Listener = (event) => {
      latest.current(event);
    };
    listeners.add(listener);
    ensureSubscribed();
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

/** Calls `onChange` when the event stream connects or drops. */
export function useEventConnection(onChange: (connected: boolean) => void): void {
  const latest = useRef(onChange);
  useEffect(() => {
    latest.current = onChange;
  });
  useEffect(() => {
    const listener = (connected: boolean) => {
      latest.current(connected);
    };
    connectionListeners.add(listener);
    ensureSubscribed();
    return () => {
      connectionListeners.delete(listener);
    };
  }, []);
}
