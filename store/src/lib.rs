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
//! - **One transaction per write**: the instance row and its new steps
//!   change together or not at all.
//! - **Optimistic concurrency**: every write names the version it was based
//!   on and is refused with [`StoreError::Conflict`] if the row moved on;
//!   [`Store::fire_retrying`] reloads and fires again.
//! - **Timers fire once**: [`Store::run_due`] claims due instances with row
//!   locks that skip locked rows on PostgreSQL, and relies on the version
//!   check under SQLite's single writer; a due timer is taken by exactly
//!   one worker however many poll.
//! - **Bad rows are refused, never overwritten**: malformed data, an
//!   unknown state, another definition's fingerprint, a history with a gap
//!   or one that does not replay to the stored state each give
//!   [`StoreError::BadRow`] naming the workflow, the instance and the
//!   problem.
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

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyConnection;
use sqlx::{AnyPool, Executor, Row};
use turnstile_runtime::snapshot::{Envelope, Migrated};
use turnstile_runtime::{Actor, Dispatch, Instance, Step, Why};

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

/// Why a store operation failed. Every variant about an instance names the
/// workflow and the instance id; nothing is written when an error is
/// returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `create` with an id that is taken.
    #[error("{workflow} instance `{id}` already exists")]
    Exists {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
    },
    /// No instance of this workflow has this id.
    #[error("no {workflow} instance `{id}`")]
    NotFound {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
    },
    /// The instance changed since it was read: reload and try again (or
    /// use [`Store::fire_retrying`]).
    #[error(
        "{workflow} instance `{id}` changed since it was read (version {expected} was read, \
         {found} is stored): reload it and try again"
    )]
    Conflict {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// The version the write was based on.
        expected: i64,
        /// The version stored now.
        found: i64,
    },
    /// The event was refused (unknown, not allowed in the current state, a
    /// guard, a timer). Nothing was written for the event itself; automatic
    /// timers that fell due before it were (see [`Store::fire`]).
    #[error("{workflow} instance `{id}`: {why}")]
    Refused {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// Why (boxed: it is large, and errors travel far).
        why: Box<Why>,
    },
    /// A stored row does not make a valid instance; it was left as it is.
    #[error("{workflow} instance `{id}` is refused: {problem}")]
    BadRow {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// What is wrong with the row.
        problem: String,
    },
    /// An instance that cannot be written as it is (an instant before 1970
    /// or after 2262, data that does not serialize).
    #[error("{workflow} instance `{id}` cannot be stored: {problem}")]
    Unstorable {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// Why.
        problem: String,
    },
    /// An idempotency key sent again with another event: the key names
    /// one request, and that request was for `recorded`.
    #[error(
        "{workflow} instance `{id}`: the idempotency key `{key}` was used for `{recorded}`, \
         not `{event}`: use a new key for a new request"
    )]
    KeyReused {
        /// The workflow.
        workflow: &'static str,
        /// The instance id.
        id: String,
        /// The key.
        key: String,
        /// The event the key was first sent with.
        recorded: String,
        /// The event it came with now.
        event: String,
    },
    /// An instant outside what the store holds (1970 to 2262).
    #[error("the instant cannot be stored: {0}")]
    Instant(String),
    /// A connection URL that names no database the store supports.
    #[error("`{0}` is not a sqlite: or postgres: URL")]
    Url(String),
    /// The database failed (connection, I/O, a constraint).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("schema migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether this is a [`StoreError::Conflict`], which a retry may cure.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
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

/// What [`Store::run_due`] did to one instance: the steps its due timers
/// took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The instance id.
    pub id: String,
    /// The transitions taken, oldest first (actor `"timer"`).
    pub steps: Vec<Step>,
}

/// A store of workflow instances: a pool of connections to one database.
/// Cloning it is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// An instant as stored: whole nanoseconds since the Unix epoch.
fn nanos(at: SystemTime) -> Result<i64, String> {
    let since = at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "an instant before 1970".to_string())?;
    i64::try_from(since.as_nanos()).map_err(|_| "an instant after 2262".to_string())
}

