// Unsaved template edits kept on this device (localStorage), so that leaving the editor, a
// reload or a crash never loses them: written as the owner types, removed once saved.
import type { TemplateContent } from "../bindings/TemplateContent";

export interface LocalDraft {
  content: TemplateContent;
  /** The saved version the edits started from; null for a template not yet created. */
  baseVersion: number | null;
  /** When it was last written (ms since the epoch). */
  at: number;
}

const key = (id: string | null) => `botdesk.template-draft.${id ?? "new"}`;

export function loadDraft(id: string | null): LocalDraft | null {
  try {
    const text = window.localStorage.getItem(key(id));
    if (text === null) return null;
    const parsed = JSON.parse(text) as { content?: unknown; baseVersion?: unknown; at?: unknown } | null;
    if (parsed === null || typeof parsed.content !== "object" || parsed.content === null || typeof parsed.at !== "number") return null;
    return { content: parsed.content as TemplateContent, baseVersion: typeof parsed.baseVersion === "number" ? parsed.baseVersion : null, at: parsed.at };
  } catch {
    // Unreadable (storage refused, or written by something else): as if there were none.
    return null;
  }
}

export function keepDraft(id: string | null, content: TemplateContent, baseVersion: number | null) {
  try {
    window.localStorage.setItem(key(id), JSON.stringify({ content, baseVersion, at: Date.now() } satisfies LocalDraft));
  } catch {
    // Storage full or refused: the leave warning still protects the edits.
  }
}

export function dropDraft(id: string | null) {
  try {
    window.localStorage.removeItem(key(id));
  } catch {
    // Nothing to do: a draft that cannot be removed is offered back, and can be discarded then.
  }
}
