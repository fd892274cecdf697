// A media file as an object URL for <img>: fetched through the API client (so an API key and
// the desktop app's IPC both work), cached by content hash, released when nothing shows it.
import { useEffect, useState } from "react";
import { type MediaFileChoice, api } from "../api/client";

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

/** The URL of one file of a media record, or null while it loads (or when it failed). */
export function useMediaImage(id: string, sha256: string | null, choice: MediaFileChoice, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  const key = sha256 === null ? null : `${sha256}:${type}`;
  const { variant, format } = choice;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    let held = false;
    acquire(key, () => api.mediaFile(id, { ...(variant === undefined ? {} : { variant }), ...(format === undefined ? {} : { format }) }, type)).then(
      (cached) => {
        held = true;
        if (live) setUrl(cached.url);
        else release(key);
      },
      () => {
        if (live) setUrl(null);
      },
    );
    return () => {
      live = false;
      if (held) release(key);
    };
  }, [id, key, variant, format, type]);
  return url;
}
