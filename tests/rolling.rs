//! A rolling deploy of a changed definition, and its rollback, under load.
//!
//! Two node processes (this test binary started again, running
//! `ticket_node` alone) serve the test ticket on one database, both in
//! version 3. Eight clients create tickets and fire
//! events at either node, and each node's timer runner takes the 20-day
//! timers as they fall due (the nodes' clock runs five days a second).
//! Then one node is killed (`kill -9`) and started again in version 4,
//! which took `withdraw` away and moves version 3's instances as it meets
//! them (`previous = …`, `previous::Migrate`); then it is killed again and
//! rolled back to version 3.
//!
//! What must hold, on SQLite (two processes on one file: SQLite's own
//! locking serialises their writers) and on PostgreSQL:
//!
//! - no answer is a 5xx;
//! - no acknowledged write is lost: every 201 and 200 a client received is
//!   in the database, the step at the version it was told;
//! - every instance loads, history replayed, on the version that wrote it
//!   last (its row's fingerprint), and on no other: a version 3 node
//!   answers 409 `other_version` for a row version 4 wrote, and leaves it;
//! - no timer fired twice, and each by a node of the version the step
//!   replays under.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{json, Value};
use turnstile::{Actor, Dispatch, Instance};
use turnstile_store::{Store, StoreError};

include!("versions/tickets.rs");

// The node: a small service of the ticket in one version, with its timer
// runner. Its clock runs fast, the same on every node: the virtual
// instant is a fixed epoch plus the real time since the test's start,
// times `days_per_second` days per second, so that the tickets' 20-day
// timers fall due within the test. It prints `listening on http://ADDR`,
// then one line per timer it fires (`timer ID VERSION`), each after its
// commit. `POST /tickets/{id}` creates; `POST
// /tickets/{id}/{event}?actor=A&role=R` fires; both answer the row's
// version, or the refusal: 404 unknown, 409 another version's row
// (`other_version`) or the id taken, 422 refused. 500 is a failure.

/// The node's clock and store.
struct NodeState {
    store: Store,
    start: SystemTime,
    days_per_second: f64,
}

/// The epoch the virtual clock counts from (2027-01-01).
const EPOCH_SECS: u64 = 1_798_761_600;

impl NodeState {
    fn now(&self) -> SystemTime {
        let real = SystemTime::now()
            .duration_since(self.start)
            .unwrap_or_default();
        UNIX_EPOCH + Duration::from_secs(EPOCH_SECS) + real.mul_f64(self.days_per_second * 86_400.0)
    }
}

/// The data a version starts a ticket with.
trait Start:
    Dispatch<Current: Send + Sync> + Serialize + DeserializeOwned + Send + Sync + 'static
{
    fn new(subject: String) -> Self;
    const LABEL: &'static str;
}

impl Start for v3::Ticket {
    fn new(subject: String) -> Self {
        v3::Ticket { subject }
    }
    const LABEL: &'static str = "3";
}

impl Start for v4::Ticket {
    fn new(subject: String) -> Self {
        v4::Ticket {
            subject,
            note: String::new(),
        }
    }
    const LABEL: &'static str = "4";
}

/// Who fires: `?actor=…&role=…`.
#[derive(Deserialize)]
struct Who {
    actor: String,
    role: String,
}

type Answer = (StatusCode, Json<Value>);

fn refusal(e: &StoreError) -> Answer {
    let (status, error) = match e {
        StoreError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
        StoreError::OtherVersion { .. } => (StatusCode::CONFLICT, "other_version"),
        StoreError::Exists { .. } => (StatusCode::CONFLICT, "exists"),
        StoreError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
        StoreError::Refused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "failure"),
    };
    (
        status,
        Json(json!({ "error": error, "message": e.to_string() })),
    )
}

async fn create<W: Start>(State(node): State<Arc<NodeState>>, Path(id): Path<String>) -> Answer {
    let instance = Instance::start(W::new(id.clone()), node.now());
    match node.store.create(&id, instance).await {
        Ok(_) => (
            StatusCode::CREATED,
            Json(json!({ "version": 0, "fingerprint": W::FINGERPRINT })),
        ),
        Err(e) => refusal(&e),
    }
}

