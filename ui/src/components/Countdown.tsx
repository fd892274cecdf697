// "in 4 s" that counts down by itself: a message that names a time keeps it true.
import { useNow } from "../hooks/useNow";
import { until, when } from "../lib/time";

export function Countdown({ at, testId }: { at: string; testId?: string }) {
  const now = useNow();
  return (
    <time dateTime={at} title={when(at)} data-testid={testId}>
      {until(at, now)}
    </time>
  );
}
