//! A workflow instance that outlives one process: the machine, when it
//! entered its state, and the audit trail of every transition taken.

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::time::SystemTime;

use crate::dispatch::{Dispatch, Refused, Step, TimerSpec, Why};
use crate::Actor;

/// A long-running instance of the workflow whose data is `W`: the machine
/// in its current state ([`Dispatch::Current`], the generated enum), the
/// instant it entered that state, and the audit trail.
///
/// Events are fired by name, at an instant the caller passes, and by an
/// actor the caller names; each transition taken is appended to the trail.
/// A refused event hands the instance back, with nothing of the event
/// done; automatic timers that had fallen due by the instant given were
/// taken first and stay taken (see [`Instance::fire`]). Nothing here
/// reads the clock or sleeps: timers are answered at the instant given.
pub struct Instance<W: Dispatch> {
    current: W::Current,
    /// When the instance started, if known (instances stored before it was
    /// kept do not say).
    started_at: Option<SystemTime>,
    entered_at: SystemTime,
    /// Steps taken before those held in `trail` (an instance resumed from
    /// its head, [`Instance::resume_head`], holds none of its history).
    earlier: usize,
    trail: Vec<Step>,
}

/// A timer of the current state and when it falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerStatus {
    /// The event the timer allows.
    pub event: &'static str,
    /// `true` for a transition that happens by itself once due.
    pub automatic: bool,
    /// When it falls due (`None` beyond what `SystemTime` holds).
    pub due: Option<SystemTime>,
}

/// Why stored parts do not make an instance: nothing is guessed, the
/// instance is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The snapshot's format tag is not one this version reads.
    Format {
        /// The tag found.
        found: String,
        /// The tag this version writes for what was being loaded
        /// (`"turnstile-instance/2"`, or `"turnstile-regions/1"` for a
        /// workflow with regions).
        expected: &'static str,
    },
    /// The snapshot is of another workflow.
    WrongWorkflow {
        /// The workflow being loaded.
        expected: &'static str,
        /// The workflow the snapshot names.
        found: String,
    },
    /// The snapshot was taken under another version of the definition.
    Fingerprint {
        /// The workflow.
        workflow: &'static str,
        /// The fingerprint of the definition compiled in.
        expected: &'static str,
        /// The fingerprint the snapshot records.
        found: String,
    },
    /// No state of the workflow has this name.
    UnknownState {
        /// The workflow.
        workflow: &'static str,
        /// The name found.
        state: String,
    },
    /// The audit trail does not replay to the stored state.
    Trail {
        /// The workflow.
        workflow: &'static str,
        /// The index of the first step that does not replay, or the trail's
        /// length when the steps replay but end elsewhere.
        step: usize,
        /// What is wrong.
        problem: String,
    },
    /// The instants the compound states were entered, kept for a timer
    /// on a compound state, cannot be: more than the compounds the state is
    /// inside, one after a state inside it was entered, or one before the
    /// start.
    Within {
        /// The workflow.
        workflow: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A stored configuration of a workflow with parallel regions is not
    /// one state of each region, in order (a region missing, repeated,
    /// out of order, or in a state that is not its own).
    Configuration {
        /// The workflow.
        workflow: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The snapshot is not an envelope: malformed, truncated, a field
    /// missing or unknown, a value of the wrong type (the format's message).
    Malformed {
        /// The workflow being loaded.
        workflow: &'static str,
        /// What the format's deserializer said.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Format { found, expected } => write!(
                f,
                "not a turnstile instance snapshot this version reads: format `{found}` (expected `{expected}`)"
            ),
            LoadError::WrongWorkflow { expected, found } => write!(
                f,
                "{expected}: the snapshot is of the workflow `{found}`"
            ),
            LoadError::Fingerprint {
                workflow,
                expected,
                found,
            } => write!(
                f,
                "{workflow}: the snapshot was taken under another version of the definition \
                 (fingerprint {found}, the definition compiled in is {expected}); \
                 load it with `Instance::migrate`"
            ),
            LoadError::UnknownState { workflow, state } => {
                write!(f, "{workflow}: the snapshot's state `{state}` is not a state of the workflow")
            }
            LoadError::Trail {
                workflow,
                step,
                problem,
            } => write!(f, "{workflow}: the audit trail does not replay at step {step}: {problem}"),
            LoadError::Within { workflow, problem } => {
                write!(f, "{workflow}: when it entered its compound states: {problem}")
            }
            LoadError::Configuration { workflow, problem } => {
                write!(f, "{workflow}: not a configuration of its regions: {problem}")
            }
            LoadError::Malformed { workflow, message } => {
                write!(f, "{workflow}: malformed snapshot: {message}")
            }
        }
    }
}

