//! A reference HTTP service over the account workflows, on the store.
//!
//! ```sh
//! export TURNSTILE_JWT_SECRET="$(head -c 32 /dev/urandom | base64)"     # callers' tokens are signed with it
//! cargo run -p turnstile-service                                     # SQLite: account_service.db
//! cargo run -p turnstile-service -- \
//!     --database postgres://user@host/db --listen 0.0.0.0:8080             # PostgreSQL
//! cargo run -q -p turnstile-service -- token --sub alice --roles customer   # a caller's token
//! ```
//!
//! Every route but `GET /health` needs `Authorization: Bearer <token>`: a
//! JWT signed with HS256 under the secret (`TURNSTILE_JWT_SECRET` or
//! `--jwt-secret-file PATH`, at least 32 bytes; the service does not start
//! without one), with the claims `sub` (the caller's id), `roles` and `exp`.
//! No token, or a bad, expired or forged one: 401 `unauthorized`. A caller
//! sees, lists and fires only the instances it owns (those it created;
//! another's answers 404, as a missing one does), unless it holds a role
//! trusted with every instance (`staff` and `system`; `--all-instances-roles
//! A,B` says otherwise). The token's `sub` and `roles` are the actor of
//! each step: the definition's `by` decides what each role may fire (403
//! `forbidden` otherwise). See `auth.rs`.
//!
//! Routes (`{workflow}` is `sign_up`, `account_upgrade`, `phone_change`,
//! `partner_association`, `service_closing`, `account_restriction`,
//! `details_change`, or
//! `account`, the account as one machine, whose parallel regions an
//! instance shows as `service/src/regions.rs` says; bodies are JSON):
//!
//! | route | what |
//! |---|---|
//! | `GET /health` | 200 `{"status": "ok"}` when the database answers, 503 otherwise |
//! | `POST /{workflow}` `{"id", "data", "at"?, "owner"?}` | create an instance (201), owned by the caller (or by `owner`, for a caller trusted with every instance); with an `Idempotency-Key`, a repeat answers 201 with the instance and `Idempotency-Replayed: true` instead of 409 |
//! | `GET /{workflow}?state=&after=&limit=` | list the instances the caller may see |
//! | `GET /{workflow}/{id}` | state, events allowed now, timers, history, data |
//! | `POST /{workflow}/{id}/events` `{"event", "payload"?, "version"?, "at"?}` | fire an event by name, with what it brings (any JSON) for an event whose definition says `payload`; an `Idempotency-Key` header makes a retry safe. The answer is the instance with the `steps` this request took (timers that fell due first, then the event) |
//!
//! `at` is when the step happened, in milliseconds since 1970 (default:
//! now), for events that reach the service after the fact; `version`, if
//! given, must be the instance's version (optimistic concurrency across
//! clients). Errors are JSON `{"error", "message"}` (docs/store.md has
//! the whole table of statuses and codes): 400 a malformed request
//! (`malformed_request`), a name with a control character or a payload
//! with U+0000 (`invalid_text`), an unknown event (`unknown_event`); 401 no
//! valid token; 403 the actor holds none of the roles the transition names
//! (`forbidden`); 409 a `when` on another region that does not hold
//! (`condition_unmet`); 404 unknown workflow, instance (or another caller's) or
//! route; 405 a method the route lacks; 408 headers or a body too slow
//! (`request_timeout`); 409 event not allowed now (`not_allowed`), timer
//! not yet due (`not_yet`), an automatic timer came first (`overdue`), id
//! taken, version conflict, an `at` earlier than the instance's last
//! step (`clock_behind`: nothing is stored), or an instance stored under
//! another version of the definition (`other_version`, with
//! `stored_fingerprint` and this node's `fingerprint`: a node of that
//! version serves it, or a migration moves it); 413 a body over 64 KiB; 414
//! a URI and 431 headers too large to read; 422
//! guard refused, a payload missing, unreadable or not expected
//! (`bad_payload`), a key reused; 500 a stored row that does not load
//! (`bad_row`) or anything else (`internal`), whose detail is logged under
//! the request's id (`X-Request-Id`, and `request_id` in the body) and
//! never answered.
//!
//! A background task fires the automatic timers that fall due, every
//! `--tick-ms` milliseconds (default 1000), on every node: the store
//! makes each timer fire once.
//!
//! `Idempotency-Key: <1 to 255 characters>` on a fire: the first request
//! with a key fires and its outcome is recorded with the step; the same key
//! again (a client retrying after a timeout, from any node, after a
//! restart) fires nothing and answers what the first did, with
//! `Idempotency-Replayed: true`: the refusal's status and message, or 200
//! with `replayed`, the `version` and `state` written and that `step`. The
//! same key with another event is 422 `idempotency_key_reused`. Keys are
//! per instance and kept `--keys-hours` (default 24).
//!
//! Every transition stored, timers' included, is written as one
//! `transition` line (workflow, id, seq, from, event, to, at, actor, role)
//! by a notifier that follows the store's outbox as the consumer
//! `notifications`, on every node; each step is written once across the
//! nodes, at least once across crashes.
//!
//! Request bodies are limited to 64 KiB (413 `body_too_large`, unread when
//! `Content-Length` says so). A client has `--header-timeout-ms` (10 s) for
//! a request's headers and `--body-timeout-ms` (30 s) for its body: 408
//! `request_timeout` past either.
//! Logs go to standard output, one line per request (method, path,
//! status, duration; never a header or a body) and per timer fired: text,
//! or one JSON object per line with `--log json`. On SIGTERM or SIGINT the
//! service stops accepting connections, lets the requests in flight
//! finish, stops the timer runner between two ticks, closes the pool and
//! exits 0.

