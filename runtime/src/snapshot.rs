//! Snapshots of instances with serde (the `serde` feature): a documented,
//! versioned envelope that any serde format can carry.
//!
//! An [`Instance`] serializes as an [`Envelope`] with these fields, in this
//! order (`docs/long-running.md` has the compatibility rules):
//!
//! | field | what |
//! |---|---|
//! | `format` | `"turnstile-instance/2"`: the envelope's version |
//! | `workflow` | the workflow's name |
//! | `fingerprint` | the fingerprint of the definition the instance runs under |
//! | `state` | the current state's name |
//! | `started_at` | when the instance started, RFC 3339 in UTC (not in version 1) |
//! | `entered_at` | when the state was entered, RFC 3339 in UTC |
//! | `data` | the workflow's data, as its own `Serialize` writes it |
//! | `trail` | the audit trail: `from`, `event`, `to`, `at`, `actor` per step |
//!
//! Loading checks every field and refuses, with a [`LoadError`] naming the
//! problem, a snapshot of another format version or workflow, of another
//! definition (fingerprint), in an unknown state, with a trail that does not
//! replay, or that is malformed: a field missing or unknown, a wrong type,
//! truncated input. `workflow` and `fingerprint` are checked before `data`
//! is read, so a snapshot of another workflow is named as such even when
//! its data has another shape. A changed definition is loaded through
//! [`Instance::migrate`].
//!
//! ```
//! # use turnstile_runtime::snapshot::Envelope;
//! let json = r#"{"format":"turnstile-instance/2","workflow":"door","fingerprint":"sha256:00",
//!   "state":"closed","started_at":"2026-11-24T17:00:00Z","entered_at":"2026-11-24T17:00:00Z",
//!   "data":{"key":true},"trail":[]}"#;
//! let envelope: Envelope<serde_json::Value> = serde_json::from_str(json).unwrap();
//! assert_eq!(envelope.state, "closed");
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::time::SystemTime;

use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::dispatch::{Dispatch, Step};
pub use crate::instance::FORMAT;

/// The format tag of the snapshots written before the start instant was
/// kept, which this version still reads (their first timed step cannot be
/// checked against the start).
pub const FORMAT_1: &str = "turnstile-instance/1";
use crate::instance::{Instance, LoadError};

/// The stored form of an instance, with data of type `D`: the instance's
/// own data type, or what an older version's data reads as when migrating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope<D> {
    /// `"turnstile-instance/2"` (or `/1`, read for old snapshots).
    pub format: String,
    /// The workflow's name.
    pub workflow: String,
    /// The fingerprint of the definition the instance ran under.
    pub fingerprint: String,
    /// The current state's name.
    pub state: String,
    /// When the instance started; absent in format 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_instant"
    )]
    pub started_at: Option<SystemTime>,
    /// When the current state was entered.
    #[serde(with = "instant")]
    pub entered_at: SystemTime,
    /// The workflow's data.
    pub data: D,
    /// Every transition taken, oldest first.
    pub trail: Vec<Step>,
}

/// What a migration makes of an old snapshot: the state (by its name in
/// the current definition), the data, and the trail rewritten to replay
/// under the current definition. The instant the state was entered is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated<W> {
    /// The state's name in the current definition.
    pub state: String,
    /// The data, as the current definition's type.
    pub data: W,
    /// The trail, each step named as in the current definition.
    pub trail: Vec<Step>,
}

impl<W: Dispatch> Instance<W> {
    /// The envelope of this instance, borrowing its data. Its trail is
    /// [`Instance::trail`]: for an instance resumed from its head
    /// ([`Instance::resume_head`], as a store's fire does) that is not the
    /// whole history, and the envelope does not load
    /// ([`Instance::holds_history`] says which).
    pub fn to_envelope(&self) -> Envelope<&W> {
        Envelope {
            // An instance loaded from format 1 never had its start: it is
            // written back as it was read.
            format: if self.started_at().is_some() {
                FORMAT
            } else {
                FORMAT_1
            }
            .to_string(),
            workflow: W::NAME.to_string(),
            fingerprint: W::FINGERPRINT.to_string(),
            state: self.state().to_string(),
            started_at: self.started_at(),
            entered_at: self.entered_at(),
            data: self.data(),
            trail: self.trail().to_vec(),
        }
    }

    /// The instance an envelope stores, checked field by field.
    ///
    /// A snapshot of a previous version this build reads
    /// ([`Dispatch::PREVIOUS`]) is moved to this version as
    /// [`Instance::from_previous`] moves it, the migration step recorded
    /// by nobody at the snapshot's last instant (a snapshot brings no
    /// clock: call [`Instance::from_previous`] to say who and when).
    pub fn from_envelope(envelope: Envelope<W>) -> Result<Self, LoadError> {
        check_header::<W>(&envelope.format, &envelope.workflow)?;
        if envelope.fingerprint != W::FINGERPRINT {
            let last = last_instant(envelope.started_at, envelope.entered_at, &envelope.trail);
            return Self::from_previous(envelope, None, last);
        }
        Instance::resume(
            envelope.started_at,
            &envelope.state,
            envelope.data,
            envelope.entered_at,
            envelope.trail,
        )
    }

