//! Instances of workflows with parallel regions (docs/regions.md): the
//! configuration, its data and its audit trail, in the same tables as
//! every other instance.
//!
//! | column | a workflow with regions |
//! |---|---|
//! | `state` | each region's state, in the order of `REGIONS`, joined by `,` (`closed,no_partner,unrestricted,not_frozen`) |
//! | `entered_within` | when each region entered its state, nanoseconds, joined by `,` |
//! | `entered_at` | the latest of them: when the configuration last changed |
//! | `started_at` | when the instance started (every region entered its initial state then) |
//! | `next_due` | the earliest automatic timer that can fire (`Current::next_due`) |
//!
//! A step's row names the regions it moved: `from_state` and `to_state`
//! are `region=state` pairs joined by `;`, one per region moved (two for a
//! joint move), so the outbox delivers a region's move as any other step.
//! Loading reads the row and every step and hands them to
//! `Current::from_snapshot`, which replays the trail from the initial
//! configuration to the stored one: a row that does not replay, or was
//! written under another fingerprint, does not load. A fire reads the row
//! and its last step only (a head, as for every instance) and resumes the
//! configuration: what it hands back has this request's steps as its
//! trail.

use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use turnstile_runtime::regions::{Moved, Parallel, RegionState, RegionStep, Snapshot, FORMAT};
use turnstile_runtime::Step;

use crate::rows::{self, instant, nanos, wall_clock, NewStep, StepRow, STEP_SELECT, UPDATE_ROW};
use crate::{keys, text, Backend, FireRequest, Recorded, Store, StoreError};

/// An instance of a workflow with regions as stored: its id, the version
/// it was read or written at (the number of steps in its history), and the
/// configuration by name (the generated `Current`).
pub struct StoredRegions<W: Parallel> {
    /// The instance id.
    pub id: String,
    /// The number of steps in its history: what a write based on it names.
    pub version: i64,
    /// The configuration, its data and its trail.
    pub current: W::Current,
}

impl<W: Parallel> std::fmt::Debug for StoredRegions<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredRegions")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("states", &W::states(&self.current))
            .finish()
    }
}

/// What a request with an idempotency key came to: fired now, or the
/// outcome recorded under the key by the first request that sent it.
#[derive(Debug)]
pub enum KeyedRegions<W: Parallel> {
    /// Fired (or created) by this request.
    Fired(StoredRegions<W>),
    /// A repeat: what the first request with this key came to (for a
    /// fire, [`Recorded::Fired`]'s `state` is the row's `state` column, each
    /// region's state joined by `,`; [`Store::step`] reads its step).
    Replayed(Recorded),
}

const ID: &str = "the instance id";

fn bad_row<W: Parallel>(id: &str, problem: impl Into<String>) -> StoreError {
    StoreError::BadRow {
        workflow: W::NAME,
        id: id.to_string(),
        problem: problem.into(),
    }
}

/// A row written under another fingerprint: refused as another version's,
/// and left as it is.
fn other_version<W: Parallel>(id: &str, stored: &str) -> Result<(), StoreError> {
    if stored == W::FINGERPRINT {
        return Ok(());
    }
    Err(StoreError::OtherVersion {
        workflow: W::NAME,
        id: id.to_string(),
        stored: stored.to_string(),
        current: W::FINGERPRINT,
    })
}

fn unstorable<W: Parallel>(id: &str, problem: impl Into<String>) -> StoreError {
    StoreError::Unstorable {
        workflow: W::NAME,
        id: id.to_string(),
        problem: problem.into(),
    }
}

/// The row's columns for the configuration of `current`.
struct Columns {
    state: String,
    entered_at: i64,
    entered_within: String,
    data: String,
    next_due: Option<i64>,
}

