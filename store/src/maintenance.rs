//! The operator's work: replaying every stored instance, and moving
//! instances to a new definition.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::Row;
use turnstile_runtime::snapshot::{Envelope, Migrated};
use turnstile_runtime::{Dispatch, Instance};

use crate::rows::{self, Columns};
use crate::{Store, StoreError};

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

impl Store {
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
                    // Deleted since the page was read: nothing to check.
                    Ok(_) | Err(StoreError::NotFound { .. }) => {}
                    Err(e @ StoreError::BadRow { .. }) => report.refused.push(e),
                    Err(e) => return Err(e),
                }
                report.checked += 1;
            }
            progress(report.checked, total.max(report.checked));
        }
        Ok(report)
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
            self.wake();
            report.migrated.push(id);
        }
        Ok(report)
    }
}