impl Error for LoadError {}

/// The format tag of the snapshots this version writes (see
/// `docs/long-running.md`): version 2 records when the instance started.
/// Snapshots are the `serde` feature's.
#[cfg(feature = "serde")]
pub const FORMAT: &str = "turnstile-instance/2";

impl<W: Dispatch> Instance<W> {
    /// A new instance in the initial state, owning `data`, started at `now`.
    pub fn start(data: W, now: SystemTime) -> Self {
        Instance {
            current: W::start(data, now),
            started_at: Some(now),
            entered_at: now,
            earlier: 0,
            trail: Vec::new(),
        }
    }

    /// An instance from stored parts: when it started, the state's name,
    /// the data, when the state was entered and the audit trail. Refused
    /// unless the state exists and the trail replays from the initial state
    /// to it along the definition's transitions, in time order from the
    /// start, each timed step no earlier than its timer allowed (the first
    /// one counted from the start), the last at `entered_at` (or, with no
    /// step, `entered_at` the start itself).
    ///
    /// `started_at` is `None` only for instances stored before the start
    /// was kept (snapshot format 1): their first step is then taken as it
    /// is, unchecked against a start nobody recorded.
    ///
    /// A trail that holds migration steps ([`Step::migrated`]) replays each
    /// step under the version it was taken in: those before a migration
    /// step under its `from` version (along its transitions, for a version
    /// in [`Dispatch::PREVIOUS_VERSIONS`]; in order and continuity only,
    /// for an older one), those after the last one under this version.
    pub fn resume(
        started_at: Option<SystemTime>,
        state: &str,
        data: W,
        entered_at: SystemTime,
        trail: Vec<Step>,
    ) -> Result<Self, LoadError> {
        if !W::STATES.contains(&state) {
            return Err(LoadError::UnknownState {
                workflow: W::NAME,
                state: state.to_string(),
            });
        }
        let within = check_trail::<W>(started_at, state, entered_at, &trail, W::FINGERPRINT)?;
        match W::resume_within(state, data, entered_at, &within) {
            Ok(current) => Ok(Instance {
                current,
                started_at,
                entered_at,
                earlier: 0,
                trail,
            }),
            Err(_) => Err(LoadError::UnknownState {
                workflow: W::NAME,
                state: state.to_string(),
            }),
        }
    }

    /// An instance from its head alone: when it started, the state's name,
    /// the data, when the state was entered, and how many steps its history
    /// holds (`steps_taken`), without the history itself. Firing needs no
    /// more, so a store loads this on every fire and its cost does not grow
    /// with the history (the full check, [`Instance::resume`], is for
    /// reading the history and for verifying stored rows).
    ///
    /// Refused unless the state exists, and, with no step taken, the state
    /// is the initial one entered at the start. The instance's
    /// [`trail`](Instance::trail) holds the steps taken from here on only;
    /// [`Instance::steps_taken`] counts them all. Its snapshot
    /// ([`Instance::to_envelope`]) holds those steps only and does not
    /// load: snapshot an instance resumed with its whole trail.
    ///
    /// A workflow with a timer on a compound state also needs when the
    /// machine entered each compound it is in: see
    /// [`Instance::resume_head_within`]. Here they count as entered with
    /// the state.
    pub fn resume_head(
        started_at: Option<SystemTime>,
        state: &str,
        data: W,
        entered_at: SystemTime,
        steps_taken: usize,
    ) -> Result<Self, LoadError> {
        Self::resume_head_within(started_at, state, data, entered_at, &[], steps_taken)
    }

