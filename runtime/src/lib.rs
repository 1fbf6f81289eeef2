//! What turnstile's generated state machines, and the code that drives them,
//! use at run time. Everything here is re-exported by the `turnstile` crate.
//!
//! The generated code is a typestate machine: `Machine<S>` holds the user's
//! data and a zero-sized state marker `S`. Each marker implements [`State`];
//! the type the derive is on implements [`Workflow`]. A transition whose
//! guard refuses it returns [`Rejected`], which hands the machine back.
//!
//! For workflows that outlive one process, the generated enum of a
//! workflow's machines (`door::Current`) implements dispatch by name
//! ([`Dispatch`]); an [`Instance`] adds when the state was entered and the
//! audit trail ([`Step`]), answers which timers are due, and (with the
//! `serde` feature) saves and loads itself as a versioned [`snapshot`].
//! Nothing here reads the system clock: every instant is the caller's.
#![forbid(unsafe_code)]
// A refused event hands back, in its `Err`, the very instance it was fired
// on, by value: nothing is lost and nothing is allocated. Boxing it would
// cost every refusal an allocation to shrink a return value.
#![allow(clippy::result_large_err)]

use std::error::Error;
use std::fmt;
use std::time::{Duration, SystemTime};

mod dispatch;
mod instance;
pub mod payload;
pub mod regions;
pub mod roles;
#[cfg(feature = "serde")]
pub mod snapshot;
pub mod words;

use words::compact_duration;

pub use dispatch::{
    Dispatch, PreviousVersion, Promise, Refused, Step, TimerSpec, Versions, Why, MIGRATED,
};
pub use instance::{Instance, LoadError, TimerStatus};
pub use payload::Payload;
pub use roles::{Acting, Actor, Role};

/// What generated code names and users need not: re-exported so that the
/// generated code compiles whatever the user's own dependencies are.
#[doc(hidden)]
pub mod __private {
    pub use crate::dispatch::{not_allowed, unknown_event};
    pub use crate::packed::{find, u32_at};
    pub use crate::payload::{recorded, unexpected};
    pub use crate::roles::{permits, permitted, role_for};
    pub use crate::timer::{preempted, preempted_before, wait};
}