#![forbid(unsafe_code)]

mod auth;
mod extract;
mod http;
mod regions;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth::Caller;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use extract::{Body, IdempotencyKey};
use http::{body_too_large, read_body, requests, serve, Limits};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::watch;
use turnstile_account::Account;
use turnstile_runtime::regions::Parallel;
use turnstile_runtime::{Dispatch, Instance};
use turnstile_store::{
    FireRequest, Keyed, KeyedRegions, Recorded, Store, StoreError, Stored, StoredRegions,
};
use turnstile_workflows::{
    AccountRestriction, AccountUpgrade, DetailsChange, PartnerAssociation, PhoneChange,
    ServiceClosing, SignUp,
};

/// The data types of the workflows served: the one list. `$m!([types…]
/// args…)` is called with them.
macro_rules! served {
    ($m:ident!($($args:tt)*)) => {
        $m!([SignUp, AccountUpgrade, PhoneChange, PartnerAssociation, ServiceClosing, AccountRestriction, DetailsChange] $($args)*)
    };
}

/// Runs `$body` with `W` the data type of the workflow named `$name` (its
/// definition's name, `Dispatch::NAME`), or answers 404; or, given
/// `other => fallback`, evaluates `fallback` with the name as `other`.
macro_rules! with_workflow {
    ($name:expr, $w:ident => $body:expr) => {
        with_workflow!($name, $w => $body, other => unknown_workflow(other))
    };
    ($name:expr, $w:ident => $body:expr, $other:ident => $fallback:expr) => {
        served!(dispatch_among!($name, $w => $body, $other => $fallback))
    };
}

/// `with_workflow!` over the types `served!` gives.
macro_rules! dispatch_among {
    ([$($t:ident),*] $name:expr, $w:ident => $body:expr, $other:ident => $fallback:expr) => {
        match $name {
            $(name if name == <$t as turnstile_runtime::Workflow>::NAME => {
                type $w = $t;
                $body
            })*
            $other => $fallback,
        }
    };
}

/// The names of `served!`'s workflows.
macro_rules! names_of {
    ([$($t:ident),*]) => {
        [$(<$t as turnstile_runtime::Workflow>::NAME),*]
    };
}

mod admin;

/// The workflows served, by name, in `served!`'s order.
const WORKFLOWS: [&str; 7] = served!(names_of!());

/// The workflow with parallel regions served beside them: the account as
/// one machine (`workflows/account/account.toml`).
const ACCOUNT: &str = <Account as turnstile_runtime::Workflow>::NAME;

/// 404 for a workflow the service does not serve.
fn unknown_workflow(name: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "unknown_workflow",
        format!(
            "no workflow named `{name}`: {} and {ACCOUNT} are served",
            WORKFLOWS.join(", ")
        ),
    )
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": code, "message": message.into() })),
    )
        .into_response()
}

