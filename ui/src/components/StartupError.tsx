import type { ApiError } from "../api/errors";

/** In place of the app when its core could not start: what went wrong and what to do. */
export function StartupError({ error }: { error: ApiError }) {
  return (
    <main className="key-prompt" role="alert" data-testid="startup-error">
      <h1>botdesk could not start</h1>
      <p>{error.message}</p>
      <p className="state-code">
        Code: <code>{error.code}</code>
      </p>
      <p className="muted">
        Nothing was changed or deleted. Quit botdesk, deal with the problem (the user guide explains each code), and start
        it again.
      </p>
    </main>
  );
}
