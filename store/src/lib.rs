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
mod keys;
mod outbox;
mod rows;

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyConnection, Transaction};
use sqlx::{AnyPool, Executor, Row};
use turnstile_runtime::snapshot::{Envelope, Migrated};
use turnstile_runtime::{Actor, Dispatch, Instance, Step, Why};

pub use error::StoreError;
pub use outbox::{Consumer, Delivery, Lag};
use rows::{instant, nanos, wall_clock, Columns};

/// The schema, applied by [`Store::open`] (`store/migrations/`; on
/// PostgreSQL, `store/migrations_postgres/` as well).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite: a file (WAL mode) or memory; one writer at a time.
    Sqlite,
    /// PostgreSQL: many processes and hosts.
    Postgres,
}

/// What [`Store::fire_keyed`] gives: the outcome of firing now, or the
/// outcome recorded under the key by an earlier request.
#[derive(Debug)]
pub enum Keyed<W: Dispatch> {
    /// The key is new: the event was fired and the step written, as
    /// [`Store::fire_with`] gives it. (A refusal is `Err(StoreError::Refused)`,
    /// recorded under the key as well.)
    Fired(Stored<W>),
    /// The key was seen before: nothing was fired, and this is what came of
    /// it then.
    Replayed(Recorded),
}

/// An outcome recorded under an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The event was fired: the version written and the state entered. The
    /// step is the history's entry number `version` (history is never
    /// rewritten, so it is still there).
    Fired {
        /// The version the step made (the number of steps then).
        version: i64,
        /// The state it entered.
        state: String,
    },
    /// The event was refused.
    Refused {
        /// [`Why::code`] of the refusal (`not_allowed`, `guard_refused`, …).
        code: String,
        /// The refusal's message, as it was.
        message: String,
    },
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

/// What [`Store::migrate`] did: the instances moved to the current
/// definition, and those refused (left as they were).
#[derive(Debug, Default)]
pub struct Migration {
    /// The ids of the instances migrated.
    pub migrated: Vec<String>,
    /// Why the others were not.
    pub refused: Vec<StoreError>,
}

/// What [`Store::verify`] found: how many instances it replayed, and why
/// each one that does not load is refused.
#[derive(Debug, Default)]
pub struct Verified {
    /// How many instances were read and replayed.
    pub checked: u64,
    /// The instances that do not load ([`StoreError::BadRow`], each naming
    /// the instance and the problem).
    pub refused: Vec<StoreError>,
}

/// What [`Store::run_due`] did to one instance: the steps its due timers
/// took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The instance id.
    pub id: String,
    /// The transitions taken, oldest first (actor `"timer"`).
    pub steps: Vec<Step>,
}

/// A fire to make with [`Store::submit`]: the event, what it brings, who
/// fires it and when, and optionally the version it is based on and an
/// idempotency key.
///
/// ```
/// # use std::time::SystemTime;
/// # use turnstile_runtime::Actor;
/// use turnstile_store::FireRequest;
///
/// let holder = Actor::new("alice").with_roles(&["customer"]);
/// let request = FireRequest::new("close", holder, SystemTime::now())
///     .version(3)
///     .key("3f1c9a2e-close");
/// assert_eq!(request.event, "close");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FireRequest<'r> {
    /// The event's name.
    pub event: &'r str,
    /// What it brings (JSON text), for an event whose definition says
    /// `payload`.
    pub payload: Option<&'r str>,
    /// Who fires it: an identity and its roles.
    pub actor: Actor<'r>,
    /// When it happens (the caller's instant).
    pub at: SystemTime,
    /// The version the caller read: a stored version other than this one
    /// is [`StoreError::Conflict`].
    pub version: Option<i64>,
    /// The idempotency key (see [`Store::fire_keyed`]).
    pub key: Option<&'r str>,
    /// Fire only on an instance this actor id owns
    /// ([`Store::create_owned`]): any other, owned by someone else or by
    /// nobody, answers [`StoreError::NotFound`], so that a caller learns
    /// nothing of instances that are not theirs.
    pub owner: Option<&'r str>,
}

