// A shop as it is after a day, made through the public API: what the owner-facing suites open.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, getJson } from "./support.mjs";

export const CORPUS = join(ROOT, "../shared/media-corpus/photos");

/** POST `body` as JSON; the answer's JSON, or an error naming the status. */
export async function post(server, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

/** What a shop has after a day: a photo on a product, an endpoint that failed, an order, a failed job. */
export async function seed(srv) {
  const merchant = await post(srv, "/api/merchants", { name: "Amina's Bakery" });
  const product = await post(srv, "/api/products", { name: "Sourdough loaf", merchant_id: merchant.id });
  const photo = readFileSync(join(CORPUS, "j23_rocket.jpg")).toString("base64");
  const media = await post(srv, "/api/media/upload", { file_data: photo, file_name: "loaf.jpg", merchant_id: merchant.id });
  // Wait for its variants, so that the detail shows them.
  const deadline = Date.now() + 30_000;
  while ((await getJson(srv, `/api/media/${media.id}`)).status !== "ready") {
    assert.ok(Date.now() < deadline, "the photo was processed");
    await new Promise((r) => setTimeout(r, 100));
  }
  await fetch(`${srv.url}/api/media/${media.id}/products/${product.id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ primary: true }),
  });
  // An endpoint nothing listens on: its test delivery fails and waits for a retry.
  const hook = await post(srv, "/api/webhooks", { merchant_id: merchant.id, url: "http://127.0.0.1:9/hooks", description: "Orders to the till" });
  await post(srv, `/api/webhooks/${hook.webhook.id}/test`);
  const order = await post(srv, "/api/orders", {
    merchant_id: merchant.id,
    customer_name: "Amina",
    customer_phone: "+254712345678",
    items: [{ product_id: product.id, name: "Sourdough loaf", quantity: 2, unit_price_minor: 450 }],
  });
  const job = await post(srv, "/api/queues/order_processing/jobs", {
    name: "probe",
    payload: { note: "a job that fails", fail_attempts: 5 },
    options: { max_attempts: 1 },
  });
  let delivery = null;
  while (delivery === null) {
    const page = await getJson(srv, `/api/webhooks/${hook.webhook.id}/deliveries`);
    if (page.items.length > 0 && page.items[0].attempts > 0) delivery = page.items[0];
    else await new Promise((r) => setTimeout(r, 100));
    assert.ok(Date.now() < deadline + 30_000, "the test delivery was attempted");
  }
  const templates = await getJson(srv, "/api/templates");
  return { merchant, product, media, hook: hook.webhook, delivery, order, job, template: templates[0] };
}

