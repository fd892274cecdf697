// How calls reach the core: Tauri IPC in the desktop window, HTTP (and a WebSocket for events)
// in a browser against `botdesk serve`. The typed client (client.ts) describes each call for
// both; nothing above this file knows which one is in use.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { EventDto } from "../bindings/EventDto";
import { ApiError, toApiError } from "./errors";

export type HttpMethod = "GET" | "PUT" | "PATCH" | "POST" | "DELETE";

export interface HttpRoute {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** One call, described for both transports (`http: null`: only the desktop app has it). */
export interface Call {
  http: HttpRoute | null;
  ipc: { command: string; args?: Record<string, unknown> };
}

export type EventHandler = (event: EventDto) => void;

/** What a window hears of files dragged over it and dropped on it (the desktop app's). */
export interface FileDropHandlers {
  hovering: (over: boolean) => void;
  dropped: (paths: string[]) => void;
}
export type ConnectionHandler = (connected: boolean) => void;

/** A file sent from the page: over HTTP as a multipart stream, in the desktop app as base64. */
export interface FileUpload {
  http: { path: string; fields: Record<string, string> };
  ipc: { command: string; args: (fileData: string) => Record<string, unknown> };
  file: Blob;
  /** Called with the share of the bytes sent (0–1). */
  onProgress?: (share: number) => void;
}

export interface Transport {
  readonly kind: "desktop" | "browser";
  call<T>(call: Call): Promise<T>;
  /** Sends a file; answers like `call`. */
  upload<T>(upload: FileUpload): Promise<T>;
  /** A binary answer (a media file), as a Blob of the given type. */
  bytes(call: Call, type: string): Promise<Blob>;
  /** Receives every event until the returned function is called. */
  subscribe(onEvent: EventHandler, onConnection?: ConnectionHandler): () => void;
  /** Files dropped on the window, by path (the desktop app); a browser's page gets its own
   * drop events instead, so there this does nothing. Stops when the returned function is
   * called. */
  onFileDrop(handlers: FileDropHandlers): () => void;
}

export function isDesktop(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

class DesktopTransport implements Transport {
  readonly kind = "desktop" as const;

  onFileDrop({ hovering, dropped }: FileDropHandlers): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    void import("@tauri-apps/api/webview").then(({ getCurrentWebview }) =>
      getCurrentWebview()
        .onDragDropEvent((event) => {
          if (event.payload.type === "over" || event.payload.type === "enter") hovering(true);
          else if (event.payload.type === "leave") hovering(false);
          else dropped(event.payload.paths);
        })
        .then((unlisten) => {
          if (cancelled) unlisten();
          else stop = unlisten;
        }),
    );
    return () => {
      cancelled = true;
      stop?.();
    };
  }

  async call<T>({ ipc }: Call): Promise<T> {
    try {
      return await invoke<T>(ipc.command, ipc.args ?? {});
    } catch (error) {
      throw toApiError(error);
    }
  }

  async upload<T>({ ipc, file, onProgress }: FileUpload): Promise<T> {
    const data = await blobToBase64(file);
    onProgress?.(1);
    return this.call<T>({ http: null, ipc: { command: ipc.command, args: ipc.args(data) } });
  }

  async bytes({ ipc }: Call, type: string): Promise<Blob> {
    try {
      const buffer = await invoke<ArrayBuffer>(ipc.command, ipc.args ?? {});
      return new Blob([buffer], { type });
    } catch (error) {
      throw toApiError(error);
    }
  }

  subscribe(onEvent: EventHandler, onConnection?: ConnectionHandler): () => void {
    let stop: (() => void) | undefined;
    let cancelled = false;
    listen<EventDto>("botdesk://event", (message) => {
      onEvent(message.payload);
    })
      .then((unlisten) => {
        if (cancelled) unlisten();
        else {
          stop = unlisten;
          onConnection?.(true);
        }
      })
      .catch(() => onConnection?.(false));
    return () => {
      cancelled = true;
      stop?.();
    };
  }
}

/** A file's bytes as base64 (what the desktop command and the JSON upload take). */
export function blobToBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === "string" ? reader.result : "";
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => {
      reject(new ApiError("client.unreadable_file", "The file could not be read."));
    };
    reader.readAsDataURL(blob);
  });
}

const KEY_STORAGE = "botdesk.apiKey";

