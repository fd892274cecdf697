// Coalescing bursts of live events into one reload: `bump()` runs `run` once, `ms` after the
// first bump of a burst, however many follow in between. Cancelled on unmount.
import { useCallback, useEffect, useRef } from "react";

export function useThrottled(run: () => void, ms: number): () => void {
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  useEffect(
    () => () => {
      if (pending.current !== null) clearTimeout(pending.current);
    },
    [],
  );
  return useCallback(() => {
    pending.current ??= setTimeout(() => {
      pending.current = null;
      latest.current();
    }, ms);
  }, [ms]);
}