impl<'r> FireRequest<'r> {
    /// The event named `event`, fired by `actor` at `at`, with no payload,
    /// no version check and no key.
    pub fn new(event: &'r str, actor: impl Into<Actor<'r>>, at: SystemTime) -> Self {
        FireRequest {
            event,
            payload: None,
            actor: actor.into(),
            at,
            version: None,
            key: None,
            owner: None,
        }
    }

    /// With what the event brings.
    pub fn payload(mut self, payload: Option<&'r str>) -> Self {
        self.payload = payload;
        self
    }

    /// Fired only if the stored version is `version`.
    pub fn version(mut self, version: i64) -> Self {
        self.version = Some(version);
        self
    }

    /// Under the idempotency key `key`.
    pub fn key(mut self, key: &'r str) -> Self {
        self.key = Some(key);
        self
    }

    /// Only if `owner` owns the instance (see [`FireRequest::owner`]).
    pub fn owner(mut self, owner: &'r str) -> Self {
        self.owner = Some(owner);
        self
    }
}

/// A store of workflow instances: a pool of connections to one database.
/// Cloning it is cheap and shares the pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// For connections of its own: a consumer's `LISTEN` on PostgreSQL.
    url: String,
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
        let mut options = AnyPoolOptions::new();
        if backend == Backend::Sqlite {
            // Writers wait for each other rather than fail; foreign keys are
            // off by default in SQLite. In WAL mode, NORMAL syncs at each
            // checkpoint: a killed process loses nothing committed (a power
            // cut may lose the last transactions, never consistency).
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 30000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            });
            if url.contains(":memory:") || url.contains("mode=memory") {
                options = options.max_connections(1);
            }
        } else {
            options = options.max_connections(16);
        }
        let pool = options.connect(url).await?;
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_all(&pool)
                .await?;
        }
        // Each migrator leaves alone the versions of the other (the
        // PostgreSQL-only ones are numbered from 1001).
        let mut common = sqlx::migrate!("./migrations");
        common.set_ignore_missing(true);
        common.run(&pool).await?;
        if backend == Backend::Postgres {
            let mut postgres = sqlx::migrate!("./migrations_postgres");
            postgres.set_ignore_missing(true);
            postgres.run(&pool).await?;
        }
        Ok(Store {
            pool,
            backend,
            url: url.to_string(),
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
        let columns = Columns::of(id, &instance, 0)?;
        let now = wall_clock();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO turnstile_instances \
             (workflow, id, fingerprint, state, entered_at, data, version, next_due, created_at, updated_at, started_at, owner) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (workflow, id) DO NOTHING",
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
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Exists {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        rows::insert_steps(&mut tx, self.backend, W::NAME, id, 0, &columns.steps).await?;
        tx.commit().await?;
        let version = columns.version;
        Ok(Stored {
            id: id.to_string(),
            version,
            instance,
        })
    }

    /// Loads the instance `id` back into its typed instance, checking the
    /// row: the fingerprint, the data, the state, and that the history has
    /// no gap and replays to the stored state.
    pub async fn load<W: Dispatch + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Stored<W>, StoreError> {
        // The row and its steps are read in one transaction, so they are
        // one consistent state of the database (PostgreSQL: a snapshot
        // for the whole transaction, not one per statement).
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
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
        let mut conn = self.pool.acquire().await?;
        Ok(rows::read_head::<W>(&mut conn, id, false).await?.0)
    }

    /// A transaction for a write that reads first: on SQLite it takes the
    /// database's write lock at once (`BEGIN IMMEDIATE`), so that no other
    /// writer can commit between the read and the write; on PostgreSQL the
    /// read takes the row's lock (`FOR UPDATE`).
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
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
        let mut tx = self.begin_write().await?;
        let stored = rows::save_on(&mut tx, self.backend, id, expected, instance).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Fires the event named `event` at `now` by `actor` on instance `id`:
    /// load, transition, store, with the version check. Automatic timers
    /// that fell due by `now` happen first, as in [`Instance::fire`]; if
    /// the event is then refused, those timer steps are still stored and
    /// the refusal returned.
    ///
    /// `actor` is a [`turnstile_runtime::Actor`] (an identity and its
    /// roles) or anything that converts into one (`None`, `Some("alice")`):
    /// a transition that names roles refuses an actor holding none of them
    /// ([`Why::Forbidden`]), and nothing
    /// is written.
    pub async fn fire<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
    ) -> Result<Stored<W>, StoreError> {
        self.fire_with::<W>(id, event, None, actor, now).await
    }

    /// [`Store::fire`], bringing `payload` (its text: JSON) for an event
    /// whose definition says `payload = "Type"`, as
    /// [`Instance::fire_with`] takes it: a missing or unreadable payload is
    /// refused ([`Why::BadPayload`])
    /// and nothing is written; the step stores the payload, or the digest
    /// of a sensitive one.
    pub async fn fire_with<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        payload: Option<&str>,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
    ) -> Result<Stored<W>, StoreError> {
        let mut request = FireRequest::new(event, Actor::ANONYMOUS, now).payload(payload);
        request.actor = actor.into();
        let mut tx = self.begin_write().await?;
        let (head, _) = rows::read_head::<W>(&mut tx, id, self.locks_rows()).await?;
        let (outcome, stored) = fire_on(&mut tx, self.backend, head, &request).await?;
        tx.commit().await?;
        match outcome {
            Ok(()) => Ok(stored),
            Err(why) => Err(refused::<W>(id, why)),
        }
    }

    /// Fires `request` on instance `id`: [`Store::fire_with`], with the
    /// request's optional version check and idempotency key. One
    /// transaction reads the instance's head (its row and last step,
    /// whatever its history's length), fires, and writes the row, the new
    /// steps and the key's record.
    ///
    /// - With [`FireRequest::version`], a stored version other than the one
    ///   named is [`StoreError::Conflict`], and nothing is fired.
    /// - With [`FireRequest::key`], see [`Store::fire_keyed`]: a key seen
    ///   before answers [`Keyed::Replayed`] before anything else is checked.
    pub async fn submit<W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        request: FireRequest<'_>,
    ) -> Result<Keyed<W>, StoreError> {
        match self.submit_once::<W>(id, &request).await {
            // A request with the same key that committed first (possible
            // only if the databases' locks were bypassed) has the last word.
            Err(e @ StoreError::Database(_)) => match request.key {
                Some(key) => match self.recorded::<W>(id, key, request.event).await? {
                    Some(recorded) => Ok(Keyed::Replayed(recorded)),
                    None => Err(e),
                },
                None => Err(e),
            },
            other => other,
        }
    }

    async fn submit_once<W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        request: &FireRequest<'_>,
    ) -> Result<Keyed<W>, StoreError> {
        let mut tx = self.begin_write().await?;
        let (head, owner) = rows::read_head::<W>(&mut tx, id, self.locks_rows()).await?;
        if request.owner.is_some() && request.owner != owner.as_deref() {
            return Err(StoreError::NotFound {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        if let Some(key) = request.key {
            // Read under the instance's lock: a request with this key that
            // went first has committed its record by now.
            if let Some(recorded) = keys::recorded_on::<W>(&mut tx, id, key, request.event).await? {
                tx.rollback().await?;
                return Ok(Keyed::Replayed(recorded));
            }
        }
        if let Some(expected) = request.version {
            if expected != head.version {
                return Err(StoreError::Conflict {
                    workflow: W::NAME,
                    id: id.to_string(),
                    expected,
                    found: head.version,
                });
            }
        }
        let (outcome, stored) = fire_on(&mut tx, self.backend, head, request).await?;
        if let Some(key) = request.key {
            keys::record::<W>(&mut tx, id, key, request.event, &outcome, &stored).await?;
        }
        tx.commit().await?;
        match outcome {
            Ok(()) => Ok(Keyed::Fired(stored)),
            Err(why) => Err(refused::<W>(id, why)),
        }
    }

    /// [`Store::fire_with`] under an idempotency `key`: the request a
    /// client sends again when it does not know whether the first one
    /// arrived (a timeout, a dropped connection, a restart).
    ///
    /// - A new key fires the event, and records its outcome (the step's
    ///   version and state, or the refusal) under the key in the same
    ///   transaction as the step: a crash leaves both or neither.
    /// - A key seen before fires nothing and gives [`Keyed::Replayed`] with
    ///   the recorded outcome, however the instance has moved since.
    /// - A key seen before with another event is [`StoreError::KeyReused`].
    /// - Requests with the same key at the same time fire once: the
    ///   instance's lock orders them, and the later ones find the first
    ///   one's record and replay it.
    ///
    /// Keys are kept until [`Store::forget_keys`] removes them, which sets
    /// the retention window; keys are per instance. [`Store::submit`]
    /// takes a key and a version check together.
    pub async fn fire_keyed<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        payload: Option<&str>,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
        key: &str,
    ) -> Result<Keyed<W>, StoreError> {
        let mut request = FireRequest::new(event, Actor::ANONYMOUS, now)
            .payload(payload)
            .key(key);
        request.actor = actor.into();
        self.submit::<W>(id, request).await
    }

    /// The outcome recorded under idempotency `key` for instance `id`, if
    /// any, checked against the event asked for now
    /// ([`StoreError::KeyReused`] if the key was sent with another one).
    pub async fn recorded<W: Dispatch>(
        &self,
        id: &str,
        key: &str,
        event: &str,
    ) -> Result<Option<Recorded>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        keys::recorded_on::<W>(&mut conn, id, key, event).await
    }

    /// Whether reads for a write lock the row (PostgreSQL); SQLite's
    /// `BEGIN IMMEDIATE` holds the whole database instead.
    fn locks_rows(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Forgets the idempotency keys recorded more than `older_than` ago (by
    /// the store's clock), of every workflow: the retention window. A key
    /// sent again after that fires again. Returns how many were forgotten.
    pub async fn forget_keys(&self, older_than: Duration) -> Result<u64, StoreError> {
        let window = i64::try_from(older_than.as_nanos()).unwrap_or(i64::MAX);
        let cutoff = wall_clock().saturating_sub(window);
        let done = sqlx::query("DELETE FROM turnstile_requests WHERE created_at < $1")
            .bind(cutoff)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// [`Store::fire`], reloading and firing again up to `attempts` times
    /// in all while the write meets a [`StoreError::Conflict`]: the retry
    /// helper for instances that several writers touch. Any other error,
    /// including a refusal after a reload, is returned at once.
    pub async fn fire_retrying<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
        attempts: usize,
    ) -> Result<Stored<W>, StoreError> {
        let actor = actor.into();
        let mut left = attempts.max(1);
        loop {
            match self.fire::<W>(id, event, actor, now).await {
                Err(e) if e.is_conflict() && left > 1 => left -= 1,
                other => return other,
            }
        }
    }

    /// The instances of workflow `W`, in id order: all of them, or those in
    /// `state`; at most `limit`, starting after the id `after` (for pages).
    pub async fn list<W: Dispatch>(
        &self,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
        self.list_where::<W>(None, state, after, limit).await
    }

    /// [`Store::list`], of the instances `owner` owns only
    /// ([`Store::create_owned`]).
    pub async fn list_owned<W: Dispatch>(
        &self,
        owner: &str,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
        self.list_where::<W>(Some(owner), state, after, limit).await
    }

    async fn list_where<W: Dispatch>(
        &self,
        owner: Option<&str>,
        state: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listed>, StoreError> {
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
    pub async fn owner<W: Dispatch>(&self, id: &str) -> Result<Option<String>, StoreError> {
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

    /// Reads every stored instance of `W` with its whole history and
    /// replays it, as [`Store::load`] does: the full check that a fire
    /// leaves out (a fire reads the row and the history's last step only,
    /// so that its cost does not grow with the history). Instances are read
    /// `page` at a time, each in its own read transaction; `progress` is
    /// told how many are done out of how many after each page. Instances
    /// that do not load are listed in [`Verified::refused`]; the database
    /// failing ends the run.
    pub async fn verify<W: Dispatch + DeserializeOwned>(
        &self,
        page: i64,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<Verified, StoreError> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM turnstile_instances WHERE workflow = $1")
                .bind(W::NAME)
                .fetch_one(&self.pool)
                .await?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut report = Verified::default();
        let mut after = String::new();
        loop {
            let ids: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM turnstile_instances WHERE workflow = $1 AND id > $2 \
                 ORDER BY id LIMIT $3",
            )
            .bind(W::NAME)
            .bind(&after)
            .bind(page.max(1))
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in &ids {
                match self.load::<W>(id).await {
                    Ok(_) => {}
                    Err(e @ (StoreError::BadRow { .. } | StoreError::NotFound { .. })) => {
                        if !matches!(e, StoreError::NotFound { .. }) {
                            report.refused.push(e);
                        }
                    }
                    Err(e) => return Err(e),
                }
                report.checked += 1;
            }
            progress(report.checked, total.max(report.checked));
        }
        Ok(report)
    }

    /// The audit trail of instance `id`, oldest first.
    pub async fn history<W: Dispatch + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Vec<Step>, StoreError> {
        Ok(self.load::<W>(id).await?.instance.trail().to_vec())
    }

    /// The ids of instances of `W` with an automatic timer due at `now`,
    /// earliest first, at most `limit` (through the index on the next due
    /// instant).
    pub async fn due<W: Dispatch>(
        &self,
        now: SystemTime,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let now = nanos(now).map_err(StoreError::Instant)?;
        let rows = sqlx::query(
            "SELECT id FROM turnstile_instances \
             WHERE workflow = $1 AND next_due IS NOT NULL AND next_due <= $2 \
             ORDER BY next_due, id LIMIT $3",
        )
        .bind(W::NAME)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("id").map_err(StoreError::from))
            .collect()
    }

    /// Fires the automatic timers of instances of `W` that are due at
    /// `now`, up to `limit` instances, each timer once whatever other
    /// workers poll at the same time. On PostgreSQL the due rows are
    /// claimed in one transaction with `FOR UPDATE SKIP LOCKED`, so
    /// workers split them; on SQLite each instance is written with the
    /// version check, and an instance another worker took first is
    /// skipped. A row that does not load is skipped and reported through
    /// the error list, so one bad row cannot stop the timers of the others.
    pub async fn run_due<W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        now: SystemTime,
        limit: i64,
    ) -> Result<(Vec<Fired>, Vec<StoreError>), StoreError> {
        let mut fired = Vec::new();
        let mut errors = Vec::new();
        match self.backend {
            Backend::Postgres => {
                let at = nanos(now).map_err(StoreError::Instant)?;
                let mut tx = self.pool.begin().await?;
                let rows = sqlx::query(
                    "SELECT id FROM turnstile_instances \
                     WHERE workflow = $1 AND next_due IS NOT NULL AND next_due <= $2 \
                     ORDER BY next_due, id LIMIT $3 FOR UPDATE SKIP LOCKED",
                )
                .bind(W::NAME)
                .bind(at)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                for row in rows {
                    let id: String = row.try_get("id")?;
                    // Locked by the claim above.
                    match rows::read_head::<W>(&mut tx, &id, false).await {
                        Ok((head, _)) => {
                            fired.extend(take_due(&mut tx, self.backend, head, now).await?)
                        }
                        Err(e) => errors.push(e),
                    }
                }
                tx.commit().await?;
            }
            Backend::Sqlite => {
                for id in self.due::<W>(now, limit).await? {
                    // Under the write lock: another worker that took this
                    // instance first has committed, and its row says so.
                    let mut tx = self.begin_write().await?;
                    match rows::read_head::<W>(&mut tx, &id, false).await {
                        Ok((head, _)) => {
                            if let Some(done) = take_due(&mut tx, self.backend, head, now).await? {
                                tx.commit().await?;
                                fired.push(done);
                            }
                        }
                        Err(e @ StoreError::BadRow { .. }) => errors.push(e),
                        // Gone since the query.
                        Err(StoreError::NotFound { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok((fired, errors))
    }

    /// Moves every instance of `W` stored under another definition (another
    /// fingerprint) to this one: `migrate` maps each old snapshot (its
    /// fingerprint, state, data read as `D`, and history) to the current
    /// definition's state, data and history, as [`Instance::migrate`]
    /// does for snapshots. Each instance is rewritten in its own
    /// transaction, with the version check; what `migrate` returns must
    /// replay like any stored instance. Instances it refuses, or whose
    /// result does not replay, are listed in [`Migration::refused`] and
    /// left as they were.
    pub async fn migrate<W, D>(
        &self,
        migrate: impl Fn(Envelope<D>) -> Result<Migrated<W>, String>,
    ) -> Result<Migration, StoreError>
    where
        W: Dispatch + Serialize,
        D: DeserializeOwned,
    {
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM turnstile_instances WHERE workflow = $1 AND fingerprint <> $2 ORDER BY id",
        )
        .bind(W::NAME)
        .bind(W::FINGERPRINT)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("id"))
        .collect::<Result<_, _>>()?;
        let mut report = Migration::default();
        for id in ids {
            let bad = |problem: String| StoreError::BadRow {
                workflow: W::NAME,
                id: id.clone(),
                problem,
            };
            let mut tx = self.begin_write().await?;
            let raw = match rows::read_row(&mut tx, W::NAME, &id).await {
                Ok(raw) => raw,
                Err(e) => {
                    report.refused.push(e);
                    continue;
                }
            };
            let data: D = match serde_json::from_str(&raw.data) {
                Ok(data) => data,
                Err(e) => {
                    report
                        .refused
                        .push(bad(format!("its data does not read as the old type: {e}")));
                    continue;
                }
            };
            let envelope = Envelope {
                format: turnstile_runtime::snapshot::FORMAT.to_string(),
                workflow: W::NAME.to_string(),
                fingerprint: raw.fingerprint,
                state: raw.state,
                started_at: raw.started_at,
                entered_at: raw.entered_at,
                data,
                trail: raw.trail,
            };
            let instance = match Instance::migrate(envelope, &migrate) {
                Ok(instance) => instance,
                Err(e) => {
                    report.refused.push(bad(e.to_string()));
                    continue;
                }
            };
            let columns = match Columns::of(&id, &instance, 0) {
                Ok(columns) => columns,
                Err(e) => {
                    report.refused.push(e);
                    continue;
                }
            };
            match rows::update_row::<W>(&mut tx, &id, raw.version, &columns).await {
                Ok(()) => {}
                Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                    report.refused.push(e);
                    continue;
                }
                Err(e) => return Err(e),
            }
            sqlx::query("DELETE FROM turnstile_steps WHERE workflow = $1 AND id = $2")
                .bind(W::NAME)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            rows::insert_steps(&mut tx, self.backend, W::NAME, &id, 0, &columns.steps).await?;
            tx.commit().await?;
            report.migrated.push(id);
        }
        Ok(report)
    }
}

/// Builds the error of a refused event.
fn refused<W: Dispatch>(id: &str, why: Why) -> StoreError {
    StoreError::Refused {
        workflow: W::NAME,
        id: id.to_string(),
        why: Box::new(why),
    }
}

/// Fires `request` on the instance `head` read in this transaction, and
/// writes what it took: the event's step, or on a refusal the automatic
/// timers' steps that fell due before it (nothing if none did). Gives the
/// event's outcome and the instance as now stored.
async fn fire_on<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    backend: Backend,
    head: Stored<W>,
    request: &FireRequest<'_>,
) -> Result<(Result<(), Why>, Stored<W>), StoreError> {
    let Stored {
        id,
        version,
        instance,
    } = head;
    let (outcome, instance) =
        match instance.fire_with(request.event, request.payload, request.actor, request.at) {
            Ok(fired) => (Ok(()), fired),
            Err(refused) => {
                let (instance, why) = refused.into_parts();
                (Err(why), instance)
            }
        };
    let version = if instance.steps_taken() as i64 > version {
        rows::write(conn, backend, &id, version, &instance).await?
    } else {
        version
    };
    Ok((
        outcome,
        Stored {
            id,
            version,
            instance,
        },
    ))
}

/// Fires every automatic timer of `head` due at `now` and writes the
/// result; `None` if none was due after all.
async fn take_due<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    backend: Backend,
    head: Stored<W>,
    now: SystemTime,
) -> Result<Option<Fired>, StoreError> {
    let Stored {
        id,
        version,
        mut instance,
    } = head;
    loop {
        match instance.fire_due(now) {
            Ok(next) => instance = next,
            Err(refused) => {
                instance = refused.into_parts().0;
                break;
            }
        }
    }
    if instance.trail().is_empty() {
        return Ok(None);
    }
    rows::write(conn, backend, &id, version, &instance).await?;
    let steps = instance.trail().to_vec();
    Ok(Some(Fired { id, steps }))
}
