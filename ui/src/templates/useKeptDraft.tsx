// The editor's unsaved work, kept on this device: every edit is written as it is made, edits
// from before (the owner left, reloaded, or the app crashed) come back by themselves when they
// start from the version shown and are offered when they start from an older one, and leaving
// with unsaved edits asks first. Saved or discarded, the draft goes.
import { useEffect, useRef, useState } from "react";
import type { TemplateContent } from "../bindings/TemplateContent";
import type { TemplateDto } from "../bindings/TemplateDto";
import { useConfirm } from "../components/Confirm";
import { guardLeaving } from "../hooks/useRoute";
import { emptyContent } from "./draft";
import { type LocalDraft, dropDraft, keepDraft, loadDraft } from "./localDraft";

const same = (a: TemplateContent, b: TemplateContent) => JSON.stringify(a) === JSON.stringify(b);

export function useKeptDraft(template: TemplateDto | null, saved: TemplateContent | null) {
  const confirm = useConfirm();
  const draftId = template?.id ?? null;
  const base = saved ?? emptyContent();
  const [offered, setOffered] = useState<LocalDraft | null>(() => {
    const kept = loadDraft(draftId);
    return kept === null || same(kept.content, base) ? null : kept;
  });
  const autoRestore = offered !== null && offered.baseVersion === (template?.version ?? null);
  const [content, setContent] = useState<TemplateContent>(() => (autoRestore ? offered.content : base));
  const [restored, setRestored] = useState<LocalDraft | null>(autoRestore ? offered : null);
  const changed = !same(base, content);

  useEffect(() => {
    if (changed) keepDraft(draftId, content, template?.version ?? null);
    else dropDraft(draftId);
  }, [changed, content, draftId, template?.version]);

  const release = useRef<() => void>(() => undefined);
  useEffect(() => {
    if (!changed) return;
    const onUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    window.addEventListener("beforeunload", onUnload);
    release.current = guardLeaving(() =>
      confirm({
        title: "Leave without saving?",
        body: "Your changes are not saved yet. They are kept on this device as a draft and come back when you open this template again.",
        confirm: "Leave",
      }),
    );
    return () => {
      window.removeEventListener("beforeunload", onUnload);
      release.current();
    };
  }, [changed, confirm]);

  return {
    content,
    setContent,
    changed,
    offered: restored === null ? offered : null,
    restored,
    restore: () => {
      if (offered === null) return;
      setContent(offered.content);
      setRestored(offered);
      setOffered(null);
    },
    discard: () => {
      dropDraft(draftId);
      setOffered(null);
      setRestored(null);
      setContent(base);
    },
    /** Saved or deleted: nothing to keep, nothing to warn about on the way out. */
    forget: () => {
      dropDraft(draftId);
      release.current();
    },
  };
}

export type KeptDraft = ReturnType<typeof useKeptDraft>;

/** Says that earlier edits are back (or can be), with the way to throw them away. */
export function DraftNotice({ kept, version, onDiscard }: { kept: KeptDraft; version: number | null; onDiscard: () => void }) {
  const discard = (
    <button type="button" className="link-button" onClick={onDiscard} data-testid="draft-discard">
      Discard them
    </button>
  );
  if (kept.restored !== null) {
    return (
      <p className="notice" role="status" data-testid="draft-restored">
        Your unsaved changes from {new Date(kept.restored.at).toLocaleString()} are back: nothing was lost. {discard}
      </p>
    );
  }
  const offered = kept.offered;
  if (offered === null) return null;
  return (
    <p className="notice" role="status" data-testid="draft-offered">
      You have unsaved changes from {new Date(offered.at).toLocaleString()}, made on{" "}
      {offered.baseVersion === null ? "an earlier copy" : `version ${String(offered.baseVersion)}`}; this is version {version ?? ""}.{" "}
      <button type="button" className="link-button" onClick={kept.restore} data-testid="draft-restore">
        Restore them
      </button>{" "}
      {discard}
    </p>
  );
}
