//! The operator's work: replaying every stored instance, and moving
//! instances to a new definition.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::Row;
use turnstile_runtime::snapshot::{Envelope, Migrated};
use turnstile_runtime::{Dispatch, Instance};

use std::time::SystemTime;

use crate::rows::{self, Columns, RawRow};
use crate::{Store, StoreError};

/// What [`Store::migrate_from`] (or [`Store::upgrade_from`],
/// [`Store::undo_migrations`], [`Store::migrate_regions_from`]) did, or on a dry
/// run would do: the instances moved to the current definition, and those
/// refused (left as they were).
#[derive(Debug, Default)]
pub struct Migration {
    /// The ids of the instances migrated (on a dry run: that would be).
    pub migrated: Vec<String>,
    /// Why the others were not.
    pub refused: Vec<StoreError>,
    /// How many instances of the source version were in each state (the
    /// old version's name), migrated or refused.
    pub by_state: BTreeMap<String, usize>,
    /// Whether nothing was written: a dry run.
    pub dry_run: bool,
}

/// How [`Store::migrate_from`] runs.
#[derive(Debug, Clone, Copy)]
pub struct MigrateOptions {
    /// Check every instance as the migration would, write nothing, and
    /// report what would be migrated and refused.
    pub dry_run: bool,
    /// How many instance ids are read at once (each instance is still
    /// written in its own transaction); progress is reported after each
    /// batch.
    pub batch: usize,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        MigrateOptions {
            dry_run: false,
            batch: 500,
        }
    }
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
                    Err(e @ (StoreError::BadRow { .. } | StoreError::OtherVersion { .. })) => {
                        report.refused.push(e)
                    }
                    Err(e) => return Err(e),
                }
                report.checked += 1;
            }
            progress(report.checked, total.max(report.checked));
        }
        Ok(report)
    }

    /// Moves the instances of `W` stored under the version whose
    /// fingerprint is `from` to this build's definition, and no others:
    /// rows of this version, or of any other (a newer one written by nodes
    /// already upgraded, during a rolling deploy or after a rollback), are
    /// left alone. `migrate` maps each old snapshot (its fingerprint,
    /// state, data read as `D`, and history) to the current definition's
    /// state, data and history, as [`Instance::migrate`] does for
    /// snapshots; what it returns must replay like any stored instance.
    ///
    /// Each instance is rewritten in its own transaction, with the
    /// version check and the fingerprint checked again under it (a row
    /// another node migrated or moved meanwhile is refused, not
    /// overwritten). Ids are read `options.batch` at a time, and
    /// `progress(done, total)` is called after each batch. With
    /// `options.dry_run`, every instance is read and mapped as it would
    /// be, and nothing is written. Instances the mapping refuses, or whose
    /// result does not replay, are listed in [`Migration::refused`] and
    /// left as they were; [`Migration::by_state`] counts the instances of
    /// the source version by their old state.
    pub async fn migrate_from<W, D>(
        &self,
        from: &str,
        options: MigrateOptions,
        migrate: impl Fn(Envelope<D>) -> Result<Migrated<W>, String>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Migration, StoreError>
    where
        W: Dispatch + Serialize,
        D: DeserializeOwned,
    {
        let dry_run = options.dry_run;
        self.each_of_version(
            W::NAME,
            W::FINGERPRINT,
            from,
            options,
            &mut progress,
            async |id, report| {
                self.migrate_one::<W>(id, from, dry_run, report, |raw| {
                    let data: D = serde_json::from_str(&raw.data)
                        .map_err(|e| format!("its data does not read as the old type: {e}"))?;
                    let (envelope, _) = raw.into_envelope(W::NAME, data);
                    // The whole history is rewritten as the mapping gives it.
                    Instance::migrate(envelope, &migrate)
                        .map(|instance| (instance, 0))
                        .map_err(|e| e.to_string())
                })
                .await
            },
        )
        .await
    }

    /// Moves the instances of `W` stored under the previous version whose
    /// fingerprint is `from` (one of [`Dispatch::PREVIOUS`]: the derive's
    /// `previous = "…"`) to this build's definition, typed, as a fire on
    /// each would ([`Instance::from_previous`]): each state mapped by the
    /// derive's [`Dispatch::from_previous`] (carried, or decided by the
    /// user's `previous::Migrate`), the history kept as it was taken, and
    /// a migration step appended, by `by` at `now`. The operator's batch,
    /// so that rows nobody fires move too (and their due instants are
    /// written under this version's timers).
    ///
    /// Runs as [`Store::migrate_from`] does: only rows of `from`, each in
    /// its own transaction with the fingerprint checked again under the
    /// write, `options.batch` ids at a time with `progress`, a dry run
    /// writing nothing, refusals listed and left as they were. A `from`
    /// this build does not read is refused as a whole
    /// ([`StoreError::OtherVersion`]).
    pub async fn upgrade_from<W>(
        &self,
        from: &str,
        options: MigrateOptions,
        by: Option<&str>,
        now: SystemTime,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Migration, StoreError>
    where
        W: Dispatch + Serialize + DeserializeOwned,
    {
        if from != W::FINGERPRINT && !W::PREVIOUS.contains(&from) {
            return Err(StoreError::OtherVersion {
                workflow: W::NAME,
                id: "*".to_string(),
                stored: from.to_string(),
                current: W::FINGERPRINT,
            });
        }
        let dry_run = options.dry_run;
        self.each_of_version(
            W::NAME,
            W::FINGERPRINT,
            from,
            options,
            &mut progress,
            async |id, report| {
                self.migrate_one::<W>(id, from, dry_run, report, |raw| {
                    let data: W = serde_json::from_str(&raw.data)
                        .map_err(|e| format!("its data does not read as {}: {e}", W::NAME))?;
                    let latest = raw.trail.last().map_or(raw.entered_at, |s| s.at);
                    let kept = raw.version;
                    // The whole history checked, each step under its
                    // version, the mapping and this version's promises; the
                    // history stays, and the migration step, with the
                    // digest of the data as stored, is appended.
                    let at = now.max(latest).max(raw.entered_at);
                    let (envelope, stored) = raw.into_envelope(W::NAME, data);
                    Instance::from_previous_row(envelope, by, at, &stored)
                        .map(|instance| (instance, kept))
                        .map_err(|e| e.to_string())
                })
                .await
            },
        )
        .await
    }

    /// Moves back to this build's version the instances a newer version
    /// (`from`, its fingerprint) migrated from it and nobody has written
    /// since: run by a node of the old version after a rollback. An
    /// instance is moved back only if its last step is the migration step
    /// from this version to `from`, and its data, as this version reads
    /// it, is the data it had before (the step keeps its digest,
    /// [`Versions::before`](turnstile_runtime::Versions::before)): the
    /// migration step is removed, the old state, version and fingerprint
    /// written back, the due instant computed under this version. Any
    /// other is refused and left as it was: fired since, migrated by a
    /// snapshot or a batch that kept no digest, or its data changed by
    /// the migration in a way this version sees.
    ///
    /// Runs as [`Store::migrate_from`] does (`options`, `progress`, a dry
    /// run, refusals listed); [`Migration::by_state`] counts by the state
    /// the newer version had them in.
    pub async fn undo_migrations<W>(
        &self,
        from: &str,
        options: MigrateOptions,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Migration, StoreError>
    where
        W: Dispatch + Serialize + DeserializeOwned,
    {
        let dry_run = options.dry_run;
        self.each_of_version(
            W::NAME,
            W::FINGERPRINT,
            from,
            options,
            &mut progress,
            async |id, report| self.undo_one::<W>(id, from, dry_run, report).await,
        )
        .await
    }

    /// [`Store::undo_migrations`] for one instance.
    async fn undo_one<W>(
        &self,
        id: &str,
        from: &str,
        dry_run: bool,
        report: &mut Migration,
    ) -> Result<(), StoreError>
    where
        W: Dispatch + Serialize + DeserializeOwned,
    {
        let refuse = |report: &mut Migration, problem: String| {
            report.refused.push(StoreError::BadRow {
                workflow: W::NAME,
                id: id.to_string(),
                problem,
            })
        };
        let mut tx = self.begin_write().await?;
        let Some(raw) = read_of_version::<W>(&mut tx, id, from, report).await? else {
            return Ok(());
        };
        let Some(last) = raw.trail.last() else {
            refuse(report, "it has no step: nothing migrated it".into());
            return Ok(());
        };
        let migrated = match &last.migrated {
            Some(m) if m.from == W::FINGERPRINT && m.to == from => m,
            Some(_) => {
                refuse(
                    report,
                    "its last step migrated it between other versions".into(),
                );
                return Ok(());
            }
            None => {
                refuse(
                    report,
                    format!(
                        "`{}` was taken since its migration: it cannot be undone",
                        last.event
                    ),
                );
                return Ok(());
            }
        };
        let data: W = match serde_json::from_str(&raw.data) {
            Ok(data) => data,
            Err(e) => {
                refuse(
                    report,
                    format!("its data does not read as {}: {e}", W::NAME),
                );
                return Ok(());
            }
        };
        let now = serde_json::to_string(&data)
            .map(|text| turnstile_runtime::payload::recorded(text, true))
            .map_err(|e| e.to_string());
        match (&migrated.before, now) {
            (Some(before), Ok(now)) if *before == now => {}
            (None, _) => {
                refuse(
                    report,
                    "its migration step kept no digest of the data before".into(),
                );
                return Ok(());
            }
            _ => {
                refuse(
                    report,
                    "the migration changed its data as this version reads it".into(),
                );
                return Ok(());
            }
        }
        let old_state = last.from.clone();
        let mut trail = raw.trail;
        trail.pop();
        let instance =
            match Instance::<W>::resume(raw.started_at, &old_state, data, raw.entered_at, trail) {
                Ok(instance) => instance,
                Err(e) => {
                    refuse(report, e.to_string());
                    return Ok(());
                }
            };
        let columns = match Columns::of(id, &instance, raw.version - 1) {
            Ok(columns) => columns,
            Err(e) => {
                report.refused.push(e);
                return Ok(());
            }
        };
        if dry_run {
            report.migrated.push(id.to_string());
            return Ok(());
        }
        match rows::update_row::<W>(&mut tx, id, raw.version, &columns).await {
            Ok(()) => {}
            Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                report.refused.push(e);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        sqlx::query("DELETE FROM turnstile_steps WHERE workflow = $1 AND id = $2 AND seq = $3")
            .bind(W::NAME)
            .bind(id)
            .bind(raw.version)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.wake();
        report.migrated.push(id.to_string());
        Ok(())
    }

    /// Runs `one` on each instance of `workflow` stored under the version
    /// `from` (none when it is `current`, this build's),
    /// `options.batch` ids at a time, calling `progress(done, total)`
    /// after each batch: the walk of [`Store::migrate_from`] and
    /// [`Store::upgrade_from`].
    pub(crate) async fn each_of_version(
        &self,
        workflow: &'static str,
        current: &str,
        from: &str,
        options: MigrateOptions,
        progress: &mut impl FnMut(usize, usize),
        mut one: impl AsyncFnMut(&str, &mut Migration) -> Result<(), StoreError>,
    ) -> Result<Migration, StoreError> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM turnstile_instances WHERE workflow = $1 AND fingerprint = $2",
        )
        .bind(workflow)
        .bind(from)
        .fetch_one(&self.pool)
        .await?;
        let total = usize::try_from(total).unwrap_or(0);
        let mut report = Migration {
            dry_run: options.dry_run,
            ..Migration::default()
        };
        if from == current {
            return Ok(report);
        }
        let mut after = String::new();
        let mut done = 0;
        loop {
            let ids: Vec<String> = sqlx::query(
                "SELECT id FROM turnstile_instances WHERE workflow = $1 AND fingerprint = $2 AND id > $3 ORDER BY id LIMIT $4",
            )
            .bind(workflow)
            .bind(from)
            .bind(&after)
            .bind(i64::try_from(options.batch.max(1)).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("id"))
            .collect::<Result<_, _>>()?;
            let Some(last) = ids.last() else { break };
            after = last.clone();
            for id in ids {
                one(&id, &mut report).await?;
                done += 1;
            }
            progress(done, total.max(done));
        }
        Ok(report)
    }

    /// One instance of a migration: read, map, check, write (unless a dry
    /// run). `map` gives the instance under this version and how many of
    /// the stored steps it keeps as they are (0: the whole history is
    /// rewritten), or why it refuses. A refusal is recorded in `report`;
    /// only a database failure is an error.
    async fn migrate_one<W>(
        &self,
        id: &str,
        from: &str,
        dry_run: bool,
        report: &mut Migration,
        map: impl FnOnce(RawRow) -> Result<(Instance<W>, i64), String>,
    ) -> Result<(), StoreError>
    where
        W: Dispatch + Serialize,
    {
        let bad = |problem: String| StoreError::BadRow {
            workflow: W::NAME,
            id: id.to_string(),
            problem,
        };
        let mut tx = self.begin_write().await?;
        let Some(raw) = read_of_version::<W>(&mut tx, id, from, report).await? else {
            return Ok(());
        };
        let version = raw.version;
        let (instance, kept) = match map(raw) {
            Ok(mapped) => mapped,
            Err(e) => {
                report.refused.push(bad(e));
                return Ok(());
            }
        };
        let columns = match Columns::of(id, &instance, kept) {
            Ok(columns) => columns,
            Err(e) => {
                report.refused.push(e);
                return Ok(());
            }
        };
        if dry_run {
            report.migrated.push(id.to_string());
            return Ok(());
        }
        match rows::update_row::<W>(&mut tx, id, version, &columns).await {
            Ok(()) => {}
            Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                report.refused.push(e);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        if kept == 0 {
            sqlx::query("DELETE FROM turnstile_steps WHERE workflow = $1 AND id = $2")
                .bind(W::NAME)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        rows::insert_steps(&mut tx, self.backend, W::NAME, id, kept, &columns.steps).await?;
        tx.commit().await?;
        self.wake();
        report.migrated.push(id.to_string());
        Ok(())
    }
}

/// Instance `id`'s row and whole history, read again under the write
/// (another node may have migrated or moved it since the ids were listed)
/// and counted by its state; `None`, with the refusal in `report`, when
/// it does not read or is no longer of the version `from`.
async fn read_of_version<W: Dispatch>(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    from: &str,
    report: &mut Migration,
) -> Result<Option<RawRow>, StoreError> {
    let raw = match rows::read_row(tx, W::NAME, id).await {
        Ok(raw) => raw,
        Err(e @ StoreError::Database(_)) => return Err(e),
        Err(e) => {
            report.refused.push(e);
            return Ok(None);
        }
    };
    if raw.fingerprint != from {
        report.refused.push(StoreError::OtherVersion {
            workflow: W::NAME,
            id: id.to_string(),
            stored: raw.fingerprint,
            current: W::FINGERPRINT,
        });
        return Ok(None);
    }
    *report.by_state.entry(raw.state.clone()).or_default() += 1;
    Ok(Some(raw))
}
