// Dropping or picking files: each file's upload progress, then its processing progress, then
// its outcome (a refusal shows the core's reason and code). In the desktop app a file dropped
// on the window is read from disk by the app itself.
import { useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import { toApiError } from "../api/errors";
import { transport } from "../api/transport";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { MediaDto } from "../bindings/MediaDto";
import { IssueCode } from "../components/IssueCode";

/** What an upload shows when its image could not be processed (the core's own code). */
const PROCESSING_FAILED: ErrorCode = "media.processing_failed";

/** Where one file stands. */
export interface UploadRow {
  key: number;
  name: string;
  phase: "waiting" | "uploading" | "processing" | "ready" | "failed" | "refused" | "duplicate";
  /** 0–100 within the phase. */
  percent: number;
  mediaId: string | null;
  message: string;
  code: string;
}

/** Files sent at once; the rest wait their turn. */
const PARALLEL = 2;

type Source = { kind: "file"; file: File } | { kind: "path"; path: string };

let nextKey = 1;

export function UploadPanel({
  merchantId,
  live,
  onUploaded,
}: {
  merchantId: string | null;
  /** Processing news by media id, from the event stream. */
  live: Map<string, { percent: number; status: string; reason: string | null }>;
  onUploaded: (media: MediaDto) => void;
}) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const [over, setOver] = useState(false);
  const queue = useRef<{ key: number; source: Source }[]>([]);
  const running = useRef(0);
  const picker = useRef<HTMLInputElement>(null);

  const update = (key: number, change: Partial<UploadRow>) => {
    setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  };

  const pump = () => {
    while (running.current < PARALLEL && queue.current.length > 0) {
      const next = queue.current.shift();
      if (next === undefined) break;
      running.current += 1;
      update(next.key, { phase: "uploading", percent: 0 });
      const sent =
        next.source.kind === "file"
          ? api.uploadMedia(next.source.file, merchantId, (share) => {
              update(next.key, { percent: Math.round(share * 100) });
            })
          : api.uploadMediaPath(next.source.path, merchantId);
      sent.then(
        (media) => {
          running.current -= 1;
          if (media.already_in_library) {
            // Nothing new was made: the owner is shown the one they already have.
            update(next.key, { phase: "duplicate", percent: 100, mediaId: media.id });
            window.location.hash = `#/media/${media.id}`;
            pump();
            return;
          }
          const done = media.status === "ready";
          update(next.key, { phase: done ? "ready" : "processing", percent: done ? 100 : 0, mediaId: media.id });
          onUploaded(media);
          pump();
        },
        (e: unknown) => {
          running.current -= 1;
          const error = toApiError(e);
          update(next.key, { phase: "refused", message: error.message, code: error.code });
          pump();
        },
      );
    }
  };

  const add = (sources: Source[]) => {
    const added = sources.map((source) => ({
      key: nextKey++,
      source,
      name: source.kind === "file" ? source.file.name : (source.path.split(/[\\/]/).pop() ?? source.path),
    }));
    setRows((all) => [
      ...added.map((a) => ({ key: a.key, name: a.name, phase: "waiting" as const, percent: 0, mediaId: null, message: "", code: "" })),
      ...all,
    ]);
    queue.current.push(...added.map(({ key, source }) => ({ key, source })));
    pump();
  };

  // The desktop window hands over dropped files as paths.
  const addRef = useRef(add);
  useEffect(() => {
    addRef.current = add;
  });
  useEffect(
    () =>
      transport().onFileDrop({
        hovering: setOver,
        dropped: (paths) => {
          setOver(false);
          addRef.current(paths.map((path) => ({ kind: "path" as const, path })));
        },
      }),
    [],
  );

  // Processing news for the files uploaded here.
  const shown = rows.map((row) => {
    if (row.mediaId === null || row.phase !== "processing") return row;
    const news = live.get(row.mediaId);
    if (news === undefined) return row;
    if (news.status === "ready") return { ...row, phase: "ready" as const, percent: 100 };
    if (news.status === "failed") return { ...row, phase: "failed" as const, message: news.reason ?? "", code: PROCESSING_FAILED };
    return { ...row, percent: news.percent };
  });

  return (
    <section className="upload-panel" aria-label="Upload">
      <div
        className={`drop-zone${over ? " drop-zone-over" : ""}`}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => {
          setOver(false);
        }}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(Array.from(e.dataTransfer.files).map((file) => ({ kind: "file" as const, file })));
        }}
      >
        <p>
          <strong>Drop photos and files here</strong>
          <span className="muted"> — JPEG, PNG, WebP, GIF; PDF; MP4, 3GPP; AAC, MP3, OGG Opus</span>
        </p>
        <button type="button" onClick={() => picker.current?.click()} data-testid="pick-files">
          Choose files…
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            add(Array.from(e.target.files ?? []).map((file) => ({ kind: "file" as const, file })));
            e.target.value = "";
          }}
        />
      </div>
      {shown.length > 0 && (
        <ul className="upload-list" data-testid="upload-list">
          {shown.map((row) => (
            <UploadLine key={row.key} row={row} />
          ))}
        </ul>
      )}
    </section>
  );
}

const PHASE: Record<UploadRow["phase"], string> = {
  waiting: "Waiting",
  uploading: "Uploading",
  processing: "Processing",
  ready: "Ready",
  failed: "Processing failed",
  refused: "Refused",
  duplicate: "Already in your library",
};

function UploadLine({ row }: { row: UploadRow }) {
  const bar = row.phase === "uploading" || row.phase === "processing";
  return (
    <li className={`upload-row upload-${row.phase}`} data-testid="upload-row" data-phase={row.phase} data-name={row.name}>
      <span className="upload-name">{row.name}</span>
      <span className="upload-phase">{PHASE[row.phase]}</span>
      {bar && (
        <progress max={100} value={row.percent} aria-label={`${row.name}: ${PHASE[row.phase]}`}>
          {row.percent}%
        </progress>
      )}
      {row.phase === "duplicate" && row.mediaId !== null && (
        <a href={`#/media/${row.mediaId}`} data-testid="upload-open-existing">
          Open it
        </a>
      )}
      {(row.phase === "refused" || row.phase === "failed") && (
        <span className="field-error" role="alert">
          {row.message} <IssueCode code={row.code} />
        </span>
      )}
    </li>
  );
}
