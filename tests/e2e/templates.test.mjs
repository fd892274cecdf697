// The template editor in Chromium against a real `botdesk serve`: create a template, watch the
// preview follow the typing, trigger a validation error and fix it, save, edit again, compare
// versions and roll back. Also measures how fast the preview follows a keystroke on a
// 1,000-character body (reported in artifacts/preview-latency.json; a figure, not a pass mark).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ARTIFACTS, getJson, serverAndBrowser } from "./support.mjs";

const env = serverAndBrowser();

async function newPage() {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, context, errors };
}

const previewBody = (page) => page.getByTestId("preview-body").innerText();

describe("the template editor", () => {
  it("creates, validates, saves, edits, compares and rolls back a template", async () => {
    const { page, context, errors } = await newPage();
    await page.goto(`${env.server.url}/#/templates`);
    await page.getByTestId("new-template").click();
    await page.getByRole("heading", { level: 1, name: "New template" }).waitFor();

    await page.getByLabel("Name").fill("order_shipped");
    const body = page.locator("#t-body");
    await body.click();
    // The preview follows the typing, character by character.
    await page.keyboard.type("Hi {{customer_name}}, your order");
    assert.match(await previewBody(page), /your order$/);
    await page.keyboard.type(" {{ order id }} has shipped and will arrive very soon.");
    assert.match(await previewBody(page), /will arrive very soon\.$/);

    // The core flags the malformed placeholder, at its place.
    const issue = page.locator('[data-testid="issues-body"] li[data-code="template.placeholder_malformed"]');
    await issue.waitFor();
    assert.match(await issue.innerText(), /Line 1, column 34/);
    assert.equal(await page.locator('.marked-backdrop mark[data-code="template.placeholder_malformed"]').innerText(), "{{ order id }}");
    await page.screenshot({ path: join(ARTIFACTS, "template-editor-error.png"), fullPage: true });

    // Fixed: the error goes, the variables appear, their examples fill the preview.
    await body.fill("Hi {{customer_name}}, your order {{order_id}} has shipped and will arrive very soon.");
    await issue.waitFor({ state: "detached" });
    await page.getByTestId("example-customer_name").fill("Amina");
    await page.getByTestId("example-order_id").fill("ORD-10482");
    assert.equal(await previewBody(page), "Hi Amina, your order ORD-10482 has shipped and will arrive very soon.");
    await page.waitForFunction(() => document.querySelector('[data-testid="issue-count"]') === null);
    await page.screenshot({ path: join(ARTIFACTS, "template-editor-new.png"), fullPage: true });

    await page.getByTestId("save-template").click();
    await page.waitForURL(/#\/templates\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop();
    await page.getByTestId("editor-version").filter({ hasText: "version 1" }).waitFor();
    const saved = await getJson(env.server, `/api/templates/${id}`);
    assert.equal(saved.body, "Hi {{customer_name}}, your order {{order_id}} has shipped and will arrive very soon.");
    assert.deepEqual(saved.variables, [{ name: "customer_name", example: "Amina" }, { name: "order_id", example: "ORD-10482" }]);

    // The Cloud API request is there to read and copy, one click away.
    await page.getByTestId("json-panel").locator("summary").click();
    const json = JSON.parse(await page.getByTestId("json-payload").innerText());
    assert.equal(json.template.name, "order_shipped");
    assert.equal(json.template.components[0].parameters[1].parameter_name, "order_id");

    // Edit again: version 2.
    await body.fill("Hi {{customer_name}}, good news: your order {{order_id}} is on its way to you.");
    await page.getByLabel("What changed (optional)").fill("Friendlier");
    await page.getByTestId("save-template").click();
    await page.getByTestId("editor-notice").filter({ hasText: "Saved as version 2" }).waitFor();
    await page.getByTestId("version-row").nth(1).waitFor();
    assert.deepEqual(await page.getByTestId("version-row").evaluateAll((rows) => rows.map((r) => r.dataset.version)), ["2", "1"]);

    // The difference between v1 and v2, line by line.
    const diff = page.getByTestId("diff-view");
    await diff.locator(".line-insert").waitFor();
    assert.match(await diff.locator(".line-delete").innerText(), /has shipped and will arrive very soon/);
    assert.match(await diff.locator(".line-insert").innerText(), /is on its way to you/);
    await page.screenshot({ path: join(ARTIFACTS, "template-history-diff.png"), fullPage: true });

    // Roll back to v1: a new version, v3, with v1's text.
    await page.getByTestId("rollback-1").click();
    await page.getByTestId("editor-notice").filter({ hasText: "now version 3" }).waitFor();
    assert.equal(await body.inputValue(), "Hi {{customer_name}}, your order {{order_id}} has shipped and will arrive very soon.");
    const rolled = await getJson(env.server, `/api/templates/${id}`);
    assert.equal(rolled.version, 3);
    assert.equal(rolled.body, saved.body);
    const versions = await getJson(env.server, `/api/templates/${id}/versions`);
    assert.equal(versions[0].change_summary, "Rolled back to version 1");
    await page.screenshot({ path: join(ARTIFACTS, "template-rolled-back.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("refuses a stale save instead of overwriting", async () => {
    const list = await getJson(env.server, "/api/templates");
    const status = list.find((t) => t.name === "order_status");
    const first = await newPage();
    const second = await newPage();
    for (const { page } of [first, second]) {
      await page.goto(`${env.server.url}/#/templates/${status.id}`);
      await page.locator("#t-body").waitFor();
    }
    await first.page.locator("#t-footer").fill("Edited in the first window");
    await first.page.getByTestId("save-template").click();
    await first.page.getByTestId("editor-notice").waitFor();
    await second.page.locator("#t-footer").fill("Edited in the second window");
    await second.page.getByTestId("save-template").click();
    const error = second.page.getByTestId("save-error");
    await error.waitFor();
    assert.equal(await error.getAttribute("data-code"), "template.version_conflict");
    assert.match(await error.innerText(), /Load the latest version/);
    assert.equal((await getJson(env.server, `/api/templates/${status.id}`)).footer, "Edited in the first window");
    await first.context.close();
    await second.context.close();
  });

  it("follows a keystroke within a frame on a 1,000-character body (measured)", async () => {
    const { page, context } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    const text = "Hello {{name}}, ".concat("this is a long message body with *some bold* and _italic_ words. ".repeat(15)).slice(0, 1000);
    await page.locator("#t-body").fill(text);
    await page.getByTestId("preview-body").waitFor();
    // In the page: from each keydown to the preview's DOM holding the new text, and to the
    // next animation frame after that (when it is painted).
    // In the page, for each keystroke: when the keydown came, when the input event reached the
    // app, when the preview's DOM changed, and when the first frame after the keydown was drawn
    // (requestAnimationFrame runs just before each frame is painted). A keystroke is in that
    // first frame when the preview changed before it.
    await page.evaluate(() => {
      const samples = [];
      window.__latency = samples;
      const target = document.querySelector('[data-testid="preview-body"]');
      const area = document.getElementById("t-body");
      let pending = null;
      area.addEventListener("keydown", (e) => {
        const sample = { start: e.timeStamp };
        pending = sample;
        requestAnimationFrame(() => {
          sample.frame = performance.now();
          if (sample.changed !== undefined) samples.push(sample);
        });
      }, true);
      area.addEventListener("input", () => {
        if (pending !== null) pending.input = performance.now();
      }, true);
      new MutationObserver(() => {
        if (pending === null || pending.changed !== undefined) return;
        pending.changed = performance.now();
        if (pending.frame !== undefined) samples.push(pending);
      }).observe(target, { childList: true, subtree: true, characterData: true });
    });
    await page.locator("#t-body").focus();
    await page.keyboard.press("End");
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press(i % 7 === 6 ? "Space" : "KeyX");
    }
    await page.waitForFunction(() => window.__latency.length >= 60);
    const samples = await page.evaluate(() => window.__latency);
    const stats = (values) => {
      const v = [...values].sort((a, b) => a - b);
      const at = (q) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
      return { median: Number(at(0.5).toFixed(2)), p95: Number(at(0.95).toFixed(2)), max: Number(v[v.length - 1].toFixed(2)) };
    };
    const inFirstFrame = samples.filter((s) => s.changed <= s.frame).length;
    const report = {
      what: "a keystroke in the body (1,000 characters) until the phone preview shows it",
      keystrokes: samples.length,
      shown_in_first_frame: `${inFirstFrame} of ${samples.length}`,
      keydown_to_preview_ms: stats(samples.map((s) => s.changed - s.start)),
      app_work_ms: stats(samples.map((s) => s.changed - (s.input ?? s.start))),
      keydown_to_first_frame_ms: stats(samples.map((s) => s.frame - s.start)),
      browser: env.browser.version(),
      measured_at: new Date().toISOString(),
    };
    writeFileSync(join(ARTIFACTS, "preview-latency.json"), JSON.stringify(report, null, 2));
    console.log(`preview latency: ${JSON.stringify(report)}`);
    assert.equal(samples.length, 60, "every keystroke reached the preview");
    await context.close();
  });
});