    /// Moves a snapshot stored under a previous version of the definition
    /// (one of [`Dispatch::PREVIOUS`], `#[workflow(previous = "…")]`) to
    /// this version: its trail is checked along that version's
    /// transitions, its state mapped by [`Dispatch::from_previous`] (the
    /// typed migration the derive generates, and the user's
    /// `previous::Migrate` where a state needs a decision), and a
    /// migration step ([`Step::migrated`](crate::Step::migrated)) recorded
    /// by `actor` at `now`. The steps before it keep the names they were
    /// taken under. The state keeps the instant it was entered, so its
    /// timers run on.
    ///
    /// A snapshot of this version is loaded as it is (nothing to move);
    /// one of a version this build does not read is refused
    /// ([`LoadError::Fingerprint`]), as is a migration the mapping refuses
    /// or dated before the snapshot's last instant.
    pub fn from_previous(
        envelope: Envelope<W>,
        actor: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, LoadError> {
        Self::moved(envelope, actor, now, None)
    }

    /// [`Instance::from_previous`] as a store moves a row: `stored_data`
    /// is the data's text as the previous version stored it, whose digest
    /// the migration step keeps
    /// ([`Versions::before`](crate::Versions::before)), so that the move
    /// can be undone while nobody has written the row since.
    pub fn from_previous_row(
        envelope: Envelope<W>,
        actor: Option<&str>,
        now: SystemTime,
        stored_data: &str,
    ) -> Result<Self, LoadError> {
        Self::moved(envelope, actor, now, Some(stored_data))
    }

    fn moved(
        envelope: Envelope<W>,
        actor: Option<&str>,
        now: SystemTime,
        stored_data: Option<&str>,
    ) -> Result<Self, LoadError> {
        check_header::<W>(&envelope.format, &envelope.workflow)?;
        let Envelope {
            fingerprint,
            state,
            started_at,
            entered_at,
            mut data,
            mut trail,
            ..
        } = envelope;
        if fingerprint == W::FINGERPRINT {
            return Instance::resume(started_at, &state, data, entered_at, trail);
        }
        if !W::PREVIOUS.contains(&fingerprint.as_str()) {
            return Err(LoadError::Fingerprint {
                workflow: W::NAME,
                expected: W::FINGERPRINT,
                found: fingerprint,
            });
        }
        crate::instance::check_trail::<W>(started_at, &state, entered_at, &trail, &fingerprint)?;
        if now < last_instant(started_at, entered_at, &trail) {
            return Err(LoadError::Trail {
                workflow: W::NAME,
                step: trail.len(),
                problem: "the migration is dated earlier than the snapshot's last instant".into(),
            });
        }
        let refused = |why: String| LoadError::Malformed {
            workflow: W::NAME,
            message: format!(
                "the migration from version {fingerprint} refused the instance in `{state}`: {why}"
            ),
        };
        let to = W::from_previous(&fingerprint, &state, &mut data, entered_at).map_err(refused)?;
        // A migration is a move no transition makes: the proofs of the
        // properties do not cover it, so each is checked here.
        if let Some(why) = crate::dispatch::broken_promise::<W>(&fingerprint, &state, to, &trail) {
            return Err(refused(why));
        }
        trail.push(crate::Step {
            from: state.clone(),
            event: crate::MIGRATED.to_string(),
            to: to.to_string(),
            at: now,
            actor: actor.map(str::to_string),
            role: None,
            payload: None,
            migrated: Some(crate::Versions {
                from: fingerprint.clone(),
                to: W::FINGERPRINT.to_string(),
                before: stored_data.map(|text| crate::payload::recorded(text.to_string(), true)),
            }),
        });
        Instance::resume(started_at, to, data, entered_at, trail)
    }

    /// Loads a snapshot taken under an older definition: `migrate` maps the
    /// old envelope (its fingerprint, state, data read as `D`, and trail)
    /// to the current definition's state, data and trail, or says why it
    /// cannot (`Err(reason)`). The format and workflow are checked first;
    /// what `migrate` returns is checked like any snapshot.
    ///
    /// ```ignore
    /// // `door` v2 renamed the state `opened` to `open`.
    /// let old: Envelope<Door> = serde_json::from_str(&row)?;
    /// let instance = Instance::<Door>::migrate(old, |old| {
    ///     let rename = |s: String| if s == "opened" { "open".to_string() } else { s };
    ///     Ok(Migrated {
    ///         state: rename(old.state),
    ///         data: old.data,
    ///         trail: old.trail.into_iter().map(|mut step| {
    ///             step.from = rename(step.from);
    ///             step.to = rename(step.to);
    ///             step
    ///         }).collect(),
    ///     })
    /// })?;
    /// ```
    pub fn migrate<D>(
        envelope: Envelope<D>,
        migrate: impl FnOnce(Envelope<D>) -> Result<Migrated<W>, String>,
    ) -> Result<Self, LoadError> {
        check_header::<W>(&envelope.format, &envelope.workflow)?;
        let (started_at, entered_at) = (envelope.started_at, envelope.entered_at);
        let migrated = migrate(envelope).map_err(|message| LoadError::Malformed {
            workflow: W::NAME,
            message: format!("the migration refused the snapshot: {message}"),
        })?;
        Instance::resume(
            started_at,
            &migrated.state,
            migrated.data,
            entered_at,
            migrated.trail,
        )
    }
}

/// The last instant a snapshot records: its start, its state's entry or
/// its last step, whichever is latest.
fn last_instant(
    started_at: Option<SystemTime>,
    entered_at: SystemTime,
    trail: &[crate::Step],
) -> SystemTime {
    trail
        .iter()
        .map(|step| step.at)
        .chain(started_at)
        .fold(entered_at, SystemTime::max)
}

fn check_header<W: Dispatch>(format: &str, workflow: &str) -> Result<(), LoadError> {
    if format != FORMAT && format != FORMAT_1 {
        return Err(LoadError::Format {
            found: format.to_string(),
            expected: FORMAT,
        });
    }
    if workflow != W::NAME {
        return Err(LoadError::WrongWorkflow {
            expected: W::NAME,
            found: workflow.to_string(),
        });
    }
    Ok(())
}

impl<W: Dispatch + Serialize> Serialize for Instance<W> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_envelope().serialize(serializer)
    }
}

