//! Rows to instances and back: what is read and checked, what is written.
//!
//! Two reads. [`read_head`] reads an instance's row and the last step of
//! its history (one statement, whatever the history's length): what a
//! fire needs. [`read_row`] reads the row and the whole history: what
//! `load`, `history` and `migrate` need, and what the full check replays.
//!
//! Every query here is plain SQL text with `$n` placeholders, which both
//! SQLite and PostgreSQL read. sqlx's `QueryBuilder` is not used: through
//! the `Any` driver it writes `?` placeholders, which PostgreSQL refuses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::AnyConnection;
use turnstile_runtime::{Dispatch, Instance, Step};

use crate::{Backend, StoreError, Stored};

/// An instant as stored: whole nanoseconds since the Unix epoch.
pub(crate) fn nanos(at: SystemTime) -> Result<i64, String> {
    let since = at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "an instant before 1970".to_string())?;
    i64::try_from(since.as_nanos()).map_err(|_| "an instant after 2262".to_string())
}

/// A stored instant back as a `SystemTime`.
pub(crate) fn instant(nanos: i64) -> Result<SystemTime, String> {
    u64::try_from(nanos)
        .map(|n| UNIX_EPOCH + Duration::from_nanos(n))
        .map_err(|_| format!("the instant {nanos} is before 1970"))
}

/// The store's own clock, for bookkeeping columns (`created_at`,
/// `updated_at`) only: nothing that decides what may happen reads it.
pub(crate) fn wall_clock() -> i64 {
    nanos(SystemTime::now()).unwrap_or(0)
}

/// The columns of an instance row, ready to bind, and the steps to insert.
pub(crate) struct Columns<'i> {
    pub state: &'static str,
    pub started_at: Option<i64>,
    pub entered_at: i64,
    pub data: String,
    pub version: i64,
    pub next_due: Option<i64>,
    /// When it entered each compound state it is inside ([`within_text`]),
    /// for a workflow with a timer on a compound state.
    pub entered_within: Option<String>,
    /// The history's steps from number `first + 1` on.
    pub steps: Vec<NewStep<'i>>,
    /// How many steps come before `steps` (the version stored).
    pub first: i64,
}

/// A step as its row.
pub(crate) struct NewStep<'i> {
    step: &'i Step,
    at: i64,
}

impl<'i> NewStep<'i> {
    /// `step`, taken at `at` (nanoseconds since the Unix epoch).
    pub(crate) fn new(step: &'i Step, at: i64) -> Self {
        NewStep { step, at }
    }
}

