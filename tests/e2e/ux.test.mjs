// The owner's ground rules, checked on every page with real data (a template, a photo, an
// endpoint with a delivery, an order, a failed job): axe-core finds no serious or critical
// violation in either theme, and at 1024×640 and 1366×768 each page keeps its primary action
// and its live result (the phone preview, a selected item's detail) in view. Screenshots of
// both sizes land in tests/e2e/artifacts/.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { seed } from "./seed.mjs";
import { ARTIFACTS, cleanup, launchBrowser, startServer } from "./support.mjs";

let browser;
let server;
let seeded;
before(async () => {
  browser = await launchBrowser();
  server = await startServer(undefined, 0, { BOTDESK_WEBHOOKS_ALLOW_LOCALHOST: "1" });
  seeded = await seed(server);
});
after(async () => {
  await browser?.close();
  if (server) {
    await server.stop();
    cleanup(server.dataDir);
  }
});

/** Every view an owner works in, with what must stay in view while they do. */
function views() {
  return [
    { name: "templates", path: "#/templates", primary: "new-template" },
    { name: "template-editor", path: `#/templates/${seeded.template.id}`, primary: "save-template", live: "phone-preview" },
    { name: "template-new", path: "#/templates/new", primary: "save-template", live: "phone-preview" },
    { name: "media", path: "#/media", primary: "drop-zone" },
    { name: "media-detail", path: `#/media/${seeded.media.id}`, live: "media-detail" },
    { name: "orders", path: "#/orders", primary: "order-new" },
    { name: "queues", path: "#/queues" },
    { name: "queue-jobs", path: "#/queues/order_processing" },
    { name: "job-detail", path: `#/queues/order_processing/${seeded.job.id}`, live: "job-detail" },
    { name: "webhooks", path: "#/webhooks", primary: "endpoint-new" },
    { name: "endpoint-detail", path: `#/webhooks/${seeded.hook.id}`, live: "endpoint-detail" },
    { name: "sync", path: "#/sync", primary: "sync-save" },
    { name: "activity", path: "#/activity" },
    { name: "settings", path: "#/settings" },
  ];
}

async function openView(page, view) {
  await page.goto(`${server.url}/${view.path}`);
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  await page.waitForFunction(() => document.querySelector('[role="status"].state-loading') === null);
  if (view.live) await page.getByTestId(view.live).first().waitFor();
}

/** Whether the element is entirely inside the window (no scrolling needed to see it). */
async function inView(page, testId) {
  return page.getByTestId(testId).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight + 1 && r.right <= window.innerWidth + 1;
  });
}

/** Whether at least the top of the element shows in the window (a tall panel may scroll). */
async function startsInView(page, testId) {
  return page.getByTestId(testId).first().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.top >= 0 && r.top < window.innerHeight - 40 && r.left >= 0 && r.left < window.innerWidth - 40;
  });
}

describe("the owner's ground rules", () => {
  it("axe-core finds no serious or critical violation on any view, in either theme", async () => {
    const found = [];
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      for (const view of views()) {
        await openView(page, view);
        const result = await new AxeBuilder({ page }).analyze();
        for (const v of result.violations) {
          if (v.impact !== "serious" && v.impact !== "critical") continue;
          for (const node of v.nodes) {
            found.push(`${colorScheme} ${view.name}: ${v.id} (${v.impact}) at ${node.target.join(" ")}: ${node.failureSummary?.split("\n")[1]?.trim() ?? ""}`);
          }
        }
      }
      await context.close();
    }
    assert.deepEqual(found, [], `axe-core:\n${found.join("\n")}`);
  });

  for (const [width, height] of [
    [1024, 640],
    [1366, 768],
  ]) {
    it(`at ${width}×${height} every view keeps its primary action and its live result in view`, async () => {
      const context = await browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      const problems = [];
      for (const view of views()) {
        await openView(page, view);
        if (view.primary && !(await inView(page, view.primary))) problems.push(`${view.name}: ${view.primary} is out of view`);
        if (view.live && !(await startsInView(page, view.live))) problems.push(`${view.name}: ${view.live} is out of view`);
        // Nothing is wider than the window: no sideways scrolling.
        const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
        if (wide) problems.push(`${view.name}: the page scrolls sideways`);
        await page.screenshot({ path: join(ARTIFACTS, `size-${width}x${height}-${view.name}.png`) });
      }
      await context.close();
      assert.deepEqual(problems, []);
    });
  }
});
