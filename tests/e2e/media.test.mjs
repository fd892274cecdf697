// The media library in Chromium against a real `botdesk serve`: several corpus photos dropped
// on the page at once, their upload and processing watched until the thumbnails appear, a
// refused file shown with its reason, a sideways photo opened and its variant checked for
// EXIF and orientation, a product linked, and the photo deleted.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ARTIFACTS, ROOT, getJson, serverAndBrowser } from "./support.mjs";

const CORPUS = join(ROOT, "../shared/media-corpus");
const env = serverAndBrowser();

/** A corpus file as what the page's drop handler receives. */
function corpusFile(path, type) {
  const full = join(CORPUS, path);
  return { name: path.split("/").pop(), type, data: readFileSync(full).toString("base64") };
}

/** Drops `files` on the drop zone, as a person dragging them from a file manager does. */
async function dropFiles(page, files) {
  const transfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  const zone = page.getByTestId("drop-zone");
  await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

describe("the media library", () => {
  it("takes dropped photos, processes them live, shows one upright and clean, and deletes it", async () => {
    assert.ok(existsSync(CORPUS), `the shared media corpus is missing: ${CORPUS}`);
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${env.server.url}/#/media`);
    await page.getByTestId("empty-state").waitFor();

    await dropFiles(page, [
      corpusFile("orient/o6_hopper.jpg", "image/jpeg"),
      corpusFile("photos/j13_cups_sony.jpg", "image/jpeg"),
      corpusFile("photos/p05_dice_alpha.png", "image/png"),
      corpusFile("photos/j08_picos_8mp_o6.jpg", "image/jpeg"),
      corpusFile("bad/svg_script.svg", "image/svg+xml"),
    ]);

    // Every file gets a row; the SVG is refused with its reason, the photos go on to be ready.
    const row = (name) => page.locator(`[data-testid="upload-row"][data-name="${name}"]`);
    await row("svg_script.svg").and(page.locator('[data-phase="refused"]')).waitFor();
    assert.equal(await row("svg_script.svg").locator('[data-code="media.unsupported_type"]').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, "media-uploading.png"), fullPage: true });
    for (const name of ["o6_hopper.jpg", "j13_cups_sony.jpg", "p05_dice_alpha.png", "j08_picos_8mp_o6.jpg"]) {
      await row(name).and(page.locator('[data-phase="ready"]')).waitFor({ timeout: 60_000 });
    }

    // The grid fills in with thumbnails, without a reload.
    const tile = (name) => page.locator(`[data-testid="media-tile"][data-name="${name}"]`);
    for (const name of ["o6_hopper.jpg", "j13_cups_sony.jpg", "p05_dice_alpha.png", "j08_picos_8mp_o6.jpg"]) {
      await tile(name).and(page.locator('[data-status="ready"]')).getByTestId("media-thumb").waitFor();
    }
    assert.equal(await page.getByTestId("media-tile").count(), 4);
    await page.screenshot({ path: join(ARTIFACTS, "media-grid.png"), fullPage: true });

    // The photo with GPS data: the detail says it was removed.
    await tile("j13_cups_sony.jpg").click();
    await page.getByTestId("metadata-notice").filter({ hasText: "Location data removed" }).waitFor();
    assert.equal(await page.getByTestId("variant-row").count(), 3);

    // The sideways hopper: its medium variant has no EXIF and is upright.
    await tile("o6_hopper.jpg").click();
    await page.getByRole("heading", { name: "o6_hopper.jpg" }).waitFor();
    await page.getByTestId("media-preview").waitFor();
    const id = page.url().split("/").pop();
    const media = await getJson(env.server, `/api/media/${id}`);
    const medium = media.variants.find((v) => v.name === "medium");
    const jpeg = medium.files.find((f) => f.format === "jpeg");
    const response = await fetch(`${env.server.url}${jpeg.url}`);
    assert.equal(response.headers.get("content-type"), "image/jpeg");
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(bytes.includes(Buffer.from("Exif")), false, "the variant carries no EXIF");
    const reference = readFileSync(join(CORPUS, "orient/o1_hopper_reference.png")).toString("base64");
    // Compared in the browser: the variant must match the upright reference, and not the
    // reference turned a quarter, a half or three quarters (what a missed or wrong turn gives).
    const diff = await page.evaluate(
      async ({ variant, reference }) => {
        const pixels = async ([type, base64], quarterTurns = 0) => {
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          const bitmap = await createImageBitmap(new Blob([bytes], { type }));
          const canvas = new OffscreenCanvas(32, 32);
          const cx = canvas.getContext("2d");
          cx.translate(16, 16);
          cx.rotate((quarterTurns * Math.PI) / 2);
          cx.drawImage(bitmap, -16, -16, 32, 32);
          return cx.getImageData(0, 0, 32, 32).data;
        };
        const mean = (a, b) => {
          let sum = 0;
          for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] - b[i + c]);
          return sum / ((a.length / 4) * 3);
        };
        const v = await pixels(["image/jpeg", variant]);
        const ref = ["image/png", reference];
        const turned = [];
        for (const q of [1, 2, 3]) turned.push(mean(v, await pixels(ref, q)));
        return { upright: mean(v, await pixels(ref)), turned: Math.min(...turned) };
      },
      { variant: bytes.toString("base64"), reference },
    );
    assert.ok(diff.upright < 12, `the variant matches the upright reference (${diff.upright.toFixed(1)} levels off)`);
    assert.ok(diff.turned > diff.upright * 3, `and no turned version of it (${JSON.stringify(diff)})`);
    await page.screenshot({ path: join(ARTIFACTS, "media-detail.png"), fullPage: true });

    // Linked to a product, it is in use; the unused filter leaves it out.
    const product = await fetch(`${env.server.url}/api/products`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Hopper print" }),
    }).then((r) => r.json());
    await page.reload();
    await page.getByTestId("link-product").selectOption(product.id);
    await page.getByTestId("link-product-button").click();
    await page.getByTestId("media-uses").filter({ hasText: "Hopper print" }).waitFor();
    await page.getByTestId("filter-unused").check();
    await tile("o6_hopper.jpg").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("media-tile").count(), 3);
    await page.getByTestId("filter-unused").uncheck();

    // Deleted, with the app's own confirmation naming what uses it.
    await page.getByTestId("delete-media").click();
    const question = await page.getByTestId("confirm-dialog").textContent();
    await page.getByTestId("confirm-ok").click();
    await tile("o6_hopper.jpg").waitFor({ state: "detached" });
    assert.match(question, /Hopper print/);
    const gone = await fetch(`${env.server.url}/api/media/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(await page.getByTestId("media-tile").count(), 3);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