    /// [`Instance::resume_head`], with when the machine entered each
    /// compound state it is inside, outermost first, as
    /// [`Instance::entered_within`] gave them when it was stored. Refused
    /// as [`LoadError::Within`] unless there is at most one instant per
    /// compound the state is inside, each no later than the next and than
    /// `entered_at`, none before the start.
    pub fn resume_head_within(
        started_at: Option<SystemTime>,
        state: &str,
        data: W,
        entered_at: SystemTime,
        within: &[SystemTime],
        steps_taken: usize,
    ) -> Result<Self, LoadError> {
        let within = if steps_taken == 0 {
            let replayed = check_trail::<W>(started_at, state, entered_at, &[], W::FINGERPRINT)?;
            if within.is_empty() {
                replayed
            } else {
                within.to_vec()
            }
        } else {
            within.to_vec()
        };
        check_within::<W>(started_at, state, entered_at, &within)?;
        match W::resume_within(state, data, entered_at, &within) {
            Ok(current) => Ok(Instance {
                current,
                started_at,
                entered_at,
                earlier: steps_taken,
                trail: Vec::new(),
            }),
            Err(_) => Err(LoadError::UnknownState {
                workflow: W::NAME,
                state: state.to_string(),
            }),
        }
    }

    /// How many transitions the instance has taken since it started: the
    /// length of its whole history, held in [`Instance::trail`] or not.
    pub fn steps_taken(&self) -> usize {
        self.earlier + self.trail.len()
    }

    /// Whether [`Instance::trail`] holds the whole history (`false` for an
    /// instance resumed from its head that had taken steps before).
    pub fn holds_history(&self) -> bool {
        self.earlier == 0
    }

    /// When the instance started (`None` for one stored before the start
    /// was kept).
    pub fn started_at(&self) -> Option<SystemTime> {
        self.started_at
    }

    /// The machine in its current state: match on it to be back in typestate.
    pub fn current(&self) -> &W::Current {
        &self.current
    }

    /// The machine, ending the instance (the trail is dropped).
    pub fn into_current(self) -> W::Current {
        self.current
    }

    /// The machine, when its state was entered, and the trail.
    pub fn into_parts(self) -> (W::Current, SystemTime, Vec<Step>) {
        (self.current, self.entered_at, self.trail)
    }

