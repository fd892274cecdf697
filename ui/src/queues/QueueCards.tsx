// One card per queue: its live counts, whether it runs here and is paused, its recent throughput.
import type { QueueOverviewDto } from "../bindings/QueueOverviewDto";
import { Sparkline } from "./Sparkline";
import { STATES, queueLabel } from "./format";

export function QueueCards({
  queues,
  selected,
  onTogglePause,
  busy,
}: {
  queues: QueueOverviewDto[];
  selected: string;
  onTogglePause: (queue: string, paused: boolean) => void;
  busy: string | null;
}) {
  return (
    <ul className="queue-cards">
      {queues.map(({ stats, running, throughput }) => {
        const name = stats.queue;
        return (
          <li
            key={name}
            className={`queue-card${name === selected ? " queue-card-selected" : ""}`}
            data-testid={`queue-card-${name}`}
          >
            <div className="queue-card-head">
              <a href={`#/queues/${name}`} className="queue-card-title" aria-current={name === selected ? "page" : undefined}>
                {queueLabel(name)}
              </a>
              {stats.paused && <span className="badge badge-paused">paused</span>}
              {!running && (
                <span className="badge" title="No handler for this queue's jobs in this version of botdesk">
                  not run here
                </span>
              )}
            </div>
            <dl className="queue-counts">
              {STATES.map((state) => (
                <div key={state} className={`count count-${state}${stats[state] > 0 ? " count-some" : ""}`}>
                  <dt>{state}</dt>
                  <dd data-testid={`count-${name}-${state}`}>{stats[state]}</dd>
                </div>
              ))}
            </dl>
            <div className="queue-card-foot">
              <Sparkline points={throughput} label={`${queueLabel(name)} throughput`} />
              <button
                type="button"
                className={stats.paused ? undefined : "secondary"}
                data-testid={`pause-${name}`}
                disabled={busy === name}
                onClick={() => {
                  onTogglePause(name, !stats.paused);
                }}
              >
                {stats.paused ? "Resume" : "Pause"}
              </button>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
