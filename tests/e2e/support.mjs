// What the end-to-end tests share: the real botdesk binaries, a server each test starts on a
// free port with its own temp data dir (and always stops), Debian's Chromium, and a folder for
// screenshots.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BOTDESK = join(ROOT, "target/debug/botdesk");
export const DESKTOP = join(ROOT, "target/debug/botdesk-desktop");
export const ARTIFACTS = join(ROOT, "tests/e2e/artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

/** A port free on 127.0.0.1 just now (for a server that must be told its port). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `botdesk-e2e-${name}-`));
}

/** Runs `botdesk --data-dir DIR …args` to completion. */
export function botdesk(dataDir, ...args) {
  const result = spawnSync(BOTDESK, ["--data-dir", dataDir, ...args], { encoding: "utf8", timeout: 60_000 });
  if (result.error) throw result.error;
  return result;
}

/** Resolves with the first line matching `pattern` on `stream`, or rejects after `ms`. */
function waitForLine(stream, pattern, ms, what) {
  return new Promise((resolveLine, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`${what}: nothing matched ${pattern} within ${ms} ms`)), ms);
    stream.on("data", (chunk) => {
      buffer += chunk.toString();
      const match = buffer.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolveLine(match);
      }
    });
  });
}

/**
 * Starts `botdesk serve` on 127.0.0.1 (a free port unless `port` is given) over `dataDir`.
 * Returns { url, port, dataDir, log(), stop() }; stop() sends SIGTERM and resolves with the
 * exit code (killing the process if it does not exit within 20 s).
 */
export async function startServer(dataDir = tempDir("data"), port = 0, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  delete env.BOTDESK_LISTEN;
  const child = spawn(BOTDESK, ["--data-dir", dataDir, "serve", "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  let log = "";
  child.stderr.on("data", (chunk) => {
    log += chunk.toString();
  });
  const exited = new Promise((resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal })));
  const match = await Promise.race([
    waitForLine(child.stdout, /botdesk listening on (http:\/\/127\.0\.0\.1:(\d+))/, 30_000, "botdesk serve"),
    exited.then(({ code }) => {
      throw new Error(`botdesk serve exited (${code}) before listening:\n${log}`);
    }),
  ]);
  let stopped = null;
  return {
    url: match[1],
    port: Number(match[2]),
    dataDir,
    log: () => log,
    stop() {
      stopped ??= (async () => {
        child.kill("SIGTERM");
        const timeout = new Promise((resolveTimeout) => setTimeout(() => resolveTimeout(null), 20_000));
        const result = await Promise.race([exited, timeout]);
        if (result === null) {
          child.kill("SIGKILL");
          throw new Error(`botdesk serve did not exit within 20 s of SIGTERM:\n${log}`);
        }
        return result.code;
      })();
      return stopped;
    },
  };
}

/** Debian's Chromium, headless, with a fresh profile and no background traffic. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** GET `path` from the server as JSON (with `key` as bearer when given). */
export async function getJson(server, path, key) {
  const response = await fetch(`${server.url}${path}`, {
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function putJson(server, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One `botdesk serve` (fresh data dir, `extraEnv` added to its environment) and one Chromium
 * for a whole test file: started before
 * its first test, stopped (the server must exit 0) and cleaned up after its last. Returns an
 * object whose `server` and `browser` are set once they run.
 */
export function serverAndBrowser(extraEnv = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    env.browser = await launchBrowser();
    env.server = await startServer(undefined, 0, extraEnv);
  });
  after(async () => {
    await env.browser?.close();
    if (env.server) {
      assert.equal(await env.server.stop(), 0);
      cleanup(env.server.dataDir);
    }
  });
  return env;
}
