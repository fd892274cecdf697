//! Sync as the app runs it, through the real `botdesk serve` and CLI against a real
//! PostgreSQL: the connection set over the API (never shown with its password), a change synced
//! on its own shortly after it is made, the server stopped ("offline since", the change
//! pending, backing off) and started again (synced, the row in Postgres), `botdesk sync
//! status|now`, and the bad input of every sync call with its code.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::pg::Pg;
use crate::support::{
    Server, botdesk, error_code, json_of, post, put, sync_status, text, wait_for_sync,
};

const OWNER: &str = "11111111-1111-4111-8111-111111111111";

fn merchants_on_server(pg: &Pg) -> Vec<String> {
    pg.admin()
        .query("SELECT name FROM public.merchants ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn changes_sync_by_themselves_wait_out_an_outage_and_arrive() {
    let pg = Pg::start();
    pg.admin()
        .batch_execute(&format!(
            "INSERT INTO public.users (id, display_name, role) VALUES ('{OWNER}', 'Owner', 'owner')"
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    assert_eq!(sync_status(&server)["state"], "not_configured");
    let url = format!(
        "postgresql://postgres:not-a-real-secret@127.0.0.1:{}/postgres",
        pg.port
    );
    let (code, conn) = json_of(put(
        &server,
        "/api/sync/connection",
        &json!({"connection_string": url, "user_id": OWNER}),
    ));
    assert_eq!(code, StatusCode::OK, "{conn}");
    assert_eq!(conn["server"], format!("127.0.0.1:{}/postgres", pg.port));
    assert_eq!(conn["database_user"], "postgres");
    // The password is nowhere: not in the answer, not in the store file as text.
    assert!(!conn.to_string().contains("not-a-real-secret"));
    let (code, tested) = json_of(post(&server, "/api/sync/connection/test", &json!({})));
    assert_eq!(code, StatusCode::OK);
    assert_eq!(tested["ok"], true, "{tested}");

    // A change: synced by itself, shortly after.
    let (code, _) = json_of(post(
        &server,
        "/api/merchants",
        &json!({"name": "Corner shop"}),
    ));
    assert_eq!(code, StatusCode::CREATED);
    let synced = wait_for_sync(&server, 20, "the change synced", |s| {
        s["state"] == "synced" && s["pending_changes"] == 0
    });
    assert!(synced["last_sync_at"].is_string(), "{synced}");
    assert_eq!(merchants_on_server(&pg), ["Corner shop"]);

    // The server goes away: a change waits, the indicator says offline since when.
    pg.stop();
    let (code, _) = json_of(post(
        &server,
        "/api/merchants",
        &json!({"name": "Market stall"}),
    ));
    assert_eq!(code, StatusCode::CREATED);
    let offline = wait_for_sync(&server, 20, "offline", |s| s["state"] == "offline");
    assert_eq!(offline["pending_changes"], 1, "{offline}");
    assert_eq!(offline["pending_by_table"][0]["table"], "merchants");
    assert!(offline["offline_since"].is_string());
    assert!(
        offline["next_attempt_at"].is_string(),
        "backing off: {offline}"
    );
    assert_eq!(offline["last_failure"]["code"], "sync.unreachable");
    // Offline is a state: the tries made while the server was away are not failed jobs.
    let (_, failed) = json_of(server.get("/api/queues/sync/jobs?status=failed"));
    assert_eq!(
        failed["jobs"],
        json!([]),
        "offline tries left failed jobs: {failed}"
    );
    let (_, done) = json_of(server.get("/api/queues/sync/jobs?status=completed"));
    assert!(
        done["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["name"] == "sync"),
        "{done}"
    );
    let (code, tested) = json_of(post(&server, "/api/sync/connection/test", &json!({})));
    assert_eq!(code, StatusCode::OK);
    assert_eq!(tested["ok"], false);
    assert_eq!(tested["failure"]["code"], "sync.unreachable");
    // The CLI, from another process, sees the same.
    let out = botdesk(dir.path(), &["sync", "status", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli["state"], "offline");

    // Back: the next try (the backoff is 5 s, then 10 s…) or "sync now" brings it over.
    pg.start_again();
    let (code, _) = json_of(post(&server, "/api/sync/now", &json!({})));
    assert_eq!(code, StatusCode::OK);
    wait_for_sync(&server, 30, "synced again", |s| {
        s["state"] == "synced" && s["pending_changes"] == 0
    });
    assert_eq!(merchants_on_server(&pg), ["Corner shop", "Market stall"]);

    // A change made on the server (by the bot) arrives here.
    pg.admin()
        .batch_execute(
            "UPDATE public.merchants SET name = 'Corner shop (bot)' WHERE name = 'Corner shop'",
        )
        .unwrap();
    let (code, _) = json_of(post(&server, "/api/sync/now", &json!({})));
    assert_eq!(code, StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, list) = json_of(server.get("/api/merchants"));
        if list.to_string().contains("Corner shop (bot)") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the bot's change did not arrive: {list}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    let db = std::fs::read(dir.path().join("botdesk.db")).unwrap();
    assert!(
        !db.windows(17).any(|w| w == b"not-a-real-secret"),
        "the password is sealed in the store"
    );
    // `sync now` from the CLI, with the app stopped.
    let out = botdesk(dir.path(), &["sync", "now", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["batches"], 0, "{report}");
}

#[test]
fn every_bad_sync_input_has_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (s, code) = error_code(post(&server, "/api/sync/now", &json!({})));
    assert_eq!(
        (s, code.as_str()),
        (StatusCode::CONFLICT, "sync.not_configured")
    );
    let (s, code) = error_code(post(&server, "/api/sync/connection/test", &json!({})));
    assert_eq!(
        (s, code.as_str()),
        (StatusCode::CONFLICT, "sync.not_configured")
    );
    for (body, want) in [
        (
            json!({"connection_string": "postgresql://"}),
            "sync.invalid_connection_string",
        ),
        (
            json!({"connection_string": "port=5432"}),
            "sync.invalid_connection_string",
        ),
        (json!({"user_id": "1"}), "sync.invalid_connection_string"),
        (
            json!({"connection_string": "host=127.0.0.1", "user_id": "me"}),
            "sync.invalid_user_id",
        ),
        (json!({"connection_string": 5}), "request.invalid_body"),
        (json!({"password": "x"}), "request.invalid_body"),
    ] {
        let (s, code) = error_code(put(&server, "/api/sync/connection", &body));
        assert_eq!(
            (s, code.as_str()),
            (StatusCode::BAD_REQUEST, want),
            "{body}"
        );
    }
    assert_eq!(
        sync_status(&server)["state"],
        "not_configured",
        "nothing was saved"
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    let (s, code) = error_code(post(
        &server,
        &format!("/api/sync/errors/{missing}/retry"),
        &json!({}),
    ));
    assert_eq!(
        (s, code.as_str()),
        (StatusCode::NOT_FOUND, "sync.error_not_found")
    );
    let (s, code) = error_code(post(
        &server,
        &format!("/api/sync/errors/{missing}/explode"),
        &json!({}),
    ));
    assert_eq!(
        (s, code.as_str()),
        (StatusCode::NOT_FOUND, "http.not_found")
    );
    // An address where nothing listens: saved, and the test says so.
    let (s, _) = json_of(put(
        &server,
        "/api/sync/connection",
        &json!({"connection_string": "host=127.0.0.1 port=9 user=postgres connect_timeout=2"}),
    ));
    assert_eq!(s, StatusCode::OK);
    let (_, tested) = json_of(post(&server, "/api/sync/connection/test", &json!({})));
    assert_eq!(tested["failure"]["code"], "sync.unreachable", "{tested}");
    // Removing it.
    let (s, conn) = json_of(put(
        &server,
        "/api/sync/connection",
        &json!({"connection_string": ""}),
    ));
    assert_eq!(s, StatusCode::OK);
    assert_eq!(conn["configured"], false);
}
