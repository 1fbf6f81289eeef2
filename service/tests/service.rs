//! The reference service (`src/main.rs`), started as a
//! process on SQLite and on PostgreSQL, and driven over real HTTP with a
//! real client: every status code it promises, and the background timer.

// The store's test helpers: a fresh database of each backend.
#[path = "../../store/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// The running service; killed when dropped.
struct Service {
    child: Child,
    base: String,
    /// Everything it wrote to standard output after its first line.
    output: Arc<Mutex<Vec<String>>>,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the example on `database`, on a free port, with `extra` arguments.
fn start_with(database: &str, extra: &[&str]) -> Service {
    let mut child = Command::new(service_binary())
        .args([
            "--database",
            database,
            "--listen",
            "127.0.0.1:0",
            "--tick-ms",
            "100",
        ])
        .args(extra)
        .env("TURNSTILE_JWT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the service starts");
    let out = BufReader::new(child.stdout.take().unwrap());
    // Owned at once, so that a panic below still kills the process.
    let mut service = Service {
        child,
        base: String::new(),
        output: Arc::new(Mutex::new(Vec::new())),
    };
    // Its lines until the one that says where it listens (PostgreSQL's
    // notices about the migrations may come first), then all the rest
    // (requests, the timers it fires) are kept.
    let mut lines = out.lines();
    let mut seen = Vec::new();
    let base = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("the service stopped before listening: {seen:?}"))
            .unwrap();
        if let Some(address) = line
            .split(|c: char| c.is_whitespace() || c == '"')
            .find(|w| w.starts_with("http://"))
        {
            break address.to_string();
        }
        seen.push(line);
    };
    let kept = Arc::clone(&service.output);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    service.base = base;
    service
}

fn start(database: &str) -> Service {
    start_with(database, &[])
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// The secret the tests' services sign tokens with.
const SECRET: &str = "a test secret of at least thirty-two bytes";

/// A token for `sub` holding `roles`, valid for an hour, signed with
/// [`SECRET`] as an operator's tool would sign it.
fn token(sub: &str, roles: &[&str]) -> String {
    token_until(sub, roles, 3600)
}

/// A token for `sub` holding `roles`, expiring `seconds` from now
/// (negative: expired).
fn token_until(sub: &str, roles: &[&str], seconds: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({ "sub": sub, "roles": roles, "exp": now + seconds });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A request as the customer `alice`: its status and JSON body.
fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<&str>) -> (u16, Value) {
    call_as(agent, &token("alice", &["customer"]), method, url, body)
}

/// A request with the bearer token `token`: its status and JSON body.
fn call_as(
    agent: &ureq::Agent,
    token: &str,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    call_with(agent, Some(&format!("Bearer {token}")), method, url, body)
}

/// A request with `authorization` as its Authorization header, if any.
fn call_with(
    agent: &ureq::Agent,
    authorization: Option<&str>,
    method: &str,
    url: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut response = match (method, body) {
        ("GET", _) => {
            let mut request = agent.get(url);
            if let Some(a) = authorization {
                request = request.header("authorization", a);
            }
            request.call()
        }
        (_, body) => {
            let mut request = agent.post(url);
            if let Some(a) = authorization {
                request = request.header("authorization", a);
            }
            match body {
                Some(body) => request
                    .header("content-type", "application/json")
                    .send(body),
                None => request.send_empty(),
            }
        }
    }
    .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let json = response
        .body_mut()
        .read_json::<Value>()
        .unwrap_or(Value::Null);
    (status, json)
}

/// A fresh database of each backend there is, by its URL, for a service
/// process to open (`common::backends`, from outside any runtime).
fn database_urls(test: &str) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let urls = runtime.block_on(async {
        common::backends(test)
            .await
            .into_iter()
            .map(|(_, url)| url)
            .collect()
    });
    drop(runtime);
    urls
}

fn ms_ago(days: u64) -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    (now - Duration::from_secs(days * 86_400)).as_millis() as u64
}

