//! Firing by name through the store: one transaction per fire, an
//! optional version check, idempotency keys, ownership.

use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;
use turnstile_runtime::{Actor, Dispatch, Instance, Why};

use crate::rows::{self, wall_clock, Param};
use crate::{keys, sqlite, text, Backend, Store, StoreError, Stored, WriteTx, ID};

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

/// A fire to make with [`Store::submit`]: the event, what it brings, who
/// fires it and when, and optionally the version it is based on and an
/// idempotency key.
///
/// ```
/// # use std::time::SystemTime;
/// # use turnstile_runtime::Actor;
/// use turnstile_store::FireRequest;
///
/// let holder = Actor::new("alice").with_roles(&["customer"]);
/// let request = FireRequest::new("close", holder, SystemTime::now())
///     .version(3)
///     .key("3f1c9a2e-close");
/// assert_eq!(request.event, "close");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FireRequest<'r> {
    /// The event's name.
    pub event: &'r str,
    /// What it brings (JSON text), for an event whose definition says
    /// `payload`.
    pub payload: Option<&'r str>,
    /// Who fires it: an identity and its roles.
    pub actor: Actor<'r>,
    /// When it happens (the caller's instant).
    pub at: SystemTime,
    /// The version the caller read: a stored version other than this one
    /// is [`StoreError::Conflict`].
    pub version: Option<i64>,
    /// The idempotency key (see [`Store::fire_keyed`]).
    pub key: Option<&'r str>,
    /// Fire only on an instance this actor id owns
    /// ([`Store::create_owned`]): any other, owned by someone else or by
    /// nobody, answers [`StoreError::NotFound`], so that a caller learns
    /// nothing of instances that are not theirs.
    pub owner: Option<&'r str>,
}

impl<'r> FireRequest<'r> {
    /// The event named `event`, fired by `actor` at `at`, with no payload,
    /// no version check and no key.
    pub fn new(event: &'r str, actor: impl Into<Actor<'r>>, at: SystemTime) -> Self {
        FireRequest {
            event,
            payload: None,
            actor: actor.into(),
            at,
            version: None,
            key: None,
            owner: None,
        }
    }

    /// With what the event brings.
    pub fn payload(mut self, payload: Option<&'r str>) -> Self {
        self.payload = payload;
        self
    }

    /// Fired only if the stored version is `version`.
    pub fn version(mut self, version: i64) -> Self {
        self.version = Some(version);
        self
    }

    /// Under the idempotency key `key`.
    pub fn key(mut self, key: &'r str) -> Self {
        self.key = Some(key);
        self
    }

    /// Only if `owner` owns the instance (see [`FireRequest::owner`]).
    pub fn owner(mut self, owner: &'r str) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Every text of the request against the store's rule for text
    /// ([`StoreError::BadText`]), before anything is read.
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        text::name("the event name", self.event)?;
        text::json_opt("the payload", self.payload)?;
        text::name_opt("the actor's id", self.actor.id())?;
        for role in self.actor.roles() {
            text::name("the actor's role", role)?;
        }
        text::name_opt("the idempotency key", self.key)?;
        text::name_opt("the owner", self.owner)
    }
}

/// Builds the error of a refused event.
fn refused<W: Dispatch>(id: &str, why: Why) -> StoreError {
    StoreError::Refused {
        workflow: W::NAME,
        id: id.to_string(),
        why: Box::new(why),
    }
}

/// A fire's transaction: through sqlx ([`WriteTx`]), or on a SQLite
/// file's writer thread ([`sqlite::Tx`]), whose writes wait for the
/// commit. The fire itself (what is checked, fired and written, in what
/// order) is written once, against this.
enum FireTx {
    Sql(WriteTx),
    Thread(sqlite::Tx),
}

impl FireTx {
    /// Reads instance `id`'s head, locking its row if `lock`.
    async fn head<W: Dispatch + DeserializeOwned>(
        &mut self,
        id: &str,
        lock: bool,
        upgrade: rows::Upgrade<'_>,
    ) -> Result<(Stored<W>, Option<String>), StoreError> {
        match self {
            FireTx::Sql(tx) => rows::read_head::<W>(tx, id, lock, upgrade).await,
            FireTx::Thread(tx) => tx.head::<W>(id, upgrade).await,
        }
    }