/// The tables of large workflows' dispatch by name (sorted indices, moves),
/// packed into byte strings of little-endian `u32`: the compiler takes a byte string as one constant, where an
/// array of thousands of elements costs it time that grows faster than the
/// array (docs/performance.md).
mod packed {
    /// The `i`th little-endian `u32` of `table`, as an index.
    #[inline]
    pub fn u32_at(table: &[u8], i: usize) -> usize {
        let b = &table[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    /// The index whose name is `key`: `sorted` lists the indices in order
    /// of their names, and `name_of` gives an index's name.
    #[inline]
    pub fn find(
        sorted: &[u8],
        key: &str,
        name_of: impl Fn(usize) -> &'static str,
    ) -> Option<usize> {
        let (mut low, mut high) = (0, sorted.len() / 4);
        while low < high {
            let mid = low + (high - low) / 2;
            let index = u32_at(sorted, mid);
            match name_of(index).cmp(key) {
                core::cmp::Ordering::Less => low = mid + 1,
                core::cmp::Ordering::Greater => high = mid,
                core::cmp::Ordering::Equal => return Some(index),
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn pack(values: &[u32]) -> Vec<u8> {
            values.iter().flat_map(|v| v.to_le_bytes()).collect()
        }

        /// The `i`th of the names written one after another in `text`,
        /// `ends` holding where each ends (packed as the tables are).
        fn name(text: &'static str, ends: &[u8], i: usize) -> &'static str {
            let start = if i == 0 { 0 } else { u32_at(ends, i - 1) };
            &text[start..u32_at(ends, i)]
        }

        #[test]
        fn names_and_lookups_round_trip() {
            // "close", "assign", "reopen": ends 5, 11, 17; sorted: 1, 0, 2.
            let text = "closeassignreopen";
            let ends = pack(&[5, 11, 17]);
            let names: Vec<&str> = (0..3).map(|i| name(text, &ends, i)).collect();
            assert_eq!(names, ["close", "assign", "reopen"]);
            let sorted = pack(&[1, 0, 2]);
            for (i, n) in names.iter().enumerate() {
                assert_eq!(find(&sorted, n, |j| name(text, &ends, j)), Some(i));
            }
            for missing in ["", "a", "closer", "zzz", "reope"] {
                assert_eq!(find(&sorted, missing, |j| name(text, &ends, j)), None);
            }
            assert_eq!(find(&[], "close", |j| name(text, &ends, j)), None);
        }
    }
}

mod timer {
    use super::{NotBefore, SystemTime};
    use std::time::Duration;

    /// `true` when an automatic timer waiting `after` since `entered_at` is
    /// due at `now` and so comes before another event of the state.
    pub fn preempted(entered_at: SystemTime, after: Duration, now: SystemTime) -> bool {
        wait(entered_at, after, now).is_ok()
    }

    /// `true` when an automatic timer waiting `after` since `entered_at` is
    /// due at `now` and fell due before the event's own automatic timer
    /// (`own_after` since `own_entered`): the two count from different
    /// instants (a compound state's entry and a state's), so which comes
    /// first is known only now. On a tie the event's own comes first, as
    /// it does between timers of one clock.
    pub fn preempted_before(
        entered_at: SystemTime,
        after: Duration,
        own_entered: SystemTime,
        own_after: Duration,
        now: SystemTime,
    ) -> bool {
        match (
            entered_at.checked_add(after),
            own_entered.checked_add(own_after),
        ) {
            (Some(due), Some(own)) => now >= due && due < own,
            (Some(due), None) => now >= due,
            (None, _) => false,
        }
    }

    /// `Ok` when the time `after` since `entered_at` has come at `now`
    /// (the boundary instant itself is due), else when it will.
    pub fn wait(entered_at: SystemTime, after: Duration, now: SystemTime) -> Result<(), NotBefore> {
        match entered_at.checked_add(after) {
            Some(due) if now >= due => Ok(()),
            _ => Err(NotBefore { after, entered_at }),
        }
    }
}

/// A state marker of a generated workflow (`door::state::Closed`).
///
/// Implemented by the generated state types, and meant for them alone: the
/// machine's guarantees rest on `Machine<S>` existing only for the states
/// of the definition. A state is its position in its workflow; the other
/// constants read the workflow's tables at that position, so that a state
/// costs the compiler one constant, not one per fact.
pub trait State: 'static {
    /// The data type of the workflow the state belongs to.
    type Workflow: Workflow;
    /// The state's position among its workflow's states, in declaration
    /// order: `Workflow::STATES[INDEX] == NAME`.
    const INDEX: usize;
    /// The workflow's name.
    const WORKFLOW: &'static str = <Self::Workflow as Workflow>::NAME;
    /// The state's name as written in the definition (`"card_bound"`).
    const NAME: &'static str = <Self::Workflow as Workflow>::STATES[Self::INDEX];
    /// The state's summary from the definition, or `""`.
    const SUMMARY: &'static str = <Self::Workflow as Workflow>::SUMMARIES[Self::INDEX];
    /// Whether the workflow may end in this state.
    const IS_FINAL: bool = <Self::Workflow as Workflow>::FINAL[Self::INDEX];
    /// The events allowed from this state, in declaration order.
    const EVENTS: &'static [&'static str] = <Self::Workflow as Workflow>::ALLOWED[Self::INDEX];
}

/// Implemented by `#[derive(Workflow)]` on the data type of a workflow.
///
/// The per-state tables are indexed like [`Workflow::STATES`] (and
/// [`State::INDEX`]).
pub trait Workflow {
    /// The workflow's name (also the generated module's name).
    const NAME: &'static str;
    /// The definition's TOML text, exactly as compiled in.
    const DEFINITION: &'static str;
    /// The names of every state, in declaration order.
    const STATES: &'static [&'static str];
    /// The names of every event, in declaration order.
    const EVENTS: &'static [&'static str];
    /// The name of the initial state.
    const INITIAL: &'static str;
    /// Each state's summary from the definition, or `""`.
    const SUMMARIES: &'static [&'static str];
    /// Whether each state is final.
    const FINAL: &'static [bool];
    /// The events each state allows, in declaration order.
    const ALLOWED: &'static [&'static [&'static str]];
    /// The roles the definition declares (`[roles.…]`), in declaration
    /// order; empty for a workflow without roles.
    const ROLES: &'static [&'static str] = &[];
    /// Per state, the events whose transition from it names roles (`by`),
    /// each with those roles in the order listed. Empty for a workflow
    /// without roles (every event may then be fired by anyone).
    const BY: &'static [&'static [(&'static str, &'static [&'static str])]] = &[];
    /// The capabilities the definition declares (`[capabilities.…]`), in
    /// declaration order; empty for a workflow without capabilities.
    const CAPABILITIES: &'static [&'static str] = &[];
    /// The capabilities each state permits (`permits`), in the order
    /// listed. Empty for a workflow without capabilities.
    const PERMITS: &'static [&'static [&'static str]] = &[];
    /// Per state, the compound states it is inside (`parent`), outermost
    /// first. Empty for a workflow without nested states.
    const ANCESTORS: &'static [&'static [&'static str]] = &[];
}

/// A transition refused by a guard or a timer. It owns the machine,
/// unchanged, in the state it was in, and, for an event that brings a
/// payload, the payload `P` the call was given: nothing is lost. Take the
/// machine back with [`Rejected::into_machine`], the payload with
/// [`Rejected::into_payload`], both with [`Rejected::into_machine_and_payload`].
/// An event without a payload gives `Rejected<M>` (`P = ()`).
///
/// ```
/// # use turnstile_runtime::{Refusal, Rejected};
/// let rejected = Rejected::new("machine", Refusal::Guard {
///     workflow: "door",
///     event: "open",
///     state: "closed",
///     guard: "has_key",
///     reason: "the visitor holds the key",
/// });
/// assert_eq!(rejected.guard(), Some("has_key"));
/// assert_eq!(
///     rejected.to_string(),
///     "door: event `open` refused in state `closed`: guard `has_key` does not hold (the visitor holds the key)"
/// );
/// assert_eq!(rejected.into_machine(), "machine");
/// ```
#[must_use = "a refused transition hands the machine back: take it with `into_machine()`"]
pub struct Rejected<M, P = ()> {
    machine: M,
    refusal: Refusal,
    payload: P,
}

/// What firing an event returned: a machine, the outcome of a branching
/// event, or the `Result` of a guarded one. Lets a caller log or trace a
/// run without knowing which of the three it holds.
///
/// Generated code implements it for `Machine<S>` and every outcome enum.
pub trait Fired {
    /// The state the machine landed in, or `None` when a guard refused the
    /// event (the machine is then still where it was, inside the `Err`).
    fn landed(&self) -> Option<&'static str>;
}

impl<T: Fired, M, P> Fired for Result<T, Rejected<M, P>> {
    fn landed(&self) -> Option<&'static str> {
        self.as_ref().ok().and_then(Fired::landed)
    }
}

/// Why a transition was refused, and where: the workflow, the event, the
/// state the machine is (still) in, and what refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// A guard did not hold (the first one, in the order listed).
    Guard {
        /// The workflow's name.
        workflow: &'static str,
        /// The event that was refused.
        event: &'static str,
        /// The state the machine is (still) in.
        state: &'static str,
        /// The guard.
        guard: &'static str,
        /// The guard's summary from the definition, or `""`.
        reason: &'static str,
    },
    /// The event's own timer has not come: it is not due yet.
    NotYet {
        /// The workflow's name.
        workflow: &'static str,
        /// The event that was refused.
        event: &'static str,
        /// The state the machine is (still) in.
        state: &'static str,
        /// When it will be.
        wait: NotBefore,
    },
    /// An automatic timer of the state has fallen due: it takes precedence
    /// over every other event of the state, so the machine is, in effect,
    /// no longer there. An [`Instance`] fires such timers first and never
    /// meets it.
    Preempted {
        /// The workflow's name.
        workflow: &'static str,
        /// The event that was refused.
        event: &'static str,
        /// The state the machine is (still) in.
        state: &'static str,
        /// The automatic transition's event.
        by: &'static str,
    },
}

impl Refusal {
    /// The workflow's name.
    pub fn workflow(&self) -> &'static str {
        match self {
            Refusal::Guard { workflow, .. }
            | Refusal::NotYet { workflow, .. }
            | Refusal::Preempted { workflow, .. } => workflow,
        }
    }

    /// The event that was refused.
    pub fn event(&self) -> &'static str {
        match self {
            Refusal::Guard { event, .. }
            | Refusal::NotYet { event, .. }
            | Refusal::Preempted { event, .. } => event,
        }
    }

