import { describe, expect, it } from "vitest";
import { pageFromHash, subpathFromHash } from "./useRoute";

describe("pageFromHash", () => {
  it("reads the page from the hash", () => {
    expect(pageFromHash("#/activity")).toBe("activity");
    expect(pageFromHash("#settings")).toBe("settings");
    expect(pageFromHash("#/queues/failed?x=1")).toBe("queues");
  });

  it("falls back to templates for anything else", () => {
    expect(pageFromHash("")).toBe("templates");
    expect(pageFromHash("#/nope")).toBe("templates");
    expect(pageFromHash("#/constructor")).toBe("templates");
  });
});

describe("subpathFromHash", () => {
  it("reads what follows the page", () => {
    expect(subpathFromHash("#/templates/abc-123")).toBe("abc-123");
    expect(subpathFromHash("#/templates/new?x=1")).toBe("new");
    expect(subpathFromHash("#/templates")).toBe("");
    expect(subpathFromHash("")).toBe("");
  });
});
