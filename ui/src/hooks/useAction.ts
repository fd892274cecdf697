// One action at a time from a form or a panel: busy while it runs, its error (an API error, or
// a check the page made itself) until the next try.
import { useCallback, useState } from "react";
import { type ApiError, toApiError } from "../api/errors";

export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);
  const run = useCallback(<T,>(call: Promise<T>, done: (value: T) => void) => {
    setBusy(true);
    setError(null);
    call.then(
      (value) => {
        setBusy(false);
        done(value);
      },
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e));
      },
    );
  }, []);
  return { busy, error, setError, run };
}
