//! A real PostgreSQL for the sync tests, started by the test itself: Debian's server binaries,
//! a cluster in a temp dir (initdb), listening on 127.0.0.1 on a free port, stopped and removed
//! when dropped. Supabase's `auth` schema and roles are recreated (fixtures/supabase_auth.sql)
//! and botdesk's migrations applied with psql, as the docs tell an owner to.
//!
//! PostgreSQL refuses to run as root; under root (CI) the cluster belongs to the `postgres`
//! system user the package creates, and the server runs as that user.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Pg {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    options: String,
}

/// The newest installed server's bin directory (/usr/lib/postgresql/<version>/bin).
fn bin_dir() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed (make test installs Debian's postgresql)")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no PostgreSQL server binaries under /usr/lib/postgresql")
        .1
}

fn is_root() -> bool {
    // `id -u` rather than libc: the tests stay free of unsafe code.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program args…`, as the `postgres` user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

impl Pg {
    /// A fresh cluster with Supabase's auth schema and botdesk's migrations applied.
    pub fn start() -> Pg {
        let pg = Pg::start_bare();
        pg.psql_file(&fixture("supabase_auth.sql"));
        pg.apply_migrations();
        pg
    }

    /// A fresh cluster with Supabase's auth schema and botdesk's migrations, serving TLS with
    /// a certificate for 127.0.0.1 made for it (`tls_cert()`), and a login role `syncer`
    /// (allowed to act as `authenticated`) that may connect over TLS only.
    pub fn start_tls() -> Pg {
        let pg = Pg::start_bare_with(true);
        pg.psql_file(&fixture("supabase_auth.sql"));
        pg.apply_migrations();
        pg.admin()
            .batch_execute("CREATE ROLE syncer LOGIN; GRANT authenticated TO syncer;")
            .expect("the TLS-only role");
        pg
    }

    /// The CA that signed a TLS cluster's certificate (a PEM file).
    pub fn tls_cert(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// A fresh cluster with nothing of botdesk's.
    pub fn start_bare() -> Pg {
        Pg::start_bare_with(false)
    }

    fn start_bare_with(tls: bool) -> Pg {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("botdesk-pg-")
            .tempdir()
            .expect("a temp dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the cluster dir to postgres");
        }
        let data = dir.path().join("data");
        let out = as_server_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c max_connections=50",
            dir.path().display()
        );
        if tls {
            let (crt, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
            let (ca, ca_key) = (dir.path().join("ca.crt"), dir.path().join("ca.key"));
            let csr = dir.path().join("server.csr");
            let ext = dir.path().join("server.ext");
            std::fs::write(
                &ext,
                "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\n",
            )
            .expect("the extensions file");
            let openssl = |args: &[&std::ffi::OsStr]| {
                let out = Command::new("openssl")
                    .args(args)
                    .output()
                    .expect("openssl runs");
                assert!(
                    out.status.success(),
                    "openssl: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            let os = |s: &str| std::ffi::OsString::from(s);
            // A CA of the test's own, and a server certificate for 127.0.0.1 signed by it.
            openssl(&[
                &os("req"),
                &os("-x509"),
                &os("-newkey"),
                &os("rsa:2048"),
                &os("-nodes"),
                &os("-days"),
                &os("2"),
                &os("-subj"),
                &os("/CN=botdesk test CA"),
                &os("-keyout"),
                ca_key.as_os_str(),
                &os("-out"),
                ca.as_os_str(),
            ]);
            openssl(&[
                &os("req"),
                &os("-newkey"),
                &os("rsa:2048"),
                &os("-nodes"),
                &os("-subj"),
                &os("/CN=127.0.0.1"),
                &os("-keyout"),
                key.as_os_str(),
                &os("-out"),
                csr.as_os_str(),
            ]);
            openssl(&[
                &os("x509"),
                &os("-req"),
                &os("-in"),
                csr.as_os_str(),
                &os("-CA"),
                ca.as_os_str(),
                &os("-CAkey"),
                ca_key.as_os_str(),
                &os("-CAcreateserial"),
                &os("-days"),
                &os("2"),
                &os("-extfile"),
                ext.as_os_str(),
                &os("-out"),
                crt.as_os_str(),
            ]);
            if is_root() {
                let _ = Command::new("chown")
                    .args(["postgres:postgres"])
                    .arg(&crt)
                    .arg(&key)
                    .status();
            }
            let _ = Command::new("chmod").arg("600").arg(&key).status();
            // The admin connects in the clear; `syncer` only over TLS.
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all all trust\n\
                 host all postgres 127.0.0.1/32 trust\n\
                 hostssl all syncer 127.0.0.1/32 trust\n\
                 hostnossl all syncer 127.0.0.1/32 reject\n",
            )
            .expect("pg_hba.conf");
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                crt.display(),
                key.display()
            ));
        }
        let pg = Pg {
            port,
            dir,
            bin,
            options,
        };
        pg.start_again();
        pg
    }

    /// Starts the stopped server again, on the same port with the same data. pg_ctl starts it
    /// in the background and waits until it accepts connections; stopping goes through pg_ctl
    /// too (signals to runuser would not reach the server).
    pub fn start_again(&self) {
        let out = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-o", &self.options, "-l"])
            .arg(self.dir.path().join("server.log"))
            .args(["-w", "-t", "30", "start"])
            .stdout(Stdio::null())
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "PostgreSQL did not start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        self.wait_ready();
    }

    /// Stops the server (connections are refused until [`Pg::start_again`]).
    pub fn stop(&self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "-t", "20", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if postgres::Client::connect(&self.url("postgres"), postgres::NoTls).is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not accept connections within 30 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A connection string for `user` (trust authentication: no password).
    pub fn url(&self, user: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={user} dbname=postgres connect_timeout=5",
            self.port
        )
    }

    /// A connection as the superuser (what the migrations run as).
    pub fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("a connection to the test PostgreSQL")
    }

    /// Runs a SQL file with psql, stopping at the first error.
    pub fn psql_file(&self, file: &Path) {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-X", "-d", "postgres", "-f"])
            .arg(file)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql -f {} failed:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Every file of supabase/migrations, in name order (what `supabase migration up` does).
    pub fn apply_migrations(&self) {
        for file in migrations() {
            self.psql_file(&file);
        }
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/it/fixtures").join(name)
}

pub fn migrations() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("supabase/migrations"))
        .expect("supabase/migrations")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