impl<'i> Columns<'i> {
    /// The row of `instance`, with the steps of its history after the
    /// first `stored` ones (those already in the database).
    pub fn of<W: Dispatch + Serialize>(
        id: &str,
        instance: &'i Instance<W>,
        stored: i64,
    ) -> Result<Self, StoreError> {
        let unstorable = |problem: String| StoreError::Unstorable {
            workflow: W::NAME,
            id: id.to_string(),
            problem,
        };
        crate::text::name(crate::ID, id)?;
        let taken = instance.steps_taken();
        let held = instance.trail();
        // The history's index of the first step held.
        let first_held = taken - held.len();
        let from = usize::try_from(stored).map_err(|e| unstorable(e.to_string()))?;
        if taken < from {
            return Err(unstorable(format!(
                "its history has {taken} steps, fewer than the {stored} stored"
            )));
        }
        if first_held > from {
            return Err(unstorable(format!(
                "it holds its history from step {} on, not the steps after the {stored} stored",
                first_held + 1
            )));
        }
        let data = serde_json::to_string(instance.data())
            .map_err(|e| unstorable(format!("its data does not serialize: {e}")))?;
        let steps = held[from - first_held..]
            .iter()
            .map(|step| {
                Ok(NewStep {
                    step,
                    at: nanos(step.at)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(unstorable)?;
        for new in &steps {
            let step = new.step;
            crate::text::name("the event name", &step.event)?;
            crate::text::name_opt("the actor's id", step.actor.as_deref())?;
            crate::text::name_opt("the actor's role", step.role.as_deref())?;
            crate::text::json_opt("the payload", step.payload.as_deref())?;
        }
        Ok(Columns {
            state: instance.state(),
            started_at: instance
                .started_at()
                .map(nanos)
                .transpose()
                .map_err(unstorable)?,
            entered_at: nanos(instance.entered_at()).map_err(unstorable)?,
            data,
            version: i64::try_from(taken).map_err(|e| unstorable(e.to_string()))?,
            // A due instant past what the column holds is as good as never.
            next_due: instance.next_due().and_then(|(_, at)| nanos(at).ok()),
            entered_within: within_text(instance.entered_within()).map_err(unstorable)?,
            steps,
            first: stored,
        })
    }
}

/// The `entered_within` column of instants (`None` for none): each in
/// nanoseconds since the Unix epoch, outermost compound first, joined by
/// commas.
pub(crate) fn within_text(within: &[SystemTime]) -> Result<Option<String>, String> {
    if within.is_empty() {
        return Ok(None);
    }
    let nanos: Vec<String> = within
        .iter()
        .map(|at| nanos(*at).map(|n| n.to_string()))
        .collect::<Result<_, _>>()?;
    Ok(Some(nanos.join(",")))
}

/// The instants of an `entered_within` column ([`within_text`]).
pub(crate) fn within_of(text: Option<&str>) -> Result<Vec<SystemTime>, String> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|n| {
            let n: i64 = n
                .parse()
                .map_err(|_| format!("its compounds' entry instants `{text}` are not numbers"))?;
            instant(n)
        })
        .collect()
}

/// The columns of a step row that are bound, in order.
const STEP_COLUMNS: usize = 11;

/// The transaction's place in the outbox's order (migration 0005), as a
/// SQL expression.
fn txid_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "pg_current_xact_id()::text::bigint",
        // Under SQLite's write lock, taken by every writing transaction.
        Backend::Sqlite => "(SELECT COALESCE(MAX(txid), 0) + 1 FROM turnstile_steps)",
    }
}

/// The columns a step's insert names: those [`step_params`] lists, then
/// `txid`.
const STEP_INSERT: &str = "INSERT INTO turnstile_steps \
     (workflow, id, seq, from_state, event, to_state, at, actor, role, payload, migrated, txid)";

