//! Fires on a SQLite file: on a thread of the store's own, which holds a
//! rusqlite connection to the file and runs each job it is sent.
//!
//! Through sqlx's SQLite driver every statement is a round trip to the
//! driver's worker thread, and a fire of five statements spent most of its
//! time between threads (docs/performance.md, "The store", has the
//! figures). Here a fire is two trips: [`Tx::head`] begins the transaction and reads the instance's
//! head (and [`Tx::recorded`] its key's record, when there is a key), and
//! [`Tx::commit`] sends what [`Tx::write`] and [`Tx::record`] kept (the
//! row's update, the steps, the key's record) with the `COMMIT`.
//!
//! What a fire decides is not here: `fire.rs` runs the same code on every
//! database, and this module only carries its statements, whose text and
//! parameters are `rows.rs`'s and `keys.rs`'s. A fire holds the store's
//! writer lock (`writer::lock`) from its first trip to its last, as every
//! write on a SQLite file does, so the thread's transactions never meet
//! the writer connection's inside the database's lock.

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc;

use rusqlite::types::ToSqlOutput;
use rusqlite::{params_from_iter, Connection, OpenFlags, OptionalExtension, ToSql};
use serde::de::DeserializeOwned;
use tokio::sync::OwnedMutexGuard;
use turnstile_runtime::{Dispatch, Instance};

use crate::keys::{self, KeyRow, KEY_SQL, RECORD_SQL};
use crate::rows::{self, Columns, HeadRow, Param, HEAD_SQL, UPDATE_ROW, VERSION_SQL};
use crate::writer::{self, Writer};
use crate::{Backend, Recorded, StoreError, Stored};

/// A job for the thread: it runs with the connection, then sends its
/// result back itself.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The thread: a queue of jobs. Dropping the last clone (with the last
/// clone of the store) ends it and closes its connection.
#[derive(Clone)]
pub(crate) struct Thread {
    jobs: mpsc::Sender<Job>,
}

impl Thread {
    /// Opens the SQLite file at `path` (which the store's pool has
    /// created and migrated) on a new thread, with the pool's settings.
    pub(crate) fn open(path: &Path) -> Result<Thread, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(failure)?;
        conn.busy_timeout(writer::WAIT).map_err(failure)?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
            .map_err(failure)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("turnstile-sqlite".to_string())
            .spawn(move || {
                let mut conn = conn;
                while let Some(job) = next(&queue) {
                    job(&mut conn);
                }
            })
            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        Ok(Thread { jobs })
    }

    /// Runs `job` on the thread and waits for what it gives.
    async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> R + Send + 'static,
    ) -> Result<R, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |conn: &mut Connection| {
                let _ = answer.send(job(conn));
            }))
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())
    }
}

/// How long the thread looks for its next job before it sleeps: a fire's
/// second trip comes a few microseconds after its first, and waking a
/// sleeping thread costs more than that on a virtual machine.
const LINGER: std::time::Duration = std::time::Duration::from_micros(50);

/// The next job, or `None` once every sender is gone.
fn next(queue: &mpsc::Receiver<Job>) -> Option<Job> {
    let since = std::time::Instant::now();
    while since.elapsed() < LINGER {
        match queue.try_recv() {
            Ok(job) => return Some(job),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) => std::thread::yield_now(),
        }
    }
    queue.recv().ok()
}

/// The thread is gone: only a panic in a job ends it while a store is
/// open.
fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::WorkerCrashed)
}

/// A statement to run at the commit.
struct Statement {
    sql: &'static str,
    params: Vec<Param>,
    /// For the row's update: the instance and the version it was read at,
    /// to report a row that moved or is gone if the update changed none.
    checks: Option<(&'static str, String, i64)>,
}

/// A fire's transaction on the thread. Its first trip begins it; dropped
/// before [`Tx::commit`] or [`Tx::rollback`], it sends a rollback, which
/// keeps the writer lock until it has run.
pub(crate) struct Tx {
    thread: Thread,
    /// The store's writer lock, from the first trip to the last.
    held: Option<OwnedMutexGuard<Writer>>,
    /// Whether a `BEGIN` was sent.
    begun: bool,
    /// What [`Tx::write`] and [`Tx::record`] kept for the commit.
    pending: Vec<Statement>,
}

impl Tx {
    /// Waits for the store's writer lock; the transaction begins with the
    /// first read.
    pub(crate) async fn new(thread: &Thread, writer: &writer::Shared) -> Result<Tx, StoreError> {
        Ok(Tx {
            thread: thread.clone(),
            held: Some(writer::lock(writer).await?),
            begun: false,
            pending: Vec::new(),
        })
    }

