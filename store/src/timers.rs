//! Automatic timers: finding the due ones and firing each once.

use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use turnstile_runtime::{Dispatch, Step};

use crate::rows::{self, nanos};
use crate::{Backend, Store, StoreError, Stored};

/// What [`Store::run_due`] did to one instance: the steps its due timers
/// took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    /// The instance id.
    pub id: String,
    /// The transitions taken, oldest first (actor `"timer"`).
    pub steps: Vec<Step>,
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
    // Nothing fell due (a row of the previous version read for it holds
    // only its migration step, which waits for a write that does
    // something): nothing is written.
    let (steps, took) = rows::taken_since(&instance, version);
    if !took {
        return Ok(None);
    }
    let steps = steps.to_vec();
    rows::write(conn, backend, &id, version, &instance).await?;
    Ok(Some(Fired { id, steps }))
}

/// The fingerprints whose rows a build of `W` reads as its own: its own
/// and [`Dispatch::PREVIOUS`].
pub(crate) fn versions<W: Dispatch>() -> Vec<&'static str> {
    std::iter::once(W::FINGERPRINT)
        .chain(W::PREVIOUS.iter().copied())
        .collect()
}

/// ` AND fingerprint IN ($first, …)` for `fingerprints` (nothing when there
/// are none), numbered from `first`.
pub(crate) fn of_versions(fingerprints: &[&str], first: usize) -> String {
    if fingerprints.is_empty() {
        return String::new();
    }
    let placeholders: Vec<String> = (0..fingerprints.len())
        .map(|k| format!("${}", first + k))
        .collect();
    format!(" AND fingerprint IN ({})", placeholders.join(", "))
}

impl Store {
    /// The ids of instances of `W` with an automatic timer due at `now`,
    /// earliest first, at most `limit` (through the index on the next due
    /// instant). For a workflow with regions, the earliest timer of any
    /// region ([`Store::run_due_regions`]).
    ///
    /// Rows of every version of the definition are listed; the timer
    /// runners ([`Store::run_due`], [`Store::run_due_regions`]) take only
    /// their own version's, and leave the others to nodes of theirs.
    pub async fn due<W: turnstile_runtime::Workflow>(
        &self,
        now: SystemTime,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        self.due_of_version(W::NAME, &[], now, limit).await
    }

    /// [`Store::due`], of the rows written under one of `fingerprints`
    /// only (every version's when empty): with them, what a node of that
    /// version's timer runner takes.
    pub(crate) async fn due_of_version(
        &self,
        workflow: &str,
        fingerprints: &[&str],
        now: SystemTime,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let now = nanos(now).map_err(StoreError::Instant)?;
        let sql = format!(
            "SELECT id FROM turnstile_instances \
             WHERE workflow = $1 AND next_due IS NOT NULL AND next_due <= $2{} \
             ORDER BY next_due, id LIMIT ${}",
            of_versions(fingerprints, 3),
            fingerprints.len() + 3
        );
        let mut query = sqlx::query(&sql).bind(workflow).bind(now);
        for f in fingerprints {
            query = query.bind(*f);
        }
        let rows = query.bind(limit).fetch_all(&self.pool).await?;
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
                let mut tx = self.begin_pooled(None).await?;
                let versions = versions::<W>();
                let sql = format!(
                    "SELECT id FROM turnstile_instances \
                     WHERE workflow = $1 AND next_due IS NOT NULL AND next_due <= $2{} \
                     ORDER BY next_due, id LIMIT ${} FOR UPDATE SKIP LOCKED",
                    of_versions(&versions, 3),
                    versions.len() + 3
                );
                let mut query = sqlx::query(&sql).bind(W::NAME).bind(at);
                for f in &versions {
                    query = query.bind(*f);
                }
                let rows = query.bind(limit).fetch_all(&mut *tx).await?;
                for row in rows {
                    let id: String = row.try_get("id")?;
                    // Locked by the claim above.
                    match rows::read_head::<W>(
                        &mut tx,
                        &id,
                        false,
                        rows::Upgrade { by: None, at: now },
                    )
                    .await
                    {
                        Ok((head, _)) => {
                            fired.extend(take_due(&mut tx, self.backend, head, now).await?)
                        }
                        Err(e) => errors.push(e),
                    }
                }
                tx.commit().await?;
                self.wake();
            }
            Backend::Sqlite => {
                for id in self
                    .due_of_version(W::NAME, &versions::<W>(), now, limit)
                    .await?
                {
                    // Under the write lock: another worker that took this
                    // instance first has committed, and its row says so.
                    let mut tx = self.begin_write().await?;
                    match rows::read_head::<W>(
                        &mut tx,
                        &id,
                        false,
                        rows::Upgrade { by: None, at: now },
                    )
                    .await
                    {
                        Ok((head, _)) => {
                            if let Some(done) = take_due(&mut tx, self.backend, head, now).await? {
                                tx.commit().await?;
                                fired.push(done);
                            }
                        }
                        Err(e @ StoreError::BadRow { .. }) => errors.push(e),
                        // Gone since the query, or written since by a node
                        // of another version (the query chose this
                        // version's rows): not this runner's any more.
                        Err(StoreError::NotFound { .. } | StoreError::OtherVersion { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok((fired, errors))
    }
}
