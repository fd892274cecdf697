// A secret shown the one time botdesk will show it, with a copy button.
import { useState } from "react";

export function SecretReveal({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="card secret-reveal" role="dialog" aria-label={title} data-testid="secret-reveal">
      <h2>{title}</h2>
      <p>Copy it now: botdesk keeps it encrypted and will not show it again.</p>
      <div className="button-row">
        <code className="secret-value" data-testid="secret-value">
          {secret}
        </code>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            void navigator.clipboard.writeText(secret).then(() => {
              setCopied(true);
            });
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <button type="button" onClick={onDone} data-testid="secret-done">
        I have saved it
      </button>
    </div>
  );
}