async fn fire<W: Start>(
    State(node): State<Arc<NodeState>>,
    Path((id, event)): Path<(String, String)>,
    Query(who): Query<Who>,
) -> Answer {
    let roles = [who.role.as_str()];
    let actor = Actor::new(&who.actor).with_roles(&roles);
    match node.store.fire::<W>(&id, &event, actor, node.now()).await {
        Ok(stored) => (
            StatusCode::OK,
            Json(json!({
                "version": stored.version,
                "state": stored.instance.state(),
                "fingerprint": W::FINGERPRINT,
            })),
        ),
        Err(e) => refusal(&e),
    }
}

async fn serve<W: Start>(node: Arc<NodeState>) -> std::io::Result<()> {
    let runner = Arc::clone(&node);
    tokio::spawn(async move {
        loop {
            match runner.store.run_due::<W>(runner.now(), 50).await {
                Ok((fired, errors)) => {
                    for done in fired {
                        println!("timer {} {}", done.id, W::LABEL);
                    }
                    for e in errors {
                        println!("timer-error {e}");
                    }
                }
                Err(e) => println!("timer-error {e}"),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let app = Router::new()
        .route("/tickets/{id}", post(create::<W>))
        .route("/tickets/{id}/{event}", post(fire::<W>))
        .with_state(node);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}

/// Serves the ticket as a node of the version `version` on `url` until
/// killed.
fn serve_node(version: &str, url: &str, start: u64, days_per_second: f64) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(url).await.expect("the store opens");
        let node = Arc::new(NodeState {
            store,
            start: UNIX_EPOCH + Duration::from_nanos(start),
            days_per_second,
        });
        let served = match version {
            "3" => serve::<v3::Ticket>(node).await,
            "4" => serve::<v4::Ticket>(node).await,
            other => panic!("version `{other}`: a node knows 3 and 4"),
        };
        served.expect("the node serves");
    });
}

/// Not a test: the entry of a node process of the rolling deploy, which
/// starts this test binary again with this test alone and
/// `TURNSTILE_TICKET_NODE="VERSION URL START_UNIX_NANOS DAYS_PER_SECOND"`.
/// Run any other way, it has nothing to serve and returns.
#[test]
#[ignore = "a node process of a_rolling_deploy_and_its_rollback_lose_nothing, started by it"]
fn ticket_node() {
    let Ok(args) = std::env::var("TURNSTILE_TICKET_NODE") else {
        eprintln!("ticket_node serves only when the rolling deploy starts it");
        return;
    };
    let args: Vec<&str> = args.split(' ').collect();
    let [version, url, start, speed] = args.as_slice() else {
        panic!("TURNSTILE_TICKET_NODE is `VERSION URL START_UNIX_NANOS DAYS_PER_SECOND`");
    };
    serve_node(
        version,
        url,
        start.parse().expect("START_UNIX_NANOS"),
        speed.parse().expect("DAYS_PER_SECOND"),
    );
}

/// A running node: its process, its address and what it printed.
struct Node {
    child: Child,
    base: String,
    version: &'static str,
    output: Arc<Mutex<Vec<String>>>,
}

impl Node {
    fn start(version: &'static str, url: &str, start_nanos: u128) -> Node {
        // This test binary again, running `ticket_node` alone.
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["ticket_node", "--exact", "--ignored", "--nocapture"])
            .env(
                "TURNSTILE_TICKET_NODE",
                format!("{version} {url} {start_nanos} 5"),
            )
            .stdout(Stdio::piped())
            .spawn()
            .expect("the node starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        let base = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the node ended before listening: {seen:?}"))
                .unwrap();
            if let Some(base) = line.strip_prefix("listening on ") {
                break base.to_string();
            }
            seen.push(line);
        };
        let output = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Node {
            child,
            base,
            version,
            output,
        }
    }

    /// `kill -9`: nothing is flushed or finished.
    fn kill(mut self) -> (&'static str, Vec<String>) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("the node ends");
        // The reader ends with the pipe; give it a moment to take the rest.
        std::thread::sleep(Duration::from_millis(50));
        let lines = self.output.lock().unwrap().clone();
        (self.version, lines)
    }
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Acknowledged writes: (id, event or `None` for a create, version).
    acked: Vec<(String, Option<String>, i64, String)>,
    /// Answers of 500 and above.
    failures: Vec<String>,
    /// 409 `other_version` answers.
    other_version: usize,
    /// Requests a killed node never answered.
    unanswered: usize,
}

