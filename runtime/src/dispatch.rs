//! Dispatch by name: what the generated enum of a workflow's machines
//! (`door::Current`) implements, and why an event given as a string was
//! refused.

use std::error::Error;
use std::fmt;
use std::time::{Duration, SystemTime};

use crate::{Actor, Refusal, Workflow};

/// A timed transition as the definition declares it (`after = "90d"` or
/// `not_before = "24h"`), for answering which timers are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerSpec {
    /// The state the timer runs in (the transition's source).
    pub state: &'static str,
    /// The event the timer allows.
    pub event: &'static str,
    /// How long after entering `state` the event falls due.
    pub after: Duration,
    /// `true` for `after`: the transition happens by itself once due (a
    /// runner fires it with [`Instance::fire_due`](crate::Instance::fire_due)).
    /// `false` for `not_before`: a person fires it, refused until due.
    pub automatic: bool,
}

/// The by-name side of a workflow, implemented by `#[derive(Workflow)]` on
/// the data type. [`Instance`](crate::Instance) and stores are generic over
/// it; the generated enum (`door::Current`) has the same operations as
/// inherent methods, so code for one workflow needs no trait import.
pub trait Dispatch: Workflow + Sized {
    /// The enum of the workflow's machines, one variant per state
    /// (`door::Current`): the typed resume point.
    type Current;

    /// The fingerprint of the definition compiled in (see
    /// `turnstile_spec::fingerprint`): what a snapshot must match.
    const FINGERPRINT: &'static str;

