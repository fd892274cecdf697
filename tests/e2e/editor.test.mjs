// The template editor as an owner meets it: a header photo chosen from the library (or
// uploaded from the picker) and shown in the phone preview; unsaved work kept and offered
// back, with a warning before leaving; a calm empty form; button ids and names made from
// what the owner typed; the Cloud API JSON folded away; and a walk with the keyboard alone.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CORPUS, post } from "./seed.mjs";
import { ARTIFACTS, getJson, serverAndBrowser } from "./support.mjs";
import { readFileSync } from "node:fs";

const env = serverAndBrowser();

async function newPage(width = 1366, height = 768) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The browser's own "leave the page?" before a reload with unsaved work is expected (and
  // taken); any other native dialog is a defect: the app asks in its own dialogs.
  page.on("dialog", (d) => {
    if (d.type() === "beforeunload") {
      void d.accept();
      return;
    }
    errors.push(`native dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, context, errors };
}

async function waitReady(server, id) {
  const deadline = Date.now() + 30_000;
  while ((await getJson(server, `/api/media/${id}`)).status !== "ready") {
    assert.ok(Date.now() < deadline, "the photo was processed");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the template editor, as an owner meets it", () => {
  it("picks the header photo from the library or uploads one, and the preview shows the photo", async () => {
    const photo = readFileSync(join(CORPUS, "j23_rocket.jpg")).toString("base64");
    const inLibrary = await post(env.server, "/api/media/upload", { file_data: photo, file_name: "rocket.jpg" });
    await waitReady(env.server, inLibrary.id);
    const { page, context, errors } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.getByLabel("Header type").selectOption("image");
    // No id to type: a button opens the library.
    assert.equal(await page.getByLabel("Header media id").count(), 0);
    await page.getByTestId("header-media-choose").click();
    const picker = page.getByTestId("media-picker");
    await picker.waitFor();
    await picker.locator('[data-testid="picker-tile"][data-name="rocket.jpg"]').click();
    await picker.waitFor({ state: "detached" });
    await page.getByTestId("header-media-chosen").filter({ hasText: "rocket.jpg" }).waitFor();
    const shown = page.getByTestId("preview-photo");
    await shown.waitFor();
    assert.ok(await shown.evaluate((img) => img.complete && img.naturalWidth > 0), "the preview shows the photo itself");

    // Upload from the picker: the new file is picked at once.
    await page.getByTestId("header-media-choose").click();
    await page.getByTestId("picker-file").setInputFiles(join(CORPUS, "../orient/o6_hopper.jpg"));
    await page.getByTestId("header-media-chosen").filter({ hasText: "o6_hopper.jpg" }).waitFor();
    await page.locator('[data-testid="preview-photo"][alt="o6_hopper.jpg"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "editor-header-photo.png") });
    const uploaded = (await getJson(env.server, "/api/media?limit=50")).items.find((m) => m.file_name === "o6_hopper.jpg");
    assert.ok(uploaded, "the picker's upload is in the library");
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("keeps unsaved work: leaving asks first, and the draft comes back after leaving and after a reload", async () => {
    const { page, context, errors } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.getByLabel("Name").fill("Spring Sale");
    assert.equal(await page.getByLabel("Name").inputValue(), "spring_sale", "the name is made WhatsApp's way as it is typed");
    await page.locator("#t-body").fill("Hello! Our spring sale starts on Monday, with fresh bread every morning.");
    await page.getByRole("link", { name: "Media" }).click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /kept on this device/);
    // Stay: nothing moved.
    await page.getByTestId("confirm-cancel").click();
    assert.equal(new URL(page.url()).hash, "#/templates/new");
    assert.equal(await page.getByLabel("Name").inputValue(), "spring_sale");
    // Leave, come back: the work is there.
    await page.getByRole("link", { name: "Media" }).click();
    await page.getByTestId("confirm-ok").click();
    await page.getByRole("heading", { level: 1, name: "Media" }).waitFor();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.getByTestId("draft-restored").waitFor();
    assert.equal(await page.getByLabel("Name").inputValue(), "spring_sale");
    assert.match(await page.locator("#t-body").inputValue(), /spring sale starts on Monday/);
    // A reload (or a crash) keeps it too.
    await page.reload();
    await page.getByTestId("draft-restored").waitFor();
    assert.match(await page.locator("#t-body").inputValue(), /spring sale starts on Monday/);
    await page.screenshot({ path: join(ARTIFACTS, "editor-draft-restored.png") });
    // Discarded, it is gone for good.
    await page.getByTestId("draft-discard").click();
    assert.equal(await page.locator("#t-body").inputValue(), "");
    await page.reload();
    await page.locator("#t-body").waitFor();
    assert.equal(await page.getByTestId("draft-restored").count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it("a saved template's edits come back too, and saving clears the draft", async () => {
    const list = await getJson(env.server, "/api/templates");
    const t = list.find((x) => x.name === "order_status");
    const { page, context } = await newPage();
    await page.goto(`${env.server.url}/#/templates/${t.id}`);
    await page.locator("#t-footer").fill("Thank you for shopping with us");
    await page.reload();
    await page.getByTestId("draft-restored").waitFor();
    assert.equal(await page.locator("#t-footer").inputValue(), "Thank you for shopping with us");
    await page.getByTestId("save-template").click();
    await page.getByTestId("editor-notice").filter({ hasText: "Saved as version" }).waitFor();
    await page.reload();
    await page.locator("#t-footer").waitFor();
    assert.equal(await page.getByTestId("draft-restored").count(), 0, "nothing to restore once saved");
    assert.equal(await page.locator("#t-footer").inputValue(), "Thank you for shopping with us");
    await context.close();
  });

  it("is calm: no error on the empty form, a missing example counted once, and codes and JSON folded away", async () => {
    const { page, context } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.locator("#t-body").waitFor();
    // Give the core time to answer the empty draft: its problems are not shown yet.
    await page.waitForTimeout(600);
    assert.equal(await page.locator(".field-issues li").count(), 0, "no red on a form nothing was typed in");
    assert.equal(await page.getByTestId("issue-count").count(), 0);

    await page.getByLabel("Name").fill("thanks_note");
    await page.locator("#t-body").fill("Hi {{customer_name}}, thank you for your order today.");
    await page.getByTestId("save-template").click();
    const missing = page.locator('.field-issues li[data-code="template.variable_example_missing"]');
    await missing.waitFor();
    const all = await page.locator(".field-issues li").allInnerTexts();
    assert.equal(all.filter((t) => t.includes("customer_name")).length, 1, `one problem about customer_name: ${JSON.stringify(all)}`);
    assert.match(await missing.innerText(), /example/);
    assert.doesNotMatch(await missing.innerText(), /template\./, "no developer code in the owner's line");
    assert.equal(await page.locator('.field-issues li[data-code="template.parameter_empty"]').count(), 0);
    // The JSON is folded away.
    assert.equal(await page.getByTestId("json-panel").evaluate((d) => d.open), false);
    await page.screenshot({ path: join(ARTIFACTS, "editor-calm.png") });

    // Developer mode (Settings) shows codes and opens the JSON.
    await page.goto(`${env.server.url}/#/settings`);
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("developer-mode").check();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.getByTestId("draft-restored").waitFor();
    await page.locator(".field-issues li code.issue-code").first().waitFor();
    assert.equal(await page.getByTestId("json-panel").evaluate((d) => d.open), true);
    await page.getByTestId("draft-discard").click();
    await page.goto(`${env.server.url}/#/settings`);
    await page.getByTestId("developer-mode").uncheck();
    await context.close();
  });

  it("marks a problem without hiding the underscores of {{customer_name}}", async () => {
    const { page, context } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.locator("#t-body").fill("Hi {{customer_name}}");
    const mark = page.locator(".marked-backdrop mark").first();
    await mark.waitFor();
    const style = await mark.evaluate((m) => {
      const s = getComputedStyle(m);
      return { border: s.borderBottomStyle, offset: parseFloat(s.textUnderlineOffset), size: parseFloat(s.fontSize) };
    });
    assert.equal(style.border, "none", "no border over the text's foot");
    assert.ok(style.offset >= style.size * 0.3, `the line sits below the descenders: ${JSON.stringify(style)}`);
    await context.close();
  });

  it("makes a reply button's id from its label, and a new button takes focus", async () => {
    const { page, context } = await newPage();
    await page.goto(`${env.server.url}/#/templates/new`);
    await page.getByLabel("Type", { exact: true }).selectOption("buttons");
    await page.getByRole("button", { name: "Add a button" }).click();
    const label = page.getByLabel("Button 1 label");
    assert.ok(await label.evaluate((el) => el === document.activeElement), "the new button's label has focus");
    await page.keyboard.type("Order Shipped");
    assert.equal(await page.getByLabel("Button 1 id").inputValue(), "order_shipped");
    // An id written by hand stays.
    await page.getByLabel("Button 1 id").fill("track_order");
    await label.fill("Track my order");
    assert.equal(await page.getByLabel("Button 1 id").inputValue(), "track_order");
    await context.close();
  });

  it("can be written and saved with the keyboard alone", async () => {
    const { page, context, errors } = await newPage(1024, 640);
    await page.goto(`${env.server.url}/#/templates`);
    await page.getByTestId("new-template").focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "New template" }).waitFor();
    /** Tabs until `id`'s element has focus (at most 40 presses), naming where it went if not. */
    const tabTo = async (selector) => {
      for (let i = 0; i < 40; i++) {
        if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
        await page.keyboard.press("Tab");
      }
      assert.fail(`Tab never reached ${selector}`);
    };
    await tabTo("#t-name");
    await page.keyboard.type("keyboard_note");
    await tabTo("#t-body");
    await page.keyboard.type("Hello {{customer_name}}, your bread is ready to collect today.");
    await tabTo('[data-testid="example-customer_name"]');
    await page.keyboard.type("Amina");
    await page.waitForFunction(() => document.querySelector('[data-testid="preview-body"]')?.textContent?.includes("Hello Amina"));
    await tabTo('[data-testid="save-template"]');
    assert.ok(await page.getByTestId("save-template").evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight), "Save is in view when focused");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/templates\/[0-9a-f-]{36}$/);
    const saved = (await getJson(env.server, "/api/templates")).find((t) => t.name === "keyboard_note");
    assert.ok(saved, "saved from the keyboard");
    assert.deepEqual(saved.variables, [{ name: "customer_name", example: "Amina" }]);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