fn columns<W: Parallel + Serialize>(id: &str, current: &W::Current) -> Result<Columns, StoreError> {
    let at = W::entered_at(current)
        .into_iter()
        .map(nanos)
        .collect::<Result<Vec<i64>, String>>()
        .map_err(|p| unstorable::<W>(id, p))?;
    let data =
        serde_json::to_string(W::data(current)).map_err(|e| unstorable::<W>(id, e.to_string()))?;
    let next_due = W::next_due(current)
        .map(|(_, due)| nanos(due))
        .transpose()
        .map_err(|p| unstorable::<W>(id, p))?;
    Ok(Columns {
        state: W::states(current).join(","),
        entered_at: at.iter().copied().max().unwrap_or(0),
        entered_within: at.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
        data,
        next_due,
    })
}

/// A step of the trail as the flat step its row holds.
fn step_of(step: &RegionStep) -> Step {
    let side = |pick: fn(&Moved) -> &str| {
        step.moved
            .iter()
            .map(|m| format!("{}={}", m.region, pick(m)))
            .collect::<Vec<_>>()
            .join(";")
    };
    Step {
        at: step.at,
        from: side(|m| m.from.as_str()),
        event: step.event.clone(),
        to: side(|m| m.to.as_str()),
        actor: step.actor.clone(),
        role: step.role.clone(),
        payload: step.payload.clone(),
        migrated: None,
    }
}

/// A step's row back as a step of the trail.
fn region_step(step: Step) -> Result<RegionStep, String> {
    let pairs = |text: &str| -> Result<Vec<(String, String)>, String> {
        text.split(';')
            .map(|pair| {
                pair.split_once('=')
                    .map(|(r, s)| (r.to_string(), s.to_string()))
                    .ok_or_else(|| format!("`{text}` is not `region=state` pairs"))
            })
            .collect()
    };
    let from = pairs(&step.from)?;
    let to = pairs(&step.to)?;
    if from.len() != to.len() || from.iter().zip(&to).any(|(f, t)| f.0 != t.0) {
        return Err(format!(
            "step `{}` leaves `{}` and enters `{}`: not the same regions",
            step.event, step.from, step.to
        ));
    }
    Ok(RegionStep {
        event: step.event,
        at: step.at,
        actor: step.actor,
        role: step.role,
        payload: step.payload,
        moved: from
            .into_iter()
            .zip(to)
            .map(|((region, from), (_, to))| Moved { region, from, to })
            .collect(),
    })
}

/// Writes the steps of `trail` from number `first + 1` on.
async fn insert_trail(
    conn: &mut AnyConnection,
    backend: Backend,
    workflow: &str,
    id: &str,
    first: i64,
    trail: &[RegionStep],
) -> Result<(), StoreError> {
    let steps: Vec<Step> = trail.iter().map(step_of).collect();
    let new = steps
        .iter()
        .map(|s| nanos(s.at).map(|at| NewStep::new(s, at)))
        .collect::<Result<Vec<_>, String>>()
        .map_err(StoreError::Instant)?;
    rows::insert_steps(conn, backend, workflow, id, first, &new).await
}

/// An instance's row, read and parsed: what both a load and a fire need.
struct ReadRow<W> {
    fingerprint: String,
    /// Each region's state, in the order of `REGIONS`.
    states: Vec<String>,
    /// When each region entered it.
    entered: Vec<SystemTime>,
    started_at: Option<i64>,
    data: W,
    version: i64,
    owner: Option<String>,
}

