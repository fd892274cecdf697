//! The job queues through the real server: the original design's API, every action, bad input
//! with its own code, the CLI beside a running server, and a SIGKILL in the middle of 10,000
//! jobs that loses none of them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Server, botdesk, error_code, http, json_of, post, text};

const Q: &str = "/api/queues/order_processing";

fn get(server: &Server, path: &str) -> Value {
    let (status, body) = json_of(server.get(path));
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn probe(note: &str, options: Value) -> Value {
    json!({"name": "probe", "payload": {"note": note}, "options": options})
}

/// Polls the queue's stats until `done` holds, for at most `secs`.
fn wait_for(server: &Server, secs: u64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let stats = get(server, &format!("{Q}/stats"));
        if done(&stats) {
            return stats;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: never happened; last {stats}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// How many times the server has looked for the queue's work.
fn looks(server: &Server) -> u64 {
    get(server, Q)["looks"].as_u64().expect("looks")
}

/// Waits until the server has looked for the queue's work since `before`: what it would have
/// claimed by then, it has.
fn looked_since(server: &Server, before: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while looks(server) <= before {
        assert!(
            Instant::now() < deadline,
            "the queue was never looked at again"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn the_original_designs_queue_api_and_the_owners_actions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let queues = get(&server, "/api/queues");
    let names: Vec<&str> = queues
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["stats"]["queue"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "media_processing",
            "message_sending",
            "order_processing",
            "webhook_delivery",
            "sync"
        ]
    );
    assert_eq!(queues[2]["job_types"], json!(["probe"]));
    assert_eq!(queues[2]["throughput"].as_array().unwrap().len(), 60);

    // Enqueue; the same idempotency key gives the same job.
    let once = probe("order 42 paid", json!({"idempotency_key": "order-42-paid"}));
    let (status, first) = json_of(post(&server, &format!("{Q}/jobs"), &once));
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = json_of(post(&server, &format!("{Q}/jobs"), &once));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (again["id"].clone(), again["created"].clone()),
        (first["id"].clone(), json!(false))
    );
    let id = first["id"].as_i64().unwrap();
    wait_for(&server, 20, "the job completed", |s| s["completed"] == 1);

    // getQueueStats / getJobStatus, in the original design's shapes.
    let stats = get(&server, &format!("{Q}/stats"));
    for field in [
        "queue",
        "active",
        "waiting",
        "completed",
        "failed",
        "delayed",
    ] {
        assert!(stats.get(field).is_some(), "stats has {field}: {stats}");
    }
    let status = get(&server, &format!("{Q}/jobs/{id}/status"));
    assert_eq!(
        status,
        json!({"id": id, "status": "completed", "progress": 100, "attempts": 1, "failedReason": null})
    );
    let detail = get(&server, &format!("{Q}/jobs/{id}"));
    assert_eq!(
        detail["result"],
        json!({"note": "order 42 paid", "attempt": 1})
    );

    // A job that fails its one attempt lands in the failed list with its error; retried, it runs.
    let failing = json!({"name": "probe", "payload": {"note": "flaky", "fail_attempts": 1},
                          "options": {"max_attempts": 1}});
    let (_, bad) = json_of(post(&server, &format!("{Q}/jobs"), &failing));
    let bad_id = bad["id"].as_i64().unwrap();
    wait_for(&server, 20, "the job failed", |s| s["failed"] == 1);
    let failed = get(&server, &format!("{Q}/jobs?status=failed"));
    assert_eq!(failed["jobs"][0]["id"], bad_id);
    let reason = failed["jobs"][0]["failed_reason"].as_str().unwrap();
    assert!(
        reason.contains("asked to fail its first 1 attempt"),
        "{reason}"
    );
    let detail = get(&server, &format!("{Q}/jobs/{bad_id}"));
    assert_eq!(detail["failures"].as_array().unwrap().len(), 1);
    assert_eq!(detail["failures"][0]["attempt"], 1);
    let (status, done) = json_of(post(
        &server,
        &format!("{Q}/jobs/{bad_id}/retry"),
        &json!({}),
    ));
    assert_eq!(status, StatusCode::OK, "{done}");
    wait_for(&server, 20, "the retried job completed", |s| {
        s["completed"] == 2 && s["failed"] == 0
    });
    // Retrying a completed job is a conflict.
    assert_eq!(
        error_code(post(
            &server,
            &format!("{Q}/jobs/{bad_id}/retry"),
            &json!({})
        )),
        (StatusCode::CONFLICT, "queue.invalid_state".into())
    );

    // Delayed: promoted now, or cancelled, or removed.
    let later = probe("later", json!({"delay_ms": 3_600_000}));
    let (_, delayed) = json_of(post(&server, &format!("{Q}/jobs"), &later));
    let delayed_id = delayed["id"].as_i64().unwrap();
    assert_eq!(get(&server, &format!("{Q}/stats"))["delayed"], 1);
    let (_, promoted) = json_of(post(
        &server,
        &format!("{Q}/jobs/{delayed_id}/promote"),
        &json!({}),
    ));
    assert!(
        promoted["state"] == "waiting"
            || promoted["state"] == "active"
            || promoted["state"] == "completed"
    );
    wait_for(&server, 20, "the promoted job ran", |s| s["completed"] == 3);
    let (_, cancel_me) = json_of(post(&server, &format!("{Q}/jobs"), &later));
    let cancel_id = cancel_me["id"].as_i64().unwrap();
    let (_, cancelled) = json_of(post(
        &server,
        &format!("{Q}/jobs/{cancel_id}/cancel"),
        &json!({}),
    ));
    assert_eq!(cancelled["state"], "cancelled");
    let removed = http()
        .delete(format!("{}{Q}/jobs/{cancel_id}", server.url))
        .send()
        .unwrap();
    assert_eq!(json_of(removed).1, json!({"id": cancel_id, "state": null}));
    assert_eq!(
        error_code(server.get(&format!("{Q}/jobs/{cancel_id}"))),
        (StatusCode::NOT_FOUND, "queue.job_not_found".into())
    );

    // Pause holds new jobs back; resume runs them.
    let (_, paused) = json_of(post(&server, &format!("{Q}/pause"), &json!({})));
    assert_eq!(paused["paused"], true);
    let before = looks(&server);
    post(&server, &format!("{Q}/jobs"), &probe("held", json!({})));
    looked_since(&server, before);
    assert_eq!(get(&server, &format!("{Q}/stats"))["waiting"], 1);
    post(&server, &format!("{Q}/resume"), &json!({}));
    wait_for(&server, 20, "ran after resume", |s| {
        s["completed"] == 4 && s["waiting"] == 0
    });

    // Bulk retry and clean.
    let bulk: Vec<Value> = (0..3)
        .map(|i| {
            json!({"name": "probe", "payload": {"note": format!("b{i}"), "fail_attempts": 1},
                         "options": {"max_attempts": 1}})
        })
        .collect();
    let (status, made) = json_of(post(
        &server,
        &format!("{Q}/jobs/bulk"),
        &json!({"jobs": bulk}),
    ));
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made.as_array().unwrap().len(), 3);
    wait_for(&server, 20, "three failed", |s| s["failed"] == 3);
    let (_, n) = json_of(post(&server, &format!("{Q}/retry-failed"), &json!({})));
    assert_eq!(n["count"], 3);
    wait_for(&server, 20, "all completed", |s| {
        s["completed"] == 7 && s["failed"] == 0
    });
    let (_, cleaned) = json_of(post(
        &server,
        &format!("{Q}/clean"),
        &json!({"status": "completed"}),
    ));
    assert_eq!(cleaned["count"], 7);
    assert_eq!(get(&server, &format!("{Q}/stats"))["completed"], 0);
    assert!(
        get(&server, &format!("{Q}/jobs"))["jobs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_queue_input_gets_its_own_code_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let jobs = format!("{Q}/jobs");
    let (clean, explode, abc, missing) = (
        format!("{Q}/clean"),
        format!("{Q}/jobs/123/explode"),
        format!("{Q}/jobs/abc/retry"),
        format!("{Q}/jobs/999/retry"),
    );
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "/api/queues/nope/jobs",
            probe("x", json!({})),
            StatusCode::NOT_FOUND,
            "queue.unknown",
        ),
        (
            &jobs,
            json!({"name": "launch_rockets", "payload": {}}),
            StatusCode::BAD_REQUEST,
            "queue.unknown_job_type",
        ),
        (
            &jobs,
            json!({"name": "probe", "payload": {"colour": "red"}}),
            StatusCode::BAD_REQUEST,
            "queue.invalid_payload",
        ),
        (
            &jobs,
            json!({"name": "probe", "payload": "not an object"}),
            StatusCode::BAD_REQUEST,
            "queue.invalid_payload",
        ),
        (
            &jobs,
            probe("x", json!({"max_attempts": 0})),
            StatusCode::BAD_REQUEST,
            "queue.invalid_options",
        ),
        (
            &jobs,
            probe("x", json!({"timeout_ms": 0})),
            StatusCode::BAD_REQUEST,
            "queue.invalid_options",
        ),
        (
            &jobs,
            probe("x", json!({"priority": "urgent"})),
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        ),
        (
            &jobs,
            probe(
                "x",
                json!({"backoff": {"type": "exponential", "base_ms": 10, "cap_ms": 1}}),
            ),
            StatusCode::BAD_REQUEST,
            "queue.invalid_options",
        ),
        (
            &jobs,
            json!({"name": "probe", "payload": {}, "surprise": 1}),
            StatusCode::BAD_REQUEST,
            "request.invalid_body",
        ),
        (
            &jobs,
            json!({"name": "probe", "payload": {"note": "x".repeat(300_000)}}),
            StatusCode::BAD_REQUEST,
            "queue.invalid_payload",
        ),
        (
            &clean,
            json!({"status": "waiting"}),
            StatusCode::BAD_REQUEST,
            "queue.invalid_options",
        ),
        (
            &explode,
            json!({}),
            StatusCode::NOT_FOUND,
            "queue.unknown_action",
        ),
        (
            &abc,
            json!({}),
            StatusCode::NOT_FOUND,
            "queue.job_not_found",
        ),
        (
            &missing,
            json!({}),
            StatusCode::NOT_FOUND,
            "queue.job_not_found",
        ),
    ];
    for (path, body, status, code) in cases {
        let (got, got_code) = error_code(post(&server, path, &body));
        assert_eq!(
            (got, got_code.as_str()),
            (status, code),
            "POST {path} {:.200}",
            body.to_string()
        );
    }
    // A bulk with one bad job enqueues none, and names it.
    let bulk =
        json!({"jobs": [probe("ok", json!({})), {"name": "probe", "payload": {"colour": 1}}]});
    let (status, body) = json_of(post(&server, &format!("{Q}/jobs/bulk"), &bulk));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "queue.invalid_payload");
    assert_eq!(body["error"]["field"], "jobs[1]");
    assert_eq!(
        error_code(server.get(&format!("{Q}/jobs?cursor=zzz"))),
        (StatusCode::BAD_REQUEST, "queue.invalid_cursor".into())
    );
    assert_eq!(
        error_code(server.get(&format!("{Q}/jobs?status=lost"))),
        (StatusCode::BAD_REQUEST, "request.invalid_query".into())
    );
    let stats = get(&server, &format!("{Q}/stats"));
    assert_eq!(
        (
            stats["waiting"].clone(),
            stats["completed"].clone(),
            stats["failed"].clone()
        ),
        (json!(0), json!(0), json!(0)),
        "nothing was enqueued"
    );
}

#[test]
fn the_cli_watches_and_fixes_the_queue_beside_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // Paused from the terminal: the running server stops claiming.
    let out = botdesk(dir.path(), &["queue", "pause", "order_processing"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let failing = json!({"name": "probe", "payload": {"note": "cli", "fail_attempts": 1},
                          "options": {"max_attempts": 1}});
    let before = looks(&server);
    let (_, job) = json_of(post(&server, &format!("{Q}/jobs"), &failing));
    let id = job["id"].as_i64().unwrap();
    looked_since(&server, before);
    assert_eq!(
        get(&server, &format!("{Q}/stats"))["waiting"],
        1,
        "paused: not claimed"
    );
    let out = botdesk(dir.path(), &["queue", "resume", "order_processing"]);
    assert!(out.status.success());
    wait_for(&server, 20, "failed after resume", |s| s["failed"] == 1);

    let stats = botdesk(dir.path(), &["queue", "stats"]);
    let table = text(&stats.stdout);
    let line = table
        .lines()
        .find(|l| l.starts_with("order_processing"))
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["order_processing", "0", "0", "0", "0", "1", "0", "no"]
    );
    let failed = botdesk(dir.path(), &["queue", "jobs", "--status", "failed"]);
    let listing = text(&failed.stdout);
    assert!(
        listing.contains(&format!("#{id}")) && listing.contains("asked to fail"),
        "{listing}"
    );
    let retried = botdesk(dir.path(), &["queue", "retry", &id.to_string()]);
    assert!(retried.status.success(), "{}", text(&retried.stderr));
    assert!(text(&retried.stdout).contains("is now waiting"));
    // The server picks the change up within its poll.
    wait_for(&server, 20, "the retry ran", |s| {
        s["completed"] == 1 && s["failed"] == 0
    });
    let shown = botdesk(dir.path(), &["queue", "show", &id.to_string()]);
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown["state"], "completed");
    assert_eq!(shown["attempts"], 2);
    // Bad input, coded.
    let bad = botdesk(dir.path(), &["queue", "retry", "999999"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("[queue.job_not_found]"),
        "{}",
        text(&bad.stderr)
    );
    let bad = botdesk(dir.path(), &["queue", "jobs", "--status", "lost"]);
    assert!(
        text(&bad.stderr).contains("[queue.invalid_options]"),
        "{}",
        text(&bad.stderr)
    );
    let bad = botdesk(dir.path(), &["queue", "pause", "nope"]);
    assert!(
        text(&bad.stderr).contains("[queue.unknown]"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_killed_server_loses_no_job_and_reruns_at_most_those_in_flight() {
    const JOBS: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("BOTDESK_QUEUE_LEASE_SECONDS", "2"),
        ("BOTDESK_LOG", "warn"),
    ];
    let server = Server::start_with(dir.path(), "127.0.0.1:0", &env);
    post(&server, &format!("{Q}/pause"), &json!({}));
    for chunk in 0..JOBS / 1000 {
        let jobs: Vec<Value> = (0..1000)
            .map(|i| json!({"name": "probe", "payload": {"note": format!("{}", chunk * 1000 + i), "work_ms": 1}}))
            .collect();
        let (status, body) = json_of(post(
            &server,
            &format!("{Q}/jobs/bulk"),
            &json!({"jobs": jobs}),
        ));
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    post(&server, &format!("{Q}/resume"), &json!({}));
    let at_kill = wait_for(&server, 60, "some jobs done", |s| {
        s["completed"].as_u64().unwrap() >= 2_000
    });
    server.kill();
    assert!(
        at_kill["completed"].as_u64().unwrap() < JOBS as u64,
        "killed mid-way: {at_kill}"
    );

    // What the dead server held, read from the store before anything else touches it: claimed
    // and not recorded as finished.
    let stats = botdesk(dir.path(), &["queue", "stats", "order_processing"]);
    let table = text(&stats.stdout);
    let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
    let in_flight: u64 = row[3].parse().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", &env);
    wait_for(&server, 180, "every job completed", |s| {
        s["completed"].as_u64() == Some(JOBS as u64)
    });
    let stats = get(&server, &format!("{Q}/stats"));
    assert_eq!(
        (
            stats["waiting"].clone(),
            stats["active"].clone(),
            stats["failed"].clone()
        ),
        (json!(0), json!(0), json!(0))
    );

    let log = std::fs::read_to_string(dir.path().join("queue-probe.log")).unwrap();
    let mut runs: HashMap<i64, usize> = HashMap::new();
    for line in log.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(parts.len(), 3, "a whole line: {line:?}");
        *runs.entry(parts[1].parse().unwrap()).or_default() += 1;
    }
    assert_eq!(runs.len(), JOBS, "every job ran");
    let duplicates: usize = runs.values().map(|n| n - 1).sum();
    println!(
        "SIGKILL after {} of {JOBS} jobs: {in_flight} in flight, {duplicates} ran twice",
        at_kill["completed"]
    );
    assert!(
        duplicates as u64 <= in_flight,
        "{duplicates} jobs ran twice, but only {in_flight} were in flight at the kill"
    );
}