/// `($n, …), (…)`: a tuple of [`STEP_COLUMNS`] parameters per step, numbered
/// from `$offset + 1`, each ending with `last` if given.
fn step_tuples(rows: usize, offset: usize, last: Option<&str>) -> String {
    (0..rows)
        .map(|row| {
            let mut columns: Vec<String> = (0..STEP_COLUMNS)
                .map(|column| format!("${}", offset + row * STEP_COLUMNS + column + 1))
                .collect();
            columns.extend(last.map(str::to_string));
            format!("({})", columns.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The insert of `rows` steps, whose parameters are numbered from
/// `$offset + 1`.
pub(crate) fn insert_sql(backend: Backend, rows: usize, offset: usize) -> String {
    format!(
        "{STEP_INSERT} VALUES {}",
        step_tuples(rows, offset, Some(txid_sql(backend)))
    )
}

/// SQLite: the steps' insert that follows [`UPDATE_ROW`] in one
/// statement text, inserting nothing unless that update changed a row
/// (`changes()` is the count of the statement completed before).
fn insert_after_update(rows: usize, offset: usize) -> String {
    let columns: Vec<String> = (1..=STEP_COLUMNS).map(|c| format!("column{c}")).collect();
    format!(
        "{STEP_INSERT} SELECT {}, {} FROM (VALUES {}) WHERE changes() = 1",
        columns.join(", "),
        txid_sql(Backend::Sqlite),
        step_tuples(rows, offset, None)
    )
}

/// PostgreSQL: the row's update and the steps' insert as one statement,
/// inserting nothing unless the update changed the row (its `RETURNING`
/// row is what the insert selects from).
fn update_then_insert(rows: usize, offset: usize) -> String {
    let names: Vec<String> = (1..=STEP_COLUMNS).map(|c| format!("c{c}")).collect();
    format!(
        "WITH updated AS ({UPDATE_ROW} RETURNING 1) {STEP_INSERT} \
         SELECT v.*, {} FROM (VALUES {}) AS v({}) WHERE EXISTS (SELECT 1 FROM updated)",
        txid_sql(Backend::Postgres),
        step_tuples(rows, offset, None),
        names.join(", ")
    )
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// A value for a statement's parameter, as both drivers bind it: the
/// fires on a SQLite file bind through rusqlite (`sqlite.rs`), everything
/// else through sqlx. Each statement's parameters are listed once, in
/// order, by one function ([`update_params`], [`step_params`], …).
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Int(i64),
    MaybeInt(Option<i64>),
    Text(String),
    MaybeText(Option<String>),
}

/// Binds `params` to `query`, in order.
pub(crate) fn bind_all(mut query: AnyQuery<'_>, params: Vec<Param>) -> AnyQuery<'_> {
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(v),
            Param::MaybeInt(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
            Param::MaybeText(v) => query.bind(v),
        };
    }
    query
}

/// The parameters of `steps`' insert (numbered from `first + 1`):
/// [`STEP_COLUMNS`] per step.
pub(crate) fn step_params(
    workflow: &str,
    id: &str,
    first: i64,
    steps: &[NewStep<'_>],
) -> Vec<Param> {
    let mut params = Vec::with_capacity(steps.len() * STEP_COLUMNS);
    for (seq, new) in (first + 1..).zip(steps) {
        let s = new.step;
        params.extend([
            Param::Text(workflow.to_string()),
            Param::Text(id.to_string()),
            Param::Int(seq),
            Param::Text(s.from.clone()),
            Param::Text(s.event.clone()),
            Param::Text(s.to.clone()),
            Param::Int(new.at),
            Param::MaybeText(s.actor.clone()),
            Param::MaybeText(s.role.clone()),
            Param::MaybeText(s.payload.clone()),
            Param::MaybeText(s.migrated.as_ref().map(|v| match &v.before {
                Some(before) => format!("{} {} {before}", v.from, v.to),
                None => format!("{} {}", v.from, v.to),
            })),
        ]);
    }
    params
}

/// Inserts `steps`, numbered from `first + 1`, in one statement per 50
/// steps (a fire writes one to a few; a migration rewrites histories).
pub(crate) async fn insert_steps(
    conn: &mut AnyConnection,
    backend: Backend,
    workflow: &str,
    id: &str,
    first: i64,
    steps: &[NewStep<'_>],
) -> Result<(), StoreError> {
    for (n, chunk) in steps.chunks(50).enumerate() {
        let sql = insert_sql(backend, chunk.len(), 0);
        let from = first + 50 * n as i64;
        bind_all(sqlx::query(&sql), step_params(workflow, id, from, chunk))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The instance row's update, with the version check: parameters `$1` to
/// `$11`.
pub(crate) const UPDATE_ROW: &str = "UPDATE turnstile_instances SET fingerprint = $1, state = $2, \
     entered_at = $3, data = $4, version = $5, next_due = $6, updated_at = $7, entered_within = $8 \
     WHERE workflow = $9 AND id = $10 AND version = $11";

/// How many parameters [`UPDATE_ROW`] takes.
const UPDATE_PARAMS: usize = 11;

/// The parameters of [`UPDATE_ROW`].
pub(crate) fn update_params<W: Dispatch>(
    id: &str,
    expected: i64,
    columns: &Columns<'_>,
) -> Vec<Param> {
    vec![
        Param::Text(W::FINGERPRINT.to_string()),
        Param::Text(columns.state.to_string()),
        Param::Int(columns.entered_at),
        Param::Text(columns.data.clone()),
        Param::Int(columns.version),
        Param::MaybeInt(columns.next_due),
        Param::Int(wall_clock()),
        Param::MaybeText(columns.entered_within.clone()),
        Param::Text(W::NAME.to_string()),
        Param::Text(id.to_string()),
        Param::Int(expected),
    ]
}

/// Writes `columns` over the row of `id` if its version is still
/// `expected` (and the current definition's fingerprint with them);
/// otherwise says whether the row moved on or is gone.
pub(crate) async fn update_row<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
    columns: &Columns<'_>,
) -> Result<(), StoreError> {
    let updated = bind_all(
        sqlx::query(UPDATE_ROW),
        update_params::<W>(id, expected, columns),
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        return Ok(());
    }
    Err(moved::<W>(conn, id, expected).await?)
}

/// The version of an instance row (parameters: workflow, id).
pub(crate) const VERSION_SQL: &str =
    "SELECT version FROM turnstile_instances WHERE workflow = $1 AND id = $2";

/// Why a write based on version `expected` updated no row: the row moved
/// on ([`StoreError::Conflict`]) or is gone.
async fn moved<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    expected: i64,
) -> Result<StoreError, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(VERSION_SQL)
        .bind(W::NAME)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(moved_error(W::NAME, id, expected, found))
}

/// The error of a write based on version `expected` of a row now at
/// version `found`, or gone (`None`).
pub(crate) fn moved_error(
    workflow: &'static str,
    id: &str,
    expected: i64,
    found: Option<i64>,
) -> StoreError {
    match found {
        None => StoreError::NotFound {
            workflow,
            id: id.to_string(),
        },
        Some(found) => StoreError::Conflict {
            workflow,
            id: id.to_string(),
            expected,
            found,
        },
    }
}

/// Writes `instance`, read at version `expected`: its row and the steps
/// it took since, with the version check. Returns the version written.
pub(crate) async fn write<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    expected: i64,
    instance: &Instance<W>,
) -> Result<i64, StoreError> {
    let columns = Columns::of(id, instance, expected)?;
    let steps = columns.steps.len();
    if (1..=50).contains(&steps) {
        // One round trip for the update and the insert. SQLite: two
        // statements in one text (its driver runs each, and `$n` names the
        // n-th parameter in each), counting the row and the steps;
        // PostgreSQL: one statement, counting the steps.
        let (sql, written) = match backend {
            Backend::Sqlite => (
                format!(
                    "{UPDATE_ROW}; {}",
                    insert_after_update(steps, UPDATE_PARAMS)
                ),
                1 + steps as u64,
            ),
            Backend::Postgres => (update_then_insert(steps, UPDATE_PARAMS), steps as u64),
        };
        let mut params = update_params::<W>(id, expected, &columns);
        params.extend(step_params(W::NAME, id, columns.first, &columns.steps));
        let done = bind_all(sqlx::query(&sql), params)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() != written {
            // The update matched no row, so no step was inserted.
            return Err(moved::<W>(conn, id, expected).await?);
        }
        return Ok(columns.version);
    }
    update_row::<W>(conn, id, expected, &columns).await?;
    insert_steps(conn, backend, W::NAME, id, columns.first, &columns.steps).await?;
    Ok(columns.version)
}

/// [`write`], giving the instance back as stored.
pub(crate) async fn save_on<W: Dispatch + Serialize>(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &str,
    expected: i64,
    instance: Instance<W>,
) -> Result<Stored<W>, StoreError> {
    let version = write(conn, backend, id, expected, &instance).await?;
    Ok(Stored {
        id: id.to_string(),
        version,
        instance,
    })
}

/// An instance's row and the last step of its history, as [`HEAD_SQL`]
/// reads them.
#[derive(sqlx::FromRow)]
pub(crate) struct HeadRow {
    pub fingerprint: String,
    pub state: String,
    pub started_at: Option<i64>,
    pub entered_at: i64,
    pub data: String,
    pub version: i64,
    pub last_to: Option<String>,
    pub last_at: Option<i64>,
    /// Whether the last step is a migration step (its `migrated` column).
    pub last_migrated: Option<String>,
    pub owner: Option<String>,
    pub entered_within: Option<String>,
}

/// The statement that reads a [`HeadRow`] (parameters: workflow, id). The
/// last step by two lookups on the steps' primary key, one per column: a
/// join would let PostgreSQL's planner, misled by statistics from when the
/// table was small, scan the instance's whole history.
pub(crate) const HEAD_SQL: &str = concat!(
    "SELECT i.fingerprint, i.state, i.started_at, i.entered_at, i.data, i.version, i.owner, i.entered_within, ",
    "(SELECT s.to_state FROM turnstile_steps s ",
    "WHERE s.workflow = i.workflow AND s.id = i.id AND s.seq = i.version) AS last_to, ",
    "(SELECT s.at FROM turnstile_steps s ",
    "WHERE s.workflow = i.workflow AND s.id = i.id AND s.seq = i.version) AS last_at, ",
    "(SELECT s.migrated FROM turnstile_steps s ",
    "WHERE s.workflow = i.workflow AND s.id = i.id AND s.seq = i.version) AS last_migrated ",
    "FROM turnstile_instances i WHERE i.workflow = $1 AND i.id = $2"
);

/// Reads the head of instance `id` (its row and its last step) and makes
/// the instance it stores, without its history, and gives its owner: what
/// firing needs, at a cost that does not grow with the history. `lock`
/// takes the row's lock for the rest of the transaction (PostgreSQL's `FOR
/// UPDATE`; SQLite's writers hold the database's lock from `BEGIN
/// IMMEDIATE` instead). The checks are [`head_of`]'s.
pub(crate) async fn read_head<W: Dispatch + DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &str,
    lock: bool,
    upgrade: Upgrade<'_>,
) -> Result<(Stored<W>, Option<String>), StoreError> {
    if lock {
        // One statement reads the head and locks the row. If it waited for
        // another writer's lock, PostgreSQL (READ COMMITTED) gives the row
        // as that writer committed it, but the last step's sub-selects keep
        // the statement's snapshot, from before that writer's step: the
        // head then names a step it cannot find, and is read again. The
        // next statement, under the lock now held, sees both.
        let row: Option<HeadRow> = sqlx::query_as(&format!("{HEAD_SQL} FOR UPDATE OF i"))
            .bind(W::NAME)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        let history = history_if_previous::<W>(conn, id, row.as_ref()).await?;
        match head_of::<W>(id, row, upgrade, history) {
            Err(StoreError::BadRow { .. }) => {}
            read => return read,
        }
    }
    let row: Option<HeadRow> = sqlx::query_as(HEAD_SQL)
        .bind(W::NAME)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let history = history_if_previous::<W>(conn, id, row.as_ref()).await?;
    head_of::<W>(id, row, upgrade, history)
}

/// The steps `instance` took since it was read at `version` (the end of
/// its trail), and whether one of them is a transition: a row of a
/// previous version read for firing holds a migration step that waits for
/// a write that does something, and alone is not written.
pub(crate) fn taken_since<W: Dispatch>(instance: &Instance<W>, version: i64) -> (&[Step], bool) {
    let new = usize::try_from(instance.steps_taken() as i64 - version).unwrap_or(0);
    let trail = instance.trail();
    let steps = &trail[trail.len().saturating_sub(new)..];
    (steps, steps.iter().any(|step| !step.is_migration()))
}

/// Whether a row of `W`'s with this fingerprint is of a previous version
/// this build reads (and moves, with its whole history).
pub(crate) fn is_previous<W: Dispatch>(fingerprint: &str) -> bool {
    fingerprint != W::FINGERPRINT && W::PREVIOUS.contains(&fingerprint)
}

/// The whole history of instance `id`, where its head `row` is of a
/// previous version (what moving it needs); `None` otherwise.
async fn history_if_previous<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    row: Option<&HeadRow>,
) -> Result<Option<Vec<StepRow>>, StoreError> {
    if !row.is_some_and(|r| is_previous::<W>(&r.fingerprint)) {
        return Ok(None);
    }
    let steps: Vec<StepRow> = sqlx::query_as(&format!(
        "SELECT {STEP_SELECT} FROM turnstile_steps WHERE workflow = $1 AND id = $2 ORDER BY seq"
    ))
    .bind(W::NAME)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(steps))
}

/// Who moves a row of a previous version ([`Dispatch::PREVIOUS`]) to this
/// one as it is read for firing, and when: the migration step
/// ([`Instance::from_previous_row`]) is written with the fire's steps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Upgrade<'a> {
    /// Who: the actor firing, if they said.
    pub by: Option<&'a str>,
    /// When: the fire's instant.
    pub at: SystemTime,
}

