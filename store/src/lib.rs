//! A durable store for instances of turnstile workflows: SQLite embedded by
//! default (a file in WAL mode, or in memory), PostgreSQL when several
//! processes on several hosts share one database.
//!
//! Any workflow whose data type derives `Workflow` and serde's traits can
//! be stored. An instance is one row of `turnstile_instances` (its state,
//! its data as JSON, when it entered the state, the fingerprint of its
//! definition, a version and when its next automatic timer falls due) and
//! its audit trail is rows of `turnstile_steps`, numbered 1, 2, … with no
//! gap. The version is the number of steps.
//!
//! What the store guarantees, each backed by a test in `tests/`:
//!
//! - **One transaction per fire**: a fire reads the instance, fires, and
//!   writes the row, its new steps (and an idempotency key's record) in one
//!   transaction; they change together or not at all.
//! - **Cost flat in history**: a fire reads the instance's row and the last
//!   step of its history, never the steps before it, so its thousandth
//!   step costs what its tenth did ([`Store::head`]).
//! - **Writers are ordered, never lost**: a fire holds the instance (its
//!   row's lock on PostgreSQL, the database's write lock from `BEGIN
//!   IMMEDIATE` on SQLite) from its read to its commit, so concurrent fires
//!   on one instance take turns. A write based on a version read earlier
//!   ([`Store::save`], [`FireRequest::version`]) is refused with
//!   [`StoreError::Conflict`] if the row moved on; [`Store::fire_retrying`]
//!   fires again.
//! - **Timers fire once**: [`Store::run_due`] claims due instances with row
//!   locks that skip locked rows on PostgreSQL, and under SQLite's write
//!   lock; a due timer is taken by exactly one worker however many poll.
//! - **Bad rows are refused, never overwritten**: a fire refuses an
//!   instance whose fingerprint, data or state is wrong, or whose last
//!   step does not end in the stored state at the instant it was entered,
//!   with [`StoreError::BadRow`] naming the workflow, the instance and the
//!   problem. [`Store::load`] and [`Store::verify`] also replay the whole
//!   history and refuse one with a gap or a step the definition does not
//!   have.
//! - **Retries fire once**: a fire or a creation under an idempotency key
//!   ([`Store::fire_keyed`], [`FireRequest::key`], [`Store::create_keyed`])
//!   records its outcome with its write; a repeat gets that outcome.
//! - **Every step reaches its consumers**: [`Store::consume`] gives named
//!   consumers every step written, none skipped, each instance's in
//!   history order, with the cursor moved in the consumer's own
//!   transaction.
//! - **Owners**: [`Store::create_owned`] records who owns an instance;
//!   [`FireRequest::owner`] and [`Store::list_owned`] keep other callers
//!   out.
//!
//! Instants are the caller's (`now` parameters), as everywhere in
//! turnstile: nothing here reads the clock to decide what may happen.
//!
//! ```no_run
//! # async fn demo() -> Result<(), turnstile_store::StoreError> {
//! use std::time::SystemTime;
//! use turnstile_runtime::Instance;
//! use turnstile_store::Store;
//! use turnstile_workflows::ServiceClosing;
//!
//! let store = Store::sqlite("accounts.db").await?;
//! let now = SystemTime::now();
//! let start = Instance::start(ServiceClosing::new("acme"), now);
//! store.create("acme", start).await?;
//! let closed = store.fire::<ServiceClosing>("acme", "close", Some("alice"), now).await?;
//! assert_eq!(closed.instance.state(), "closed");
//! // Later, on any node: take the timers that have fallen due.
//! store.run_due::<ServiceClosing>(SystemTime::now(), 100).await?;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod error;
mod fire;
mod keys;
mod maintenance;
mod outbox;
mod regions;
mod rows;
mod sqlite;
mod text;
mod timers;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor, Row};
use turnstile_runtime::{Dispatch, Instance, Step};

pub use error::StoreError;
pub use fire::{FireRequest, Keyed, Recorded};
pub use maintenance::{MigrateOptions, Migration, Verified};
pub use outbox::{Delivery, Lag, Waiter};
pub use regions::{KeyedRegions, StoredRegions};
use rows::{instant, wall_clock, Columns};
pub use text::name as check_name;
pub use timers::Fired;
use writer::WriteTx;

