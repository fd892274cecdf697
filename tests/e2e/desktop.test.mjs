// The real desktop binary, under a display, driven through tauri-driver and WebKitWebDriver
// (W3C WebDriver over HTTP, spoken directly here): it starts, shows the app frame, opens
// Settings and shows the schema version of its store; a screenshot is saved.
//
// It fails, never skips, when the display, tauri-driver or WebKitWebDriver is missing: `make
// test` provides them (Xvfb through xvfb-run, tauri-driver from crates.io, Debian's
// webkit2gtk-driver).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ARTIFACTS, DESKTOP, ROOT, botdesk, cleanup, freePort, tempDir } from "./support.mjs";

/** Sends `signal` to the process group led by `pid`; a group already gone is fine. */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== "ESRCH") throw error;
  }
}

const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** A minimal W3C WebDriver client: the handful of commands this test needs. */
class WebDriver {
  constructor(base) {
    this.base = base;
    this.session = null;
  }

  async request(method, path, body) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(60_000),
    });
    const payload = await response.json();
    if (!response.ok || payload.value?.error) {
      const error = new Error(`${method} ${path}: ${payload.value?.error ?? response.status}: ${payload.value?.message ?? ""}`);
      error.webdriver = payload.value?.error;
      throw error;
    }
    return payload.value;
  }

  async start(application) {
    const value = await this.request("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    this.session = value.sessionId;
  }

  cmd(method, path, body) {
    return this.request(method, `/session/${this.session}${path}`, body);
  }

  /** The element for `css`, waiting up to `ms` for it to appear. */
  async find(css, ms = 30_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        const element = await this.cmd("POST", "/element", { using: "css selector", value: css });
        return Object.values(element)[0];
      } catch (error) {
        if (error.webdriver !== "no such element" || Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
  }

  async text(element) {
    return this.cmd("GET", `/element/${element}/text`);
  }

  async click(element) {
    await this.cmd("POST", `/element/${element}/click`, {});
  }

  /** Waits until the element for `css` shows text matching `pattern` (found again each time:
   * a re-render may replace the element). Returns the text. */
  async waitText(css, pattern, ms = 15_000) {
    const deadline = Date.now() + ms;
    let last = "";
    for (;;) {
      try {
        last = await this.text(await this.find(css, 1_000));
        if (pattern.test(last)) return last;
      } catch (error) {
        if (!/stale element|no such element/.test(String(error))) throw error;
      }
      if (Date.now() > deadline) throw new Error(`${css} never showed ${pattern}; last: ${JSON.stringify(last)}`);
      await sleep(100);
    }
  }

  async clear(element) {
    await this.cmd("POST", `/element/${element}/clear`, {});
  }

  async type(element, text) {
    await this.cmd("POST", `/element/${element}/value`, { text });
  }

  async screenshot(file) {
    // WebKit may still show the previous frame right after a DOM change: let it paint.
    await sleep(700);
    const png = await this.cmd("GET", "/screenshot");
    writeFileSync(file, Buffer.from(png, "base64"));
  }

  async quit() {
    if (this.session) await this.request("DELETE", `/session/${this.session}`).catch(() => {});
    this.session = null;
  }
}

/**
 * Starts tauri-driver (and through it the app) with BOTDESK_DATA_DIR=`dataDir`: the app is
 * started by WebKitWebDriver, which passes tauri-driver's environment on (the `env` of a
 * session's capabilities is not). Returns { driver, stop() }.
 */
async function startApp(dataDir) {
  const port = await freePort();
  const nativePort = await freePort();
  let log = "";
  // Its own process group: tauri-driver, its WebKitWebDriver and the app it starts are all
  // stopped together, so none outlives the test (a survivor holding our pipes would keep this
  // file's process alive long after its last test passed).
  const process_ = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    stdio: ["ignore", "pipe", "pipe"],
    // Loopback endpoints allowed: the webhook check delivers to a receiver on this machine.
    env: { ...process.env, BOTDESK_DATA_DIR: dataDir, BOTDESK_WEBHOOKS_ALLOW_LOCALHOST: "1" },
    detached: true,
  });
  process_.stdout.on("data", (c) => (log += c));
  process_.stderr.on("data", (c) => (log += c));
  const driver = new WebDriver(`http://127.0.0.1:${port}`);
  const exited = new Promise((r) => process_.on("exit", r));
  const stop = async () => {
    await driver.quit();
    // SIGTERM first: tauri-driver then stops its WebKitWebDriver itself. Then whatever of the
    // group is left, by force.
    killGroup(process_.pid, "SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    killGroup(process_.pid, "SIGKILL");
    process_.stdout.destroy();
    process_.stderr.destroy();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await driver.request("GET", "/status");
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`tauri-driver did not answer within 30 s: ${error}\n${log}`);
      }
      await sleep(200);
    }
  }
  await driver.start(DESKTOP);
  return { driver, stop };
}