/// The instance a [`HeadRow`] of `id` stores (`None`: there is no such
/// row), and its owner.
///
/// Checked, and refused with [`StoreError::BadRow`]: the fingerprint, the
/// data, the state, instants in range, and that the history's last step
/// (number `version`) exists, ends in the stored state and was taken when
/// the state was entered. The steps before it are not read: the full
/// replay is [`read_row`]'s (through `Store::load` and `Store::verify`).
pub(crate) fn head_of<W: Dispatch + DeserializeOwned>(
    id: &str,
    row: Option<HeadRow>,
    upgrade: Upgrade<'_>,
    history: Option<Vec<StepRow>>,
) -> Result<(Stored<W>, Option<String>), StoreError> {
    let bad = |problem: String| StoreError::BadRow {
        workflow: W::NAME,
        id: id.to_string(),
        problem,
    };
    let row = row.ok_or_else(|| StoreError::NotFound {
        workflow: W::NAME,
        id: id.to_string(),
    })?;
    check_fingerprint::<W>(id, &row.fingerprint)?;
    let entered_at = instant(row.entered_at).map_err(bad)?;
    let steps_taken =
        usize::try_from(row.version).map_err(|_| bad(format!("its version is {}", row.version)))?;
    if steps_taken > 0 {
        match (&row.last_to, row.last_at) {
            (Some(to), Some(at)) => {
                if *to != row.state {
                    return Err(bad(format!(
                        "its last step ends in `{to}`, but the stored state is `{}`",
                        row.state
                    )));
                }
                // A migration step keeps the instant its state was
                // entered; any other step is that instant.
                if row.last_migrated.is_some() && at < row.entered_at {
                    return Err(bad(
                        "its last step, a migration, is earlier than the state was entered"
                            .to_string(),
                    ));
                }
                if row.last_migrated.is_none() && at != row.entered_at {
                    return Err(bad(
                        "the state was entered at another instant than the last step's".to_string(),
                    ));
                }
            }
            _ => {
                return Err(bad(format!(
                    "its version is {} but its history has no step {}",
                    row.version, row.version
                )))
            }
        }
    }
    let data: W = serde_json::from_str(&row.data)
        .map_err(|e| bad(format!("its data does not read as {}: {e}", W::NAME)))?;
    let started_at = row.started_at.map(instant).transpose().map_err(bad)?;
    let within = within_of(row.entered_within.as_deref()).map_err(bad)?;
    let instance = if row.fingerprint == W::FINGERPRINT {
        Instance::resume_head_within(
            started_at,
            &row.state,
            data,
            entered_at,
            &within,
            steps_taken,
        )
    } else {
        // A previous version's (the fingerprint was checked above): moved
        // with its whole history, checked under the version each step was
        // taken in, and the promises of this version's properties.
        let history = history
            .ok_or_else(|| bad("its history was not read".to_string()))?
            .into_iter()
            .enumerate()
            .map(|(n, step)| {
                if step.seq != n as i64 + 1 {
                    return Err(format!("its history has no step {}", n + 1));
                }
                step.into_step()
            })
            .collect::<Result<Vec<Step>, String>>()
            .map_err(bad)?;
        if history.len() != steps_taken {
            return Err(bad(format!(
                "its version is {} but its history has {} steps",
                row.version,
                history.len()
            )));
        }
        let latest = history.last().map_or(entered_at, |s| s.at).max(entered_at);
        Instance::from_previous_row(
            turnstile_runtime::snapshot::Envelope {
                format: turnstile_runtime::snapshot::FORMAT.to_string(),
                workflow: W::NAME.to_string(),
                fingerprint: row.fingerprint.clone(),
                state: row.state.clone(),
                started_at,
                entered_at,
                data,
                trail: history,
            },
            upgrade.by,
            upgrade.at.max(latest),
            &row.data,
        )
    }
    .map_err(|e| bad(e.to_string()))?;
    Ok((
        Stored {
            id: id.to_string(),
            version: row.version,
            instance,
        },
        row.owner,
    ))
}

