//! The webhook dispatcher through the real server and real receivers on 127.0.0.1: signatures
//! checked by an independent implementation of the Standard Webhooks specification (and its
//! published example), a receiver down then up (every event delivered, none twice), the
//! receivers that misbehave (500, timeout, huge or trickling body, redirect, 429, 410), a
//! SIGKILL in the middle of a burst that loses nothing, the SSRF guard, the bot's signed events
//! coming in, and the bad input of every call with its own code.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::receiver::{Answer, Received, Receiver};
use crate::support::{Server, botdesk, error_code, http, json_of, post, text};

const DEV: &[(&str, &str)] = &[("BOTDESK_WEBHOOKS_ALLOW_LOCALHOST", "1")];

/// The specification's HMAC, written here from the text: `v1,` + base64(HMAC-SHA256(key,
/// "id.timestamp.body")), the key being the base64 after `whsec_`.
fn spec_signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

/// Whether a delivery carries a valid, fresh signature under `secret`.
fn verifies(secret: &str, r: &Received) -> bool {
    let (Some(id), Some(ts), Some(sigs)) = (
        r.header("webhook-id"),
        r.header("webhook-timestamp"),
        r.header("webhook-signature"),
    ) else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let fresh = ts.parse::<i64>().is_ok_and(|t| (now - t).abs() <= 300);
    let expected = spec_signature(secret, id, ts, &r.body);
    fresh && sigs.split(' ').any(|s| s == expected)
}