/// The status and error code of a refusal, from its `Why::code()`: one
/// table for refusals met now and refusals replayed under a key.
fn refusal(code: &str) -> (StatusCode, &'static str) {
    match code {
        "unknown_event" => (StatusCode::BAD_REQUEST, "unknown_event"),
        "guard_refused" => (StatusCode::UNPROCESSABLE_ENTITY, "guard_refused"),
        "bad_payload" => (StatusCode::UNPROCESSABLE_ENTITY, "bad_payload"),
        "forbidden" => (StatusCode::FORBIDDEN, "forbidden"),
        "not_yet" => (StatusCode::CONFLICT, "not_yet"),
        "overdue" => (StatusCode::CONFLICT, "overdue"),
        "clock_behind" => (StatusCode::CONFLICT, "clock_behind"),
        "condition_unmet" => (StatusCode::CONFLICT, "condition_unmet"),
        _ => (StatusCode::CONFLICT, "not_allowed"),
    }
}

fn store_error(e: StoreError) -> Response {
    let message = e.to_string();
    match e {
        StoreError::NotFound { .. } => error(StatusCode::NOT_FOUND, "not_found", message),
        StoreError::Exists { .. } => error(StatusCode::CONFLICT, "exists", message),
        StoreError::Conflict { .. } => error(StatusCode::CONFLICT, "version_conflict", message),
        StoreError::Refused { why, .. } => {
            let (status, code) = refusal(why.code());
            error(status, code, message)
        }
        StoreError::KeyReused { .. } => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            message,
        ),
        StoreError::Instant(_) | StoreError::Unstorable { .. } => {
            error(StatusCode::BAD_REQUEST, "unstorable", message)
        }
        StoreError::BadText { .. } => error(StatusCode::BAD_REQUEST, "invalid_text", message),
        // A row another version of the definition wrote (a rolling deploy,
        // a rollback): a node of that version serves it, or a migration
        // moves it; this node neither reads nor writes it.
        StoreError::OtherVersion {
            stored, current, ..
        } => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": "other_version",
                "message": message,
                "stored_fingerprint": stored,
                "fingerprint": current,
            })),
        )
            .into_response(),
        StoreError::BadRow { .. } => {
            internal(StatusCode::INTERNAL_SERVER_ERROR, "bad_row", message)
        }
        _ => internal(StatusCode::INTERNAL_SERVER_ERROR, "internal", message),
    }
}

/// What a 5xx keeps from its client: the detail (a database's or a
/// driver's words, a row's contents), which the request's log line
/// carries under the request's id instead.
#[derive(Clone)]
struct Internal {
    code: &'static str,
    detail: String,
}

/// A 5xx whose body says only `code` and the request id (the
/// [`requests`] layer writes it) and whose log line says `detail`.
fn internal(status: StatusCode, code: &'static str, detail: String) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(Internal { code, detail });
    response
}

fn millis(at: SystemTime) -> Option<u64> {
    at.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
}

/// A request body, read as JSON of type `T`, or a 400 with serde's words.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            e.to_string(),
        ))
    })
}

fn instant(at: Option<u64>) -> SystemTime {
    at.map_or_else(SystemTime::now, |ms| UNIX_EPOCH + Duration::from_millis(ms))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create<W> {
    id: String,
    data: W,
    at: Option<u64>,
    /// Whose instance it is: the caller's own by default; only a caller
    /// trusted with every instance may name someone else.
    owner: Option<String>,
}

/// A fire's body. Who fires it, and in which roles, comes from the
/// caller's token, never from the body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fire {
    event: String,
    /// What the event brings, for an event whose definition says `payload`.
    payload: Option<Value>,
    version: Option<i64>,
    at: Option<u64>,
}

#[derive(Deserialize)]
struct ListQuery {
    state: Option<String>,
    after: Option<String>,
    limit: Option<i64>,
}

/// A step as the service shows it.
fn step_json(s: &turnstile_runtime::Step) -> Value {
    let mut step = json!({
        "from": s.from,
        "event": s.event,
        "to": s.to,
        "at": millis(s.at),
        "actor": s.actor,
        "role": s.role,
        "payload": s.payload,
    });
    // A migration step: the versions it moved the instance between.
    if let Some(m) = &s.migrated {
        step["migrated"] = json!({ "from": m.from, "to": m.to });
    }
    step
}