/// A row of this version, or of one this build reads as its own
/// ([`Dispatch::PREVIOUS`]: written back under this version's fingerprint
/// on its next write), passes; any other is another version's.
fn check_fingerprint<W: Dispatch>(id: &str, found: &str) -> Result<(), StoreError> {
    if found == W::FINGERPRINT || W::PREVIOUS.contains(&found) {
        return Ok(());
    }
    Err(StoreError::OtherVersion {
        workflow: W::NAME,
        id: id.to_string(),
        stored: found.to_string(),
        current: W::FINGERPRINT,
    })
}

/// An instance row as [`read_row`] reads it.
#[derive(sqlx::FromRow)]
struct InstanceRow {
    fingerprint: String,
    state: String,
    started_at: Option<i64>,
    entered_at: i64,
    data: String,
    version: i64,
    entered_within: Option<String>,
}

/// A step row: the columns every reader of steps selects
/// ([`STEP_SELECT`]).
#[derive(sqlx::FromRow)]
pub(crate) struct StepRow {
    pub seq: i64,
    pub from_state: String,
    pub event: String,
    pub to_state: String,
    pub at: i64,
    pub actor: Option<String>,
    pub role: Option<String>,
    pub payload: Option<String>,
    pub migrated: Option<String>,
}

/// The columns of [`StepRow`], for a `SELECT`.
pub(crate) const STEP_SELECT: &str =
    "seq, from_state, event, to_state, at, actor, role, payload, migrated";