const FIELDS: &[&str] = &[
    "format",
    "workflow",
    "fingerprint",
    "state",
    "started_at",
    "entered_at",
    "data",
    "trail",
];

/// Reads an envelope field by field, checking `format`, `workflow` and
/// `fingerprint` as soon as they are read, so that `data` is never read as
/// this workflow's type when the snapshot is of another.
impl<'de, W: Dispatch + DeserializeOwned> Deserialize<'de> for Instance<W> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("Envelope", FIELDS, EnvelopeVisitor(PhantomData::<W>))
    }
}

struct EnvelopeVisitor<W>(PhantomData<W>);

/// The fields read so far.
struct Partial<W> {
    format: Option<String>,
    workflow: Option<String>,
    fingerprint: Option<String>,
    state: Option<String>,
    started_at: Option<SystemTime>,
    entered_at: Option<SystemTime>,
    data: Option<W>,
    trail: Option<Vec<Step>>,
}

impl<W: Dispatch> Partial<W> {
    fn new() -> Self {
        Partial {
            format: None,
            workflow: None,
            fingerprint: None,
            state: None,
            started_at: None,
            entered_at: None,
            data: None,
            trail: None,
        }
    }

    /// Checks what identifies the snapshot, as far as it has been read.
    fn check_so_far(&self) -> Result<(), LoadError> {
        if let Some(format) = &self.format {
            if format != FORMAT && format != FORMAT_1 {
                return Err(LoadError::Format {
                    found: format.clone(),
                    expected: FORMAT,
                });
            }
        }
        if let Some(workflow) = &self.workflow {
            if workflow != W::NAME {
                return Err(LoadError::WrongWorkflow {
                    expected: W::NAME,
                    found: workflow.clone(),
                });
            }
        }
        if let Some(fingerprint) = &self.fingerprint {
            if fingerprint != W::FINGERPRINT && !W::PREVIOUS.contains(&fingerprint.as_str()) {
                return Err(LoadError::Fingerprint {
                    workflow: W::NAME,
                    expected: W::FINGERPRINT,
                    found: fingerprint.clone(),
                });
            }
        }
        Ok(())
    }

    fn finish<E: de::Error>(self) -> Result<Instance<W>, E> {
        // Format 2 records the start; format 1 has no such field.
        let version_2 = self.format.as_deref() == Some(FORMAT);
        if version_2 && self.started_at.is_none() {
            return Err(E::missing_field("started_at"));
        }
        if !version_2 && self.started_at.is_some() {
            return Err(E::custom(format!(
                "`started_at` is not a field of the format `{FORMAT_1}`"
            )));
        }
        let envelope = Envelope {
            format: self.format.ok_or_else(|| E::missing_field("format"))?,
            workflow: self.workflow.ok_or_else(|| E::missing_field("workflow"))?,
            fingerprint: self
                .fingerprint
                .ok_or_else(|| E::missing_field("fingerprint"))?,
            state: self.state.ok_or_else(|| E::missing_field("state"))?,
            started_at: self.started_at,
            entered_at: self
                .entered_at
                .ok_or_else(|| E::missing_field("entered_at"))?,
            data: self.data.ok_or_else(|| E::missing_field("data"))?,
            trail: self.trail.ok_or_else(|| E::missing_field("trail"))?,
        };
        Instance::from_envelope(envelope).map_err(E::custom)
    }
}