/** The API key a browser presents, kept in this browser only. */
export const apiKeyStore = {
  get(): string | null {
    try {
      return window.localStorage.getItem(KEY_STORAGE);
    } catch {
      return null;
    }
  },
  set(key: string | null): void {
    try {
      if (key === null) window.localStorage.removeItem(KEY_STORAGE);
      else window.localStorage.setItem(KEY_STORAGE, key);
    } catch {
      // Storage may be disabled; the key then lasts until the page closes.
    }
  },
};

function buildUrl(path: string, query?: HttpRoute["query"]): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

class BrowserTransport implements Transport {
  readonly kind = "browser" as const;

  onFileDrop(): () => void {
    return () => undefined;
  }

  async call<T>({ http }: Call): Promise<T> {
    if (http === null) {
      throw new ApiError("client.desktop_only", "This is only available in the desktop app.");
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    const key = apiKeyStore.get();
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (http.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(http.body);
    }
    let response: Response;
    try {
      response = await fetch(buildUrl(http.path, http.query), { method: http.method, headers, body: body ?? null });
    } catch {
      throw new ApiError("client.unreachable", "botdesk cannot be reached. Is it running?");
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ApiError("client.bad_response", `botdesk answered ${response.status} with something that is not JSON.`);
      }
    }
    if (!response.ok) throw toApiError(parsed ?? `botdesk answered ${response.status}.`);
    return parsed as T;
  }

  upload<T>({ http, file, onProgress }: FileUpload): Promise<T> {
    // XMLHttpRequest, not fetch: only it reports upload progress.
    return new Promise<T>((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(http.fields)) form.append(name, value);
      form.append("file", file, file instanceof File ? file.name : "upload");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", http.path);
      xhr.setRequestHeader("Accept", "application/json");
      const key = apiKeyStore.get();
      if (key !== null) xhr.setRequestHeader("Authorization", `Bearer ${key}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
      };
      xhr.onerror = () => {
        reject(new ApiError("client.unreachable", "botdesk cannot be reached. Is it running?"));
      };
      xhr.onload = () => {
        let parsed: unknown;
        try {
          parsed = xhr.responseText === "" ? undefined : JSON.parse(xhr.responseText);
        } catch {
          reject(new ApiError("client.bad_response", `botdesk answered ${String(xhr.status)} with something that is not JSON.`));
          return;
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
        else reject(toApiError(parsed ?? `botdesk answered ${String(xhr.status)}.`));
      };
      xhr.send(form);
    });
  }

  async bytes({ http }: Call, type: string): Promise<Blob> {
    if (http === null) throw new ApiError("client.desktop_only", "This is only available in the desktop app.");
    const headers: Record<string, string> = {};
    const key = apiKeyStore.get();
    if (key !== null) headers.Authorization = `Bearer ${key}`;
    let response: Response;
    try {
      response = await fetch(buildUrl(http.path, http.query), { headers });
    } catch {
      throw new ApiError("client.unreachable", "botdesk cannot be reached. Is it running?");
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = `botdesk answered ${String(response.status)}.`;
      }
      throw toApiError(parsed);
    }
    const blob = await response.blob();
    return blob.type === type ? blob : new Blob([blob], { type });
  }

  subscribe(onEvent: EventHandler, onConnection?: ConnectionHandler): () => void {
    let socket: WebSocket | null = null;
    let stopped = false;
    let delay = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      const protocols = ["botdesk.events.v1"];
      const key = apiKeyStore.get();
      if (key !== null) protocols.push(`bearer.${key}`);
      socket = new WebSocket(`${scheme}//${window.location.host}/api/events`, protocols);
      socket.onopen = () => {
        delay = 500;
        onConnection?.(true);
      };
      socket.onmessage = (message: MessageEvent<unknown>) => {
        if (typeof message.data !== "string") return;
        try {
          onEvent(JSON.parse(message.data) as EventDto);
        } catch {
          // A malformed event is skipped, not fatal.
        }
      };
      socket.onclose = () => {
        onConnection?.(false);
        if (stopped) return;
        // Reconnect with backoff, up to 10 s between attempts.
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, 10_000);
      };
    };
    open();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      socket?.close();
    };
  }
}

let current: Transport | null = null;

export function transport(): Transport {
  current ??= isDesktop() ? new DesktopTransport() : new BrowserTransport();
  return current;
}
