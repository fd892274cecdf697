// Deleting a file a template shows: the dialog says which templates break, and offers what
// the owner most likely wants, another file in its place everywhere (each template gets a
// new version showing it), before "delete anyway".
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { MediaDetailDto } from "../bindings/MediaDetailDto";
import { ActionError } from "../components/DataState";
import { Dialog } from "../components/Dialog";
import { MediaPicker } from "./MediaPicker";

export function DeleteInUse({ media, onClose, onDeleted }: { media: MediaDetailDto; onClose: () => void; onDeleted: () => void }) {
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = (force: boolean, replaceWith?: string) => {
    setBusy(true);
    setError(null);
    api.removeMedia(media.id, force, replaceWith).then(onDeleted, (e: unknown) => {
      setBusy(false);
      setError(toApiError(e));
    });
  };
  if (picking) {
    return (
      <MediaPicker
        kind={media.kind}
        current={null}
        exclude={media.id}
        title={`Choose what replaces ${media.file_name}`}
        onPick={(m) => {
          setPicking(false);
          run(false, m.id);
        }}
        onClose={() => { setPicking(false); }}
      />
    );
  }
  return (
    <Dialog title={`Delete ${media.file_name}?`} onClose={onClose} testId="delete-in-use">
      <div className="dialog-body">
        <DeleteConsequences media={media} />
        <p>Put another {media.kind === "image" ? "photo" : "file"} in its place, and the templates keep working (each gets a new version).</p>
      </div>
      <ActionError error={error} testId="delete-in-use-error" />
      <div className="button-row dialog-actions">
        <button type="button" className="secondary" autoFocus onClick={onClose} data-testid="delete-in-use-cancel">
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => { run(true); }} data-testid="delete-in-use-anyway">
          Delete anyway
        </button>
        <button type="button" disabled={busy} onClick={() => { setPicking(true); }} data-testid="delete-in-use-replace">
          Replace it…
        </button>
      </div>
    </Dialog>
  );
}

/** What deleting a file breaks, said before it is done: templates first, as they stop sending. */
export function DeleteConsequences({ media }: { media: MediaDetailDto }) {
  const templates = media.uses.filter((u) => u.kind === "template_header");
  const products = media.uses.filter((u) => u.kind === "product");
  if (templates.length === 0 && products.length === 0) return <p>Its files are removed when nothing else holds them.</p>;
  return (
    <>
      {templates.length > 0 && (
        <>
          <p>
            <strong>
              {templates.length === 1 ? "This template shows it as its header and stops working:" : `These ${String(templates.length)} templates show it as their header and stop working:`}
            </strong>
          </p>
          <ul data-testid="delete-breaks-templates">
            {templates.map((t) => (
              <li key={t.id}>{t.name}</li>
            ))}
          </ul>
        </>
      )}
      {products.length > 0 && (
        <>
          <p>{products.length === 1 ? "This product loses the photo:" : "These products lose the photo:"}</p>
          <ul data-testid="delete-breaks-products">
            {products.map((p) => (
              <li key={p.id}>{p.name}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
