// Sync in Chromium against a real `botdesk serve` and a real PostgreSQL with the Supabase
// migrations: the connection set and tested on the Sync page, a template edited while the
// server is stopped (the indicator: offline, 1 change pending), the server started again, and
// the indicator reaching "synced" with the edit in Postgres.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startPostgres } from "./postgres.mjs";
import { ARTIFACTS, serverAndBrowser } from "./support.mjs";

const OWNER = "11111111-1111-4111-8111-111111111111";
const env = serverAndBrowser();
let pg;

before(async () => {
  pg = await startPostgres();
  pg.sql(`INSERT INTO public.users (id, display_name, role) VALUES ('${OWNER}', 'Owner', 'owner')`);
});
after(() => {
  pg?.remove();
});

describe("sync", () => {
  it("keeps an edit made offline and syncs it once the server is back", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/#/sync`);
    const indicator = page.getByTestId("sync-indicator");
    await indicator.filter({ hasText: "sync not set up" }).waitFor();

    // Bad input first: refused with its code, nothing saved.
    await page.getByTestId("sync-connection-string").fill("postgresql://");
    await page.getByTestId("sync-save").click();
    assert.equal(await page.getByTestId("sync-connection-error").locator('[data-code="sync.invalid_connection_string"]').count(), 1);
    await page.getByTestId("sync-connection-string").fill(pg.url);
    await page.getByTestId("sync-user-id").fill(OWNER);
    await page.getByTestId("sync-test").click();
    await page.getByTestId("sync-test-result").filter({ hasText: "Connected" }).waitFor();
    await page.getByTestId("sync-save").click();
    await indicator.filter({ hasText: /^synced$/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "sync-synced.png"), fullPage: true });

    // The server goes away; a template is edited.
    pg.stop();
    await page.goto(`${env.server.url}/#/templates`);
    await page.getByTestId("template-card").first().getByRole("link").first().click();
    const body = page.locator("#t-body");
    await body.waitFor();
    const edited = `Edited offline at ${Date.now()}: {{customer_name}}, your order {{order_id}} is confirmed.`;
    await body.fill(edited);
    await page.getByTestId("save-template").click();
    await page.getByTestId("editor-notice").filter({ hasText: /Saved as version/ }).waitFor();
    await indicator.filter({ hasText: /^offline since .+, 1 change pending$/ }).waitFor({ timeout: 30_000 });
    await page.goto(`${env.server.url}/#/sync`);
    await page.getByTestId("sync-state").filter({ hasText: /offline since/ }).waitFor();
    assert.match(await page.getByTestId("sync-pending").innerText(), /message_templates: 1/);
    await page.screenshot({ path: join(ARTIFACTS, "sync-offline.png"), fullPage: true });

    // Back: sync tries again by itself (backing off meanwhile) and the indicator says synced.
    pg.start();
    await indicator.filter({ hasText: /^synced$/ }).waitFor({ timeout: 90_000 });
    await page.getByTestId("sync-state").filter({ hasText: /^synced$/ }).waitFor();
    assert.equal(await page.getByTestId("sync-pending").innerText(), "nothing");
    const onServer = pg.sql("SELECT body FROM public.message_templates WHERE body LIKE 'Edited offline at %'");
    assert.equal(onServer, edited, "the edit is in Postgres");
    const versions = pg.sql("SELECT count(*) FROM public.template_versions");
    assert.equal(versions, "1", "with the version it made");
    await page.screenshot({ path: join(ARTIFACTS, "sync-back.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });
});