    /// The outcome recorded under `key`, checked against `event`.
    async fn recorded<W: Dispatch>(
        &mut self,
        id: &str,
        key: &str,
        event: &str,
    ) -> Result<Option<Recorded>, StoreError> {
        match self {
            FireTx::Sql(tx) => keys::recorded_on::<W>(tx, id, key, event).await,
            FireTx::Thread(tx) => tx.recorded::<W>(id, key, event).await,
        }
    }

    /// Writes `instance`, read at version `expected`: the version written.
    async fn write<W: Dispatch + Serialize>(
        &mut self,
        backend: Backend,
        id: &str,
        expected: i64,
        instance: &Instance<W>,
    ) -> Result<i64, StoreError> {
        match self {
            FireTx::Sql(tx) => rows::write(tx, backend, id, expected, instance).await,
            FireTx::Thread(tx) => tx.write(id, expected, instance),
        }
    }

    /// Records a key's outcome ([`keys::record_params`]).
    async fn record(&mut self, params: Vec<Param>) -> Result<(), StoreError> {
        match self {
            FireTx::Sql(tx) => keys::record(tx, params).await,
            FireTx::Thread(tx) => {
                tx.record(params);
                Ok(())
            }
        }
    }

    /// Commits what was written (on the thread: writes it, then commits).
    async fn commit(self) -> Result<(), StoreError> {
        match self {
            FireTx::Sql(tx) => Ok(tx.commit().await?),
            FireTx::Thread(tx) => tx.commit().await,
        }
    }

    /// Ends the transaction, writing nothing.
    async fn rollback(self) -> Result<(), StoreError> {
        match self {
            FireTx::Sql(tx) => Ok(tx.rollback().await?),
            FireTx::Thread(tx) => tx.rollback().await,
        }
    }
}

/// Fires `request` on the instance `head` read in this transaction, and
/// writes what it took: the event's step, or on a refusal the automatic
/// timers' steps that fell due before it (nothing if none did). Gives the
/// event's outcome and the instance as now stored.
async fn fire_on<W: Dispatch + Serialize>(
    tx: &mut FireTx,
    backend: Backend,
    head: Stored<W>,
    request: &FireRequest<'_>,
) -> Result<(Result<(), Why>, Stored<W>), StoreError> {
    let Stored {
        id,
        version,
        instance,
    } = head;
    let (outcome, instance) =
        match instance.fire_with(request.event, request.payload, request.actor, request.at) {
            Ok(fired) => (Ok(()), fired),
            Err(refused) => {
                let (instance, why) = refused.into_parts();
                (Err(why), instance)
            }
        };
    // Written only if a transition was taken: a previous version's row
    // read for a refused event keeps its version (its migration step
    // waits for a write that does something).
    let (_, took) = rows::taken_since(&instance, version);
    let version = if took {
        tx.write(backend, &id, version, &instance).await?
    } else {
        version
    };
    Ok((
        outcome,
        Stored {
            id,
            version,
            instance,
        },
    ))
}

