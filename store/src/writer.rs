//! Write transactions: on a SQLite file, one connection of the store's own
//! that every write takes in turn; otherwise a transaction of the pool.
//!
//! SQLite lets one transaction write at a time, so writers always took
//! turns; through the pool they did so expensively. Each write checked a
//! connection out and back in, and sqlx tests a connection each way (a
//! round trip to the driver's worker thread both times), and a writer that
//! found the database's lock taken slept in SQLite's busy handler (1 ms,
//! then 2, then 5, …) instead of being woken when it was free. Writers of
//! one store now queue on a mutex (first come, first served) for the
//! writer connection, which stays open: a fire is the begin, the read, the
//! write and the commit, and nothing else. Other processes on the same
//! file still meet the database's own lock (`busy_timeout`).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, AnyConnection, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::StoreError;

/// How long a write waits for the writer connection before it gives up:
/// also SQLite's `busy_timeout` on every connection (`Store::open`), how
/// long a writer of another process waits for the lock.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// The writer connection and whether a transaction is open on it (a write
/// dropped before its end, as when its task is cancelled, leaves one for
/// the next write to roll back).
pub(crate) struct Writer {
    conn: AnyConnection,
    open: bool,
}

/// The shared writer connection of a store on a SQLite file.
pub(crate) type Shared = Arc<Mutex<Writer>>;

/// Makes `conn` (a connection of the pool, detached from it) the store's
/// writer connection.
pub(crate) fn shared(conn: AnyConnection) -> Shared {
    Arc::new(Mutex::new(Writer { conn, open: false }))
}

/// A write transaction: reads and writes through it as through a
/// connection (`&mut *tx`), then [`WriteTx::commit`] or
/// [`WriteTx::rollback`]. Dropped before either, it rolls back: the pool's
/// as sqlx does it, the writer connection's in a task of its own that
/// holds the connection until it is done (or, with no runtime to run it,
/// at the next write), so that the database's lock is not kept.
pub(crate) enum WriteTx {
    /// A transaction on a connection of the pool (PostgreSQL, SQLite in
    /// memory).
    Pooled(Option<Transaction<'static, Any>>),
    /// `BEGIN IMMEDIATE` on the writer connection, held until the end
    /// (`None` once ended).
    Held(Option<OwnedMutexGuard<Writer>>),
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let WriteTx::Held(held) = self else { return };
        let Some(mut held) = held.take() else { return };
        if !held.open {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if sqlx::query("ROLLBACK")
                    .execute(&mut held.conn)
                    .await
                    .is_ok()
                {
                    held.open = false;
                }
            });
        }
    }
}

/// Waits for the store's writer lock (the writer connection), first come
/// first served: every write of a store on a SQLite file holds it, the
/// writer thread's fires (`sqlite.rs`) as well, so that no two of them
/// meet the database's lock. A transaction that a write on the writer
/// connection left open is rolled back first.
pub(crate) async fn lock(writer: &Shared) -> Result<OwnedMutexGuard<Writer>, StoreError> {
    let mut held = tokio::time::timeout(WAIT, Arc::clone(writer).lock_owned())
        .await
        .map_err(|_| StoreError::Database(sqlx::Error::PoolTimedOut))?;
    if held.open {
        // The write before this one ended without commit or rollback.
        let _ = sqlx::query("ROLLBACK").execute(&mut held.conn).await;
        held.open = false;
    }
    Ok(held)
}

impl WriteTx {
    /// Waits for the writer connection and begins a transaction on it
    /// that holds SQLite's write lock from the start (`BEGIN IMMEDIATE`):
    /// no other writer can commit between a read and a write of it.
    pub(crate) async fn begin_held(writer: &Shared) -> Result<WriteTx, StoreError> {
        let mut held = lock(writer).await?;
        // Marked open before the `BEGIN` is sent: a write cancelled while
        // it is in flight leaves the next one a rollback to send (of
        // nothing, if the `BEGIN` never ran), not an open transaction.
        held.open = true;
        let mut tx = WriteTx::Held(Some(held));
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Commits what was written.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.end(true).await
    }

    /// Undoes what was written.
    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.end(false).await
    }

    /// Ends the transaction: commits it, or rolls it back. If that fails,
    /// the writer connection's transaction is left to the drop's rollback.
    async fn end(mut self, commit: bool) -> Result<(), sqlx::Error> {
        match &mut self {
            WriteTx::Pooled(tx) => {
                let tx = tx.take().expect("a transaction that has not ended");
                if commit {
                    tx.commit().await
                } else {
                    tx.rollback().await
                }
            }
            WriteTx::Held(held) => {
                let conn = held.as_mut().expect("a transaction that has not ended");
                let statement = if commit { "COMMIT" } else { "ROLLBACK" };
                sqlx::query(statement).execute(&mut conn.conn).await?;
                conn.open = false;
                Ok(())
            }
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            WriteTx::Pooled(tx) => tx.as_ref().expect("a transaction that has not ended"),
            WriteTx::Held(held) => {
                &held
                    .as_ref()
                    .expect("a transaction that has not ended")
                    .conn
            }
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriteTx::Pooled(tx) => tx.as_mut().expect("a transaction that has not ended"),
            WriteTx::Held(held) => {
                &mut held
                    .as_mut()
                    .expect("a transaction that has not ended")
                    .conn
            }
        }
    }
}