/// PgBouncer in transaction mode in front of a [`Pg`], as Supabase's pooler is: each
/// transaction may get another server connection, so nothing prepared on one survives to the
/// next. One server connection for everyone (`default_pool_size = 1`), so clients really share.
pub struct Pooler {
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Pooler {
    pub fn start(pg: &Pg) -> Pooler {
        let dir = tempfile::Builder::new()
            .prefix("botdesk-pgbouncer-")
            .tempdir()
            .expect("a temp dir");
        let port = free_port();
        let d = dir.path().display();
        std::fs::write(dir.path().join("users.txt"), "\"postgres\" \"\"\n").expect("users");
        std::fs::write(
            dir.path().join("pgbouncer.ini"),
            format!(
                "[databases]\npostgres = host=127.0.0.1 port={} dbname=postgres\n\
                 [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
                 auth_type = trust\nauth_file = {d}/users.txt\npool_mode = transaction\n\
                 default_pool_size = 1\nmax_client_conn = 50\nlogfile = {d}/pgbouncer.log\n\
                 pidfile = {d}/pgbouncer.pid\nunix_socket_dir =\n\
                 ignore_startup_parameters = extra_float_digits\n",
                pg.port
            ),
        )
        .expect("pgbouncer.ini");
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status();
        }
        let out = as_server_user(Path::new("/usr/sbin/pgbouncer"))
            .arg("-d")
            .arg(dir.path().join("pgbouncer.ini"))
            .output()
            .expect("pgbouncer runs (make test installs Debian's pgbouncer)");
        assert!(
            out.status.success(),
            "pgbouncer did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not listen within 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Pooler { port, dir }
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pgbouncer.pid")) {
            let _ = Command::new("kill").args(["-INT", pid.trim()]).status();
        }
    }
}
