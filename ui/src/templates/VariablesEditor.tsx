import type { Issue } from "../bindings/Issue";
import type { VariableDecl } from "../bindings/VariableDecl";
import { FieldIssues } from "./fields";

/** One input per variable the text uses (found as you type), holding its example: WhatsApp
 * needs one for each, and the preview shows it. */
export function VariablesEditor({ variables, issues, onChange }: { variables: VariableDecl[]; issues: Issue[]; onChange: (variables: VariableDecl[]) => void }) {
  return (
    <fieldset className="group" data-testid="variables-editor">
      <legend>Variables and their examples</legend>
      {variables.length === 0 && <p className="muted">Write {"{{order_id}}"} in the text to add a variable.</p>}
      {variables.map((v, i) => (
        <div key={v.name} className="variable-row">
          <label htmlFor={`var-${v.name}`}>
            <code>{`{{${v.name}}}`}</code>
          </label>
          <input
            id={`var-${v.name}`}
            data-testid={`example-${v.name}`}
            placeholder="Example value"
            value={v.example}
            onChange={(e) => {
              onChange(variables.map((x, n) => (n === i ? { ...x, example: e.target.value } : x)));
            }}
          />
          <FieldIssues issues={issues.filter((x) => x.field === `variables[${String(i)}].example` || x.field === `variables[${String(i)}].name`)} />
        </div>
      ))}
    </fieldset>
  );
}
