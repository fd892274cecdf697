// The queue monitor in Chromium against a real `botdesk serve`: a queue's counts change live
// while its jobs run, a failed job is opened, its error read, retried, and seen to complete.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ARTIFACTS, getJson, serverAndBrowser } from "./support.mjs";

const env = serverAndBrowser();

async function post(path, body) {
  const response = await fetch(`${env.server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const json = await response.json();
  assert.ok(response.ok, `POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const Q = "/api/queues/order_processing";

describe("the queue monitor", () => {
  it("shows counts changing live, and a failed job retried to completion", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/#/queues/order_processing`);
    const count = (state) => page.getByTestId(`count-order_processing-${state}`);
    await count("completed").filter({ hasText: /^0$/ }).waitFor();
    await page.getByTestId("empty-state").waitFor();

    // Held back by a pause, 40 jobs wait; the page shows them without a reload.
    await post(`${Q}/pause`);
    const jobs = Array.from({ length: 40 }, (_, i) => ({ name: "probe", payload: { note: `order ${i}`, work_ms: 600 } }));
    await post(`${Q}/jobs/bulk`, { jobs });
    await count("waiting").filter({ hasText: /^40$/ }).waitFor();
    await page.getByTestId("queue-card-order_processing").getByText("paused").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "queues-paused.png"), fullPage: true });

    // Resumed from the page: the counts move as the jobs run (10 at a time, 0.6 s each).
    const seen = new Set();
    const watch = setInterval(() => {
      count("completed")
        .innerText()
        .then((t) => seen.add(t))
        .catch(() => {});
    }, 50);
    await page.getByTestId("pause-order_processing").click();
    await count("completed").filter({ hasText: /^40$/ }).waitFor({ timeout: 30_000 });
    clearInterval(watch);
    const steps = [...seen].map(Number).filter((n) => n > 0 && n < 40);
    assert.ok(steps.length >= 1, `the count moved through intermediate values, saw ${[...seen].join(", ")}`);
    assert.equal(await count("waiting").innerText(), "0");

    // A test job that fails its only attempt, sent from the page.
    await page.getByTestId("probe-open").click();
    await page.getByTestId("probe-fail-attempts").fill("1");
    await page.getByTestId("probe-max-attempts").fill("1");
    await page.getByTestId("probe-send").click();
    await count("failed").filter({ hasText: /^1$/ }).waitFor();
    await page.getByTestId("filter-failed").click();
    const rows = page.getByTestId("job-row");
    // The list shows the failed tab once it has loaded (until then, the previous page stays).
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="job-row"]').length === 1);
    await rows.first().getByRole("link").click();
    const detail = page.getByTestId("job-detail");
    await detail.waitFor();
    assert.equal(await page.getByTestId("job-state").innerText(), "failed");
    assert.match(await page.getByTestId("job-failed-reason").innerText(), /asked to fail its first 1 attempt/);
    assert.match(await page.getByTestId("job-failures").innerText(), /Attempt 1[\s\S]*asked to fail/);
    await page.screenshot({ path: join(ARTIFACTS, "queues-failed-job.png"), fullPage: true });

    await page.getByTestId("job-retry").click();
    await page.getByTestId("job-state").filter({ hasText: /^completed$/ }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId("job-attempts").innerText(), "2 of 2");
    assert.match(await page.getByTestId("job-result").innerText(), /"attempt": 2/);
    await count("failed").filter({ hasText: /^0$/ }).waitFor();
    await count("completed").filter({ hasText: /^41$/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "queues-retried-job.png"), fullPage: true });

    // Searching the payload finds one job among the 41.
    await page.getByTestId("filter-all").click();
    await page.getByTestId("job-search").fill("order 17");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="job-row"]').length === 1);
    assert.match(await rows.first().innerText(), /order 17/);

    const stats = await getJson(env.server, `${Q}/stats`);
    assert.equal(stats.completed, 41);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("pages through many jobs and retries every failed one at once", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const failing = Array.from({ length: 60 }, (_, i) => ({
      name: "probe",
      payload: { note: `batch ${i}`, fail_attempts: 1 },
      options: { max_attempts: 1 },
    }));
    await post("/api/queues/message_sending/jobs/bulk", { jobs: failing });
    await page.goto(`${env.server.url}/#/queues/message_sending`);
    const failed = page.getByTestId("count-message_sending-failed");
    await failed.filter({ hasText: /^60$/ }).waitFor({ timeout: 30_000 });
    await page.getByTestId("filter-failed").click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="job-row"]').length === 25);
    const firstPage = await page.getByTestId("job-row").first().innerText();
    await page.getByTestId("older-jobs").click();
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid="job-row"]')?.textContent !== first,
      firstPage,
    );
    await page.getByTestId("retry-all-failed").click();
    await failed.filter({ hasText: /^0$/ }).waitFor({ timeout: 30_000 });
    await page.getByTestId("count-message_sending-completed").filter({ hasText: /^60$/ }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "queues-retried-all.png"), fullPage: true });
    await context.close();
  });
});
