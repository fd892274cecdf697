// The Supabase project to sync with: the database connection string (written, never shown
// again: only its server and user are), the Auth user to sync as, automatic sync on or off,
// the Storage bucket media files go to (its secret key, like the password, never shown again),
// a test of both, and removing them.
import { useState } from "react";
import { api } from "../api/client";
import type { SyncConnectionDto } from "../bindings/SyncConnectionDto";
import type { SyncConnectionUpdate } from "../bindings/SyncConnectionUpdate";
import type { SyncStorageUpdate } from "../bindings/SyncStorageUpdate";
import type { SyncTestDto } from "../bindings/SyncTestDto";
import { useConfirm } from "../components/Confirm";
import { ActionError } from "../components/DataState";
import { useAction } from "../hooks/useAction";
import { IssueCode } from "../components/IssueCode";

export function ConnectionForm({ connection, onSaved }: { connection: SyncConnectionDto; onSaved: () => void }) {
  const confirm = useConfirm();
  const [connectionString, setConnectionString] = useState("");
  const [userId, setUserId] = useState(connection.user_id ?? "");
  const [enabled, setEnabled] = useState(connection.enabled || !connection.configured);
  const saved = connection.storage;
  const [storageUrl, setStorageUrl] = useState(saved?.endpoint ?? "");
  const [region, setRegion] = useState(saved?.region ?? "");
  const [bucket, setBucket] = useState(saved?.bucket ?? "botdesk-media");
  const [accessKeyId, setAccessKeyId] = useState(saved?.access_key_id ?? "");
  const [secret, setSecret] = useState("");
  const [test, setTest] = useState<SyncTestDto | null>(null);
  const { busy, error, run: act } = useAction();

  // Only what the owner changed goes: the saved secret stays unless a new one is typed.
  const storageUpdate = (): SyncStorageUpdate | undefined => {
    if (saved === null && storageUrl.trim() === "") return undefined;
    const changed =
      storageUrl !== (saved?.endpoint ?? "") ||
      region !== (saved?.region ?? "") ||
      bucket !== (saved?.bucket ?? "botdesk-media") ||
      accessKeyId !== (saved?.access_key_id ?? "") ||
      secret !== "";
    if (!changed) return undefined;
    return {
      url: storageUrl,
      ...(region.trim() === "" ? {} : { region }),
      bucket,
      ...(accessKeyId.trim() === "" ? {} : { access_key_id: accessKeyId }),
      ...(secret === "" ? {} : { secret_access_key: secret }),
    };
  };

  // What the database and the bucket would become: saved as is, or tried by the test.
  const typed = (): SyncConnectionUpdate => {
    const storage = storageUpdate();
    return {
      ...(connectionString.trim() === "" ? {} : { connection_string: connectionString }),
      ...(storage === undefined ? {} : { storage }),
    };
  };
  const save = () => {
    act(api.setSyncConnection({ ...typed(), user_id: userId, enabled }), () => {
      setConnectionString("");
      setSecret("");
      onSaved();
    });
  };
  const runTest = () => {
    setTest(null);
    act(api.testSyncConnection(typed()), setTest);
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
      <fieldset className="storage-fields">
        <legend>Media files (Supabase Storage)</legend>
        <p className="hint">
          Photos and their optimised variants go to a bucket of the project's Storage once their records have synced, and other devices fetch
          them when they are shown. Make a private bucket and an S3 access key under Storage → Settings. Without one, files stay on the
          device that added them.
        </p>
        <label className="field">
          <span className="field-label">Project URL or S3 endpoint</span>
          <input
            value={storageUrl}
            placeholder="https://<ref>.supabase.co"
            onChange={(e) => { setStorageUrl(e.target.value); }}
            data-testid="sync-storage-url"
          />
        </label>
        <div className="field-row">
          <label className="field">
            <span className="field-label">Region</span>
            <input value={region} placeholder="from the connection string, or e.g. eu-central-1" onChange={(e) => { setRegion(e.target.value); }} data-testid="sync-storage-region" />
          </label>
          <label className="field">
            <span className="field-label">Bucket</span>
            <input value={bucket} onChange={(e) => { setBucket(e.target.value); }} data-testid="sync-storage-bucket" />
          </label>
        </div>
        <div className="field-row">
          <label className="field">
            <span className="field-label">Access key id</span>
            <input value={accessKeyId} autoComplete="off" onChange={(e) => { setAccessKeyId(e.target.value); }} data-testid="sync-storage-key-id" />
          </label>
          <label className="field">
            <span className="field-label">{saved === null ? "Secret access key" : "New secret access key (leave empty to keep)"}</span>
            <input type="password" autoComplete="off" value={secret} onChange={(e) => { setSecret(e.target.value); }} data-testid="sync-storage-secret" />
          </label>
        </div>
        {saved !== null && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => {
              void confirm({ title: "Stop using Storage?", body: "Media files are no longer sent to the bucket. Files already there stay.", confirm: "Stop using Storage" }).then((yes) => {
                if (yes) act(api.setSyncConnection({ storage: { url: "" } }), onSaved);
              });
            }}
            data-testid="sync-storage-remove"
          >
            Stop using Storage
          </button>
        )}
      </fieldset>
      <ActionError error={error} testId="sync-connection-error" />
      {test !== null && (
        <div role="status" data-testid="sync-test-result">
          <p className={test.ok ? "hint" : "field-error"} data-testid="sync-test-database" data-ok={test.ok}>
            {test.ok ? `Database: connected, botdesk's tables are there (${test.took_ms} ms).` : `Database: ${test.failure?.message ?? "failed"} `}
            {!test.ok && <IssueCode code={test.failure?.code} />}
          </p>
          {test.storage !== null && (
            <p className={test.storage.ok ? "hint" : "field-error"} data-testid="sync-test-storage" data-ok={test.storage.ok}>
              {test.storage.ok ? `Storage: the bucket is there and the keys open it (${test.storage.took_ms} ms).` : `Storage: ${test.storage.failure?.message ?? "failed"} `}
              {!test.storage.ok && <IssueCode code={test.storage.failure?.code} />}
            </p>
          )}
        </div>
      )}
      <div className="button-row sticky-actions">
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
              void confirm({ title: "Stop syncing with this project?", body: "Nothing is deleted on either side; you can connect again later.", confirm: "Stop syncing", danger: true }).then((yes) => {
                if (yes) act(api.setSyncConnection({ connection_string: "" }), onSaved);
              });
            }}
          >
            Remove
          </button>
        )}
      </div>
    </form>
  );
}