/// Reads and parses instance `id`'s row, locking it for the rest of the
/// transaction if `lock` (PostgreSQL's `FOR UPDATE`; SQLite's writers hold
/// the database's lock from `BEGIN IMMEDIATE` instead): one state and one
/// instant per region, the data as `D` (`W` itself, but for a migration,
/// which reads an older version's data).
async fn read_row<W: Parallel, D: DeserializeOwned>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    lock: bool,
) -> Result<ReadRow<D>, StoreError> {
    let lock = if lock && backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = sqlx::query(&format!(
        "SELECT fingerprint, state, entered_within, started_at, data, version, owner \
         FROM turnstile_instances WHERE workflow = $1 AND id = $2{lock}"
    ))
    .bind(W::NAME)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        workflow: W::NAME,
        id: id.to_string(),
    })?;
    let state: String = row.try_get("state")?;
    let within: Option<String> = row.try_get("entered_within")?;
    let data: String = row.try_get("data")?;
    let states: Vec<String> = state.split(',').map(str::to_string).collect();
    let within = within.ok_or_else(|| bad_row::<W>(id, "no instant per region"))?;
    let entered: Vec<SystemTime> = within
        .split(',')
        .map(|n| {
            n.parse::<i64>()
                .map_err(|_| format!("`{n}` is not an instant"))
                .and_then(instant)
        })
        .collect::<Result<_, _>>()
        .map_err(|p| bad_row::<W>(id, p))?;
    if states.len() != W::REGIONS.len() || entered.len() != W::REGIONS.len() {
        return Err(bad_row::<W>(
            id,
            format!(
                "`{state}` is not one state for each of the {} regions",
                W::REGIONS.len()
            ),
        ));
    }
    Ok(ReadRow {
        fingerprint: row.try_get("fingerprint")?,
        states,
        entered,
        started_at: row.try_get("started_at")?,
        data: serde_json::from_str(&data).map_err(|e| bad_row::<W>(id, e.to_string()))?,
        version: row.try_get("version")?,
        owner: row.try_get("owner")?,
    })
}

/// Reads instance `id`'s row and whole history and loads the configuration
/// they store, the trail replayed by `Current::from_snapshot`.
async fn read<W: Parallel + DeserializeOwned>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
) -> Result<StoredRegions<W>, StoreError> {
    let (snapshot, version) = read_snapshot::<W, W>(conn, backend, id, true).await?;
    let current = W::from_snapshot(snapshot).map_err(|e| bad_row::<W>(id, e.to_string()))?;
    Ok(StoredRegions {
        id: id.to_string(),
        version,
        current,
    })
}

/// Reads instance `id`'s row and whole history as the snapshot they
/// store, the data as `D`, and its version. With `this_version`, a row of
/// another version is [`StoreError::OtherVersion`]; without, a snapshot
/// under whatever fingerprint the row has (for a migration).
async fn read_snapshot<W: Parallel, D: DeserializeOwned>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    this_version: bool,
) -> Result<(Snapshot<D>, i64), StoreError> {
    let row = read_row::<W, D>(conn, backend, id, false).await?;
    if this_version {
        other_version::<W>(id, &row.fingerprint)?;
    }
    let started_at = row
        .started_at
        .ok_or_else(|| bad_row::<W>(id, "no start instant"))
        .and_then(|n| instant(n).map_err(|p| bad_row::<W>(id, p)))?;
    let steps: Vec<StepRow> = sqlx::query_as(&format!(
        "SELECT {STEP_SELECT} FROM turnstile_steps WHERE workflow = $1 AND id = $2 ORDER BY seq"
    ))
    .bind(W::NAME)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut trail = Vec::with_capacity(steps.len());
    for (n, step) in steps.into_iter().enumerate() {
        if step.seq != n as i64 + 1 {
            return Err(bad_row::<W>(id, format!("step {} is missing", n + 1)));
        }
        let step = step.into_step().map_err(|p| bad_row::<W>(id, p))?;
        trail.push(region_step(step).map_err(|p| bad_row::<W>(id, p))?);
    }
    if trail.len() as i64 != row.version {
        return Err(bad_row::<W>(
            id,
            format!("version {} with {} steps", row.version, trail.len()),
        ));
    }
    // Where the trail starts: each region's state before the first step
    // that moved it (its state now if none did), entered when the
    // instance started.
    let start: Vec<RegionState> = W::REGIONS
        .iter()
        .enumerate()
        .map(|(r, region)| RegionState {
            region: region.to_string(),
            state: trail
                .iter()
                .flat_map(|s| &s.moved)
                .find(|m| m.region == *region)
                .map_or_else(|| row.states[r].clone(), |m| m.from.clone()),
            entered_at: started_at,
        })
        .collect();
    let regions = W::REGIONS
        .iter()
        .zip(&row.states)
        .zip(&row.entered)
        .map(|((region, state), at)| RegionState {
            region: region.to_string(),
            state: state.clone(),
            entered_at: *at,
        })
        .collect();
    let snapshot = Snapshot {
        format: FORMAT.to_string(),
        workflow: W::NAME.to_string(),
        fingerprint: row.fingerprint,
        start,
        regions,
        data: row.data,
        trail,
    };
    Ok((snapshot, row.version))
}