/// An instance as the service shows it, with its whole `history` (`GET`,
/// create), or with the `steps` one fire took (a fire reads no history, so
/// that its cost does not grow with it).
///
/// `allowed` is what `caller` may fire now (the events of the state that
/// do not happen by themselves, and whose roles the caller holds, if they
/// name any); `automatic`, what happens by itself once due (`timers`
/// says when).
fn show<W: Dispatch + Serialize>(stored: &Stored<W>, trail_as: &str, caller: &Caller) -> Value {
    let i = &stored.instance;
    let roles = caller.role_names();
    // A fire that moved a previous version's row read its whole history:
    // its steps are those from the migration on.
    let held = i.trail();
    let held = if trail_as == "steps" && i.holds_history() {
        let from = held.iter().rposition(|s| s.is_migration()).unwrap_or(0);
        &held[from..]
    } else {
        held
    };
    let trail: Vec<Value> = held.iter().map(step_json).collect();
    let mut shown = json!({
        "workflow": W::NAME,
        "id": stored.id,
        "version": stored.version,
        "state": i.state(),
        "entered_at": millis(i.entered_at()),
        "allowed": i.allowed_for(&caller.actor(&roles)),
        "automatic": i.automatic(),
        "timers": i.timers().iter().map(|t| json!({
            "event": t.event,
            "automatic": t.automatic,
            "due": t.due.and_then(millis),
        })).collect::<Vec<_>>(),
        "data": i.data(),
    });
    shown[trail_as] = Value::Array(trail);
    shown
}

/// Whose a new instance is: the caller's own, or the one it names if it
/// is trusted with every instance (403 otherwise).
fn owner_for(requested: Option<String>, caller: &Caller) -> Result<String, Box<Response>> {
    match requested {
        Some(owner) if owner != caller.id && !caller.all_instances => Err(Box::new(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "`{}` may create instances of its own only, not for `{owner}`",
                caller.id
            ),
        ))),
        Some(owner) => Ok(owner),
        None => Ok(caller.id.clone()),
    }
}

/// A valid new id (1 to 200 bytes), or the 400 that says so.
fn new_id(id: &str) -> Result<(), Box<Response>> {
    if id.is_empty() || id.len() > 200 {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "`id` must be 1 to 200 bytes",
        )));
    }
    Ok(())
}

async fn create_in<W: Dispatch + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    bytes: &Bytes,
    key: Option<&str>,
) -> Response {
    let request: Create<W> = match body(bytes) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    if let Err(response) = new_id(&request.id) {
        return *response;
    }
    let owner = match owner_for(request.owner, caller) {
        Ok(owner) => owner,
        Err(response) => return *response,
    };
    let instance = Instance::start(request.data, instant(request.at));
    let Some(key) = key else {
        return match store.create_owned(&request.id, instance, &owner).await {
            Ok(stored) => {
                (StatusCode::CREATED, Json(show(&stored, "history", caller))).into_response()
            }
            Err(e) => store_error(e),
        };
    };
    match store
        .create_keyed(&request.id, instance, Some(&owner), key)
        .await
    {
        Ok(Keyed::Fired(stored)) => {
            (StatusCode::CREATED, Json(show(&stored, "history", caller))).into_response()
        }
        // Created by the first request with this key: its instance as it
        // is now, for a caller who may see it; to anyone else the id is
        // simply taken.
        Ok(Keyed::Replayed(_)) => match store.owner::<W>(&request.id).await {
            Ok(owner) if caller.may_use(owner.as_deref()) => {
                match store.load::<W>(&request.id).await {
                    Ok(stored) => (
                        StatusCode::CREATED,
                        [("idempotency-replayed", "true")],
                        Json(show(&stored, "history", caller)),
                    )
                        .into_response(),
                    Err(e) => store_error(e),
                }
            }
            Ok(_) => store_error(StoreError::Exists {
                workflow: W::NAME,
                id: request.id.clone(),
            }),
            Err(e) => store_error(e),
        },
        Err(e) => store_error(e),
    }
}

async fn fire_in<W: Dispatch + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    id: &str,
    bytes: &Bytes,
    key: Option<&str>,
) -> Response {
    let request: Fire = match body(bytes) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let now = instant(request.at);
    let roles = caller.role_names();
    let payload = request.payload.as_ref().map(Value::to_string);
    let mut fire =
        FireRequest::new(&request.event, caller.actor(&roles), now).payload(payload.as_deref());
    if !caller.all_instances {
        // Another caller's instance answers 404, as one that does not exist.
        fire = fire.owner(&caller.id);
    }
    if let Some(version) = request.version {
        fire = fire.version(version);
    }
    if let Some(key) = key {
        // A key seen before is answered from its record, before anything
        // else is checked (a retried request's `version` is stale by then).
        fire = fire.key(key);
    }
    match store.submit::<W>(id, fire).await {
        Ok(Keyed::Fired(stored)) => Json(show(&stored, "steps", caller)).into_response(),
        Ok(Keyed::Replayed(recorded)) => replay::<W>(store, id, recorded).await,
        Err(e) => store_error(e),
    }
}

