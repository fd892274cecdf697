// The endpoints, each with its health at a glance; a row opens the endpoint.
import type { WebhookDto } from "../bindings/WebhookDto";

function Health({ webhook }: { webhook: WebhookDto }) {
  if (!webhook.enabled) {
    return (
      <span className="badge badge-job-failed" title={webhook.disabled_reason ?? ""}>
        Disabled
      </span>
    );
  }
  if (webhook.failing_since !== null) return <span className="badge badge-job-delayed">Failing</span>;
  // Healthy is a finding: before the first answer there is nothing to judge by.
  if (webhook.health.last_attempt_at === null) return <span className="badge badge-job-waiting">No deliveries yet</span>;
  return <span className="badge badge-job-completed">Healthy</span>;
}

export function EndpointList({ items, selected }: { items: WebhookDto[]; selected: string | null }) {
  return (
    <table className="data-table" data-testid="endpoint-rows">
      <thead>
        <tr>
          <th>Endpoint</th>
          <th>Events</th>
          <th>State</th>
          <th>Success</th>
          <th>Last answer</th>
          <th>Pending</th>
        </tr>
      </thead>
      <tbody>
        {items.map((w) => (
          <tr key={w.id} className={w.id === selected ? "selected" : undefined}>
            <td>
              <a href={`#/webhooks/${w.id}`} data-testid="endpoint-link">
                {w.url}
              </a>
              {w.description !== "" && <div className="hint">{w.description}</div>}
              {!w.enabled && w.disabled_reason !== null && <div className="field-error">{w.disabled_reason}</div>}
              {!w.has_secret && (
                <div className="field-error" data-testid="endpoint-secret-elsewhere">
                  its secret is on another device: rotate it here to deliver from this one
                </div>
              )}
            </td>
            <td>{w.events.includes("*") ? "All" : w.events.length}</td>
            <td>
              <Health webhook={w} />
            </td>
            <td>{w.health.success_rate === null ? "—" : `${w.health.success_rate} %`}</td>
            <td>{w.health.last_status ?? "—"}</td>
            <td>{w.health.pending}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