fn get(server: &Server, path: &str) -> Value {
    let (status, body) = json_of(server.get(path));
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn merchant(server: &Server) -> String {
    let (status, m) = json_of(post(server, "/api/merchants", &json!({"name": "Shop"})));
    assert_eq!(status, StatusCode::CREATED, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

/// Creates an endpoint; returns its id and its secret.
fn endpoint(server: &Server, merchant: &str, url: &str, extra: Value) -> (String, String) {
    let mut body = json!({"merchant_id": merchant, "url": url});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let (status, created) = json_of(post(server, "/api/webhooks", &body));
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (
        created["webhook"]["id"].as_str().unwrap().to_owned(),
        secret,
    )
}

fn order_event(merchant: &str, n: usize) -> Value {
    json!({
        "event_type": "order_created",
        "merchant_id": merchant,
        "payload": {"order_id": format!("ORD{n}"), "customer_id": "cust-1",
                    "items": [{"product_id": "p1", "quantity": 2, "price": 250}],
                    "total_amount": 500, "status": "pending"}
    })
}

fn send_event(server: &Server, event: &Value) -> Value {
    let (status, accepted) = json_of(post(server, "/api/webhook-events", event));
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    accepted
}

fn deliveries(server: &Server, webhook: &str) -> Vec<Value> {
    get(
        server,
        &format!("/api/webhooks/{webhook}/deliveries?limit=200"),
    )["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn wait_until<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one delivery of `webhook`, once it reached a state `done` accepts.
fn delivery_when(
    server: &Server,
    webhook: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    wait_until(30, what, || {
        deliveries(server, webhook)
            .into_iter()
            .next()
            .filter(|d| done(d))
    })
}

fn detail(server: &Server, delivery: &Value) -> Value {
    get(
        server,
        &format!(
            "/api/webhook-deliveries/{}",
            delivery["id"].as_str().unwrap()
        ),
    )
}

#[test]
fn the_cli_signs_the_specifications_example_and_verifies_only_fresh_valid_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], body: &[u8]| {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_botdesk"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(body).unwrap();
        child.wait_with_output().unwrap()
    };
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let body = br#"{"test": 2432232314}"#;
    let signed = run(
        &[
            "webhooks",
            "sign",
            "--secret",
            secret,
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp",
            "1614265330",
        ],
        body,
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    assert_eq!(
        text(&signed.stdout).trim(),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    assert_eq!(
        spec_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let fresh = spec_signature(secret, "msg_1", &now, body);
    let verify = |ts: &str, sig: &str, body: &[u8]| {
        run(
            &[
                "webhooks",
                "verify",
                "--secret",
                secret,
                "--id",
                "msg_1",
                "--timestamp",
                ts,
                "--signature",
                sig,
            ],
            body,
        )
    };
    let ok = verify(&now, &fresh, body);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let forged = verify(&now, &fresh, br#"{"test": 1}"#);
    assert!(!forged.status.success());
    assert!(
        text(&forged.stderr).contains("webhook.signature_invalid"),
        "{}",
        text(&forged.stderr)
    );
    // The specification's own example is years old: stale.
    let stale = verify(
        "1614265330",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        body,
    );
    assert!(!stale.status.success());
    assert!(
        text(&stale.stderr).contains("webhook.timestamp_stale"),
        "{}",
        text(&stale.stderr)
    );
    let bad_secret = run(
        &[
            "webhooks",
            "sign",
            "--secret",
            "whsec_short",
            "--id",
            "a",
            "--timestamp",
            "1",
        ],
        b"",
    );
    assert!(!bad_secret.status.success());
    assert!(
        text(&bad_secret.stderr).contains("webhook.invalid_secret"),
        "{}",
        text(&bad_secret.stderr)
    );
}

#[test]
fn a_receiver_down_then_up_gets_every_event_once_signed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let shop = merchant(&server);
    // Reserve a port, then close it: the receiver is down.
    let down = Receiver::start(Answer::Status(200));
    let url = down.url();
    let addr = down.stop();
    let (hook, secret) = endpoint(&server, &shop, &url, json!({"events": ["order_created"]}));
    // Another merchant's endpoint and an unsubscribed type get nothing.
    let other = merchant(&server);
    let bystander = Receiver::start(Answer::Status(200));
    endpoint(&server, &other, &bystander.url(), json!({}));
    send_event(
        &server,
        &json!({"event_type": "payment_received", "merchant_id": shop,
                "payload": {"order_id": "ORD1", "amount": 5}}),
    );
    const EVENTS: usize = 20;
    for n in 0..EVENTS {
        let accepted = send_event(&server, &order_event(&shop, n));
        assert_eq!(accepted["deliveries"], 1, "{accepted}");
    }
    // Every first attempt fails (connection refused) and a retry is scheduled.
    wait_until(20, "first attempts failed", || {
        let all = deliveries(&server, &hook);
        (all.len() == EVENTS && all.iter().all(|d| d["status"] == "retrying")).then_some(())
    });
    let one = &deliveries(&server, &hook)[0];
    assert!(one["next_attempt_at"].is_string(), "{one}");
    assert!(
        one["last_error"].as_str().unwrap().contains("connect"),
        "{one}"
    );
    let receiver = Receiver::start_on(addr, Answer::Status(204));
    // The second attempts (5 s after the first) find it up. On a loaded machine some may have
    // come before it was back; their third attempt is minutes away, so they are sent now, as
    // the owner would from the page (the same delivery, the same webhook-id).
    wait_until(40, "every event delivered", || {
        let all = deliveries(&server, &hook);
        for d in &all {
            if d["status"] == "retrying" && d["attempts"].as_i64().unwrap_or(0) >= 2 {
                let id = d["id"].as_str().unwrap();
                let _ = post(
                    &server,
                    &format!("/api/webhook-deliveries/{id}/replay"),
                    &json!({}),
                );
            }
        }
        all.iter().all(|d| d["status"] == "succeeded").then_some(())
    });
    let got = receiver.received();
    let ids: HashSet<&str> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap())
        .collect();
    assert_eq!(got.len(), EVENTS, "none twice");
    assert_eq!(ids.len(), EVENTS);
    for r in &got {
        assert!(
            verifies(&secret, r),
            "an independent verifier accepts {r:?}"
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["event_type"], "order_created");
        assert_eq!(body["merchant_id"], shop.as_str());
        assert!(body["timestamp"].is_string());
        assert!(body.get("signature").is_none());
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    assert!(bystander.received().is_empty());
    // No order is promised between deliveries (these came back after the receiver's outage in
    // whatever order their retries fell), but each body's `timestamp` is its event's: sorting
    // by it gives back the order the events were handed over in.
    let mut by_time: Vec<(String, String)> = got
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            (
                body["timestamp"].as_str().unwrap().to_owned(),
                body["payload"]["order_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    by_time.sort();
    let restored: Vec<String> = by_time.into_iter().map(|(_, order)| order).collect();
    let sent: Vec<String> = (0..EVENTS).map(|n| format!("ORD{n}")).collect();
    assert_eq!(restored, sent);
    // The log holds both attempts of a delivery, the second a success.
    let d = detail(&server, &deliveries(&server, &hook)[0]);
    let attempts = d["attempts_log"].as_array().unwrap();
    assert!((2..=3).contains(&attempts.len()), "{d}");
    assert_eq!(attempts[0]["outcome"], "failure");
    let last = attempts.last().unwrap();
    assert_eq!(last["outcome"], "success");
    assert_eq!(last["response_status"], 204);
    let status = get(&server, "/api/webhooks-status");
    assert_eq!(status["webhooksRegistered"], 2);
    assert_eq!(status["eventsInHistory"], EVENTS as i64 + 1);
    assert_eq!(status["listeners"]["order_created"], 2);
    assert_eq!(status["listeners"]["payment_received"], 1);
    let recent = get(&server, "/api/webhook-events?limit=5&type=payment_received");
    assert_eq!(recent.as_array().unwrap().len(), 1);
    assert_eq!(recent[0]["deliveries"], 0);
    let health = get(&server, &format!("/api/webhooks/{hook}"))["health"].clone();
    assert_eq!(health["succeeded"], EVENTS as i64);
    assert_eq!(health["success_rate"], 100.0);
}

#[test]
fn misbehaving_receivers_are_retried_cut_short_or_disable_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let shop = merchant(&server);
    let test = |hook: &str| {
        let (status, body) = json_of(post(
            &server,
            &format!("/api/webhooks/{hook}/test"),
            &json!({}),
        ));
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    };

    // 500: retried later, the answer kept in the log.
    let failing = Receiver::start(Answer::Status(500));
    let (hook, _) = endpoint(&server, &shop, &failing.url(), json!({}));
    test(&hook);
    let d = delivery_when(&server, &hook, "500 recorded", |d| {
        d["status"] == "retrying"
    });
    assert_eq!(d["last_status"], 500);
    let attempt = &detail(&server, &d)["attempts_log"][0];
    assert_eq!(attempt["response_body_excerpt"], "{\"ok\":true}");
    assert!(attempt["request_headers"]["webhook-signature"].is_string());

    // No answer within the endpoint's timeout.
    let slow = Receiver::start(Answer::Sleep(Duration::from_secs(3)));
    let (hook, _) = endpoint(&server, &shop, &slow.url(), json!({"timeout_ms": 300}));
    test(&hook);
    let d = delivery_when(&server, &hook, "timeout recorded", |d| {
        d["status"] == "retrying"
    });
    assert!(d["last_error"].as_str().unwrap().contains("300 ms"), "{d}");
    assert!(d["last_latency_ms"].as_i64().unwrap() >= 300, "{d}");

    // A huge body: read up to the cap, the delivery a success.
    let huge = Receiver::start(Answer::Huge(20 * 1024 * 1024));
    let (hook, _) = endpoint(&server, &shop, &huge.url(), json!({}));
    test(&hook);
    let d = delivery_when(&server, &hook, "huge answer", |d| {
        d["status"] == "succeeded"
    });
    let excerpt = detail(&server, &d)["attempts_log"][0]["response_body_excerpt"].clone();
    assert!(excerpt.as_str().unwrap().len() <= 2048, "excerpt capped");

    // A body that trickles in: 2xx is a success, the body is cut at the timeout.
    let trickle = Receiver::start(Answer::Trickle);
    let (hook, _) = endpoint(&server, &shop, &trickle.url(), json!({"timeout_ms": 1000}));
    let started = Instant::now();
    test(&hook);
    let d = delivery_when(&server, &hook, "trickle", |d| d["status"] == "succeeded");
    assert!(started.elapsed() < Duration::from_secs(10), "{d}");

    // A redirect is not followed.
    let redirect = Receiver::start(Answer::Redirect);
    let (hook, _) = endpoint(&server, &shop, &redirect.url(), json!({}));
    test(&hook);
    let d = delivery_when(&server, &hook, "redirect", |d| d["status"] == "retrying");
    assert!(
        d["last_error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{d}"
    );
    assert_eq!(redirect.received().len(), 1);

    // 429 with Retry-After: the next attempt waits at least that long.
    let busy = Receiver::start(Answer::TooMany(120));
    let (hook, _) = endpoint(&server, &shop, &busy.url(), json!({}));
    test(&hook);
    let d = delivery_when(&server, &hook, "429", |d| d["status"] == "retrying");
    let next = time_of(d["next_attempt_at"].as_str().unwrap());
    let created = time_of(d["created_at"].as_str().unwrap());
    assert!(next - created >= 119, "next attempt {next} vs {created}");

    // 410 Gone disables the endpoint, with the reason.
    let gone = Receiver::start(Answer::Status(410));
    let (hook, _) = endpoint(&server, &shop, &gone.url(), json!({}));
    test(&hook);
    let d = delivery_when(&server, &hook, "410", |d| d["status"] == "failed");
    assert_eq!(d["last_status"], 410);
    let w = get(&server, &format!("/api/webhooks/{hook}"));
    assert_eq!(w["enabled"], false);
    assert!(
        w["disabled_reason"].as_str().unwrap().contains("410"),
        "{w}"
    );
    // A test to a disabled endpoint is refused; enabling it clears the reason.
    let (status, code) = error_code(post(
        &server,
        &format!("/api/webhooks/{hook}/test"),
        &json!({}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "webhook.disabled")
    );
    let enabled = http()
        .put(format!("{}/api/webhooks/{hook}", server.url))
        .json(&json!({"enabled": true}))
        .send()
        .unwrap();
    let (_, w) = json_of(enabled);
    assert_eq!(w["enabled"], true);
    assert!(w["disabled_reason"].is_null());
    // Fixed, the receiver takes the failed delivery when it is replayed: only those since the
    // time asked for.
    gone.set_answer(Answer::Status(200));
    let replay = |since: &str| {
        let (status, body) = json_of(post(
            &server,
            &format!("/api/webhooks/{hook}/replay-failed"),
            &json!({ "since": since }),
        ));
        assert_eq!(status, StatusCode::OK, "{body}");
        body["replayed"].as_i64().unwrap()
    };
    assert_eq!(replay("2999-01-01T00:00:00Z"), 0);
    assert_eq!(replay(d["created_at"].as_str().unwrap()), 1);
    let again = delivery_when(&server, &hook, "replayed", |d| d["status"] == "succeeded");
    assert_eq!(
        again["id"], d["id"],
        "the same delivery, the same webhook-id"
    );
    assert_eq!(gone.received().len(), 2);
    assert_eq!(
        gone.received()[1].header("webhook-id"),
        gone.received()[0].header("webhook-id")
    );
    // And the server kept serving through all of it.
    assert_eq!(server.get("/api/health").status(), StatusCode::OK);
}

/// Seconds since the epoch of an RFC 3339 UTC time (the API's form).
fn time_of(text: &str) -> i64 {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).unwrap();
    t.unix_timestamp()
}

#[test]
fn a_killed_server_loses_no_delivery_of_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(Answer::Sleep(Duration::from_millis(250)));
    // A short lease: the deliveries running at the kill are taken back within seconds.
    let env = [DEV[0], ("BOTDESK_QUEUE_LEASE_SECONDS", "3")];
    let server = Server::start_with(dir.path(), "127.0.0.1:0", &env);
    let shop = merchant(&server);
    let (_, secret) = endpoint(&server, &shop, &receiver.url(), json!({}));
    const EVENTS: usize = 300;
    for n in 0..EVENTS {
        send_event(&server, &order_event(&shop, n));
    }
    wait_until(60, "some delivered", || {
        (receiver.received().len() >= 20).then_some(())
    });
    server.kill();
    let at_kill = receiver.received().len();
    assert!(at_kill < EVENTS, "killed mid-burst ({at_kill} delivered)");
    let server = Server::start_with(dir.path(), "127.0.0.1:0", &env);
    wait_until(120, "every event delivered after the restart", || {
        let ids: HashSet<String> = receiver
            .received()
            .iter()
            .map(|r| r.header("webhook-id").unwrap().to_owned())
            .collect();
        (ids.len() == EVENTS).then_some(())
    });
    let got = receiver.received();
    let mut per_id: HashMap<&str, usize> = HashMap::new();
    for r in &got {
        *per_id.entry(r.header("webhook-id").unwrap()).or_default() += 1;
        assert!(verifies(&secret, r));
    }
    let repeats = got.len() - per_id.len();
    // At-least-once: only what was on the wire at the kill may come twice (8 per endpoint).
    assert!(repeats <= 8, "{repeats} deliveries came twice");
    eprintln!("SIGKILL after {at_kill} of {EVENTS} deliveries: {repeats} sent twice");
    drop(server);
}

#[test]
fn private_addresses_are_refused_unless_localhost_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let shop = merchant(&server);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/hook",
        "http://localhost:9/hook",
        "http://[::ffff:192.168.0.1]/hook",
    ] {
        let (status, code) = error_code(post(
            &server,
            "/api/webhooks",
            &json!({"merchant_id": shop, "url": url}),
        ));
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "webhook.blocked_address"),
            "{url}"
        );
    }
    // A name that resolves to this machine passes the form (a name is not an address) and is
    // refused at delivery, on the address it resolved to.
    let receiver = Receiver::start(Answer::Status(200));
    let name = loopback_name();
    let url = format!("http://{name}:{}/hook", receiver.addr.port());
    let (hook, _) = endpoint(&server, &shop, &url, json!({}));
    let (status, _) = json_of(post(
        &server,
        &format!("/api/webhooks/{hook}/test"),
        &json!({}),
    ));
    assert_eq!(status, StatusCode::ACCEPTED);
    let d = delivery_when(&server, &hook, "refused at delivery", |d| {
        d["status"] == "retrying"
    });
    assert!(
        d["last_error"].as_str().unwrap().contains("may not reach"),
        "{d}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}

/// A host name other than `localhost` that the system resolves to a loopback address (from
/// /etc/hosts, or this machine's own name).
fn loopback_name() -> String {
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    for line in hosts.lines() {
        let mut parts = line.split('#').next().unwrap_or("").split_whitespace();
        let Some(ip) = parts
            .next()
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
        else {
            continue;
        };
        if ip.is_loopback()
            && let Some(name) = parts.find(|n| !n.contains("localhost"))
        {
            return name.to_owned();
        }
    }
    panic!(
        "no host name other than localhost resolves to loopback here (/etc/hosts): \
            the DNS-rebinding case needs one"
    );
}

#[test]
fn the_bots_events_must_be_signed_fresh_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let shop = merchant(&server);
    let receiver = Receiver::start(Answer::Status(200));
    endpoint(
        &server,
        &shop,
        &receiver.url(),
        json!({"events": ["order_created"]}),
    );
    let body = serde_json::to_vec(&order_event(&shop, 1)).unwrap();
    let push = |id: &str, ts: &str, sig: Option<&str>, body: &[u8]| {
        let mut request = http()
            .post(format!("{}/api/events", server.url))
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts)
            .body(body.to_vec());
        if let Some(sig) = sig {
            request = request.header("webhook-signature", sig);
        }
        request.send().unwrap()
    };
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string()
    };
    // No secret yet: refused.
    let (status, code) = error_code(push("evt_1", &now(), Some("v1,AAAA"), &body));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "events.ingest_disabled")
    );
    let (status, secret) = json_of(post(&server, "/api/events/secret", &json!({})));
    assert_eq!(status, StatusCode::OK);
    let secret = secret["secret"].as_str().unwrap().to_owned();
    // An API key now guards the API; the bot's signed events still come in without one.
    let key = botdesk(dir.path(), &["keys", "create", "--name", "admin"]);
    assert!(key.status.success(), "{}", text(&key.stderr));
    let ts = now();
    let sig = spec_signature(&secret, "evt_1", &ts, &body);
    let cases = [
        (
            "evt_1",
            ts.clone(),
            None,
            &body[..],
            "webhook.signature_missing",
        ),
        (
            "evt_1",
            ts.clone(),
            Some("v1,AAAA".to_owned()),
            &body[..],
            "webhook.signature_invalid",
        ),
        (
            "evt_1",
            ts.clone(),
            Some(sig.clone()),
            br#"{"event_type":"order_created"}"#,
            "webhook.signature_invalid",
        ),
        (
            "evt_1",
            "1614265330".into(),
            Some(spec_signature(&secret, "evt_1", "1614265330", &body)),
            &body[..],
            "webhook.timestamp_stale",
        ),
        (
            "evt_1",
            "soon".into(),
            Some(sig.clone()),
            &body[..],
            "webhook.timestamp_invalid",
        ),
    ];
    for (id, ts, sig, body, want) in cases {
        let (status, code) = error_code(push(id, &ts, sig.as_deref(), body));
        assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, want));
    }
    let (status, accepted) = json_of(push("evt_1", &ts, Some(&sig), &body));
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!(accepted["deliveries"], 1);
    wait_until(20, "the bot's event delivered", || {
        (receiver.received().len() == 1).then_some(())
    });
    // Signed but not a valid event: the payload is checked against its type.
    let bad = serde_json::to_vec(&json!({"event_type": "order_created", "merchant_id": shop,
                                          "payload": {"order_id": "x"}}))
    .unwrap();
    let sig = spec_signature(&secret, "evt_2", &ts, &bad);
    let (status, code) = error_code(push("evt_2", &ts, Some(&sig), &bad));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "webhook.invalid_payload")
    );
    // Other calls still need the key.
    assert_eq!(
        server.get("/api/webhooks").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn every_bad_input_has_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let shop = merchant(&server);
    let create = |body: Value| error_code(post(&server, "/api/webhooks", &body));
    let url = "https://shop.example.com/hooks";
    let cases = [
        (
            json!({"merchant_id": shop, "url": "ftp://x"}),
            "webhook.invalid_url",
        ),
        (
            json!({"merchant_id": shop, "url": "https://u:p@shop.example.com/"}),
            "webhook.invalid_url",
        ),
        (
            json!({"merchant_id": shop, "url": url, "events": ["order_exploded"]}),
            "webhook.unknown_event_type",
        ),
        (
            json!({"merchant_id": shop, "url": url, "events": []}),
            "webhook.invalid_payload",
        ),
        (
            json!({"merchant_id": shop, "url": url, "custom_headers": {"webhook-signature": "x"}}),
            "webhook.invalid_header",
        ),
        (
            json!({"merchant_id": shop, "url": url, "timeout_ms": 5}),
            "webhook.invalid_timeout",
        ),
        (
            json!({"merchant_id": "00000000-0000-4000-8000-000000000000", "url": url}),
            "webhook.unknown_merchant",
        ),
        (
            json!({"merchant_id": shop, "url": url, "colour": "red"}),
            "request.invalid_body",
        ),
        (json!({"merchant_id": shop}), "request.invalid_body"),
    ];
    for (body, want) in cases {
        let (status, code) = create(body.clone());
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, want),
            "{body}"
        );
    }
    let event = |body: Value| error_code(post(&server, "/api/webhook-events", &body));
    let (status, code) = event(json!({"event_type": "order_deleted", "payload": {}}));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "webhook.unknown_event_type")
    );
    let (status, code) = event(json!({"event_type": "order_created", "payload": []}));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "webhook.invalid_payload")
    );
    let (status, code) =
        event(json!({"event_type": "bot_connected", "payload": {}, "merchant_id": "nope"}));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "webhook.unknown_merchant")
    );
    let raw = http()
        .post(format!("{}/api/webhook-events", server.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .unwrap();
    let (status, code) = error_code(raw);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.malformed_json")
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    let (status, code) = error_code(server.get(&format!("/api/webhooks/{missing}")));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "webhook.not_found")
    );
    let (status, code) = error_code(server.get(&format!("/api/webhook-deliveries/{missing}")));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "delivery.not_found")
    );
    let (hook, _) = endpoint(
        &server,
        &shop,
        url,
        json!({"custom_headers": {"Authorization": "Bearer s3cret"}}),
    );
    // The custom header's secret value is masked; sending the mask back keeps it.
    let w = get(&server, &format!("/api/webhooks/{hook}"));
    assert_ne!(w["custom_headers"]["authorization"], "Bearer s3cret");
    let (status, code) =
        error_code(server.get(&format!("/api/webhooks/{hook}/deliveries?status=lost")));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.invalid_filter")
    );
    let (status, code) = error_code(post(
        &server,
        &format!("/api/webhooks/{hook}/replay-failed"),
        &json!({"since": "yesterday"}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.invalid_time")
    );
    // The secret is in no list, no single read, and not in the store file as text.
    let listed = get(&server, "/api/webhooks").to_string();
    assert!(!listed.contains("whsec_"), "{listed}");
    drop(server);
    let db = std::fs::read(dir.path().join("botdesk.db")).unwrap();
    assert!(!db.windows(6).any(|w| w == b"whsec_"));
}

fn patch(server: &Server, path: &str, body: &Value) -> reqwest::blocking::Response {
    http()
        .patch(format!("{}{path}", server.url))
        .json(body)
        .send()
        .unwrap()
}

#[test]
fn orders_changed_in_the_app_reach_their_merchants_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let shop = merchant(&server);
    let other = merchant(&server);
    let receiver = Receiver::start(Answer::Status(200));
    let bystander = Receiver::start(Answer::Status(200));
    let (hook, secret) = endpoint(&server, &shop, &receiver.url(), json!({}));
    endpoint(&server, &other, &bystander.url(), json!({}));

    let (status, order) = json_of(post(
        &server,
        "/api/orders",
        &json!({"merchant_id": shop, "customer_phone": "+15550001", "customer_name": "Ana",
                "items": [{"name": "Mango", "quantity": 3, "unit_price_minor": 250},
                          {"name": "Lime", "quantity": 1, "unit_price_minor": 99}]}),
    ));
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["total_minor"], 849);
    assert_eq!(order["status"], "pending");
    let id = order["id"].as_str().unwrap().to_owned();
    let number = order["order_number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("ORD-"), "{number}");
    for (change, _) in [
        (json!({"status": "confirmed"}), ()),
        (json!({"status": "shipped", "payment_status": "paid"}), ()),
        // The same values again change nothing and announce nothing.
        (json!({"status": "shipped"}), ()),
    ] {
        let (status, body) = json_of(patch(&server, &format!("/api/orders/{id}"), &change));
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // created, confirmed, shipped, paid: four events, each delivered once, signed.
    // Every delivery of the endpoint recorded as delivered at its first attempt: nothing is
    // left that could reach the receiver again.
    wait_until(30, "four deliveries made", || {
        let page = get(&server, &format!("/api/webhooks/{hook}/deliveries"));
        let items = page["items"].as_array().cloned().unwrap_or_default();
        (items.len() == 4
            && items
                .iter()
                .all(|d| d["status"] == "succeeded" && d["attempts"] == 1))
        .then_some(())
    });
    let got = receiver.received();
    assert_eq!(got.len(), 4, "{got:?}");
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| {
            assert!(verifies(&secret, r));
            serde_json::from_slice(&r.body).unwrap()
        })
        .collect();
    let of = |t: &str| -> Vec<&Value> { bodies.iter().filter(|b| b["event_type"] == t).collect() };
    let created = of("order_created");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["merchant_id"], shop.as_str());
    assert_eq!(created[0]["payload"]["order_id"], id.as_str());
    assert_eq!(created[0]["payload"]["customer_id"], "+15550001");
    assert_eq!(created[0]["payload"]["total_amount"], 8.49);
    assert_eq!(created[0]["payload"]["items"].as_array().unwrap().len(), 2);
    let mut changes: Vec<(String, String)> = of("order_status_changed")
        .iter()
        .map(|b| {
            (
                b["payload"]["previous_status"].as_str().unwrap().to_owned(),
                b["payload"]["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        [
            ("confirmed".to_owned(), "shipped".to_owned()),
            ("pending".to_owned(), "confirmed".to_owned())
        ]
    );
    let paid = of("payment_received");
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["payload"]["amount"], 8.49);
    assert_eq!(paid[0]["payload"]["currency"], "USD");
    assert!(
        bystander.received().is_empty(),
        "another merchant's endpoint"
    );
    // The event history says where they came from.
    let recent = get(&server, "/api/webhook-events?limit=10");
    assert!(
        recent
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"] == "app"),
        "{recent}"
    );
    assert_eq!(
        get(&server, &format!("/api/webhooks/{hook}"))["health"]["succeeded"],
        4
    );
    let listed = get(&server, "/api/orders?status=shipped");
    assert_eq!(listed["items"][0]["id"], id.as_str());
    assert_eq!(listed["items"][0]["payment_status"], "paid");

    // Bad input, each with its code; nothing half-written.
    let create = |body: Value| error_code(post(&server, "/api/orders", &body));
    let line = json!([{"name": "Mango", "quantity": 1, "unit_price_minor": 100}]);
    for (body, want) in [
        (json!({"items": []}), "order.invalid_items"),
        (
            json!({"items": [{"name": "", "quantity": 1, "unit_price_minor": 1}]}),
            "order.invalid_items",
        ),
        (
            json!({"items": [{"name": "x", "quantity": 0, "unit_price_minor": 1}]}),
            "order.invalid_items",
        ),
        (
            json!({"items": [{"name": "x", "quantity": 1, "unit_price_minor": -5}]}),
            "order.invalid_items",
        ),
        (
            json!({"items": [{"name": "x", "quantity": 1, "unit_price_minor": 1,
                               "product_id": "00000000-0000-4000-8000-000000000000"}]}),
            "order.unknown_product",
        ),
        (
            json!({"items": line, "merchant_id": "00000000-0000-4000-8000-000000000000"}),
            "order.unknown_merchant",
        ),
        (
            json!({"items": line, "merchant_id": "shop"}),
            "order.unknown_merchant",
        ),
        (
            json!({"items": line, "currency": "usd"}),
            "order.invalid_currency",
        ),
        (
            json!({"items": line, "customer_phone": "+1".repeat(40)}),
            "order.invalid_customer",
        ),
        (json!({"items": line, "paid": true}), "request.invalid_body"),
    ] {
        let (status, code) = create(body.clone());
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, want),
            "{body}"
        );
    }
    let (status, code) = error_code(post(
        &server,
        "/api/orders",
        &json!({"items": line, "order_number": number}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "order.number_taken")
    );
    let (status, code) = error_code(patch(
        &server,
        &format!("/api/orders/{id}"),
        &json!({"status": "teleported"}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.invalid_body")
    );
    let (status, code) = error_code(patch(
        &server,
        "/api/orders/00000000-0000-4000-8000-000000000000",
        &json!({"status": "confirmed"}),
    ));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "order.not_found")
    );
    let (status, code) = error_code(server.get("/api/orders?status=lost"));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "request.invalid_filter")
    );
    assert_eq!(
        get(&server, "/api/orders")["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(receiver.received().len(), 4, "no event for refused input");
}

#[test]
fn a_slow_endpoint_does_not_hold_up_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), "127.0.0.1:0", DEV);
    let slow_shop = merchant(&server);
    let fast_shop = merchant(&server);
    // Answers after 4 s: 8 in flight at a time means 100 take about 50 s.
    let slow = Receiver::start(Answer::Sleep(Duration::from_secs(4)));
    let fast = Receiver::start(Answer::Status(200));
    let (slow_hook, _) = endpoint(
        &server,
        &slow_shop,
        &slow.url(),
        json!({"timeout_ms": 10000}),
    );
    let (fast_hook, _) = endpoint(&server, &fast_shop, &fast.url(), json!({}));
    for n in 0..100 {
        send_event(&server, &order_event(&slow_shop, n));
    }
    // Queued behind all of those.
    let started = Instant::now();
    for n in 0..20 {
        send_event(&server, &order_event(&fast_shop, n));
    }
    wait_until(15, "the fast endpoint's deliveries", || {
        (fast.received().len() == 20).then_some(())
    });
    let took = started.elapsed();
    let slow_done = get(&server, &format!("/api/webhooks/{slow_hook}"))["health"]["succeeded"]
        .as_i64()
        .unwrap();
    assert!(
        slow_done < 100,
        "the slow endpoint is still busy ({slow_done} done)"
    );
    assert!(
        slow.received().len() <= 8 + slow_done as usize + 8,
        "at most its share at once"
    );
    eprintln!("20 deliveries to a fast endpoint behind 100 to a slow one: {took:?}");
    wait_until(10, "the fast deliveries recorded", || {
        (get(&server, &format!("/api/webhooks/{fast_hook}"))["health"]["succeeded"] == 20)
            .then_some(())
    });
}
