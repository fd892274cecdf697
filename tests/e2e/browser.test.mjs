// The web UI in Chromium against a real `botdesk serve`: every page renders (screenshots in
// both themes), Activity and Settings show what the API says, live updates arrive, the offline
// banner comes and goes, bad input is shown at its field, and keyboard users get around.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import { ARTIFACTS, botdesk, cleanup, getJson, launchBrowser, putJson, startServer, tempDir } from "./support.mjs";

const PAGES = [
  ["templates", "Templates"],
  ["media", "Media"],
  ["orders", "Orders"],
  ["queues", "Queues"],
  ["webhooks", "Webhooks"],
  ["sync", "Sync"],
  ["activity", "Activity"],
  ["settings", "Settings"],
];

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A page in a fresh context, failing the test on any uncaught page error. */
async function openPage(server, { colorScheme = "light" } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(server.url);
  await page.getByTestId("nav-templates").waitFor();
  return { page, context, errors };
}

/** Nothing on screen is a raw object dump or a stack trace. */
async function assertNoRawErrors(page) {
  const text = await page.locator("body").innerText();
  assert.doesNotMatch(text, /\[object Object\]|at \w+ \(.*:\d+:\d+\)|undefined is not/);
}

describe("the web UI against botdesk serve", () => {
  it("visits every page, in both themes, with a screenshot of each", async () => {
    const server = await startServer();
    try {
      for (const colorScheme of ["light", "dark"]) {
        const { page, context, errors } = await openPage(server, { colorScheme });
        for (const [name, title] of PAGES) {
          await page.getByTestId(`nav-${name}`).click();
          await page.getByRole("heading", { level: 1, name: title }).waitFor();
          assert.equal(await page.getByTestId(`nav-${name}`).getAttribute("aria-current"), "page");
          assert.match(page.url(), new RegExp(`#/${name}$`));
          // Let the page's data arrive before the picture.
          await page.waitForFunction(() => document.querySelector('[role="status"].state-loading') === null);
          await assertNoRawErrors(page);
          await page.screenshot({ path: join(ARTIFACTS, `page-${name}-${colorScheme}.png`), fullPage: true });
        }
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(background, colorScheme === "dark" ? "rgb(17, 20, 24)" : "rgb(245, 246, 248)");
        assert.deepEqual(errors, []);
        await context.close();
      }
    } finally {
      assert.equal(await server.stop(), 0);
      cleanup(server.dataDir);
    }
  });

  it("templates lists the default templates the API lists", async () => {
    const server = await startServer();
    try {
      const { page, context } = await openPage(server);
      const expected = await getJson(server, "/api/templates");
      await page.getByTestId("template-card").first().waitFor();
      const names = await page.locator('[data-testid="template-card"] h2').allInnerTexts();
      assert.deepEqual(names, expected.map((t) => t.name));
      await page.locator("select").first().selectOption("buttons");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="template-card"]').length === 1);
      assert.deepEqual(await page.locator('[data-testid="template-card"] h2').allInnerTexts(), ["order_confirmation"]);
      await context.close();
    } finally {
      await server.stop();
      cleanup(server.dataDir);
    }
  });

  it("activity shows the audit trail as the API has it: newest first, paged, filtered, live", async () => {
    const server = await startServer();
    try {
      // 60 settings changes: more than one page of 50.
      for (let i = 0; i < 60; i++) {
        const { status } = await putJson(server, "/api/settings", { desktop_http_api_port: 9000 + i });
        assert.equal(status, 200);
      }
      const { page, context, errors } = await openPage(server);
      await page.getByTestId("nav-activity").click();
      await page.getByTestId("audit-row").first().waitFor();

      const first = await getJson(server, "/api/audit?limit=50");
      const seqs = async () => (await page.getByTestId("audit-row").evaluateAll((rows) => rows.map((r) => Number(r.dataset.seq))));
      assert.deepEqual(await seqs(), first.items.map((e) => e.seq), "the first page, newest first");
      const topRow = page.getByTestId("audit-row").first();
      assert.match(await topRow.innerText(), new RegExp(first.items[0].actor));
      assert.match(await topRow.innerText(), /app_settings/);

      await page.getByTestId("load-more").click();
      const second = await getJson(server, `/api/audit?limit=50&cursor=${first.next_cursor}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length === n, 50 + second.items.length);
      assert.deepEqual(await seqs(), [...first.items, ...second.items].map((e) => e.seq));
      assert.equal(await page.getByTestId("load-more").count(), 0, "no more pages");

      await page.getByTestId("filter-table").selectOption("message_templates");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 3);
      const byTable = await getJson(server, "/api/audit?table=message_templates");
      assert.deepEqual(await seqs(), byTable.items.map((e) => e.seq));
      await page.getByTestId("filter-table").selectOption("");
      await page.getByTestId("filter-actor").selectOption("system:seed");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 3);
      await page.getByTestId("filter-actor").selectOption("");
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"]').length === 50);

      // A change made elsewhere appears without a reload.
      const before = (await seqs())[0];
      await putJson(server, "/api/settings", { desktop_http_api_enabled: true });
      await page.waitForFunction((top) => Number(document.querySelector('[data-testid="audit-row"]')?.dataset.seq) > top, before, { timeout: 10_000 });
      assert.match(await page.getByTestId("audit-row").first().innerText(), /desktop_http_api_enabled|app_settings/);
      await page.screenshot({ path: join(ARTIFACTS, "activity-live.png"), fullPage: true });
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await server.stop();
      cleanup(server.dataDir);
    }
  });

  it("settings shows the values the API reports, and validates at the field", async () => {
    const server = await startServer();
    try {
      const { page, context } = await openPage(server);
      await page.getByTestId("nav-settings").click();
      const info = await getJson(server, "/api/system/info");
      await page.getByTestId("info-version").waitFor();
      assert.equal(await page.getByTestId("info-version").innerText(), info.version);
      assert.equal(await page.getByTestId("info-schema-version").innerText(), String(info.schema_version));
      assert.equal(await page.getByTestId("info-data-dir").innerText(), info.data_dir);
      assert.equal(await page.getByTestId("info-db-path").innerText(), info.db_path);
      assert.equal(await page.getByTestId("info-log-file").innerText(), info.log_file);
      assert.equal(await page.getByTestId("info-shell").innerText(), "server (botdesk serve)");

      const port = page.getByLabel("Port");
      await port.fill("80");
      await page.getByRole("button", { name: "Save" }).click();
      const error = page.locator("#http-api-port-error");
      await error.waitFor();
      assert.match(await error.innerText(), /reserved/);
      assert.equal(await port.getAttribute("aria-invalid"), "true");
      assert.equal((await getJson(server, "/api/settings")).desktop_http_api_port, 8787, "nothing was saved");
      await page.screenshot({ path: join(ARTIFACTS, "settings-invalid-port.png"), fullPage: true });

      await port.fill("9123");
      await page.getByLabel(/Also serve the HTTP API/).check();
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("Saved").waitFor();
      assert.deepEqual(await getJson(server, "/api/settings"), { desktop_http_api_enabled: true, desktop_http_api_port: 9123 });
      await context.close();
    } finally {
      await server.stop();
      cleanup(server.dataDir);
    }
  });

  it("shows a banner while the backend is unreachable and clears it when it is back", async () => {
    const dataDir = tempDir("offline");
    let server = await startServer(dataDir);
    const port = server.port;
    try {
      const { page, context, errors } = await openPage(server);
      await page.getByTestId("nav-activity").click();
      await page.getByTestId("audit-row").first().waitFor();
      assert.equal(await server.stop(), 0);
      await page.getByTestId("offline-banner").waitFor({ timeout: 15_000 });
      assert.match(await page.getByTestId("offline-banner").innerText(), /Cannot reach botdesk/);
      await page.screenshot({ path: join(ARTIFACTS, "offline-banner.png") });
      await assertNoRawErrors(page);

      server = await startServer(dataDir, port);
      await page.getByTestId("offline-banner").waitFor({ state: "detached", timeout: 15_000 });
      // The event stream reconnected too: a new change shows up live.
      const top = await page.getByTestId("audit-row").first().getAttribute("data-seq");
      await putJson(server, "/api/settings", { desktop_http_api_port: 9999 });
      await page.waitForFunction((t) => document.querySelector('[data-testid="audit-row"]')?.dataset.seq !== t, top, { timeout: 15_000 });
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await server.stop();
      cleanup(dataDir);
    }
  });

  it("can be used with the keyboard alone, with visible focus", async () => {
    const server = await startServer();
    try {
      const { page, context } = await openPage(server);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "nav-templates");
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", "the focused link shows a focus ring");
      for (let i = 0; i < 7; i++) await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "nav-settings");
      await page.screenshot({ path: join(ARTIFACTS, "keyboard-focus.png") });
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
      // Focus moves to the new page's heading, so a screen reader names the page.
      await page.waitForFunction(() => document.activeElement?.id === "settings-title", null, { timeout: 5000 });
      await context.close();
    } finally {
      await server.stop();
      cleanup(server.dataDir);
    }
  });

  it("asks for an API key once keys exist, and works with one", async () => {
    const server = await startServer();
    try {
      const created = botdesk(server.dataDir, "keys", "create", "--name", "browser");
      assert.equal(created.status, 0, created.stderr);
      const key = created.stdout.trim();
      // The frame never shows: the key prompt does.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url);
      await page.getByRole("heading", { name: "API key needed" }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "api-key-prompt.png") });
      await page.getByRole("textbox", { name: "API key" }).fill("bdk_000000000000_wrong");
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("heading", { name: "API key needed" }).waitFor();
      assert.match(await page.locator("body").innerText(), /was refused/);
      await page.getByRole("textbox", { name: "API key" }).fill(key);
      await page.getByRole("button", { name: "Connect" }).click();
      await page.getByTestId("nav-activity").click();
      await page.getByTestId("audit-row").first().waitFor();
      // The live stream works with the key too.
      const top = await page.getByTestId("audit-row").first().getAttribute("data-seq");
      const put = await fetch(`${server.url}/api/settings`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
        body: JSON.stringify({ desktop_http_api_port: 9444 }),
      });
      assert.equal(put.status, 200);
      await page.waitForFunction((t) => document.querySelector('[data-testid="audit-row"]')?.dataset.seq !== t, top, { timeout: 15_000 });
      await context.close();
    } finally {
      await server.stop();
      cleanup(server.dataDir);
    }
  });
});
