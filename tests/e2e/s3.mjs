// A real S3 server for the Storage end-to-end test, as tests/it/s3.rs starts one: s3s-fs (an
// S3 implementation over a folder, from crates.io; make test installs it) on a free port of
// 127.0.0.1, with SigV4 keys and one empty bucket. Stopped and removed by the test.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support.mjs";

export const ACCESS_KEY = "botdesk-e2e-access-key";
export const SECRET_KEY = "botdesk-e2e-secret-key-not-a-real-one";
export const BUCKET = "botdesk-media";

function binary() {
  const installed = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", "s3s-fs");
  return existsSync(installed) ? installed : "s3s-fs";
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

export async function startS3() {
  const dir = mkdtempSync(join(tmpdir(), "botdesk-e2e-s3-"));
  mkdirSync(join(dir, BUCKET));
  const port = await freePort();
  const child = spawn(binary(), ["--host", "127.0.0.1", "--port", String(port), "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, dir], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 20_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("s3s-fs did not start (make test installs it: cargo install s3s-fs)");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    /** The bytes the bucket holds under `key`, or null. */
    object(key) {
      const path = join(dir, BUCKET, key);
      return existsSync(path) ? readFileSync(path) : null;
    },
    remove() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