impl Store {
    /// Fires the event named `event` at `now` by `actor` on instance `id`:
    /// load, transition, store, with the version check. Automatic timers
    /// that fell due by `now` happen first, as in [`Instance::fire`](turnstile_runtime::Instance::fire); if
    /// the event is then refused, those timer steps are still stored and
    /// the refusal returned.
    ///
    /// `actor` is a [`turnstile_runtime::Actor`] (an identity and its
    /// roles) or anything that converts into one (`None`, `Some("alice")`):
    /// a transition that names roles refuses an actor holding none of them
    /// ([`Why::Forbidden`]), and nothing
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
    /// [`Instance::fire_with`](turnstile_runtime::Instance::fire_with) takes it: a missing or unreadable payload is
    /// refused ([`Why::BadPayload`])
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
        let actor: Actor<'_> = actor.into();
        let request = FireRequest::new(event, actor, now).payload(payload);
        text::name(ID, id)?;
        request.check()?;
        let mut tx = self.begin_fire().await?;
        let upgrade = rows::Upgrade {
            by: request.actor.id(),
            at: request.at,
        };
        let (head, _) = tx.head::<W>(id, self.locks_rows(), upgrade).await?;
        self.fire_head(tx, head, &request).await
    }

    /// Fires `request` on instance `id`: [`Store::fire_with`], with the
    /// request's optional version check and idempotency key. One
    /// transaction reads the instance's head (its row and last step,
    /// whatever its history's length), fires, and writes the row, the new
    /// steps and the key's record.
    ///
    /// - With [`FireRequest::version`], a stored version other than the one
    ///   named is [`StoreError::Conflict`], and nothing is fired.
    /// - With [`FireRequest::key`], see [`Store::fire_keyed`]: a key seen
    ///   before answers [`Keyed::Replayed`] before anything else is checked.
    pub async fn submit<W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        request: FireRequest<'_>,
    ) -> Result<Keyed<W>, StoreError> {
        text::name(ID, id)?;
        request.check()?;
        let mut tx = self.begin_fire().await?;
        let upgrade = rows::Upgrade {
            by: request.actor.id(),
            at: request.at,
        };
        let (head, owner) = tx.head::<W>(id, self.locks_rows(), upgrade).await?;
        if request.owner.is_some() && request.owner != owner.as_deref() {
            return Err(StoreError::NotFound {
                workflow: W::NAME,
                id: id.to_string(),
            });
        }
        if let Some(key) = request.key {
            // Read under the instance's lock: a request with this key that
            // went first has committed its record by now.
            if let Some(recorded) = tx.recorded::<W>(id, key, request.event).await? {
                tx.rollback().await?;
                return Ok(Keyed::Replayed(recorded));
            }
        }
        self.fire_head(tx, head, &request).await.map(Keyed::Fired)
    }

    /// The transaction of a fire: on a SQLite file, on the writer thread;
    /// otherwise as every write's ([`Store::begin_write`]).
    async fn begin_fire(&self) -> Result<FireTx, StoreError> {
        match (&self.thread, &self.writer) {
            (Some(thread), Some(writer)) => {
                Ok(FireTx::Thread(sqlite::Tx::new(thread, writer).await?))
            }
            _ => Ok(FireTx::Sql(self.begin_write().await?)),
        }
    }

    /// The part of every fire after the instance's head was read under
    /// `tx`'s lock (and, for [`Store::submit`], its owner and key were
    /// checked): the version check, the transition and its steps, the
    /// key's record, the commit, and the consumers' wake-up.
    async fn fire_head<W: Dispatch + Serialize>(
        &self,
        mut tx: FireTx,
        head: Stored<W>,
        request: &FireRequest<'_>,
    ) -> Result<Stored<W>, StoreError> {
        let id = head.id.clone();
        if let Some(expected) = request.version {
            if expected != head.version {
                return Err(StoreError::Conflict {
                    workflow: W::NAME,
                    id,
                    expected,
                    found: head.version,
                });
            }
        }
        let (outcome, stored) = fire_on(&mut tx, self.backend, head, request).await?;
        if let Some(key) = request.key {
            let params = keys::record_params::<W>(&id, key, request.event, &outcome, &stored);
            tx.record(params).await?;
        }
        tx.commit().await?;
        self.wake();
        outcome
            .map(|()| stored)
            .map_err(|why| refused::<W>(&id, why))
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
    /// - Requests with the same key at the same time fire once: the
    ///   instance's lock orders them, and the later ones find the first
    ///   one's record and replay it.
    ///
    /// Keys are kept until [`Store::forget_keys`] removes them, which sets
    /// the retention window; keys are per instance. [`Store::submit`]
    /// takes a key and a version check together.
    pub async fn fire_keyed<'a, W: Dispatch + Serialize + DeserializeOwned>(
        &self,
        id: &str,
        event: &str,
        payload: Option<&str>,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
        key: &str,
    ) -> Result<Keyed<W>, StoreError> {
        let actor: Actor<'_> = actor.into();
        let request = FireRequest::new(event, actor, now)
            .payload(payload)
            .key(key);
        self.submit::<W>(id, request).await
    }

    /// The outcome recorded under idempotency `key` for instance `id`, if
    /// any, checked against the event asked for now
    /// ([`StoreError::KeyReused`] if the key was sent with another one).
    pub async fn recorded<W: Dispatch>(
        &self,
        id: &str,
        key: &str,
        event: &str,
    ) -> Result<Option<Recorded>, StoreError> {
        text::name(ID, id)?;
        text::name("the idempotency key", key)?;
        text::name("the event name", event)?;
        let mut conn = self.pool.acquire().await?;
        keys::recorded_on::<W>(&mut conn, id, key, event).await
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
}
