// A media file as an object URL for <img>: fetched through the API client (so an API key and
// the desktop app's IPC both work), cached by content hash, released when nothing shows it.
import { useEffect, useState } from "react";
import { type MediaFileChoice, api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";

interface Cached {
  url: string;
  users: number;
}

const cache = new Map<string, Promise<Cached>>();

function acquire(key: string, load: () => Promise<Blob>): Promise<Cached> {
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = load().then((blob) => ({ url: URL.createObjectURL(blob), users: 0 }));
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
  }
  return entry.then((cached) => {
    cached.users += 1;
    return cached;
  });
}

function release(key: string) {
  const entry = cache.get(key);
  if (entry === undefined) return;
  void entry.then((cached) => {
    cached.users -= 1;
    if (cached.users <= 0) {
      cache.delete(key);
      URL.revokeObjectURL(cached.url);
    }
  });
}

/** What an image shows: its URL once loaded, or why it could not be (a file added on another
 * device that Storage cannot give yet, say). */
export interface MediaImage {
  url: string | null;
  error: ApiError | null;
}

/** The URL of one file of a media record, or null while it loads (or when it failed: `error`). */
export function useMediaImage(id: string, sha256: string | null, choice: MediaFileChoice, type: string): MediaImage {
  // The result is kept with the file it is for, so that another file's never shows.
  const [image, setImage] = useState<MediaImage & { key: string | null }>({ key: null, url: null, error: null });
  const key = sha256 === null ? null : `${sha256}:${type}`;
  const { variant, format } = choice;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    let held = false;
    acquire(key, () => api.mediaFile(id, { ...(variant === undefined ? {} : { variant }), ...(format === undefined ? {} : { format }) }, type)).then(
      (cached) => {
        held = true;
        if (live) setImage({ key, url: cached.url, error: null });
        else release(key);
      },
      (e: unknown) => {
        if (live) setImage({ key, url: null, error: toApiError(e) });
      },
    );
    return () => {
      live = false;
      if (held) release(key);
    };
  }, [id, key, variant, format, type]);
  return image.key === key ? { url: image.url, error: image.error } : { url: null, error: null };
}
