// Webhooks: the endpoints that tell merchants' systems about the bot's events, their health,
// the delivery log with replays, the event history, and the secret the bot signs its own
// events with. Lists refresh on live events (deliveries move on the webhook_delivery queue).
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { WebhookSecretDto } from "../bindings/WebhookSecretDto";
import { ActionError, Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useThrottled } from "../hooks/useThrottled";
import { EndpointDetail } from "../webhooks/EndpointDetail";
import { EndpointForm } from "../webhooks/EndpointForm";
import { EndpointList } from "../webhooks/EndpointList";
import { EventHistory } from "../webhooks/EventHistory";
import { SecretReveal } from "../webhooks/SecretReveal";

/** The most often the page reloads on live events. */
const REFRESH_MS = 500;

function EventsSecret() {
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <div className="card">
      {secret !== null && <SecretReveal title="The bot's events secret" secret={secret} onDone={() => { setSecret(null); }} />}
      <h2>Events from the bot</h2>
      <p className="hint">
        The bot pushes its events to <code>POST /api/events</code>, signed like a webhook with this secret. A new secret replaces the old one at once.
      </p>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setError(null);
          api.rotateEventsSecret().then(
            (s) => {
              setSecret(s.secret);
            },
            (e: unknown) => {
              setError(toApiError(e));
            },
          );
        }}
      >
        New events secret
      </button>
      <ActionError error={error} />
    </div>
  );
}

export function WebhooksPage({ subpath }: { subpath: string }) {
  const selected = subpath === "" ? null : subpath;
  const [tick, setTick] = useState(0);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<WebhookSecretDto | null>(null);
  const list = useApi(() => api.webhooks(), [tick]);
  const refresh = useThrottled(() => {
    setTick((t) => t + 1);
  }, REFRESH_MS);
  useEvents((event) => {
    switch (event.type) {
      case "queue.activity":
        if (event.activity.queue === "webhook_delivery") refresh();
        break;
      case "webhook.saved":
      case "webhook.deleted":
      case "webhook.disabled":
      case "events.lagged":
        refresh();
        break;
      default:
        break;
    }
  });
  const disabled = (list.data ?? []).filter((w) => !w.enabled && w.disabled_reason !== null && w.disabled_reason !== "disabled by the owner");

  return (
    <section aria-labelledby="webhooks-title">
      <header className="page-header">
        <h1 id="webhooks-title">Webhooks</h1>
        <p className="subtitle">Tell merchants' systems about orders, payments and deliveries: signed, retried for about three days, every attempt logged.</p>
      </header>
      {disabled.length > 0 && (
        <p className="notice" role="alert" data-testid="webhooks-disabled-notice">
          {disabled.length === 1 ? "One endpoint was" : `${disabled.length} endpoints were`} disabled by botdesk: {disabled.map((w) => `${w.url} (${w.disabled_reason ?? ""})`).join("; ")}.
        </p>
      )}
      {secret !== null && (
        <SecretReveal
          title={`Signing secret for ${secret.webhook.url}`}
          secret={secret.secret}
          onDone={() => {
            setSecret(null);
          }}
        />
      )}
      {creating ? (
        <EndpointForm
          existing={null}
          onSaved={() => undefined}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            setTick((t) => t + 1);
            window.location.hash = `#/webhooks/${created.webhook.id}`;
          }}
          onCancel={() => {
            setCreating(false);
          }}
        />
      ) : (
        <div className="button-row">
          <button type="button" onClick={() => { setCreating(true); }} data-testid="endpoint-new">
            New endpoint
          </button>
        </div>
      )}
      {list.status === "error" && list.data === undefined ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.data === undefined ? (
        <Loading label="Loading endpoints…" />
      ) : list.data.length === 0 ? (
        <Empty title="No endpoints yet">Add one to send the bot's events to a merchant's shop, accounting or delivery system.</Empty>
      ) : (
        <EndpointList items={list.data} selected={selected} />
      )}
      {selected !== null && (
        <EndpointDetail
          id={selected}
          refresh={tick}
          onSecret={setSecret}
          onChanged={refresh}
          onDeleted={() => {
            window.location.hash = "#/webhooks";
            refresh();
          }}
        />
      )}
      <h2>Recent events</h2>
      <EventHistory limit={20} testId="webhook-events" />
      <EventsSecret />
    </section>
  );
}
