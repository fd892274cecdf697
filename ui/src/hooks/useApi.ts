// Loading data from the API with one shape of state for every page: loading, error, ready.
import { useCallback, useEffect, useRef, useState } from "react";
import { type ApiError, toApiError } from "../api/errors";

export type Loaded<T> =
  | { status: "loading"; data: T | undefined }
  | { status: "error"; error: ApiError; data: T | undefined }
  | { status: "ready"; data: T };

type Outcome<T> = { key: string; data: T | undefined; error: ApiError | null };

/** Runs `load` now, whenever `deps` change, and on `reload`. While a new load runs the
 * previous data stays visible; a result for an outdated request is discarded. */
export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> & { reload: () => void } {
  const [version, setVersion] = useState(0);
  const [outcome, setOutcome] = useState<Outcome<T> | null>(null);
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  });
  const key = `${JSON.stringify(deps)}#${version}`;
  useEffect(() => {
    let live = true;
    latestLoad.current().then(
      (data) => {
        if (live) setOutcome({ key, data, error: null });
      },
      (error: unknown) => {
        if (live) setOutcome((previous) => ({ key, data: previous?.data, error: toApiError(error) }));
      },
    );
    return () => {
      live = false;
    };
  }, [key]);
  const reload = useCallback(() => {
    setVersion((v) => v + 1);
  }, []);
  if (outcome === null || outcome.key !== key) {
    return { status: "loading", data: outcome?.data, reload };
  }
  if (outcome.error !== null) {
    return { status: "error", error: outcome.error, data: outcome.data, reload };
  }
  return { status: "ready", data: outcome.data as T, reload };
}
