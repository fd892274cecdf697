// The editor's building blocks: character counters against WhatsApp's limits, issues shown at
// the field they are about, and a text area that marks the offending spans in place.
import { type ReactNode, useRef } from "react";
import type { Issue } from "../bindings/Issue";
import type { Rule } from "../bindings/Rule";
import type { RuleCode } from "../bindings/RuleCode";
import { IssueCode } from "../components/IssueCode";

/** The limit of the rule with this code, from the core's table. */
export function limitOf(rules: Rule[], code: RuleCode): number | null {
  return rules.find((r) => r.code === code)?.limit ?? null;
}

/** Characters as WhatsApp (and the core) count them: Unicode code points, so an emoji made of
 * a surrogate pair is one. */
export function characters(value: string): number {
  return value.length - (value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

export function Counter({ value, limit, id }: { value: string; limit: number | null; id?: string }) {
  if (limit === null) return null;
  const n = characters(value);
  return (
    <span id={id} className={n > limit ? "counter over" : "counter"} aria-live="polite">
      {n} / {limit}
    </span>
  );
}

export function issuesFor(issues: Issue[], field: string): Issue[] {
  return issues.filter((i) => i.field === field);
}

export function FieldIssues({ issues, testId }: { issues: Issue[]; testId?: string }) {
  if (issues.length === 0) return null;
  return (
    <ul className="field-issues" role="alert" data-testid={testId}>
      {issues.map((issue, n) => (
        <li key={n} data-code={issue.code}>
          {issue.message} <IssueCode code={issue.code} />
        </li>
      ))}
    </ul>
  );
}

export function Field({ label, htmlFor, children, extra }: { label: string; htmlFor: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={htmlFor}>{label}</label>
        {extra}
      </div>
      {children}
    </div>
  );
}

/** Splits `text` at the issues' spans (UTF-16 offsets, as JavaScript strings count). */
function marked(text: string, issues: Issue[]): ReactNode[] {
  const spans = issues
    .filter((i) => i.at !== null)
    .map((i) => ({ start: i.at?.offset ?? 0, end: (i.at?.offset ?? 0) + Math.max(i.len ?? 1, 1), code: i.code }))
    .sort((a, b) => a.start - b.start);
  const out: ReactNode[] = [];
  let at = 0;
  spans.forEach((s, n) => {
    if (s.start < at || s.start > text.length) return;
    out.push(text.slice(at, s.start));
    out.push(
      <mark key={n} data-code={s.code}>
        {text.slice(s.start, s.end)}
      </mark>,
    );
    at = Math.min(s.end, text.length);
  });
  out.push(text.slice(at));
  // A trailing newline needs a character after it to take up its line in the backdrop.
  out.push(" ");
  return out;
}

/** A text area whose problems are marked in place, in a backdrop that scrolls with it. */
export function MarkedTextArea({
  id,
  value,
  issues,
  onChange,
  rows = 8,
  describedBy,
}: {
  id: string;
  value: string;
  issues: Issue[];
  onChange: (value: string) => void;
  rows?: number;
  describedBy?: string;
}) {
  const backdrop = useRef<HTMLDivElement>(null);
  return (
    <div className="marked-area">
      <div className="marked-backdrop" ref={backdrop} aria-hidden="true">
        {marked(value, issues)}
      </div>
      <textarea
        id={id}
        rows={rows}
        value={value}
        spellCheck
        aria-invalid={issues.length > 0}
        aria-describedby={describedBy}
        onChange={(e) => {
          onChange(e.target.value);
        }}
        onScroll={(e) => {
          if (backdrop.current) backdrop.current.scrollTop = e.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}

/** Issues of a text field, each with its line and column; clicking one selects its span. */
export function TextIssues({ issues, target, testId }: { issues: Issue[]; target: string; testId?: string }) {
  if (issues.length === 0) return null;
  const select = (issue: Issue) => {
    const area = document.getElementById(target);
    if (!(area instanceof HTMLTextAreaElement || area instanceof HTMLInputElement) || issue.at === null) return;
    area.focus();
    area.setSelectionRange(issue.at.offset, issue.at.offset + (issue.len ?? 1));
  };
  return (
    <ul className="field-issues" role="alert" data-testid={testId}>
      {issues.map((issue, n) => (
        <li key={n} data-code={issue.code}>
          {issue.at !== null ? (
            <button type="button" className="link-button" onClick={() => { select(issue); }}>
              Line {issue.at.line}, column {issue.at.column}
            </button>
          ) : null}{" "}
          {issue.message} <IssueCode code={issue.code} />
        </li>
      ))}
    </ul>
  );
}