/// The answer to a repeated key: the status and code of the refusal it
/// recorded, or the version, state and step of the step it wrote (the
/// history's entry number `version`), with `Idempotency-Replayed: true`.
async fn replay<W: turnstile_runtime::Workflow>(
    store: &Store,
    id: &str,
    recorded: Recorded,
) -> Response {
    let replayed = [("idempotency-replayed", "true")];
    match recorded {
        Recorded::Refused { code, message } => {
            let (status, code) = refusal(&code);
            // Worded as `StoreError::Refused` words it the first time.
            let message = format!("{} instance `{id}`: {message}", W::NAME);
            (replayed, error(status, code, message)).into_response()
        }
        Recorded::Fired { version, state } => match store.step::<W>(id, version).await {
            Ok(step) => {
                let body = json!({
                    "workflow": W::NAME,
                    "id": id,
                    "replayed": true,
                    "version": version,
                    "state": state,
                    "step": step.as_ref().map(step_json),
                });
                (replayed, Json(body)).into_response()
            }
            Err(e) => store_error(e),
        },
    }
}

async fn create(
    State(store): State<Store>,
    caller: Caller,
    Path(workflow): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    Body(bytes): Body,
) -> Response {
    with_workflow!(workflow.as_str(), W => create_in::<W>(&store, &caller, &bytes, key.as_deref()).await, other => match other {
        ACCOUNT => regions::create_in::<Account>(&store, &caller, &bytes, key.as_deref()).await,
        other => unknown_workflow(other),
    })
}

async fn list(
    State(store): State<Store>,
    caller: Caller,
    Path(workflow): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    with_workflow!(workflow.as_str(), W => list_in::<W>(&store, &caller, &q).await, other => match other {
        ACCOUNT => list_in::<Account>(&store, &caller, &q).await,
        other => unknown_workflow(other),
    })
}