describe("the desktop app", () => {
  let app;
  let driver;
  let dataDir;
  let expectedSchema;

  before(async () => {
    assert.ok(process.env.DISPLAY, "no display: run this under Xvfb (make test does: xvfb-run -a)");
    assert.ok(existsSync(DESKTOP), `the desktop binary is not built: ${DESKTOP} (make test builds it)`);
    const which = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    assert.ok(which("tauri-driver"), "tauri-driver is not installed (make test installs it)");
    assert.ok(which("WebKitWebDriver"), "WebKitWebDriver is not installed (Debian package webkit2gtk-driver)");

    dataDir = tempDir("desktop");
    // The schema version a store gets from this build, asked of the CLI on another data dir.
    const probeDir = tempDir("probe");
    const migrated = botdesk(probeDir, "migrate");
    assert.equal(migrated.status, 0, migrated.stderr);
    expectedSchema = migrated.stdout.match(/schema version (\d+)/)[1];
    cleanup(probeDir);

    app = await startApp(dataDir);
    driver = app.driver;
  });

  after(async () => {
    await app?.stop();
    if (dataDir) cleanup(dataDir);
  });

  it("starts, shows the frame, and reports its store's schema version on Settings", async (t) => {
    t.after(async () => {
      // What the window showed when the test ended, pass or fail.
      await driver.screenshot(join(ARTIFACTS, "desktop-last.png")).catch(() => {});
    });
    const nav = await driver.find('[data-testid="nav-settings"]', 60_000);
    assert.match(await driver.text(await driver.find('[data-testid="nav-templates"]')), /Templates/);
    await driver.find('[data-testid="template-card"]');
    await driver.screenshot(join(ARTIFACTS, "desktop-templates.png"));
    await driver.click(nav);
    const schema = await driver.find('[data-testid="info-schema-version"]');
    // Wait for the text, not just the element: a screenshot right after a DOM change can show
    // the previous frame.
    const deadline = Date.now() + 15_000;
    while ((await driver.text(schema)) !== expectedSchema && Date.now() < deadline) await sleep(100);
    assert.equal(await driver.text(schema), expectedSchema);
    assert.equal(await driver.text(await driver.find('[data-testid="info-shell"]')), "desktop app");
    assert.equal(await driver.text(await driver.find('[data-testid="info-data-dir"]')), dataDir);
    assert.equal(await driver.text(await driver.find('[data-testid="http-api-status"]')), "Not serving.");
    await driver.screenshot(join(ARTIFACTS, "desktop-settings.png"));
    assert.ok(existsSync(join(dataDir, "botdesk.db")), "the store is in the data dir it was given");
  });

  it("is a single instance per data dir: a second launch hands over and exits", async () => {
    assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, "no D-Bus session: run under dbus-run-session (make test does)");
    // Starts the app on `dir`; after `ms`, if it still runs, asks it to quit (SIGTERM) and waits
    // for that: "still running" then means it ran and quit cleanly when asked.
    const launch = (dir, ms) =>
      new Promise((resolveRun) => {
        const child = spawn(DESKTOP, [], { env: { ...process.env, BOTDESK_DATA_DIR: dir }, stdio: "ignore" });
        let asked = false;
        const timer = setTimeout(() => {
          asked = true;
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
        }, ms);
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          resolveRun(asked ? (code === 0 ? "still running" : `quit badly: ${code ?? signal}`) : code);
        });
      });
    const started = Date.now();
    assert.equal(await launch(dataDir, 20_000), 0, "the second window on the same data dir exits at once");
    assert.ok(Date.now() - started < 10_000);
    const other = tempDir("desktop-other");
    try {
      assert.equal(await launch(other, 5_000), "still running", "another data dir is another instance");
    } finally {
      cleanup(other);
    }
  });

  it("edits a template in the desktop window: live preview and a saved version", async () => {
    // order_status, a default template (its id is the same in every store).
    await driver.click(await driver.find('[data-testid="nav-templates"]'));
    await driver.click(await driver.find('a[href="#/templates/5e0d7a1c-0001-4000-8000-000000000003"]'));
    const body = await driver.find("#t-body");
    // The saved template must have loaded (else it would overwrite the emptied field).
    await driver.waitText('[data-testid="preview-body"]', /here is an update on your order/);
    // Empty it through the input event the app listens to (WebDriver's Element Clear does not
    // always reach it), then type with real keystrokes.
    await driver.cmd("POST", "/execute/sync", {
      script: `const area = document.getElementById("t-body");
               Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set.call(area, "");
               area.dispatchEvent(new Event("input", { bubbles: true }));`,
      args: [],
    });
    await driver.waitText('[data-testid="preview-body"]', /appears here/);
    await driver.type(body, "Hi {{customer_name}}, your order {{order_id}} is packed and leaves the shop today.");
    await driver.waitText('[data-testid="preview-body"]', /^Hi Amina, your order ORD-10482 is packed and leaves the shop today\.$/);
    await driver.screenshot(join(ARTIFACTS, "desktop-template-editor.png"));
    await driver.click(await driver.find('[data-testid="save-template"]'));
    await driver.waitText('[data-testid="editor-notice"]', /Saved as version 2/);
    await driver.waitText('[data-testid="editor-version"]', /version 2/);
  });

  it("runs a test job from the Queues page through the desktop commands", async () => {
    await driver.click(await driver.find('[data-testid="nav-queues"]'));
    await driver.click(await driver.find('[data-testid="queue-card-order_processing"] a'));
    await driver.waitText('[data-testid="count-order_processing-completed"]', /^0$/);
    await driver.click(await driver.find('[data-testid="probe-open"]'));
    await driver.click(await driver.find('[data-testid="probe-send"]'));
    await driver.waitText('[data-testid="count-order_processing-completed"]', /^1$/);
    await driver.click(await driver.find('[data-testid="job-row"] a'));
    await driver.waitText('[data-testid="job-state"]', /^completed$/);
    await driver.screenshot(join(ARTIFACTS, "desktop-queues.png"));
  });

  it("creates a webhook endpoint and delivers a test event through the desktop commands", async () => {
    const received = [];
    const receiver = createHttpServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(204).end();
      });
    });
    await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      await driver.click(await driver.find('[data-testid="nav-webhooks"]'));
      await driver.click(await driver.find('[data-testid="endpoint-new"]'));
      await driver.type(await driver.find('[data-testid="endpoint-merchant-name"]'), "Desk Shop");
      await driver.type(await driver.find('[data-testid="endpoint-url"]'), `http://127.0.0.1:${receiver.address().port}/hook`);
      await driver.click(await driver.find('[data-testid="endpoint-create"]'));
      await driver.waitText('[data-testid="secret-value"]', /^whsec_/);
      await driver.click(await driver.find('[data-testid="secret-done"]'));
      await driver.click(await driver.find('[data-testid="endpoint-test"]'));
      await driver.find('[data-testid="delivery-row"][data-status="succeeded"]', 20_000);
      assert.equal(received.length, 1);
      assert.equal(JSON.parse(received[0].body).event_type, "test");
      assert.match(received[0].headers["webhook-signature"], /^v1,/);
      await driver.screenshot(join(ARTIFACTS, "desktop-webhooks.png"));
    } finally {
      receiver.closeAllConnections();
      await new Promise((r) => receiver.close(r));
    }
  });

  it("takes a photo dropped on the window, read from disk by the app, and shows its thumbnail", async () => {
    const photo = join(ROOT, "../shared/media-corpus/orient/o6_hopper.jpg");
    assert.ok(existsSync(photo), `the shared media corpus is missing: ${photo}`);
    await driver.click(await driver.find('[data-testid="nav-media"]'));
    await driver.find('[data-testid="drop-zone"]');
    // What the window does when a file manager drops a file on it: Tauri's drag-drop event
    // with the file's path (the OS drag itself cannot be driven through WebDriver).
    const sent = await driver.cmd("POST", "/execute/async", {
      script: `const done = arguments[arguments.length - 1];
               window.__TAURI_INTERNALS__
                 .invoke("plugin:event|emit", { event: "tauri://drag-drop", payload: { paths: [arguments[0]], position: { x: 40, y: 40 } } })
                 .then(() => done("sent"), (e) => done("failed: " + String(e)));`,
      args: [photo],
    });
    assert.equal(sent, "sent");
    await driver.waitText('[data-testid="upload-row"]', /Ready/, 60_000);
    await driver.find('[data-testid="media-tile"][data-status="ready"] [data-testid="media-thumb"]', 30_000);
    await driver.screenshot(join(ARTIFACTS, "desktop-media.png"));
  });

  it("serves the HTTP API on 127.0.0.1 only while the setting is on, and stops it on quit", async () => {
    const port = await freePort();
    const health = () =>
      fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        () => "refused",
      );
    assert.equal(await health(), "refused", "off by default");
    await driver.click(await driver.find('[data-testid="nav-settings"]'));
    const portInput = await driver.find("#http-api-port");
    await driver.clear(portInput);
    await driver.type(portInput, String(port));
    await driver.click(await driver.find("#http-api-enabled"));
    await driver.click(await driver.find(".settings-form button[type=submit]"));
    const status = await driver.find('[data-testid="http-api-status"]');
    const deadline = Date.now() + 15_000;
    while (!(await driver.text(status)).includes(`127.0.0.1:${port}`) && Date.now() < deadline) await sleep(200);
    assert.equal(await driver.text(status), `Serving now at http://127.0.0.1:${port}/api`);
    await driver.screenshot(join(ARTIFACTS, "desktop-http-api-on.png"));
    assert.equal(await health(), 200, "the bot on this machine can call it");

    await driver.click(await driver.find("#http-api-enabled"));
    await driver.click(await driver.find(".settings-form button[type=submit]"));
    while ((await driver.text(status)) !== "Not serving." && Date.now() < deadline + 15_000) await sleep(200);
    assert.equal(await health(), "refused", "switched off again");

    await driver.click(await driver.find("#http-api-enabled"));
    await driver.click(await driver.find(".settings-form button[type=submit]"));
    while (!(await driver.text(status)).includes("Serving") && Date.now() < deadline + 30_000) await sleep(200);
    assert.equal(await health(), 200);
    await driver.quit();
    const closed = Date.now() + 15_000;
    while ((await health()) !== "refused" && Date.now() < closed) await sleep(200);
    assert.equal(await health(), "refused", "quitting the app stops its HTTP API");
  });

  it("shows why it cannot start on a damaged store, and leaves the file alone", async () => {
    const broken = tempDir("desktop-broken");
    const garbage = Buffer.from("this is not a database, it is a shopping list\n".repeat(50));
    writeFileSync(join(broken, "botdesk.db"), garbage);
    try {
      const second = await startApp(broken);
      try {
        const screen = await second.driver.find('[data-testid="startup-error"]');
        const text = await second.driver.text(screen);
        assert.match(text, /botdesk could not start/);
        assert.match(text, /store\.not_a_database/);
        assert.match(text, /left untouched/);
        await second.driver.screenshot(join(ARTIFACTS, "desktop-startup-error.png"));
      } finally {
        await second.stop();
      }
      assert.deepEqual(readFileSync(join(broken, "botdesk.db")), garbage);
    } finally {
      cleanup(broken);
    }
  });

  it("quits cleanly on SIGTERM, saving its window state, and restores it on the next start", async () => {
    const dir = tempDir("desktop-window");
    try {
      const child = spawn(DESKTOP, [], { env: { ...process.env, BOTDESK_DATA_DIR: dir }, stdio: ["ignore", "ignore", "pipe"] });
      let log = "";
      child.stderr.on("data", (c) => (log += c));
      const exited = new Promise((r) => child.on("exit", (code, signal) => r({ code, signal })));
      const deadline = Date.now() + 30_000;
      // Started, and its signal handlers are in place: a SIGTERM now is heard.
      while (!log.includes("listening for SIGINT and SIGTERM") && Date.now() < deadline) await sleep(100);
      assert.match(log, /desktop app started/);
      assert.match(log, /listening for SIGINT and SIGTERM/);
      child.kill("SIGTERM");
      const result = await Promise.race([exited, sleep(15_000).then(() => "timeout")]);
      assert.deepEqual(result, { code: 0, signal: null }, `a clean exit on SIGTERM:\n${log}`);
      assert.match(log, /desktop app stopped/);
      const saved = JSON.parse(readFileSync(join(dir, "window-state.json"), "utf8"));
      assert.equal(saved.main.width, 1200, JSON.stringify(saved));
      assert.equal(saved.main.height, 800);

      // The owner made the window smaller and moved it; the next start shows it that way.
      saved.main.width = 1000;
      saved.main.height = 640;
      saved.main.x = 40;
      saved.main.y = 30;
      writeFileSync(join(dir, "window-state.json"), JSON.stringify(saved));
      const again = await startApp(dir);
      try {
        await again.driver.find('[data-testid="nav-settings"]');
        const rect = await again.driver.cmd("GET", "/window/rect");
        assert.equal(rect.width, 1000, JSON.stringify(rect));
        assert.equal(rect.height, 640, JSON.stringify(rect));
        await again.driver.screenshot(join(ARTIFACTS, "desktop-restored-window.png"));
      } finally {
        await again.stop();
      }
    } finally {
      cleanup(dir);
    }
  });
});
