// The template editor: the fields on one side, the phone preview on the other (following every
// keystroke), WhatsApp's rules checked by the core as you type and shown at the offending spot,
// character counters against each limit, the Cloud API request to copy, and the history with
// diff and rollback. A save names the version it started from, so two windows never overwrite
// each other silently.
import { type SyntheticEvent, useEffect, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { Header } from "../bindings/Header";
import type { Issue } from "../bindings/Issue";
import type { PreviewDto } from "../bindings/PreviewDto";
import type { Rule } from "../bindings/Rule";
import type { TemplateContent } from "../bindings/TemplateContent";
import type { TemplateDto } from "../bindings/TemplateDto";
import type { TemplateKind } from "../bindings/TemplateKind";
import type { TemplateStatus } from "../bindings/TemplateStatus";
import { useConfirm } from "../components/Confirm";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { ButtonsEditor } from "./ButtonsEditor";
import { asTemplateName, headerOf, syncVariables } from "./draft";
import { HeaderMediaField } from "./HeaderMediaField";
import { dropDraft } from "./localDraft";
import { DraftNotice, useKeptDraft } from "./useKeptDraft";
import { Counter, Field, FieldIssues, MarkedTextArea, TextIssues, issuesFor, limitOf } from "./fields";
import { HistoryPanel } from "./HistoryPanel";
import { JsonPanel } from "./JsonPanel";
import { ListEditor } from "./ListEditor";
import { PhonePreview } from "./PhonePreview";
import { VariablesEditor } from "./VariablesEditor";
import { IssueCode } from "../components/IssueCode";

const KINDS: { kind: TemplateKind; label: string }[] = [
  { kind: "text", label: "Text" },
  { kind: "buttons", label: "Reply buttons" },
  { kind: "list", label: "List" },
  { kind: "cta_url", label: "Link button (CTA URL)" },
  { kind: "media", label: "Media" },
];

/** How long the editor waits after a keystroke before asking the core to check the draft. */
const CHECK_DELAY_MS = 200;

function contentOf(t: TemplateDto): TemplateContent {
  const { name, type, category, language, parameter_format, header, body, footer, buttons, list, variables } = t;
  const content: TemplateContent = { name, type, category, language, parameter_format, header, body, buttons, variables };
  if (footer !== undefined) content.footer = footer;
  if (list !== undefined) content.list = list;
  return content;
}

function withKind(c: TemplateContent, kind: TemplateKind): TemplateContent {
  const next: TemplateContent = { ...c, type: kind };
  if (kind === "list") {
    next.list = c.list ?? { button: "Options", sections: [{ title: "", rows: [{ id: "", title: "" }] }] };
    next.buttons = [];
  } else {
    delete next.list;
  }
  if (kind === "text") next.buttons = [];
  if (kind === "media" && (c.header.type === "none" || c.header.type === "text")) next.header = headerOf("image", c.header);
  return next;
}

/** A message above the editor about what just happened, and the version it is about. */
type Notice = { text: string; version: number | null };

export function TemplateEditor({ id }: { id: string }) {
  return id === "new" ? <EditorForm template={null} /> : <ExistingTemplate id={id} />;
}

function ExistingTemplate({ id }: { id: string }) {
  const template = useApi(() => api.template(id), [id]);
  // A notice names the version it announces: it shows once that version is loaded, so the
  // editor never says "version 3" above version 2's text.
  const [notice, setNotice] = useState<Notice | null>(null);
  if (template.status === "error" && template.data === undefined) {
    return <ErrorState error={template.error} onRetry={template.reload} />;
  }
  if (template.data === undefined) return <Loading label="Loading the template…" />;
  const t = template.data;
  const shown = notice !== null && (notice.version === null || t.version >= notice.version) ? notice.text : null;
  return (
    <>
      <EditorForm
        key={`${t.id}:${String(t.version)}`}
        template={t}
        notice={shown}
        onSaved={(next) => {
          setNotice(next);
          template.reload();
        }}
      />
      <HistoryPanel
        template={t}
        onRolledBack={(next) => {
          dropDraft(t.id);
          setNotice({ text: `Rolled back: now version ${String(next.version)}`, version: next.version });
          template.reload();
        }}
      />
    </>
  );
}

function EditorForm({
  template,
  notice = null,
  onSaved,
}: {
  template: TemplateDto | null;
  notice?: string | null;
  onSaved?: (notice: Notice) => void;
}) {
  const saved = template === null ? null : contentOf(template);
  const kept = useKeptDraft(template, saved);
  const { content, setContent, changed } = kept;
  // What the owner has touched: a new template's problems show field by field as it is
  // written, all of them once Create is pressed, never on the empty form.
  const [touched, setTouched] = useState<Set<string> | "all">(() => (template !== null || kept.restored !== null ? "all" : new Set()));
  // Examples typed during this edit, kept when their variable leaves the text for a while.
  const [examples] = useState(() => new Map<string, string>());
  const [summary, setSummary] = useState("");
  const [preview, setPreview] = useState<PreviewDto | null>(null);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const confirm = useConfirm();
  const rules = useApi(() => api.templateRules(), []);
  const ruleList: Rule[] = rules.data ?? [];

  // Ask the core about the draft a moment after the last keystroke.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.previewTemplate({ draft: content, variables: {} }).then(
        (p) => {
          if (live) setPreview(p);
        },
        () => {
          // The banner reports an unreachable backend; the preview keeps its last answer.
        },
      );
    }, CHECK_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [content]);

  const discard = () => {
    kept.discard();
    if (template === null) setTouched(new Set());
  };
  const touch = (fields: string[]) => {
    setTouched((t) => (t === "all" ? t : new Set([...t, ...fields])));
  };
  const update = (change: Partial<TemplateContent>) => {
    setSaveError(null);
    touch(Object.keys(change));
    setContent((c) => syncVariables({ ...c, ...change }, examples));
  };

  const allIssues: Issue[] = saveError?.issues.length ? saveError.issues : (preview?.issues ?? []);
  const issues = touched === "all" ? allIssues : allIssues.filter((i) => touched.has(i.field.split(/[.[]/)[0] ?? ""));
  const dirty = template === null || changed;


  const save = (event: SyntheticEvent) => {
    event.preventDefault();
    setTouched("all");
    setSaving(true);
    setSaveError(null);
    const request =
      template === null
        ? api.createTemplate(content)
        : api.updateTemplate(template.id, {
            base_version: template.version,
            content,
            ...(summary.trim() !== "" ? { change_summary: summary } : {}),
          });
    request.then(
      (done) => {
        setSaving(false);
        kept.forget();
        if (template === null) {
          window.location.hash = `#/templates/${done.id}`;
        } else {
          onSaved?.({ text: `Saved as version ${String(done.version)}`, version: done.version });
        }
      },
      (e: unknown) => {
        setSaving(false);
        setSaveError(toApiError(e));
      },
    );
  };

  const setStatus = (status: TemplateStatus) => {
    if (template === null) return;
    setSaveError(null);
    api.setTemplateStatus(template.id, { status, base_version: template.version }).then(
      (t) => {
        onSaved?.({ text: `Now ${t.status} (version ${String(t.version)})`, version: t.version });
      },
      (e: unknown) => {
        setSaveError(toApiError(e));
      },
    );
  };

  const remove = async () => {
    if (template === null) return;
    const yes = await confirm({
      title: `Delete the template ${template.name}?`,
      body: "A template that was never active is deleted with its versions; one that was ever active is archived instead, so that its history stays.",
      confirm: "Delete the template",
      danger: true,
    });
    if (!yes) return;
    api.removeTemplate(template.id).then(
      () => {
        kept.forget();
        window.location.hash = "#/templates";
      },
      (e: unknown) => {
        setSaveError(toApiError(e));
      },
    );
  };

  const bodyLimit = limitOf(ruleList, content.type === "text" ? "template.text_body_too_long" : "template.body_too_long");
  const header = content.header;
  return (
    <section aria-labelledby="editor-title" data-testid="template-editor">
      <header className="page-header editor-header">
        <a href="#/templates">← Templates</a>
        <h1 id="editor-title">{template === null ? "New template" : template.name}</h1>
        {template !== null && (
          <span className="muted" data-testid="editor-version">
            <span className={`badge badge-status-${template.status}`}>{template.status}</span> version {template.version}
            {template.whatsapp_status !== null && (
              <span className="badge" title="WhatsApp's review status">
                WhatsApp: {template.whatsapp_status}
              </span>
            )}
          </span>
        )}
      </header>
      <DraftNotice kept={kept} version={template?.version ?? null} onDiscard={discard} />
      <div className="editor-grid">
        <form className="editor-form" onSubmit={save} noValidate>
          <div className="field-row">
            <Field label="Name" htmlFor="t-name">
              <input id="t-name" value={content.name} placeholder="order_shipped" onChange={(e) => { update({ name: asTemplateName(e.target.value) }); }} />
            </Field>
            <Field label="Type" htmlFor="t-type">
              <select id="t-type" value={content.type} onChange={(e) => { setContent((c) => syncVariables(withKind(c, e.target.value as TemplateKind), examples)); }}>
                {KINDS.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Category" htmlFor="t-category">
              <select id="t-category" value={content.category} onChange={(e) => { update({ category: e.target.value as TemplateContent["category"] }); }}>
                <option value="utility">Utility</option>
                <option value="marketing">Marketing</option>
                <option value="authentication">Authentication</option>
              </select>
            </Field>
            <Field label="Language" htmlFor="t-language">
              <input id="t-language" value={content.language} size={6} onChange={(e) => { update({ language: e.target.value }); }} />
            </Field>
            <Field label="Variables" htmlFor="t-format">
              <select id="t-format" value={content.parameter_format} onChange={(e) => { update({ parameter_format: e.target.value as TemplateContent["parameter_format"] }); }}>
                <option value="named">Named: {"{{order_id}}"}</option>
                <option value="positional">Numbered: {"{{1}}"}</option>
              </select>
            </Field>
          </div>
          <FieldIssues issues={[...issuesFor(issues, "name"), ...issuesFor(issues, "language"), ...issuesFor(issues, "type")]} testId="issues-name" />

          <fieldset className="group">
            <legend>Header</legend>
            <select aria-label="Header type" value={header.type} onChange={(e) => { update({ header: headerOf(e.target.value as Header["type"], header) }); }}>
              <option value="none">No header</option>
              <option value="text">Text</option>
              <option value="image">Image</option>
              <option value="video">Video</option>
              <option value="document">Document</option>
            </select>
            {header.type === "text" && (
              <span className="with-counter">
                <input aria-label="Header text" value={header.text} onChange={(e) => { update({ header: { type: "text", text: e.target.value } }); }} />
                <Counter value={header.text} limit={limitOf(ruleList, "template.header_text_too_long")} />
              </span>
            )}
            {(header.type === "image" || header.type === "video" || header.type === "document") && (
              <HeaderMediaField kind={header.type} mediaId={header.media_id} onChange={(media_id) => { update({ header: { type: header.type, media_id } }); }} />
            )}
            <FieldIssues issues={issues.filter((i) => i.field.startsWith("header"))} />
          </fieldset>

          <Field label="Message" htmlFor="t-body" extra={<Counter id="body-counter" value={content.body} limit={bodyLimit} />}>
            <MarkedTextArea id="t-body" value={content.body} issues={issuesFor(issues, "body")} onChange={(body) => { update({ body }); }} describedBy="body-help body-counter" />
          </Field>
          <p id="body-help" className="hint">
            {"{{order_id}}"} for a variable · *bold* · _italic_ · ~strike~ · ```monospace``` · \{"{{"} for a literal {"{{"}
          </p>
          <TextIssues issues={issuesFor(issues, "body")} target="t-body" testId="issues-body" />

          <Field label="Footer" htmlFor="t-footer" extra={<Counter value={content.footer ?? ""} limit={limitOf(ruleList, "template.footer_too_long")} />}>
            <input
              id="t-footer"
              value={content.footer ?? ""}
              placeholder="Optional"
              onChange={(e) => {
                touch(["footer"]);
                setContent((c) => {
                  const next: TemplateContent = { ...c, footer: e.target.value };
                  if (e.target.value === "") delete next.footer;
                  return next;
                });
              }}
            />
          </Field>
          <FieldIssues issues={issuesFor(issues, "footer")} />

          {content.type !== "text" && content.type !== "list" && (
            <ButtonsEditor buttons={content.buttons} issues={issues} rules={ruleList} onChange={(buttons) => { update({ buttons }); }} />
          )}
          {content.type === "list" && content.list !== undefined && (
            <ListEditor list={content.list} issues={issues} onChange={(list) => { update({ list }); }} />
          )}
          <VariablesEditor variables={content.variables} issues={issues} onChange={(variables) => { update({ variables }); }} />

          {template !== null && (
            <Field label="What changed (optional)" htmlFor="t-summary">
              <input id="t-summary" value={summary} placeholder="e.g. friendlier greeting" onChange={(e) => { setSummary(e.target.value); }} />
            </Field>
          )}
          {saveError !== null && (
            <div className="field-error save-error" role="alert" data-testid="save-error" data-code={saveError.code}>
              {saveError.message} <IssueCode code={saveError.code} />
              {saveError.is("template.version_conflict") && (
                <button type="button" className="secondary" onClick={() => { onSaved?.({ text: "Loaded the latest version", version: null }); }}>
                  Load the latest version
                </button>
              )}
            </div>
          )}
          <div className="actions sticky-actions">
            <button type="submit" disabled={saving || !dirty} data-testid="save-template">
              {saving ? "Saving…" : template === null ? "Create" : "Save"}
            </button>
            {template !== null && template.status !== "active" && (
              <button type="button" className="secondary" disabled={dirty} onClick={() => { setStatus("active"); }}>
                Activate
              </button>
            )}
            {template !== null && template.status !== "archived" && (
              <button type="button" className="secondary" disabled={dirty} onClick={() => { setStatus("archived"); }}>
                Archive
              </button>
            )}
            {template !== null && (
              <button type="button" className="danger" onClick={() => { void remove(); }}>
                Delete
              </button>
            )}
            {notice !== null && !dirty && (
              <span className="saved" role="status" data-testid="editor-notice">
                {notice}
              </span>
            )}
            {issues.length > 0 && (
              <span className="issue-count" data-testid="issue-count">
                {issues.length} problem{issues.length === 1 ? "" : "s"} to fix
              </span>
            )}
          </div>
        </form>
        <aside className="editor-side">
          <PhonePreview content={content} />
          <JsonPanel preview={preview} />
        </aside>
      </div>
    </section>
  );
}
