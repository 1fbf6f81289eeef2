//! The checker: every declared [`Property`] proved over every run of the
//! definition, or broken by the shortest run a person can read and replay.
//!
//! The model is the runtime's (docs/properties.md):
//!
//! - A run starts in a state entered at an instant `T` and moves by
//!   transitions. Each transition enters its target at the instant it
//!   fires, so the timers of the target count from then (a transition back
//!   to the same state starts them again), as `Instance` counts them.
//! - Guards are free: each may hold or refuse. A proof holds whatever they
//!   answer; a counterexample says which must hold (every guard of each
//!   step it takes) or which refuse (where it stays).
//! - A branch (`to = [a, b]`) may take any of its outcomes.
//! - Time moves forward for sure only through automatic (`after`) timers:
//!   of a state's automatic transitions the first declared of those due
//!   earliest fires at its instant. A person may fire an event at any
//!   instant from its `not_before` until, and not including, that instant
//!   (at it the timer comes first). Instants are whole milliseconds.
//! - A timer of a compound state counts from entering the compound, which
//!   the model does not follow across moves: it takes such a timer as due
//!   at any instant from entering the state to its duration after (the
//!   compound was entered then or earlier). Proofs stay sound; a broken
//!   promise's run may then show such a step at an instant a real run
//!   reaches only after a longer stay in the compound.
//!
//! Safety claims (`never_permits`, `always_permits`, `unreachable`,
//! `never_leaves`, `enters … only_after`) are searches breadth first, so
//! the run shown is a shortest one. `reaches` looks for a run that avoids
//! the goals forever: a loop, or a state where it can stay (without
//! `within`, one whose every way out a guard may refuse, or none; with
//! `within`, any state that no automatic timer leaves), and with `within`
//! the longest time a run can take to reach a goal. Every search is linear
//! in the states and transitions.

use std::collections::VecDeque;
use std::time::Duration;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Claim, Clock, GuardId, Property, RoleId, StateId, TransitionId, Workflow};

/// One step of a [`Run`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStep {
    /// The transition taken.
    pub transition: TransitionId,
    /// The state it leaves.
    pub from: StateId,
    /// The state it enters (the outcome taken, for a branch).
    pub to: StateId,
    /// When it fires, counted from the run's start.
    pub at: Duration,
    /// Who fires it: the first role of its `by`, or `None` for anyone, or
    /// for the timer of an automatic transition.
    pub role: Option<RoleId>,
    /// The guards that must hold for it (all of the transition's).
    pub guards: Vec<GuardId>,
}

/// How a [`Run`] goes on after its last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    /// Nothing more is needed: the last step (or the start) breaks it.
    Here,
    /// The run stays in its last state forever: nothing there moves it by
    /// itself, and these guards refuse what a person might fire (none
    /// if nobody must act).
    Stays {
        /// The guards that refuse every way out, for a run that assumes
        /// people act; empty where nobody has to.
        refusing: Vec<GuardId>,
    },
    /// The run repeats its steps from this index on, forever.
    Loops {
        /// The first repeated step.
        from_step: usize,
    },
}

/// A run of the workflow: where it starts, each step, and how it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The state the run starts in, entered at `T`: the initial state,
    /// so that `Instance::start` replays it.
    pub start: StateId,
    /// The steps, in order.
    pub steps: Vec<RunStep>,
    /// What happens after the last step.
    pub end: RunEnd,
    /// How many of the steps only lead to where the claim starts (its
    /// `from`): a shortest way there, each step at its earliest. The
    /// claim's own run begins after them; a bound (`within`) counts from
    /// the instant of the last of them.
    pub lead_in: usize,
}

/// What the checker found for one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It holds on every run.
    Holds,
    /// It is broken: why, in words, and a run that shows it (none for a
    /// claim that no run can show, such as an unreachable state).
    Broken {
        /// The claim broken, said of this definition.
        why: String,
        /// The run that breaks it.
        run: Option<Run>,
    },
}

/// Proves each property of `w`, in order.
pub fn prove(w: &Workflow) -> Vec<Verdict> {
    let moves = Moves::new(w);
    w.properties
        .iter()
        .map(|p| match prove_one(w, &moves, p) {
            Verdict::Broken { why, run } => Verdict::Broken {
                why,
                run: run.map(|run| from_the_start(w, &moves, run)),
            },
            holds => holds,
        })
        .collect()
}

/// `run`, led in from the initial state if it starts elsewhere: the
/// shortest way to its start, each step at its earliest, then its own
/// steps later by that much.
fn from_the_start(w: &Workflow, moves: &Moves, run: Run) -> Run {
    if run.start == w.initial {
        return run;
    }
    let Some(path) = moves.shortest(w.initial, |_| true, |s| s == run.start) else {
        return run;
    };
    let lead = run_of(w, w.initial, &path, false, RunEnd::Here);
    let shift = lead.steps.last().map_or(Duration::ZERO, |s| s.at);
    let lead_in = lead.steps.len();
    let mut steps = lead.steps;
    steps.extend(run.steps.into_iter().map(|mut s| {
        s.at += shift;
        s
    }));
    let end = match run.end {
        RunEnd::Loops { from_step } => RunEnd::Loops {
            from_step: from_step + lead_in,
        },
        end => end,
    };
    Run {
        start: w.initial,
        steps,
        end,
        lead_in,
    }
}

/// The checker's diagnostics for `w`: one T027 per broken property, as
/// `(diagnostic, is_warning)`.
pub fn diagnostics(w: &Workflow) -> Vec<(Diagnostic, bool)> {
    prove(w)
        .into_iter()
        .zip(&w.properties)
        .filter_map(|(verdict, p)| match verdict {
            Verdict::Holds => None,
            Verdict::Broken { why, run } => Some((broken(w, p, &why, run.as_ref()), p.warning)),
        })
        .collect()
}

