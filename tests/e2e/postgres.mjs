// A real PostgreSQL for the sync end-to-end test, as tests/it/pg.rs starts one: Debian's server
// binaries, a cluster in a temp dir on a free port of 127.0.0.1, Supabase's auth schema and
// roles recreated, botdesk's migrations applied with psql. Stopped and removed by the test.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, freePort } from "./support.mjs";

function binDir() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) throw new Error("PostgreSQL is not installed (make test installs Debian's postgresql)");
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "postgres")))
    .sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql");
  return join(base, versions.at(-1), "bin");
}

const isRoot = () => process.getuid?.() === 0;

/** `program args` as the postgres user when we are root (PostgreSQL refuses to run as root). */
function asServerUser(program, args) {
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
  const out = spawnSync(cmd, argv, { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`${program} ${args.join(" ")} failed: ${out.stderr}`);
  return out.stdout;
}

export async function startPostgres() {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "botdesk-e2e-pg-"));
  if (isRoot()) {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, "data");
  asServerUser(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pg = {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start() {
      asServerUser(join(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
    },
    stop() {
      spawnSync(...(isRoot() ? ["runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]] : [join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]]));
    },
    /** Runs SQL with psql; returns its unaligned output. */
    sql(text) {
      return execFileSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-c", text], { encoding: "utf8" }).trim();
    },
    file(path) {
      execFileSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-f", path], { encoding: "utf8" });
    },
    remove() {
      pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  pg.start();
  pg.file(join(ROOT, "tests/it/fixtures/supabase_auth.sql"));
  const migrations = join(ROOT, "supabase/migrations");
  for (const f of readdirSync(migrations).filter((f) => f.endsWith(".sql")).sort()) pg.file(join(migrations, f));
  return pg;
}
