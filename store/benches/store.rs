//! What the store sustains: `cargo bench -p turnstile-store --bench store`.
//!
//! Prints three tables (the figures of `docs/performance.md`):
//!
//! 1. `Store::fire` in events per second, on a SQLite file (WAL) and on
//!    PostgreSQL (when `TURNSTILE_POSTGRES_URL` names a server), with 1 and
//!    8 concurrent writers, each going round 50 instances of its own
//!    (distinct) or all on one instance (shared: each writer reads the
//!    state and fires what it allows; one that finds the instance moved on
//!    is refused and not counted); beside it, the floor: the same
//!    statements written directly with sqlx (on SQLite through a writer
//!    connection of their own, as the store's other writes go; its fires
//!    on a SQLite file run on a rusqlite thread instead, `src/sqlite.rs`,
//!    which is why they pass this floor);
//! 2. `Store::fire` on an instance whose history holds 10 steps and one
//!    whose history holds 10,000;
//! 3. due-timer polling over 100,000 instances whose 90-day timers fall
//!    due over 100 days: the time of one `due` query for 100 ids, and
//!    timers fired per second by `run_due` in batches of 100.
//!
//! `TURNSTILE_BENCH_FIRES=1` measures the first table's distinct rows
//! only, store then floor: a quick look, to repeat while the machine moves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sqlx::Row;
use turnstile_runtime::Dispatch;
use turnstile_runtime::{Actor, Instance};
use turnstile_store::{Backend, Store, StoreError};
use turnstile_workflows::rules::Region;
use turnstile_workflows::{AccountUpgrade, CloudAccount, ServiceClosing};

/// The account holder, who fires every event of the workflows benchmarked.
fn holder() -> Actor<'static> {
    Actor::ANONYMOUS.with_roles(&["customer"])
}

const RUN: Duration = Duration::from_secs(3);
const DAY: Duration = Duration::from_secs(86_400);

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

fn upgrade() -> AccountUpgrade {
    AccountUpgrade::new(CloudAccount {
        name: "bench".into(),
        region: Region::Germany,
        mobile: None,
        email: "bench@example.com".into(),
    })
}

async fn databases() -> Vec<(&'static str, String)> {
    let dir = std::env::temp_dir().join(format!("turnstile-store-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let mut out = vec![(
        "SQLite (file, WAL)",
        format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
    )];
    match std::env::var("TURNSTILE_POSTGRES_URL") {
        Ok(server) => {
            let admin = Store::open(&server).await.expect("the PostgreSQL server");
            let name = format!("turnstile_bench_{}", std::process::id());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(admin.pool())
                .await
                .expect("CREATE DATABASE");
            let (base, _) = server.rsplit_once('/').expect("a URL with a database");
            out.push(("PostgreSQL", format!("{base}/{name}")));
        }
        Err(_) => eprintln!("TURNSTILE_POSTGRES_URL is not set: PostgreSQL is not measured"),
    }
    out
}

/// The events of the benchmark's instances: they go round `prompted` and
/// `postponed`.
fn next_event(state: &str) -> &'static str {
    if state == "prompted" {
        "upgrade_later"
    } else {
        "log_in_again"
    }
}

/// The ids each writer goes round: 50 of its own (distinct), or one for
/// all (shared).
fn instance_ids(run: &str, writers: usize, shared: bool) -> Vec<Vec<String>> {
    (0..writers)
        .map(|w| {
            if shared {
                vec![format!("{run}-shared")]
            } else {
                (0..50).map(|i| format!("{run}-{w}-{i}")).collect()
            }
        })
        .collect()
}