    /// The fingerprints of earlier versions of the definition whose stored
    /// instances this build reads and moves to this version
    /// (`#[workflow(previous = "…")]`): see [`Dispatch::from_previous`]
    /// and [`Instance::from_previous`](crate::Instance::from_previous). A
    /// store reads their rows and writes them back under
    /// [`Dispatch::FINGERPRINT`], with a migration step; empty by default.
    const PREVIOUS: &'static [&'static str] = &[];

    /// Each of [`Dispatch::PREVIOUS`] with its initial state and its
    /// transitions: the steps of a trail taken under that version replay
    /// along them (they keep the names they were taken under). Empty by
    /// default.
    const PREVIOUS_VERSIONS: &'static [PreviousVersion] = &[];

    /// The promises of the definition's properties a migration could
    /// break ([`Promise`]), checked on each instance moved from a previous
    /// version. Generated with `previous = "…"`; empty by default.
    const PROMISES: &'static [Promise] = &[];

    /// Where an instance stored under the previous version `fingerprint`
    /// (one of [`Dispatch::PREVIOUS`]), in its state `state` (that
    /// version's name), goes in this version, with its data, which the
    /// mapping may change; `Err(reason)` refuses the instance.
    ///
    /// The derive generates it from the two definitions: a state that
    /// carries on unchanged (or renamed) maps to itself (or its new name);
    /// a state whose instances need a decision (removed, or a way out of
    /// it removed or narrowed) calls the workflow's `previous::Migrate`
    /// trait, which the user implements. By default, the state of the same
    /// name.
    fn from_previous(
        fingerprint: &str,
        state: &str,
        data: &mut Self,
        entered_at: SystemTime,
    ) -> Result<&'static str, String> {
        let _ = (fingerprint, data, entered_at);
        Self::STATES
            .iter()
            .copied()
            .find(|s| *s == state)
            .ok_or_else(|| format!("this version has no state `{state}`"))
    }

    /// Every timed transition, per source state, in declaration order.
    const TIMERS: &'static [TimerSpec];

    /// Every `(from, event, to)` the definition allows: a stored history
    /// replays only along these.
    const TRANSITIONS: &'static [(&'static str, &'static str, &'static str)];

    /// For each of [`Dispatch::TIMERS`], what its timer counts from:
    /// `None` for entering its state, `Some(d)` for entering the compound
    /// state at position `d` among the state's compounds, outermost first
    /// (as [`Workflow::ANCESTORS`](crate::Workflow::ANCESTORS) lists them).
    /// Empty when every timer counts from entering its state.
    const TIMER_CLOCKS: &'static [Option<usize>] = &[];

    /// For each of [`Dispatch::TRANSITIONS`], how many of the target's
    /// compound states, outermost first, the move stays inside: their
    /// timers keep running, the others start again. Empty when no timer
    /// counts from entering a compound state.
    const KEPT: &'static [usize] = &[];

    /// A machine in the initial state, owning `data`, entered at `now`.
    fn start(data: Self, now: SystemTime) -> Self::Current;

    /// The machine in the state named `state`, entered at `entered_at`: how
    /// a stored instance comes back into typestate. The data is handed back
    /// when no state has that name.
    fn resume(state: &str, data: Self, entered_at: SystemTime) -> Result<Self::Current, Self>;

    /// [`Dispatch::resume`], with when the machine entered each compound
    /// state it is inside (`within`, outermost first, as
    /// [`Dispatch::within`] gives them); a compound missing from the end of
    /// `within` counts as entered at `entered_at`. Only a workflow with a
    /// timer on a compound state keeps these; the others ignore `within`.
    fn resume_within(
        state: &str,
        data: Self,
        entered_at: SystemTime,
        within: &[SystemTime],
    ) -> Result<Self::Current, Self> {
        let _ = within;
        Self::resume(state, data, entered_at)
    }

    /// When the machine entered each compound state it is inside,
    /// outermost first (as [`Workflow::ANCESTORS`](crate::Workflow::ANCESTORS)
    /// lists them): what a compound's timer counts from. Empty for a
    /// workflow with no timer on a compound state.
    fn within(current: &Self::Current) -> &[SystemTime] {
        let _ = current;
        &[]
    }

    /// The name of the state `current` is in.
    fn state(current: &Self::Current) -> &'static str;

    /// The events allowed from the state `current` is in, in declaration order.
    fn allowed(current: &Self::Current) -> &'static [&'static str];

    /// The data.
    fn data(current: &Self::Current) -> &Self;

    /// The data, to change between transitions.
    fn data_mut(current: &mut Self::Current) -> &mut Self;

    /// The data, ending the machine.
    fn into_data(current: Self::Current) -> Self;

    /// Fires the event named `event` at `now`, by an anonymous actor (who
    /// holds no role): the machine in its new state, or the machine
    /// unchanged and why not.
    fn fire(
        current: Self::Current,
        event: &str,
        now: SystemTime,
    ) -> Result<Self::Current, Refused<Self::Current>>;

    /// Fires the event named `event` at `now` by `actor`: as
    /// [`Dispatch::fire`], except that a transition which names roles in
    /// `by` is refused with [`Why::Forbidden`] unless the actor holds one
    /// of them.
    fn fire_as(
        current: Self::Current,
        event: &str,
        actor: &Actor<'_>,
        now: SystemTime,
    ) -> Result<Self::Current, Refused<Self::Current>>;

    /// Fires the event named `event` at `now` by `actor`, bringing
    /// `payload` (its text, as [`Payload`](crate::Payload) reads it): as
    /// [`Dispatch::fire_as`], for an event whose definition says `payload`.
    /// An event that brings one refuses a missing or unreadable payload,
    /// and one that brings none refuses a payload, with
    /// [`Why::BadPayload`]. On success, what the trail records of the
    /// payload (its text, or the digest of a sensitive one) comes back too.
    #[allow(clippy::type_complexity)]
    fn fire_with(
        current: Self::Current,
        event: &str,
        payload: Option<&str>,
        actor: &Actor<'_>,
        now: SystemTime,
    ) -> Result<(Self::Current, Option<String>), Refused<Self::Current>>;
}

