// Two devices syncing, in Chromium against two real `botdesk serve`, a real PostgreSQL and a
// real S3 server (s3s-fs): the bucket set and tested on the Sync page (a wrong secret is
// refused with its code), a photo dropped on the Media page reaching the bucket after its
// record (the Sync page says so), the other device's Media page showing the photo, fetched
// from the bucket when it is first shown; and a webhook endpoint made on one device, whose
// signing secret stays there, asking for a secret of its own on the other.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startPostgres } from "./postgres.mjs";
import { ACCESS_KEY, BUCKET, SECRET_KEY, startS3 } from "./s3.mjs";
import { ARTIFACTS, ROOT, cleanup, getJson, putJson, serverAndBrowser, startServer } from "./support.mjs";

const OWNER = "11111111-1111-4111-8111-111111111111";
const CORPUS = join(ROOT, "../shared/media-corpus");
const PHOTO = "photos/j13_cups_sony.jpg";
const env = serverAndBrowser();
let pg;
let s3;
let other;

before(async () => {
  pg = await startPostgres();
  pg.sql(`INSERT INTO public.users (id, display_name, role) VALUES ('${OWNER}', 'Owner', 'owner')`);
  s3 = await startS3();
  other = await startServer();
});
after(async () => {
  if (other) {
    assert.equal(await other.stop(), 0);
    cleanup(other.dataDir);
  }
  s3?.remove();
  pg?.remove();
});

async function dropPhoto(page, path) {
  const file = { name: path.split("/").pop(), data: readFileSync(join(CORPUS, path)).toString("base64") };
  const transfer = await page.evaluateHandle((f) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: "image/jpeg" }));
    return dt;
  }, file);
  const zone = page.getByTestId("drop-zone");
  await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

describe("media files through Storage", () => {
  it("sends a dropped photo to the bucket and shows it on another device", async () => {
    assert.ok(existsSync(CORPUS), `the shared media corpus is missing: ${CORPUS}`);
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // The connection and the bucket, set and tested on the Sync page.
    await page.goto(`${env.server.url}/#/sync`);
    await page.getByTestId("sync-connection-string").fill(pg.url);
    await page.getByTestId("sync-user-id").fill(OWNER);
    await page.getByTestId("sync-storage-url").fill(s3.url);
    await page.getByTestId("sync-storage-region").fill("us-east-1");
    await page.getByTestId("sync-storage-bucket").fill(BUCKET);
    await page.getByTestId("sync-storage-key-id").fill(ACCESS_KEY);
    await page.getByTestId("sync-storage-secret").fill("not-the-secret");
    await page.getByTestId("sync-test").click();
    const storageTest = page.getByTestId("sync-test-storage");
    await storageTest.and(page.locator('[data-ok="false"]')).waitFor();
    assert.equal(await storageTest.locator('[data-code="sync.storage_refused"]').count(), 1);
    assert.equal(await page.getByTestId("sync-test-database").getAttribute("data-ok"), "true");
    await page.getByTestId("sync-storage-secret").fill(SECRET_KEY);
    await page.getByTestId("sync-test").click();
    await storageTest.and(page.locator('[data-ok="true"]')).waitFor();
    await page.getByTestId("sync-save").click();
    const indicator = page.getByTestId("sync-indicator");
    await indicator.filter({ hasText: /^synced$/ }).waitFor({ timeout: 30_000 });
    // Saved: the secret is not shown again, the bucket is.
    assert.equal(await page.getByTestId("sync-storage-secret").inputValue(), "");
    assert.equal(await page.getByTestId("sync-storage-bucket").inputValue(), BUCKET);

    // A photo dropped on the Media page goes to the bucket after its record.
    await page.goto(`${env.server.url}/#/media`);
    await dropPhoto(page, PHOTO);
    const name = PHOTO.split("/").pop();
    await page.locator(`[data-testid="upload-row"][data-name="${name}"][data-phase="ready"]`).waitFor({ timeout: 60_000 });
    await page.goto(`${env.server.url}/#/sync`);
    const files = page.getByTestId("sync-files");
    await files.filter({ hasText: /^all \d+ files in Storage/ }).waitFor({ timeout: 60_000 });
    await indicator.filter({ hasText: /^synced$/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "sync-storage.png"), fullPage: true });
    const sha = createHash("sha256").update(readFileSync(join(CORPUS, PHOTO))).digest("hex");
    const held = s3.object(`media/${sha}`);
    assert.ok(held !== null, "the original is in the bucket");
    assert.equal(createHash("sha256").update(held).digest("hex"), sha);

    // The other device: the record syncs, and its Media page shows the photo, fetched from
    // the bucket when it is shown.
    const connected = await putJson(other, "/api/sync/connection", {
      connection_string: pg.url,
      user_id: OWNER,
      storage: { url: s3.url, region: "us-east-1", bucket: BUCKET, access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY },
    });
    assert.equal(connected.status, 200, JSON.stringify(connected.body));
    await fetch(`${other.url}/api/sync/now`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    const deadline = Date.now() + 30_000;
    while ((await getJson(other, "/api/sync")).state !== "synced") {
      assert.ok(Date.now() < deadline, "the other device synced");
      await new Promise((r) => setTimeout(r, 200));
    }
    const otherPage = await context.newPage();
    otherPage.on("pageerror", (e) => errors.push(e.message));
    await otherPage.goto(`${other.url}/#/media`);
    const tile = otherPage.locator(`[data-testid="media-tile"][data-name="${name}"]`);
    await tile.getByTestId("media-thumb").waitFor({ timeout: 30_000 });
    await tile.click();
    await otherPage.getByTestId("media-preview").waitFor({ timeout: 30_000 });
    await otherPage.screenshot({ path: join(ARTIFACTS, "media-from-storage.png"), fullPage: true });
    const original = await fetch(`${other.url}/api/media/${await tileId(tile)}/file`);
    assert.equal(original.status, 200);
    assert.equal(createHash("sha256").update(Buffer.from(await original.arrayBuffer())).digest("hex"), sha, "the same photo");
    assert.deepEqual(errors, []);
    await context.close();
  });
});