    /// Begins the transaction (`BEGIN IMMEDIATE`: the database's write
    /// lock from the start) and reads instance `id`'s head, checked as
    /// [`rows::head_of`] checks it.
    pub(crate) async fn head<W: Dispatch + DeserializeOwned>(
        &mut self,
        id: &str,
        upgrade: rows::Upgrade<'_>,
    ) -> Result<(Stored<W>, Option<String>), StoreError> {
        self.begun = true;
        let key = (W::NAME, id.to_string());
        // The same rule as the other backends' (`rows::is_previous`).
        let is_previous: fn(&str) -> bool = rows::is_previous::<W>;
        let (row, history) = self
            .thread
            .run(move |conn| {
                // (A fire dropped before its end whose rollback failed.)
                roll_back(conn)?;
                conn.execute_batch("BEGIN IMMEDIATE")?;
                let row = conn
                    .prepare_cached(&SQL.head)?
                    .query_row((key.0, &key.1), head_row)
                    .optional()?;
                // A previous version's row is moved with its whole history.
                let history = match &row {
                    Some(r) if is_previous(&r.fingerprint) => {
                        let mut steps = conn.prepare_cached(&SQL.history)?;
                        let rows = steps.query_map((key.0, &key.1), step_row)?;
                        Some(rows.collect::<rusqlite::Result<Vec<_>>>()?)
                    }
                    _ => None,
                };
                Ok((row, history))
            })
            .await?
            .map_err(failure)?;
        rows::head_of::<W>(id, row, upgrade, history)
    }

    /// The outcome recorded under `key` for instance `id`, as
    /// [`keys::recorded_of`] reads it.
    pub(crate) async fn recorded<W: Dispatch>(
        &mut self,
        id: &str,
        key: &str,
        event: &str,
    ) -> Result<Option<Recorded>, StoreError> {
        let params = (W::NAME, id.to_string(), key.to_string());
        let row = self
            .thread
            .run(move |conn| {
                conn.prepare_cached(&SQL.key)?
                    .query_row((params.0, &params.1, &params.2), |row| {
                        Ok(KeyRow {
                            event: row.get("event")?,
                            outcome: row.get("outcome")?,
                        })
                    })
                    .optional()
            })
            .await?
            .map_err(failure)?;
        keys::recorded_of::<W>(id, key, event, row)
    }

    /// Keeps for the commit the write of `instance`, read at version
    /// `expected`: its row and the steps it took since. Returns the
    /// version it writes; a row that moved meanwhile (which the
    /// database's lock, held since the read, rules out) is reported by
    /// the commit.
    pub(crate) fn write<W: Dispatch + serde::Serialize>(
        &mut self,
        id: &str,
        expected: i64,
        instance: &Instance<W>,
    ) -> Result<i64, StoreError> {
        let columns = Columns::of(id, instance, expected)?;
        self.pending.push(Statement {
            sql: &SQL.update,
            params: rows::update_params::<W>(id, expected, &columns),
            checks: Some((W::NAME, id.to_string(), expected)),
        });
        for (n, step) in columns.steps.chunks(1).enumerate() {
            self.pending.push(Statement {
                sql: &SQL.insert_step,
                params: rows::step_params(W::NAME, id, columns.first + n as i64, step),
                checks: None,
            });
        }
        Ok(columns.version)
    }

    /// Keeps for the commit a key's record ([`keys::record_params`]).
    pub(crate) fn record(&mut self, params: Vec<Param>) {
        self.pending.push(Statement {
            sql: &SQL.record,
            params,
            checks: None,
        });
    }

    /// Runs what was kept and commits it, in one trip; on any failure
    /// nothing is written.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.pending);
        let held = self.held.take();
        let moved = self
            .thread
            .run(move |conn| {
                let done = run_and_commit(conn, pending);
                let _ = roll_back(conn);
                drop(held);
                done
            })
            .await?
            .map_err(failure)?;
        match moved {
            None => Ok(()),
            Some(((workflow, id, expected), found)) => {
                Err(rows::moved_error(workflow, &id, expected, found))
            }
        }
    }

    /// Ends the transaction, writing nothing.
    pub(crate) async fn rollback(mut self) -> Result<(), StoreError> {
        let held = self.held.take();
        self.thread
            .run(move |conn| {
                let done = roll_back(conn);
                drop(held);
                done
            })
            .await?
            .map_err(failure)
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else { return };
        if !self.begun {
            return;
        }
        // Queued behind the trip in flight, if any; the lock is released
        // once the rollback has run. (If the thread is gone, so is its
        // transaction.)
        let _ = self
            .thread
            .jobs
            .send(Box::new(move |conn: &mut Connection| {
                let _ = roll_back(conn);
                drop(held);
            }));
    }
}

