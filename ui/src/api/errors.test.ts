import { describe, expect, it } from "vitest";
import { ApiError, toApiError } from "./errors";

describe("toApiError", () => {
  it("keeps the code, message and field of an API error body", () => {
    const error = toApiError({ error: { code: "settings.invalid_port", message: "port 80 is reserved", field: "port" } });
    expect(error).toBeInstanceOf(ApiError);
    expect([error.code, error.message, error.field]).toEqual(["settings.invalid_port", "port 80 is reserved", "port"]);
  });

  it("reads a bare error DTO (what desktop commands reject with)", () => {
    expect(toApiError({ code: "store.not_found", message: "gone" }).code).toBe("store.not_found");
  });

  it("never turns anything into [object Object] or a stack trace", () => {
    for (const thrown of [{}, { error: 42 }, null, undefined, 7, new TypeError("x is undefined"), [1, 2]]) {
      const error = toApiError(thrown);
      expect(error.message).not.toContain("[object");
      expect(error.message).not.toMatch(/at \w+ \(/);
      expect(error.message.length).toBeGreaterThan(10);
      expect(error.code).toBe("client.failed");
    }
  });

  it("knows when a key is needed", () => {
    expect(toApiError({ code: "auth.missing_key", message: "m" }).needsKey).toBe(true);
    expect(toApiError({ code: "auth.invalid_key", message: "m" }).needsKey).toBe(true);
    expect(toApiError({ code: "store.busy", message: "m" }).needsKey).toBe(false);
  });
});