/// An earlier version of a definition, as a build that reads its stored
/// instances knows it ([`Dispatch::PREVIOUS_VERSIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PreviousVersion {
    /// Its fingerprint.
    pub fingerprint: &'static str,
    /// Its initial state.
    pub initial: &'static str,
    /// Its states.
    pub states: &'static [&'static str],
    /// Every `(from, event, to)` it allowed.
    pub transitions: &'static [(&'static str, &'static str, &'static str)],
    /// Each of its states that is still a state of this version, with its
    /// name here (itself, or its new name): what a promise about a state
    /// of this version says of an instance that was in it.
    pub counterparts: &'static [(&'static str, &'static str)],
}

/// A promise of the definition's properties that moving an instance from
/// a previous version could break: a migration is a move no transition
/// of the definition makes, so the checker's proof does not cover it, and
/// each migrated instance is checked against these
/// ([`Dispatch::PROMISES`]). Properties kept as warnings are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Promise {
    /// `never_leaves = [states]`: an instance in one of them stays.
    NeverLeaves {
        /// The property's name.
        name: &'static str,
        /// The states.
        states: &'static [&'static str],
    },
    /// `left_only_by = [states]`, `by = [roles]`: only those roles move an
    /// instance out of the states (a migration is none of them).
    LeftOnlyBy {
        /// The property's name.
        name: &'static str,
        /// The states.
        states: &'static [&'static str],
    },
    /// `enters = [states]`, `only_after = [events]`, `from = "state"`: an
    /// instance that was in `from` enters the states only once one of the
    /// events has happened since.
    OnlyAfter {
        /// The property's name.
        name: &'static str,
        /// The states.
        states: &'static [&'static str],
        /// The events, one of which must come first.
        events: &'static [&'static str],
        /// Where the runs start.
        from: &'static str,
    },
    /// `unreachable = "state"`, `from = "state"`: an instance that was in
    /// `from` never enters the state.
    Unreachable {
        /// The property's name.
        name: &'static str,
        /// The state no run enters.
        target: &'static str,
        /// Where the runs start.
        from: &'static str,
    },
}

/// The event a migration step records ([`Step::migrated`]): not a name a
/// definition can give an event, so never mistaken for one.
pub const MIGRATED: &str = "(migrated)";

/// The versions a migration step moved an instance between: the
/// fingerprints of the definitions before and after.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Versions {
    /// The fingerprint of the definition the instance was stored under.
    pub from: String,
    /// The fingerprint of the definition it was moved to.
    pub to: String,
    /// The digest (`sha256:…`) of the data as the old version stored it,
    /// where the store recorded it: an undo
    /// (`turnstile_store::Store::undo_migrations`) moves the instance back
    /// only while its data, as the old version reads it, is still that.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub before: Option<String>,
}

/// One transition taken, as the audit trail records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Step {
    /// The state the machine left.
    pub from: String,
    /// The event fired.
    pub event: String,
    /// The state the machine entered.
    pub to: String,
    /// When, on the caller's clock.
    #[cfg_attr(feature = "serde", serde(with = "crate::snapshot::instant"))]
    pub at: SystemTime,
    /// Who fired it (a user, a member of staff, `"timer"`), if the caller said.
    pub actor: Option<String>,
    /// The role the actor fired it in, when the transition names roles in
    /// `by`: the first of them the actor holds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub role: Option<String>,
    /// What the event brought, when its definition says `payload`: the
    /// payload's text, or `sha256:…`, its digest, for a sensitive one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub payload: Option<String>,
    /// Set on a migration step: the instance was moved from one version of
    /// its definition to another, from the state `from` (the old
    /// version's name) to `to` (the new one's); its `event` is
    /// [`MIGRATED`], its `actor` who migrated it, if said. The steps before
    /// it keep the names they were taken under, in the version
    /// `migrated.from`. A migration keeps the instant the state was entered
    /// (a timer runs on).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub migrated: Option<Versions>,
}