/// A small deterministic generator per client (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// One client: creates tickets and fires events on either node until
/// `stop`.
fn client(
    index: usize,
    bases: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((index as u64 + 1) * 0x1000_0001));
    let mut mine: Vec<String> = Vec::new();
    let events = [
        ("answer", "agent"),
        ("withdraw", "customer"),
        ("close", "agent"),
        ("remind", "customer"),
    ];
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let base = {
            let bases = bases.lock().unwrap();
            bases[rng.below(bases.len())].clone()
        };
        let (url, id, event) = if mine.is_empty() || rng.below(10) < 3 {
            n += 1;
            let id = format!("c{index}-{n}");
            (format!("{base}/tickets/{id}"), id, None)
        } else {
            let id = mine[rng.below(mine.len())].clone();
            let (event, role) = events[rng.below(events.len())];
            (
                format!("{base}/tickets/{id}/{event}?actor=u{index}&role={role}"),
                id,
                Some(event.to_string()),
            )
        };
        let response = agent.post(&url).send_empty();
        let mut seen = seen.lock().unwrap();
        match response {
            Err(_) => seen.unanswered += 1,
            Ok(mut response) => {
                let status = response.status().as_u16();
                let body: serde_json::Value = response
                    .body_mut()
                    .read_json()
                    .unwrap_or(serde_json::Value::Null);
                match status {
                    200 | 201 => {
                        let version = body["version"].as_i64().expect("a version");
                        let fingerprint = body["fingerprint"].as_str().unwrap_or("").to_string();
                        seen.acked.push((id.clone(), event, version, fingerprint));
                        if status == 201 {
                            mine.push(id);
                        }
                    }
                    409 if body["error"] == "other_version" => seen.other_version += 1,
                    500.. => seen.failures.push(format!("{status} {url}: {body}")),
                    _ => {}
                }
            }
        }
    }
}

/// The databases to run on: a SQLite file, and PostgreSQL when a server
/// is given (`TURNSTILE_POSTGRES_URL`, as .ci/run starts one).
fn databases() -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("turnstile-rolling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![format!(
        "sqlite://{}?mode=rwc",
        dir.join("store.db").display()
    )];
    match std::env::var("TURNSTILE_POSTGRES_URL") {
        Ok(server) => {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let name = format!("turnstile_rolling_{}", std::process::id());
            runtime.block_on(async {
                let admin = turnstile_store::Store::open(&server).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(admin.pool())
                    .await
                    .expect("CREATE DATABASE");
                admin.close().await;
            });
            let (base, _) = server.rsplit_once('/').expect("a URL with a database");
            urls.push(format!("{base}/{name}"));
        }
        Err(_) => {
            assert!(
                std::env::var_os("TURNSTILE_REQUIRE_TOOLS").is_none(),
                "PostgreSQL is required (TURNSTILE_REQUIRE_TOOLS is set) but TURNSTILE_POSTGRES_URL is not set"
            );
            eprintln!("TURNSTILE_POSTGRES_URL is not set: the PostgreSQL half of the rolling deploy is skipped (.ci/run starts a server)");
        }
    }
    urls
}

#[test]
fn a_rolling_deploy_and_its_rollback_lose_nothing() {
    for url in databases() {
        rolling_deploy(&url);
    }
}

