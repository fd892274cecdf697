// How calls reach the core: Tauri IPC in the desktop window, HTTP (and a WebSocket for events)
// in a browser against `botdesk serve`. The typed client (client.ts) describes each call for
// both; nothing above this file knows which one is in use.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { EventDto } from "../bindings/EventDto";
import { ApiError, toApiError } from "./errors";

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE";

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
export type ConnectionHandler = (connected: boolean) => void;

export interface Transport {
  readonly kind: "desktop" | "browser";
  call<T>(call: Call): Promise<T>;
  /** Receives every event until the returned function is called. */
  subscribe(onEvent: EventHandler, onConnection?: ConnectionHandler): () => void;
}

export function isDesktop(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

class DesktopTransport implements Transport {
  readonly kind = "desktop" as const;

  async call<T>({ ipc }: Call): Promise<T> {
    try {
      return await invoke<T>(ipc.command, ipc.args ?? {});
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