/// The first promise of `W` ([`Dispatch::PROMISES`]) that moving an
/// instance stored under the previous version `fingerprint` from its state
/// `from` (that version's name) to `to` (this version's) breaks, in words;
/// `trail` is its history before the move.
pub(crate) fn broken_promise<W: Dispatch>(
    fingerprint: &str,
    from: &str,
    to: &str,
    trail: &[Step],
) -> Option<String> {
    let counterpart = W::PREVIOUS_VERSIONS
        .iter()
        .find(|p| p.fingerprint == fingerprint)
        .and_then(|p| p.counterparts.iter().find(|(old, _)| *old == from))
        .map(|(_, new)| *new);
    // Whether the instance was in `state` (this version's name) at some
    // point, and the steps after it last entered it.
    let since = |state: &str| -> Option<&[Step]> {
        let entered = |name: &str| name == state || (counterpart == Some(state) && name == from);
        match trail.iter().rposition(|s| entered(&s.to)) {
            Some(i) => Some(&trail[i + 1..]),
            None if W::INITIAL == state || trail.first().is_some_and(|s| entered(&s.from)) => {
                Some(trail)
            }
            None if trail.is_empty() && entered(from) => Some(trail),
            None => None,
        }
    };
    for promise in W::PROMISES {
        match *promise {
            Promise::NeverLeaves { name, states } | Promise::LeftOnlyBy { name, states } => {
                if let Some(here) = counterpart.filter(|c| states.contains(c) && *c != to) {
                    return Some(format!(
                        "it would take the instance out of `{here}`, which the property `{name}` says it leaves only by the definition's own steps"
                    ));
                }
            }
            Promise::OnlyAfter {
                name,
                states,
                events,
                from: start,
            } => {
                if states.contains(&to) && counterpart != Some(to) {
                    if let Some(after) = since(start) {
                        if !after.iter().any(|s| events.contains(&s.event.as_str())) {
                            return Some(format!(
                                "it would enter `{to}` before any of {} happened, which the property `{name}` forbids",
                                events
                                    .iter()
                                    .map(|e| format!("`{e}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                    }
                }
            }
            Promise::Unreachable {
                name,
                target,
                from: start,
            } => {
                if to == target && counterpart != Some(to) && since(start).is_some() {
                    return Some(format!(
                        "it would enter `{to}`, which the property `{name}` says no run from `{start}` enters"
                    ));
                }
            }
        }
    }
    None
}

impl Step {
    /// Whether this is a migration step ([`Step::migrated`]).
    pub fn is_migration(&self) -> bool {
        self.migrated.is_some()
    }
}

/// Why an event given by name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Why {
    /// No event of the workflow has this name.
    UnknownEvent {
        /// The workflow.
        workflow: &'static str,
        /// The name as given.
        event: String,
        /// The closest event name, if one is close enough to be a typo.
        suggestion: Option<&'static str>,
    },
    /// The transition names the roles that may fire it (`by`), and the
    /// actor holds none of them. Nothing was fired.
    Forbidden {
        /// The workflow.
        workflow: &'static str,
        /// The event.
        event: &'static str,
        /// The current state.
        state: &'static str,
        /// The roles that may fire the event here, in the order listed.
        allowed: &'static [&'static str],
        /// Who tried, if they said.
        actor: Option<String>,
        /// The roles they hold.
        held: Vec<String>,
    },
    /// The event brings a payload and none was given, or what was given
    /// does not read as its type; or it brings none and one was given.
    /// Nothing was fired.
    BadPayload {
        /// The workflow.
        workflow: &'static str,
        /// The event.
        event: &'static str,
        /// The current state.
        state: &'static str,
        /// The payload's type as the definition names it (`None`: the
        /// event brings no payload).
        expected: Option<&'static str>,
        /// What is wrong.
        problem: String,
    },
    /// The event exists, but not from the current state.
    NotAllowed {
        /// The workflow.
        workflow: &'static str,
        /// The event.
        event: &'static str,
        /// The current state.
        state: &'static str,
        /// The events the current state allows.
        allowed: &'static [&'static str],
    },
    /// The event needs another parallel region in given states (the
    /// definition's `when`), and that region is elsewhere: the by-name
    /// twin of the compile error a typed call meets. Nothing was fired.
    Condition {
        /// The workflow.
        workflow: &'static str,
        /// The event.
        event: &'static str,
        /// The region whose state does not meet the condition.
        region: &'static str,
        /// The states (or compound states) the condition names, as written.
        needs: &'static [&'static str],
        /// The state the region is in.
        state: &'static str,
    },
    /// A guard did not hold.
    Guard(Refusal),
    /// The event's timer has not come yet (`refusal.not_before()` says when).
    NotYet(Refusal),
    /// An automatic timer of the state has fallen due and comes first
    /// (`refusal.preempted_by()` names it).
    Overdue(Refusal),
    /// The instant given is earlier than when the instance entered its
    /// current state: the caller's clock is behind (two nodes whose clocks
    /// differ, a clock stepped back, a client's instant). Time only moves
    /// forward in an audit trail, so nothing was fired or recorded.
    ClockBehind {
        /// The workflow.
        workflow: &'static str,
        /// The event that was to be fired.
        event: String,
        /// The current state.
        state: &'static str,
        /// When the instance entered `state`.
        entered_at: SystemTime,
        /// The instant the caller gave.
        now: SystemTime,
    },
    /// [`Instance::fire_due`](crate::Instance::fire_due) found no automatic
    /// timer due.
    NothingDue {
        /// The workflow.
        workflow: &'static str,
        /// The current state.
        state: &'static str,
        /// The next automatic timer of this state and when it falls due.
        next: Option<(&'static str, SystemTime)>,
    },
}

impl From<Refusal> for Why {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotYet { .. } => Why::NotYet(refusal),
            Refusal::Preempted { .. } => Why::Overdue(refusal),
            Refusal::Guard { .. } => Why::Guard(refusal),
        }
    }
}

impl Why {
    /// A short, stable name for the kind of refusal, in snake case, for
    /// logs, metrics and API error codes: `unknown_event`, `forbidden`,
    /// `bad_payload`, `not_allowed`, `condition_unmet` (another region is
    /// elsewhere), `guard_refused`, `not_yet` (its own
    /// timer), `overdue` (an automatic timer came first), `clock_behind`,
    /// `nothing_due`. The store records it with an idempotency key, so a
    /// replayed refusal says what the original said.
    pub fn code(&self) -> &'static str {
        match self {
            Why::UnknownEvent { .. } => "unknown_event",
            Why::Forbidden { .. } => "forbidden",
            Why::BadPayload { .. } => "bad_payload",
            Why::NotAllowed { .. } => "not_allowed",
            Why::Condition { .. } => "condition_unmet",
            Why::Guard(_) => "guard_refused",
            Why::NotYet(_) => "not_yet",
            Why::Overdue(_) => "overdue",
            Why::ClockBehind { .. } => "clock_behind",
            Why::NothingDue { .. } => "nothing_due",
        }
    }
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Condition {
                workflow,
                event,
                region,
                needs,
                state,
            } => write!(
                f,
                "{}; it is in `{state}`",
                crate::words::condition_words(workflow, event, region, needs)
            ),
            Why::UnknownEvent {
                workflow,
                event,
                suggestion,
            } => {
                write!(f, "{workflow}: there is no event `{event}`")?;
                match suggestion {
                    Some(best) => write!(f, "; did you mean `{best}`?"),
                    None => Ok(()),
                }
            }
            Why::NotAllowed {
                workflow,
                event,
                state,
                allowed,
            } => {
                write!(
                    f,
                    "{workflow}: event `{event}` is not allowed in state `{state}`"
                )?;
                if allowed.is_empty() {
                    write!(f, "; no event is (it is a final state)")
                } else {
                    let list: Vec<String> = allowed.iter().map(|e| format!("`{e}`")).collect();
                    write!(f, "; allowed now: {}", list.join(", "))
                }
            }
            Why::Forbidden {
                workflow,
                event,
                state,
                allowed,
                actor,
                held,
            } => {
                let list = |names: &mut dyn Iterator<Item = &str>| {
                    names
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                write!(
                    f,
                    "{workflow}: event `{event}` refused in state `{state}`: it may be fired by {} only; ",
                    list(&mut allowed.iter().copied())
                )?;
                match actor {
                    Some(actor) => write!(f, "the actor `{actor}`")?,
                    None => write!(f, "the actor")?,
                }
                if held.is_empty() {
                    write!(f, " holds no role")
                } else {
                    write!(f, " holds {}", list(&mut held.iter().map(String::as_str)))
                }
            }
            Why::BadPayload {
                workflow,
                event,
                state,
                expected,
                problem,
            } => {
                write!(
                    f,
                    "{workflow}: event `{event}` refused in state `{state}`: "
                )?;
                match expected {
                    Some(ty) => write!(f, "its payload (`{ty}`) {problem}"),
                    None => write!(f, "it brings no payload, but {problem}"),
                }
            }
            Why::Guard(refusal) | Why::NotYet(refusal) | Why::Overdue(refusal) => refusal.fmt(f),
            Why::ClockBehind {
                workflow,
                event,
                state,
                entered_at,
                now,
            } => write!(
                f,
                "{workflow}: event `{event}` refused in state `{state}`: the instant given ({}) \
                 is earlier than when the instance entered the state ({}); the caller's clock \
                 is behind, and nothing was fired",
                crate::instant_text(*now),
                crate::instant_text(*entered_at),
            ),
            Why::NothingDue {
                workflow,
                state,
                next,
            } => {
                write!(f, "{workflow}: no timer is due in state `{state}`")?;
                match next.and_then(|(event, at)| Some((event, crate::rfc3339(at)?))) {
                    Some((event, at)) => write!(f, "; the next is `{event}` at {at}"),
                    None => write!(f, "; it has no automatic timer"),
                }
            }
        }
    }
}