/// Reads instance `id`'s row and its last step only (locking the row for
/// the rest of the transaction if `lock`) and resumes the configuration
/// the row stores, with no trail: what a fire needs, at a cost that does
/// not grow with the history. The checks are a head's: the fingerprint,
/// the data, one state of its region per region, and the last step
/// ending, in each region it moved, in the row's state at the row's
/// instant. [`Store::load_regions`] replays the whole history.
async fn read_head<W: Parallel + DeserializeOwned>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    lock: bool,
) -> Result<(StoredRegions<W>, Option<String>), StoreError> {
    let row = read_row::<W, W>(conn, backend, id, lock).await?;
    other_version::<W>(id, &row.fingerprint)?;
    let version = row.version;
    if version > 0 {
        let last: Option<StepRow> = sqlx::query_as(&format!(
            "SELECT {STEP_SELECT} FROM turnstile_steps WHERE workflow = $1 AND id = $2 AND seq = $3"
        ))
        .bind(W::NAME)
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *conn)
        .await?;
        let last = last.ok_or_else(|| bad_row::<W>(id, format!("step {version} is missing")))?;
        let step = last.into_step().map_err(|p| bad_row::<W>(id, p))?;
        let step = region_step(step).map_err(|p| bad_row::<W>(id, p))?;
        for m in &step.moved {
            let r = W::REGIONS
                .iter()
                .position(|region| *region == m.region)
                .ok_or_else(|| bad_row::<W>(id, format!("there is no region `{}`", m.region)))?;
            if row.states[r] != m.to || row.entered[r] != step.at {
                return Err(bad_row::<W>(
                    id,
                    format!(
                        "the last step, `{}`, leaves region `{}` in `{}` at another instant or state than the row's",
                        step.event, m.region, m.to
                    ),
                ));
            }
        }
    }
    let states: Vec<&str> = row.states.iter().map(String::as_str).collect();
    let current = W::resume(&states, row.data, &row.entered).map_err(|_| {
        bad_row::<W>(
            id,
            format!(
                "`{}` is not one state of each of the {} regions",
                states.join(","),
                W::REGIONS.len()
            ),
        )
    })?;
    Ok((
        StoredRegions {
            id: id.to_string(),
            version,
            current,
        },
        row.owner,
    ))
}

/// Writes `current`, read at version `expected`, with `new`, the steps
/// taken since: the version written.
async fn write<W: Parallel + Serialize>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    expected: i64,
    current: &W::Current,
    new: &[RegionStep],
) -> Result<i64, StoreError> {
    let c = columns::<W>(id, current)?;
    let version = expected + new.len() as i64;
    update_row::<W>(conn, id, expected, version, &c).await?;
    insert_trail(conn, backend, W::NAME, id, expected, new).await?;
    Ok(version)
}

