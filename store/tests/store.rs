//! The store's guarantees, each on a real SQLite file and, where
//! `TURNSTILE_POSTGRES_URL` names a server, on PostgreSQL (a fresh database
//! per test). Without a server the PostgreSQL half says so in one line, and
//! fails under `TURNSTILE_REQUIRE_TOOLS` (`.ci/run` starts one).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

mod common;

use common::{backends, t0, upgrade};
use turnstile_runtime::{Actor, Dispatch, Instance, Why};
use turnstile_store::{Backend, MigrateOptions, Store, StoreError};
use turnstile_workflows::{AccountUpgrade, ServiceClosing};

const DAY: Duration = Duration::from_secs(86_400);

/// `id`, acting as the account holder: in both workflows used here the
/// customer role is the one that fires every event.
fn holder(id: &str) -> Actor<'_> {
    Actor::new(id).with_roles(&["customer"])
}

/// An account holder with no id to record.
fn someone() -> Actor<'static> {
    Actor::ANONYMOUS.with_roles(&["customer"])
}

/// Runs 8 tasks at once, the even ones on `a` and the odd ones on `b`
/// (two nodes of one database), each as `task(store, n)`, and gives what
/// each returned.
async fn on_two_nodes<T, Fut>(a: &Store, b: &Store, task: impl Fn(Store, usize) -> Fut) -> Vec<T>
where
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..8)
        .map(|n| tokio::spawn(task(if n % 2 == 0 { a } else { b }.clone(), n)))
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

/// The history of instance `id` is numbered 1 to `last`, with no gap.
async fn assert_no_gap(store: &Store, id: &str, last: i64) {
    let seqs: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM turnstile_steps WHERE id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(seqs, (1..=last).collect::<Vec<_>>(), "no gap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn create_load_list_and_history() {
    for (store, _) in backends("basics").await {
        let start = Instance::start(ServiceClosing::new("acme"), t0());
        let created = store.create("acme", start).await.unwrap();
        assert_eq!(created.version, 0);
        let again = store
            .create("acme", Instance::start(ServiceClosing::new("acme"), t0()))
            .await;
        assert!(
            matches!(&again, Err(StoreError::Exists { workflow: "service_closing", id }) if id == "acme"),
            "{again:?}"
        );
        let fired = store
            .fire::<ServiceClosing>("acme", "close", holder("alice"), t0() + DAY)
            .await
            .unwrap();
        assert_eq!((fired.version, fired.instance.state()), (1, "closed"));
        let loaded = store.load::<ServiceClosing>("acme").await.unwrap();
        assert_eq!(loaded.instance.state(), "closed");
        assert_eq!(loaded.instance.data(), &ServiceClosing::new("acme"));
        assert_eq!(loaded.instance.entered_at(), t0() + DAY);
        let history = store.history::<ServiceClosing>("acme").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].actor.as_deref(), Some("alice"));
        assert_eq!(history[0].at, t0() + DAY);
        store
            .create("beta", Instance::start(ServiceClosing::new("beta"), t0()))
            .await
            .unwrap();
        let all = store.list::<ServiceClosing>(None, None, 10).await.unwrap();
        let ids: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["acme", "beta"]);
        assert_eq!(all[0].next_due, Some(t0() + DAY + 90 * DAY));
        let closed = store
            .list::<ServiceClosing>(Some("closed"), None, 10)
            .await
            .unwrap();
        assert_eq!(closed.len(), 1);
        let page = store
            .list::<ServiceClosing>(None, Some("acme"), 10)
            .await
            .unwrap();
        assert_eq!(page[0].id, "beta");
        let missing = store.load::<ServiceClosing>("nobody").await;
        assert!(matches!(missing, Err(StoreError::NotFound { .. })));
        // Another workflow's instance of the same id is another instance.
        assert!(matches!(
            store.load::<AccountUpgrade>("acme").await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

/// A refused event writes nothing; a write that fails half-way (here: a
/// step row that is in the way) leaves the instance row as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn firing_is_one_transaction() {
    for (store, _) in backends("transaction").await {
        // A frozen ID: the first of the closing checks fails.
        let data: ServiceClosing =
            serde_json::from_str(r#"{"account": "acme", "obstacles": ["IdFrozen"]}"#).unwrap();
        store
            .create("acme", Instance::start(data, t0()))
            .await
            .unwrap();
        let refused = store
            .fire::<ServiceClosing>("acme", "close", someone(), t0())
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Refused { why, .. }) if matches!(**why, Why::Guard(_))),
            "{refused:?}"
        );
        let row = store.load::<ServiceClosing>("acme").await.unwrap();
        assert_eq!((row.version, row.instance.state()), (0, "active"));

        store
            .create("beta", Instance::start(ServiceClosing::new("beta"), t0()))
            .await
            .unwrap();
        // The database refuses any step of `beta`: the step is written
        // after the instance row, in the same transaction.
        let refuse_steps: &[&str] = match store.backend() {
            Backend::Sqlite => &["CREATE TRIGGER refuse_beta BEFORE INSERT ON turnstile_steps \
                  WHEN NEW.id = 'beta' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"],
            Backend::Postgres => &[
                "CREATE FUNCTION refuse_beta() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN IF NEW.id = 'beta' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$",
                "CREATE TRIGGER refuse_beta BEFORE INSERT ON turnstile_steps \
                 FOR EACH ROW EXECUTE FUNCTION refuse_beta()",
            ],
        };
        for sql in refuse_steps {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
        }
        let failed = store
            .fire::<ServiceClosing>("beta", "close", someone(), t0())
            .await;
        assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
        let (state, version): (String, i64) =
            sqlx::query_as("SELECT state, version FROM turnstile_instances WHERE id = 'beta'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!((state.as_str(), version), ("active", 0), "rolled back");
    }
}

