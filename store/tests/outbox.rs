//! The outbox: every step written is given to each named consumer, in the
//! order of its instance's history, none skipped, with the consumer's
//! cursor moved in the same transaction as what its handler records; on a
//! SQLite file and, where `TURNSTILE_POSTGRES_URL` names a server, on
//! PostgreSQL.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{backends, t0, upgrade};
use sqlx::AnyConnection;
use turnstile_runtime::{Actor, Instance};
use turnstile_store::{Delivery, Store, StoreError};
use turnstile_workflows::AccountUpgrade;

fn holder() -> Actor<'static> {
    Actor::new("alice").with_roles(&["customer"])
}

/// The handler of the consumers below: records each step it is given in
/// `seen`, on the consumer's own transaction, numbered in delivery order.
async fn record(conn: &mut AnyConnection, batch: &[Delivery]) -> Result<(), sqlx::Error> {
    let mut n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM seen")
        .fetch_one(&mut *conn)
        .await?;
    for d in batch {
        n += 1;
        sqlx::query("INSERT INTO seen (workflow, id, seq, event, n) VALUES ($1, $2, $3, $4, $5)")
            .bind(&d.workflow)
            .bind(&d.id)
            .bind(d.seq)
            .bind(&d.step.event)
            .bind(n)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn create_seen(store: &Store) {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS seen (workflow TEXT NOT NULL, id TEXT NOT NULL, \
         seq BIGINT NOT NULL, event TEXT NOT NULL, n BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await
    .unwrap();
}

fn consumer_process(url: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "consumer_child", "--nocapture"])
        .env("TURNSTILE_OUTBOX_URL", url)
        .stdout(Stdio::null())
        .spawn()
        .expect("the consumer process starts")
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or(0)
}

/// Eight writers fire on twelve instances (some shared by two writers)
/// while a consumer in another process follows the outbox; it is killed
/// with SIGKILL halfway and started again. At the end the consumer has
/// been given every step written exactly once (its records are written
/// with its cursor), each instance's steps in the order of its history.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_step_reaches_a_consumer_once_in_order_across_a_kill() {
    for (store, url) in backends("outbox").await {
        create_seen(&store).await;
        for i in 0..12 {
            store
                .create(&format!("acct-{i}"), Instance::start(upgrade(), t0()))
                .await
                .unwrap();
        }
        let mut child = consumer_process(&url);
        let mut writers = Vec::new();
        for w in 0..8 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                // Writer w goes round instances w and (w + 4) mod 12: two
                // writers meet on some of them.
                let mine = [format!("acct-{w}"), format!("acct-{}", (w + 4) % 12)];
                let mut fired = 0;
                for round in 0..60 {
                    let id = &mine[round % 2];
                    let head = store.head::<AccountUpgrade>(id).await.unwrap();
                    let event = if head.instance.state() == "prompted" {
                        "upgrade_later"
                    } else {
                        "log_in_again"
                    };
                    match store
                        .fire::<AccountUpgrade>(id, event, holder(), t0())
                        .await
                    {
                        Ok(_) => fired += 1,
                        // The other writer on this instance moved it first.
                        Err(StoreError::Refused { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
                fired
            }));
        }
        // Kill the consumer once it has recorded something and the writers
        // are still writing.
        let started = Instant::now();
        while count(&store, "SELECT COUNT(*) FROM seen").await < 40 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the consumer recorded nothing in a minute"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let mut child = consumer_process(&url);
        let mut fired = 0;
        for writer in writers {
            fired += writer.await.unwrap();
        }
        let written = count(&store, "SELECT COUNT(*) FROM turnstile_steps").await;
        assert_eq!(written, fired);
        let started = Instant::now();
        while count(&store, "SELECT COUNT(*) FROM seen").await < written {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the consumer did not catch up in a minute"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();

        let seen: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT id, seq, event, n FROM seen ORDER BY n")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(seen.len() as i64, written, "each step once");
        let mut by_instance: BTreeMap<&str, Vec<(i64, &str)>> = BTreeMap::new();
        for (id, seq, event, _) in &seen {
            by_instance
                .entry(id.as_str())
                .or_default()
                .push((*seq, event.as_str()));
        }
        for (id, steps) in &by_instance {
            let history = store.history::<AccountUpgrade>(id).await.unwrap();
            let expected: Vec<(i64, &str)> = (1..)
                .zip(history.iter().map(|s| s.event.as_str()))
                .collect();
            assert_eq!(steps, &expected, "{id}: its history, in order, once");
        }
        let lag = store.lag().await.unwrap();
        assert_eq!(lag.len(), 1);
        assert_eq!((lag[0].name.as_str(), lag[0].behind), ("audit", 0));
    }
}

/// The consumer process of the test above: follows the outbox as `audit`
/// in batches of 7 until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of every_step_reaches_a_consumer_once_in_order_across_a_kill"]
async fn consumer_child() {
    let Ok(url) = std::env::var("TURNSTILE_OUTBOX_URL") else {
        eprintln!("consumer_child is the outbox test's child process: nothing to do alone");
        return;
    };
    let store = Store::open(&url).await.unwrap();
    let mut waiter = store.waiter().await.unwrap();
    loop {
        let n = store.consume("audit", 7, record).await.unwrap();
        waiter.delivered(n);
        if n == 0 {
            waiter.wait(Duration::from_secs(1)).await;
        }
    }
}

/// A handler that fails keeps nothing and leaves the cursor: the same
/// steps come again, and a second consumer has its own cursor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_handler_gets_the_same_steps_again() {
    for (store, _) in backends("outbox_failure").await {
        create_seen(&store).await;
        let start = Instance::start(upgrade(), t0());
        let later = start.fire("upgrade_later", holder(), t0()).unwrap();
        let again = later.fire("log_in_again", holder(), t0()).unwrap();
        store.create("acme", again).await.unwrap();
        common::settled(&store).await;

        let failed = store
            .consume(
                "mail",
                10,
                async |conn: &mut AnyConnection, batch: &[Delivery]| {
                    record(conn, batch).await?;
                    Err::<(), Box<dyn std::error::Error + Send + Sync>>(
                        "the mail server is down".into(),
                    )
                },
            )
            .await;
        assert!(
            matches!(&failed, Err(StoreError::Handler(e)) if e.to_string() == "the mail server is down"),
            "{failed:?}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM seen").await,
            0,
            "rolled back"
        );
        assert_eq!(store.lag().await.unwrap()[0].behind, 2);

        let mut given = given_steps(&store, "mail", 1).await;
        assert_eq!(given.len(), 1);
        given.extend(given_steps(&store, "mail", 10).await);
        let events: Vec<(i64, &str)> = given
            .iter()
            .map(|d| (d.seq, d.step.event.as_str()))
            .collect();
        assert_eq!(events, [(1, "upgrade_later"), (2, "log_in_again")]);
        assert_eq!(
            store.consume("mail", 10, record).await.unwrap(),
            0,
            "nothing new"
        );
        // Another consumer starts from the beginning.
        assert_eq!(store.consume("billing", 10, record).await.unwrap(), 2);
        let lag: Vec<(String, i64)> = store
            .lag()
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.name, l.behind))
            .collect();
        assert_eq!(lag, [("billing".to_string(), 0), ("mail".to_string(), 0)]);
    }
}