fn broken(w: &Workflow, p: &Property, why: &str, run: Option<&Run>) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::PropertyBroken,
        format!("property `{}` does not hold: {why}", p.name),
    )
    .at(p.name.span(), "this promise is broken")
    .with_context(p.span.clone(), "the claim");
    if let Some(summary) = &p.summary {
        d = d.with_note(format!("it promises: {summary}"));
    }
    if let Some(run) = run {
        // One note a line: rustc re-indents the lines of a multi-line note
        // in a `compile_error!`, so each step is a note of its own.
        let text = run_text(w, run);
        let mut lines = text.lines().map(str::trim);
        let head = lines.next().unwrap_or_default();
        let start = lines.next().unwrap_or_default();
        d = d.with_note(format!("{head} {start}"));
        for line in lines {
            d = d.with_note(line.to_string());
        }
    }
    d.with_help(
        "fix the definition so that the promise holds, or the property if the promise was misread; \
         `severity = \"warning\"` reports it without failing the build",
    )
}

/// A run as a person reads it, one step a line.
pub fn run_text(w: &Workflow, run: &Run) -> String {
    let mut out = format!(
        "a run that breaks it:\n  start in `{}` at T",
        w.state(run.start).name
    );
    for (i, step) in run.steps.iter().enumerate() {
        let t = w.transition(step.transition);
        let who = actor_text(w, step);
        let mut line = format!(
            "\n  {}. `{}` {who} at {} → `{}`",
            i + 1,
            t.event,
            instant_text(step.at),
            w.state(step.to).name
        );
        if t.is_branch() {
            line.push_str(" (the outcome taken)");
        }
        if i + 1 == run.lead_in {
            line.push_str(" (the promise's run starts here)");
        }
        if !step.guards.is_empty() {
            let guards: Vec<String> = step
                .guards
                .iter()
                .map(|g| format!("`{}`", w.guard(*g).name))
                .collect();
            line.push_str(&format!(", with {} holding", guards.join(", ")));
        }
        out.push_str(&line);
    }
    let last = run.steps.last().map_or(run.start, |s| s.to);
    match &run.end {
        RunEnd::Here => {}
        RunEnd::Stays { refusing } if refusing.is_empty() => out.push_str(&format!(
            "\n  then nothing moves it on by itself: it stays in `{}` forever",
            w.state(last).name
        )),
        RunEnd::Stays { refusing } => {
            let guards: Vec<String> = refusing
                .iter()
                .map(|g| format!("`{}`", w.guard(*g).name))
                .collect();
            out.push_str(&format!(
                "\n  then a guard refuses every way out ({}): it stays in `{}` forever",
                guards.join(", "),
                w.state(last).name
            ));
        }
        RunEnd::Loops { from_step } => out.push_str(&format!(
            "\n  then again from step {}, forever",
            from_step + 1
        )),
    }
    out
}

/// Who takes a step: `by the timer`, `by customer` (the role it is fired
/// in) or `by anyone`.
pub fn actor_text(w: &Workflow, step: &RunStep) -> String {
    let t = w.transition(step.transition);
    if t.timer.as_ref().is_some_and(|x| x.automatic) {
        return "by the timer".to_string();
    }
    match step.role {
        Some(role) => format!("by {}", w.role(role).name),
        None => "by anyone".to_string(),
    }
}

/// `T`, `T+1d`, `T+89d 23h 59m 59s 999ms`.
pub fn instant_text(at: Duration) -> String {
    if at.is_zero() {
        return "T".to_string();
    }
    let ms = at.as_millis() % 1000;
    let whole = Duration::from_secs(at.as_secs());
    let mut text = if whole.is_zero() {
        String::new()
    } else {
        crate::model::compact_duration(whole)
    };
    if ms != 0 {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!("{ms}ms"));
    }
    format!("T+{text}")
}

const MS: Duration = Duration::from_millis(1);

/// A move the model allows: a transition from a state to one of its
/// targets, and the window in which it may fire.
#[derive(Debug, Clone, Copy)]
struct Move {
    transition: TransitionId,
    to: StateId,
    /// The earliest instant after entering the state.
    earliest: Duration,
    /// The latest instant: the automatic timer's for it, just before it
    /// for a person's step (`None`: no timer ends the wait).
    latest: Option<Duration>,
    automatic: bool,
}

/// Every state's moves, and the automatic timer that ends its wait.
struct Moves {
    by_state: Vec<Vec<Move>>,
    deadline: Vec<Option<Duration>>,
}

