// The three states every list or panel can be in, drawn the same way everywhere.
import type { ReactNode } from "react";
import type { ApiError } from "../api/errors";
import { IssueCode } from "./IssueCode";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <p className="state-title">{title}</p>
      {children !== undefined && <div className="state-body">{children}</div>}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <p className="state-title">{error.isUnreachable ? "botdesk cannot be reached" : "This could not be loaded"}</p>
      <p className="state-body">{error.message}</p>
      <p className="state-code">
        Code: <code>{error.code}</code>
      </p>
      {onRetry !== undefined && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Why an action failed, under the control that tried it: the message, and the code for an
 * API error (a string is a check the page made itself). Nothing when there is no error. */
export function ActionError({ error, testId }: { error: ApiError | string | null; testId?: string }) {
  if (error === null) return null;
  return (
    <p className="field-error" role="alert" data-testid={testId}>
      {typeof error === "string" ? (
        error
      ) : (
        <>
          {error.message} <IssueCode code={error.code} />
        </>
      )}
    </p>
  );
}
