// Which event types an endpoint gets: all, or some of the ten.
import { EVENT_TYPES } from "./format";

export function EventChoice({ value, onChange }: { value: string[]; onChange: (events: string[]) => void }) {
  const all = value.includes("*");
  const toggle = (event: string, on: boolean) => {
    const current = all ? [...EVENT_TYPES] : value;
    const next = on ? [...current, event] : current.filter((e) => e !== event);
    onChange(next.length === EVENT_TYPES.length ? ["*"] : next);
  };
  return (
    <fieldset className="event-choice" data-testid="event-choice">
      <legend>Events</legend>
      <label>
        <input type="checkbox" checked={all} onChange={(e) => { onChange(e.target.checked ? ["*"] : []); }} /> All events
      </label>
      {EVENT_TYPES.map((event) => (
        <label key={event}>
          <input type="checkbox" checked={all || value.includes(event)} onChange={(e) => { toggle(event, e.target.checked); }} />{" "}
          <code>{event}</code>
        </label>
      ))}
    </fieldset>
  );
}