    /// The current state's name.
    pub fn state(&self) -> &'static str {
        W::state(&self.current)
    }

    /// The events the current state allows, in declaration order (guards
    /// and timers may still refuse them).
    pub fn allowed(&self) -> &'static [&'static str] {
        W::allowed(&self.current)
    }

    /// The data.
    pub fn data(&self) -> &W {
        W::data(&self.current)
    }

    /// The data, to change between transitions (guards and outcomes read it).
    pub fn data_mut(&mut self) -> &mut W {
        W::data_mut(&mut self.current)
    }

    /// The data, ending the instance.
    pub fn into_data(self) -> W {
        W::into_data(self.current)
    }

    /// When the current state was entered.
    pub fn entered_at(&self) -> SystemTime {
        self.entered_at
    }

    /// Every transition taken, oldest first; for an instance resumed from
    /// its head ([`Instance::resume_head`]), those taken since (see
    /// [`Instance::steps_taken`]). Refused attempts are not transitions and
    /// are not recorded: log them from the `Err` of [`Instance::fire`] if
    /// you need them.
    pub fn trail(&self) -> &[Step] {
        &self.trail
    }

    /// Fires the event named `event` at `now`, by `actor`: the instance in
    /// its new state with the step appended to the trail, or the instance
    /// unchanged and why not (unknown event, not allowed here, a role the
    /// actor does not hold, a guard, a timer not yet due).
    ///
    /// `actor` is an [`Actor`]: an identity the trail records and the roles
    /// it holds. `None` and `Some("alice")` still work (an actor holding no
    /// role), as does `&Actor::new("alice").with_roles(&["staff"])`. A
    /// transition that names roles in `by` is refused with
    /// [`Why::Forbidden`] unless the actor holds one of them; the trail
    /// records the role it acted in.
    ///
    /// Automatic timers that have fallen due by `now` happen first, each at
    /// its own due instant with the actor `"timer"`, whether or not `event`
    /// is then allowed: a refusal hands back the instance with them taken.
    ///
    /// An automatic (`after`) event may be named too: it is the system's
    /// step, so it happens exactly as [`Instance::fire_due`] takes it, at
    /// its due instant with the actor `"timer"` (not at `now`, nor by
    /// `actor`), and before it is due it is refused with [`Why::NotYet`].
    ///
    /// Time only moves forward: `now` earlier than [`Instance::entered_at`]
    /// is refused with [`Why::ClockBehind`] before anything else, and
    /// nothing is fired or recorded. (The same instant as the last step is
    /// accepted: two steps may share an instant.) So every trail an
    /// instance records is in time order and loads again.
    pub fn fire<'a>(
        self,
        event: &str,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
    ) -> Result<Self, Refused<Self>> {
        self.fire_with(event, None, actor, now)
    }

    /// [`Instance::fire`], bringing `payload` for an event whose definition
    /// says `payload = "Type"`: its text, read with
    /// [`Payload`](crate::Payload) (JSON with the `serde` feature). A
    /// missing or unreadable payload, or one given to an event that brings
    /// none, is refused with [`Why::BadPayload`] and nothing changes; the
    /// trail records the payload, or the digest of a sensitive one.
    pub fn fire_with<'a>(
        self,
        event: &str,
        payload: Option<&str>,
        actor: impl Into<Actor<'a>>,
        now: SystemTime,
    ) -> Result<Self, Refused<Self>> {
        let actor = actor.into();
        if now < self.entered_at {
            let why = Why::ClockBehind {
                workflow: W::NAME,
                event: event.to_string(),
                state: self.state(),
                entered_at: self.entered_at,
                now,
            };
            return Err(Refused::new(self, why));
        }
        let mut instance = self;
        // Each automatic transition moves the instance on by a positive
        // duration, so this ends once the next is due after `now`.
        while let Some((due_event, due_at)) = instance.first_due(now) {
            instance = instance.step(due_event, None, &Actor::new("timer"), due_at)?;
            if due_event == event {
                // The event asked for was this automatic one: taken as the
                // timer takes it, which is all firing it by name can do.
                return Ok(instance);
            }
        }
        instance.step(event, payload, &actor, now)
    }

    /// The automatic timer due at `now` that fell due first.
    fn first_due(&self, now: SystemTime) -> Option<(&'static str, SystemTime)> {
        self.next_due().filter(|(_, at)| *at <= now)
    }

    /// The events `actor` may fire now, in declaration order: those the
    /// current state allows, except the ones that happen by themselves
    /// (`after`: [`Instance::automatic`]) and those whose transition names
    /// roles (`by`) the actor holds none of. What a caller is offered;
    /// guards and `not_before` timers are still checked when it fires
    /// ([`Instance::timers`] says when a `not_before` falls due).
    pub fn allowed_for(&self, actor: &Actor<'_>) -> Vec<&'static str> {
        let state = self.state_index();
        let automatic = self.automatic();
        self.allowed()
            .iter()
            .copied()
            .filter(|event| !automatic.contains(event))
            .filter(|event| crate::roles::role_for::<W>(state, event, actor).is_ok())
            .collect()
    }

    /// The events of the current state that happen by themselves once due
    /// (`after`), in declaration order: a timer runner fires them
    /// ([`Instance::fire_due`]), no caller does.
    pub fn automatic(&self) -> Vec<&'static str> {
        self.timer_specs()
            .filter(|t| t.automatic)
            .map(|t| t.event)
            .collect()
    }

    /// The index of the current state among the workflow's states.
    fn state_index(&self) -> usize {
        let state = self.state();
        W::STATES.iter().position(|s| *s == state).unwrap_or(0)
    }

    /// Whether the current state permits `capability` (a name of the
    /// definition's `[capabilities.…]`); `false` for a name it does not
    /// declare.
    pub fn permits(&self, capability: &str) -> bool {
        crate::roles::permits::<W>(self.state_index(), capability)
    }

    /// The capabilities the current state permits, in the order listed.
    pub fn permitted(&self) -> &'static [&'static str] {
        crate::roles::permitted::<W>(self.state_index())
    }

    /// Fires one event, appending it to the trail.
    fn step(
        self,
        event: &str,
        payload: Option<&str>,
        actor: &Actor<'_>,
        now: SystemTime,
    ) -> Result<Self, Refused<Self>> {
        // The role the actor acts in, recorded with the step (the dispatch
        // below refuses one who holds none of the transition's roles).
        let role = if W::BY.is_empty() {
            None
        } else {
            crate::roles::role_for::<W>(self.state_index(), event, actor)
                .ok()
                .flatten()
        };
        let Instance {
            current,
            started_at,
            entered_at,
            earlier,
            mut trail,
        } = self;
        let from = W::state(&current);
        match W::fire_with(current, event, payload, actor, now) {
            Ok((current, payload)) => {
                trail.push(Step {
                    from: from.to_string(),
                    event: event.to_string(),
                    to: W::state(&current).to_string(),
                    at: now,
                    actor: actor.id().map(str::to_string),
                    role: role.map(str::to_string),
                    payload,
                    migrated: None,
                });
                Ok(Instance {
                    current,
                    started_at,
                    entered_at: now,
                    earlier,
                    trail,
                })
            }
            Err(refused) => Err(refused.map(|current| Instance {
                current,
                started_at,
                entered_at,
                earlier,
                trail,
            })),
        }
    }

    fn timer_specs(&self) -> impl Iterator<Item = &'static TimerSpec> {
        self.indexed_timers().map(|(_, t)| t)
    }

    /// The current state's timers, with their index in [`Dispatch::TIMERS`].
    fn indexed_timers(&self) -> impl Iterator<Item = (usize, &'static TimerSpec)> {
        let state = self.state();
        W::TIMERS
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.state == state)
    }

    /// When the machine entered each compound state it is inside,
    /// outermost first (the workflow's `ANCESTORS` of the current state):
    /// what a compound's timers count from. Empty for a workflow with no
    /// timer on a compound state.
    pub fn entered_within(&self) -> &[SystemTime] {
        W::within(&self.current)
    }

    /// The timers of the current state, automatic or not, and when each
    /// falls due, in declaration order. A compound state's timer counts
    /// from when the machine entered the compound.
    pub fn timers(&self) -> Vec<TimerStatus> {
        let within = W::within(&self.current);
        self.indexed_timers()
            .map(|(i, t)| {
                let from = match W::TIMER_CLOCKS.get(i).copied().flatten() {
                    Some(depth) => within.get(depth).copied().unwrap_or(self.entered_at),
                    None => self.entered_at,
                };
                TimerStatus {
                    event: t.event,
                    automatic: t.automatic,
                    due: from.checked_add(t.after),
                }
            })
            .collect()
    }

    /// The automatic timers due at `now` (due at their exact instant and
    /// after), earliest first: what a runner should fire.
    pub fn due(&self, now: SystemTime) -> Vec<&'static str> {
        let mut due: Vec<(SystemTime, &'static str)> = self
            .timers()
            .into_iter()
            .filter(|t| t.automatic)
            .filter_map(|t| Some((t.due?, t.event)))
            .filter(|(at, _)| *at <= now)
            .collect();
        due.sort_by_key(|(at, _)| *at);
        due.into_iter().map(|(_, event)| event).collect()
    }

    /// The automatic timer of the current state that falls due first, and
    /// when: where a runner should look again.
    pub fn next_due(&self) -> Option<(&'static str, SystemTime)> {
        self.timers()
            .into_iter()
            .filter(|t| t.automatic)
            .filter_map(|t| Some((t.event, t.due?)))
            .min_by_key(|(_, at)| *at)
    }

    /// Fires the automatic timer that fell due first by `now`, at the
    /// instant it fell due, with the actor `"timer"`; refused with
    /// [`Why::NothingDue`] when none is (as at an instant earlier than the
    /// state was entered: no timer counts back). A runner calls it until
    /// refused.
    pub fn fire_due(self, now: SystemTime) -> Result<Self, Refused<Self>> {
        match self.first_due(now) {
            Some((event, at)) => self.step(event, None, &Actor::new("timer"), at),
            None => {
                let why = Why::NothingDue {
                    workflow: W::NAME,
                    state: self.state(),
                    next: self.next_due(),
                };
                Err(Refused::new(self, why))
            }
        }
    }
}

