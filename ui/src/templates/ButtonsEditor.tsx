// The buttons under the message. A reply button's id (what the bot receives) follows its label
// until the owner writes one; a new button takes focus, so the next keys land in it.
import { useEffect, useRef } from "react";
import type { Button } from "../bindings/Button";
import type { Issue } from "../bindings/Issue";
import type { Rule } from "../bindings/Rule";
import { newButton, slug } from "./draft";
import { Counter, FieldIssues, issuesFor, limitOf } from "./fields";

const TYPES: { type: Button["type"]; label: string }[] = [
  { type: "quick_reply", label: "Quick reply" },
  { type: "url", label: "Link (URL)" },
  { type: "phone_number", label: "Call (phone)" },
  { type: "copy_code", label: "Copy code" },
];

/** The buttons under the message: add, change, reorder, remove. */
export function ButtonsEditor({
  buttons,
  issues,
  rules,
  onChange,
}: {
  buttons: Button[];
  issues: Issue[];
  rules: Rule[];
  onChange: (buttons: Button[]) => void;
}) {
  const set = (i: number, b: Button) => {
    onChange(buttons.map((old, n) => (n === i ? b : old)));
  };
  const move = (i: number, by: number) => {
    const next = [...buttons];
    const [b] = next.splice(i, 1);
    if (b !== undefined) next.splice(i + by, 0, b);
    onChange(next);
  };
  const labelLimit = limitOf(rules, "template.button_label_too_long");
  const list = useRef<HTMLFieldSetElement>(null);
  const added = useRef(false);
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    const rows = list.current?.querySelectorAll<HTMLElement>("[data-button-row]");
    rows?.[rows.length - 1]?.querySelector<HTMLElement>("input")?.focus();
  }, [buttons.length]);
  const relabel = (i: number, b: Button, label: string) => {
    // The id follows the label while it is the label's own (empty or derived from it).
    if (b.type === "quick_reply" && (b.id === "" || b.id === slug(b.label))) set(i, { ...b, label, id: slug(label) });
    else set(i, { ...b, label } as Button);
  };
  return (
    <fieldset ref={list} className="group" data-testid="buttons-editor">
      <legend>Buttons</legend>
      <FieldIssues issues={issuesFor(issues, "buttons")} />
      {buttons.map((b, i) => {
        const at = `buttons[${String(i)}]`;
        return (
          <div key={i} className="button-row" data-button-row>
            <select
              aria-label={`Button ${String(i + 1)} type`}
              value={b.type}
              onChange={(e) => {
                set(i, newButton(e.target.value as Button["type"]));
              }}
            >
              {TYPES.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.label}
                </option>
              ))}
            </select>
            {b.type !== "copy_code" && (
              <span className="with-counter">
                <input
                  aria-label={`Button ${String(i + 1)} label`}
                  placeholder="Label"
                  value={b.label}
                  onChange={(e) => {
                    relabel(i, b, e.target.value);
                  }}
                />
                <Counter value={b.label} limit={labelLimit} />
              </span>
            )}
            {b.type === "quick_reply" && (
              <input aria-label={`Button ${String(i + 1)} id`} placeholder="id the bot receives" title="What the bot receives when the customer taps it (from the label unless you change it)" value={b.id} onChange={(e) => { set(i, { ...b, id: e.target.value }); }} />
            )}
            {b.type === "url" && (
              <input aria-label={`Button ${String(i + 1)} URL`} placeholder="https://…" value={b.url} onChange={(e) => { set(i, { ...b, url: e.target.value }); }} />
            )}
            {b.type === "phone_number" && (
              <input aria-label={`Button ${String(i + 1)} phone`} placeholder="+15551234567" value={b.phone_number} onChange={(e) => { set(i, { ...b, phone_number: e.target.value }); }} />
            )}
            {b.type === "copy_code" && (
              <input aria-label={`Button ${String(i + 1)} code`} placeholder="SAVE10 or {{coupon}}" value={b.code} onChange={(e) => { set(i, { ...b, code: e.target.value }); }} />
            )}
            <span className="row-actions">
              <button type="button" className="icon-button" aria-label="Move up" disabled={i === 0} onClick={() => { move(i, -1); }}>
                ↑
              </button>
              <button type="button" className="icon-button" aria-label="Move down" disabled={i === buttons.length - 1} onClick={() => { move(i, 1); }}>
                ↓
              </button>
              <button type="button" className="icon-button" aria-label="Remove button" onClick={() => { onChange(buttons.filter((_, n) => n !== i)); }}>
                ✕
              </button>
            </span>
            <FieldIssues issues={issues.filter((x) => x.field.startsWith(`${at}.`))} />
          </div>
        );
      })}
      <button
        type="button"
        className="secondary"
        onClick={() => {
          added.current = true;
          onChange([...buttons, newButton("quick_reply")]);
        }}
      >
        Add a button
      </button>
    </fieldset>
  );
}