impl Moves {
    fn new(w: &Workflow) -> Self {
        let n = w.states.len();
        let mut deadline: Vec<Option<(Duration, TransitionId)>> = vec![None; n];
        for (i, t) in w.transitions.iter().enumerate() {
            let Some(timer) = t.timer.as_ref().filter(|x| x.automatic) else {
                continue;
            };
            for s in &t.from {
                let slot = &mut deadline[s.0];
                if slot.is_none_or(|(d, _)| timer.after < d) {
                    *slot = Some((timer.after, TransitionId(i)));
                }
            }
        }
        // Of a state's automatic timers that count from entering it, the
        // first declared of those due earliest.
        let mut own_first: Vec<Option<(Duration, TransitionId)>> = vec![None; n];
        for (i, t) in w.transitions.iter().enumerate() {
            let Some(timer) = t.timer.as_ref().filter(|x| x.automatic) else {
                continue;
            };
            for s in &t.from {
                let slot = &mut own_first[s.0];
                if w.clock(t, *s) == Clock::State && slot.is_none_or(|(d, _)| timer.after < d) {
                    *slot = Some((timer.after, TransitionId(i)));
                }
            }
        }
        let mut by_state: Vec<Vec<Move>> = vec![Vec::new(); n];
        for (i, t) in w.transitions.iter().enumerate() {
            let automatic = t.timer.as_ref().is_some_and(|x| x.automatic);
            for s in &t.from {
                let due = deadline[s.0];
                // A timer that counts from entering a compound the state is
                // inside may be due at any instant up to its duration after
                // entering the state (the compound was entered then or
                // earlier): the model takes every such instant (see the
                // module's rules).
                let of_compound = matches!(w.clock(t, *s), Clock::Compound(_));
                let (earliest, latest) = if automatic && of_compound {
                    let after = t.timer.as_ref().map_or(Duration::ZERO, |x| x.after);
                    let latest = due.map_or(after, |(d, _)| d.min(after));
                    (Duration::ZERO, Some(latest))
                } else if automatic {
                    match (due, own_first[s.0]) {
                        (Some((d, _)), Some((own, first)))
                            if first == TransitionId(i) && own <= d =>
                        {
                            (own, Some(own))
                        }
                        _ => continue,
                    }
                } else {
                    let earliest = match t.timer.as_ref() {
                        Some(x) if !of_compound => x.after,
                        _ => Duration::ZERO,
                    };
                    match due {
                        Some((d, _)) if earliest >= d => continue,
                        Some((d, _)) => (earliest, Some((d - MS).max(earliest))),
                        None => (earliest, None),
                    }
                };
                for to in &t.to {
                    by_state[s.0].push(Move {
                        transition: TransitionId(i),
                        to: *to,
                        earliest,
                        latest,
                        automatic,
                    });
                }
            }
        }
        Moves {
            by_state,
            deadline: deadline.into_iter().map(|d| d.map(|(d, _)| d)).collect(),
        }
    }

    /// Breadth first from `start`, over the moves `usable` admits, until a
    /// move enters a state `stop` accepts: the moves of that run.
    fn shortest(
        &self,
        start: StateId,
        usable: impl Fn(&Move) -> bool,
        stop: impl Fn(StateId) -> bool,
    ) -> Option<Vec<(StateId, Move)>> {
        let n = self.by_state.len();
        let mut came: Vec<Option<(StateId, Move)>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::from([start]);
        seen[start.0] = true;
        while let Some(s) = queue.pop_front() {
            for m in self.by_state[s.0].iter().filter(|m| usable(m)) {
                if stop(m.to) {
                    let mut path = vec![(s, *m)];
                    let mut at = s;
                    while let Some((prev, mv)) = came[at.0].filter(|_| at != start) {
                        path.push((prev, mv));
                        at = prev;
                    }
                    path.reverse();
                    return Some(path);
                }
                if !seen[m.to.0] {
                    seen[m.to.0] = true;
                    came[m.to.0] = Some((s, *m));
                    queue.push_back(m.to);
                }
            }
        }
        None
    }
}

/// The run of `path` (moves from `start`), each move at its earliest
/// instant, unless `late` says to take it at its latest.
fn run_of(w: &Workflow, start: StateId, path: &[(StateId, Move)], late: bool, end: RunEnd) -> Run {
    let mut at = Duration::ZERO;
    let steps = path
        .iter()
        .map(|(from, m)| {
            at += if late {
                m.latest.unwrap_or(m.earliest)
            } else {
                m.earliest
            };
            step(w, *from, m, at)
        })
        .collect();
    Run {
        start,
        steps,
        end,
        lead_in: 0,
    }
}

fn step(w: &Workflow, from: StateId, m: &Move, at: Duration) -> RunStep {
    let t = w.transition(m.transition);
    RunStep {
        transition: m.transition,
        from,
        to: m.to,
        at,
        role: if m.automatic {
            None
        } else {
            t.by.first().copied()
        },
        guards: t.guards.clone(),
    }
}

/// The shortest run from the initial state that enters `target` (empty if
/// it starts there), over every move.
fn run_to(w: &Workflow, moves: &Moves, target: StateId) -> Option<Vec<(StateId, Move)>> {
    if target == w.initial {
        return Some(Vec::new());
    }
    moves.shortest(w.initial, |_| true, |s| s == target)
}

