// The webhooks page in Chromium against a real `botdesk serve` and a real HTTP receiver on
// 127.0.0.1: an endpoint created from the page (its secret shown once), a test event sent and
// seen delivered and signed, the receiver stopped and the retries seen scheduled, the receiver
// back and the delivery retried from the page to success, a delivered one replayed with its
// webhook-id, the failed ones of the last hour replayed (none); then an order moved on from the
// Orders page reaching the same receiver, and the event history on the Activity page.
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ARTIFACTS, serverAndBrowser } from "./support.mjs";

// The receiver is on loopback, which the SSRF guard refuses unless told it's development.
const env = serverAndBrowser({ BOTDESK_WEBHOOKS_ALLOW_LOCALHOST: "1" });

/** A receiver answering 200 and keeping what arrived; `stop()` closes it, `start(port)` reopens. */
function receiver() {
  const received = [];
  let server = null;
  const start = (port = 0) =>
    new Promise((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end('{"ok":true}');
        });
      });
      server.on("error", reject);
      server.listen(port, "127.0.0.1", () => resolve(server.address().port));
    });
  const stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { received, start, stop };
}

/** The Standard Webhooks check, written from the specification. */
function verifies(secret, request) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const id = request.headers["webhook-id"];
  const ts = request.headers["webhook-timestamp"];
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${request.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
  return (
    fresh &&
    request.headers["webhook-signature"].split(" ").some((s) => {
      const [version, sig] = s.split(",");
      const given = Buffer.from(sig ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    })
  );
}

async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("webhooks", () => {
  const hook = receiver();
  let port;
  let secret;

  it("delivers a test event, retries while the receiver is down, and replays it once it is back", async () => {
    port = await hook.start();
    const url = `http://127.0.0.1:${port}/hooks/botdesk`;
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/#/webhooks`);
    await page.getByTestId("empty-state").first().waitFor();

    // A new endpoint for a new merchant; bad input first, shown with its code.
    await page.getByTestId("endpoint-new").click();
    await page.getByTestId("endpoint-merchant-name").fill("Corner Shop");
    await page.getByTestId("endpoint-url").fill("http://10.0.0.7/hook");
    await page.getByTestId("endpoint-create").click();
    assert.equal(await page.getByTestId("endpoint-error").locator('[data-code="webhook.blocked_address"]').count(), 1);
    await page.getByTestId("endpoint-url").fill(url);
    await page.getByTestId("endpoint-create").click();
    secret = await page.getByTestId("secret-value").innerText();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    await page.screenshot({ path: join(ARTIFACTS, "webhooks-secret.png"), fullPage: true });
    await page.getByTestId("secret-done").click();
    assert.equal(await page.getByTestId("secret-reveal").count(), 0, "the secret is shown once");
    const detail = page.getByTestId("endpoint-detail");
    await detail.waitFor();

    // A test event: delivered, signed, in the log with its answer.
    await page.getByTestId("endpoint-test").click();
    const rows = page.getByTestId("delivery-row");
    await rows.and(page.locator('[data-status="succeeded"]')).first().waitFor();
    await until("the receiver got it", () => hook.received.length === 1);
    const first = hook.received[0];
    assert.ok(verifies(secret, first), "an independent verifier accepts the signature");
    assert.equal(JSON.parse(first.body).event_type, "test");
    await rows.first().getByRole("button").click();
    const delivery = page.getByTestId("delivery-detail");
    await delivery.getByTestId("delivery-attempt").first().waitFor();
    assert.match(await delivery.getByTestId("delivery-attempt").first().innerText(), /delivered · 200/);
    await page.screenshot({ path: join(ARTIFACTS, "webhooks-delivered.png"), fullPage: true });

    // The receiver goes down: the next test event fails and its retries are scheduled.
    await hook.stop();
    await page.getByTestId("endpoint-test").click();
    const retrying = rows.and(page.locator('[data-status="retrying"]')).first();
    await retrying.waitFor();
    // The second attempt (about 5 s later) fails too; the next one is minutes away.
    await until(
      "two failed attempts",
      async () => /^2$/.test((await retrying.locator("td").nth(2).innerText()).trim()),
      30_000,
    );
    assert.match(await retrying.locator("td").nth(6).innerText(), /in \d+ min/);
    await retrying.getByRole("button").click();
    await delivery.getByTestId("delivery-attempt").nth(1).waitFor();
    assert.match(await delivery.innerText(), /could not connect/);
    assert.match(await delivery.getByTestId("delivery-replay").innerText(), /Retry now/);
    await page.screenshot({ path: join(ARTIFACTS, "webhooks-retrying.png"), fullPage: true });

    // Back up on the same port; retried from the page, it is delivered.
    await hook.start(port);
    await delivery.getByTestId("delivery-replay").click();
    await rows.and(page.locator('[data-status="succeeded"]')).nth(1).waitFor({ timeout: 20_000 });
    await until("the receiver got the retried delivery", () => hook.received.length === 2);
    assert.ok(verifies(secret, hook.received[1]));
    assert.notEqual(hook.received[1].headers["webhook-id"], first.headers["webhook-id"]);
    // A delivered one replayed: sent again, with the same webhook-id (receivers drop repeats).
    await rows.last().getByRole("button").click();
    await delivery.getByTestId("delivery-replay").filter({ hasText: /^Replay$/ }).click();
    await until("the replay arrived", () => hook.received.length === 3);
    assert.equal(hook.received[2].headers["webhook-id"], first.headers["webhook-id"]);
    assert.ok(verifies(secret, hook.received[2]));
    await delivery.getByTestId("delivery-attempt").nth(1).waitFor();
    // Nothing has failed for good: replaying the failed ones of the last hour finds none.
    await page.getByTestId("endpoint-replay-since").selectOption({ label: "of the last hour" });
    await page.getByTestId("endpoint-replay-failed").click();
    await page.getByTestId("endpoint-notice").filter({ hasText: "No failed deliveries to replay." }).waitFor();
    const health = page.getByTestId("endpoint-rows");
    await health.getByText("100 %").waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "webhooks-replayed.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("announces an order moved on from the Orders page, and Activity shows the events", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/#/orders`);
    await page.getByTestId("empty-state").waitFor();
    await page.getByTestId("order-new").click();
    await page.getByTestId("order-customer").fill("Ana");
    await page.getByTestId("order-item-name").fill("Mango");
    await page.getByTestId("order-item-price").fill("ten");
    await page.getByTestId("order-create").click();
    assert.match(await page.getByTestId("order-form-error").innerText(), /price/);
    await page.getByTestId("order-item-price").fill("2.50");
    const before = hook.received.length;
    await page.getByTestId("order-create").click();
    const row = page.getByTestId("order-row").first();
    await row.waitFor();
    assert.match(await row.innerText(), /2\.50 USD/);
    await row.getByTestId("order-status").selectOption("confirmed");
    // The change is asked first (it tells the merchant's systems at once).
    await page.getByTestId("confirm-ok").click();
    await until("order_created and order_status_changed delivered", () => hook.received.length >= before + 2);
    const types = hook.received.slice(before).map((r) => JSON.parse(r.body));
    const change = types.find((b) => b.event_type === "order_status_changed");
    assert.ok(change, JSON.stringify(types));
    assert.equal(change.payload.previous_status, "pending");
    assert.equal(change.payload.status, "confirmed");
    assert.ok(types.some((b) => b.event_type === "order_created"));
    assert.ok(hook.received.slice(before).every((r) => verifies(secret, r)));
    await page.screenshot({ path: join(ARTIFACTS, "orders.png"), fullPage: true });

    await page.goto(`${env.server.url}/#/activity`);
    const history = page.getByTestId("activity-events");
    await history.locator('[data-event-type="order_status_changed"]').waitFor();
    await history.getByTestId("event-type-filter").selectOption("test");
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="activity-events"] [data-testid="event-row"]')].every((r) => r.getAttribute("data-event-type") === "test"),
    );
    assert.equal(await history.getByTestId("event-row").count(), 2);
    await page.screenshot({ path: join(ARTIFACTS, "activity-events.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
    await hook.stop();
  });
});