fn rolling_deploy(url: &str) {
    // The schema first, so that the nodes do not race to create it.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        turnstile_store::Store::open(url)
            .await
            .expect("the store opens")
            .close()
            .await
    });
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let a = Node::start("3", url, start);
    let b = Node::start("3", url, start);
    let bases = Arc::new(Mutex::new(vec![a.base.clone(), b.base.clone()]));
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (bases, stop, seen) = (Arc::clone(&bases), Arc::clone(&stop), Arc::clone(&seen));
            std::thread::spawn(move || client(i, bases, stop, seen))
        })
        .collect();
    let mut printed: Vec<(&'static str, Vec<String>)> = Vec::new();

    // Both in version 3; then `b` upgraded to 4; then rolled back to 3.
    std::thread::sleep(Duration::from_millis(2500));
    printed.push(b.kill());
    let b = Node::start("4", url, start);
    bases.lock().unwrap()[1] = b.base.clone();
    std::thread::sleep(Duration::from_millis(3000));
    printed.push(b.kill());
    let b = Node::start("3", url, start);
    bases.lock().unwrap()[1] = b.base.clone();
    std::thread::sleep(Duration::from_millis(2500));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("a client");
    }
    printed.push(b.kill());
    printed.push(a.kill());
    let seen = std::mem::take(&mut *seen.lock().unwrap());

    assert!(seen.failures.is_empty(), "5xx: {:#?}", seen.failures);
    let fp3 = <v3::Ticket as Dispatch>::FINGERPRINT;
    let fp4 = <v4::Ticket as Dispatch>::FINGERPRINT;
    // Both versions served writes, and version 3 met version 4's rows.
    assert!(
        seen.acked.iter().any(|a| a.3 == fp4),
        "version 4 wrote nothing"
    );
    assert!(seen.acked.iter().any(|a| a.3 == fp3 && a.1.is_some()));
    assert!(seen.other_version > 0, "no node met another version's row");

    runtime.block_on(async {
        let store = turnstile_store::Store::open(url).await.unwrap();
        // No acknowledged write lost: each is in the history as told.
        for (id, event, version, _) in &seen.acked {
            match event {
                None => {
                    let found: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM turnstile_instances WHERE workflow = 'ticket' AND id = $1",
                    )
                    .bind(id)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
                    assert!(found.is_some(), "created {id}, and it is gone");
                }
                Some(event) => {
                    let stored: Option<String> = sqlx::query_scalar(
                        "SELECT event FROM turnstile_steps WHERE workflow = 'ticket' AND id = $1 AND seq = $2",
                    )
                    .bind(id)
                    .bind(version)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
                    assert_eq!(stored.as_deref(), Some(event.as_str()), "{id} step {version}");
                }
            }
        }
        // Every instance loads on the version that wrote it last, and not
        // on the other; each timer step fired once, by its own version.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, fingerprint FROM turnstile_instances WHERE workflow = 'ticket' ORDER BY id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut timers: std::collections::HashMap<String, Vec<&str>> = Default::default();
        for (version, lines) in &printed {
            for line in lines {
                assert!(!line.starts_with("timer-error"), "node {version}: {line}");
                if let Some(id) = line.strip_prefix("timer ").and_then(|r| r.split(' ').next()) {
                    let label = line.rsplit(' ').next().unwrap();
                    assert_eq!(label, *version, "{line}");
                    timers.entry(id.to_string()).or_default().push(version);
                }
            }
        }
        let (mut migrated, mut expired) = (0, 0);
        for (id, fingerprint) in &rows {
            let trail = if fingerprint == fp3 {
                assert!(store.load::<v4::Ticket>(id).await.is_ok(), "version 4 reads version 3's {id}");
                store.load::<v3::Ticket>(id).await.unwrap_or_else(|e| panic!("{id}: {e}")).instance.trail().to_vec()
            } else {
                assert_eq!(fingerprint, fp4, "{id}: a fingerprint of neither version");
                assert!(store.load::<v3::Ticket>(id).await.is_err(), "version 3 reads {id}");
                store.load::<v4::Ticket>(id).await.unwrap_or_else(|e| panic!("{id}: {e}")).instance.trail().to_vec()
            };
            migrated += trail.iter().filter(|s| s.is_migration()).count();
            for (i, step) in trail.iter().enumerate().filter(|(_, s)| s.event == "expire") {
                expired += 1;
                // The version the step replays under: that of the next
                // migration step's `from`, or the row's.
                let under = trail[i..]
                    .iter()
                    .find_map(|s| s.migrated.as_ref().map(|m| m.from.as_str()))
                    .unwrap_or(fingerprint);
                let label = if under == fp3 { "3" } else { "4" };
                let fired = timers.get(id.as_str()).cloned().unwrap_or_default();
                // A node killed between its commit and its line prints none.
                assert!(
                    fired.len() <= 1,
                    "{id}'s timer fired {} times, by {fired:?}: {trail:#?}",
                    fired.len()
                );
                if let Some(by) = fired.first() {
                    assert_eq!(*by, label, "{id}: fired by version {by}, replays under {label}: {step:?}");
                }
            }
        }
        for id in timers.keys() {
            assert!(rows.iter().any(|(r, _)| r == id), "a timer on {id}, which is not stored");
        }
        assert!(expired > 0, "no timer fell due");
        assert!(migrated > 0, "version 4 migrated nothing");
        eprintln!(
            "{:?}: {} rows, {} acknowledged writes, {} timers fired, {} migrated, {} answers 409 other_version, {} unanswered (killed nodes)",
            store.backend(),
            rows.len(),
            seen.acked.len(),
            expired,
            migrated,
            seen.other_version,
            seen.unanswered
        );
        store.close().await;
    });
}