    /// The state the machine is (still) in.
    pub fn state(&self) -> &'static str {
        match self {
            Refusal::Guard { state, .. }
            | Refusal::NotYet { state, .. }
            | Refusal::Preempted { state, .. } => state,
        }
    }

    /// The guard that did not hold, if a guard refused.
    pub fn guard(&self) -> Option<&'static str> {
        match self {
            Refusal::Guard { guard, .. } => Some(guard),
            _ => None,
        }
    }

    /// The timer that refused the event, if its own timer did.
    pub fn not_before(&self) -> Option<&NotBefore> {
        match self {
            Refusal::NotYet { wait, .. } => Some(wait),
            _ => None,
        }
    }

    /// The automatic transition that comes first, if one did.
    pub fn preempted_by(&self) -> Option<&'static str> {
        match self {
            Refusal::Preempted { by, .. } => Some(by),
            _ => None,
        }
    }
}

/// A timer that has not come yet: the event waits `after` from `entered_at`,
/// when the machine entered its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotBefore {
    /// How long the event waits after the machine entered the state.
    pub after: Duration,
    /// When the machine entered the state.
    pub entered_at: SystemTime,
}

impl NotBefore {
    /// The first instant at which the event is allowed (`None` only if it
    /// lies beyond what `SystemTime` can hold).
    pub fn due(&self) -> Option<SystemTime> {
        self.entered_at.checked_add(self.after)
    }
}