fn instant(nanos: i64) -> Result<SystemTime, String> {
    u64::try_from(nanos)
        .map(|n| UNIX_EPOCH + Duration::from_nanos(n))
        .map_err(|_| format!("the instant {nanos} is before 1970"))
}

/// The columns of an instance row, ready to bind.
struct Columns {
    state: &'static str,
    started_at: Option<i64>,
    entered_at: i64,
    data: String,
    version: i64,
    next_due: Option<i64>,
    steps: Vec<StepColumns>,
}

/// A step's columns: from, event, to, at (nanoseconds), actor, role, payload.
type StepColumns = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Columns {
    fn of<W: Dispatch + Serialize>(id: &str, instance: &Instance<W>) -> Result<Self, StoreError> {
        let unstorable = |problem: String| StoreError::Unstorable {
            workflow: W::NAME,
            id: id.to_string(),
            problem,
        };
        let data = serde_json::to_string(instance.data())
            .map_err(|e| unstorable(format!("its data does not serialize: {e}")))?;
        let steps = instance
            .trail()
            .iter()
            .map(|s| {
                Ok((
                    s.from.clone(),
                    s.event.clone(),
                    s.to.clone(),
                    nanos(s.at)?,
                    s.actor.clone(),
                    s.role.clone(),
                    s.payload.clone(),
                ))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(unstorable)?;
        Ok(Columns {
            state: instance.state(),
            started_at: instance
                .started_at()
                .map(nanos)
                .transpose()
                .map_err(unstorable)?,
            entered_at: nanos(instance.entered_at()).map_err(unstorable)?,
            data,
            version: i64::try_from(instance.trail().len())
                .map_err(|e| unstorable(e.to_string()))?,
            // A due instant past what the column holds is as good as never.
            next_due: instance.next_due().and_then(|(_, at)| nanos(at).ok()),
            steps,
        })
    }
}

fn wall_clock() -> i64 {
    nanos(SystemTime::now()).unwrap_or(0)
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
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool, backend })
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
        let columns = Columns::of(id, &instance)?;
        let now = wall_clock();
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO turnstile_instances \
             (workflow, id, fingerprint, state, entered_at, data, version, next_due, created_at, updated_at, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (workflow, id) DO NOTHING",
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
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Exists {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        insert_steps::<W>(&mut tx, id, 0, &columns.steps).await?;
        tx.commit().await?;
        Ok(Stored {
            id: id.to_string(),
            version: columns.version,
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
        let stored = load_on::<W>(&mut tx, id).await;
        tx.rollback().await?;
        stored
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
        let mut tx = self.pool.begin().await?;
        let stored = save_on(&mut tx, id, expected, instance).await?;
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
    /// ([`Why::Forbidden`](turnstile_runtime::Why::Forbidden)), and nothing
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
    /// refused ([`Why::BadPayload`](turnstile_runtime::Why::BadPayload))
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
        let actor = actor.into();
        let Stored {
            version, instance, ..
        } = self.load::<W>(id).await?;
        match instance.fire_with(event, payload, actor, now) {
            Ok(fired) => self.save(id, version, fired).await,
            Err(refused) => {
                let (instance, why) = refused.into_parts();
                if instance.trail().len() as i64 > version {
                    self.save(id, version, instance).await?;
                }
                Err(StoreError::Refused {
                    workflow: W::NAME,
                    id: id.to_string(),
                    why: Box::new(why),
                })
            }
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
    /// - Requests with the same key at the same time fire once: the others
    ///   meet the first one's write (a version conflict or the key's
    ///   primary key), find its record and replay it.
    ///
    /// A [`StoreError::Conflict`] with another request is not recorded:
    /// send the same key again. Keys are kept until
    /// [`Store::forget_keys`] removes them, which sets the retention
    /// window; keys are per instance.
    pub async fn fire_keyed<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        payload: Option<&str>,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
        key: &str,
    ) -> Result<Keyed<W>, StoreError> {
        if let Some(replayed) = self.recorded::<W>(id, key, event).await? {
            return Ok(Keyed::Replayed(replayed));
        }
        let actor = actor.into();
        let Stored {
            version, instance, ..
        } = self.load::<W>(id).await?;
        let fired = instance.fire_with(event, payload, actor, now);
        let mut tx = self.pool.begin().await?;
        let outcome = match fired {
            Ok(fired) => match save_on(&mut tx, id, version, fired).await {
                Ok(stored) => Ok(stored),
                Err(e) => {
                    tx.rollback().await?;
                    return self.after_race::<W>(id, key, event, e).await;
                }
            },
            Err(refused) => {
                let (instance, why) = refused.into_parts();
                if instance.trail().len() as i64 > version {
                    if let Err(e) = save_on(&mut tx, id, version, instance).await {
                        tx.rollback().await?;
                        return self.after_race::<W>(id, key, event, e).await;
                    }
                }
                Err(why)
            }
        };
        let recorded = match &outcome {
            Ok(stored) => serde_json::json!({
                "version": stored.version,
                "state": stored.instance.state(),
            }),
            Err(why) => serde_json::json!({ "refused": why.code(), "message": why.to_string() }),
        };
        let inserted = sqlx::query(
            "INSERT INTO turnstile_requests (workflow, id, request_key, event, outcome, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(W::NAME)
        .bind(id)
        .bind(key)
        .bind(event)
        .bind(recorded.to_string())
        .bind(wall_clock())
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            tx.rollback().await?;
            return self.after_race::<W>(id, key, event, e.into()).await;
        }
        if let Err(e) = tx.commit().await {
            return self.after_race::<W>(id, key, event, e.into()).await;
        }
        match outcome {
            Ok(stored) => Ok(Keyed::Fired(stored)),
            Err(why) => Err(StoreError::Refused {
                workflow: W::NAME,
                id: id.to_string(),
                why: Box::new(why),
            }),
        }
    }

    /// The outcome recorded under idempotency `key` for instance `id`, if
    /// any, checked against the event asked for now
    /// ([`StoreError::KeyReused`] if the key was sent with another one).
    /// [`Store::fire_keyed`] asks this first; a service asks it itself to
    /// answer a repeated request before any check of its own.
    pub async fn recorded<W: Dispatch>(
        &self,
        id: &str,
        key: &str,
        event: &str,
    ) -> Result<Option<Recorded>, StoreError> {
        let row = sqlx::query(
            "SELECT event, outcome FROM turnstile_requests \
             WHERE workflow = $1 AND id = $2 AND request_key = $3",
        )
        .bind(W::NAME)
        .bind(id)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let recorded: String = row.try_get("event")?;
        if recorded != event {
            return Err(StoreError::KeyReused {
                workflow: W::NAME,
                id: id.to_string(),
                key: key.to_string(),
                recorded,
                event: event.to_string(),
            });
        }
        let text: String = row.try_get("outcome")?;
        let bad = |problem: String| StoreError::BadRow {
            workflow: W::NAME,
            id: id.to_string(),
            problem: format!("the outcome recorded under key `{key}`: {problem}"),
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let field = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
        let outcome = match (
            value.get("version").and_then(serde_json::Value::as_i64),
            field("state"),
        ) {
            (Some(version), Some(state)) => Recorded::Fired {
                version,
                state: state.to_string(),
            },
            _ => match (field("refused"), field("message")) {
                (Some(code), Some(message)) => Recorded::Refused {
                    code: code.to_string(),
                    message: message.to_string(),
                },
                _ => return Err(bad(format!("unexpected {text}"))),
            },
        };
        Ok(Some(outcome))
    }

    /// A keyed fire whose write failed with `e`: if another request with
    /// the same key won, its outcome stands; otherwise `e`.
    async fn after_race<W: Dispatch>(
        &self,
        id: &str,
        key: &str,
        event: &str,
        e: StoreError,
    ) -> Result<Keyed<W>, StoreError> {
        match self.recorded::<W>(id, key, event).await? {
            Some(recorded) => Ok(Keyed::Replayed(recorded)),
            None => Err(e),
        }
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
        let sql = match state {
            Some(_) => {
                "SELECT id, state, version, entered_at, next_due FROM turnstile_instances \
                 WHERE workflow = $1 AND id > $2 AND state = $4 ORDER BY id LIMIT $3"
            }
            None => {
                "SELECT id, state, version, entered_at, next_due FROM turnstile_instances \
                 WHERE workflow = $1 AND id > $2 ORDER BY id LIMIT $3"
            }
        };
        let mut query = sqlx::query(sql)
            .bind(W::NAME)
            .bind(after.unwrap_or(""))
            .bind(limit);
        if let Some(state) = state {
            query = query.bind(state);
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
                    id,
                })
            })
            .collect()
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
                    match load_on::<W>(&mut tx, &id).await {
                        Ok(stored) => {
                            if let Some(done) = take_due(&mut tx, stored, now).await? {
                                fired.push(done);
                            }
                        }
                        Err(e) => errors.push(e),
                    }
                }
                tx.commit().await?;
            }
            Backend::Sqlite => {
                for id in self.due::<W>(now, limit).await? {
                    let stored = match self.load::<W>(&id).await {
                        Ok(stored) => stored,
                        Err(e) => {
                            errors.push(e);
                            continue;
                        }
                    };
                    let mut tx = self.pool.begin().await?;
                    match take_due(&mut tx, stored, now).await {
                        Ok(done) => {
                            tx.commit().await?;
                            fired.extend(done);
                        }
                        // Another worker took it first.
                        Err(e) if e.is_conflict() => {}
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
            let mut tx = self.pool.begin().await?;
            let raw = match read_row(&mut tx, W::NAME, &id).await {
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
            let columns = Columns::of(&id, &instance)?;
            match update_row::<W>(&mut tx, &id, raw.version, &columns).await {
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
            insert_steps::<W>(&mut tx, &id, 0, &columns.steps).await?;
            tx.commit().await?;
            report.migrated.push(id);
        }
        Ok(report)
    }
}

/// Fires every automatic timer of `stored` due at `now` and writes the
/// result; `None` if none was due after all.
async fn take_due<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    stored: Stored<W>,
    now: SystemTime,
) -> Result<Option<Fired>, StoreError> {
    let Stored {
        id,
        version,
        mut instance,
    } = stored;
    loop {
        match instance.fire_due(now) {
            Ok(next) => instance = next,
            Err(refused) => {
                instance = refused.into_parts().0;
                break;
            }
        }
    }
    let before = usize::try_from(version).unwrap_or(usize::MAX);
    if instance.trail().len() <= before {
        return Ok(None);
    }
    let steps = instance.trail()[before..].to_vec();
    save_on(conn, &id, version, instance).await?;
    Ok(Some(Fired { id, steps }))
}

async fn insert_steps<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    from_seq: i64,
    steps: &[StepColumns],
) -> Result<(), StoreError> {
    for (seq, (from, event, to, at, actor, role, payload)) in (from_seq + 1..).zip(steps) {
        sqlx::query(
            "INSERT INTO turnstile_steps (workflow, id, seq, from_state, event, to_state, at, actor, role, payload) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(W::NAME)
        .bind(id)
        .bind(seq)
        .bind(from.as_str())
        .bind(event.as_str())
        .bind(to.as_str())
        .bind(*at)
        .bind(actor.as_deref())
        .bind(role.as_deref())
        .bind(payload.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Writes `columns` over the row of `id` if its version is still
/// `expected` (and the current definition's fingerprint with them);
/// otherwise says whether the row moved on or is gone.
async fn update_row<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
    columns: &Columns,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE turnstile_instances SET fingerprint = $1, state = $2, entered_at = $3, \
         data = $4, version = $5, next_due = $6, updated_at = $7 \
         WHERE workflow = $8 AND id = $9 AND version = $10",
    )
    .bind(W::FINGERPRINT)
    .bind(columns.state)
    .bind(columns.entered_at)
    .bind(&columns.data)
    .bind(columns.version)
    .bind(columns.next_due)
    .bind(wall_clock())
    .bind(W::NAME)
    .bind(id)
    .bind(expected)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM turnstile_instances WHERE workflow = $1 AND id = $2",
    )
    .bind(W::NAME)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Err(match found {
        None => StoreError::NotFound {
            workflow: W::NAME,
            id: id.to_string(),
        },
        Some(found) => StoreError::Conflict {
            workflow: W::NAME,
            id: id.to_string(),
            expected,
            found,
        },
    })
}

async fn save_on<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
    instance: Instance<W>,
) -> Result<Stored<W>, StoreError> {
    let columns = Columns::of(id, &instance)?;
    let first_new = usize::try_from(expected).unwrap_or(usize::MAX);
    if columns.steps.len() < first_new {
        return Err(StoreError::Unstorable {
            workflow: W::NAME,
            id: id.to_string(),
            problem: format!(
                "its history has {} steps, fewer than the {expected} stored",
                columns.steps.len()
            ),
        });
    }
    update_row::<W>(conn, id, expected, &columns).await?;
    insert_steps::<W>(conn, id, expected, &columns.steps[first_new..]).await?;
    Ok(Stored {
        id: id.to_string(),
        version: columns.version,
        instance,
    })
}

/// A row and its history as stored, read in one transaction (or with the
/// row locked), checked only for what every reader needs: the history
/// numbered 1, 2, … up to the version, and instants in range.
struct RawRow {
    fingerprint: String,
    state: String,
    started_at: Option<SystemTime>,
    entered_at: SystemTime,
    data: String,
    version: i64,
    trail: Vec<Step>,
}

async fn read_row(
    conn: &mut AnyConnection,
    workflow: &'static str,
    id: &str,
) -> Result<RawRow, StoreError> {
    let bad = |problem: String| StoreError::BadRow {
        workflow,
        id: id.to_string(),
        problem,
    };
    let row = sqlx::query(
        "SELECT fingerprint, state, started_at, entered_at, data, version FROM turnstile_instances \
         WHERE workflow = $1 AND id = $2",
    )
    .bind(workflow)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        workflow,
        id: id.to_string(),
    })?;
    let version: i64 = row.try_get("version")?;
    let rows: Vec<AnyRow> = sqlx::query(
        "SELECT seq, from_state, event, to_state, at, actor, role, payload FROM turnstile_steps \
         WHERE workflow = $1 AND id = $2 ORDER BY seq",
    )
    .bind(workflow)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut trail = Vec::with_capacity(rows.len());
    for (expected, step) in (1i64..).zip(&rows) {
        let seq: i64 = step.try_get("seq")?;
        if seq != expected {
            return Err(bad(format!("its history has no step {expected}")));
        }
        trail.push(Step {
            from: step.try_get("from_state")?,
            event: step.try_get("event")?,
            to: step.try_get("to_state")?,
            at: instant(step.try_get("at")?).map_err(bad)?,
            actor: step.try_get("actor")?,
            role: step.try_get("role")?,
            payload: step.try_get("payload")?,
        });
    }
    if trail.len() as i64 != version {
        return Err(bad(format!(
            "its version is {version} but its history has {} steps",
            trail.len()
        )));
    }
    let started_at: Option<i64> = row.try_get("started_at")?;
    Ok(RawRow {
        fingerprint: row.try_get("fingerprint")?,
        state: row.try_get("state")?,
        started_at: started_at.map(instant).transpose().map_err(bad)?,
        entered_at: instant(row.try_get("entered_at")?).map_err(bad)?,
        data: row.try_get("data")?,
        version,
        trail,
    })
}

async fn load_on<W: Dispatch + DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Stored<W>, StoreError> {
    let bad = |problem: String| StoreError::BadRow {
        workflow: W::NAME,
        id: id.to_string(),
        problem,
    };
    let raw = read_row(conn, W::NAME, id).await?;
    if raw.fingerprint != W::FINGERPRINT {
        return Err(bad(format!(
            "it was stored under another definition (fingerprint {}, this build has {}); \
             migrate it with Store::migrate",
            raw.fingerprint,
            W::FINGERPRINT
        )));
    }
    let data: W = serde_json::from_str(&raw.data)
        .map_err(|e| bad(format!("its data does not read as {}: {e}", W::NAME)))?;
    let instance = Instance::resume(raw.started_at, &raw.state, data, raw.entered_at, raw.trail)
        .map_err(|e| bad(e.to_string()))?;
    Ok(Stored {
        id: id.to_string(),
        version: raw.version,
        instance,
    })
}