/// The classic gap, on PostgreSQL, where writers commit out of order: a
/// transaction that started first (an older id) and commits after a later
/// one. Its step must not be passed over: the consumer is given nothing
/// while it runs, then both steps, the older first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_committed_late_is_not_skipped() {
    let Some(url) = common::postgres("outbox_gap").await else {
        return;
    };
    let store = Store::open(&url).await.unwrap();
    for id in ["early", "late"] {
        store
            .create(id, Instance::start(upgrade(), t0()))
            .await
            .unwrap();
    }
    assert_eq!(store.consume("gap", 10, record_nothing).await.unwrap(), 0);
    // A writer that takes its transaction id first and commits last: the
    // step an older node's slow transaction writes.
    let mut slow = store.pool().begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()::text")
        .execute(&mut *slow)
        .await
        .unwrap();
    store
        .fire::<AccountUpgrade>("late", "upgrade_later", holder(), t0())
        .await
        .unwrap();
    let given = given_steps(&store, "gap", 10).await;
    assert!(
        given.is_empty(),
        "nothing while an older transaction runs: {given:?}"
    );
    sqlx::query(
        "INSERT INTO turnstile_steps (workflow, id, seq, from_state, event, to_state, at, txid) \
         VALUES ('account_upgrade', 'early', 1, 'prompted', 'upgrade_later', 'postponed', $1, \
         pg_current_xact_id()::text::bigint)",
    )
    .bind(1_790_000_000_000_000_000i64)
    .execute(&mut *slow)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE turnstile_instances SET state = 'postponed', version = 1 WHERE id = 'early'",
    )
    .execute(&mut *slow)
    .await
    .unwrap();
    slow.commit().await.unwrap();
    common::settled(&store).await;
    let given = given_steps(&store, "gap", 10).await;
    let ids: Vec<&str> = given.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["early", "late"], "the older transaction's step first");
}

async fn record_nothing(_: &mut AnyConnection, _: &[Delivery]) -> Result<(), sqlx::Error> {
    Ok(())
}

/// What consumer `name` is given in one call of at most `batch` steps
/// (the call's count is checked against it).
async fn given_steps(store: &Store, name: &str, batch: i64) -> Vec<Delivery> {
    let mut given = Vec::new();
    let n = store
        .consume(
            name,
            batch,
            async |_: &mut AnyConnection, batch: &[Delivery]| {
                given.extend_from_slice(batch);
                Ok::<(), sqlx::Error>(())
            },
        )
        .await
        .unwrap();
    assert_eq!(n, given.len());
    given
}
