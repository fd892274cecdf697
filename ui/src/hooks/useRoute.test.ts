import { describe, expect, it } from "vitest";
import { pageFromHash } from "./useRoute";

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