fn names(w: &Workflow, states: &[StateId]) -> String {
    let names: Vec<String> = states
        .iter()
        .map(|s| format!("`{}`", w.state(*s).name))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// `states` as a set: one flag per state of `w`.
fn mask(w: &Workflow, states: &[StateId]) -> Vec<bool> {
    let mut among = vec![false; w.states.len()];
    for s in states {
        among[s.0] = true;
    }
    among
}

fn prove_one(w: &Workflow, moves: &Moves, p: &Property) -> Verdict {
    match &p.claim {
        Claim::NeverTogether { states } => never_together(w, states),
        Claim::NeverPermits { capability, states }
        | Claim::AlwaysPermits { capability, states }
            if !w.regions.is_empty() =>
        {
            let never = matches!(p.claim, Claim::NeverPermits { .. });
            permits_over_configurations(w, *capability, states, never)
        }
        Claim::NeverPermits { capability, states }
        | Claim::AlwaysPermits { capability, states } => {
            let never = matches!(p.claim, Claim::NeverPermits { .. });
            let Some(bad) = states
                .iter()
                .copied()
                .find(|s| w.state(*s).permits.contains(capability) == never)
            else {
                return Verdict::Holds;
            };
            let why = format!(
                "state `{}` {} `{}`",
                w.state(bad).name,
                if never { "permits" } else { "does not permit" },
                w.capability(*capability).name
            );
            let run =
                run_to(w, moves, bad).map(|path| run_of(w, w.initial, &path, false, RunEnd::Here));
            Verdict::Broken { why, run }
        }
        Claim::Reachable { target, from } => {
            match moves.shortest(*from, |_| true, |s| s == *target) {
                Some(_) => Verdict::Holds,
                None => Verdict::Broken {
                    why: format!(
                        "no run from `{}` enters `{}`, whatever the guards answer",
                        w.state(*from).name,
                        w.state(*target).name
                    ),
                    run: None,
                },
            }
        }
        Claim::Unreachable { target, from } => {
            match moves.shortest(*from, |_| true, |s| s == *target) {
                None => Verdict::Holds,
                Some(path) => Verdict::Broken {
                    why: format!(
                        "a run from `{}` enters `{}`",
                        w.state(*from).name,
                        w.state(*target).name
                    ),
                    run: Some(run_of(w, *from, &path, false, RunEnd::Here)),
                },
            }
        }
        Claim::NeverLeaves { states } if !w.regions.is_empty() => {
            left_over_configurations(w, states, None)
        }
        Claim::LeftOnlyBy { states, by } if !w.regions.is_empty() => {
            left_over_configurations(w, states, Some(by))
        }
        Claim::NeverLeaves { states } => {
            let among = mask(w, states);
            for s in states {
                if let Some(m) = moves.by_state[s.0].iter().find(|m| !among[m.to.0]) {
                    let why = format!(
                        "`{}` leaves `{}` for `{}`",
                        w.transition(m.transition).event,
                        w.state(*s).name,
                        w.state(m.to).name
                    );
                    let (start, mut path) = match run_to(w, moves, *s) {
                        Some(path) => (w.initial, path),
                        None => (*s, Vec::new()),
                    };
                    path.push((*s, *m));
                    return Verdict::Broken {
                        why,
                        run: Some(run_of(w, start, &path, false, RunEnd::Here)),
                    };
                }
            }
            Verdict::Holds
        }
        Claim::CanLeave { states, by } => can_leave(w, moves, states, by),
        Claim::LeftOnlyBy { states, by } => {
            let among = mask(w, states);
            for s in states {
                let Some(m) = moves.by_state[s.0].iter().find(|m| {
                    let t = w.transition(m.transition);
                    !among[m.to.0]
                        && (m.automatic || t.by.is_empty() || t.by.iter().any(|r| !by.contains(r)))
                }) else {
                    continue;
                };
                let t = w.transition(m.transition);
                let who = if m.automatic {
                    "the timer".to_string()
                } else if t.by.is_empty() {
                    "anyone".to_string()
                } else {
                    let other: Vec<String> =
                        t.by.iter()
                            .filter(|r| !by.contains(r))
                            .map(|r| format!("`{}`", w.role(*r).name))
                            .collect();
                    other.join(" or ")
                };
                let (start, mut path) = match run_to(w, moves, *s) {
                    Some(path) => (w.initial, path),
                    None => (*s, Vec::new()),
                };
                path.push((*s, *m));
                let mut run = run_of(w, start, &path, false, RunEnd::Here);
                // The last step as the actor the claim does not name takes it.
                if let (Some(step), Some(other)) =
                    (run.steps.last_mut(), t.by.iter().find(|r| !by.contains(r)))
                {
                    step.role = Some(*other);
                }
                return Verdict::Broken {
                    why: format!("{who} can take `{}` out of `{}`", t.event, w.state(*s).name),
                    run: Some(run),
                };
            }
            Verdict::Holds
        }
        Claim::OnlyAfter {
            states,
            events,
            from,
        } => {
            let after = |m: &Move| {
                events
                    .iter()
                    .any(|e| e.as_str() == w.transition(m.transition).event.as_str())
            };
            let why = |s: StateId| {
                let listed: Vec<String> = events.iter().map(|e| format!("`{e}`")).collect();
                let start = if *from == w.initial {
                    String::new()
                } else {
                    format!(" from `{}`", w.state(*from).name)
                };
                format!(
                    "a run{start} enters `{}` before any {} has happened",
                    w.state(s).name,
                    listed.join(" or ")
                )
            };
            if states.contains(from) {
                return Verdict::Broken {
                    why: why(*from),
                    run: Some(run_of(w, *from, &[], false, RunEnd::Here)),
                };
            }
            let among = mask(w, states);
            match moves.shortest(*from, |m| !after(m), |s| among[s.0]) {
                None => Verdict::Holds,
                Some(path) => Verdict::Broken {
                    why: why(path.last().map_or(*from, |(_, m)| m.to)),
                    run: Some(run_of(w, *from, &path, false, RunEnd::Here)),
                },
            }
        }
        Claim::Reaches {
            from,
            goals,
            within,
            assuming,
        } => reaches(w, moves, from, goals, within.as_ref(), assuming),
    }
}

fn can_leave(w: &Workflow, moves: &Moves, states: &[StateId], by: &[RoleId]) -> Verdict {
    for s in states {
        let able = moves.by_state[s.0].iter().any(|m| {
            m.to != *s && {
                let t = w.transition(m.transition);
                by.is_empty()
                    || (!m.automatic && (t.by.is_empty() || t.by.iter().any(|r| by.contains(r))))
            }
        });
        if able {
            continue;
        }
        let who = if by.is_empty() {
            "nobody and no timer".to_string()
        } else {
            let roles: Vec<String> = by
                .iter()
                .map(|r| format!("`{}`", w.role(*r).name))
                .collect();
            format!("no {}", roles.join(" or "))
        };
        return Verdict::Broken {
            why: format!("{who} can move a machine out of `{}`", w.state(*s).name),
            run: run_to(w, moves, *s).map(|path| {
                run_of(
                    w,
                    w.initial,
                    &path,
                    false,
                    RunEnd::Stays {
                        refusing: Vec::new(),
                    },
                )
            }),
        };
    }
    Verdict::Holds
}

/// `reaches`: every run from a state of `from` enters a goal (within the
/// bound).
fn reaches(
    w: &Workflow,
    moves: &Moves,
    from: &[StateId],
    goals: &[StateId],
    within: Option<&(Duration, String)>,
    assuming: &[GuardId],
) -> Verdict {
    let n = w.states.len();
    let goal_set = mask(w, goals);
    let goal = |s: StateId| goal_set[s.0];
    let targets = names(w, goals);
    for start in from.iter().copied().filter(|s| !goal(*s)) {
        // The states a run from `start` can be in before any goal.
        let mut inside = vec![false; n];
        let mut order = vec![start];
        inside[start.0] = true;
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            i += 1;
            for m in &moves.by_state[s.0] {
                if !goal(m.to) && !inside[m.to.0] {
                    inside[m.to.0] = true;
                    order.push(m.to);
                }
            }
        }
        // A state where a run may stay for good: with a bound, any that no
        // automatic timer leaves; without, one whose every way out a guard
        // may refuse (or that has none).
        let stay_at = |s: StateId| -> Option<Vec<GuardId>> {
            if within.is_some() {
                return moves.deadline[s.0].is_none().then(Vec::new);
            }
            let out = &moves.by_state[s.0];
            let sure = |g: &GuardId| assuming.contains(g);
            if out
                .iter()
                .any(|m| w.transition(m.transition).guards.iter().all(sure))
            {
                return None;
            }
            let mut refusing: Vec<GuardId> = Vec::new();
            for m in out {
                for g in &w.transition(m.transition).guards {
                    if !sure(g) && !refusing.contains(g) {
                        refusing.push(*g);
                    }
                }
            }
            Some(refusing)
        };
        let bound = within.map_or(String::new(), |(_, text)| format!(" within {text}"));
        if let Some((s, refusing)) = order
            .iter()
            .copied()
            .find_map(|s| stay_at(s).map(|r| (s, r)))
        {
            let path = if s == start {
                Vec::new()
            } else {
                moves
                    .shortest(start, |m| !goal(m.to), |x| x == s)
                    .unwrap_or_default()
            };
            return Verdict::Broken {
                why: format!(
                    "a run from `{}` can stay in `{}` and never enter {targets}{bound}",
                    w.state(start).name,
                    w.state(s).name
                ),
                run: Some(run_of(w, start, &path, false, RunEnd::Stays { refusing })),
            };
        }
        if let Some((path, from_step)) = cycle(moves, start, &inside, &goal) {
            return Verdict::Broken {
                why: format!(
                    "a run from `{}` can go round a loop forever and never enter {targets}{bound}",
                    w.state(start).name
                ),
                run: Some(run_of(w, start, &path, false, RunEnd::Loops { from_step })),
            };
        }
        if let Some((limit, _)) = within {
            let (longest, path) = longest(moves, start, &order, &inside, &goal);
            if longest > *limit {
                return Verdict::Broken {
                    why: format!(
                        "a run enters {targets} only {} after entering `{}`, later than {}",
                        instant_text(longest).trim_start_matches("T+"),
                        w.state(start).name,
                        within.map_or("", |(_, t)| t.as_str())
                    ),
                    run: Some(run_of(w, start, &path, true, RunEnd::Here)),
                };
            }
        }
    }
    Verdict::Holds
}

