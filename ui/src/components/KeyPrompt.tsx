import { type SyntheticEvent, useState } from "react";
import { apiKeyStore } from "../api/transport";

/** In a browser against a botdesk that has API keys: asks for one, keeps it in this browser. */
export function KeyPrompt({ onSaved }: { onSaved: () => void }) {
  const [key, setKey] = useState("");
  const hadKey = apiKeyStore.get() !== null;
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    apiKeyStore.set(key.trim());
    onSaved();
  };
  return (
    <form className="key-prompt" onSubmit={submit} aria-labelledby="key-prompt-title">
      <h1 id="key-prompt-title">API key needed</h1>
      <p>
        {hadKey ? "The API key this browser had was refused (revoked?). " : ""}
        This botdesk is protected by API keys. Paste one here; create one on the botdesk machine with{" "}
        <code>botdesk keys create --name "my browser"</code>.
      </p>
      <label htmlFor="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        value={key}
        onChange={(e) => {
          setKey(e.target.value);
        }}
        placeholder="bdk_…"
        required
      />
      <button type="submit" disabled={key.trim() === ""}>
        Connect
      </button>
    </form>
  );
}
