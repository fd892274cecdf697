// The library as a grid of thumbnails; a tile fills in when its processing finishes.
import type { MediaDto } from "../bindings/MediaDto";
import { Icon } from "../components/Icon";
import { STATUS_LABEL, bytes } from "./format";
import { useMediaImage } from "./useMediaImage";

function thumbnailOf(media: MediaDto): string | null {
  return media.variants.find((v) => v.name === "thumbnail")?.files.find((f) => f.format === "webp")?.sha256 ?? null;
}

/** A file's thumbnail, or what stands in for it while there is none. */
export function Thumb({ media }: { media: MediaDto }) {
  const sha = thumbnailOf(media);
  const { url, error } = useMediaImage(media.id, sha, { variant: "thumbnail", format: "webp" }, "image/webp");
  const busy = media.status === "pending" || media.status === "processing";
  return (
    <span className="media-thumb">
      {url !== null ? (
        <img src={url} alt="" data-testid="media-thumb" />
      ) : (
        <span className="media-thumb-placeholder" title={error?.message} data-testid={error === null ? undefined : "media-thumb-unavailable"}>
          {media.kind === "image" ? (busy ? "…" : media.status === "failed" ? "!" : error !== null ? "☁" : "") : <Icon name={media.kind === "video" ? "video" : "document"} />}
        </span>
      )}
    </span>
  );
}

function Tile({ media, progress, selected }: { media: MediaDto; progress: number | undefined; selected: boolean }) {
  const busy = media.status === "pending" || media.status === "processing";
  return (
    <li className={`media-tile${selected ? " media-tile-selected" : ""}`} data-testid="media-tile" data-status={media.status} data-name={media.file_name}>
      <a href={`#/media/${media.id}`}>
        <Thumb media={media} />
        <span className="media-tile-name">{media.file_name}</span>
        <span className="visually-hidden">{`, ${STATUS_LABEL[media.status] ?? media.status}`}</span>
        <span className="muted media-tile-facts">
          {media.width !== null && media.height !== null ? `${String(media.width)}×${String(media.height)} · ` : ""}
          {bytes(media.size_bytes)}
        </span>
        {busy && <progress max={100} value={progress ?? 0} aria-label="processing" />}
        {media.status === "failed" && <span className="badge badge-job-failed">failed</span>}
      </a>
    </li>
  );
}

export function MediaGrid({ items, progress, selected }: { items: MediaDto[]; progress: Map<string, number>; selected: string | null }) {
  return (
    <ul className="media-grid" data-testid="media-grid">
      {items.map((m) => (
        <Tile key={m.id} media={m} progress={progress.get(m.id)} selected={m.id === selected} />
      ))}
    </ul>
  );
}
