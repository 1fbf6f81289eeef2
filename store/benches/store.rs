//! What the store sustains: `cargo bench -p turnstile-store --bench store`.
//!
//! Prints two tables (the figures of `docs/performance.md`):
//!
//! 1. fire (load, transition, store) in events per second, on a SQLite file
//!    (WAL) and on PostgreSQL (when `TURNSTILE_POSTGRES_URL` names a
//!    server), with 1 and 8 concurrent writers, each going round 50
//!    instances of its own (distinct) or all on one instance (shared:
//!    a write that meets a conflict is counted and tried again; only events
//!    that were stored count);
//! 2. due-timer polling over 100,000 instances whose 90-day timers fall
//!    due over 100 days: the time of one `due` query for 100 ids, and
//!    timers fired per second by `run_due` in batches of 100.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use turnstile_runtime::{Actor, Instance};
use turnstile_store::{Backend, Store};
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

/// Events per second with `writers` tasks for `RUN`, on distinct instances
/// or one shared instance; and how many writes met a conflict.
async fn fire_rate(store: &Store, run: &str, writers: usize, shared: bool) -> (f64, u64) {
    // Distinct: each writer goes round 50 instances of its own, so that
    // histories stay short, as in the account workflows. Shared: every
    // writer fires on one instance, whose history grows all along.
    let ids: Vec<Vec<String>> = (0..writers)
        .map(|w| {
            if shared {
                vec![format!("{run}-shared")]
            } else {
                (0..50).map(|i| format!("{run}-{w}-{i}")).collect()
            }
        })
        .collect();
    for id in ids.iter().flatten() {
        let _ = store.create(id, Instance::start(upgrade(), t0())).await;
    }
    let done = Arc::new(AtomicU64::new(0));
    let conflicts = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mine in ids {
        let (store, done, conflicts) = (store.clone(), Arc::clone(&done), Arc::clone(&conflicts));
        tasks.push(tokio::spawn(async move {
            for id in mine.iter().cycle() {
                if start.elapsed() >= RUN {
                    break;
                }
                let stored = store.load::<AccountUpgrade>(id).await.expect("load");
                let event = if stored.instance.state() == "prompted" {
                    "upgrade_later"
                } else {
                    "log_in_again"
                };
                let fired = stored
                    .instance
                    .fire(event, holder(), t0())
                    .expect("allowed");
                match store.save(id, stored.version, fired).await {
                    Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                    Err(e) if e.is_conflict() => conflicts.fetch_add(1, Ordering::Relaxed),
                    Err(e) => panic!("{e}"),
                };
            }
        }));
    }
    for task in tasks {
        task.await.expect("a writer");
    }
    let rate = done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    (rate, conflicts.load(Ordering::Relaxed))
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
         SELECT workflow, 'account-' || CAST(n AS TEXT), fingerprint, state, entered_at + n * {step}, \
         data, version, next_due + n * {step}, created_at, updated_at \
         FROM turnstile_instances, series WHERE id = 'template'"
    ))
    .execute(&mut *tx)
    .await
    .expect("instances");
    sqlx::query(&format!(
        "{series} INSERT INTO turnstile_steps \
         SELECT workflow, 'account-' || CAST(n AS TEXT), seq, from_state, event, to_state, at + n * {step}, actor \
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
    let mut timers = Vec::new();
    for (name, url) in databases().await {
        let store = Store::open(&url).await.expect("the store");
        for (writers, shared) in [(1, false), (8, false), (8, true)] {
            let run = format!("{writers}-{shared}");
            let (rate, conflicts) = fire_rate(&store, &run, writers, shared).await;
            fires.push(format!(
                "| {name} | {writers} | {} | {rate:.0} | {conflicts} |",
                if shared { "one shared" } else { "distinct" }
            ));
        }
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
    println!("| database | writers | instances | events/s | conflicts retried |");
    println!("|---|---:|---|---:|---:|");
    for row in fires {
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