/// A write based on a stale read is refused; many writers on one instance
/// from two pools (two nodes) lose no update: the history has no gap and
/// replays to the stored state.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_lost_update_under_concurrent_writers() {
    for (store, url) in backends("concurrency").await {
        store
            .create("acme", Instance::start(upgrade(), t0()))
            .await
            .unwrap();
        let a = store.load::<AccountUpgrade>("acme").await.unwrap();
        let b = store.load::<AccountUpgrade>("acme").await.unwrap();
        let moved = a.instance.fire("upgrade_later", someone(), t0()).unwrap();
        store.save("acme", a.version, moved).await.unwrap();
        let stale = b.instance.fire("upgrade_later", someone(), t0()).unwrap();
        let conflict = store.save("acme", b.version, stale).await;
        assert!(
            matches!(
                conflict,
                Err(StoreError::Conflict {
                    expected: 0,
                    found: 1,
                    ..
                })
            ),
            "{conflict:?}"
        );

        // 8 writers, 4 on each of two pools, until 120 steps are taken.
        let second = Store::open(&url).await.unwrap();
        let done = Arc::new(AtomicUsize::new(1));
        let conflicts = Arc::new(AtomicUsize::new(0));
        on_two_nodes(&store, &second, |store, writer| {
            let (done, conflicts) = (Arc::clone(&done), Arc::clone(&conflicts));
            async move {
                while done.load(Ordering::SeqCst) < 120 {
                    let current = store.load::<AccountUpgrade>("acme").await.unwrap();
                    let event = match current.instance.state() {
                        "prompted" => "upgrade_later",
                        _ => "log_in_again",
                    };
                    let actor = format!("writer {writer}");
                    let fired = current
                        .instance
                        .fire(event, holder(actor.as_str()), t0())
                        .unwrap();
                    match store.save("acme", current.version, fired).await {
                        Ok(_) => {
                            done.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) if e.is_conflict() => {
                            conflicts.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        })
        .await;
        let done = done.load(Ordering::SeqCst);
        let stored = store.load::<AccountUpgrade>("acme").await.unwrap();
        assert_eq!(
            stored.version as usize, done,
            "every success is in the history"
        );
        assert_no_gap(&store, "acme", done as i64).await;
        let expected = if done.is_multiple_of(2) {
            "prompted"
        } else {
            "postponed"
        };
        assert_eq!(stored.instance.state(), expected, "the replay's state");
        assert!(
            conflicts.load(Ordering::SeqCst) > 0 || store.backend() == Backend::Sqlite,
            "concurrent writers met conflicts"
        );
        // The retry helper gets through whatever the others do.
        let retried = store
            .fire_retrying::<AccountUpgrade>(
                "acme",
                if done.is_multiple_of(2) {
                    "upgrade_later"
                } else {
                    "log_in_again"
                },
                someone(),
                t0(),
                5,
            )
            .await
            .unwrap();
        assert_eq!(retried.version as usize, done + 1);

        // Fires by name take turns on the instance: 8 writers on two pools
        // never meet a conflict; each either fires or is refused because
        // another moved the instance first, and every fire is in the
        // history, with no gap.
        let before = retried.version as usize;
        let fired = Arc::new(AtomicUsize::new(0));
        on_two_nodes(&store, &second, |store, writer| {
            let fired = Arc::clone(&fired);
            async move {
                for round in 0..30 {
                    let event = if (round + writer) % 2 == 0 {
                        "upgrade_later"
                    } else {
                        "log_in_again"
                    };
                    match store
                        .fire::<AccountUpgrade>("acme", event, someone(), t0())
                        .await
                    {
                        Ok(_) => {
                            fired.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(StoreError::Refused { .. }) => {}
                        Err(e) => panic!("a fire met {e}"),
                    }
                }
            }
        })
        .await;
        let fired = fired.load(Ordering::SeqCst);
        assert!(fired > 0);
        let stored = store.load::<AccountUpgrade>("acme").await.unwrap();
        assert_eq!(
            stored.version as usize,
            before + fired,
            "every fire is in the history"
        );
        assert_no_gap(&store, "acme", stored.version).await;
    }
}

/// Two nodes whose clocks differ: node B's clock is 8 hours behind node
/// A's, and both fire on the same instances while time runs on. An event
/// at an instant before the instance's last step is refused as
/// `ClockBehind` and never stored; every instance loads afterwards, its
/// history in time order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clocks_that_differ_never_leave_an_instance_that_does_not_load() {
    const HOUR: Duration = Duration::from_secs(3_600);
    for (store, url) in backends("clocks").await {
        let node_b = Store::open(&url).await.unwrap();
        let ids: Vec<String> = (0..6).map(|i| format!("acme-{i}")).collect();
        for id in &ids {
            let start = Instance::start(ServiceClosing::new(id), t0());
            store.create(id, start).await.unwrap();
        }

        // The case from the field: close, restore two days later, then a
        // close stamped a day before that restore.
        store
            .fire::<ServiceClosing>("acme-0", "close", holder("alice"), t0() + HOUR)
            .await
            .unwrap();
        store
            .fire::<ServiceClosing>("acme-0", "restore", holder("alice"), t0() + HOUR + 2 * DAY)
            .await
            .unwrap();
        let behind = node_b
            .fire::<ServiceClosing>("acme-0", "close", holder("bob"), t0() + HOUR + DAY)
            .await;
        match &behind {
            Err(StoreError::Refused { why, .. }) => {
                assert!(matches!(**why, Why::ClockBehind { .. }), "{why}");
                assert!(why.to_string().contains("the caller's clock is behind"));
            }
            other => panic!("not refused as behind: {other:?}"),
        }
        let row = store.load::<ServiceClosing>("acme-0").await.unwrap();
        assert_eq!((row.version, row.instance.state()), (2, "active"));

        // Both nodes at once, a pair of writers (one on each node) on the
        // same instance each round; a round moves the real clock 6 hours,
        // and node B reads it 8 hours behind.
        let behind = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for writer in 0..4 {
            let (node, skew) = if writer % 2 == 0 {
                (store.clone(), Duration::ZERO)
            } else {
                (node_b.clone(), 8 * HOUR)
            };
            let (ids, behind) = (ids.clone(), Arc::clone(&behind));
            tasks.push(tokio::spawn(async move {
                for round in 0..12u32 {
                    let id = &ids[(writer / 2 + 2 * round as usize) % ids.len()];
                    let now = t0() + 3 * DAY + round * 6 * HOUR - skew;
                    let state = node.load::<ServiceClosing>(id).await.unwrap();
                    let event = match state.instance.state() {
                        "active" => "close",
                        _ => "restore",
                    };
                    match node
                        .fire_retrying::<ServiceClosing>(id, event, holder("node"), now, 5)
                        .await
                    {
                        Ok(_) => {}
                        Err(StoreError::Refused { why, .. }) => match *why {
                            Why::ClockBehind { .. } => {
                                behind.fetch_add(1, Ordering::SeqCst);
                            }
                            // The other node moved the instance first, or
                            // the 24 hours are not up.
                            Why::NotAllowed { .. } | Why::NotYet(_) => {}
                            other => panic!("{other}"),
                        },
                        Err(e) => panic!("{e}"),
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        eprintln!(
            "{:?}: {} fires refused as behind",
            store.backend(),
            behind.load(Ordering::SeqCst)
        );
        for id in &ids {
            let stored = store
                .load::<ServiceClosing>(id)
                .await
                .unwrap_or_else(|e| panic!("{id} does not load: {e}"));
            let trail = stored.instance.trail();
            assert!(trail.windows(2).all(|w| w[0].at <= w[1].at), "{trail:?}");
            node_b.load::<ServiceClosing>(id).await.unwrap();
        }
    }
}

/// 60 instances with the 90-day timer due, 8 workers on two pools polling
/// at once: each timer fires exactly once. The due query uses the index.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_due_timer_fires_exactly_once() {
    for (store, url) in backends("timers").await {
        for n in 0..60 {
            let id = format!("account-{n:02}");
            let start = Instance::start(ServiceClosing::new(id.clone()), t0());
            let closed = start.fire("close", someone(), t0()).unwrap();
            store.create(&id, closed).await.unwrap();
        }
        assert!(store
            .due::<ServiceClosing>(t0() + 89 * DAY, 100)
            .await
            .unwrap()
            .is_empty());
        let later = t0() + 91 * DAY;
        assert_eq!(
            store.due::<ServiceClosing>(later, 100).await.unwrap().len(),
            60
        );
        let second = Store::open(&url).await.unwrap();
        let workers = on_two_nodes(&store, &second, |store, _| async move {
            let mut fired = Vec::new();
            loop {
                let (batch, errors) = store.run_due::<ServiceClosing>(later, 7).await.unwrap();
                assert!(errors.is_empty(), "{errors:?}");
                if batch.is_empty()
                    && store
                        .due::<ServiceClosing>(later, 1)
                        .await
                        .unwrap()
                        .is_empty()
                {
                    return fired;
                }
                fired.extend(batch);
            }
        })
        .await;
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for fired in workers {
            for f in fired {
                assert_eq!(f.steps.len(), 1);
                assert_eq!(f.steps[0].event, "retention_period_ends");
                assert_eq!(f.steps[0].actor.as_deref(), Some("timer"));
                assert_eq!(f.steps[0].at, t0() + 90 * DAY, "at its due instant");
                *count.entry(f.id).or_default() += 1;
            }
        }
        assert_eq!(count.len(), 60);
        assert!(count.values().all(|&n| n == 1), "{count:?}");
        for listed in store.list::<ServiceClosing>(None, None, 100).await.unwrap() {
            assert_eq!((listed.state.as_str(), listed.version), ("disabled", 2));
        }
        // The due query goes through the index on the next due instant.
        let plan = match store.backend() {
            Backend::Sqlite => explain_sqlite(&store).await,
            Backend::Postgres => explain_postgres(&store).await,
        };
        assert!(
            plan.iter()
                .any(|line| line.contains("turnstile_instances_due")),
            "{plan:?}"
        );
    }
}

async fn explain_sqlite(store: &Store) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(
        "EXPLAIN QUERY PLAN SELECT id FROM turnstile_instances \
         WHERE workflow = 'service_closing' AND next_due IS NOT NULL AND next_due <= 5 \
         ORDER BY next_due, id LIMIT 10",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get::<String, _>("detail").unwrap())
    .collect()
}

async fn explain_postgres(store: &Store) -> Vec<String> {
    let mut conn = store.pool().acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query_scalar(
        "EXPLAIN SELECT id FROM turnstile_instances \
         WHERE workflow = 'service_closing' AND next_due IS NOT NULL AND next_due <= 5 \
         ORDER BY next_due, id LIMIT 10",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

/// Rows that do not make a valid instance are refused with the workflow,
/// the id and the problem, and are left as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_rows_are_refused_never_overwritten() {
    for (store, _) in backends("bad_rows").await {
        // The last field: whether a fire finds the problem. A fire reads
        // the row and the history's last step only (its cost does not grow
        // with the history); damage further back is found by `load` and
        // `verify`, which replay the whole history.
        let cases: [(&str, &str, &str, bool); 7] = [
            (
                "data",
                "UPDATE turnstile_instances SET data = '{\"account\": 3}' WHERE id = 'data'",
                "data does not read",
                true,
            ),
            (
                "state",
                "UPDATE turnstile_instances SET state = 'limbo' WHERE id = 'state'",
                "limbo",
                true,
            ),
            (
                "gap",
                "DELETE FROM turnstile_steps WHERE id = 'gap' AND seq = 1",
                "no step 1",
                false,
            ),
            (
                "replay",
                "UPDATE turnstile_steps SET event = 'restore' WHERE id = 'replay' AND seq = 1",
                "does not replay",
                false,
            ),
            (
                "version",
                "UPDATE turnstile_instances SET version = 1 WHERE id = 'version'",
                "version",
                true,
            ),
            (
                "last",
                "UPDATE turnstile_steps SET to_state = 'closed' WHERE id = 'last' AND seq = 2",
                "--restore--> `closed`",
                true,
            ),
            (
                "head",
                "DELETE FROM turnstile_steps WHERE id = 'head' AND seq = 2",
                "its version is 2",
                true,
            ),
        ];
        for (id, corrupt, problem, head_checked) in cases {
            let start = Instance::start(ServiceClosing::new(id), t0());
            let closed = start.fire("close", someone(), t0()).unwrap();
            let closed = closed.fire("restore", someone(), t0() + 2 * DAY).unwrap();
            store.create(id, closed).await.unwrap();
            sqlx::query(corrupt).execute(store.pool()).await.unwrap();
            let before: Vec<(String, i64, String)> = sqlx::query_as(
                "SELECT state, version, data FROM turnstile_instances WHERE id = $1",
            )
            .bind(id)
            .fetch_all(store.pool())
            .await
            .unwrap();
            let loaded = store.load::<ServiceClosing>(id).await;
            let Err(StoreError::BadRow {
                workflow,
                id: bad_id,
                problem: said,
            }) = &loaded
            else {
                panic!("{id}: {loaded:?}");
            };
            assert_eq!((*workflow, bad_id.as_str()), ("service_closing", id));
            assert!(said.contains(problem), "{id}: {said}");
            let message = loaded.unwrap_err().to_string();
            assert!(
                message.contains("service_closing") && message.contains(id),
                "{message}"
            );
            // Firing is refused the same way, and the row is untouched.
            let fired = store
                .fire::<ServiceClosing>(id, "close", someone(), t0() + 3 * DAY)
                .await;
            if !head_checked {
                assert!(fired.is_ok(), "{id}: {fired:?}");
                continue;
            }
            assert!(matches!(fired, Err(StoreError::BadRow { .. })), "{fired:?}");
            let after: Vec<(String, i64, String)> = sqlx::query_as(
                "SELECT state, version, data FROM turnstile_instances WHERE id = $1",
            )
            .bind(id)
            .fetch_all(store.pool())
            .await
            .unwrap();
            assert_eq!(before, after, "{id} left as it was");
        }
        // `verify` replays every instance and lists each damaged one.
        let mut seen = Vec::new();
        let verified = store
            .verify::<ServiceClosing>(2, |done, total| seen.push((done, total)))
            .await
            .unwrap();
        assert_eq!(verified.checked, 7);
        assert_eq!(seen.last(), Some(&(7, 7)), "progress reaches the end");
        let mut refused: Vec<&str> = verified
            .refused
            .iter()
            .map(|e| match e {
                StoreError::BadRow { id, .. } => id.as_str(),
                other => panic!("{other}"),
            })
            .collect();
        refused.sort();
        assert_eq!(
            refused,
            ["data", "gap", "head", "last", "replay", "state", "version"]
        );
        // A bad row does not stop the timers of the others.
        let (_, errors) = store
            .run_due::<ServiceClosing>(t0() + 400 * DAY, 100)
            .await
            .unwrap();
        assert!(errors
            .iter()
            .all(|e| matches!(e, StoreError::BadRow { .. })));
    }
}

/// A writer process killed with SIGKILL in the middle of a stream of
/// writes (four tasks firing on 20 instances) leaves every instance
/// consistent: each loads, its history replays to its state, and its
/// version is the length of its history.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_writer_leaves_every_instance_consistent() {
    use sqlx::Row;
    for (store, url) in backends("crash").await {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "killed_writer_child", "--nocapture"])
            .env("TURNSTILE_CRASH_URL", &url)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the writer process starts");
        let started = std::time::Instant::now();
        loop {
            let steps: i64 = match sqlx::query("SELECT COUNT(*) AS n FROM turnstile_steps")
                .fetch_one(store.pool())
                .await
            {
                Ok(row) => row.try_get("n").unwrap(),
                Err(_) => 0,
            };
            if steps >= 400 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "the writer took 2 minutes to write {steps} steps"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the writer is still writing when it is killed"
        );
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let listed = store.list::<AccountUpgrade>(None, None, 100).await.unwrap();
        assert_eq!(listed.len(), 20);
        let mut total = 0;
        for l in &listed {
            let stored = store
                .load::<AccountUpgrade>(&l.id)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(stored.version as usize, stored.instance.trail().len());
            assert_eq!(stored.version as usize, stored.instance.steps_taken());
            total += stored.version;
        }
        let steps: i64 = sqlx::query("SELECT COUNT(*) AS n FROM turnstile_steps")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(total, steps, "no step outside a history");
        assert!(total >= 400);
    }
}

/// The writer process of `a_killed_writer_leaves_every_instance_consistent`,
/// which runs it with `TURNSTILE_CRASH_URL` set and kills it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "the child process of a_killed_writer_leaves_every_instance_consistent"]
async fn killed_writer_child() {
    let Ok(url) = std::env::var("TURNSTILE_CRASH_URL") else {
        eprintln!("killed_writer_child is the crash test's child process: nothing to do alone");
        return;
    };
    let store = Store::open(&url).await.expect("the store");
    for n in 0..20 {
        let start = Instance::start(upgrade(), t0());
        match store.create(&format!("account-{n:02}"), start).await {
            Ok(_) | Err(StoreError::Exists { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let mut tasks = Vec::new();
    for writer in 0..4u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0u64.. {
                let id = format!("account-{:02}", (round * 7 + writer * 5) % 20);
                let Ok(current) = store.load::<AccountUpgrade>(&id).await else {
                    continue;
                };
                let event = match current.instance.state() {
                    "prompted" => "upgrade_later",
                    _ => "log_in_again",
                };
                if let Ok(fired) = current.instance.fire(event, holder("crash"), t0()) {
                    let _ = store.save(&id, current.version, fired).await;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Instances stored under an older definition (here: `closed` was called
/// `shut`) are refused by `load`, and `migrate` moves them to the current
/// one: state, history and fingerprint, each in its own transaction. An
/// instance the migration refuses is listed and left as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn definitions_migrate_through_the_fingerprint_hook() {
    use turnstile_runtime::snapshot::Migrated;
    for (store, _) in backends("migrate").await {
        for id in ["acme", "odd", "fresh"] {
            let closed = Instance::start(ServiceClosing::new(id), t0())
                .fire("close", holder("alice"), t0())
                .unwrap();
            store.create(id, closed).await.unwrap();
        }
        for sql in [
            "UPDATE turnstile_instances SET fingerprint = 'sha256:old', state = 'shut' WHERE id <> 'fresh'",
            "UPDATE turnstile_steps SET to_state = 'shut' WHERE id <> 'fresh'",
        ] {
            sqlx::query(sql).execute(store.pool()).await.unwrap();
        }
        let refused = store.load::<ServiceClosing>("acme").await;
        let Err(StoreError::OtherVersion { stored, .. }) = &refused else {
            panic!("{refused:?}");
        };
        assert_eq!(stored, "sha256:old");

        let report = store
            .migrate_from::<ServiceClosing, ServiceClosing>(
                "sha256:old",
                MigrateOptions::default(),
                |old| {
                    assert_eq!(old.fingerprint, "sha256:old");
                    if old.data.account == "odd" {
                        return Err("odd is looked at by hand".to_string());
                    }
                    let rename = |s: String| if s == "shut" { "closed".to_string() } else { s };
                    Ok(Migrated {
                        state: rename(old.state),
                        data: old.data,
                        trail: old
                            .trail
                            .into_iter()
                            .map(|mut step| {
                                step.to = rename(step.to);
                                step
                            })
                            .collect(),
                    })
                },
                |_, _| {},
            )
            .await
            .unwrap();
        assert_eq!(report.migrated, ["acme"]);
        assert_eq!(report.refused.len(), 1);
        let message = report.refused[0].to_string();
        assert!(
            message.contains("odd") && message.contains("looked at by hand"),
            "{message}"
        );
        let acme = store.load::<ServiceClosing>("acme").await.unwrap();
        assert_eq!((acme.instance.state(), acme.version), ("closed", 1));
        assert_eq!(acme.instance.trail()[0].actor.as_deref(), Some("alice"));
        let state: String =
            sqlx::query_scalar("SELECT state FROM turnstile_instances WHERE id = 'odd'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(state, "shut", "left as it was");
        assert!(store.load::<ServiceClosing>("fresh").await.is_ok());
    }
}

/// A rolling deploy's mixed rows: a row written under another version of
/// the definition (an older one awaiting migration, or a newer one a node
/// already upgraded wrote) is refused as another version's, naming both
/// fingerprints, never overwritten; the timer runner leaves it to nodes of
/// its version; a migration names the version it moves, can be tried
/// without writing, and leaves every other version's rows alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_versions_rows_are_left_to_it() {
    use turnstile_runtime::snapshot::Migrated;
    for (store, _) in backends("versions").await {
        for id in ["older", "newer", "ours"] {
            let closed = Instance::start(ServiceClosing::new(id), t0())
                .fire("close", holder("alice"), t0())
                .unwrap();
            store.create(id, closed).await.unwrap();
        }
        for (id, fingerprint) in [("older", "sha256:older"), ("newer", "sha256:newer")] {
            sqlx::query("UPDATE turnstile_instances SET fingerprint = $1 WHERE id = $2")
                .bind(fingerprint)
                .bind(id)
                .execute(store.pool())
                .await
                .unwrap();
        }
        let row = |id: &'static str| {
            let pool = store.pool().clone();
            async move {
                sqlx::query_as::<_, (String, String, i64)>(
                    "SELECT fingerprint, state, version FROM turnstile_instances WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        // Refused as another version's, with both fingerprints.
        let refused = store.load::<ServiceClosing>("newer").await.unwrap_err();
        let StoreError::OtherVersion {
            stored, current, ..
        } = &refused
        else {
            panic!("{refused:?}");
        };
        assert_eq!(
            (stored.as_str(), *current),
            ("sha256:newer", ServiceClosing::FINGERPRINT)
        );
        let message = refused.to_string();
        assert!(
            message.contains("sha256:newer") && message.contains(ServiceClosing::FINGERPRINT),
            "{message}"
        );
        let fired = store
            .fire::<ServiceClosing>("newer", "restore", holder("alice"), t0() + 2 * DAY)
            .await;
        assert!(
            matches!(fired, Err(StoreError::OtherVersion { .. })),
            "{fired:?}"
        );
        assert_eq!(
            row("newer").await,
            ("sha256:newer".to_string(), "closed".to_string(), 1)
        );

        // The retention period ends for all three: this build's runner
        // fires its own row only, and reports nothing of the others.
        let (fired, errors) = store
            .run_due::<ServiceClosing>(t0() + 100 * DAY, 100)
            .await
            .unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            fired.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["ours"]
        );
        assert_eq!(row("older").await.1, "closed");
        assert_eq!(row("newer").await.1, "closed");

        // A dry run from the older version: counted and checked, nothing
        // written.
        let identity = |old: turnstile_runtime::snapshot::Envelope<ServiceClosing>| {
            Ok(Migrated {
                state: old.state,
                data: old.data,
                trail: old.trail,
            })
        };
        let mut seen = Vec::new();
        let dry = store
            .migrate_from::<ServiceClosing, ServiceClosing>(
                "sha256:older",
                MigrateOptions {
                    dry_run: true,
                    batch: 1,
                },
                identity,
                |done, total| seen.push((done, total)),
            )
            .await
            .unwrap();
        assert!(dry.dry_run);
        assert_eq!(dry.migrated, ["older"]);
        assert_eq!(dry.by_state.get("closed"), Some(&1));
        assert_eq!(seen, [(1, 1)]);
        assert_eq!(
            row("older").await.0,
            "sha256:older",
            "a dry run writes nothing"
        );
        // The migration itself: the older row moves, the newer one stays.
        let done = store
            .migrate_from::<ServiceClosing, ServiceClosing>(
                "sha256:older",
                MigrateOptions::default(),
                identity,
                |_, _| {},
            )
            .await
            .unwrap();
        assert_eq!(done.migrated, ["older"]);
        assert!(done.refused.is_empty(), "{:?}", done.refused);
        assert_eq!(row("older").await.0, ServiceClosing::FINGERPRINT);
        assert_eq!(
            row("newer").await.0,
            "sha256:newer",
            "a newer version's row is left alone"
        );
        assert!(store.load::<ServiceClosing>("older").await.is_ok());
        // Migrating from this build's own version moves nothing.
        let none = store
            .migrate_from::<ServiceClosing, ServiceClosing>(
                ServiceClosing::FINGERPRINT,
                MigrateOptions::default(),
                identity,
                |_, _| {},
            )
            .await
            .unwrap();
        assert!(none.migrated.is_empty());
        // `verify` lists the newer row as another version's.
        let verified = store.verify::<ServiceClosing>(10, |_, _| {}).await.unwrap();
        assert!(
            matches!(verified.refused.as_slice(), [StoreError::OtherVersion { id, .. }] if id == "newer")
        );
    }
}

/// Each row keeps when its instance started: a history whose first step is
/// earlier than the start is refused as a bad row; a row stored before the
/// start was kept (NULL) loads as it did.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_start_instant_is_stored_and_checked() {
    for (store, _) in backends("started").await {
        store
            .create("acme", Instance::start(ServiceClosing::new("acme"), t0()))
            .await
            .unwrap();
        store
            .fire::<ServiceClosing>("acme", "close", someone(), t0() + DAY)
            .await
            .unwrap();
        let loaded = store.load::<ServiceClosing>("acme").await.unwrap();
        assert_eq!(loaded.instance.started_at(), Some(t0()));

        let later = (t0() + 2 * DAY)
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i64;
        sqlx::query("UPDATE turnstile_instances SET started_at = $1 WHERE id = 'acme'")
            .bind(later)
            .execute(store.pool())
            .await
            .unwrap();
        let refused = store.load::<ServiceClosing>("acme").await;
        assert!(
            matches!(&refused, Err(StoreError::BadRow { problem, .. })
                if problem.contains("earlier than the instance's start")),
            "{refused:?}"
        );

        sqlx::query("UPDATE turnstile_instances SET started_at = NULL WHERE id = 'acme'")
            .execute(store.pool())
            .await
            .unwrap();
        let old = store.load::<ServiceClosing>("acme").await.unwrap();
        assert_eq!(old.instance.started_at(), None);
        assert_eq!(old.instance.state(), "closed");
    }
}

/// Idempotency keys: a request sent again fires nothing and gets the first
/// outcome, a step or a refusal; a key with another event is refused; the
/// same request from 8 clients at once fires once; forgotten keys fire again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_key_fires_once_and_replays_its_outcome() {
    use turnstile_store::{Keyed, Recorded};
    for (store, _) in backends("keys").await {
        store
            .create("acme", Instance::start(ServiceClosing::new("acme"), t0()))
            .await
            .unwrap();
        let first = store
            .fire_keyed::<ServiceClosing>("acme", "close", None, holder("alice"), t0(), "req-1")
            .await
            .unwrap();
        let Keyed::Fired(fired) = first else {
            panic!("a new key fires")
        };
        assert_eq!((fired.version, fired.instance.state()), (1, "closed"));
        let again = store
            .fire_keyed::<ServiceClosing>("acme", "close", None, holder("alice"), t0(), "req-1")
            .await
            .unwrap();
        assert!(
            matches!(&again, Keyed::Replayed(Recorded::Fired { version: 1, state }) if state == "closed"),
            "{again:?}"
        );
        assert_eq!(
            store.load::<ServiceClosing>("acme").await.unwrap().version,
            1
        );

        // The same key with another event: refused by name, nothing fired.
        let reused = store
            .fire_keyed::<ServiceClosing>("acme", "restore", None, holder("alice"), t0(), "req-1")
            .await
            .unwrap_err();
        assert!(matches!(reused, StoreError::KeyReused { .. }), "{reused}");
        assert!(reused
            .to_string()
            .contains("was used for `close`, not `restore`"));

        // A refusal is recorded too, and replayed as it was.
        let refused = store
            .fire_keyed::<ServiceClosing>("acme", "restore", None, holder("alice"), t0(), "req-2")
            .await
            .unwrap_err();
        let message = match &refused {
            StoreError::Refused { why, .. } => why.to_string(),
            other => panic!("{other}"),
        };
        let replayed = store
            .fire_keyed::<ServiceClosing>(
                "acme",
                "restore",
                None,
                holder("alice"),
                t0() + 2 * DAY,
                "req-2",
            )
            .await
            .unwrap();
        let Keyed::Replayed(replayed) = replayed else {
            panic!("the key was seen")
        };
        assert_eq!(
            replayed,
            Recorded::Refused {
                code: "not_yet".into(),
                message
            }
        );

        // Forgotten, the key is new again: this time restoring is due.
        assert_eq!(store.forget_keys(Duration::ZERO).await.unwrap(), 2);
        let later = store
            .fire_keyed::<ServiceClosing>(
                "acme",
                "restore",
                None,
                holder("alice"),
                t0() + 2 * DAY,
                "req-2",
            )
            .await
            .unwrap();
        assert!(
            matches!(later, Keyed::Fired(ref s) if s.version == 2),
            "{later:?}"
        );
        assert_eq!(
            store.forget_keys(DAY).await.unwrap(),
            0,
            "kept within the window"
        );

        // Eight clients send the same request at once: one step.
        store
            .create("beta", Instance::start(ServiceClosing::new("beta"), t0()))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .fire_keyed::<ServiceClosing>(
                            "beta",
                            "close",
                            None,
                            holder("bob"),
                            t0(),
                            "same",
                        )
                        .await
                })
            })
            .collect();
        let mut fired = 0;
        for task in tasks {
            match task.await.unwrap().unwrap() {
                Keyed::Fired(s) => {
                    fired += 1;
                    assert_eq!(s.version, 1);
                }
                Keyed::Replayed(r) => assert_eq!(
                    r,
                    Recorded::Fired {
                        version: 1,
                        state: "closed".into()
                    }
                ),
            }
        }
        assert_eq!(fired, 1);
        let beta = store.load::<ServiceClosing>("beta").await.unwrap();
        assert_eq!(beta.instance.trail().len(), 1);
    }
}

/// An owner recorded at creation: listed, told, and required by a fire
/// that names it (another owner's instance answers NotFound, as a missing
/// one does, and is not touched).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_are_recorded_and_checked() {
    use turnstile_store::FireRequest;
    for (store, _) in backends("owners").await {
        for (id, owner) in [("a-1", "alice"), ("a-2", "alice"), ("b-1", "bob")] {
            let start = Instance::start(ServiceClosing::new(id), t0());
            store.create_owned(id, start, owner).await.unwrap();
        }
        let start = Instance::start(ServiceClosing::new("n-1"), t0());
        store.create("n-1", start).await.unwrap();
        let listed: Vec<String> = store
            .list_owned::<ServiceClosing>("alice", None, None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        assert_eq!(listed, ["a-1", "a-2"]);
        let all = store.list::<ServiceClosing>(None, None, 10).await.unwrap();
        let owners: Vec<Option<&str>> = all.iter().map(|l| l.owner.as_deref()).collect();
        assert_eq!(owners, [Some("alice"), Some("alice"), Some("bob"), None]);
        assert_eq!(
            store
                .owner::<ServiceClosing>("b-1")
                .await
                .unwrap()
                .as_deref(),
            Some("bob")
        );
        assert!(matches!(
            store.owner::<ServiceClosing>("zz").await,
            Err(StoreError::NotFound { .. })
        ));
        let bob = holder("bob");
        for id in ["a-1", "n-1"] {
            let request = FireRequest::new("close", bob, t0()).owner("bob");
            let refused = store.submit::<ServiceClosing>(id, request).await;
            assert!(
                matches!(refused, Err(StoreError::NotFound { .. })),
                "{id}: {refused:?}"
            );
            let head = store.head::<ServiceClosing>(id).await.unwrap();
            assert_eq!((head.version, head.instance.state()), (0, "active"));
        }
        let request = FireRequest::new("close", bob, t0()).owner("bob");
        let fired = store
            .submit::<ServiceClosing>("b-1", request)
            .await
            .unwrap();
        let turnstile_store::Keyed::Fired(stored) = fired else {
            panic!("a new request is fired")
        };
        assert_eq!(stored.instance.state(), "closed");
    }
}

/// A creation retried with its idempotency key creates once: the repeats
/// (8 at once, then one more) get the first one's outcome instead of
/// `Exists`; another key for the same id is `Exists`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_creation_retried_with_its_key_creates_once() {
    use turnstile_store::{Keyed, Recorded};
    for (store, _) in backends("create_keys").await {
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let start = Instance::start(ServiceClosing::new("acme"), t0());
                store
                    .create_keyed("acme", start, Some("alice"), "k-create")
                    .await
                    .unwrap()
            }));
        }
        let mut fired = 0;
        for task in tasks {
            match task.await.unwrap() {
                Keyed::Fired(stored) => {
                    fired += 1;
                    assert_eq!(stored.version, 0);
                }
                Keyed::Replayed(recorded) => assert_eq!(
                    recorded,
                    Recorded::Fired {
                        version: 0,
                        state: "active".into()
                    }
                ),
            }
        }
        assert_eq!(fired, 1, "created once");
        let again = Instance::start(ServiceClosing::new("acme"), t0());
        assert!(matches!(
            store
                .create_keyed("acme", again, Some("alice"), "k-create")
                .await,
            Ok(Keyed::Replayed(_))
        ));
        let other = Instance::start(ServiceClosing::new("acme"), t0());
        assert!(matches!(
            store
                .create_keyed("acme", other, Some("alice"), "k-other")
                .await,
            Err(StoreError::Exists { .. })
        ));
        assert_eq!(
            store
                .owner::<ServiceClosing>("acme")
                .await
                .unwrap()
                .as_deref(),
            Some("alice")
        );
    }
}

/// A write abandoned halfway (its task cancelled while it holds the
/// instance: here a consumer whose handler never finishes, inside its
/// write transaction) does not keep the database: another node writes at
/// once, and the same store's next write too, with nothing of the
/// abandoned one stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_write_does_not_keep_the_database() {
    for (store, url) in backends("cancelled").await {
        store
            .create("acme", Instance::start(upgrade(), t0()))
            .await
            .unwrap();
        store
            .fire::<AccountUpgrade>("acme", "upgrade_later", holder("alice"), t0())
            .await
            .unwrap();
        // (PostgreSQL gives a consumer the steps behind its horizon.)
        common::settled(&store).await;
        // The handler would wait forever, in the middle of its transaction.
        let stuck = store.consume("stuck", 10, async |_conn, _batch| {
            std::future::pending::<()>().await;
            Ok::<(), std::io::Error>(())
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(300), stuck)
                .await
                .is_err(),
            "the handler never finishes"
        );
        let second = Store::open(&url).await.unwrap();
        let started = std::time::Instant::now();
        let fired = second
            .fire::<AccountUpgrade>("acme", "log_in_again", holder("bob"), t0())
            .await
            .unwrap();
        assert_eq!(fired.version, 2);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the other node waited {:?} for the abandoned write",
            started.elapsed()
        );
        let fired = store
            .fire::<AccountUpgrade>("acme", "upgrade_later", holder("alice"), t0())
            .await
            .unwrap();
        assert_eq!(fired.version, 3);
        // The consumer's cursor did not move: it is given the steps again.
        let mut given = 0;
        store
            .consume("stuck", 10, async |_conn, batch| {
                given += batch.len();
                Ok::<(), std::io::Error>(())
            })
            .await
            .unwrap();
        common::settled(&store).await;
        assert!(
            given >= 1,
            "the consumer is given the steps it did not take"
        );
    }
}

