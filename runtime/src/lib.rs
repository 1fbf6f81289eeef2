//! What turnstile's generated state machines, and the code that drives them,
//! use at run time. Everything here is re-exported by the `turnstile` crate.
//!
//! The generated code is a typestate machine: `Machine<S>` holds the user's
//! data and a zero-sized state marker `S`. Each marker implements [`State`];
//! the type the derive is on implements [`Workflow`]. A transition whose
//! guard refuses it returns [`Rejected`], which hands the machine back.
#![forbid(unsafe_code)]

use std::error::Error;
use std::fmt;

/// A state marker of a generated workflow (`door::state::Closed`).
///
/// The constants describe the state as the definition declares it.
pub trait State: 'static {
    /// The workflow's name.
    const WORKFLOW: &'static str;
    /// The state's name as written in the definition (`"card_bound"`).
    const NAME: &'static str;
    /// The state's summary from the definition, or `""`.
    const SUMMARY: &'static str;
    /// Whether the workflow may end in this state.
    const IS_FINAL: bool;
    /// The events allowed from this state, in declaration order.
    const EVENTS: &'static [&'static str];
}

/// Implemented by `#[derive(Workflow)]` on the data type of a workflow.
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
}

/// A transition refused by a guard. It owns the machine, unchanged, in the
/// state it was in: nothing is lost, take it back with [`Rejected::into_machine`].
///
/// ```
/// # use turnstile_runtime::{Refusal, Rejected};
/// let rejected = Rejected::new("machine", Refusal {
///     workflow: "door",
///     event: "open",
///     state: "closed",
///     guard: "has_key",
///     reason: "the visitor holds the key",
/// });
/// assert_eq!(
///     rejected.to_string(),
///     "door: event `open` refused in state `closed`: guard `has_key` does not hold (the visitor holds the key)"
/// );
/// assert_eq!(rejected.into_machine(), "machine");
/// ```
#[must_use = "a refused transition hands the machine back: take it with `into_machine()`"]
pub struct Rejected<M> {
    machine: M,
    refusal: Refusal,
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

impl<T: Fired, M> Fired for Result<T, Rejected<M>> {
    fn landed(&self) -> Option<&'static str> {
        self.as_ref().ok().and_then(Fired::landed)
    }
}

/// Why a transition was refused: which workflow, event, state and guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Refusal {
    /// The workflow's name.
    pub workflow: &'static str,
    /// The event that was refused.
    pub event: &'static str,
    /// The state the machine is (still) in.
    pub state: &'static str,
    /// The first guard that did not hold.
    pub guard: &'static str,
    /// The guard's summary from the definition, or `""`.
    pub reason: &'static str,
}

impl<M> Rejected<M> {
    /// Wraps the machine a guard refused to move.
    pub fn new(machine: M, refusal: Refusal) -> Self {
        Rejected { machine, refusal }
    }

    /// The machine, unchanged.
    pub fn into_machine(self) -> M {
        self.machine
    }

    /// The machine, unchanged, by reference.
    pub fn machine(&self) -> &M {
        &self.machine
    }

    /// Which workflow, event, state and guard.
    pub fn refusal(&self) -> &Refusal {
        &self.refusal
    }

    /// The first guard that did not hold.
    pub fn guard(&self) -> &'static str {
        self.refusal.guard
    }

    /// The refused event.
    pub fn event(&self) -> &'static str {
        self.refusal.event
    }

    /// The machine back, with the reason split off.
    pub fn into_parts(self) -> (M, Refusal) {
        (self.machine, self.refusal)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: event `{}` refused in state `{}`: guard `{}` does not hold",
            self.workflow, self.event, self.state, self.guard
        )?;
        if !self.reason.is_empty() {
            write!(f, " ({})", self.reason)?;
        }
        Ok(())
    }
}

impl<M> fmt::Display for Rejected<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.refusal.fmt(f)
    }
}

impl<M> fmt::Debug for Rejected<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

impl<M> Error for Rejected<M> {}

impl Error for Refusal {}
