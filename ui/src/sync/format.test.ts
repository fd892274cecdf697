import { describe, expect, it } from "vitest";
import type { SyncStatusDto } from "../bindings/SyncStatusDto";
import { describeFiles, describeSync } from "./format";

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
  files: { storage_configured: true, pending: 0, pending_bytes: 0, sent_bytes: 0, uploaded: 0, failing: 0, last_error: null, current: null },
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

describe("media files", () => {
  it("says what waits for Storage and how far the one being sent is", () => {
    const sending = { ...base.files, pending: 2, current: { sha256: "a".repeat(64), sent: 5 * 1024 * 1024, total: 20 * 1024 * 1024 } };
    expect(describeSync({ ...base, state: "syncing", files: sending })).toBe("sending 2 files, 25 %");
    expect(describeFiles(sending)).toBe("sending 2 files: 5.0 MB of 20.0 MB of this one");
    expect(describeSync({ ...base, state: "pending", files: { ...base.files, pending: 1 } })).toBe("1 file to send");
    expect(describeFiles({ ...base.files, pending: 1, pending_bytes: 20 * 1024 * 1024, sent_bytes: 10 * 1024 * 1024, uploaded: 3 })).toBe(
      "1 file waiting (10.0 MB of 20.0 MB sent); 3 files in Storage",
    );
    expect(describeFiles({ ...base.files, uploaded: 4 })).toBe("all 4 files in Storage");
    expect(describeFiles({ ...base.files, storage_configured: false, pending: 2 })).toBe("2 files stay on this device: no Storage bucket is set up");
    expect(describeSync({ ...base, state: "error", files: { ...base.files, failing: 1 } })).toBe("1 file not sent");
  });
});