/// The instances of `W` the caller may see, as `GET /{workflow}` lists
/// them (a workflow with regions shows each region's state joined by `,`).
async fn list_in<W: turnstile_runtime::Workflow>(
    store: &Store,
    caller: &Caller,
    q: &ListQuery,
) -> Response {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let (state, after) = (q.state.as_deref(), q.after.as_deref());
    let listed = if caller.all_instances {
        store.list::<W>(state, after, limit).await
    } else {
        store.list_owned::<W>(&caller.id, state, after, limit).await
    };
    match listed {
        Ok(listed) => Json(json!({
            "instances": listed.iter().map(|l| json!({
                "id": l.id,
                "state": l.state,
                "version": l.version,
                "entered_at": millis(l.entered_at),
                "next_due": l.next_due.and_then(millis),
                "owner": l.owner,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => store_error(e),
    }
}

/// `GET /{workflow}/{id}`: the instance with its whole history, for its
/// owner or a caller trusted with every instance.
async fn show_in<W: Dispatch + Serialize + DeserializeOwned>(
    store: &Store,
    caller: &Caller,
    id: &str,
) -> Response {
    match store.owner::<W>(id).await {
        // Another caller's instance answers as one that does not exist.
        Ok(owner) if !caller.may_use(owner.as_deref()) => store_error(StoreError::NotFound {
            workflow: W::NAME,
            id: id.to_string(),
        }),
        Ok(_) => match store.load::<W>(id).await {
            Ok(stored) => Json(show(&stored, "history", caller)).into_response(),
            Err(e) => store_error(e),
        },
        Err(e) => store_error(e),
    }
}

async fn show_one(
    State(store): State<Store>,
    caller: Caller,
    Path((workflow, id)): Path<(String, String)>,
) -> Response {
    with_workflow!(workflow.as_str(), W => show_in::<W>(&store, &caller, &id).await, other => match other {
        ACCOUNT => regions::show_in::<Account>(&store, &caller, &id).await,
        other => unknown_workflow(other),
    })
}

async fn fire(
    State(store): State<Store>,
    caller: Caller,
    Path((workflow, id)): Path<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    Body(bytes): Body,
) -> Response {
    with_workflow!(workflow.as_str(), W => fire_in::<W>(&store, &caller, &id, &bytes, key.as_deref()).await, other => match other {
        ACCOUNT => regions::fire_in::<Account>(&store, &caller, &id, &bytes, key.as_deref()).await,
        other => unknown_workflow(other),
    })
}

/// Fires the due timers of every workflow, every `tick`, until `stop` says
/// so. A tick that has started finishes (each timer's step is its own
/// transaction, so stopping between two is safe too); the runner stops
/// between ticks.
async fn run_timers(
    store: Store,
    tick: Duration,
    keys_kept: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut forgotten_at: Option<std::time::Instant> = None;
    while !*stop.borrow() {
        // Idempotency keys older than the window, once a minute.
        if forgotten_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
            forgotten_at = Some(std::time::Instant::now());
            match store.forget_keys(keys_kept).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(forgotten = n, "idempotency keys past the window forgotten")
                }
                Err(e) => tracing::error!(error = %e, "idempotency keys not forgotten"),
            }
        }
        let now = SystemTime::now();
        for workflow in WORKFLOWS {
            let outcome = with_workflow!(workflow, W => {
                match store.run_due::<W>(now, 500).await {
                    Ok((fired, errors)) => {
                        for f in &fired {
                            for s in &f.steps {
                                tracing::info!(workflow, id = %f.id, from = %s.from, event = %s.event, to = %s.to, "timer fired");
                            }
                        }
                        for e in errors {
                            tracing::warn!(workflow, error = %e, "timer not fired");
                        }
                        StatusCode::OK.into_response()
                    }
                    Err(e) => {
                        tracing::error!(workflow, error = %e, "timers not run");
                        StatusCode::INTERNAL_SERVER_ERROR.into_response()
                    }
                }
            });
            drop(outcome);
        }
        // The account's regions: each region's timer as it falls due.
        match store.run_due_regions::<Account>(now, 500).await {
            Ok((fired, errors)) => {
                if fired > 0 {
                    tracing::info!(workflow = ACCOUNT, fired, "timers fired");
                }
                for e in errors {
                    tracing::warn!(workflow = ACCOUNT, error = %e, "timer not fired");
                }
            }
            Err(e) => tracing::error!(workflow = ACCOUNT, error = %e, "timers not run"),
        }
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("timer runner stopped");
}

/// The notifier: follows the outbox as the consumer `notifications` and
/// writes one `transition` line per step stored, timers' included, with
/// the workflow, the instance, the step's number and the step. Every node
/// runs it; the consumer's cursor makes each step written by one node's
/// notifier, at least once (a node killed between the line and its commit
/// writes the batch again from another node). Stops between two batches.
async fn notify(store: Store, mut stop: watch::Receiver<bool>) {
    const CONSUMER: &str = "notifications";
    // Its listening connection, tried again every 5 s while the database
    // does not answer.
    let mut waiter = loop {
        match store.waiter().await {
            Ok(waiter) => break waiter,
            Err(e) => {
                tracing::error!(error = %e, "the notifier cannot listen for steps yet: trying again in 5 s");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = stop.changed() => {}
                }
                if *stop.borrow() {
                    return;
                }
            }
        }
    };
    while !*stop.borrow() {
        let batch = store
            .consume(CONSUMER, 100, async |_, batch| {
                for d in batch {
                    let s = &d.step;
                    tracing::info!(
                        consumer = CONSUMER,
                        workflow = %d.workflow,
                        id = %d.id,
                        seq = d.seq,
                        from = %s.from,
                        event = %s.event,
                        to = %s.to,
                        at = millis(s.at),
                        actor = s.actor.as_deref(),
                        role = s.role.as_deref(),
                        "transition"
                    );
                }
                Ok::<(), std::convert::Infallible>(())
            })
            .await;
        match batch {
            Ok(n) => {
                waiter.delivered(n);
                if n > 0 {
                    continue;
                }
            }
            Err(e) => tracing::error!(error = %e, "the notifier's batch failed: it comes again"),
        }
        tokio::select! {
            () = waiter.wait(Duration::from_secs(5)) => {}
            _ = stop.changed() => {}
        }
    }
    tracing::info!("notifier stopped");
}

/// The service's routes over `store`: every one but `/health` behind the
/// bearer token `gate` checks.
fn app(store: Store, gate: auth::Gate, limits: Limits) -> Router {
    let workflows = Router::new()
        .route("/{workflow}", post(create).get(list))
        .route("/{workflow}/{id}", get(show_one))
        .route("/{workflow}/{id}/events", post(fire))
        .layer(middleware::from_fn_with_state(gate, auth::authenticate));
    Router::new()
        .route("/health", get(health))
        .merge(workflows)
        .fallback(no_route)
        .layer(middleware::from_fn_with_state(limits, read_body))
        .layer(middleware::from_fn(requests))
        .with_state(store)
}

/// 404 for a path no route serves.
async fn no_route(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route serves {method} {}", uri.path()),
    )
}

/// `GET /health`: 200 `{"status": "ok"}` when the database answers, 503
/// otherwise, for a load balancer's or an orchestrator's probe.
async fn health(State(store): State<Store>) -> Response {
    match store.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "backend": format!("{:?}", store.backend()) }))
            .into_response(),
        Err(e) => internal(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("health check: the database does not answer: {e}"),
        ),
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C), saying which.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    let signal = tokio::select! {
        () = interrupt => "SIGINT",
        () = terminate => "SIGTERM",
    };
    tracing::info!(signal, "shutting down: finishing the requests in flight");
}

