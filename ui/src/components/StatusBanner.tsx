import type { BackendStatus } from "../hooks/useBackendStatus";

/** Shown while the backend does not answer; disappears by itself when it is back. */
export function StatusBanner({ status, onRetry }: { status: BackendStatus; onRetry: () => void }) {
  if (status.state !== "offline") return null;
  return (
    <div className="banner banner-offline" role="alert" data-testid="offline-banner">
      <span>
        Cannot reach botdesk since {status.since.toLocaleTimeString()}. Changes you see may be out of date; retrying
        automatically.
      </span>
      <button type="button" onClick={onRetry}>
        Retry now
      </button>
    </div>
  );
}