/// Writes the row's columns `c` at `version`, under this build's
/// fingerprint, if the row is still at version `expected`; otherwise the
/// row moved on ([`StoreError::Conflict`]) or is gone.
async fn update_row<W: Parallel>(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
    version: i64,
    c: &Columns,
) -> Result<(), StoreError> {
    let done = sqlx::query(UPDATE_ROW)
        .bind(W::FINGERPRINT)
        .bind(&c.state)
        .bind(c.entered_at)
        .bind(&c.data)
        .bind(version)
        .bind(c.next_due)
        .bind(wall_clock())
        .bind(&c.entered_within)
        .bind(W::NAME)
        .bind(id)
        .bind(expected)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM turnstile_instances WHERE workflow = $1 AND id = $2",
    )
    .bind(W::NAME)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Err(rows::moved_error(W::NAME, id, expected, found))
}

impl Store {
    /// Moves the instances of a workflow with regions stored under the
    /// version whose fingerprint is `from` to this build's definition, and
    /// no others, as [`Store::migrate_from`] does for a workflow without:
    /// `migrate` maps each old snapshot (`turnstile::regions::Snapshot`,
    /// its data read as `D`: each region's state and entry instant, where
    /// the trail starts, and the trail) to this version's, or refuses it
    /// with a reason; the result must replay (`Current::from_snapshot`),
    /// and is written with this build's fingerprint and its trail in
    /// place of the old. Each instance in its own transaction, the
    /// fingerprint checked again under the write; `options.batch` ids at a
    /// time with `progress`; a dry run writes nothing;
    /// [`Migration::by_state`](crate::Migration::by_state) counts by the
    /// old configuration (each region's state, joined by commas). The
    /// typed migration of `previous = "…"` does not cover regions yet.
    pub async fn migrate_regions_from<W, D>(
        &self,
        from: &str,
        options: crate::MigrateOptions,
        migrate: impl Fn(Snapshot<D>) -> Result<Snapshot<W>, String>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<crate::Migration, StoreError>
    where
        W: Parallel + Serialize,
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
                self.migrate_regions_one::<W, D>(id, from, dry_run, &migrate, report)
                    .await
            },
        )
        .await
    }

    /// [`Store::migrate_regions_from`] for one instance.
    async fn migrate_regions_one<W, D>(
        &self,
        id: &str,
        from: &str,
        dry_run: bool,
        migrate: &impl Fn(Snapshot<D>) -> Result<Snapshot<W>, String>,
        report: &mut crate::Migration,
    ) -> Result<(), StoreError>
    where
        W: Parallel + Serialize,
        D: DeserializeOwned,
    {
        let mut tx = self.begin_write().await?;
        let (old, version) = match read_snapshot::<W, D>(&mut tx, self.backend, id, false).await {
            Ok(read) => read,
            Err(e) => {
                report.refused.push(e);
                return Ok(());
            }
        };
        if old.fingerprint != from {
            report.refused.push(StoreError::OtherVersion {
                workflow: W::NAME,
                id: id.to_string(),
                stored: old.fingerprint,
                current: W::FINGERPRINT,
            });
            return Ok(());
        }
        let configuration: Vec<&str> = old.regions.iter().map(|r| r.state.as_str()).collect();
        *report.by_state.entry(configuration.join(",")).or_default() += 1;
        let mut new = match migrate(old) {
            Ok(new) => new,
            Err(why) => {
                report
                    .refused
                    .push(bad_row::<W>(id, format!("the migration refused it: {why}")));
                return Ok(());
            }
        };
        new.format = FORMAT.to_string();
        new.workflow = W::NAME.to_string();
        new.fingerprint = W::FINGERPRINT.to_string();
        let trail = new.trail.clone();
        let current = match W::from_snapshot(new) {
            Ok(current) => current,
            Err(e) => {
                report.refused.push(bad_row::<W>(id, e.to_string()));
                return Ok(());
            }
        };
        let c = match columns::<W>(id, &current) {
            Ok(c) => c,
            Err(e) => {
                report.refused.push(e);
                return Ok(());
            }
        };
        if dry_run {
            report.migrated.push(id.to_string());
            return Ok(());
        }
        // Written by another node since it was read: refused, left as it is.
        match update_row::<W>(&mut tx, id, version, trail.len() as i64, &c).await {
            Ok(()) => {}
            Err(e @ (StoreError::Conflict { .. } | StoreError::NotFound { .. })) => {
                report.refused.push(e);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        sqlx::query("DELETE FROM turnstile_steps WHERE workflow = $1 AND id = $2")
            .bind(W::NAME)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_trail(&mut tx, self.backend, W::NAME, id, 0, &trail).await?;
        tx.commit().await?;
        self.wake();
        report.migrated.push(id.to_string());
        Ok(())
    }

    /// Stores a new instance of a workflow with regions, as
    /// `Current::start` made it (every region in its initial state,
    /// entered at one instant, no step taken yet): [`StoreError::Exists`]
    /// if the id is taken, [`StoreError::Unstorable`] for a configuration
    /// that was resumed or has already moved (its start would not be
    /// known when it is loaded back).
    pub async fn create_regions<W: Parallel + Serialize>(
        &self,
        id: &str,
        current: W::Current,
    ) -> Result<StoredRegions<W>, StoreError> {
        match self
            .create_regions_with::<W>(id, current, None, None)
            .await?
        {
            KeyedRegions::Fired(stored) => Ok(stored),
            KeyedRegions::Replayed(_) => unreachable!("no key was given"),
        }
    }

    /// [`Store::create_regions`], recording `owner` as the instance's owner
    /// (as [`Store::create_owned`] does): a fire whose request names
    /// another owner answers [`StoreError::NotFound`].
    pub async fn create_regions_owned<W: Parallel + Serialize>(
        &self,
        id: &str,
        current: W::Current,
        owner: &str,
    ) -> Result<StoredRegions<W>, StoreError> {
        match self
            .create_regions_with::<W>(id, current, Some(owner), None)
            .await?
        {
            KeyedRegions::Fired(stored) => Ok(stored),
            KeyedRegions::Replayed(_) => unreachable!("no key was given"),
        }
    }

    /// [`Store::create_regions`] (with `owner`) under an idempotency `key`,
    /// as [`Store::create_keyed`]: a repeat answers
    /// [`KeyedRegions::Replayed`] instead of [`StoreError::Exists`].
    pub async fn create_regions_keyed<W: Parallel + Serialize>(
        &self,
        id: &str,
        current: W::Current,
        owner: Option<&str>,
        key: &str,
    ) -> Result<KeyedRegions<W>, StoreError> {
        text::name("the idempotency key", key)?;
        self.create_regions_with::<W>(id, current, owner, Some(key))
            .await
    }

    async fn create_regions_with<W: Parallel + Serialize>(
        &self,
        id: &str,
        current: W::Current,
        owner: Option<&str>,
        key: Option<&str>,
    ) -> Result<KeyedRegions<W>, StoreError> {
        const CREATE: &str = "create";
        text::name(ID, id)?;
        text::name_opt("the owner", owner)?;
        let at = W::entered_at(&current);
        let fresh = W::trail(&current).is_empty()
            && at.windows(2).all(|w| w[0] == w[1])
            && W::snapshot(&current).start == W::snapshot(&current).regions;
        if !fresh {
            return Err(unstorable::<W>(
                id,
                "a workflow with regions is stored from `Current::start`: every region in its initial state, entered at one instant, no step taken",
            ));
        }
        let c = columns::<W>(id, &current)?;
        let started_at = at
            .first()
            .copied()
            .map(nanos)
            .transpose()
            .map_err(StoreError::Instant)?;
        let now = wall_clock();
        let mut tx = self.begin_write().await?;
        if let Some(key) = key {
            if let Some(recorded) = keys::recorded_named(&mut tx, W::NAME, id, key, CREATE).await? {
                return Ok(KeyedRegions::Replayed(recorded));
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO turnstile_instances \
             (workflow, id, fingerprint, state, entered_at, data, version, next_due, created_at, updated_at, started_at, entered_within, owner) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, $11, $12) ON CONFLICT (workflow, id) DO NOTHING",
        )
        .bind(W::NAME)
        .bind(id)
        .bind(W::FINGERPRINT)
        .bind(&c.state)
        .bind(c.entered_at)
        .bind(&c.data)
        .bind(c.next_due)
        .bind(now)
        .bind(now)
        .bind(started_at)
        .bind(&c.entered_within)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            // Taken: by a request with this key that committed meanwhile,
            // or by another.
            if let Some(key) = key {
                if let Some(recorded) =
                    keys::recorded_named(&mut tx, W::NAME, id, key, CREATE).await?
                {
                    return Ok(KeyedRegions::Replayed(recorded));
                }
            }
            return Err(StoreError::Exists {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        if let Some(key) = key {
            keys::record(
                &mut tx,
                keys::named_params(W::NAME, id, key, CREATE, Ok(()), 0, &c.state),
            )
            .await?;
        }
        tx.commit().await?;
        self.wake();
        Ok(KeyedRegions::Fired(StoredRegions {
            id: id.to_string(),
            version: 0,
            current,
        }))
    }

    /// Loads instance `id` of a workflow with regions: its row and whole
    /// history, replayed from the initial configuration to the stored one
    /// (`Current::from_snapshot`); [`StoreError::BadRow`] for a row written
    /// under another fingerprint or one that does not replay.
    pub async fn load_regions<W: Parallel + DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<StoredRegions<W>, StoreError> {
        text::name(ID, id)?;
        let mut tx = self.begin_snapshot().await?;
        let stored = read::<W>(&mut tx, self.backend, id).await;
        tx.rollback().await?;
        stored
    }

    /// Fires `request` on instance `id` of a workflow with regions, in one
    /// transaction: read the row and its last step only (the row locked;
    /// checked against each other, so the cost does not grow with the
    /// history), `Current::fire_with` on the configuration resumed from
    /// them, write the configuration and the step, with the version check
    /// ([`StoreError::Conflict`] if another write came first, or if
    /// `request.version` names another). A refusal writes nothing and is
    /// [`StoreError::Refused`], with the runtime's `Why` (a condition on
    /// another region is `Why::Condition`). `request.owner`: an instance
    /// owned by anyone else answers [`StoreError::NotFound`]. A request
    /// with an idempotency key goes through [`Store::submit_regions`],
    /// which can answer a repeat; here it is refused
    /// ([`StoreError::BadText`]).
    pub async fn fire_regions<W: Parallel + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        request: &FireRequest<'_>,
    ) -> Result<StoredRegions<W>, StoreError> {
        if request.key.is_some() {
            return Err(StoreError::BadText {
                field: "the idempotency key",
                problem:
                    "a keyed fire goes through `Store::submit_regions`, which can answer a repeat"
                        .to_string(),
            });
        }
        match self.submit_regions::<W>(id, request).await? {
            KeyedRegions::Fired(stored) => Ok(stored),
            KeyedRegions::Replayed(_) => unreachable!("no key was given"),
        }
    }

    /// [`Store::fire_regions`], with `request.key` honoured as
    /// [`Store::fire_keyed`] honours it: a key seen before answers
    /// [`KeyedRegions::Replayed`] with what the first request came to
    /// (before anything else is checked), and a first request's outcome,
    /// step or refusal, is recorded with it in the same transaction.
    pub async fn submit_regions<W: Parallel + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        request: &FireRequest<'_>,
    ) -> Result<KeyedRegions<W>, StoreError> {
        text::name(ID, id)?;
        request.check()?;
        let mut tx = self.begin_write().await?;
        if let Some(key) = request.key {
            if let Some(recorded) =
                keys::recorded_named(&mut tx, W::NAME, id, key, request.event).await?
            {
                return Ok(KeyedRegions::Replayed(recorded));
            }
        }
        let (stored, owner) = read_head::<W>(&mut tx, self.backend, id, true).await?;
        if let Some(asked) = request.owner {
            if owner.as_deref() != Some(asked) {
                return Err(StoreError::NotFound {
                    workflow: W::NAME,
                    id: id.to_string(),
                });
            }
        }
        if let Some(expected) = request.version {
            if expected != stored.version {
                return Err(rows::moved_error(
                    W::NAME,
                    id,
                    expected,
                    Some(stored.version),
                ));
            }
        }
        let fired = W::fire_with(
            stored.current,
            request.event,
            request.payload,
            &request.actor,
            request.at,
        );
        let current = match fired {
            Ok(current) => current,
            Err(refused) => {
                let (current, why) = refused.into_parts();
                // Under a key, the refusal is recorded (and only that is
                // written), so that a repeat answers it again.
                if let Some(key) = request.key {
                    let state = W::states(&current).join(",");
                    let params = keys::named_params(
                        W::NAME,
                        id,
                        key,
                        request.event,
                        Err(&why),
                        stored.version,
                        &state,
                    );
                    keys::record(&mut tx, params).await?;
                    tx.commit().await?;
                }
                return Err(StoreError::Refused {
                    workflow: W::NAME,
                    id: id.to_string(),
                    why: Box::new(why),
                });
            }
        };
        let version = write::<W>(
            &mut tx,
            self.backend,
            id,
            stored.version,
            &current,
            W::trail(&current),
        )
        .await?;
        if let Some(key) = request.key {
            let state = W::states(&current).join(",");
            keys::record(
                &mut tx,
                keys::named_params(W::NAME, id, key, request.event, Ok(()), version, &state),
            )
            .await?;
        }
        tx.commit().await?;
        self.wake();
        Ok(KeyedRegions::Fired(StoredRegions {
            id: id.to_string(),
            version,
            current,
        }))
    }

    /// Fires, as the timer runner, the automatic timers of a workflow
    /// with regions due by `now`, on at most `limit` instances (earliest
    /// due first), each as of the instant it fell due (`Current::fire_due`,
    /// again while another falls due), each instance in its own
    /// transaction: how many steps were written, and the instances that
    /// failed (a row that does not load, say), which do not stop the
    /// others. An instance another writer moved meanwhile is left to the
    /// next run.
    pub async fn run_due_regions<W: Parallel + Serialize + DeserializeOwned>(
        &self,
        now: SystemTime,
        limit: i64,
    ) -> Result<(usize, Vec<StoreError>), StoreError> {
        let mut fired = 0;
        let mut errors = Vec::new();
        for id in self
            .due_of_version(W::NAME, &[W::FINGERPRINT], now, limit)
            .await?
        {
            match self.fire_due_regions::<W>(&id, now).await {
                Ok(n) => fired += n,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => errors.push(e),
            }
        }
        Ok((fired, errors))
    }

    /// Fires instance `id`'s due timers by `now`: how many steps it wrote.
    async fn fire_due_regions<W: Parallel + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        now: SystemTime,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        let (stored, _) = read_head::<W>(&mut tx, self.backend, id, true).await?;
        let mut current = stored.current;
        let mut moved = false;
        loop {
            match W::fire_due(current, now) {
                Ok((next, _)) => {
                    current = next;
                    moved = true;
                }
                Err(nothing) => {
                    current = nothing.into_inner();
                    break;
                }
            }
        }
        if !moved {
            tx.rollback().await?;
            return Ok(0);
        }
        let version = write::<W>(
            &mut tx,
            self.backend,
            id,
            stored.version,
            &current,
            W::trail(&current),
        )
        .await?;
        tx.commit().await?;
        self.wake();
        Ok((version - stored.version) as usize)
    }
}