impl<M> Rejected<M> {
    /// Wraps the machine a guard refused to move.
    pub fn new(machine: M, refusal: Refusal) -> Self {
        Rejected {
            machine,
            refusal,
            payload: (),
        }
    }
}

impl<M, P> Rejected<M, P> {
    /// Wraps the machine a guard refused to move, and the payload the
    /// event was given, to hand both back.
    ///
    /// ```
    /// # use turnstile_runtime::{Refusal, Rejected};
    /// # let refusal = Refusal::Guard { workflow: "w", event: "submit", state: "draft", guard: "g", reason: "" };
    /// let rejected = Rejected::with_payload("machine", refusal, String::from("materials"));
    /// assert_eq!(rejected.payload(), "materials");
    /// let (machine, materials) = rejected.into_machine_and_payload();
    /// assert_eq!((machine, materials.as_str()), ("machine", "materials"));
    /// ```
    pub fn with_payload(machine: M, refusal: Refusal, payload: P) -> Self {
        Rejected {
            machine,
            refusal,
            payload,
        }
    }

    /// The machine, unchanged.
    pub fn into_machine(self) -> M {
        self.machine
    }

    /// The payload the refused call was given (`()` for an event that
    /// brings none), to try again with.
    pub fn into_payload(self) -> P {
        self.payload
    }

    /// The payload, by reference.
    pub fn payload(&self) -> &P {
        &self.payload
    }

    /// The machine and the payload, both as they were.
    pub fn into_machine_and_payload(self) -> (M, P) {
        (self.machine, self.payload)
    }

    /// The machine, unchanged, by reference.
    pub fn machine(&self) -> &M {
        &self.machine
    }

