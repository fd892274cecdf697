// The header's photo, video or document: the chosen file as the owner knows it (its picture
// and name), chosen from the library or uploaded there, never typed as an id.
import { useState } from "react";
import { api } from "../api/client";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { Thumb } from "../media/MediaGrid";
import { MediaPicker } from "../media/MediaPicker";

const NOUN: Record<"image" | "video" | "document", string> = { image: "photo", video: "video", document: "document" };

export function HeaderMediaField({ kind, mediaId, onChange }: { kind: "image" | "video" | "document"; mediaId: string; onChange: (id: string) => void }) {
  const [picking, setPicking] = useState(false);
  const chosen = useApi(() => (mediaId === "" ? Promise.resolve(null) : api.mediaDetail(mediaId)), [mediaId]);
  useEvents((event) => {
    const about = event.type === "media.processed" || event.type === "media.failed" ? event.media.id : event.type === "media.deleted" ? event.id : null;
    if (about === mediaId) chosen.reload();
  });
  const media = chosen.data !== undefined && chosen.data !== null && chosen.data.id === mediaId ? chosen.data : null;
  const noun = NOUN[kind];
  return (
    <div className="header-media" data-testid="header-media">
      {mediaId === "" ? (
        <span className="muted">No {noun} chosen yet.</span>
      ) : chosen.status === "error" ? (
        <span className="field-error" data-testid="header-media-missing">
          The {noun} this template showed is no longer in your library: choose another.
        </span>
      ) : media !== null ? (
        <span className="header-media-chosen" data-testid="header-media-chosen">
          <Thumb media={media} />
          <span>{media.file_name}</span>
        </span>
      ) : (
        <span className="muted">Loading…</span>
      )}
      <button type="button" className="secondary" onClick={() => { setPicking(true); }} data-testid="header-media-choose">
        {mediaId === "" ? `Choose a ${noun}…` : `Change the ${noun}…`}
      </button>
      {picking && (
        <MediaPicker
          kind={kind}
          current={mediaId === "" ? null : mediaId}
          onPick={(m) => {
            setPicking(false);
            onChange(m.id);
          }}
          onClose={() => { setPicking(false); }}
        />
      )}
    </div>
  );
}