async function post(server, path, body) {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json();
  assert.ok(response.ok, `POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function syncAndWait(server) {
  await post(server, "/api/sync/now", {});
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await getJson(server, "/api/sync");
    if (s.state === "synced" && s.pending_changes === 0) return s;
    assert.ok(Date.now() < deadline, `synced: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("webhook secrets across devices", () => {
  it("an endpoint made on one device asks for a secret of its own on the other", async () => {
    const merchant = await post(env.server, "/api/merchants", { name: "Two-device shop" });
    const made = await post(env.server, "/api/webhooks", { merchant_id: merchant.id, url: "https://hooks.example.com/botdesk/orders" });
    await syncAndWait(env.server);
    await syncAndWait(other);
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Where it was made: it has its secret.
    await page.goto(`${env.server.url}/#/webhooks/${made.webhook.id}`);
    await page.getByTestId("endpoint-detail").waitFor();
    assert.equal(await page.getByTestId("endpoint-no-secret").count(), 0);
    // On the other device: it says so, and a rotation here gives it one.
    await page.goto(`${other.url}/#/webhooks/${made.webhook.id}`);
    const notice = page.getByTestId("endpoint-no-secret");
    await notice.waitFor();
    assert.match(await notice.innerText(), /came from another device/);
    await page.screenshot({ path: join(ARTIFACTS, "webhook-secret-elsewhere.png"), fullPage: true });
    await page.getByTestId("endpoint-rotate").click();
    const secret = await page.getByTestId("secret-value").innerText();
    assert.match(secret, /^whsec_/);
    await page.getByTestId("secret-done").click();
    await notice.waitFor({ state: "detached" });
    assert.deepEqual(errors, []);
    await context.close();
  });
});

/** The media id a tile links to. */
async function tileId(tile) {
  const href = await tile.getByRole("link").getAttribute("href");
  return href.split("/").pop();
}