/// Rolls back the transaction open on `conn`, if one is.
fn roll_back(conn: &mut Connection) -> rusqlite::Result<()> {
    if conn.is_autocommit() {
        Ok(())
    } else {
        conn.execute_batch("ROLLBACK")
    }
}

/// A moved row: the update's checks and the version found (`None`: gone).
type Moved = ((&'static str, String, i64), Option<i64>);

/// Runs `pending` in order, then commits; stops at a failure or at an
/// update that changed no row (reporting it), leaving the transaction to
/// be rolled back.
fn run_and_commit(
    conn: &mut Connection,
    pending: Vec<Statement>,
) -> Result<Option<Moved>, rusqlite::Error> {
    for statement in pending {
        let changed = conn
            .prepare_cached(statement.sql)?
            .execute(params_from_iter(statement.params.iter()))?;
        if let Some(checks) = statement.checks {
            if changed != 1 {
                let found: Option<i64> = conn
                    .prepare_cached(&SQL.version)?
                    .query_row((checks.0, &checks.1), |row| row.get(0))
                    .optional()?;
                return Ok(Some((checks, found)));
            }
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(None)
}

/// A step's row ([`rows::STEP_SELECT`]), read by column name.
fn step_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<rows::StepRow> {
    Ok(rows::StepRow {
        seq: row.get("seq")?,
        from_state: row.get("from_state")?,
        event: row.get("event")?,
        to_state: row.get("to_state")?,
        at: row.get("at")?,
        actor: row.get("actor")?,
        role: row.get("role")?,
        payload: row.get("payload")?,
        migrated: row.get("migrated")?,
    })
}

/// A [`HeadRow`], read by column name.
fn head_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<HeadRow> {
    Ok(HeadRow {
        fingerprint: row.get("fingerprint")?,
        state: row.get("state")?,
        started_at: row.get("started_at")?,
        entered_at: row.get("entered_at")?,
        data: row.get("data")?,
        version: row.get("version")?,
        last_to: row.get("last_to")?,
        last_at: row.get("last_at")?,
        last_migrated: row.get("last_migrated")?,
        owner: row.get("owner")?,
        entered_within: row.get("entered_within")?,
    })
}

/// The statements a fire runs here, as rusqlite prepares them (once, then
/// from its cache of prepared statements, which the text keys).
struct Statements {
    head: String,
    /// Every step of an instance, in order (for moving a previous
    /// version's row).
    history: String,
    key: String,
    update: String,
    insert_step: String,
    record: String,
    version: String,
}

static SQL: std::sync::LazyLock<Statements> = std::sync::LazyLock::new(|| Statements {
    head: positional(HEAD_SQL),
    history: positional(&format!(
        "SELECT {} FROM turnstile_steps WHERE workflow = $1 AND id = $2 ORDER BY seq",
        rows::STEP_SELECT
    )),
    key: positional(KEY_SQL),
    update: positional(UPDATE_ROW),
    insert_step: positional(&rows::insert_sql(Backend::Sqlite, 1, 0)),
    record: positional(RECORD_SQL),
    version: positional(VERSION_SQL),
});

/// The statements' `$n` parameters as SQLite's numbered `?n` (SQLite
/// reads `$1` as a parameter named "$1", numbered by where it first
/// appears; `?1` is number 1 wherever it is). No statement here holds a
/// `$` anywhere else.
fn positional(sql: &str) -> String {
    sql.replace('$', "?")
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Param::Int(v) => v.to_sql(),
            Param::MaybeInt(v) => v.to_sql(),
            Param::Text(v) => v.to_sql(),
            Param::MaybeText(v) => v.to_sql(),
        }
    }
}

/// A failure of the SQLite file, reported as sqlx reports a database's,
/// so that a database failure is one [`StoreError::Database`] whichever
/// connection met it (with its SQLite code and its kind: a unique or
/// foreign key violation, …).
#[derive(Debug)]
struct Failure {
    message: String,
    /// SQLite's extended result code, if SQLite gave one.
    code: Option<i32>,
}

fn failure(error: rusqlite::Error) -> StoreError {
    let code = match &error {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code),
        _ => None,
    };
    StoreError::Database(sqlx::Error::Database(Box::new(Failure {
        message: error.to_string(),
        code,
    })))
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl sqlx::error::DatabaseError for Failure {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        self.code.map(|code| Cow::Owned(code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        use sqlx::error::ErrorKind;
        match self.code {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}
