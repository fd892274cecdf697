// A secret shown the one time botdesk will show it, in a modal dialog with a copy button.
import { useState } from "react";
import { Dialog } from "../components/Dialog";

export function SecretReveal({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <Dialog title={title} onClose={onDone} testId="secret-reveal">
      <p>Copy it now: botdesk keeps it encrypted and will not show it again.</p>
      <div className="button-row">
        <code className="secret-value" data-testid="secret-value">
          {secret}
        </code>
        <button
          type="button"
          className="secondary"
          autoFocus
          onClick={() => {
            void navigator.clipboard.writeText(secret).then(() => {
              setCopied(true);
            });
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <div className="button-row dialog-actions">
        <button type="button" onClick={onDone} data-testid="secret-done">
          I have saved it
        </button>
      </div>
    </Dialog>
  );
}
