// One media file: every variant with its size and bytes, what processing removed, what uses it,
// and the owner's actions (copy id, link to a product, process again, delete).
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { MediaDetailDto } from "../bindings/MediaDetailDto";
import type { ProductDto } from "../bindings/ProductDto";
import { useConfirm } from "../components/Confirm";
import { ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { usePanel } from "../hooks/usePanel";
import { DeleteConsequences, DeleteInUse } from "./DeleteInUse";
import { STATUS_LABEL, bytes, saved } from "./format";
import { useMediaImage } from "./useMediaImage";
import { IssueCode } from "../components/IssueCode";

function Preview({ media }: { media: MediaDetailDto }) {
  const medium = media.variants.find((v) => v.name === "medium")?.files.find((f) => f.format === "webp");
  const { url, error } = useMediaImage(media.id, medium?.sha256 ?? null, { variant: "medium", format: "webp" }, "image/webp");
  if (error !== null) {
    // A file added on another device: fetched from Storage when it can be.
    return (
      <p className="notice" role="status" data-testid="media-preview-unavailable">
        {error.message} <IssueCode code={error.code} />
      </p>
    );
  }
  if (url === null) return null;
  return <img className="media-preview" src={url} alt={media.file_name} data-testid="media-preview" />;
}

function ProductLink({ media, products, onChanged }: { media: MediaDetailDto; products: ProductDto[]; onChanged: () => void }) {
  const [choice, setChoice] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const linked = new Set(media.uses.filter((u) => u.kind === "product").map((u) => u.id));
  const link = () => {
    setError(null);
    api.linkMediaProduct(media.id, choice, { primary: linked.size === 0 }).then(
      () => {
        setChoice("");
        onChanged();
      },
      (e: unknown) => {
        setError(toApiError(e));
      },
    );
  };
  return (
    <div className="media-link">
      <label htmlFor="media-product">Show on a product</label>
      <div className="button-row">
        <select id="media-product" value={choice} onChange={(e) => { setChoice(e.target.value); }} data-testid="link-product">
          <option value="">Choose a product…</option>
          {products
            .filter((p) => !linked.has(p.id))
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.sku !== null ? ` (${p.sku})` : ""}
              </option>
            ))}
        </select>
        <button type="button" className="secondary" disabled={choice === ""} onClick={link} data-testid="link-product-button">
          Link
        </button>
      </div>
      {products.length === 0 && <p className="hint">No products yet: the bot's catalogue brings them, or add one with POST /api/products.</p>}
      {error !== null && (
        <p className="field-error" role="alert">
          {error.message} <IssueCode code={error.code} />
        </p>
      )}
    </div>
  );
}

export function MediaDetail({ id, refresh, onDeleted }: { id: string; refresh: number; onDeleted: () => void }) {
  const loaded = useApi(() => api.mediaDetail(id), [id, refresh]);
  const products = useApi(() => api.products(), []);
  const [error, setError] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);
  const confirm = useConfirm();
  const [deleting, setDeleting] = useState(false);
  const panel = usePanel<HTMLElement>("#/media", loaded.data !== undefined, id);
  if (loaded.status === "error" && loaded.data === undefined) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  const media = loaded.data;
  if (media === undefined) return <Loading label="Loading the file…" />;
  const saving = saved(media);

  const templatesUsing = media.uses.filter((u) => u.kind === "template_header");
  const remove = async () => {
    // A template showing it stops working: that case gets its own dialog, with a replacement.
    if (templatesUsing.length > 0) {
      setDeleting(true);
      return;
    }
    const yes = await confirm({
      title: `Delete ${media.file_name}?`,
      body: <DeleteConsequences media={media} />,
      confirm: media.uses.length === 0 ? "Delete the file" : "Delete it anyway",
      danger: true,
    });
    if (!yes) return;
    setError(null);
    api.removeMedia(media.id, media.uses.length > 0).then(onDeleted, (e: unknown) => {
      setError(toApiError(e));
    });
  };

  return (
    <aside ref={panel} className="media-detail" aria-labelledby="media-detail-title" data-testid="media-detail">
      <header className="job-detail-head">
        <h2 id="media-detail-title">{media.file_name}</h2>
        <a className="close" href="#/media" aria-label="Close the file">
          ✕
        </a>
      </header>
      <Preview media={media} />
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="media-status">{STATUS_LABEL[media.status] ?? media.status}</dd>
        <dt>Type</dt>
        <dd>
          {media.mime_type}
          {media.declared_mime_type !== null && media.declared_mime_type !== media.mime_type ? ` (declared ${media.declared_mime_type})` : ""}
        </dd>
        <dt>Original</dt>
        <dd>
          {media.width !== null && media.height !== null ? `${String(media.width)}×${String(media.height)}, ` : ""}
          {bytes(media.size_bytes)}
        </dd>
        {saving !== null && (
          <>
            <dt>Saved</dt>
            <dd data-testid="media-saved">
              {saving.bytes > 0 ? `${bytes(saving.bytes)} (${String(Math.round(saving.share * 100))} %) in the version sent` : "the original is already small"}
            </dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code className="record-id">{media.id}</code>{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              void navigator.clipboard.writeText(media.id).then(() => {
                setCopied(true);
              });
            }}
          >
            {copied ? "Copied" : "Copy id"}
          </button>
        </dd>
      </dl>
      {media.status === "ready" && media.kind === "image" && (
        <p className="notice" data-testid="metadata-notice">
          {media.had_location ? "Location data removed. " : ""}
          No derived file carries EXIF or other metadata.
        </p>
      )}
      {media.status === "failed" && (
        <div className="field-error" role="alert" data-testid="media-failed">
          {media.failed_reason}{" "}
          <button type="button" className="secondary" onClick={() => { api.reprocessMedia(media.id).then(loaded.reload, (e: unknown) => { setError(toApiError(e)); }); }}>
            Process again
          </button>
        </div>
      )}
      {media.variants.length > 0 && (
        <table className="data-table" data-testid="variant-table">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Size</th>
              <th scope="col">JPEG</th>
              <th scope="col">WebP</th>
            </tr>
          </thead>
          <tbody>
            {media.variants.map((v) => (
              <tr key={v.name} data-testid="variant-row" data-variant={v.name}>
                <td>{v.name}</td>
                <td>
                  {v.width}×{v.height}
                </td>
                {(["jpeg", "webp"] as const).map((format) => {
                  const file = v.files.find((f) => f.format === format);
                  return <td key={format}>{file === undefined ? "—" : bytes(file.bytes)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Used by</h3>
      {media.uses.length === 0 ? (
        <p className="muted">Nothing uses this file yet.</p>
      ) : (
        <ul data-testid="media-uses">
          {media.uses.map((u) => (
            <li key={`${u.kind}:${u.id}`}>
              {u.kind === "product" ? "Product" : "Template header"}: {u.name}
            </li>
          ))}
        </ul>
      )}
      <ProductLink media={media} products={products.data ?? []} onChanged={loaded.reload} />
      {error !== null && (
        <p className="field-error" role="alert">
          {error.message} <IssueCode code={error.code} />
        </p>
      )}
      <div className="actions">
        <button type="button" className="danger" onClick={() => { void remove(); }} data-testid="delete-media">
          Delete…
        </button>
      </div>
      {deleting && (
        <DeleteInUse
          media={media}
          onClose={() => { setDeleting(false); }}
          onDeleted={() => {
            setDeleting(false);
            onDeleted();
          }}
        />
      )}
    </aside>
  );
}