/// An event given by name that was refused. It owns what it was fired on,
/// unchanged: take it back with [`Refused::into_inner`].
#[must_use = "a refused event hands the instance back: take it with `into_inner()`"]
pub struct Refused<I> {
    inner: I,
    why: Why,
}

impl<I> Refused<I> {
    /// Wraps what was refused with the reason.
    pub fn new(inner: I, why: Why) -> Self {
        Refused { inner, why }
    }

    /// What the event was fired on, unchanged.
    pub fn into_inner(self) -> I {
        self.inner
    }

    /// What the event was fired on, by reference.
    pub fn inner(&self) -> &I {
        &self.inner
    }

    /// Why the event was refused.
    pub fn why(&self) -> &Why {
        &self.why
    }

    /// The unchanged value and the reason.
    pub fn into_parts(self) -> (I, Why) {
        (self.inner, self.why)
    }

    /// The same refusal around something else (the instance around a machine).
    pub fn map<J>(self, f: impl FnOnce(I) -> J) -> Refused<J> {
        Refused {
            inner: f(self.inner),
            why: self.why,
        }
    }
}

impl<I> fmt::Display for Refused<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.why.fmt(f)
    }
}

impl<I> fmt::Debug for Refused<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Refused")
            .field("why", &self.why)
            .finish_non_exhaustive()
    }
}

impl<I> Error for Refused<I> {}

/// The refusal of an event name that the workflow does not have.
pub fn unknown_event<I>(
    inner: I,
    workflow: &'static str,
    event: &str,
    events: &'static [&'static str],
) -> Refused<I> {
    let suggestion = crate::words::did_you_mean(event, events.iter().copied());
    Refused::new(
        inner,
        Why::UnknownEvent {
            workflow,
            event: event.to_string(),
            suggestion,
        },
    )
}

/// The refusal of an event that the current state does not allow.
pub fn not_allowed<I>(
    inner: I,
    workflow: &'static str,
    event: &'static str,
    state: &'static str,
    allowed: &'static [&'static str],
) -> Refused<I> {
    Refused::new(
        inner,
        Why::NotAllowed {
            workflow,
            event,
            state,
            allowed,
        },
    )
}