impl<W: Dispatch> fmt::Debug for Instance<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("workflow", &W::NAME)
            .field("state", &self.state())
            .field("entered_at", &self.entered_at)
            .field("trail", &self.trail)
            .finish_non_exhaustive()
    }
}

/// The compound states `state` is inside, outermost first.
fn ancestors<W: Dispatch>(state: &str) -> &'static [&'static str] {
    W::STATES
        .iter()
        .position(|s| *s == state)
        .and_then(|i| W::ANCESTORS.get(i))
        .copied()
        .unwrap_or(&[])
}

/// Refuses entry instants of compound states that cannot be: more than
/// the compounds `state` is inside, one later than the next (or than the
/// state's own entry), or one before the start.
fn check_within<W: Dispatch>(
    started_at: Option<SystemTime>,
    state: &str,
    entered_at: SystemTime,
    within: &[SystemTime],
) -> Result<(), LoadError> {
    let problem = |problem: String| LoadError::Within {
        workflow: W::NAME,
        problem,
    };
    let compounds = ancestors::<W>(state);
    if within.len() > compounds.len() {
        return Err(problem(format!(
            "{} instants for the {} compound states `{state}` is inside",
            within.len(),
            compounds.len()
        )));
    }
    let mut later = within.iter().copied().skip(1).chain([entered_at]);
    for (compound, at) in compounds.iter().zip(within) {
        if started_at.is_some_and(|start| *at < start) {
            return Err(problem(format!(
                "`{compound}` was entered before the instance started"
            )));
        }
        if later.next().is_some_and(|next| next < *at) {
            return Err(problem(format!(
                "`{compound}` was entered after a state inside it"
            )));
        }
    }
    Ok(())
}

