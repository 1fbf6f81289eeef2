//! Idempotency keys: one row of `turnstile_requests` per key a caller sent
//! with a fire, recording what came of it (see `Store::fire_keyed`).

use serde_json::{json, Value};
use sqlx::AnyConnection;
use turnstile_runtime::{Dispatch, Why};

use crate::rows::{bind_all, wall_clock, Param};
use crate::{Recorded, StoreError, Stored};

/// A key's row, as [`KEY_SQL`] reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub event: String,
    pub outcome: String,
}

/// The statement that reads a [`KeyRow`] (parameters: workflow, id, key).
pub(crate) const KEY_SQL: &str = "SELECT event, outcome FROM turnstile_requests \
     WHERE workflow = $1 AND id = $2 AND request_key = $3";

/// The outcome recorded under `key` for instance `id`, if any, checked
/// against the event asked for now ([`StoreError::KeyReused`] if the key
/// was sent with another one).
pub(crate) async fn recorded_on<W: Dispatch>(
    conn: &mut AnyConnection,
    id: &str,
    key: &str,
    event: &str,
) -> Result<Option<Recorded>, StoreError> {
    recorded_named(conn, W::NAME, id, key, event).await
}

/// [`recorded_on`], for the workflow named `workflow`.
pub(crate) async fn recorded_named(
    conn: &mut AnyConnection,
    workflow: &'static str,
    id: &str,
    key: &str,
    event: &str,
) -> Result<Option<Recorded>, StoreError> {
    let row: Option<KeyRow> = sqlx::query_as(KEY_SQL)
        .bind(workflow)
        .bind(id)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    recorded_of_named(workflow, id, key, event, row)
}

/// What a [`KeyRow`] of `key` on instance `id` (`None`: no such row)
/// records, checked against the event asked for now.
pub(crate) fn recorded_of<W: Dispatch>(
    id: &str,
    key: &str,
    event: &str,
    row: Option<KeyRow>,
) -> Result<Option<Recorded>, StoreError> {
    recorded_of_named(W::NAME, id, key, event, row)
}

/// [`recorded_of`], for the workflow named `workflow`.
pub(crate) fn recorded_of_named(
    workflow: &'static str,
    id: &str,
    key: &str,
    event: &str,
    row: Option<KeyRow>,
) -> Result<Option<Recorded>, StoreError> {
    let Some(KeyRow {
        event: recorded,
        outcome,
    }) = row
    else {
        return Ok(None);
    };
    if recorded != event {
        return Err(StoreError::KeyReused {
            workflow,
            id: id.to_string(),
            key: key.to_string(),
            recorded,
            event: event.to_string(),
        });
    }
    let bad = |problem: String| StoreError::BadRow {
        workflow,
        id: id.to_string(),
        problem: format!("the outcome recorded under key `{key}`: {problem}"),
    };
    let value: Value = serde_json::from_str(&outcome).map_err(|e| bad(e.to_string()))?;
    let field = |name: &str| value.get(name).and_then(Value::as_str);
    let found = match (value.get("version").and_then(Value::as_i64), field("state")) {
        (Some(version), Some(state)) => Recorded::Fired {
            version,
            state: state.to_string(),
        },
        _ => match (field("refused"), field("message")) {
            (Some(code), Some(message)) => Recorded::Refused {
                code: code.to_string(),
                message: message.to_string(),
            },
            _ => return Err(bad(format!("unexpected {outcome}"))),
        },
    };
    Ok(Some(found))
}

/// The statement that records a key ([`record_params`]).
pub(crate) const RECORD_SQL: &str =
    "INSERT INTO turnstile_requests (workflow, id, request_key, event, outcome, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";

/// Writes a key's record: [`RECORD_SQL`] with [`record_params`].
pub(crate) async fn record(conn: &mut AnyConnection, params: Vec<Param>) -> Result<(), StoreError> {
    bind_all(sqlx::query(RECORD_SQL), params)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The parameters of [`RECORD_SQL`]: under `key`, what firing `event`
/// came to (the version and state written, or the refusal's code and
/// message).
pub(crate) fn record_params<W: Dispatch>(
    id: &str,
    key: &str,
    event: &str,
    outcome: &Result<(), Why>,
    stored: &Stored<W>,
) -> Vec<Param> {
    named_params(
        W::NAME,
        id,
        key,
        event,
        outcome.as_ref().map(|_| ()),
        stored.version,
        stored.instance.state(),
    )
}

/// [`record_params`], for the workflow named `workflow`, whose instance
/// is now at `version` in `state` (as its row's `state` column says it).
pub(crate) fn named_params(
    workflow: &str,
    id: &str,
    key: &str,
    event: &str,
    outcome: Result<(), &Why>,
    version: i64,
    state: &str,
) -> Vec<Param> {
    let recorded = match outcome {
        Ok(()) => json!({
            "version": version,
            "state": state,
        }),
        Err(why) => json!({ "refused": why.code(), "message": why.to_string() }),
    };
    vec![
        Param::Text(workflow.to_string()),
        Param::Text(id.to_string()),
        Param::Text(key.to_string()),
        Param::Text(event.to_string()),
        Param::Text(recorded.to_string()),
        Param::Int(wall_clock()),
    ]
}
