// An error's stable code, for developers: shown in developer mode (Settings), never in an
// owner's first line. `data-code` keeps it on the element for tests and support either way.
import { useDeveloperMode } from "../hooks/useDeveloperMode";

export function IssueCode({ code }: { code: string | null | undefined }) {
  const developer = useDeveloperMode();
  if (code === null || code === undefined || code === "") return null;
  // Not shown and not read aloud, but on the page for support and tests to find.
  if (!developer) return <span hidden data-code={code} />;
  return (
    <code className="issue-code" data-code={code}>
      {code}
    </code>
  );
}
