// The exact Cloud API requests for the current draft, to look at and copy: folded away for
// owners, open in developer mode.
import { memo, useState } from "react";
import type { PreviewDto } from "../bindings/PreviewDto";
import { useDeveloperMode } from "../hooks/useDeveloperMode";

type Tab = "template_send" | "session_message";

/** Memoised: it changes when the core answers, not with every keystroke. */
export const JsonPanel = memo(function JsonPanel({ preview }: { preview: PreviewDto | null }) {
  const developer = useDeveloperMode();
  const [tab, setTab] = useState<Tab>("template_send");
  const [copied, setCopied] = useState(false);
  const payload = preview?.[tab] ?? null;
  const text = payload === null ? "" : JSON.stringify(payload, null, 2);
  return (
    <details className="card json-panel" open={developer} data-testid="json-panel">
      <summary>
        <span id="json-title">What botdesk sends to WhatsApp</span> <span className="muted">(for developers)</span>
      </summary>
      <div className="tabs" role="tablist">
        {(
          [
            ["template_send", "As an approved template"],
            ["session_message", "In the 24-hour window"],
          ] as const
        ).map(([key, label]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            className={tab === key ? "tab active" : "tab"}
            onClick={() => {
              setTab(key);
              setCopied(false);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      {payload === null ? (
        <p className="muted">Not available until the problems above are fixed.</p>
      ) : (
        <>
          <pre className="json" data-testid="json-payload">
            {text}
          </pre>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              navigator.clipboard.writeText(text).then(
                () => {
                  setCopied(true);
                },
                () => {
                  setCopied(false);
                },
              );
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </>
      )}
    </details>
  );
});