impl StepRow {
    /// The step, or the problem with its instant.
    pub fn into_step(self) -> Result<Step, String> {
        Ok(Step {
            at: instant(self.at)?,
            from: self.from_state,
            event: self.event,
            to: self.to_state,
            actor: self.actor,
            role: self.role,
            payload: self.payload,
            migrated: match self.migrated {
                None => None,
                Some(text) => {
                    let words: Vec<&str> = text.split(' ').collect();
                    let (from, to, before) = match words.as_slice() {
                        [from, to] => (*from, *to, None),
                        [from, to, before] => (*from, *to, Some(before.to_string())),
                        _ => {
                            return Err(format!(
                                "its migration step names the versions `{text}`, not two fingerprints and a digest"
                            ))
                        }
                    };
                    Some(turnstile_runtime::Versions {
                        from: from.to_string(),
                        to: to.to_string(),
                        before,
                    })
                }
            },
        })
    }
}

/// Step number `seq` of instance `id`'s history, if there is one.
pub(crate) async fn read_step(
    conn: &mut AnyConnection,
    workflow: &'static str,
    id: &str,
    seq: i64,
) -> Result<Option<Step>, StoreError> {
    let row: Option<StepRow> = sqlx::query_as(&format!(
        "SELECT {STEP_SELECT} FROM turnstile_steps WHERE workflow = $1 AND id = $2 AND seq = $3"
    ))
    .bind(workflow)
    .bind(id)
    .bind(seq)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|step| {
        step.into_step().map_err(|problem| StoreError::BadRow {
            workflow,
            id: id.to_string(),
            problem,
        })
    })
    .transpose()
}