/// A fire cancelled halfway (its first statements sent, its task dropped
/// 0 to 9 ms later) leaves neither the database's lock held, nor a
/// transaction open on a pooled connection, nor half a step: another node
/// fires at once each time, and the instance still passes the full check. (A fire that got as far as sending its commit
/// before it was dropped is written, as a request whose answer was lost.)
#[tokio::test]
async fn a_cancelled_fire_does_not_keep_the_database() {
    let next = |state: &str| {
        if state == "prompted" {
            "upgrade_later"
        } else {
            "log_in_again"
        }
    };
    for (store, url) in backends("cancelled_fire").await {
        store
            .create("acme", Instance::start(upgrade(), t0()))
            .await
            .unwrap();
        let second = Store::open(&url).await.unwrap();
        let mut fired_by_second = 0;
        for millis in 0..10 {
            let head = store.head::<AccountUpgrade>("acme").await.unwrap();
            let event = next(head.instance.state());
            let mut cancelled =
                Box::pin(store.fire::<AccountUpgrade>("acme", event, holder("alice"), t0()));
            // One poll: the fire takes the writer's turn and sends its
            // first statements, then waits for them; it is dropped while
            // it waits.
            let mut context = std::task::Context::from_waker(std::task::Waker::noop());
            assert!(std::future::Future::poll(cancelled.as_mut(), &mut context).is_pending());
            tokio::time::sleep(Duration::from_millis(millis)).await;
            drop(cancelled);
            if store.backend() == Backend::Postgres {
                // No connection goes back to the pool inside a transaction
                // (asked through the other node's pool, whose connection
                // cannot be the one asked about).
                let idle_in_transaction = "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND state = 'idle in transaction'";
                let mut open = -1i64;
                for _ in 0..100 {
                    open = sqlx::query_scalar(idle_in_transaction)
                        .fetch_one(second.pool())
                        .await
                        .unwrap();
                    if open == 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                assert_eq!(
                    open, 0,
                    "a fire cancelled after {millis} ms left a transaction open on a pooled connection"
                );
            }
            let started = std::time::Instant::now();
            // What the other node fires is what the state allows when it
            // reads it (once more if a cancelled commit lands meanwhile).
            for attempt in 0.. {
                let head = second.head::<AccountUpgrade>("acme").await.unwrap();
                let event = next(head.instance.state());
                match second
                    .fire::<AccountUpgrade>("acme", event, holder("bob"), t0())
                    .await
                {
                    Ok(_) => break,
                    Err(StoreError::Refused { .. }) if attempt == 0 => {}
                    Err(e) => panic!("{:?}, cancelled after {millis} ms: {e}", store.backend()),
                }
            }
            fired_by_second += 1;
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the other node waited {:?} for a fire cancelled after {millis} ms",
                started.elapsed()
            );
        }
        // Every step is whole and in order: the history replays.
        let loaded = store.load::<AccountUpgrade>("acme").await.unwrap();
        assert!(loaded.version >= fired_by_second, "{}", loaded.version);
    }
}

