// The Supabase project to sync with: the database connection string (written, never shown
// again: only its server and user are), the Auth user to sync as, automatic sync on or off,
// a test, and removing it.
import { useState } from "react";
import { api } from "../api/client";
import type { SyncConnectionDto } from "../bindings/SyncConnectionDto";
import type { SyncTestDto } from "../bindings/SyncTestDto";
import { ActionError } from "../components/DataState";
import { useAction } from "../hooks/useAction";

export function ConnectionForm({ connection, onSaved }: { connection: SyncConnectionDto; onSaved: () => void }) {
  const [connectionString, setConnectionString] = useState("");
  const [userId, setUserId] = useState(connection.user_id ?? "");
  const [enabled, setEnabled] = useState(connection.enabled || !connection.configured);
  const [test, setTest] = useState<SyncTestDto | null>(null);
  const { busy, error, run: act } = useAction();

  const save = () => {
    act(
      api.setSyncConnection({
        ...(connectionString.trim() === "" ? {} : { connection_string: connectionString }),
        user_id: userId,
        enabled,
      }),
      () => {
        setConnectionString("");
        onSaved();
      },
    );
  };
  const runTest = () => {
    setTest(null);
    act(api.testSyncConnection(connectionString.trim() === "" ? {} : { connection_string: connectionString }), setTest);
  };

  return (
    <form
      className="card"
      aria-label="Connection"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <h2>Connection</h2>
      <p className="hint">
        {connection.configured
          ? `Syncing with ${connection.server ?? "?"} as database user ${connection.database_user ?? "?"}.`
          : "Not set up: paste the project's connection string (Supabase → Project Settings → Database)."}{" "}
        The password is kept encrypted on this machine and never shown again.
      </p>
      <label className="field">
        <span className="field-label">{connection.configured ? "New connection string (leave empty to keep)" : "Connection string"}</span>
        <input
          type="password"
          autoComplete="off"
          value={connectionString}
          placeholder="postgresql://postgres.<ref>:<password>@aws-0-<region>.pooler.supabase.com:5432/postgres"
          onChange={(e) => { setConnectionString(e.target.value); }}
          data-testid="sync-connection-string"
        />
      </label>
      <label className="field">
        <span className="field-label">Sync as (Supabase Auth user id; empty: the database user itself)</span>
        <input value={userId} onChange={(e) => { setUserId(e.target.value); }} placeholder="a UUID from Authentication → Users" data-testid="sync-user-id" />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => { setEnabled(e.target.checked); }} data-testid="sync-enabled" /> Sync by itself (every minute, and
        shortly after changes)
      </label>
      <ActionError error={error} testId="sync-connection-error" />
      {test !== null && (
        <p className={test.ok ? "hint" : "field-error"} role="status" data-testid="sync-test-result">
          {test.ok ? `Connected, botdesk's tables are there (${test.took_ms} ms).` : `${test.failure?.message ?? "failed"} `}
          {!test.ok && <code className="issue-code">{test.failure?.code}</code>}
        </p>
      )}
      <div className="button-row">
        <button type="submit" disabled={busy} data-testid="sync-save">
          Save
        </button>
        <button type="button" className="secondary" disabled={busy} onClick={runTest} data-testid="sync-test">
          Test connection
        </button>
        {connection.configured && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm("Stop syncing with this project? Nothing is deleted on either side.")) {
                act(api.setSyncConnection({ connection_string: "" }), onSaved);
              }
            }}
          >
            Remove
          </button>
        )}
      </div>
    </form>
  );
}