/// A row and its whole history as stored, read in one transaction (or
/// with the row locked), checked only for what every reader needs: the
/// history numbered 1, 2, … up to the version, and instants in range.
pub(crate) struct RawRow {
    pub fingerprint: String,
    pub state: String,
    pub started_at: Option<SystemTime>,
    pub entered_at: SystemTime,
    pub data: String,
    pub version: i64,
    pub trail: Vec<Step>,
    /// The `entered_within` column, as stored.
    pub entered_within: Option<String>,
}

impl RawRow {
    /// The row as a snapshot's envelope, its data read as `data`; and the
    /// data's text as stored.
    pub(crate) fn into_envelope<D>(
        self,
        workflow: &str,
        data: D,
    ) -> (turnstile_runtime::snapshot::Envelope<D>, String) {
        let envelope = turnstile_runtime::snapshot::Envelope {
            format: turnstile_runtime::snapshot::FORMAT.to_string(),
            workflow: workflow.to_string(),
            fingerprint: self.fingerprint,
            state: self.state,
            started_at: self.started_at,
            entered_at: self.entered_at,
            data,
            trail: self.trail,
        };
        (envelope, self.data)
    }
}

pub(crate) async fn read_row(
    conn: &mut AnyConnection,
    workflow: &'static str,
    id: &str,
) -> Result<RawRow, StoreError> {
    let bad = |problem: String| StoreError::BadRow {
        workflow,
        id: id.to_string(),
        problem,
    };
    let row: InstanceRow = sqlx::query_as(
        "SELECT fingerprint, state, started_at, entered_at, data, version, entered_within \
         FROM turnstile_instances WHERE workflow = $1 AND id = $2",
    )
    .bind(workflow)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        workflow,
        id: id.to_string(),
    })?;
    let rows: Vec<StepRow> = sqlx::query_as(&format!(
        "SELECT {STEP_SELECT} FROM turnstile_steps WHERE workflow = $1 AND id = $2 ORDER BY seq"
    ))
    .bind(workflow)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut trail = Vec::with_capacity(rows.len());
    for (expected, step) in (1i64..).zip(rows) {
        if step.seq != expected {
            return Err(bad(format!("its history has no step {expected}")));
        }
        trail.push(step.into_step().map_err(bad)?);
    }
    if trail.len() as i64 != row.version {
        return Err(bad(format!(
            "its version is {} but its history has {} steps",
            row.version,
            trail.len()
        )));
    }
    Ok(RawRow {
        fingerprint: row.fingerprint,
        state: row.state,
        started_at: row.started_at.map(instant).transpose().map_err(bad)?,
        entered_at: instant(row.entered_at).map_err(bad)?,
        data: row.data,
        version: row.version,
        trail,
        entered_within: row.entered_within,
    })
}