/// Which rules the steps of one version replay under.
enum Rules {
    /// This build's definition.
    Current,
    /// One of [`Dispatch::PREVIOUS_VERSIONS`].
    Previous(&'static crate::PreviousVersion),
    /// A version this build does not know: the steps are checked for
    /// order and continuity only.
    Unknown,
}

fn rules<W: Dispatch>(fingerprint: &str) -> Rules {
    if fingerprint == W::FINGERPRINT {
        return Rules::Current;
    }
    W::PREVIOUS_VERSIONS
        .iter()
        .find(|p| p.fingerprint == fingerprint)
        .map_or(Rules::Unknown, Rules::Previous)
}

/// Replays `trail` from the initial state to `state`, the steps of each
/// version along that version's transitions: the steps after the last
/// migration step ([`Step::migrated`]) are of `version` (the instance's,
/// usually [`Dispatch::FINGERPRINT`]); those before a migration step are
/// of its `from`. Gives the instants the compounds `state` is inside were
/// entered.
pub(crate) fn check_trail<W: Dispatch>(
    started_at: Option<SystemTime>,
    state: &str,
    entered_at: SystemTime,
    trail: &[Step],
    version: &str,
) -> Result<Vec<SystemTime>, LoadError> {
    let broken = |step: usize, problem: String| LoadError::Trail {
        workflow: W::NAME,
        step,
        problem,
    };
    // The version each step was taken under.
    let mut versions: Vec<&str> = vec![version; trail.len()];
    let mut later = version;
    for (i, step) in trail.iter().enumerate().rev() {
        if let Some(migrated) = &step.migrated {
            later = migrated.from.as_str();
        }
        versions[i] = later;
    }
    let first_version = versions.first().copied().unwrap_or(version);
    let edges: HashMap<(&str, &str, &str), usize> = W::TRANSITIONS
        .iter()
        .enumerate()
        .map(|(i, edge)| (*edge, i))
        .collect();
    let compound_timers = !W::KEPT.is_empty();
    let mut current = matches!(rules::<W>(first_version), Rules::Current);
    let mut at_state: &str = match rules::<W>(first_version) {
        Rules::Current => W::INITIAL,
        Rules::Previous(p) => p.initial,
        Rules::Unknown => trail.first().map_or(state, |s| s.from.as_str()),
    };
    // The instant the current state of the replay was entered: the start,
    // then each step's (a migration keeps it).
    let mut since: Option<SystemTime> = started_at;
    // The last step that entered a state (not a migration).
    let mut last_entry: Option<SystemTime> = None;
    // The instants the compounds it is inside were entered, outermost
    // first (kept only where a timer counts from one).
    let mut within: Vec<Option<SystemTime>> = if compound_timers && current {
        vec![started_at; ancestors::<W>(at_state).len()]
    } else {
        Vec::new()
    };
    for (i, step) in trail.iter().enumerate() {
        if step.from != at_state {
            return Err(broken(
                i,
                format!(
                    "it starts from `{}`, but the instance was in `{at_state}`",
                    step.from
                ),
            ));
        }
        if let Some(entered) = since {
            if step.at < entered {
                let before = if i == 0 {
                    "the instance's start"
                } else {
                    "the step before it"
                };
                return Err(broken(i, format!("it is earlier than {before}")));
            }
        }
        if let Some(migrated) = &step.migrated {
            if step.event != crate::MIGRATED {
                return Err(broken(
                    i,
                    format!(
                        "a migration step records the event `{}`, not `{}`",
                        step.event,
                        crate::MIGRATED
                    ),
                ));
            }
            let states: Option<&[&str]> = match rules::<W>(&migrated.to) {
                Rules::Current => Some(W::STATES),
                Rules::Previous(p) => Some(p.states),
                Rules::Unknown => None,
            };
            if states.is_some_and(|states| !states.contains(&step.to.as_str())) {
                return Err(broken(
                    i,
                    format!(
                        "it migrates to `{}`, a state the version it migrates to does not have",
                        step.to
                    ),
                ));
            }
            current = matches!(rules::<W>(&migrated.to), Rules::Current);
            at_state = step.to.as_str();
            within = if compound_timers && current {
                vec![None; ancestors::<W>(at_state).len()]
            } else {
                Vec::new()
            };
            continue;
        }
        if step.event == crate::MIGRATED {
            return Err(broken(
                i,
                format!(
                    "it records the event `{}` but says nothing of the versions it migrated between",
                    crate::MIGRATED
                ),
            ));
        }
        match rules::<W>(versions[i]) {
            Rules::Current => {}
            Rules::Previous(p) => {
                let key = (step.from.as_str(), step.event.as_str(), step.to.as_str());
                if !p.transitions.contains(&key) {
                    return Err(broken(
                        i,
                        format!(
                            "`{}` --{}--> `{}` is not a transition of the version it was taken under ({})",
                            step.from, step.event, step.to, p.fingerprint
                        ),
                    ));
                }
                since = Some(step.at);
                last_entry = Some(step.at);
                at_state = step.to.as_str();
                continue;
            }
            Rules::Unknown => {
                since = Some(step.at);
                last_entry = Some(step.at);
                at_state = step.to.as_str();
                continue;
            }
        }
        let Some(&edge) = edges.get(&(step.from.as_str(), step.event.as_str(), step.to.as_str()))
        else {
            return Err(broken(
                i,
                format!(
                    "`{}` --{}--> `{}` is not a transition of the definition",
                    step.from, step.event, step.to
                ),
            ));
        };
        if let Some(entered) = since {
            let timer = W::TIMERS
                .iter()
                .enumerate()
                .find(|(_, t)| t.state == step.from && t.event == step.event);
            if let Some((index, timer)) = timer {
                // A compound's timer counts from entering the compound.
                let (counted, entering) = match W::TIMER_CLOCKS.get(index).copied().flatten() {
                    Some(depth) => (
                        within.get(depth).copied().flatten(),
                        ancestors::<W>(&step.from).get(depth).copied().unwrap_or(""),
                    ),
                    None => (Some(entered), step.from.as_str()),
                };
                if let Some(counted) = counted {
                    if crate::timer::wait(counted, timer.after, step.at).is_err() {
                        return Err(broken(
                            i,
                            format!(
                                "`{}` was taken before its timer ({} after entering `{entering}`) was due",
                                step.event,
                                crate::words::compact_duration(timer.after),
                            ),
                        ));
                    }
                }
            }
        }
        at_state = W::STATES
            .iter()
            .copied()
            .find(|s| *s == step.to)
            .unwrap_or(W::INITIAL);
        since = Some(step.at);
        last_entry = Some(step.at);
        if compound_timers {
            // The compounds the move stays inside keep their instants;
            // the others are entered now.
            let kept = W::KEPT.get(edge).copied().unwrap_or(0);
            within.truncate(kept);
            within.resize(ancestors::<W>(at_state).len(), Some(step.at));
        }
    }
    if state != at_state {
        return Err(broken(
            trail.len(),
            format!("it ends in `{at_state}`, but the stored state is `{state}`"),
        ));
    }
    match (last_entry, started_at) {
        (Some(last), _) if last != entered_at => Err(broken(
            trail.len(),
            "the state was entered at another instant than the last step's".to_string(),
        )),
        (None, Some(start)) if start != entered_at => Err(broken(
            0,
            "with no step, the initial state was entered at another instant than the start"
                .to_string(),
        )),
        // An instant nobody recorded (before the start was kept) counts
        // as the state's own entry.
        _ => Ok(within
            .into_iter()
            .map(|at| at.unwrap_or(entered_at))
            .collect()),
    }
}