/// The schema, applied by [`Store::open`] (`store/migrations/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite: a file (WAL mode) or memory; one writer at a time.
    Sqlite,
    /// PostgreSQL: many processes and hosts.
    Postgres,
}

/// An instance as stored: its id, the version it was read or written at,
/// and the instance itself (match on `instance.current()` to be back in
/// typestate).
pub struct Stored<W: Dispatch> {
    /// The instance id.
    pub id: String,
    /// The number of steps in its history: what a write based on it names.
    pub version: i64,
    /// The instance.
    pub instance: Instance<W>,
}

impl<W: Dispatch> std::fmt::Debug for Stored<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stored")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("state", &self.instance.state())
            .finish()
    }
}

/// One instance in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The instance id.
    pub id: String,
    /// Its state.
    pub state: String,
    /// Its version (the length of its history).
    pub version: i64,
    /// When it entered its state.
    pub entered_at: SystemTime,
    /// When its next automatic timer falls due, if its state has one.
    pub next_due: Option<SystemTime>,
    /// Its owner, if one was recorded ([`Store::create_owned`]).
    pub owner: Option<String>,
}

/// A store of workflow instances: a pool of connections to one database.
/// Cloning it is cheap and shares the pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// For connections of its own: a consumer's `LISTEN` on PostgreSQL.
    url: String,
    /// Whether a wake-up of the consumers is on its way (PostgreSQL).
    waking: Arc<AtomicBool>,
    /// On a SQLite file, the connection every write takes in turn
    /// (`writer.rs`); `None`: writes take a connection of the pool.
    writer: Option<writer::Shared>,
    /// On a SQLite file, the thread that fires run on (`sqlite.rs`).
    thread: Option<sqlite::Thread>,
}

