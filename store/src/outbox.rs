//! The outbox: every step written, delivered to named consumers, each
//! with its own durable cursor.
//!
//! Steps are delivered in the order of the transactions that wrote them
//! (column `txid`, migration 0005), and within one transaction in
//! (workflow, id, seq) order; so one instance's steps arrive in the order
//! of its history. A consumer's cursor is the place of the last step it
//! was given, advanced in the same transaction as what its handler
//! records: a crash before the commit delivers the batch again (at least
//! once), never skips it.
//!
//! The classic gap, and how it is closed: with concurrent writers, a
//! transaction can commit after another that started later, so a reader
//! that goes "after the last position I saw" would pass over the step
//! committed late. On PostgreSQL a batch holds only steps of transactions
//! older than every transaction still running (`pg_snapshot_xmin`): no
//! step can appear behind the cursor afterwards. On SQLite, writers take
//! turns on the database's write lock and each writing transaction's
//! `txid` is larger than every one committed before it, so every step
//! behind a visible one has committed.

use std::error::Error;
use std::time::{Duration, SystemTime};

use sqlx::{AnyConnection, Row};
use turnstile_runtime::Step;

use crate::rows::{instant, wall_clock, StepRow, STEP_SELECT};
use crate::{Backend, Store, StoreError};

/// A step as a consumer is given it: which instance, its number in that
/// instance's history, and the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The workflow's name.
    pub workflow: String,
    /// The instance id.
    pub id: String,
    /// The step's number in the instance's history (1, 2, …): with
    /// `workflow` and `id`, what a handler deduplicates on, since a batch
    /// whose transaction did not commit is delivered again.
    pub seq: i64,
    /// The step: from, event, to, when, by whom (`"timer"` for timers), in
    /// which role, with what payload.
    pub step: Step,
}

/// How far a consumer is behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lag {
    /// The consumer's name.
    pub name: String,
    /// Steps written that it has not been given yet.
    pub behind: i64,
    /// When its cursor last moved (the store's clock).
    pub updated_at: SystemTime,
}

#[derive(sqlx::FromRow)]
struct Cursor {
    txid: i64,
    workflow: String,
    id: String,
    seq: i64,
}

/// A step as the log reads it: which instance, its place, and the step.
#[derive(sqlx::FromRow)]
struct LogRow {
    workflow: String,
    id: String,
    txid: i64,
    #[sqlx(flatten)]
    step: StepRow,
}

