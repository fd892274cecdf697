// Facts about this botdesk (versions, where its data and log are) and the owner's settings.
import { type SyntheticEvent, useState } from "react";
import { api } from "../api/client";
import { transport } from "../api/transport";
import { type ApiError, toApiError } from "../api/errors";
import type { SettingsDto } from "../bindings/SettingsDto";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { setDeveloperMode, useDeveloperMode } from "../hooks/useDeveloperMode";
import { useEvents } from "../hooks/useEvents";

function Fact({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <code data-testid={testId}>{value}</code>
      </dd>
    </>
  );
}

function HttpApiForm({
  settings,
  justSaved,
  onSaved,
  onEdit,
}: {
  settings: SettingsDto;
  justSaved: boolean;
  onSaved: () => void;
  onEdit: () => void;
}) {
  const [enabled, setEnabled] = useState(settings.desktop_http_api_enabled);
  const [port, setPort] = useState(String(settings.desktop_http_api_port));
  const [error, setError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const number = Number(port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) {
      setError(toApiError({ code: "settings.invalid_port", message: "The port is a whole number from 1024 to 65535.", field: "desktop_http_api_port" }));
      return;
    }
    setSaving(true);
    api.updateSettings({ desktop_http_api_enabled: enabled, desktop_http_api_port: number }).then(
      () => {
        setSaving(false);
        setError(null);
        onSaved();
      },
      (e: unknown) => {
        setSaving(false);
        setError(toApiError(e));
      },
    );
  };
  const portError = error?.field === "desktop_http_api_port" ? error : null;
  return (
    <form className="settings-form" onSubmit={submit} noValidate>
      <div className="field checkbox">
        <input
          id="http-api-enabled"
          type="checkbox"
          checked={enabled}
          onChange={(e) => {
            setEnabled(e.target.checked);
            onEdit();
          }}
        />
        <label htmlFor="http-api-enabled">Also serve the HTTP API on 127.0.0.1 (desktop app)</label>
      </div>
      <p className="hint">
        Off by default. When on, the bot on this machine can call botdesk at <code>http://127.0.0.1:{port}/api</code>.
        Nothing outside this machine can reach it.
      </p>
      <div className="field">
        <label htmlFor="http-api-port">Port</label>
        <input
          id="http-api-port"
          inputMode="numeric"
          value={port}
          aria-invalid={portError !== null}
          aria-describedby={portError !== null ? "http-api-port-error" : undefined}
          onChange={(e) => {
            setPort(e.target.value);
            onEdit();
          }}
        />
        {portError !== null && (
          <p id="http-api-port-error" className="field-error" role="alert">
            {portError.message}
          </p>
        )}
      </div>
      {error !== null && portError === null && <p className="field-error" role="alert">{error.message}</p>}
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
        {justSaved && (
          <span className="saved" role="status">
            Saved
          </span>
        )}
      </div>
    </form>
  );
}

/** Codes and JSON beside the sentences, for whoever builds on botdesk; kept on this device. */
function DeveloperMode() {
  const on = useDeveloperMode();
  return (
    <div className="card">
      <h2>Developer details</h2>
      <div className="field checkbox">
        <input
          id="developer-mode"
          type="checkbox"
          checked={on}
          onChange={(e) => {
            setDeveloperMode(e.target.checked);
          }}
          data-testid="developer-mode"
        />
        <label htmlFor="developer-mode">Show error codes and the WhatsApp Cloud API requests</label>
      </div>
      <p className="hint">For whoever connects the bot or other systems to botdesk. On this device only.</p>
    </div>
  );
}

/** In the desktop app: whether the HTTP API is being served now. */
function HttpApiStatus({ version }: { version: number }) {
  const status = useApi(() => api.httpApiStatus(), [version]);
  if (status.data === undefined) return null;
  const { running, url, error } = status.data;
  return (
    <p className="http-api-status" role="status" data-testid="http-api-status">
      {running && url !== null ? (
        <>
          Serving now at <code>{url}</code>
        </>
      ) : error !== null ? (
        <span className="field-error">Switched on but not running: {error}</span>
      ) : (
        "Not serving."
      )}
    </p>
  );
}

export function SettingsPage() {
  const info = useApi(() => api.systemInfo(), []);
  const settings = useApi(() => api.settings(), []);
  const [justSaved, setJustSaved] = useState(false);
  const [changes, setChanges] = useState(0);
  useEvents((event) => {
    if (event.type === "settings.changed") {
      settings.reload();
      setChanges((n) => n + 1);
    }
  });
  return (
    <section aria-labelledby="settings-title">
      <header className="page-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      <div className="card">
        <h2>This botdesk</h2>
        {info.status === "loading" && info.data === undefined && <Loading />}
        {info.status === "error" && <ErrorState error={info.error} onRetry={info.reload} />}
        {info.data !== undefined && (
          <dl className="facts">
            <Fact label="Version" value={info.data.version} testId="info-version" />
            <Fact label="Schema version" value={String(info.data.schema_version)} testId="info-schema-version" />
            <Fact label="Running as" value={info.data.shell === "desktop" ? "desktop app" : "server (botdesk serve)"} testId="info-shell" />
            <Fact label="Data directory" value={info.data.data_dir} testId="info-data-dir" />
            <Fact label="Database" value={info.data.db_path} testId="info-db-path" />
            <Fact label="Log file" value={info.data.log_file} testId="info-log-file" />
            <Fact label="Device id" value={info.data.device_id} testId="info-device-id" />
          </dl>
        )}
      </div>
      <div className="card">
        <h2>HTTP API</h2>
        {transport().kind === "desktop" && <HttpApiStatus version={changes} />}
        {settings.status === "loading" && settings.data === undefined && <Loading />}
        {settings.status === "error" && <ErrorState error={settings.error} onRetry={settings.reload} />}
        {settings.data !== undefined && (
          // Keyed by the saved values: when they change (here or elsewhere) the form starts over
          // from them.
          <HttpApiForm
            key={`${String(settings.data.desktop_http_api_enabled)}:${String(settings.data.desktop_http_api_port)}`}
            settings={settings.data}
            justSaved={justSaved}
            onSaved={() => {
              setJustSaved(true);
              settings.reload();
            }}
            onEdit={() => {
              setJustSaved(false);
            }}
          />
        )}
      </div>
      <DeveloperMode />
    </section>
  );
}