impl std::fmt::Debug for Store {
    /// The backend only: the URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `url` and brings its schema up to date:
    /// `sqlite://path/to/file.db` (created if missing, WAL mode),
    /// `sqlite::memory:` (one connection, gone when the store is dropped),
    /// or `postgres://user@host:port/database`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(url.to_string()));
        };
        // A SQLite database in memory lives in one connection: another
        // connection would be another database.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let on_file = backend == Backend::Sqlite && !in_memory;
        let mut options = AnyPoolOptions::new();
        if backend == Backend::Sqlite {
            // Writers wait for each other rather than fail; foreign keys are
            // off by default in SQLite. In WAL mode, NORMAL syncs at each
            // checkpoint: a killed process loses nothing committed (a power
            // cut may lose the last transactions, never consistency).
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    let busy = format!("PRAGMA busy_timeout = {}", writer::WAIT.as_millis());
                    conn.execute(busy.as_str()).await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            });
            if in_memory {
                options = options.max_connections(1);
            }
        } else {
            // sqlx pings every connection it hands out, a round trip to
            // the server on each fire. A connection in steady use is known
            // to be alive; one idle for a second (the server may have
            // restarted meanwhile) is pinged, and replaced if it fails.
            options = options
                .max_connections(16)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= Duration::from_secs(1) {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                });
        }
        let pool = options.connect(url).await?;
        if on_file {
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_all(&pool)
                .await?;
        }
        MIGRATOR.run(&pool).await?;
        let (writer, thread) = if on_file {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            (
                Some(writer::shared(pool.acquire().await?.detach())),
                Some(sqlite::Thread::open(options.get_filename())?),
            )
        } else {
            (None, None)
        };
        Ok(Store {
            pool,
            backend,
            url: url.to_string(),
            waking: Arc::new(AtomicBool::new(false)),
            writer,
            thread,
        })
    }

    /// Opens (creating it if missing) the SQLite file at `path`.
    pub async fn sqlite(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open(&format!("sqlite://{}?mode=rwc", path.as_ref().display())).await
    }

    /// A store in memory, for tests and tools: nothing outlives it.
    pub async fn in_memory() -> Result<Store, StoreError> {
        Store::open("sqlite::memory:").await
    }

    /// Which database this store is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for queries of the caller's own.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Asks the database for one trivial answer (`SELECT 1`) on a pooled
    /// connection: a health check's question, whether the store can reach
    /// its database now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool: waits for the connections in use to be returned,
    /// then closes them all (on SQLite, this checkpoints the write-ahead
    /// log). For a graceful shutdown, after the last request.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Stores a new instance under `id`; refused with
    /// [`StoreError::Exists`] if the id is taken for this workflow.
    pub async fn create<W: Dispatch + Serialize>(
        &self,
        id: &str,
        instance: Instance<W>,
    ) -> Result<Stored<W>, StoreError> {
        self.create_with_owner(id, instance, None).await
    }

    /// [`Store::create`], recording `owner` (an actor's id) as the
    /// instance's owner: [`FireRequest::owner`] and [`Store::list_owned`]
    /// then serve it to that owner only, and [`Store::owner`] tells it.
    /// The owner never changes.
    pub async fn create_owned<W: Dispatch + Serialize>(
        &self,
        id: &str,
        instance: Instance<W>,
        owner: &str,
    ) -> Result<Stored<W>, StoreError> {
        self.create_with_owner(id, instance, Some(owner)).await
    }

    async fn create_with_owner<W: Dispatch + Serialize>(
        &self,
        id: &str,
        instance: Instance<W>,
        owner: Option<&str>,
    ) -> Result<Stored<W>, StoreError> {
        text::name_opt("the owner", owner)?;
        let columns = Columns::of(id, &instance, 0)?;
        let mut tx = self.begin_write().await?;
        if !insert_instance::<W>(&mut tx, self.backend, id, &columns, owner).await? {
            return Err(StoreError::Exists {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        tx.commit().await?;
        self.wake();
        let version = columns.version;
        Ok(Stored {
            id: id.to_string(),
            version,
            instance,
        })
    }

    /// [`Store::create`] (with `owner`, as [`Store::create_owned`]) under
    /// an idempotency `key`: a client that does not know whether its
    /// creation arrived sends it again with the same key and gets the
    /// first one's outcome, [`Keyed::Replayed`] with the version and state
    /// it created, instead of [`StoreError::Exists`]. The key is recorded
    /// with the instance, in the same transaction, under the event name
    /// `create`; see [`Store::fire_keyed`] for how keys are kept.
    pub async fn create_keyed<W: Dispatch + Serialize>(
        &self,
        id: &str,
        instance: Instance<W>,
        owner: Option<&str>,
        key: &str,
    ) -> Result<Keyed<W>, StoreError> {
        const CREATE: &str = "create";
        text::name_opt("the owner", owner)?;
        text::name("the idempotency key", key)?;
        let columns = Columns::of(id, &instance, 0)?;
        let mut tx = self.begin_write().await?;
        if let Some(recorded) = keys::recorded_on::<W>(&mut tx, id, key, CREATE).await? {
            return Ok(Keyed::Replayed(recorded));
        }
        if !insert_instance::<W>(&mut tx, self.backend, id, &columns, owner).await? {
            // Taken: by a request with this key that committed meanwhile
            // (PostgreSQL made this insert wait for it), or by another.
            return match keys::recorded_on::<W>(&mut tx, id, key, CREATE).await? {
                Some(recorded) => Ok(Keyed::Replayed(recorded)),
                None => Err(StoreError::Exists {
                    workflow: W::NAME,
                    id: id.to_string(),
                }),
            };
        }
        let stored = Stored {
            id: id.to_string(),
            version: columns.version,
            instance,
        };
        keys::record(
            &mut tx,
            keys::record_params::<W>(id, key, CREATE, &Ok(()), &stored),
        )
        .await?;
        tx.commit().await?;
        self.wake();
        Ok(Keyed::Fired(stored))
    }

    /// Loads the instance `id` back into its typed instance, checking the
    /// row: the fingerprint, the data, the state, and that the history has
    /// no gap and replays to the stored state.
    pub async fn load<W: Dispatch + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Stored<W>, StoreError> {
        text::name(ID, id)?;
        let mut tx = self.begin_snapshot().await?;
        let stored = rows::load_on::<W>(&mut tx, id).await;
        tx.rollback().await?;
        stored
    }

    /// Reads instance `id` without its history: the row and the history's
    /// last step, checked as a fire checks them (the fingerprint, the
    /// data, the state, and that the last step ends in the stored state
    /// when it was entered). Its cost does not grow with the history. The
    /// instance's trail is empty ([`Instance::steps_taken`] counts the
    /// steps); [`Store::load`] reads and replays the whole history.
    pub async fn head<W: Dispatch + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Stored<W>, StoreError> {
        text::name(ID, id)?;
        let mut conn = self.pool.acquire().await?;
        // A previous version's row is shown moved to this version, its
        // migration step dated now (written by the next fire).
        let upgrade = rows::Upgrade {
            by: None,
            at: SystemTime::now(),
        };
        Ok(rows::read_head::<W>(&mut conn, id, false, upgrade).await?.0)
    }

    /// A transaction for a write that reads first: on SQLite it takes the
    /// database's write lock at once (`BEGIN IMMEDIATE`), so that no other
    /// writer can commit between the read and the write; on PostgreSQL the
    /// read takes the row's lock (`FOR UPDATE`).
    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        if let Some(writer) = &self.writer {
            return WriteTx::begin_held(writer).await;
        }
        let statement = match self.backend {
            Backend::Sqlite => Some("BEGIN IMMEDIATE"),
            Backend::Postgres => None,
        };
        Ok(WriteTx::Pooled(Some(self.begin_pooled(statement).await?)))
    }

    /// A transaction of the pool (`statement`: its `BEGIN`, if not the
    /// default), begun in a task of its own. sqlx 0.8 counts a connection
    /// as in a transaction only once its `BEGIN` has answered, and a
    /// `begin` dropped before that rolls back nothing: a caller cancelled
    /// while `BEGIN` was in flight handed the connection back to the pool
    /// inside a transaction nobody would end, and later statements on it
    /// ran in that transaction (`a_cancelled_fire_does_not_keep_the_database`
    /// met it on PostgreSQL in 2 runs of 20). The task runs `begin` to its
    /// end whatever becomes of the caller; a transaction nobody waits for
    /// any more is dropped there, which rolls it back.
    pub(crate) async fn begin_pooled(
        &self,
        statement: Option<&'static str>,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let pool = self.pool.clone();
        let begun = tokio::spawn(async move {
            match statement {
                Some(statement) => pool.begin_with(statement).await,
                None => pool.begin().await,
            }
        })
        .await
        .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?;
        Ok(begun?)
    }

    /// A read-only transaction whose statements all see one consistent
    /// state of the database (PostgreSQL: a snapshot for the whole
    /// transaction, not one per statement), for reading a row with its
    /// steps. The caller rolls it back.
    pub(crate) async fn begin_snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.begin_pooled(None).await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Writes `instance`, read at version `expected`, back under `id`: its
    /// state and data, and the steps it took since. Refused with
    /// [`StoreError::Conflict`] if the stored version is no longer
    /// `expected`. This is how a typed excursion (`instance.into_parts()`,
    /// typed methods, `Instance::resume`) is saved.
    pub async fn save<W: Dispatch + Serialize>(
        &self,
        id: &str,
        expected: i64,
        instance: Instance<W>,
    ) -> Result<Stored<W>, StoreError> {
        text::name(ID, id)?;
        let mut tx = self.begin_write().await?;
        let stored = rows::save_on(&mut tx, self.backend, id, expected, instance).await?;
        tx.commit().await?;
        self.wake();
        Ok(stored)
    }

    /// Tells waiting consumers that steps were committed (PostgreSQL:
    /// `NOTIFY turnstile_steps`, see [`Store::waiter`]). Sent after the
    /// commit, from a task of its own, and at most one at a time: a
    /// `NOTIFY` inside the writing transaction would make PostgreSQL
    /// serialise the commits of all writers. Commits made while one is on
    /// its way are covered by it. SQLite's consumers poll.
    fn wake(&self) {
        if self.backend != Backend::Postgres || self.waking.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pool, waking) = (self.pool.clone(), Arc::clone(&self.waking));
        tokio::spawn(async move {
            // Cleared first: a commit after this point sends its own.
            waking.store(false, Ordering::Release);
            // A lost notification delays consumers until their next poll.
            let _ = sqlx::query("SELECT pg_notify('turnstile_steps', '')")
                .execute(&pool)
                .await;
        });
    }

    /// Whether reads for a write lock the row (PostgreSQL); SQLite's
    /// `BEGIN IMMEDIATE` holds the whole database instead.
    fn locks_rows(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// The instances of workflow `W`, in id order: all of them, or those in
    /// `state`; at most `limit`, starting after the id `after` (for pages).
    pub async fn list<W: turnstile_runtime::Workflow>(
        &self,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
        self.list_where::<W>(None, state, after, limit).await
    }

    /// [`Store::list`], of the instances `owner` owns only
    /// ([`Store::create_owned`]).
    pub async fn list_owned<W: turnstile_runtime::Workflow>(
        &self,
        owner: &str,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
        self.list_where::<W>(Some(owner), state, after, limit).await
    }

    async fn list_where<W: turnstile_runtime::Workflow>(
        &self,
        owner: Option<&str>,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
        text::name_opt("the owner", owner)?;
        text::name_opt("the listing's state", state)?;
        // An empty cursor is the first page, as no cursor is.
        let after = after.filter(|a| !a.is_empty());
        text::name_opt("the listing's cursor (`after`)", after)?;
        let mut sql = String::from(
            "SELECT id, state, version, entered_at, next_due, owner FROM turnstile_instances \
             WHERE workflow = $1 AND id > $2",
        );
        let mut next = 4;
        for (column, given) in [("state", state.is_some()), ("owner", owner.is_some())] {
            if given {
                sql.push_str(&format!(" AND {column} = ${next}"));
                next += 1;
            }
        }
        sql.push_str(" ORDER BY id LIMIT $3");
        let mut query = sqlx::query(&sql)
            .bind(W::NAME)
            .bind(after.unwrap_or(""))
            .bind(limit);
        for given in [state, owner].into_iter().flatten() {
            query = query.bind(given);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let bad = |problem: String| StoreError::BadRow {
                    workflow: W::NAME,
                    id: id.clone(),
                    problem,
                };
                let next_due: Option<i64> = row.try_get("next_due")?;
                Ok(Listed {
                    state: row.try_get("state")?,
                    version: row.try_get("version")?,
                    entered_at: instant(row.try_get("entered_at")?).map_err(bad)?,
                    next_due: next_due.map(instant).transpose().map_err(bad)?,
                    owner: row.try_get("owner")?,
                    id,
                })
            })
            .collect()
    }

    /// The owner of instance `id` ([`Store::create_owned`]), or `None` if
    /// none was recorded; [`StoreError::NotFound`] if there is no such
    /// instance.
    pub async fn owner<W: turnstile_runtime::Workflow>(
        &self,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        text::name(ID, id)?;
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT owner FROM turnstile_instances WHERE workflow = $1 AND id = $2")
                .bind(W::NAME)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(owner,)| owner)
            .ok_or_else(|| StoreError::NotFound {
                workflow: W::NAME,
                id: id.to_string(),
            })
    }

    /// Step number `seq` (1, 2, …) of instance `id`'s history, read by
    /// itself: `None` if the history has no such step. A replayed
    /// idempotency key's step ([`Recorded::Fired`]'s `version`) is read
    /// this way, at a cost that does not grow with the history.
    pub async fn step<W: turnstile_runtime::Workflow>(
        &self,
        id: &str,
        seq: i64,
    ) -> Result<Option<Step>, StoreError> {
        text::name(ID, id)?;
        let mut conn = self.pool.acquire().await?;
        rows::read_step(&mut conn, W::NAME, id, seq).await
    }

    /// The audit trail of instance `id`, oldest first.
    pub async fn history<W: Dispatch + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Vec<Step>, StoreError> {
        Ok(self.load::<W>(id).await?.instance.trail().to_vec())
    }
}

/// How [`StoreError::BadText`] names an instance id.
pub(crate) const ID: &str = "the instance id";

/// Inserts a new instance row and its steps; `false` if the id is taken.
async fn insert_instance<W: Dispatch>(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    id: &str,
    columns: &Columns<'_>,
    owner: Option<&str>,
) -> Result<bool, StoreError> {
    let now = wall_clock();
    let inserted = sqlx::query(
        "INSERT INTO turnstile_instances \
         (workflow, id, fingerprint, state, entered_at, data, version, next_due, created_at, updated_at, started_at, owner, entered_within) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (workflow, id) DO NOTHING",
    )
    .bind(W::NAME)
    .bind(id)
    .bind(W::FINGERPRINT)
    .bind(columns.state)
    .bind(columns.entered_at)
    .bind(&columns.data)
    .bind(columns.version)
    .bind(columns.next_due)
    .bind(now)
    .bind(now)
    .bind(columns.started_at)
    .bind(owner)
    .bind(columns.entered_within.as_deref())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    rows::insert_steps(conn, backend, W::NAME, id, 0, &columns.steps).await?;
    Ok(true)
}