/// Reads instance `id` with its whole history and replays it
/// ([`Instance::resume`]): the full check.
pub(crate) async fn load_on<W: Dispatch + DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Stored<W>, StoreError> {
    let bad = |problem: String| StoreError::BadRow {
        workflow: W::NAME,
        id: id.to_string(),
        problem,
    };
    let raw = read_row(conn, W::NAME, id).await?;
    check_fingerprint::<W>(id, &raw.fingerprint)?;
    let data: W = serde_json::from_str(&raw.data)
        .map_err(|e| bad(format!("its data does not read as {}: {e}", W::NAME)))?;
    let (this_version, version, stored_within) = (
        raw.fingerprint == W::FINGERPRINT,
        raw.version,
        raw.entered_within.clone(),
    );
    let instance = if this_version {
        Instance::resume(raw.started_at, &raw.state, data, raw.entered_at, raw.trail)
    } else {
        // A previous version's, shown as this version's: its migration
        // step, dated now, is not written (the next fire writes its own).
        let last = raw.trail.last().map_or(raw.entered_at, |s| s.at);
        let now = SystemTime::now().max(last).max(raw.entered_at);
        Instance::from_previous(raw.into_envelope(W::NAME, data).0, None, now)
    }
    .map_err(|e| bad(e.to_string()))?;
    // What firing reads (the head) must be what the history replays to.
    let replayed = within_text(instance.entered_within()).map_err(bad)?;
    if this_version && replayed != stored_within {
        return Err(bad(format!(
            "its compounds' entry instants are stored as {:?}, but its history replays to {:?}",
            stored_within.as_deref().unwrap_or(""),
            replayed.as_deref().unwrap_or("")
        )));
    }
    Ok(Stored {
        id: id.to_string(),
        version,
        instance,
    })
}