/// A loop among the states `inside` (a run from `start` that avoids the
/// goals and comes back to a state it passed): the moves from `start`
/// through one round of it, and the index of the loop's first move.
fn cycle(
    moves: &Moves,
    start: StateId,
    inside: &[bool],
    goal: &dyn Fn(StateId) -> bool,
) -> Option<(Vec<(StateId, Move)>, usize)> {
    let n = inside.len();
    // 0: not seen, 1: on the current path, 2: done.
    let mut mark = vec![0u8; n];
    let mut stack: Vec<(StateId, usize)> = vec![(start, 0)];
    let mut path: Vec<(StateId, Move)> = Vec::new();
    mark[start.0] = 1;
    while let Some((s, next)) = stack.last_mut() {
        let s = *s;
        let out = &moves.by_state[s.0];
        if *next < out.len() {
            let m = out[*next];
            *next += 1;
            if goal(m.to) || !inside[m.to.0] {
                continue;
            }
            match mark[m.to.0] {
                1 => {
                    path.push((s, m));
                    let from_step = path.iter().position(|(x, _)| *x == m.to).unwrap_or(0);
                    return Some((path, from_step));
                }
                0 => {
                    mark[m.to.0] = 1;
                    path.push((s, m));
                    stack.push((m.to, 0));
                }
                _ => {}
            }
        } else {
            mark[s.0] = 2;
            stack.pop();
            path.pop();
        }
    }
    None
}

/// With no loop and every state left by a timer: the longest a run from
/// `start` can take to enter a goal, and its moves (each at its latest).
fn longest(
    moves: &Moves,
    start: StateId,
    order: &[StateId],
    inside: &[bool],
    goal: &dyn Fn(StateId) -> bool,
) -> (Duration, Vec<(StateId, Move)>) {
    let n = inside.len();
    // Post-order of the loop-free graph: a state after every state it leads to.
    let mut post = Vec::with_capacity(order.len());
    let mut done = vec![false; n];
    let mut stack: Vec<(StateId, usize)> = vec![(start, 0)];
    done[start.0] = true;
    while let Some((s, next)) = stack.last_mut() {
        let s = *s;
        let out = &moves.by_state[s.0];
        if *next < out.len() {
            let m = out[*next];
            *next += 1;
            if !goal(m.to) && inside[m.to.0] && !done[m.to.0] {
                done[m.to.0] = true;
                stack.push((m.to, 0));
            }
        } else {
            post.push(s);
            stack.pop();
        }
    }
    // The longest time from each state to a goal, and the move that takes it.
    let mut best: Vec<Option<(Duration, Move)>> = vec![None; n];
    for s in post {
        for m in &moves.by_state[s.0] {
            let wait = m.latest.unwrap_or(m.earliest);
            let rest = if goal(m.to) {
                Duration::ZERO
            } else {
                best[m.to.0].map_or(Duration::ZERO, |(d, _)| d)
            };
            let total = wait + rest;
            if best[s.0].is_none_or(|(d, _)| total > d) {
                best[s.0] = Some((total, *m));
            }
        }
    }
    let mut path = Vec::new();
    let mut at = start;
    while let Some((_, m)) = best[at.0] {
        path.push((at, m));
        if goal(m.to) {
            break;
        }
        at = m.to;
    }
    (best[start.0].map_or(Duration::ZERO, |(d, _)| d), path)
}