struct Options {
    database: String,
    listen: SocketAddr,
    tick: Duration,
    json_logs: bool,
    keys_kept: Duration,
    secret_file: Option<String>,
    all_instances_roles: Vec<String>,
    limits: Limits,
    /// `token`: mint a token instead of serving.
    mint: Option<Mint>,
}

/// `account_service token --sub ID --roles A,B --hours N`.
struct Mint {
    sub: String,
    roles: Vec<String>,
    ttl: Duration,
}

fn list_of(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// The token secret: `--jwt-secret-file`, else `TURNSTILE_JWT_SECRET`.
fn secret(options: &Options) -> Result<Vec<u8>, String> {
    match &options.secret_file {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("--jwt-secret-file {path}: {e}"))?;
            Ok(bytes.trim_ascii().to_vec())
        }
        None => std::env::var("TURNSTILE_JWT_SECRET")
            .map(String::into_bytes)
            .map_err(|_| {
                "no token secret: set TURNSTILE_JWT_SECRET or give --jwt-secret-file \
                 (at least 32 bytes; every caller needs a token signed with it)"
                    .to_string()
            }),
    }
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        database: DEFAULT_DATABASE.to_string(),
        listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
        tick: Duration::from_secs(1),
        json_logs: false,
        keys_kept: Duration::from_secs(24 * 60 * 60),
        secret_file: None,
        all_instances_roles: vec!["staff".to_string(), "system".to_string()],
        limits: Limits::default(),
        mint: None,
    };
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("token") {
        args.next();
        options.mint = Some(Mint {
            sub: String::new(),
            roles: Vec::new(),
            ttl: Duration::from_secs(24 * 60 * 60),
        });
    }
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        if let Some(mint) = &mut options.mint {
            match arg.as_str() {
                "--sub" => mint.sub = value()?,
                "--roles" => mint.roles = list_of(&value()?),
                "--hours" => {
                    let v = value()?;
                    let hours: u64 = v.parse().map_err(|e| format!("--hours {v}: {e}"))?;
                    mint.ttl = Duration::from_secs(hours * 60 * 60);
                }
                "--jwt-secret-file" => options.secret_file = Some(value()?),
                other => {
                    return Err(format!(
                        "unknown argument `{other}`: token --sub ID --roles A,B [--hours N] [--jwt-secret-file PATH]"
                    ))
                }
            }
            continue;
        }
        match arg.as_str() {
            "--jwt-secret-file" => options.secret_file = Some(value()?),
            "--all-instances-roles" => options.all_instances_roles = list_of(&value()?),
            "--database" => options.database = value()?,
            "--listen" => {
                let v = value()?;
                options.listen = v.parse().map_err(|e| format!("--listen {v}: {e}"))?;
            }
            "--tick-ms" => {
                let v = value()?;
                let ms: u64 = v.parse().map_err(|e| format!("--tick-ms {v}: {e}"))?;
                options.tick = Duration::from_millis(ms.max(1));
            }
            "--header-timeout-ms" | "--body-timeout-ms" => {
                let v = value()?;
                let ms: u64 = v.parse().map_err(|e| format!("{arg} {v}: {e}"))?;
                let limit = Duration::from_millis(ms.max(1));
                if arg == "--header-timeout-ms" {
                    options.limits.headers = limit;
                } else {
                    options.limits.body = limit;
                }
            }
            "--keys-hours" => {
                let v = value()?;
                let hours: u64 = v.parse().map_err(|e| format!("--keys-hours {v}: {e}"))?;
                options.keys_kept = Duration::from_secs(hours * 60 * 60);
            }
            "--log" => match value()?.as_str() {
                "json" => options.json_logs = true,
                "text" => options.json_logs = false,
                v => return Err(format!("--log {v}: `text` or `json`")),
            },
            other => {
                return Err(format!(
                    "unknown argument `{other}`: --database URL, --listen ADDR, --tick-ms N, --keys-hours N, \
                     --header-timeout-ms N, --body-timeout-ms N, --log text|json, --jwt-secret-file PATH, --all-instances-roles A,B; or: token --sub ID --roles A,B"
                ))
            }
        }
    }
    if options.mint.as_ref().is_some_and(|m| m.sub.is_empty()) {
        return Err("token needs --sub ID (the caller's id)".to_string());
    }
    Ok(options)
}

