import { describe, expect, it } from "vitest";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import { describeSync } from "./format";

const base: SyncStatusDto = {
  state: "synced",
  configured: true,
  enabled: true,
  pending_changes: 0,
  pending_by_table: [],
  errors: 0,
  last_sync_at: null,
  last_attempt_at: null,
  offline_since: null,
  next_attempt_at: null,
  last_failure: null,
};

describe("describeSync", () => {
  it("says what the owner needs to know in a few words", () => {
    expect(describeSync(base)).toBe("synced");
    expect(describeSync({ ...base, state: "pending", pending_changes: 3 })).toBe("3 changes pending");
    expect(describeSync({ ...base, state: "syncing", pending_changes: 1 })).toBe("syncing 1 change");
    expect(describeSync({ ...base, state: "error", errors: 2 })).toBe("2 rows refused");
    expect(describeSync({ ...base, state: "not_configured" })).toBe("sync not set up");
  });
  it("says since when it is offline and what waits", () => {
    const text = describeSync({ ...base, state: "offline", pending_changes: 1, offline_since: "2026-12-04T10:32:00.000Z" });
    expect(text).toMatch(/^offline since .+, 1 change pending$/);
  });
});