    /// Which workflow, event and state, and what refused it.
    pub fn refusal(&self) -> &Refusal {
        &self.refusal
    }

    /// The guard that did not hold, if a guard refused.
    pub fn guard(&self) -> Option<&'static str> {
        self.refusal.guard()
    }

    /// The timer that refused the event, if its own timer did.
    pub fn not_before(&self) -> Option<&NotBefore> {
        self.refusal.not_before()
    }

    /// The refused event.
    pub fn event(&self) -> &'static str {
        self.refusal.event()
    }

    /// The machine back, with the reason split off (the payload, if any,
    /// is dropped: see [`Rejected::into_machine_and_payload`]).
    pub fn into_parts(self) -> (M, Refusal) {
        (self.machine, self.refusal)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: event `{}` refused in state `{}`: ",
            self.workflow(),
            self.event(),
            self.state()
        )?;
        match self {
            Refusal::NotYet { wait, .. } => {
                write!(
                    f,
                    "not due until {} after entering the state",
                    compact_duration(wait.after)
                )?;
                if let Some(due) = wait.due().and_then(rfc3339) {
                    write!(f, " ({due})")?;
                }
                Ok(())
            }
            Refusal::Preempted { by, .. } => write!(
                f,
                "the automatic transition `{by}` has fallen due and comes first"
            ),
            Refusal::Guard { guard, reason, .. } => {
                write!(f, "guard `{guard}` does not hold")?;
                if !reason.is_empty() {
                    write!(f, " ({reason})")?;
                }
                Ok(())
            }
        }
    }
}

impl<M, P> fmt::Display for Rejected<M, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.refusal.fmt(f)
    }
}

impl<M, P> fmt::Debug for Rejected<M, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

impl<M, P> Error for Rejected<M, P> {}

impl Error for Refusal {}

/// `instant` in RFC 3339 (`2026-11-24T17:00:00Z`, with as many fractional
/// digits as it has), or `None` outside the years 1970 to 9999 that the
/// format can write.
pub(crate) fn rfc3339(instant: SystemTime) -> Option<String> {
    // 9999-12-31T23:59:59.999999999Z: the last instant RFC 3339 can write.
    const LAST: Duration = Duration::new(253_402_300_799, 999_999_999);
    let since = instant.duration_since(SystemTime::UNIX_EPOCH).ok()?;
    (since <= LAST).then(|| {
        if since.subsec_nanos() == 0 {
            humantime::format_rfc3339_seconds(instant).to_string()
        } else {
            humantime::format_rfc3339_nanos(instant).to_string()
        }
    })
}

/// `instant` in RFC 3339 where the format can write it, else as the
/// seconds since (or before) the Unix epoch: every instant has a text.
pub(crate) fn instant_text(instant: SystemTime) -> String {
    rfc3339(instant).unwrap_or_else(|| match instant.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => format!("{}s after the Unix epoch", after.as_secs_f64()),
        Err(before) => format!("{}s before the Unix epoch", before.duration().as_secs_f64()),
    })
}

/// The runtime's own rules, tested where they live: timer boundaries, the
/// refusals' words, what a refusal hands back, and instants as text.
#[cfg(test)]
mod tests {
    use super::*;

