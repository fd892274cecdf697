// Whether the backend answers: checked every few seconds (more often while it is down), and
// at once when the event stream drops. Drives the "cannot reach botdesk" banner, which clears
// itself when the backend is back.
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import { useEventConnection } from "./useEvents";

export type BackendStatus =
  | { state: "checking" | "online" | "needs-key" }
  | { state: "offline"; since: Date }
  /** The backend answers but could not start its core (a damaged store, bad settings). */
  | { state: "failed"; error: ApiError };

const ONLINE_INTERVAL_MS = 10_000;
const OFFLINE_INTERVAL_MS = 2_000;

export function useBackendStatus(): { status: BackendStatus; recheck: () => void } {
  const [status, setStatus] = useState<BackendStatus>({ state: "checking" });
  const [attempt, setAttempt] = useState(0);
  const offlineSince = useRef<Date | null>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      api.health().then(
        () => {
          if (!live) return;
          offlineSince.current = null;
          setStatus({ state: "online" });
          timer = setTimeout(check, ONLINE_INTERVAL_MS);
        },
        (error: unknown) => {
          if (!live) return;
          const failure = toApiError(error);
          if (failure.needsKey) {
            offlineSince.current = null;
            setStatus({ state: "needs-key" });
            timer = setTimeout(check, ONLINE_INTERVAL_MS);
            return;
          }
          if (failure.code.startsWith("store.") || failure.code.startsWith("config.")) {
            setStatus({ state: "failed", error: failure });
            return;
          }
          offlineSince.current ??= new Date();
          setStatus({ state: "offline", since: offlineSince.current });
          timer = setTimeout(check, OFFLINE_INTERVAL_MS);
        },
      );
    };
    check();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [attempt]);

  const recheck = useCallback(() => {
    setAttempt((n) => n + 1);
  }, []);
  useEventConnection((connected) => {
    if (!connected) recheck();
  });
  return { status, recheck };
}
