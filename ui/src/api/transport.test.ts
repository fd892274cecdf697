// The browser transport's handling of what a server can answer. fetch is replaced here to
// produce each kind of answer; the real server is exercised by the Playwright suite.
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "./client";
import { ApiError } from "./errors";
import { apiKeyStore } from "./transport";

function answer(status: number, body: string) {
  return vi.fn((_url: string, _init?: RequestInit) => Promise.resolve(new Response(body, { status })));
}

afterEach(() => {
  vi.unstubAllGlobals();
  apiKeyStore.set(null);
});

describe("browser transport", () => {
  it("returns the parsed body and sends the key when there is one", async () => {
    const fetchMock = answer(200, JSON.stringify({ status: "ok", version: "1", schema_version: 6 }));
    vi.stubGlobal("fetch", fetchMock);
    apiKeyStore.set("bdk_0123456789ab_secret");
    await expect(api.health()).resolves.toEqual({ status: "ok", version: "1", schema_version: 6 });
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    if (init === undefined) throw new Error("fetch was not called with options");
    expect(url).toBe("/api/health");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer bdk_0123456789ab_secret");
  });

  it("puts the query and body where the API expects them", async () => {
    const fetchMock = answer(200, JSON.stringify({ items: [], next_cursor: null }));
    vi.stubGlobal("fetch", fetchMock);
    await api.audit({ table: "products", actor: "", limit: 50 });
    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/audit?table=products&limit=50");
    await api.updateSettings({ desktop_http_api_enabled: true });
    const init = fetchMock.mock.calls[1]?.[1];
    expect(init?.method).toBe("PUT");
    expect(init?.body).toBe('{"desktop_http_api_enabled":true}');
  });

  it("turns an error body into an ApiError with its code", async () => {
    vi.stubGlobal("fetch", answer(401, JSON.stringify({ error: { code: "auth.missing_key", message: "key needed" } })));
    const error = await api.health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).needsKey).toBe(true);
  });

  it("says so when the server cannot be reached or answers nonsense", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))));
    const unreachable = (await api.health().catch((e: unknown) => e)) as ApiError;
    expect(unreachable.isUnreachable).toBe(true);
    expect(unreachable.message).not.toContain("TypeError");

    vi.stubGlobal("fetch", answer(502, "<html>Bad gateway</html>"));
    const nonsense = (await api.health().catch((e: unknown) => e)) as ApiError;
    expect(nonsense.code).toBe("client.bad_response");
    expect(nonsense.message).toContain("502");
  });
});