    const T0: Duration = Duration::from_secs(1_795_510_800); // 2026-11-24T09:00:00Z

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + T0 + Duration::from_secs(secs)
    }

    #[test]
    fn a_timer_is_due_at_its_boundary_instant_and_not_a_nanosecond_before() {
        let day = Duration::from_secs(86_400);
        let due = at(86_400);
        assert!(timer::wait(at(0), day, due).is_ok());
        assert!(timer::wait(at(0), day, due + Duration::from_secs(1)).is_ok());
        let early = timer::wait(at(0), day, due - Duration::from_nanos(1)).unwrap_err();
        assert_eq!(early.due(), Some(due));
        assert_eq!(early.entered_at, at(0));
        assert!(timer::preempted(at(0), day, due));
        assert!(!timer::preempted(at(0), day, due - Duration::from_nanos(1)));
        // A wait past what `SystemTime` holds is never due, and says so.
        let never = timer::wait(at(0), Duration::MAX, at(0)).unwrap_err();
        assert_eq!(never.due(), None);
    }

    #[test]
    fn each_refusal_says_what_refused_in_the_workflows_words() {
        let guard = Refusal::Guard {
            workflow: "door",
            event: "open",
            state: "closed",
            guard: "has_key",
            reason: "the visitor holds the key",
        };
        assert_eq!(
            guard.to_string(),
            "door: event `open` refused in state `closed`: guard `has_key` does not hold (the visitor holds the key)"
        );
        let bare = Refusal::Guard {
            workflow: "door",
            event: "open",
            state: "closed",
            guard: "has_key",
            reason: "",
        };
        assert!(bare.to_string().ends_with("guard `has_key` does not hold"));
        let not_yet = Refusal::NotYet {
            workflow: "service_closing",
            event: "restore",
            state: "closed",
            wait: NotBefore {
                after: Duration::from_secs(86_400),
                entered_at: at(0),
            },
        };
        assert_eq!(
            not_yet.to_string(),
            "service_closing: event `restore` refused in state `closed`: not due until 1d after \
             entering the state (2026-11-25T09:00:00Z)"
        );
        let preempted = Refusal::Preempted {
            workflow: "service_closing",
            event: "restore",
            state: "closed",
            by: "retention_period_ends",
        };
        assert_eq!(preempted.preempted_by(), Some("retention_period_ends"));
        assert!(preempted.to_string().ends_with(
            "the automatic transition `retention_period_ends` has fallen due and comes first"
        ));
        // By name, each is its own `Why`, with its own code.
        assert_eq!(Why::from(guard).code(), "guard_refused");
        assert_eq!(Why::from(not_yet).code(), "not_yet");
        assert_eq!(Why::from(preempted).code(), "overdue");
    }

    #[test]
    fn a_refusal_hands_back_the_machine_and_the_payload() {
        let refusal = Refusal::Guard {
            workflow: "w",
            event: "submit",
            state: "draft",
            guard: "verified",
            reason: "",
        };
        let plain = Rejected::new("machine", refusal);
        assert_eq!(plain.event(), "submit");
        assert_eq!(plain.guard(), Some("verified"));
        let (machine, why) = plain.into_parts();
        assert_eq!((machine, why), ("machine", refusal));
        // A payload that is not `Clone` comes back as it was given.
        struct Token(&'static str);
        let with = Rejected::with_payload("machine", refusal, Token("one-time"));
        assert_eq!(with.payload().0, "one-time");
        assert_eq!(with.to_string(), refusal.to_string());
        let (machine, token) = with.into_machine_and_payload();
        assert_eq!((machine, token.0), ("machine", "one-time"));
        // `Fired` of a refused call is `None`: the machine did not move.
        struct Landed;
        impl Fired for Landed {
            fn landed(&self) -> Option<&'static str> {
                Some("open")
            }
        }
        let refused: Result<Landed, Rejected<&str, Token>> =
            Err(Rejected::with_payload("m", refusal, Token("t")));
        assert_eq!(refused.landed(), None);
        let moved: Result<Landed, Rejected<&str>> = Ok(Landed);
        assert_eq!(moved.landed(), Some("open"));
    }

    #[test]
    fn every_instant_has_a_text() {
        assert_eq!(rfc3339(at(0)).as_deref(), Some("2026-11-24T09:00:00Z"));
        assert_eq!(
            rfc3339(at(0) + Duration::from_nanos(5)).as_deref(),
            Some("2026-11-24T09:00:00.000000005Z")
        );
        let before = SystemTime::UNIX_EPOCH - Duration::from_secs(2);
        assert_eq!(rfc3339(before), None);
        assert_eq!(instant_text(before), "2s before the Unix epoch");
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(rfc3339(far), None);
        assert!(instant_text(far).ends_with("s after the Unix epoch"));
    }
}