/// A SQLite database in memory named by its URL (`mode=memory`) is one
/// connection's, as `sqlite::memory:` is: fires go through it, and no file
/// of that name is made.
#[tokio::test]
async fn a_store_in_memory_by_url_writes_no_file() {
    let name = format!("turnstile-memory-{}", std::process::id());
    let store = Store::open(&format!("sqlite://{name}?mode=memory"))
        .await
        .unwrap();
    store
        .create("acme", Instance::start(upgrade(), t0()))
        .await
        .unwrap();
    let fired = store
        .fire::<AccountUpgrade>("acme", "upgrade_later", holder("alice"), t0())
        .await
        .unwrap();
    assert_eq!(fired.version, 1);
    assert_eq!(
        store.load::<AccountUpgrade>("acme").await.unwrap().version,
        1
    );
    assert!(!std::path::Path::new(&name).exists(), "a file named {name}");
}

/// Text neither database may hold the same way is refused before SQL,
/// with the field named, on SQLite as on PostgreSQL (which cannot store
/// U+0000 and used to answer with its own error text).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn text_with_control_characters_is_refused_the_same_on_both_databases() {
    fn field(e: StoreError) -> &'static str {
        match e {
            StoreError::BadText { field, .. } => field,
            other => panic!("not BadText: {other}"),
        }
    }
    for (store, url) in backends("badtext").await {
        let start = || Instance::start(ServiceClosing::new("acme"), t0());
        store.create("acme", start()).await.unwrap();
        for bad in ["a\0b", "a\nb", "\u{1b}[2J", "\u{85}"] {
            let e = store.create(bad, start()).await.unwrap_err();
            assert_eq!(field(e), "the instance id", "{url}");
            let e = store.create_owned("ok", start(), bad).await.unwrap_err();
            assert_eq!(field(e), "the owner", "{url}");
            let e = store
                .create_keyed("ok", start(), None, bad)
                .await
                .unwrap_err();
            assert_eq!(field(e), "the idempotency key", "{url}");
            let e = store.load::<ServiceClosing>(bad).await.unwrap_err();
            assert_eq!(field(e), "the instance id");
            let e = store
                .fire::<ServiceClosing>("acme", bad, holder("alice"), t0())
                .await
                .unwrap_err();
            assert_eq!(field(e), "the event name");
            let e = store
                .fire_keyed::<ServiceClosing>("acme", "close", None, holder("alice"), t0(), bad)
                .await
                .unwrap_err();
            assert_eq!(field(e), "the idempotency key");
            let roles = [bad];
            let e = store
                .fire::<ServiceClosing>(
                    "acme",
                    "close",
                    Actor::new("alice").with_roles(&roles),
                    t0(),
                )
                .await
                .unwrap_err();
            assert_eq!(field(e), "the actor's role");
            let e = store
                .fire::<ServiceClosing>("acme", "close", Actor::new(bad), t0())
                .await
                .unwrap_err();
            assert_eq!(field(e), "the actor's id");
            let e = store
                .fire_with::<ServiceClosing>(
                    "acme",
                    "close",
                    Some("{\"a\":\"\0\"}"),
                    holder("alice"),
                    t0(),
                )
                .await
                .unwrap_err();
            assert_eq!(field(e), "the payload");
            let e = store
                .list::<ServiceClosing>(Some(bad), None, 10)
                .await
                .unwrap_err();
            assert_eq!(field(e), "the listing's state");
            let e = store
                .list::<ServiceClosing>(None, Some(bad), 10)
                .await
                .unwrap_err();
            assert_eq!(field(e), "the listing's cursor (`after`)");
            let e = store
                .list_owned::<ServiceClosing>(bad, None, None, 10)
                .await
                .unwrap_err();
            assert_eq!(field(e), "the owner");
            let e = store.owner::<ServiceClosing>(bad).await.unwrap_err();
            assert_eq!(field(e), "the instance id");
            let e = store
                .consume(bad, 10, async |_, _| Ok::<(), std::convert::Infallible>(()))
                .await
                .unwrap_err();
            assert_eq!(field(e), "the consumer's name");
        }
        // Nothing of it was written: the one instance, untouched.
        let listed = store.list::<ServiceClosing>(None, None, 10).await.unwrap();
        assert_eq!(listed.len(), 1, "{url}");
        assert_eq!(listed[0].version, 0, "{url}");
        // An empty cursor is the first page, as it always was.
        let first = store
            .list::<ServiceClosing>(None, Some(""), 10)
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "{url}");
        // Text without control characters, however odd, is kept as it is.
        let odd = "naïve 東京 %00 🦀";
        store.create(odd, start()).await.unwrap();
        assert_eq!(store.load::<ServiceClosing>(odd).await.unwrap().id, odd);
    }
}