/// Logs to standard output, at INFO and above: text for a terminal, or one
/// JSON object per line (`--log json`) for a log pipeline.
fn init_logs(json: bool) {
    let logs = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stdout)
        .with_target(false)
        .with_ansi(false);
    if json {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
}

/// A database URL as it may be logged: without the password it may carry
/// (`postgres://user:secret@host/db` → `postgres://user:***@host/db`).
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            if credentials.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                url.to_string()
            }
        }
        None => url.to_string(),
    }
}

/// The database the service and the operator's command open by default.
const DEFAULT_DATABASE: &str = "sqlite://account_service.db?mode=rwc";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("store") {
        return admin::main(args[1..].to_vec(), DEFAULT_DATABASE.to_string()).await;
    }
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let keys = match secret(&options).and_then(|s| auth::Keys::new(&s)) {
        Ok(keys) => keys,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Some(mint) = &options.mint {
        return match keys.mint(&mint.sub, &mint.roles, mint.ttl) {
            Ok(token) => {
                println!("{token}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let gate = auth::Gate {
        keys,
        all_instances_roles: options.all_instances_roles.clone(),
    };
    init_logs(options.json_logs);
    let store = match Store::open(&options.database).await {
        Ok(store) => store,
        Err(e) => {
            tracing::error!(database = %redacted(&options.database), error = %e, "cannot open the store");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(listen = %options.listen, error = %e, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or(options.listen, |a| a);
    tracing::info!(
        address = %format!("http://{address}"),
        backend = ?store.backend(),
        "listening on http://{address}"
    );
    let (stop, stopped) = watch::channel(false);
    let notifier = tokio::spawn(notify(store.clone(), stopped.clone()));
    let timers = tokio::spawn(run_timers(
        store.clone(),
        options.tick,
        options.keys_kept,
        stopped,
    ));
    // On SIGTERM or SIGINT: stop accepting, let the requests in flight
    // finish, then stop the timer runner between two ticks and the
    // notifier between two batches, then close the pool.
    serve(
        listener,
        app(store.clone(), gate, options.limits),
        options.limits,
        shutdown_signal(),
    )
    .await;
    let _ = stop.send(true);
    let _ = timers.await;
    let _ = notifier.await;
    store.close().await;
    tracing::info!("stopped");
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal code the runtime gives (`Why::code`) has its status
    /// and its own code: an overdue event is `overdue`, not `not_yet`.
    #[test]
    fn each_refusal_has_its_status_and_code() {
        for (code, status, answered) in [
            ("unknown_event", 400, "unknown_event"),
            ("forbidden", 403, "forbidden"),
            ("not_allowed", 409, "not_allowed"),
            ("not_yet", 409, "not_yet"),
            ("overdue", 409, "overdue"),
            ("clock_behind", 409, "clock_behind"),
            ("guard_refused", 422, "guard_refused"),
            ("bad_payload", 422, "bad_payload"),
        ] {
            assert_eq!(
                refusal(code),
                (StatusCode::from_u16(status).unwrap(), answered)
            );
        }
    }
}
