import { describe, expect, it } from "vitest";
import { headersToText, textToHeaders, until } from "./format";

describe("webhook formatting", () => {
  it("reads and writes custom headers as lines", () => {
    expect(textToHeaders("Authorization: Bearer x\n\nX-Shop: 1")).toEqual({ Authorization: "Bearer x", "X-Shop": "1" });
    expect(textToHeaders("no colon here")).toBe('Line 1 is not "Name: value".');
    expect(headersToText({ a: "1", b: "2" })).toBe("a: 1\nb: 2");
  });

  it("says how long until a retry", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(until("2026-01-01T00:00:04Z", now)).toBe("in 4 s");
    expect(until("2026-01-01T00:05:00Z", now)).toBe("in 5 min");
    expect(until("2026-01-01T05:00:00Z", now)).toBe("in 5 h");
    expect(until("2025-12-31T00:00:00Z", now)).toBe("now");
    expect(until(null, now)).toBe("—");
  });
});
