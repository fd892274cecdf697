import type { Issue } from "../bindings/Issue";
import type { ListSpec } from "../bindings/ListSpec";
import { FieldIssues, issuesFor } from "./fields";

/** A list message's button and its sections of rows. */
export function ListEditor({ list, issues, onChange }: { list: ListSpec; issues: Issue[]; onChange: (list: ListSpec) => void }) {
  const setSection = (s: number, f: (section: ListSpec["sections"][number]) => ListSpec["sections"][number]) => {
    onChange({ ...list, sections: list.sections.map((old, n) => (n === s ? f(old) : old)) });
  };
  return (
    <fieldset className="group" data-testid="list-editor">
      <legend>List</legend>
      <label>
        Button that opens the list
        <input value={list.button} onChange={(e) => { onChange({ ...list, button: e.target.value }); }} />
      </label>
      <FieldIssues issues={[...issuesFor(issues, "list"), ...issuesFor(issues, "list.button"), ...issuesFor(issues, "list.sections")]} />
      {list.sections.map((section, s) => (
        <div key={s} className="list-section-editor">
          <input aria-label={`Section ${String(s + 1)} title`} placeholder="Section title" value={section.title} onChange={(e) => { setSection(s, (old) => ({ ...old, title: e.target.value })); }} />
          {section.rows.map((row, r) => (
            <div key={r} className="button-row">
              <input aria-label="Row id" placeholder="id" value={row.id} onChange={(e) => { setSection(s, (old) => ({ ...old, rows: old.rows.map((x, n) => (n === r ? { ...x, id: e.target.value } : x)) })); }} />
              <input aria-label="Row title" placeholder="Title" value={row.title} onChange={(e) => { setSection(s, (old) => ({ ...old, rows: old.rows.map((x, n) => (n === r ? { ...x, title: e.target.value } : x)) })); }} />
              <input aria-label="Row description" placeholder="Description (optional)" value={row.description ?? ""} onChange={(e) => { setSection(s, (old) => ({ ...old, rows: old.rows.map((x, n) => (n === r ? { ...x, description: e.target.value } : x)) })); }} />
              <button type="button" className="icon-button" aria-label="Remove row" onClick={() => { setSection(s, (old) => ({ ...old, rows: old.rows.filter((_, n) => n !== r) })); }}>
                ✕
              </button>
            </div>
          ))}
          <FieldIssues issues={issues.filter((i) => i.field.startsWith(`list.sections[${String(s)}]`))} />
          <button type="button" className="secondary" onClick={() => { setSection(s, (old) => ({ ...old, rows: [...old.rows, { id: "", title: "" }] })); }}>
            Add a row
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => { onChange({ ...list, sections: [...list.sections, { title: "", rows: [{ id: "", title: "" }] }] }); }}>
        Add a section
      </button>
    </fieldset>
  );
}