impl Store {
    /// Gives consumer `name` the next steps, at most `batch`, through
    /// `handler`, and moves its cursor past them in the same transaction
    /// as what the handler writes on the connection it is given. Returns
    /// how many steps were delivered (0: none are waiting).
    ///
    /// If the handler fails ([`StoreError::Handler`]) or the process dies
    /// before the commit, nothing it wrote is kept and the cursor stays:
    /// the same steps come again on the next call. Delivery is therefore
    /// at least once; a handler that writes its effects on the connection
    /// it is given (or deduplicates on `(workflow, id, seq)`) sees each
    /// step's effect once. Two processes consuming under one name take
    /// turns (the cursor's row is locked on PostgreSQL; SQLite's write lock
    /// is held) and never get the same batch both.
    ///
    /// On SQLite the handler runs under the database's write lock: keep it
    /// short, and do slow work (a webhook) after the commit, from what the
    /// handler recorded, or accept that writers wait for it.
    ///
    /// ```no_run
    /// use std::error::Error;
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// use sqlx::AnyConnection;
    /// use turnstile_store::{Delivery, Store, StoreError};
    ///
    /// /// Stops billing for each account whose services are disabled.
    /// async fn follow(store: &Store) -> Result<(), StoreError> {
    ///     let mut waiter = store.waiter().await?;
    ///     loop {
    ///         let handler = async |conn: &mut AnyConnection, batch: &[Delivery]| {
    ///             for d in batch.iter().filter(|d| d.step.to == "disabled") {
    ///                 let at = d.step.at.duration_since(UNIX_EPOCH)?.as_secs() as i64;
    ///                 sqlx::query("INSERT INTO billing_stops (account, at) VALUES ($1, $2)")
    ///                     .bind(&d.id)
    ///                     .bind(at)
    ///                     .execute(&mut *conn) // the consumer's own transaction
    ///                     .await?;
    ///             }
    ///             Ok::<(), Box<dyn Error + Send + Sync>>(())
    ///         };
    ///         let n = store.consume("billing", 100, handler).await?;
    ///         waiter.delivered(n);
    ///         if n == 0 {
    ///             // A notification (PostgreSQL) or the next poll (SQLite).
    ///             waiter.wait(Duration::from_secs(5)).await;
    ///         }
    ///     }
    /// }
    /// ```
    pub async fn consume<F, E>(
        &self,
        name: &str,
        batch: i64,
        mut handler: F,
    ) -> Result<usize, StoreError>
    where
        F: AsyncFnMut(&mut AnyConnection, &[Delivery]) -> Result<(), E>,
        E: Into<Box<dyn Error + Send + Sync>>,
    {
        crate::text::name("the consumer's name", name)?;
        // Read first, before anything of this call is running: every
        // transaction older than this has ended, committed or not.
        let horizon: Option<i64> = match self.backend {
            Backend::Postgres => Some(
                sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
                    .fetch_one(&self.pool)
                    .await?,
            ),
            Backend::Sqlite => None,
        };
        let mut tx = self.begin_write().await?;
        let cursor_sql = match self.backend {
            Backend::Postgres => {
                "SELECT txid, workflow, id, seq FROM turnstile_consumers WHERE name = $1 FOR UPDATE"
            }
            Backend::Sqlite => {
                "SELECT txid, workflow, id, seq FROM turnstile_consumers WHERE name = $1"
            }
        };
        let mut cursor: Option<Cursor> = sqlx::query_as(cursor_sql)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if cursor.is_none() {
            // A new consumer starts before the first step. It is recorded
            // on its own, so that it is listed (`lag`) even if its first
            // batch fails.
            tx.rollback().await?;
            sqlx::query(
                "INSERT INTO turnstile_consumers (name, txid, workflow, id, seq, updated_at) \
                 VALUES ($1, -1, '', '', 0, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(wall_clock())
            .execute(&self.pool)
            .await?;
            tx = self.begin_write().await?;
            cursor = sqlx::query_as(cursor_sql)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        }
        let Some(cursor) = cursor else {
            return Err(StoreError::Database(sqlx::Error::RowNotFound));
        };
        let rows: Vec<LogRow> = sqlx::query_as(&format!(
            "SELECT workflow, id, txid, {STEP_SELECT} \
             FROM turnstile_steps WHERE (txid, workflow, id, seq) > ($1, $2, $3, $4) AND txid < $5 \
             ORDER BY txid, workflow, id, seq LIMIT $6"
        ))
        .bind(cursor.txid)
        .bind(&cursor.workflow)
        .bind(&cursor.id)
        .bind(cursor.seq)
        .bind(horizon.unwrap_or(i64::MAX))
        .bind(batch.max(1))
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else {
            tx.rollback().await?;
            return Ok(0);
        };
        let next = Cursor {
            txid: last.txid,
            workflow: last.workflow.clone(),
            id: last.id.clone(),
            seq: last.step.seq,
        };
        let deliveries = rows
            .into_iter()
            .map(|row| {
                let seq = row.step.seq;
                let step = row.step.into_step().map_err(|problem| StoreError::BadRow {
                    workflow: "outbox",
                    id: row.id.clone(),
                    problem: format!("step {seq} of this {} instance: {problem}", row.workflow),
                })?;
                Ok(Delivery {
                    step,
                    workflow: row.workflow,
                    id: row.id,
                    seq,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        handler(&mut tx, &deliveries)
            .await
            .map_err(|e| StoreError::Handler(e.into()))?;
        sqlx::query(
            "UPDATE turnstile_consumers SET txid = $1, workflow = $2, id = $3, seq = $4, \
             updated_at = $5 WHERE name = $6",
        )
        .bind(next.txid)
        .bind(&next.workflow)
        .bind(&next.id)
        .bind(next.seq)
        .bind(wall_clock())
        .bind(name)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(deliveries.len())
    }

    /// A waiter for consumer loops: [`Waiter::wait`] returns when steps
    /// may have been written. On PostgreSQL it listens on the channel
    /// every store notifies after it commits steps (`LISTEN
    /// turnstile_steps`, on a connection of its own); on SQLite it polls,
    /// backing off from 10 ms to 1 s while nothing comes.
    pub async fn waiter(&self) -> Result<Waiter, StoreError> {
        let listener = match self.backend {
            Backend::Postgres => {
                let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
                listener.listen("turnstile_steps").await?;
                Some(listener)
            }
            Backend::Sqlite => None,
        };
        Ok(Waiter {
            listener,
            idle: Duration::ZERO,
        })
    }

    /// Each consumer's lag: how many steps are written past its cursor,
    /// and when it last moved. In name order.
    pub async fn lag(&self) -> Result<Vec<Lag>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.updated_at, \
             (SELECT COUNT(*) FROM turnstile_steps s \
              WHERE (s.txid, s.workflow, s.id, s.seq) > (c.txid, c.workflow, c.id, c.seq)) AS behind \
             FROM turnstile_consumers c ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get("name")?;
                let updated: i64 = row.try_get("updated_at")?;
                Ok(Lag {
                    behind: row.try_get("behind")?,
                    updated_at: instant(updated).map_err(|problem| StoreError::BadRow {
                        workflow: "consumer",
                        id: name.clone(),
                        problem,
                    })?,
                    name,
                })
            })
            .collect()
    }
}

/// Waits for new steps without busy polling: see [`Store::waiter`].
pub struct Waiter {
    listener: Option<sqlx::postgres::PgListener>,
    /// How long the last wait slept with nothing delivered (SQLite).
    idle: Duration,
}

impl std::fmt::Debug for Waiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiter")
            .field("listens", &self.listener.is_some())
            .finish()
    }
}

impl Waiter {
    /// Says that the last call to [`Store::consume`] delivered `n` steps:
    /// after a delivery, SQLite's polling starts again from its shortest
    /// interval.
    pub fn delivered(&mut self, n: usize) {
        if n > 0 {
            self.idle = Duration::ZERO;
        }
    }

    /// Waits until steps may have been written, at most `max`: on
    /// PostgreSQL until a notification (or `max`, a safety net for a
    /// notification lost with a dropped connection, which is then made
    /// again); on SQLite for the next interval of the backoff. Call
    /// [`Store::consume`] after it, whatever woke it.
    pub async fn wait(&mut self, max: Duration) {
        match &mut self.listener {
            Some(listener) => {
                if let Ok(Err(_)) = tokio::time::timeout(max, listener.recv()).await {
                    // The connection dropped: PgListener reconnects on the
                    // next recv; pause so as not to spin meanwhile.
                    tokio::time::sleep(Duration::from_millis(100).min(max)).await;
                }
            }
            None => {
                self.idle =
                    (self.idle * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                tokio::time::sleep(self.idle.min(max)).await;
            }
        }
    }
}