impl<'de, W: Dispatch + DeserializeOwned> Visitor<'de> for EnvelopeVisitor<W> {
    type Value = Instance<W>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a turnstile instance snapshot of the workflow `{}`",
            W::NAME
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut partial = Partial::<W>::new();
        while let Some(key) = map.next_key::<String>()? {
            macro_rules! read {
                ($field:ident, $ty:ty) => {{
                    if partial.$field.is_some() {
                        return Err(de::Error::duplicate_field(stringify!($field)));
                    }
                    partial.$field = Some(map.next_value::<$ty>()?);
                }};
            }
            match key.as_str() {
                "format" => read!(format, String),
                "workflow" => read!(workflow, String),
                "fingerprint" => read!(fingerprint, String),
                "state" => read!(state, String),
                "started_at" => {
                    if partial.started_at.is_some() {
                        return Err(de::Error::duplicate_field("started_at"));
                    }
                    partial.started_at = Some(map.next_value::<Instant>()?.0);
                }
                "entered_at" => {
                    if partial.entered_at.is_some() {
                        return Err(de::Error::duplicate_field("entered_at"));
                    }
                    partial.entered_at = Some(map.next_value::<Instant>()?.0);
                }
                "data" => {
                    partial.check_so_far().map_err(de::Error::custom)?;
                    read!(data, W)
                }
                "trail" => read!(trail, Vec<Step>),
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
            partial.check_so_far().map_err(de::Error::custom)?;
        }
        partial.finish()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut partial = Partial::<W>::new();
        let missing =
            |i: usize| de::Error::invalid_length(i, &"an envelope of 8 fields (7 in format 1)");
        partial.format = Some(seq.next_element()?.ok_or_else(|| missing(0))?);
        partial.workflow = Some(seq.next_element()?.ok_or_else(|| missing(1))?);
        partial.fingerprint = Some(seq.next_element()?.ok_or_else(|| missing(2))?);
        partial.check_so_far().map_err(de::Error::custom)?;
        partial.state = Some(seq.next_element()?.ok_or_else(|| missing(3))?);
        let mut n = 4;
        if partial.format.as_deref() == Some(FORMAT) {
            partial.started_at = Some(seq.next_element::<Instant>()?.ok_or_else(|| missing(n))?.0);
            n += 1;
        }
        partial.entered_at = Some(seq.next_element::<Instant>()?.ok_or_else(|| missing(n))?.0);
        partial.data = Some(seq.next_element()?.ok_or_else(|| missing(n + 1))?);
        partial.trail = Some(seq.next_element()?.ok_or_else(|| missing(n + 2))?);
        partial.finish()
    }
}

/// An instant read through [`instant`].
struct Instant(SystemTime);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        instant::deserialize(deserializer).map(Instant)
    }
}

/// An optional instant through [`instant`] (`started_at`, absent in
/// format 1).
mod optional_instant {
    use std::time::SystemTime;

    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        instant: &Option<SystemTime>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match instant {
            Some(at) => super::instant::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SystemTime>, D::Error> {
        super::instant::deserialize(deserializer).map(Some)
    }
}

/// `SystemTime` as an RFC 3339 string in UTC (`2026-11-24T17:00:00Z`, with
/// nanoseconds when it has them): readable in JSON, exact in every format.
/// Use it with `#[serde(with = "turnstile::snapshot::instant")]`.
pub mod instant {
    use std::time::SystemTime;

    use serde::{de, Deserialize, Deserializer, Serializer};

    /// Writes `instant` as RFC 3339; an error outside the years 1970 to 9999.
    pub fn serialize<S: Serializer>(
        instant: &SystemTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match crate::rfc3339(*instant) {
            Some(text) => serializer.serialize_str(&text),
            None => Err(serde::ser::Error::custom(
                "an instant outside the years 1970 to 9999 cannot be written as RFC 3339",
            )),
        }
    }

    /// Reads an RFC 3339 instant in UTC (`Z`).
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_rfc3339(&text).map_err(|e| {
            de::Error::custom(format!(
                "`{text}` is not an RFC 3339 instant in UTC such as `2026-11-24T17:00:00Z`: {e}"
            ))
        })
    }
}