#[test]
fn the_service_over_http_on_each_database() {
    for url in database_urls("service") {
        let service = start(&url);
        let http = agent();
        let at = |path: &str| format!("{}{path}", service.base);

        // Create: 201, then 409 for the same id.
        let create = json!({
            "id": "acme",
            "data": { "account": "acme", "obstacles": [] },
            "at": ms_ago(100),
        })
        .to_string();
        let (status, shown) = call(&http, "POST", &at("/service_closing"), Some(&create));
        assert_eq!(status, 201, "{shown}");
        assert_eq!(shown["state"], "active");
        assert_eq!(shown["allowed"], json!(["close", "delete_account"]));
        let (status, shown) = call(&http, "POST", &at("/service_closing"), Some(&create));
        assert_eq!((status, shown["error"].as_str()), (409, Some("exists")));

        // 404s: an unknown instance, an unknown workflow.
        let (status, shown) = call(&http, "GET", &at("/service_closing/nobody"), None);
        assert_eq!((status, shown["error"].as_str()), (404, Some("not_found")));
        let (status, _) = call(&http, "GET", &at("/door/acme"), None);
        assert_eq!(status, 404);

        // 400s: not JSON, an unknown field, an event no one declared.
        let events = at("/service_closing/acme/events");
        for bad in ["{", r#"{"evnt": "close"}"#, r#"{"event": 3}"#] {
            let (status, shown) = call(&http, "POST", &events, Some(bad));
            assert_eq!(
                (status, shown["error"].as_str()),
                (400, Some("malformed_request")),
                "{bad}"
            );
        }
        let (status, shown) = call(&http, "POST", &events, Some(r#"{"event": "clsoe" }"#));
        assert_eq!(
            (status, shown["error"].as_str()),
            (400, Some("unknown_event"))
        );
        assert!(
            shown["message"].as_str().unwrap().contains("close"),
            "{shown}"
        );

        // 403: the account holder's role is missing (002 §1.4.1: the
        // customer closes): staff see every instance, but do not close
        // accounts; nothing changed.
        let (status, shown) = call_as(
            &http,
            &token("agent-7", &["staff"]),
            "POST",
            &events,
            Some(r#"{"event": "close"}"#),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (403, Some("forbidden")),
            "{shown}"
        );

        // 409: not allowed in this state; a stale version.
        let (status, shown) = call(&http, "POST", &events, Some(r#"{"event": "restore" }"#));
        assert_eq!(
            (status, shown["error"].as_str()),
            (409, Some("not_allowed")),
            "{shown}"
        );
        let stale = json!({ "event": "close", "version": 5 }).to_string();
        let (status, shown) = call(&http, "POST", &events, Some(&stale));
        assert_eq!(
            (status, shown["error"].as_str()),
            (409, Some("version_conflict"))
        );

        // 409: a `not_before` timer not yet due (closed just now).
        let soon = json!({ "id": "soon", "data": { "account": "s", "obstacles": [] } });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&soon.to_string()),
        );
        assert_eq!(status, 201);
        let soon_events = at("/service_closing/soon/events");
        let (status, _) = call(&http, "POST", &soon_events, Some(r#"{"event": "close" }"#));
        assert_eq!(status, 200);
        let (status, shown) = call(
            &http,
            "POST",
            &soon_events,
            Some(r#"{"event": "restore" }"#),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (409, Some("not_yet")),
            "{shown}"
        );

        // 422: a guard refused; nothing changed.
        let frozen =
            json!({ "id": "frozen", "data": { "account": "f", "obstacles": ["IdFrozen"] } });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&frozen.to_string()),
        );
        assert_eq!(status, 201);
        let (status, shown) = call(
            &http,
            "POST",
            &at("/service_closing/frozen/events"),
            Some(r#"{"event": "close" }"#),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (422, Some("guard_refused")),
            "{shown}"
        );
        let (_, shown) = call(&http, "GET", &at("/service_closing/frozen"), None);
        assert_eq!(
            (shown["state"].as_str(), shown["version"].as_i64()),
            (Some("active"), Some(0))
        );
        // 422: a payload for an event that brings none; nothing changed.
        let (status, shown) = call(
            &http,
            "POST",
            &at("/service_closing/frozen/events"),
            Some(r#"{"event": "close", "payload": {"reason": "moving"}}"#),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (422, Some("bad_payload")),
            "{shown}"
        );
        assert!(
            shown["message"]
                .as_str()
                .unwrap()
                .ends_with("it brings no payload, but one was given"),
            "{shown}"
        );

        // A restricted account restored end to end: the system restricts
        // it, the customer submits the ticket with its materials (kept as
        // a digest), staff decide; a customer cannot decide (403).
        let account = json!({ "id": "r-1", "data": { "account": "acme", "card_bound": true,
            "restriction": null, "freeze": null, "tickets": 0, "decision": null } });
        let (status, _) = call(
            &http,
            "POST",
            &at("/account_restriction"),
            Some(&account.to_string()),
        );
        assert_eq!(status, 201);
        let restriction_events = at("/account_restriction/r-1/events");
        let system = token("risk-engine", &["system"]);
        let staff = token("agent-7", &["staff"]);
        let customer = token("alice", &["customer"]);
        for (caller, body, expected) in [
            (
                &system,
                json!({ "event": "restrict",
                    "payload": "InsufficientBalance" }),
                (200, "restricted"),
            ),
            (
                &customer,
                json!({ "event": "submit_restriction_ticket",
                    "payload": { "identity_document": "Passport",
                    "card_front": true, "transaction_months": 0, "matches_card_holder": true } }),
                (200, "restriction_under_review"),
            ),
            (
                &customer,
                json!({ "event": "decide_restriction",
                    "payload": { "restore": true, "note": "please" } }),
                (403, "forbidden"),
            ),
            (
                &staff,
                json!({ "event": "decide_restriction",
                    "payload": { "restore": true, "note": "verified" } }),
                (200, "in_good_standing"),
            ),
        ] {
            let (status, shown) = call_as(
                &http,
                caller,
                "POST",
                &restriction_events,
                Some(&body.to_string()),
            );
            let said = shown["state"]
                .as_str()
                .or(shown["error"].as_str())
                .unwrap_or_default()
                .to_string();
            assert_eq!((status, said.as_str()), expected, "{body}: {shown}");
        }
        let (_, shown) = call(&http, "GET", &at("/account_restriction/r-1"), None);
        let history = shown["history"].as_array().unwrap();
        assert_eq!(history.len(), 3, "{shown}");
        assert_eq!(history[0]["role"], "system");
        assert_eq!(history[0]["payload"], "\"InsufficientBalance\"");
        assert!(
            history[1]["payload"]
                .as_str()
                .unwrap()
                .starts_with("sha256:"),
            "{shown}"
        );
        assert_eq!(
            (history[2]["actor"].as_str(), history[2]["role"].as_str()),
            (Some("agent-7"), Some("staff"))
        );

        // The seventh process, changing account details through
        // after-sales staff (002 §1.1.17): the ticket short of a material
        // is refused (422), staff ask for more and then approve, a
        // customer cannot decide (403), and the new email is in the data
        // but not in the history (the ticket is sensitive).
        let details = {
            use turnstile_workflows::rules::materials::{AccountProfile, CustomerType};
            use turnstile_workflows::rules::{AccountType, Region};
            use turnstile_workflows::{CloudAccount, DetailsChange};
            let account = CloudAccount {
                name: "lopes-lab".into(),
                region: Region::Brazil,
                mobile: None,
                email: "ana@lopes.example".into(),
            };
            let profile = AccountProfile {
                customer: CustomerType::DirectSales,
                real_name_authenticated: false,
                account_type: AccountType::Individual,
                card_added: false,
                payments_made: false,
                registered_with_mobile: false,
            };
            serde_json::to_value(DetailsChange::new(account, profile)).unwrap()
        };
        let (status, shown) = call_as(
            &http,
            &customer,
            "POST",
            &at("/details_change"),
            Some(&json!({ "id": "d-1", "data": details }).to_string()),
        );
        assert_eq!(status, 201, "{shown}");
        let details_events = at("/details_change/d-1/events");
        let new_email = json!({ "Email": "ana@new.example" });
        for (caller, body, expected) in [
            (
                &customer,
                json!({ "event": "submit_ticket",
                    "payload": { "detail": new_email, "materials": ["EmailAddress"] } }),
                (422, "guard_refused"),
            ),
            (
                &customer,
                json!({ "event": "submit_ticket",
                    "payload": { "detail": new_email,
                    "materials": ["EmailAddress", "NameAndContactAddress"] } }),
                (200, "under_review"),
            ),
            (
                &staff,
                json!({ "event": "review_materials", "payload": "MoreMaterials" }),
                (200, "more_materials_requested"),
            ),
            (
                &customer,
                json!({ "event": "provide_more_materials",
                    "payload": { "materials": ["LastProvisionedService"] } }),
                (200, "under_review"),
            ),
            (
                &customer,
                json!({ "event": "review_materials", "payload": "Approved" }),
                (403, "forbidden"),
            ),
            (
                &staff,
                json!({ "event": "review_materials", "payload": "Approved" }),
                (200, "details_changed"),
            ),
        ] {
            let (status, shown) = call_as(
                &http,
                caller,
                "POST",
                &details_events,
                Some(&body.to_string()),
            );
            let said = shown["state"]
                .as_str()
                .or(shown["error"].as_str())
                .unwrap_or_default()
                .to_string();
            assert_eq!((status, said.as_str()), expected, "{body}: {shown}");
        }
        let (_, shown) = call_as(&http, &customer, "GET", &at("/details_change/d-1"), None);
        assert_eq!(
            shown["data"]["account"]["email"], "ana@new.example",
            "{shown}"
        );
        let history = shown["history"].to_string();
        assert_eq!(shown["history"].as_array().unwrap().len(), 4, "{shown}");
        assert!(!history.contains("new.example"), "{history}");

        // 409: a caller whose clock is behind. Close, restore two days
        // later, then close stamped a day before that restore: refused,
        // nothing stored, and the instance still answers.
        let skew =
            json!({ "id": "skew", "data": { "account": "k", "obstacles": [] }, "at": ms_ago(10) });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&skew.to_string()),
        );
        assert_eq!(status, 201);
        let skew_events = at("/service_closing/skew/events");
        for (event, days) in [("close", 5), ("restore", 3)] {
            let body = json!({ "event": event, "at": ms_ago(days) }).to_string();
            let (status, shown) = call(&http, "POST", &skew_events, Some(&body));
            assert_eq!(status, 200, "{shown}");
        }
        let body = json!({ "event": "close", "at": ms_ago(4) }).to_string();
        let (status, shown) = call(&http, "POST", &skew_events, Some(&body));
        assert_eq!(
            (status, shown["error"].as_str()),
            (409, Some("clock_behind")),
            "{shown}"
        );
        assert!(
            shown["message"]
                .as_str()
                .unwrap()
                .contains("the caller's clock is behind"),
            "{shown}"
        );
        let (status, shown) = call(&http, "GET", &at("/service_closing/skew"), None);
        assert_eq!(status, 200, "{shown}");
        assert_eq!(
            (shown["state"].as_str(), shown["version"].as_i64()),
            (Some("active"), Some(2))
        );
        let (status, shown) = call(&http, "POST", &skew_events, Some(r#"{"event": "close" }"#));
        assert_eq!(
            (status, shown["state"].as_str()),
            (200, Some("closed")),
            "{shown}"
        );

        // 200: close 95 days ago; the 90-day timer is overdue, and the
        // background runner fires it.
        let close = json!({ "event": "close", "version": 0, "at": ms_ago(95) });
        let (status, shown) = call(&http, "POST", &events, Some(&close.to_string()));
        assert_eq!(status, 200, "{shown}");
        // A fire's answer lists the steps it took.
        assert_eq!(shown["steps"][0]["actor"], "alice");
        assert_eq!(shown.get("history"), None, "{shown}");
        let started = Instant::now();
        let shown = loop {
            let (_, shown) = call(&http, "GET", &at("/service_closing/acme"), None);
            if shown["state"] == "disabled" {
                break shown;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the timer did not fire: {shown}"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(shown["version"], 2);
        assert_eq!(shown["history"][1]["event"], "retention_period_ends");
        assert_eq!(shown["history"][1]["actor"], "timer");
        let (status, listed) = call(&http, "GET", &at("/service_closing?state=disabled"), None);
        assert_eq!(status, 200);
        assert_eq!(listed["instances"][0]["id"], "acme");

        // Another workflow through the same routes.
        let upgrade = json!({
            "id": "legacy-1",
            "data": {
                "account": { "name": "acme-ops", "region": "Germany", "mobile": null, "email": "ops@acme.example" },
                "existing_id": null,
            },
        });
        let (status, shown) = call(
            &http,
            "POST",
            &at("/account_upgrade"),
            Some(&upgrade.to_string()),
        );
        assert_eq!(status, 201, "{shown}");
        let (status, shown) = call(
            &http,
            "POST",
            &at("/account_upgrade/legacy-1/events"),
            Some(r#"{"event": "upgrade_now" }"#),
        );
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["state"], "choosing_id");
        assert!(shown["allowed"]
            .as_array()
            .unwrap()
            .contains(&json!("associate_existing_id")));
    }
}

/// Service hygiene: a health endpoint, a stated body limit, one structured
/// log line per request, and a graceful stop on SIGTERM that loses nothing.
#[test]
fn health_body_limit_logs_and_a_graceful_sigterm() {
    for url in database_urls("hygiene") {
        let mut service = start_with(&url, &["--log", "json"]);
        let http = agent();
        let at = |path: &str| format!("{}{path}", service.base);

        let (status, shown) = call(&http, "GET", &at("/health"), None);
        assert_eq!(
            (status, shown["status"].as_str()),
            (200, Some("ok")),
            "{shown}"
        );

        // 64 KiB is the limit: a body over it is refused unread, nothing
        // is created; one just under it is read (and refused for its content).
        let padding = "x".repeat(64 * 1024);
        let big = json!({ "id": "big", "data": { "account": padding, "obstacles": [] } });
        let (status, shown) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&big.to_string()),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (413, Some("body_too_large")),
            "{shown}"
        );
        let (status, _) = call(&http, "GET", &at("/service_closing/big"), None);
        assert_eq!(status, 404);
        let under =
            json!({ "id": "under", "data": { "account": "x".repeat(60 * 1024), "obstacles": [] } });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&under.to_string()),
        );
        assert_eq!(status, 201);

        let create = json!({ "id": "acme", "data": { "account": "acme", "obstacles": [] } });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&create.to_string()),
        );
        assert_eq!(status, 201);
        let close = json!({ "event": "close" });
        let (status, _) = call(
            &http,
            "POST",
            &at("/service_closing/acme/events"),
            Some(&close.to_string()),
        );
        assert_eq!(status, 200);

        // SIGTERM: the process stops by itself, successfully, saying so.
        let pid = service.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let exit = loop {
            if let Some(exit) = service.child.try_wait().unwrap() {
                break exit;
            }
            assert!(
                Instant::now() < deadline,
                "still running 20 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(exit.success(), "{exit:?}");
        std::thread::sleep(Duration::from_millis(200)); // the reader drains the pipe
        let lines: Vec<Value> = service
            .output
            .lock()
            .unwrap()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
            .collect();
        let messages: Vec<&str> = lines.iter().filter_map(|l| l["message"].as_str()).collect();
        for said in [
            "shutting down: finishing the requests in flight",
            "timer runner stopped",
            "stopped",
        ] {
            assert!(messages.contains(&said), "{said:?} not in {messages:?}");
        }
        let fired = lines
            .iter()
            .find(|l| l["message"] == "request" && l["path"] == "/service_closing/acme/events")
            .expect("the request is logged");
        assert_eq!(
            (fired["method"].as_str(), fired["status"].as_u64()),
            (Some("POST"), Some(200))
        );
        assert!(fired["ms"].as_f64().is_some(), "{fired}");
        assert!(
            !lines
                .iter()
                .any(|l| l.to_string().contains(&padding[..1024])),
            "a body is never logged"
        );

        // What was written before the stop is there after a restart.
        let service = start(&url);
        let (status, shown) = call(
            &http,
            "GET",
            &format!("{}/service_closing/acme", service.base),
            None,
        );
        assert_eq!(
            (status, shown["state"].as_str()),
            (200, Some("closed")),
            "{shown}"
        );
    }
}

/// A keyed POST: its status, JSON body and whether it was a replay.
fn call_keyed(agent: &ureq::Agent, url: &str, key: &str, body: &str) -> (u16, Value, bool) {
    let mut response = agent
        .post(url)
        .header("content-type", "application/json")
        .header(
            "authorization",
            format!("Bearer {}", token("alice", &["customer"])),
        )
        .header("idempotency-key", key)
        .send(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let replayed = response
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true");
    let status = response.status().as_u16();
    let json = response
        .body_mut()
        .read_json::<Value>()
        .unwrap_or(Value::Null);
    (status, json, replayed)
}

/// A request retried with its `Idempotency-Key` fires once: sent by 8
/// clients at once, and again after the service was killed (SIGKILL) and
/// restarted; a refusal is replayed as it was; the key with another event
/// is refused.
#[test]
fn a_request_sent_again_with_its_key_fires_once() {
    for url in database_urls("keys_http") {
        let service = start(&url);
        let base = service.base.clone();
        let http = agent();
        // A creation sent twice with its key: 201, then 201 replayed
        // (not 409); without the key, the id is taken.
        let create = json!({ "id": "k", "data": { "account": "k", "obstacles": [] } }).to_string();
        let creations = format!("{base}/service_closing");
        let (status, shown, replayed) = call_keyed(&http, &creations, "create-k", &create);
        assert_eq!((status, replayed), (201, false), "{shown}");
        let (status, shown, replayed) = call_keyed(&http, &creations, "create-k", &create);
        assert_eq!(
            (status, replayed, shown["state"].as_str()),
            (201, true, Some("active")),
            "{shown}"
        );
        let (status, _) = call(&http, "POST", &creations, Some(&create));
        assert_eq!(status, 409);
        let events = format!("{base}/service_closing/k/events");
        let close = json!({ "event": "close" }).to_string();

        // Eight clients, one request, at once.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let answers: Vec<(u16, Value, bool)> = (0..8)
            .map(|_| {
                let (barrier, events, close) = (barrier.clone(), events.clone(), close.clone());
                std::thread::spawn(move || {
                    let http = agent();
                    barrier.wait();
                    call_keyed(&http, &events, "close-once", &close)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(
            answers
                .iter()
                .all(|(status, body, _)| *status == 200 && body["version"] == 1),
            "{answers:?}"
        );
        assert_eq!(
            answers.iter().filter(|(_, _, replayed)| !replayed).count(),
            1,
            "{answers:?}"
        );
        for (_, body, replayed) in &answers {
            if *replayed {
                assert_eq!(
                    (body["state"].as_str(), body["step"]["event"].as_str()),
                    (Some("closed"), Some("close"))
                );
            }
        }

        // A refusal under a key, replayed as it was.
        let restore = json!({ "event": "restore" }).to_string();
        let (status, first, replayed) = call_keyed(&http, &events, "restore-1", &restore);
        assert_eq!(
            (status, first["error"].as_str(), replayed),
            (409, Some("not_yet"), false)
        );

        // Killed and restarted: the same request is still answered from its record.
        drop(service);
        let service = start(&url);
        let events = format!("{}/service_closing/k/events", service.base);
        let (status, body, replayed) = call_keyed(&http, &events, "close-once", &close);
        assert_eq!((status, replayed), (200, true), "{body}");
        assert_eq!(
            (body["version"].as_i64(), body["state"].as_str()),
            (Some(1), Some("closed"))
        );
        let (status, again, replayed) = call_keyed(&http, &events, "restore-1", &restore);
        assert_eq!((status, replayed), (409, true));
        assert_eq!(again["message"], first["message"]);

        // The key with another event: refused, nothing fired.
        let disable = json!({ "event": "disable" }).to_string();
        let (status, body, _) = call_keyed(&http, &events, "close-once", &disable);
        assert_eq!(
            (status, body["error"].as_str()),
            (422, Some("idempotency_key_reused")),
            "{body}"
        );
        let (_, shown) = call(
            &http,
            "GET",
            &format!("{}/service_closing/k", service.base),
            None,
        );
        assert_eq!(
            shown["history"].as_array().map(Vec::len),
            Some(1),
            "{shown}"
        );
    }
}

/// Steps by (workflow, id, seq), each as (from, event, to).
type Steps = std::collections::BTreeMap<(String, String, i64), (String, String, String)>;

/// The `transition` lines the service wrote (JSON logs), by (workflow, id,
/// seq), with (from, event, to); and how many lines in all.
fn transitions(service: &Service) -> (Steps, usize) {
    let mut found = std::collections::BTreeMap::new();
    let mut lines = 0;
    for line in service.output.lock().unwrap().iter() {
        let Ok(l) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if l["message"] != "transition" {
            continue;
        }
        lines += 1;
        let text = |k: &str| l[k].as_str().unwrap_or_default().to_string();
        found.insert(
            (text("workflow"), text("id"), l["seq"].as_i64().unwrap_or(0)),
            (text("from"), text("event"), text("to")),
        );
    }
    (found, lines)
}

/// Every step stored, as the service shows it: (workflow, id, seq) → (from, event, to).
fn stored_steps(http: &ureq::Agent, base: &str, instances: &[(&str, &str)]) -> Steps {
    let mut steps = std::collections::BTreeMap::new();
    for (workflow, id) in instances {
        let (_, shown) = call(http, "GET", &format!("{base}/{workflow}/{id}"), None);
        for (seq, s) in (1..).zip(shown["history"].as_array().unwrap()) {
            let text = |k: &str| s[k].as_str().unwrap().to_string();
            steps.insert(
                (workflow.to_string(), id.to_string(), seq),
                (text("from"), text("event"), text("to")),
            );
        }
    }
    steps
}

/// Waits until `service` has written a `transition` line for each of
/// `steps`; gives what it wrote.
fn await_transitions(service: &Service, steps: &Steps) -> Steps {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (found, _) = transitions(service);
        if steps.keys().all(|k| found.contains_key(k)) {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "20 s on, the notifier has written {found:?}, not all of {steps:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every transition stored, timers' included, is written as one
/// `transition` line by the notifier (the outbox's consumer
/// `notifications`) exactly as stored; after the service is killed with
/// SIGKILL and started again, the new process goes on from the consumer's
/// cursor: what it writes and what the first wrote cover every step.
#[test]
fn every_transition_is_notified_as_stored_across_a_kill() {
    for url in database_urls("service_notify") {
        let http = agent();
        let service = start_with(&url, &["--log", "json"]);
        let base = service.base.clone();
        let post = |path: &str, body: Value| {
            let (status, shown) = call(
                &http,
                "POST",
                &format!("{base}{path}"),
                Some(&body.to_string()),
            );
            assert!(
                status == 200 || status == 201,
                "{path} {body}: {status} {shown}"
            );
        };
        post(
            "/service_closing",
            json!({ "id": "acme", "data": { "account": "acme", "obstacles": [] }, "at": ms_ago(100) }),
        );
        // Closed 95 days ago: the 90-day timer is overdue and fires.
        post(
            "/service_closing/acme/events",
            json!({ "event": "close", "at": ms_ago(95) }),
        );
        post(
            "/account_upgrade",
            json!({ "id": "u1", "data": { "account": { "name": "u1", "region": "Germany", "mobile": null, "email": "u1@example.com" }, "existing_id": null } }),
        );
        for event in [
            "upgrade_later",
            "log_in_again",
            "upgrade_later",
            "log_in_again",
        ] {
            post("/account_upgrade/u1/events", json!({ "event": event }));
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while call(&http, "GET", &format!("{base}/service_closing/acme"), None).1["state"]
            != "disabled"
        {
            assert!(Instant::now() < deadline, "the timer did not fire");
            std::thread::sleep(Duration::from_millis(50));
        }
        let instances = [("service_closing", "acme"), ("account_upgrade", "u1")];
        let stored = stored_steps(&http, &base, &instances);
        assert_eq!(stored.len(), 6, "{stored:?}");
        let written = await_transitions(&service, &stored);
        assert_eq!(written, stored, "each line as the step is stored");
        assert_eq!(
            written[&("service_closing".into(), "acme".into(), 2)].1,
            "retention_period_ends",
            "the timer's step too"
        );
        // SIGKILL, then a new process on the same database.
        drop(service);
        let service = start_with(&url, &["--log", "json"]);
        let base = service.base.clone();
        for event in ["upgrade_later", "log_in_again"] {
            let body = json!({ "event": event });
            let (status, _) = call(
                &http,
                "POST",
                &format!("{base}/account_upgrade/u1/events"),
                Some(&body.to_string()),
            );
            assert_eq!(status, 200);
        }
        let stored = stored_steps(&http, &base, &instances);
        assert_eq!(stored.len(), 8);
        let fresh: std::collections::BTreeMap<_, _> = stored
            .iter()
            .filter(|(k, _)| !written.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let after = await_transitions(&service, &fresh);
        let mut all = written.clone();
        all.extend(after.clone());
        assert_eq!(all, stored, "every step, as stored");
        let (_, lines) = transitions(&service);
        assert!(
            lines <= 2 + written.len(),
            "the new process starts at the cursor, not from the beginning: {after:?}"
        );
    }
}

/// The path of the service's binary.
fn service_binary() -> std::path::PathBuf {
    // Cargo builds the binary before this test and says where it is.
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_account_service"))
}

/// Callers present bearer tokens: none or a bad one is 401; a customer
/// sees, lists and fires only the instances it owns (another's answers
/// 404, as one that does not exist); staff act on any, within the roles
/// the definition gives them (403 with the runtime's words otherwise); who
/// fires comes from the token, never from the body; no token is logged.
#[test]
fn callers_are_authenticated_and_see_their_own_instances() {
    for url in database_urls("service_auth") {
        let service = start(&url);
        let http = agent();
        let at = |path: &str| format!("{}{path}", service.base);
        let alice = token("alice", &["customer"]);
        let bob = token("bob", &["customer"]);
        let staff = token("agent-7", &["staff"]);

        // The health check needs no token.
        let (status, _) = call_with(&http, None, "GET", &at("/health"), None);
        assert_eq!(status, 200);

        // 401: no token, not a bearer token, a bad signature, expired.
        let forged = {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            jsonwebtoken::encode(
                &jsonwebtoken::Header::default(),
                &json!({ "sub": "alice", "roles": ["staff"], "exp": now + 3600 }),
                &jsonwebtoken::EncodingKey::from_secret(
                    b"another secret, also thirty-two bytes long",
                )
                .unwrap(),
            )
            .unwrap()
        };
        let expired = token_until("alice", &["customer"], -60);
        for (authorization, says) in [
            (None, "no credentials"),
            (Some("Basic YWxpY2U6c2VjcmV0".to_string()), "not `Bearer"),
            (Some(format!("Bearer {forged}")), "signature"),
            (Some(format!("Bearer {expired}")), "expired"),
            (Some("Bearer not.a.token".to_string()), "malformed"),
        ] {
            for (method, path) in [("GET", "/service_closing"), ("POST", "/service_closing")] {
                let (status, shown) = call_with(
                    &http,
                    authorization.as_deref(),
                    method,
                    &at(path),
                    Some("{}"),
                );
                assert_eq!(
                    (status, shown["error"].as_str()),
                    (401, Some("unauthorized")),
                    "{authorization:?}: {shown}"
                );
                assert!(shown["message"].as_str().unwrap().contains(says), "{shown}");
            }
        }

        // Each customer creates its own account.
        for (who, id) in [(&alice, "acme"), (&bob, "bobco")] {
            let body = json!({ "id": id, "data": { "account": id, "obstacles": [] } });
            let (status, shown) = call_as(
                &http,
                who,
                "POST",
                &at("/service_closing"),
                Some(&body.to_string()),
            );
            assert_eq!(status, 201, "{shown}");
        }
        // A customer may not create for another.
        let body =
            json!({ "id": "x", "owner": "alice", "data": { "account": "x", "obstacles": [] } });
        let (status, shown) = call_as(
            &http,
            &bob,
            "POST",
            &at("/service_closing"),
            Some(&body.to_string()),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (403, Some("forbidden")),
            "{shown}"
        );

        // Bob does not see Alice's account: 404 as for no account at all,
        // whether he reads it, fires on it, or retries with a key.
        let (status, mine) = call_as(&http, &bob, "GET", &at("/service_closing/acme"), None);
        let (_, none) = call_as(&http, &bob, "GET", &at("/service_closing/nobody"), None);
        assert_eq!((status, mine["error"].as_str()), (404, Some("not_found")));
        assert_eq!(
            mine["message"].as_str().unwrap().replace("acme", "?"),
            none["message"].as_str().unwrap().replace("nobody", "?"),
            "the same words as for an id that does not exist"
        );
        let close = json!({ "event": "close" }).to_string();
        let (status, _) = call_as(
            &http,
            &bob,
            "POST",
            &at("/service_closing/acme/events"),
            Some(&close),
        );
        assert_eq!(status, 404);
        let ids = |who: &str| -> Vec<String> {
            let (_, listed) = call_as(&http, who, "GET", &at("/service_closing"), None);
            listed["instances"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&alice), ["acme"]);
        assert_eq!(ids(&bob), ["bobco"]);
        assert_eq!(ids(&staff), ["acme", "bobco"]);

        // Who fires is the token's: a body that names roles is refused.
        let claimed = json!({ "event": "close", "roles": ["staff"] }).to_string();
        let (status, _) = call_as(
            &http,
            &alice,
            "POST",
            &at("/service_closing/acme/events"),
            Some(&claimed),
        );
        assert_eq!(status, 400);
        // Staff see every account, but closing is the customer's (403,
        // in the runtime's words).
        let (status, shown) = call_as(&http, &staff, "GET", &at("/service_closing/acme"), None);
        assert_eq!((status, shown["state"].as_str()), (200, Some("active")));
        let (status, shown) = call_as(
            &http,
            &staff,
            "POST",
            &at("/service_closing/acme/events"),
            Some(&close),
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (403, Some("forbidden")),
            "{shown}"
        );
        assert!(
            shown["message"].as_str().unwrap().contains("customer"),
            "{shown}"
        );
        // Alice closes her account; the step records her and her role.
        let (status, shown) = call_as(
            &http,
            &alice,
            "POST",
            &at("/service_closing/acme/events"),
            Some(&close),
        );
        assert_eq!(status, 200, "{shown}");
        assert_eq!(
            (
                shown["steps"][0]["actor"].as_str(),
                shown["steps"][0]["role"].as_str()
            ),
            (Some("alice"), Some("customer"))
        );

        // Staff create for a customer; a token minted by the service's
        // own `token` command is that customer's.
        let body = json!({ "id": "carolco", "owner": "carol", "data": { "account": "carolco", "obstacles": [] } });
        let (status, _) = call_as(
            &http,
            &staff,
            "POST",
            &at("/service_closing"),
            Some(&body.to_string()),
        );
        assert_eq!(status, 201);
        let minted = Command::new(service_binary())
            .args([
                "token", "--sub", "carol", "--roles", "customer", "--hours", "1",
            ])
            .env("TURNSTILE_JWT_SECRET", SECRET)
            .output()
            .unwrap();
        assert!(minted.status.success(), "{minted:?}");
        let carol = String::from_utf8(minted.stdout).unwrap().trim().to_string();
        assert_eq!(ids(&carol), ["carolco"]);

        // No token appears in the logs.
        std::thread::sleep(Duration::from_millis(200));
        let logged = service.output.lock().unwrap().join("\n");
        for t in [&alice, &bob, &staff, &forged, &expired, &carol] {
            assert!(!logged.contains(t.as_str()), "a token in the logs");
        }
        assert!(!logged.contains("Bearer"), "{logged}");
    }
}

/// Without a secret the service does not start: every caller needs a token.
#[test]
fn without_a_token_secret_the_service_does_not_start() {
    let out = Command::new(service_binary())
        .args(["--database", "sqlite::memory:", "--listen", "127.0.0.1:0"])
        .env_remove("TURNSTILE_JWT_SECRET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("TURNSTILE_JWT_SECRET"));
    let short = Command::new(service_binary())
        .args(["--database", "sqlite::memory:", "--listen", "127.0.0.1:0"])
        .env("TURNSTILE_JWT_SECRET", "short")
        .output()
        .unwrap();
    assert_eq!(short.status.code(), Some(2), "{short:?}");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 32 bytes"));
}

/// `account_service store …` with `args`, on `database`: exit code and
/// standard output.
fn operator(database: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(service_binary())
        .arg("store")
        .args(["--database", database])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The snapshot a page written by `store show --html` opens at, and the
/// instant its clock starts at: what the page embeds.
fn embedded(page: &std::path::Path) -> (serde_json::Value, String) {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html
        .find("<script type=\"application/json\" id=\"instance\">")
        .expect("an embedded instance");
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    (
        value["snapshot"].clone(),
        value["as_of"].as_str().unwrap().to_string(),
    )
}

/// The operator's command on each database: lists by state, shows one
/// instance with its history, replays every row and names a damaged one
/// (exit 1), runs the due timers once, and shows the consumers' lag.
#[test]
fn the_operators_command_lists_shows_verifies_runs_timers_and_shows_lag() {
    use turnstile_runtime::{Actor, Instance};
    use turnstile_store::Store;
    use turnstile_workflows::ServiceClosing;
    for url in database_urls("operator") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            let long_ago = SystemTime::now() - Duration::from_secs(100 * 86_400);
            let alice = Actor::new("alice").with_roles(&["customer"]);
            for (id, close) in [("acme", true), ("beta", false), ("gamma", true)] {
                let mut instance = Instance::start(ServiceClosing::new(id), long_ago);
                if close {
                    instance = instance.fire("close", alice, long_ago).unwrap();
                }
                store.create_owned(id, instance, "alice").await.unwrap();
            }
            common::settled(&store).await;
            store
                .consume(
                    "mail",
                    1,
                    async |_: &mut sqlx::AnyConnection, _: &[turnstile_store::Delivery]| {
                        Ok::<(), sqlx::Error>(())
                    },
                )
                .await
                .unwrap();
            store.close().await;
        });
        let (code, listed) = operator(&url, &["list", "service_closing", "--state", "closed"]);
        assert_eq!(code, Some(0));
        let ids: Vec<&str> = listed
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(ids, ["acme", "gamma"], "{listed}");
        let (code, shown) = operator(&url, &["show", "service_closing", "acme"]);
        assert_eq!(code, Some(0));
        for said in [
            "state:      closed",
            "owner:      alice",
            "active --close--> closed  by alice as customer",
        ] {
            assert!(shown.contains(said), "{said:?} in {shown}");
        }
        // On the diagram: the page embeds the instance's snapshot, which
        // the runtime loads as it is.
        let page = std::env::temp_dir().join(format!("turnstile-show-{}.html", std::process::id()));
        let (code, wrote) = operator(
            &url,
            &[
                "show",
                "service_closing",
                "acme",
                "--html",
                page.to_str().unwrap(),
            ],
        );
        assert_eq!(code, Some(0), "{wrote}");
        assert!(
            wrote.starts_with(&format!("wrote {}", page.display())),
            "{wrote}"
        );
        let (snapshot, as_of) = embedded(&page);
        let instance =
            Instance::<ServiceClosing>::from_envelope(serde_json::from_value(snapshot).unwrap())
                .expect("the runtime's own snapshot");
        assert_eq!(instance.state(), "closed");
        assert_eq!(instance.trail().len(), 1);
        assert!(humantime::parse_rfc3339(&as_of).is_ok(), "{as_of}");
        std::fs::remove_file(&page).unwrap();
        let (code, lag) = operator(&url, &["lag"]);
        assert_eq!(code, Some(0));
        assert!(lag.lines().any(|l| l.starts_with("mail\t1\t")), "{lag}");
        let (code, verified) = operator(&url, &["verify", "service_closing"]);
        assert_eq!(code, Some(0), "{verified}");
        assert!(
            verified.contains("service_closing: 3 instances replayed, 0 refused"),
            "{verified}"
        );
        // Damage gamma's first step: a fire would not see it; verify does.
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            sqlx::query(
                "UPDATE turnstile_steps SET event = 'restore' WHERE id = 'gamma' AND seq = 1",
            )
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
        });
        let (code, verified) = operator(&url, &["verify"]);
        assert_eq!(code, Some(1), "{verified}");
        assert!(
            verified.contains("service_closing: 3 instances replayed, 1 refused"),
            "{verified}"
        );
        assert!(verified.contains("`gamma`"), "{verified}");
        // The retention timers (90 days) of the closed accounts are due.
        let (code, ran) = operator(&url, &["run-due", "service_closing"]);
        assert!(
            ran.contains("acme  closed --retention_period_ends--> disabled"),
            "{ran}"
        );
        assert!(
            ran.contains("service_closing: 2 instances took their due timers"),
            "{ran}"
        );
        assert_eq!(code, Some(0), "{ran}");
        // beta written under an older version: shown as another version's
        // until the operator moves that version's rows, first as a dry run.
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            sqlx::query(
                "UPDATE turnstile_instances SET fingerprint = 'sha256:older' WHERE id = 'beta'",
            )
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
        });
        let (code, _) = operator(&url, &["show", "service_closing", "beta"]);
        assert_eq!(code, Some(1), "another version's row");
        let (code, _) = operator(&url, &["migrate", "service_closing"]);
        assert_eq!(code, Some(2), "--from is needed");
        let (code, dry) = operator(
            &url,
            &[
                "migrate",
                "service_closing",
                "--from",
                "sha256:older",
                "--dry-run",
            ],
        );
        assert_eq!(code, Some(0), "{dry}");
        assert!(
            dry.contains("service_closing: 1 would move from sha256:older"),
            "{dry}"
        );
        assert!(
            dry.contains("(a dry run: nothing written)") && dry.contains("  active\t1"),
            "{dry}"
        );
        let (code, _) = operator(&url, &["show", "service_closing", "beta"]);
        assert_eq!(code, Some(1), "a dry run writes nothing");
        let (code, moved) = operator(
            &url,
            &["migrate", "service_closing", "--from", "sha256:older"],
        );
        assert_eq!(code, Some(0), "{moved}");
        assert!(
            moved.contains("service_closing: 1 moved from sha256:older"),
            "{moved}"
        );
        let (code, shown) = operator(&url, &["show", "service_closing", "beta"]);
        assert_eq!(code, Some(0), "{shown}");
        // A row a newer version wrote that no migration step of this
        // version's leads to (beta has taken no step): the undo refuses
        // it, naming why, and leaves it.
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            sqlx::query(
                "UPDATE turnstile_instances SET fingerprint = 'sha256:newer' WHERE id = 'beta'",
            )
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
        });
        let (code, _) = operator(&url, &["undo-migration", "service_closing"]);
        assert_eq!(code, Some(2), "--from is needed");
        let out = Command::new(service_binary())
            .args(["store", "--database", &url])
            .args([
                "undo-migration",
                "service_closing",
                "--from",
                "sha256:newer",
            ])
            .output()
            .unwrap();
        let (undone, refused) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(1), "{undone}{refused}");
        assert!(
            undone.contains("service_closing: 0 moved from sha256:newer"),
            "{undone}"
        );
        assert!(
            refused.contains("instance `beta` is refused: it has no step: nothing migrated it"),
            "{refused}"
        );
        let (code, _) = operator(&url, &["show", "service_closing", "beta"]);
        assert_eq!(code, Some(1), "left as it was");
        // The account's configurations migrate too (none of that version
        // here).
        let (code, moved) = operator(
            &url,
            &["migrate", "account", "--from", "sha256:older", "--dry-run"],
        );
        assert_eq!(code, Some(0), "{moved}");
        assert!(
            moved.contains("account: 0 would move from sha256:older"),
            "{moved}"
        );
        let (code, _) = operator(&url, &["list"]);
        assert_eq!(code, Some(2), "a command that does not parse");
    }
}

/// One request written byte for byte on a new connection (with
/// `Connection: close`), and what came back: the status, the headers
/// (lowercased names) and the body. `None` if the connection closed with
/// no answer. `after` bytes are sent `pause` later (a slow client).
fn raw(
    base: &str,
    request: &[u8],
    after: Option<(&[u8], Duration)>,
) -> Option<(u16, String, String)> {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).unwrap();
    if let Some((rest, pause)) = after {
        std::thread::sleep(pause);
        // The service may have answered and closed already.
        let _ = stream.write_all(rest);
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    if answer.is_empty() {
        return None;
    }
    let answer = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    Some((status, head.to_lowercase(), body.to_string()))
}

/// A request over a raw socket, as `alice`: the status and the body, which
/// must be JSON `{"error", "message"}` for an error, and never a
/// database's words.
fn hostile(base: &str, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, Value) {
    let token = token("alice", &["customer"]);
    let key = key.map_or(String::new(), |k| format!("Idempotency-Key: {k}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n{key}\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, head, text) =
        raw(base, request.as_bytes(), None).unwrap_or_else(|| panic!("{method} {path}: no answer"));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{method} {path}: {status} with a body that is not JSON ({e}): {text:?}")
    });
    if status >= 400 {
        assert!(
            head.contains("content-type: application/json"),
            "{method} {path}: {head}"
        );
        assert!(
            json["error"].is_string() && json["message"].is_string(),
            "{method} {path}: {json}"
        );
    }
    if status >= 400 {
        // Every code the service answers is in docs/store.md's table, with
        // its status.
        let code = json["error"].as_str().unwrap();
        let table = std::fs::read_to_string("../docs/store.md").unwrap();
        assert!(
            table.contains(&format!("| {status} | `{code}` |")),
            "docs/store.md's status table lacks {status} `{code}`"
        );
    }
    for driver in ["database", "sqlx", "sqlite", "postgres", "encoding", "0x00"] {
        assert!(
            !text.to_lowercase().contains(driver),
            "{method} {path}: the answer names `{driver}`: {text}"
        );
    }
    (status, json)
}

#[test]
fn hostile_text_is_refused_with_json_and_no_database_words() {
    for url in database_urls("hostile") {
        // No timer runs during the test (the first tick is at start).
        let service = start_with(&url, &["--tick-ms", "3600000"]);
        let base = &service.base;
        let data = r#"{"account": "acme", "obstacles": []}"#;
        let (status, created) = hostile(
            base,
            "POST",
            "/service_closing",
            None,
            &format!(r#"{{"id": "acme", "data": {data}}}"#),
        );
        assert_eq!(status, 201, "{created}");

        // NUL and the other control characters, in every text a request
        // carries: 400 `invalid_text`, naming the field, on both databases.
        for c in ["\\u0000", "\\n", "\\t", "\\u001b", "\\u007f", "\\u0085"] {
            let (status, shown) = hostile(
                base,
                "POST",
                "/service_closing",
                None,
                &format!(r#"{{"id": "bad{c}id", "data": {data}}}"#),
            );
            assert_eq!(
                (status, shown["error"].as_str()),
                (400, Some("invalid_text")),
                "{url}: id with {c}: {shown}"
            );
            assert!(
                shown["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("the instance id holds the control character U+"),
                "{shown}"
            );
            for key in [None, Some("k-1")] {
                let (status, shown) = hostile(
                    base,
                    "POST",
                    "/service_closing/acme/events",
                    key,
                    &format!(r#"{{"event": "clo{c}se"}}"#),
                );
                assert_eq!(
                    (status, shown["error"].as_str()),
                    (400, Some("invalid_text")),
                    "{url}: event with {c}, key {key:?}: {shown}"
                );
            }
        }
        for (path, field) in [
            ("/service_closing/a%00x", "the instance id"),
            ("/service_closing/a%0Ax", "the instance id"),
            ("/service_closing?state=%00", "the listing's state"),
            ("/service_closing?after=a%00b", "the listing's cursor"),
            ("/service_closing?state=closed%1b", "the listing's state"),
        ] {
            let (status, shown) = hostile(base, "GET", path, None, "");
            assert_eq!(
                (status, shown["error"].as_str()),
                (400, Some("invalid_text")),
                "{url}: GET {path}: {shown}"
            );
            assert!(
                shown["message"].as_str().unwrap().starts_with(field),
                "{shown}"
            );
        }
        let (status, shown) = hostile(
            base,
            "POST",
            "/service_closing/a%00x/events",
            Some("k-2"),
            r#"{"event": "close"}"#,
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (400, Some("invalid_text")),
            "{shown}"
        );
        // A NUL inside a JSON payload is JSON's `\u0000`: stored as such.
        // (The event brings no payload, so it is refused for that.)
        let (status, shown) = hostile(
            base,
            "POST",
            "/service_closing/acme/events",
            None,
            r#"{"event": "close", "payload": {"note": "a\u0000b"}}"#,
        );
        assert_eq!(
            (status, shown["error"].as_str()),
            (422, Some("bad_payload")),
            "{shown}"
        );

        // Query, path and route rejections are JSON too.
        for (method, path, code, words) in [
            ("GET", "/service_closing?limit=abc", 400, "limit"),
            (
                "GET",
                "/service_closing?limit=99999999999999999999",
                400,
                "limit",
            ),
            ("GET", "/service_closing/%FF%FE", 400, "UTF-8"),
            ("DELETE", "/service_closing", 405, "DELETE /service_closing"),
            (
                "GET",
                "/no/such/route/here",
                404,
                "no route serves GET /no/such/route/here",
            ),
        ] {
            let (status, shown) = hostile(base, method, path, None, "");
            assert_eq!(status, code, "{method} {path}: {shown}");
            assert!(
                shown["message"].as_str().unwrap().contains(words),
                "{method} {path}: {shown}"
            );
        }
        let (_, listed) = hostile(base, "GET", "/service_closing", None, "");
        assert_eq!(listed["instances"].as_array().unwrap().len(), 1, "{listed}");

        // A token whose subject or role holds a control character is a bad
        // token (401), worded by the store's own rule.
        for (sub, roles) in [
            ("al\u{0}ice", vec!["customer"]),
            ("alice", vec!["cus\ntomer"]),
        ] {
            let (status, shown) = call_as(
                &agent(),
                &token(sub, &roles),
                "GET",
                &format!("{base}/service_closing"),
                None,
            );
            assert_eq!(
                (status, shown["error"].as_str()),
                (401, Some("unauthorized")),
                "{shown}"
            );
            assert!(
                shown["message"]
                    .as_str()
                    .unwrap()
                    .contains("holds the control character U+00"),
                "{shown}"
            );
        }

        // A row that does not load: 500 with the request's id, and the
        // detail in the log line under that id, not in the answer.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let store = turnstile_store::Store::open(&url).await.unwrap();
            sqlx::query(
                "UPDATE turnstile_instances SET data = 'secret row text' WHERE id = 'acme'",
            )
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
        });
        drop(runtime);
        let request = format!(
            "GET /service_closing/acme HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
             Connection: close\r\n\r\n",
            token("alice", &["customer"])
        );
        let (status, head, text) = raw(base, request.as_bytes(), None).unwrap();
        assert_eq!(status, 500, "{text}");
        let shown: Value = serde_json::from_str(&text).unwrap();
        let id = shown["request_id"].as_str().unwrap().to_string();
        assert_eq!(shown["error"], "bad_row", "{shown}");
        assert_eq!(
            shown["message"],
            format!("internal error: the service's log has the detail under request id {id}")
        );
        assert!(head.contains(&format!("x-request-id: {id}")), "{head}");
        assert!(
            !text.contains("secret row text") && !text.contains("acme"),
            "{text}"
        );
        let logged = (0..100).find_map(|_| {
            let line = service
                .output
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(&id) && l.contains("internal error"))
                .cloned();
            if line.is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
            line
        });
        let logged = logged.expect("the log line of the 500");
        assert!(
            logged.contains("service_closing instance `acme` is refused"),
            "{logged}"
        );

        // A row another version of the definition wrote (a node already
        // upgraded, or rolled back): 409 `other_version` with both
        // fingerprints, not a 500, and the row is left as it is.
        let alice = token("alice", &["customer"]);
        let (status, _) = call_as(
            &agent(),
            &alice,
            "POST",
            &format!("{base}/service_closing"),
            Some(
                &json!({ "id": "nextgen", "data": { "account": "nextgen", "obstacles": [] } })
                    .to_string(),
            ),
        );
        assert_eq!(status, 201);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let store = turnstile_store::Store::open(&url).await.unwrap();
            sqlx::query(
                "UPDATE turnstile_instances SET fingerprint = 'sha256:newer' WHERE id = 'nextgen'",
            )
            .execute(store.pool())
            .await
            .unwrap();
            store.close().await;
        });
        drop(runtime);
        use turnstile_runtime::Dispatch;
        for (method, path, body) in [
            ("GET", "/service_closing/nextgen", None),
            (
                "POST",
                "/service_closing/nextgen/events",
                Some(r#"{"event": "close"}"#),
            ),
        ] {
            let (status, shown) = call_as(&agent(), &alice, method, &format!("{base}{path}"), body);
            assert_eq!(
                (status, shown["error"].as_str()),
                (409, Some("other_version")),
                "{method} {path}: {shown}"
            );
            assert_eq!(shown["stored_fingerprint"], "sha256:newer", "{shown}");
            assert_eq!(
                shown["fingerprint"],
                turnstile_workflows::ServiceClosing::FINGERPRINT,
                "{shown}"
            );
        }
    }
}

#[test]
fn allowed_is_what_the_caller_may_fire_and_automatic_what_happens_by_itself() {
    for url in database_urls("overdue") {
        // The timer runner's first tick is at start; no other comes.
        let service = start_with(&url, &["--tick-ms", "3600000"]);
        let http = agent();
        let at = |path: &str| format!("{}{path}", service.base);
        let (status, created) = call(
            &http,
            "POST",
            &at("/service_closing"),
            Some(&json!({ "id": "late", "data": { "account": "late", "obstacles": [] }, "at": ms_ago(100) }).to_string()),
        );
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["allowed"], json!(["close", "delete_account"]));
        assert_eq!(created["automatic"], json!([]));
        let (status, closed) = call(
            &http,
            "POST",
            &at("/service_closing/late/events"),
            Some(&json!({ "event": "close", "at": ms_ago(95) }).to_string()),
        );
        assert_eq!(status, 200, "{closed}");
        // Closed: the customer may restore or disable; the end of the
        // retention period happens by itself, and is not offered.
        assert_eq!(closed["allowed"], json!(["restore", "disable"]), "{closed}");
        assert_eq!(
            closed["automatic"],
            json!(["retention_period_ends"]),
            "{closed}"
        );
        // Someone holding no role of the workflow is offered nothing.
        let (status, seen) = call_as(
            &http,
            &token("ops", &["staff"]),
            "GET",
            &at("/service_closing/late"),
            None,
        );
        assert_eq!(status, 200, "{seen}");
        assert_eq!(seen["allowed"], json!([]), "{seen}");
        // Day 95 after closing: the retention period (90 days) is over and
        // its timer had not run; a fire runs it first, so restoring is
        // refused in `disabled`, and the answer says what was stored.
        let (status, refused) = call(
            &http,
            "POST",
            &at("/service_closing/late/events"),
            Some(&json!({ "event": "restore" }).to_string()),
        );
        assert_eq!(
            (status, refused["error"].as_str()),
            (409, Some("not_allowed")),
            "{refused}"
        );
        let (_, seen) = call(&http, "GET", &at("/service_closing/late"), None);
        assert_eq!(seen["state"], "disabled", "{seen}");
        assert_eq!(seen["allowed"], json!([]), "{seen}");
    }
}

#[test]
fn limits_hold_against_lying_and_slow_clients() {
    for url in database_urls("slow") {
        let service = start_with(
            &url,
            &["--header-timeout-ms", "700", "--body-timeout-ms", "700"],
        );
        let base = &service.base;
        // A declared length over 64 KiB: 413 at once, without the body.
        let started = Instant::now();
        let (status, head, body) = raw(
            base,
            b"POST /service_closing HTTP/1.1\r\nHost: test\r\nContent-Length: 10000000\r\n\r\n",
            None,
        )
        .expect("an answer");
        assert_eq!(status, 413, "{head}{body}");
        assert!(body.contains(r#""error":"body_too_large""#), "{body}");
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "the 413 took {:?}",
            started.elapsed()
        );
        // A chunked body that grows past the limit: cut with 413.
        let mut chunked =
            b"POST /service_closing HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                .to_vec();
        for _ in 0..20 {
            chunked.extend_from_slice(format!("1000\r\n{}\r\n", "x".repeat(4096)).as_bytes());
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let (status, _, body) = raw(base, &chunked, None).expect("an answer");
        assert_eq!(status, 413, "{body}");
        // A body that stops short of its length: 408 once the body's time
        // is up, as JSON.
        let started = Instant::now();
        let (status, _, body) = raw(
            base,
            b"POST /service_closing HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n{\"id\"",
            None,
        )
        .expect("an answer");
        assert_eq!(status, 408, "{body}");
        assert!(
            body.contains("the request's body did not arrive within 700 ms"),
            "{body}"
        );
        assert!(started.elapsed() >= Duration::from_millis(700));
        // Headers sent slowly: 408 once the headers' time is up.
        let (status, _, body) = raw(
            base,
            b"GET /health HTTP/1.1\r\nHost: te",
            Some((b"st\r\n\r\n", Duration::from_millis(1500))),
        )
        .expect("an answer");
        assert_eq!(status, 408, "{body}");
        assert!(
            body.contains("the request's headers did not arrive within 700 ms"),
            "{body}"
        );
        // A connection that sends nothing is closed without an answer.
        assert_eq!(raw(base, b"", None), None);
        // What hyper cannot parse is answered in JSON too, not with its own
        // empty 400, 414 and 431.
        let many_headers: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
        let long_uri = format!("GET /{} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(70_000));
        for (request, status, code) in [
            (b"GARBAGE\r\n\r\n".to_vec(), 400, "malformed_request"),
            (b"GET /health HTTP/1.1\r\nHost: test\r\nX-Bad: a\x01b\r\n\r\n".to_vec(), 400, "malformed_request"),
            (
                b"POST /service_closing HTTP/1.1\r\nIdempotency-Key: a\x00b\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
                400,
                "malformed_request",
            ),
            (format!("GET /health HTTP/1.1\r\n{many_headers}\r\n").into_bytes(), 431, "headers_too_large"),
            (long_uri.into_bytes(), 414, "uri_too_long"),
        ] {
            let (got, head, body) = raw(base, &request, None).expect("an answer");
            assert_eq!(got, status, "{head}{body}");
            assert!(head.contains("content-type: application/json"), "{head}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"], code, "{body}");
        }
        // Within the limits, the service answers as ever.
        let (status, _, body) = raw(
            base,
            b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
            None,
        )
        .expect("an answer");
        assert_eq!(status, 200, "{body}");
    }
}

/// The account as one machine (four parallel regions) over HTTP: created
/// with each region in its initial state, a move shown with the regions it
/// moved, a condition on another region refused with its own code and the
/// runtime's words, owners and keys as for every workflow, listed by its
/// configuration, and each region's timer run by the service's runner.
#[test]
fn the_account_as_one_machine_is_served_with_its_regions() {
    use turnstile_account::{Account, PartnerModel};
    let data = serde_json::to_value(Account::new("acme", PartnerModel::Referral)).unwrap();
    for url in database_urls("account_regions") {
        let service = start(&url);
        let http = agent();
        let at = |path: &str| format!("{}{path}", service.base);
        let (status, created) = call(
            &http,
            "POST",
            &at("/account"),
            Some(&json!({ "id": "acme", "data": data, "at": ms_ago(100) }).to_string()),
        );
        assert_eq!(status, 201, "{created}");
        assert_eq!(
            created["state"],
            "active,no_partner,unrestricted,not_frozen"
        );
        assert_eq!(created["regions"][1]["region"], "partner", "{created}");
        assert_eq!(created["regions"][1]["state"], "no_partner", "{created}");
        assert_eq!(
            created["allowed"],
            json!(["close", "delete_account", "associate"]),
            "{created}"
        );
        assert_eq!(created["automatic"], json!([]));

        // Associated: one step, the partner region moved.
        let (status, fired) = call(
            &http,
            "POST",
            &at("/account/acme/events"),
            Some(&json!({ "event": "associate", "at": ms_ago(99) }).to_string()),
        );
        assert_eq!(status, 200, "{fired}");
        assert_eq!(fired["version"], 1);
        assert_eq!(
            fired["steps"][0]["moved"],
            json!([{ "region": "partner", "from": "no_partner", "to": "associated" }])
        );
        // Closing asks the partner region to be in `no_partner`.
        let (status, refused) = call(
            &http,
            "POST",
            &at("/account/acme/events"),
            Some(&json!({ "event": "close", "at": ms_ago(98) }).to_string()),
        );
        assert_eq!(
            (status, refused["error"].as_str()),
            (409, Some("condition_unmet")),
            "{refused}"
        );
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("account: event `close` needs region `partner` to be in `no_partner`; it is in `associated`"),
            "{refused}"
        );
        // Another customer's account answers as one that does not exist.
        let (status, _) = call_as(
            &http,
            &token("bob", &["customer"]),
            "GET",
            &at("/account/acme"),
            None,
        );
        assert_eq!(status, 404);
        // Listed by its configuration.
        let (status, listed) = call(
            &http,
            "GET",
            &at("/account?state=active,associated,unrestricted,not_frozen"),
            None,
        );
        assert_eq!(status, 200, "{listed}");
        assert_eq!(listed["instances"][0]["id"], "acme", "{listed}");

        // A second account closes 95 days ago: the service's runner ends
        // its retention period (90 days after closing).
        let (status, _) = call(
            &http,
            "POST",
            &at("/account"),
            Some(&json!({ "id": "beta", "data": data, "at": ms_ago(100) }).to_string()),
        );
        assert_eq!(status, 201);
        let (status, body, replayed) = call_keyed(
            &http,
            &at("/account/beta/events"),
            "close-1",
            &json!({ "event": "close", "at": ms_ago(95) }).to_string(),
        );
        assert_eq!((status, replayed), (200, false), "{body}");
        let (status, body, replayed) = call_keyed(
            &http,
            &at("/account/beta/events"),
            "close-1",
            &json!({ "event": "close", "at": ms_ago(95) }).to_string(),
        );
        assert_eq!((status, replayed), (200, true), "{body}");
        assert_eq!(
            body["state"], "closed,no_partner,unrestricted,not_frozen",
            "{body}"
        );
        assert_eq!(body["step"]["from"], "services=active", "{body}");
        let started = Instant::now();
        loop {
            let (_, seen) = call(&http, "GET", &at("/account/beta"), None);
            if seen["regions"][0]["state"] == "disabled" {
                let last = &seen["history"][1];
                assert_eq!(last["event"], "retention_period_ends", "{seen}");
                assert_eq!(last["actor"], "timer", "{seen}");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{seen}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The operator's command knows the account as one machine: its listing
/// shows each region's state, `show` each region and the regions each step
/// moved, `verify` replays every instance's history, `run-due` fires each
/// region's timers.
#[test]
fn the_operators_command_knows_the_account_with_its_regions() {
    use turnstile_account::{Account, Current, PartnerModel};
    use turnstile_runtime::Actor;
    use turnstile_store::{FireRequest, Store};
    for url in database_urls("operator_regions") {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let store = Store::open(&url).await.unwrap();
            let long_ago = SystemTime::now() - Duration::from_secs(100 * 86_400);
            let alice = Actor::new("alice").with_roles(&["customer"]);
            for id in ["acme", "beta"] {
                let start = Current::start(Account::new(id, PartnerModel::Referral), long_ago);
                store
                    .create_regions_owned::<Account>(id, start, "alice")
                    .await
                    .unwrap();
            }
            store
                .fire_regions::<Account>("acme", &FireRequest::new("close", alice, long_ago))
                .await
                .unwrap();
            store.close().await;
        });
        let (code, listed) = operator(&url, &["list", "account"]);
        assert_eq!(code, Some(0), "{listed}");
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with("acme\tclosed,no_partner,unrestricted,not_frozen\t1\t")),
            "{listed}"
        );
        let (code, shown) = operator(&url, &["show", "account", "acme"]);
        assert_eq!(code, Some(0), "{shown}");
        for said in [
            "region:     services: closed",
            "region:     partner: no_partner",
            "close (services: active → closed)  by alice as customer",
            "timer:      retention_period_ends (automatic)",
        ] {
            assert!(shown.contains(said), "{said:?} in {shown}");
        }
        let page = std::env::temp_dir().join(format!(
            "turnstile-show-account-{}.html",
            std::process::id()
        ));
        let (code, wrote) = operator(
            &url,
            &["show", "account", "acme", "--html", page.to_str().unwrap()],
        );
        assert_eq!(code, Some(0), "{wrote}");
        let (snapshot, _) = embedded(&page);
        let current = Current::from_snapshot(serde_json::from_value(snapshot).unwrap())
            .expect("the runtime's own snapshot");
        assert_eq!(
            current.states(),
            ["closed", "no_partner", "unrestricted", "not_frozen"]
        );
        std::fs::remove_file(&page).unwrap();
        let (code, verified) = operator(&url, &["verify", "account"]);
        assert_eq!(code, Some(0), "{verified}");
        assert!(
            verified.contains("account: 2 instances replayed, 0 refused"),
            "{verified}"
        );
        let (code, ran) = operator(&url, &["run-due", "account"]);
        assert_eq!(code, Some(0), "{ran}");
        assert!(ran.contains("account: 1 due timers fired"), "{ran}");
        let (_, shown) = operator(&url, &["show", "account", "acme"]);
        assert!(shown.contains("region:     services: disabled"), "{shown}");
    }
}