/// One step of a recorded history, as an instance's trail holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The state it left.
    pub from: String,
    /// The event.
    pub event: String,
    /// The state it entered.
    pub to: String,
    /// When, counted from the instance's start.
    pub at: Duration,
    /// The role the actor acted in, if any (`None` for a timer's step and
    /// for an event open to anyone).
    pub role: Option<String>,
    /// Who fired it, as recorded (`"timer"` for an automatic step).
    pub actor: Option<String>,
}

/// A promise a recorded history broke: which property, at which step
/// (`None`: by now, a bound already overdue), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The index of the property in [`Workflow::properties`].
    pub property: usize,
    /// The index of the step that broke it, if a step did.
    pub step: Option<usize>,
    /// What happened, in words.
    pub why: String,
}

/// Judges a recorded history against the properties of `w` that a finite
/// history can break: `unreachable`, `never_leaves`, `left_only_by`,
/// `enters … only_after`, and `reaches … within` (a goal entered late,
/// or, with `now`, not entered and the bound already past). A history
/// written under another version of the definition, or by a bug, breaks
/// them where the definition would not let a run. Capability claims are
/// about the definition, not a history, and `reachable`, `can_leave` and
/// an unbounded `reaches` cannot be broken by a history that may go on.
///
/// `start` is the state the instance started in; `now`, if given, how
/// long after its start the history is judged.
pub fn judge(
    w: &Workflow,
    start: &str,
    history: &[Recorded],
    now: Option<Duration>,
) -> Vec<Breach> {
    let mut breaches = Vec::new();
    // The state entered at each point: the start, then each step's target.
    let entered: Vec<(&str, Duration)> = std::iter::once((start, Duration::ZERO))
        .chain(history.iter().map(|s| (s.to.as_str(), s.at)))
        .collect();
    let name = |id: StateId| w.state(id).name.as_str();
    for (index, p) in w.properties.iter().enumerate() {
        let mut breach = |step: Option<usize>, why: String| {
            breaches.push(Breach {
                property: index,
                step,
                why,
            })
        };
        match &p.claim {
            Claim::Unreachable { target, from } => {
                if let Some(first) = entered.iter().position(|(s, _)| *s == name(*from)) {
                    if let Some(i) = entered[first + 1..]
                        .iter()
                        .position(|(s, _)| *s == name(*target))
                    {
                        breach(
                            Some(first + i),
                            format!("it entered `{}` after `{}`", name(*target), name(*from)),
                        );
                    }
                }
            }
            Claim::NeverLeaves { states } => {
                let inside = |s: &str| states.iter().any(|x| name(*x) == s);
                if let Some(i) = history
                    .iter()
                    .position(|s| inside(&s.from) && !inside(&s.to))
                {
                    let s = &history[i];
                    breach(
                        Some(i),
                        format!("`{}` took it from `{}` to `{}`", s.event, s.from, s.to),
                    );
                }
            }
            Claim::LeftOnlyBy { states, by } => {
                let inside = |s: &str| states.iter().any(|x| name(*x) == s);
                let allowed = |role: &Option<String>| {
                    role.as_ref()
                        .is_some_and(|r| by.iter().any(|b| w.role(*b).name.as_str() == r))
                };
                if let Some(i) = history
                    .iter()
                    .position(|s| inside(&s.from) && !inside(&s.to) && !allowed(&s.role))
                {
                    let s = &history[i];
                    let who = match (&s.role, &s.actor) {
                        (Some(role), _) => format!("`{role}`"),
                        (None, Some(actor)) => format!("`{actor}`, in no role,"),
                        (None, None) => "someone in no role".to_string(),
                    };
                    breach(
                        Some(i),
                        format!("{who} took `{}` out of `{}`", s.event, s.from),
                    );
                }
            }
            // About configurations of regions, which one machine's history
            // does not hold.
            Claim::NeverTogether { .. } => {}
            Claim::OnlyAfter {
                states,
                events,
                from,
            } => {
                // Judged from each time the history enters `from`.
                let target = |s: &str| states.iter().any(|x| name(*x) == s);
                let is_event = |s: &Recorded| events.iter().any(|e| e.as_str() == s.event);
                for (k, (s, _)) in entered.iter().enumerate() {
                    if *s != name(*from) {
                        continue;
                    }
                    if target(s) {
                        breach(k.checked_sub(1), format!("it entered `{s}` itself"));
                        break;
                    }
                    let rest = &history[k..];
                    let first_event = rest.iter().position(is_event).unwrap_or(rest.len());
                    if let Some(i) = rest[..first_event].iter().position(|s| target(&s.to)) {
                        breach(
                            Some(k + i),
                            format!(
                                "`{}` entered `{}` after `{s}` before any of the events",
                                rest[i].event, rest[i].to
                            ),
                        );
                        break;
                    }
                }
            }
            Claim::Reaches {
                from,
                goals,
                within: Some((bound, text)),
                ..
            } => {
                let is = |set: &[StateId], s: &str| set.iter().any(|x| name(*x) == s);
                let mut k = 0;
                while k < entered.len() {
                    let (s, since) = entered[k];
                    if !is(from, s) || is(goals, s) {
                        k += 1;
                        continue;
                    }
                    match entered[k + 1..].iter().position(|(x, _)| is(goals, x)) {
                        Some(j) => {
                            let (goal, at) = entered[k + 1 + j];
                            if at > since + *bound {
                                breach(
                                    Some(k + j),
                                    format!(
                                        "it entered `{goal}` {} after entering `{s}`, later than {text}",
                                        crate::model::compact_duration(at - since)
                                    ),
                                );
                            }
                            k += 1 + j;
                        }
                        None => {
                            if now.is_some_and(|now| now > since + *bound) {
                                breach(
                                    None,
                                    format!(
                                        "it entered `{s}` more than {text} ago and none of the goals since"
                                    ),
                                );
                            }
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    breaches
}

/// `never_together`: the shortest run over configurations (every guard
/// may hold, every timer may fall due) that puts each region the states
/// belong to in one of them at once, if any. Past
/// [`crate::regions::EXPLORE_LIMIT`] configurations it is not proved, and
/// says so.
fn never_together(w: &Workflow, states: &[StateId]) -> Verdict {
    let mut wanted: Vec<(usize, Vec<StateId>)> = Vec::new();
    for s in states {
        let Some(r) = w.region_of(*s) else { continue };
        match wanted.iter_mut().find(|(region, _)| *region == r) {
            Some((_, list)) => list.push(*s),
            None => wanted.push((r, vec![*s])),
        }
    }
    let bad = |config: &[StateId]| wanted.iter().all(|(r, list)| list.contains(&config[*r]));
    match crate::regions::run_to(w, crate::regions::EXPLORE_LIMIT, bad) {
        Ok(None) => Verdict::Holds,
        Ok(Some((start, steps))) => {
            let at_once: Vec<String> = wanted
                .iter()
                .map(|(r, list)| format!("`{}` in {}", w.region_name(*r), names(w, list)))
                .collect();
            let why = format!(
                "a run puts {} at once: {}",
                at_once.join(" and "),
                run_of_configurations(w, &start, &steps)
            );
            Verdict::Broken { why, run: None }
        }
        Err(too_many) => not_proved(too_many),
    }
}

/// A configuration as the checker's messages write it: each region's
/// state, in region order (`active, associated, restricted`).
fn configuration(w: &Workflow, config: &[StateId]) -> String {
    config
        .iter()
        .map(|s| w.state(*s).name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A run over configurations as the checker's messages write it: `from
/// (…)`, then each step's event and the configuration it leads to.
fn run_of_configurations(
    w: &Workflow,
    start: &[StateId],
    steps: &[(String, Vec<StateId>)],
) -> String {
    let mut text = format!("from ({})", configuration(w, start));
    for (event, config) in steps {
        text.push_str(&format!(", `{event}` → ({})", configuration(w, config)));
    }
    text
}

/// The verdict on a claim over more configurations than the checker
/// explores.
fn not_proved(too_many: crate::regions::TooManyConfigurations) -> Verdict {
    Verdict::Broken {
        why: format!("it is not proved: {too_many}"),
        run: None,
    }
}

/// `never_leaves` (`by` is `None`) and `left_only_by` with regions: no
/// reachable configuration takes a move that leaves the states (by anyone
/// but the roles `by`: no timer, no transition that names no role or
/// another role), whatever the other regions do.
fn left_over_configurations(
    w: &Workflow,
    states: &[StateId],
    by: Option<&[crate::model::RoleId]>,
) -> Verdict {
    let breaks = |t: &crate::Transition| match by {
        None => true,
        Some(by) => {
            t.timer.as_ref().is_some_and(|timer| timer.automatic)
                || t.by.is_empty()
                || t.by.iter().any(|r| !by.contains(r))
        }
    };
    match crate::regions::leaving(w, crate::regions::EXPLORE_LIMIT, states, breaks) {
        Ok(None) => Verdict::Holds,
        Ok(Some((config, t, to))) => {
            let t = w.transition(t);
            let from = w
                .region_of(t.from[0])
                .map_or("", |r| w.state(config[r]).name.as_str());
            let who = if by.is_none() {
                String::new()
            } else if t.timer.as_ref().is_some_and(|timer| timer.automatic) {
                ", by the timer".to_string()
            } else if t.by.is_empty() {
                ", by anyone".to_string()
            } else {
                let roles: Vec<String> =
                    t.by.iter()
                        .map(|r| format!("`{}`", w.role(*r).name))
                        .collect();
                format!(", by {}", roles.join(" or "))
            };
            Verdict::Broken {
                why: format!(
                    "`{}` leaves `{from}` for `{}`{who}, in the reachable configuration ({})",
                    t.event,
                    w.state(to).name,
                    configuration(w, &config)
                ),
                run: None,
            }
        }
        Err(too_many) => not_proved(too_many),
    }
}

/// `never_permits` and `always_permits` with regions: no reachable
/// configuration with a region in one of `states` permits (or fails to
/// permit) the capability, under the rule of [`crate::regions::permits`];
/// a broken one shows the shortest run to such a configuration.
fn permits_over_configurations(
    w: &Workflow,
    capability: crate::model::CapabilityId,
    states: &[StateId],
    never: bool,
) -> Verdict {
    let bad = |config: &[StateId]| {
        config.iter().any(|s| states.contains(s))
            && crate::regions::permits(w, config, capability) == never
    };
    match crate::regions::run_to(w, crate::regions::EXPLORE_LIMIT, bad) {
        Ok(None) => Verdict::Holds,
        Ok(Some((start, steps))) => {
            let end = steps.last().map_or(&start, |(_, config)| config);
            let why = format!(
                "configuration ({}) {} `{}`: {}",
                configuration(w, end),
                if never { "permits" } else { "does not permit" },
                w.capability(capability).name,
                run_of_configurations(w, &start, &steps)
            );
            Verdict::Broken { why, run: None }
        }
        Err(too_many) => not_proved(too_many),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, SourceFile};

    const CLOSING: &str = r#"
[workflow]
name = "closing"
initial = "active"
[roles.customer]
[roles.staff]
[states.active]
[states.closed]
[states.disabled]
final = true
[[transitions]]
event = "close"
by = "customer"
from = "active"
to = "closed"
[[transitions]]
event = "restore"
by = ["customer", "staff"]
from = "closed"
to = "active"
not_before = "1d"
[[transitions]]
event = "ends"
from = "closed"
to = "disabled"
after = "90d"
"#;

    fn model(properties: &str) -> Workflow {
        check(&SourceFile::new("c.toml", format!("{CLOSING}{properties}")))
            .partial
            .expect("a model")
    }

    fn step(from: &str, event: &str, to: &str, days: u64, role: Option<&str>) -> Recorded {
        Recorded {
            from: from.into(),
            event: event.into(),
            to: to.into(),
            at: Duration::from_secs(days * 86_400),
            role: role.map(str::to_string),
            actor: Some(role.map_or("timer", |_| "alice").to_string()),
        }
    }

    #[test]
    fn a_bound_needs_a_timer_and_counts_from_entering_from() {
        let w =
            model("[properties.p]\nreaches = \"disabled\"\nfrom = \"closed\"\nwithin = \"100d\"\n");
        // closed → active by `restore`, where no timer moves it on: with a
        // bound, nobody is obliged to act, so the run stays there.
        let Verdict::Broken { run: Some(run), .. } = &prove(&w)[0] else {
            panic!("broken")
        };
        assert_eq!(run.end, RunEnd::Stays { refusing: vec![] });
        // Led in from the initial state by `close`, then `restore` a day on.
        assert_eq!(run.start, w.initial);
        assert_eq!(run.lead_in, 1);
        assert_eq!(run.steps.len(), 2);
        assert_eq!(run.steps[1].at, Duration::from_secs(86_400));
        let w = model(
            "[properties.p]\nreaches = [\"disabled\", \"active\"]\nfrom = \"closed\"\nwithin = \"89d\"\n",
        );
        let Verdict::Broken {
            run: Some(run),
            why,
        } = &prove(&w)[0]
        else {
            panic!("broken")
        };
        assert_eq!(run.steps.len(), 2);
        assert_eq!(run.steps[1].at, Duration::from_secs(90 * 86_400), "{why}");
        assert_eq!(run.steps[1].role, None);
        assert!(
            why.contains("only 90d after entering `closed`, later than 89d"),
            "{why}"
        );
        let w = model(
            "[properties.p]\nreaches = [\"disabled\", \"active\"]\nfrom = \"closed\"\nwithin = \"90d\"\n",
        );
        assert_eq!(prove(&w), [Verdict::Holds]);
    }

    #[test]
    fn a_restore_refused_until_after_the_timer_is_no_way_out() {
        // `not_before` 90d: at 90d the timer comes first, so `restore`
        // never happens and `active` cannot be reached again.
        let text = CLOSING.replace("not_before = \"1d\"", "not_before = \"90d\"");
        let text = format!("{text}[properties.p]\nreachable = \"active\"\nfrom = \"closed\"\n");
        let w = check(&SourceFile::new("c.toml", text)).partial.unwrap();
        assert!(matches!(prove(&w)[0], Verdict::Broken { run: None, .. }));
    }

    #[test]
    fn histories_are_judged_step_by_step() {
        let w = model(
            "[properties.late]\nreaches = [\"active\", \"disabled\"]\nfrom = \"closed\"\nwithin = \"90d\"\n\
             [properties.kept]\nnever_leaves = \"disabled\"\n\
             [properties.who]\nleft_only_by = \"closed\"\nby = \"customer\"\n\
             [properties.first]\nenters = \"closed\"\nonly_after = \"close\"\n",
        );
        let kept = [
            step("active", "close", "closed", 0, Some("customer")),
            step("closed", "restore", "active", 2, Some("customer")),
        ];
        assert_eq!(judge(&w, "active", &kept, None), []);
        let broken = [
            step("active", "close", "closed", 0, Some("customer")),
            step("closed", "restore", "active", 95, Some("staff")),
            step("active", "close", "closed", 96, Some("customer")),
        ];
        let breaches: Vec<(&str, Option<usize>)> = judge(&w, "active", &broken, None)
            .iter()
            .map(|b| (w.properties[b.property].name.as_str(), b.step))
            .collect();
        assert_eq!(breaches, [("late", Some(1)), ("who", Some(1))]);
        // Closed at day 96 and not left: overdue only once the bound passed.
        let overdue = judge(
            &w,
            "active",
            &broken,
            Some(Duration::from_secs(187 * 86_400)),
        );
        assert_eq!(overdue.len(), 3);
        assert_eq!(overdue[1].step, None);
        let early = judge(
            &w,
            "active",
            &broken,
            Some(Duration::from_secs(186 * 86_400)),
        );
        assert_eq!(early.len(), 2);
        let bugged = [
            step("active", "ends", "disabled", 1, None),
            step("disabled", "restore", "closed", 2, Some("staff")),
        ];
        let breaches: Vec<&str> = judge(&w, "active", &bugged, None)
            .iter()
            .map(|b| w.properties[b.property].name.as_str())
            .collect();
        assert_eq!(breaches, ["kept", "first"]);
    }
}