/// Runs `writers` tasks for `RUN`, each calling `fire` on its ids in turn
/// and expecting the state to alternate; gives events per second.
async fn rate<F, Fut>(store: &Store, ids: Vec<Vec<String>>, fire: F) -> f64
where
    F: Fn(Store, String, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    for id in ids.iter().flatten() {
        let _ = store.create(id, Instance::start(upgrade(), t0())).await;
    }
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mine in ids {
        let (store, done, fire) = (store.clone(), Arc::clone(&done), fire.clone());
        tasks.push(tokio::spawn(async move {
            // Each writer's instances are its own: on round r each is in
            // the state r fires left it in.
            'run: for round in 0.. {
                for id in &mine {
                    if start.elapsed() >= RUN {
                        break 'run;
                    }
                    if fire(store.clone(), id.clone(), round).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("a writer");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// One `Store::fire` on an instance of the writer's own, in the state
/// `round` fires from the start left it in.
async fn store_fire(store: Store, id: String, round: u64) -> bool {
    let event = if round.is_multiple_of(2) {
        "upgrade_later"
    } else {
        "log_in_again"
    };
    store
        .fire::<AccountUpgrade>(&id, event, holder(), t0())
        .await
        .expect("allowed");
    true
}

/// One `Store::fire` on an instance all writers share: the state is read
/// first, and a writer that finds another one moved it first is refused
/// (and counted: it took the instance's lock and a transaction too).
async fn shared_fire(store: Store, id: String, _round: u64) -> bool {
    let head = store.head::<AccountUpgrade>(&id).await.expect("head");
    let event = next_event(head.instance.state());
    match store
        .fire::<AccountUpgrade>(&id, event, holder(), t0())
        .await
    {
        Ok(_) => true,
        Err(StoreError::Refused { .. }) => false,
        Err(e) => panic!("{e}"),
    }
}

/// The floor's connection for writes on SQLite, as the store keeps one:
/// a connection of the pool, detached, that writers take in turn.
static RAW_WRITER: tokio::sync::OnceCell<Arc<tokio::sync::Mutex<sqlx::AnyConnection>>> =
    tokio::sync::OnceCell::const_new();

/// The floor: the statements a fire runs, written directly with sqlx,
/// with nothing between them (no definition, no JSON, no checks): lock,
/// read the head, update the row and insert the step, commit. On SQLite
/// through a writer connection of its own, as the store does; on
/// PostgreSQL through the store's pool.
async fn raw_fire(store: Store, id: String, _round: u64) -> bool {
    let pool = store.pool();
    if store.backend() == Backend::Sqlite {
        let writer = RAW_WRITER
            .get_or_init(|| async {
                let conn = pool.acquire().await.expect("a connection").detach();
                Arc::new(tokio::sync::Mutex::new(conn))
            })
            .await;
        let mut conn = writer.lock().await;
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .expect("begin");
        raw_statements(&store, &mut conn, id).await;
        sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .expect("commit");
        return true;
    }
    let mut tx = pool.begin().await.expect("begin");
    raw_statements(&store, &mut tx, id).await;
    tx.commit().await.expect("commit");
    // As the store wakes waiting consumers after a commit.
    sqlx::query("SELECT pg_notify('turnstile_steps', '')")
        .execute(pool)
        .await
        .expect("notify");
    true
}

/// What [`raw_fire`] runs inside its transaction.
async fn raw_statements(store: &Store, tx: &mut sqlx::AnyConnection, id: String) {
    // As the store reads it: on PostgreSQL, locking the row in the same
    // statement.
    let lock = match store.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE OF i",
    };
    let row = sqlx::query(&format!(
        "SELECT i.fingerprint, i.state, i.started_at, i.entered_at, i.data, i.version, i.owner, \
         (SELECT s.to_state FROM turnstile_steps s \
          WHERE s.workflow = i.workflow AND s.id = i.id AND s.seq = i.version) AS last_to, \
         (SELECT s.at FROM turnstile_steps s \
          WHERE s.workflow = i.workflow AND s.id = i.id AND s.seq = i.version) AS last_at \
         FROM turnstile_instances i WHERE i.workflow = $1 AND i.id = $2{lock}"
    ))
    .bind("account_upgrade")
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .expect("head");
    let state: String = row.try_get("state").expect("state");
    let data: String = row.try_get("data").expect("data");
    let version: i64 = row.try_get("version").expect("version");
    let event = next_event(&state);
    let to = if state == "prompted" {
        "postponed"
    } else {
        "prompted"
    };
    let at = 1_790_000_000_000_000_000i64;
    let update = "UPDATE turnstile_instances SET fingerprint = $1, state = $2, entered_at = $3, \
         data = $4, version = $5, next_due = $6, updated_at = $7 \
         WHERE workflow = $8 AND id = $9 AND version = $10";
    // The step carries its transaction's place in the outbox's order, as
    // the store writes it.
    let insert = match store.backend() {
        Backend::Sqlite => {
            "INSERT INTO turnstile_steps \
             (workflow, id, seq, from_state, event, to_state, at, actor, role, payload, txid) \
             SELECT column1, column2, column3, column4, column5, column6, column7, column8, \
             column9, column10, (SELECT COALESCE(MAX(txid), 0) + 1 FROM turnstile_steps) \
             FROM (VALUES ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)) WHERE changes() = 1"
        }
        // As the store does on PostgreSQL: one statement, the update's
        // RETURNING row feeding the insert.
        Backend::Postgres => {
            "INSERT INTO turnstile_steps \
             (workflow, id, seq, from_state, event, to_state, at, actor, role, payload, txid) \
             SELECT v.*, pg_current_xact_id()::text::bigint \
             FROM (VALUES ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)) \
             AS v(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10) WHERE EXISTS (SELECT 1 FROM updated)"
        }
    };
    let update_query = |sql| {
        sqlx::query(sql)
            .bind(AccountUpgrade::FINGERPRINT)
            .bind(to)
            .bind(at)
            .bind(data.clone())
            .bind(version + 1)
            .bind(None::<i64>)
            .bind(at)
            .bind("account_upgrade")
            .bind(id.clone())
            .bind(version)
    };
    let bind_step =
        |query: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>>| {
            query
                .bind("account_upgrade")
                .bind(id.clone())
                .bind(version + 1)
                .bind(state.clone())
                .bind(event)
                .bind(to)
                .bind(at)
                .bind(None::<String>)
                .bind(Some("customer"))
                .bind(None::<String>)
        };
    match store.backend() {
        // As the store does on SQLite: both statements in one text, one
        // round trip to the driver's worker.
        Backend::Sqlite => {
            static BOTH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql = BOTH.get_or_init(|| format!("{update}; {insert}"));
            bind_step(update_query(sql))
                .execute(&mut *tx)
                .await
                .expect("update and insert");
        }
        Backend::Postgres => {
            static BOTH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let sql =
                BOTH.get_or_init(|| format!("WITH updated AS ({update} RETURNING 1) {insert}"));
            bind_step(update_query(sql))
                .execute(&mut *tx)
                .await
                .expect("update and insert");
        }
    }
}

/// Fires per second on one instance whose history holds `steps` steps (it
/// grows by the few thousand fired while measuring).
async fn history_rate(store: &Store, steps: usize) -> f64 {
    let id = format!("history-{steps}");
    let mut instance = Instance::start(upgrade(), t0());
    // An even number of steps: back in `prompted`, as `store_fire` expects.
    for _ in 0..steps {
        let event = next_event(instance.state());
        instance = instance.fire(event, holder(), t0()).expect("allowed");
    }
    store.create(&id, instance).await.expect("create");
    rate(store, vec![vec![id]], store_fire).await
}

/// 100,000 closed accounts whose retention timers fall due over 100 days,
/// copied from one real instance with SQL (creating them one by one would
/// measure `create`, not polling).
async fn seed_timers(store: &Store) {
    let template = Instance::start(ServiceClosing::new("bench"), t0())
        .fire("close", holder(), t0())
        .expect("close");
    store.create("template", template).await.expect("create");
    let series = match store.backend() {
        Backend::Sqlite => {
            "WITH RECURSIVE series(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM series WHERE n < 99999)"
        }
        Backend::Postgres => "WITH series(n) AS (SELECT generate_series(0, 99999))",
    };
    // Instance n closed n × 86.4 s after the template: due times spread
    // evenly over 100 days.
    let step = 86_400_000_000_000i64 / 1000;
    let mut tx = store.pool().begin().await.expect("begin");
    sqlx::query(&format!(
        "{series} INSERT INTO turnstile_instances \
         (workflow, id, fingerprint, state, entered_at, data, version, next_due, created_at, updated_at, started_at) \
         SELECT workflow, 'account-' || CAST(n AS TEXT), fingerprint, state, entered_at + n * {step}, \
         data, version, next_due + n * {step}, created_at, updated_at, started_at + n * {step} \
         FROM turnstile_instances, series WHERE id = 'template'"
    ))
    .execute(&mut *tx)
    .await
    .expect("instances");
    sqlx::query(&format!(
        "{series} INSERT INTO turnstile_steps \
         (workflow, id, seq, from_state, event, to_state, at, actor, role, payload) \
         SELECT workflow, 'account-' || CAST(n AS TEXT), seq, from_state, event, to_state, at + n * {step}, \
         actor, role, payload \
         FROM turnstile_steps, series WHERE id = 'template'"
    ))
    .execute(&mut *tx)
    .await
    .expect("steps");
    sqlx::query("DELETE FROM turnstile_instances WHERE id = 'template'")
        .execute(&mut *tx)
        .await
        .expect("template");
    tx.commit().await.expect("commit");
    if store.backend() == Backend::Postgres {
        sqlx::query("ANALYZE turnstile_instances")
            .execute(store.pool())
            .await
            .expect("analyze");
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 8)]
async fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let mut fires = Vec::new();
    let mut histories = Vec::new();
    let mut timers = Vec::new();
    for (name, url) in databases().await {
        let store = Store::open(&url).await.expect("the store");
        if std::env::var_os("TURNSTILE_BENCH_FIRES").is_some() {
            // Fires on distinct instances only, store then floor: a quick
            // look, repeated to see how much the machine moves.
            for writers in [1usize, 8] {
                let ids = instance_ids(&format!("quick-{writers}"), writers, false);
                let fired = rate(&store, ids, store_fire).await;
                let ids = instance_ids(&format!("quick-raw-{writers}"), writers, false);
                let raw = rate(&store, ids, raw_fire).await;
                println!("{name}, {writers} writers: store {fired:.0}/s, by hand {raw:.0}/s");
            }
            continue;
        }
        for (writers, shared) in [(1, false), (8, false), (8, true)] {
            let run = format!("{writers}-{shared}");
            let ids = instance_ids(&run, writers, shared);
            let fired = if shared {
                rate(&store, ids, shared_fire).await
            } else {
                rate(&store, ids, store_fire).await
            };
            let floor = if shared {
                String::from("")
            } else {
                let ids = instance_ids(&format!("raw-{run}"), writers, shared);
                let raw = rate(&store, ids, raw_fire).await;
                format!("{raw:.0} | {:.2}×", raw / fired)
            };
            let floor = if floor.is_empty() {
                "| ".to_string()
            } else {
                floor
            };
            fires.push(format!(
                "| {name} | {writers} | {} | {fired:.0} | {floor} |",
                if shared { "one shared" } else { "distinct" }
            ));
        }
        let short = history_rate(&store, 10).await;
        let long = history_rate(&store, 10_000).await;
        histories.push(format!(
            "| {name} | {short:.0} | {long:.0} | {:.2}× |",
            short / long
        ));
        seed_timers(&store).await;
        // The instant at which 1 % of the timers are due.
        let now = t0() + 90 * DAY + DAY;
        let polls = 50;
        let start = Instant::now();
        for _ in 0..polls {
            let due = store.due::<ServiceClosing>(now, 100).await.expect("due");
            assert_eq!(due.len(), 100);
        }
        let poll = start.elapsed() / polls;
        let start = Instant::now();
        let mut fired = 0;
        while fired < 1000 {
            let (batch, errors) = store
                .run_due::<ServiceClosing>(now, 100)
                .await
                .expect("run_due");
            assert!(errors.is_empty() && !batch.is_empty());
            fired += batch.len();
        }
        let rate = fired as f64 / start.elapsed().as_secs_f64();
        timers.push(format!(
            "| {name} | 100,000 | {:.2} ms | {rate:.0} |",
            poll.as_secs_f64() * 1e3
        ));
    }
    println!("| database | writers | instances | Store::fire events/s | the same statements by hand, events/s | hand ÷ store |");
    println!("|---|---:|---|---:|---:|---:|");
    for row in fires {
        println!("{row}");
    }
    println!();
    println!("| database | events/s, history of 10 | events/s, history of 10,000 | ratio |");
    println!("|---|---:|---:|---:|");
    for row in histories {
        println!("{row}");
    }
    println!();
    println!(
        "| database | instances | one due query (100 ids) | timers fired/s (batches of 100) |"
    );
    println!("|---|---:|---:|---:|");
    for row in timers {
        println!("{row}");
    }
}
