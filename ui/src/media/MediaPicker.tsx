// Choosing a file from the library wherever botdesk asks for one (a template's header image):
// the library's files of that kind as a grid, and an upload that picks what it added.
import { useRef, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { MediaDto } from "../bindings/MediaDto";
import type { MediaKind } from "../bindings/MediaKind";
import { ActionError, ErrorState, Loading } from "../components/DataState";
import { Dialog } from "../components/Dialog";
import { useToast } from "../components/Toasts";
import { useApi } from "../hooks/useApi";
import { Thumb } from "./MediaGrid";

const WORDS: Record<MediaKind, { title: string; none: string; accept: string }> = {
  image: { title: "Choose a photo", none: "No photos in your library yet.", accept: "image/*" },
  video: { title: "Choose a video", none: "No videos in your library yet.", accept: "video/*" },
  document: { title: "Choose a document", none: "No documents in your library yet.", accept: "application/pdf,.pdf,.doc,.docx,.xls,.xlsx,.txt" },
  audio: { title: "Choose a sound", none: "No sound files in your library yet.", accept: "audio/*" },
};

export function MediaPicker({
  kind,
  current,
  exclude,
  title,
  onPick,
  onClose,
}: {
  kind: MediaKind;
  current: string | null;
  /** A file not to offer (the one being replaced). */
  exclude?: string;
  title?: string;
  onPick: (media: MediaDto) => void;
  onClose: () => void;
}) {
  const page = useApi(() => api.media({ kind, limit: 60 }), [kind]);
  const [uploading, setUploading] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const toast = useToast();
  const words = WORDS[kind];

  const upload = (file: File) => {
    setError(null);
    setUploading(0);
    api.uploadMedia(file, null, (share) => { setUploading(Math.round(share * 100)); }).then(
      (media) => {
        setUploading(null);
        if (media.already_in_library) toast({ text: `${media.file_name} was already in your library: that one is used.` });
        onPick(media);
      },
      (e: unknown) => {
        setUploading(null);
        setError(toApiError(e));
      },
    );
  };

  const usable = (page.data?.items ?? []).filter((m) => m.status !== "failed" && m.id !== exclude);
  return (
    <Dialog title={title ?? words.title} onClose={onClose} testId="media-picker" wide>
      <div className="button-row">
        <button type="button" onClick={() => input.current?.click()} disabled={uploading !== null} data-testid="picker-upload">
          Upload a new one…
        </button>
        <input
          ref={input}
          type="file"
          accept={words.accept}
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file !== undefined) upload(file);
          }}
          data-testid="picker-file"
        />
        {uploading !== null && (
          <span className="hint" role="status">
            Uploading… <progress max={100} value={uploading} aria-label="Upload" /> {uploading} %
          </span>
        )}
      </div>
      <ActionError error={error} testId="picker-error" />
      {page.status === "error" && page.data === undefined ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : page.data === undefined ? (
        <Loading label="Loading your library…" />
      ) : usable.length === 0 ? (
        <p className="muted" data-testid="picker-empty">
          {words.none} Upload one: it is optimised for WhatsApp and kept in your library.
        </p>
      ) : (
        <ul className="media-grid picker-grid" data-testid="picker-grid">
          {usable.map((m) => (
            <li key={m.id} className={`media-tile${m.id === current ? " media-tile-selected" : ""}`}>
              <button type="button" className="picker-tile" aria-pressed={m.id === current} onClick={() => { onPick(m); }} data-testid="picker-tile" data-name={m.file_name}>
                <Thumb media={m} />
                <span className="media-tile-name">{m.file_name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="button-row dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
