//! The `botdesk` command line: migrate, backup and serve, their help, and their errors.

use botdesk_core::store::rusqlite::Connection;
use serde_json::Value;

use crate::support::{Server, botdesk, text};

const TABLES: &[&str] = &[
    "message_templates",
    "template_versions",
    "media_files",
    "product_media",
    "audit_logs",
    "delivery_tasks",
    "webhooks",
    "webhook_logs",
    "users",
    "merchants",
    "products",
    "orders",
    "order_items",
    "change_log",
];

#[test]
fn migrate_creates_the_store_with_every_table_and_the_default_templates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = botdesk(&data, &["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("store ready"),
        "{}",
        text(&out.stdout)
    );

    let db = Connection::open(data.join("botdesk.db")).unwrap();
    for table in TABLES {
        let n: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table}");
    }
    let names: Vec<String> = db
        .prepare("SELECT name FROM message_templates WHERE status = 'active' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        names,
        ["order_confirmation", "order_status", "payment_request"]
    );
    drop(db);

    let again = botdesk(&data, &["migrate"]);
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("up to date"),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn serve_answers_health_and_exits_0_on_sigterm_and_sigint() {
    let dir = tempfile::tempdir().unwrap();
    for signal in ["TERM", "INT"] {
        let server = Server::start(dir.path());
        assert!(
            server.url.starts_with("http://127.0.0.1:"),
            "{}",
            server.url
        );
        let health = server.get("/api/health");
        assert_eq!(health.status(), 200);
        let body: Value = health.json().unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(
            body["schema_version"],
            botdesk_core::store::latest_schema_version()
        );

        let missing = server.get("/api/no/such/thing");
        assert_eq!(missing.status(), 404);
        let body: Value = missing.json().unwrap();
        assert_eq!(body["error"]["code"], "http.not_found");

        let (status, log) = server.stop_with(signal);
        assert_eq!(
            status.code(),
            Some(0),
            "exit status after SIG{signal}; log:\n{log}"
        );
        assert!(log.contains("shutting down"), "{log}");
    }
}

#[test]
fn backup_while_the_server_runs_writes_a_sound_copy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data);
    let copy = dir.path().join("copy.db");
    let out = botdesk(&data, &["backup", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("backup written"));
    let db = Connection::open(&copy).unwrap();
    let verdict: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
    let n: i64 = db
        .query_row("SELECT count(*) FROM message_templates", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(
        server.get("/api/health").status(),
        200,
        "the server kept serving"
    );

    let again = botdesk(&data, &["backup", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("store.backup_target_exists"),
        "{}",
        text(&again.stderr)
    );
    let (status, _) = server.stop_with("TERM");
    assert!(status.success());
}

#[test]
fn help_explains_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = botdesk(dir.path(), &["--help"]);
    let help = text(&out.stdout);
    for expected in [
        "migrate",
        "backup",
        "serve",
        "--data-dir",
        "app-data folder",
    ] {
        assert!(
            help.contains(expected),
            "--help mentions {expected}:\n{help}"
        );
    }
    let serve = text(&botdesk(dir.path(), &["serve", "--help"]).stdout);
    assert!(
        serve.contains("SIGTERM") && serve.contains("--listen"),
        "{serve}"
    );
    let backup = text(&botdesk(dir.path(), &["backup", "--help"]).stdout);
    assert!(backup.contains("Safe while botdesk is running"), "{backup}");
}

#[test]
fn bad_data_dirs_and_settings_fail_with_a_clear_coded_error() {
    let dir = tempfile::tempdir().unwrap();

    let junk = dir.path().join("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("botdesk.db"), b"not a database at all").unwrap();
    let out = botdesk(&junk, &["migrate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[store.not_a_database]") && err.contains("left untouched"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(junk.join("botdesk.db")).unwrap(),
        b"not a database at all"
    );

    let conf = dir.path().join("conf");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("botdesk.toml"), "listen = \"everywhere\"\n").unwrap();
    let out = botdesk(&conf, &["serve"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[config.invalid]"),
        "{}",
        text(&out.stderr)
    );

    // A port already taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = botdesk(&dir.path().join("busy"), &["serve", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!("cannot listen on {addr}")),
        "{}",
        text(&out.stderr)
    );

    let out = botdesk(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}
