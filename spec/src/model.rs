//! The validated workflow model: the one type the macro, the command, the
//! renderers and the runtime all read.

use heck::ToUpperCamelCase;

use crate::source::Span;

/// A validated snake_case name (a workflow, state, event or guard).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    text: String,
    /// `text` in PascalCase, made once: the generator asks for it often.
    pascal: String,
    span: Span,
}

impl Name {
    pub(crate) fn new(text: String, span: Span) -> Self {
        let pascal = text.to_upper_camel_case();
        Name { text, pascal, span }
    }

    /// The name as written: a snake_case Rust identifier, never a keyword.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The PascalCase form used for generated types (`card_bound` → `CardBound`).
    pub fn pascal(&self) -> &str {
        &self.pascal
    }

    /// Where the name stands in the definition.
    pub fn span(&self) -> Span {
        self.span.clone()
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Index of a state in [`Workflow::states`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateId(pub usize);

/// Index of a guard in [`Workflow::guards`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GuardId(pub usize);

/// Index of a role in [`Workflow::roles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleId(pub usize);

/// Index of a capability in [`Workflow::capabilities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CapabilityId(pub usize);

/// Index of a compound state in [`Workflow::compounds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompoundId(pub usize);

/// Index of a transition in [`Workflow::transitions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransitionId(pub usize);

/// A validated workflow definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// The workflow's name; also the generated module's name.
    pub name: Name,
    /// One-paragraph description; becomes the module's rustdoc.
    pub summary: Option<String>,
    /// The state a new machine starts in.
    pub initial: StateId,
    /// Every state a machine can be in, in declaration order: the leaves.
    /// A compound state (one that others name as `parent`) is not among
    /// them but in [`Workflow::compounds`]; the machine is always in a
    /// leaf.
    pub states: Vec<State>,
    /// The compound states, in declaration order
    /// ([nested states](crate::model::Compound)). Empty for a flat
    /// definition.
    pub compounds: Vec<Compound>,
    /// Every guard, declared ones first, then the others in order of first use.
    pub guards: Vec<Guard>,
    /// Every role (`[roles.<name>]`), in declaration order: who may fire
    /// the transitions that name it in `by`.
    pub roles: Vec<Role>,
    /// Every capability (`[capabilities.<name>]`), in declaration order:
    /// what the states that name it in `permits` let the account do.
    pub capabilities: Vec<Capability>,
    /// Every transition, in declaration order.
    pub transitions: Vec<Transition>,
    /// The promises the process makes (`[properties.<name>]`), in
    /// declaration order: proved by [`crate::prove`] whenever the
    /// definition is checked. They say what must hold, not what happens,
    /// so nothing generated and no fingerprint depends on them.
    pub properties: Vec<Property>,
    /// The parallel regions (`[workflow] regions`), in the order listed:
    /// each a top-level compound state with one current state of its own
    /// ([`Region`]). Empty for a workflow that is one machine.
    pub regions: Vec<Region>,
}

/// A parallel region: a top-level compound state whose states run beside
/// the other regions', one current state each (`[workflow] regions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The compound state that is the region.
    pub compound: CompoundId,
    /// The leaf the region starts in (its compound's entry).
    pub initial: StateId,
    /// The leaves inside the region, in declaration order.
    pub leaves: Vec<StateId>,
}

/// A condition on another region (`when`): the transition is allowed only
/// while that region is in one of `states`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The region, by its position in [`Workflow::regions`].
    pub region: usize,
    /// The leaves of the region that satisfy it.
    pub states: Vec<StateId>,
    /// The names as written (a compound stands for its leaves): what
    /// messages quote.
    pub written: Vec<String>,
    /// Where the `when` key stands.
    pub span: Span,
}

/// A promise the process makes, declared in `[properties.<name>]` and
/// proved over every run of the definition ([`crate::prove`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Its name (the table's key).
    pub name: Name,
    /// What it promises, in the user's words, with its source.
    pub summary: Option<String>,
    /// What is claimed.
    pub claim: Claim,
    /// `true` for `severity = "warning"`: a broken promise is reported
    /// by `turnstile check` but does not fail the check or the build.
    pub warning: bool,
    /// The span of the key that states the claim (`reaches = …`).
    pub span: Span,
}

/// What a [`Property`] claims, one variant per form of the vocabulary
/// (docs/properties.md). Each variant says how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// `never_permits = "cap"`, `in = [states]`: none of the states
    /// permits the capability.
    NeverPermits {
        /// The capability.
        capability: CapabilityId,
        /// The states where it must not hold.
        states: Vec<StateId>,
    },
    /// `always_permits = "cap"`, `in = [states]`: every one of the states
    /// permits the capability.
    AlwaysPermits {
        /// The capability.
        capability: CapabilityId,
        /// The states where it must hold.
        states: Vec<StateId>,
    },
    /// `reachable = "state"`, `from = "state"`: some run from `from` (by
    /// at least one step) enters the state, if the guards allow.
    Reachable {
        /// The state to reach.
        target: StateId,
        /// Where runs start (the initial state if not written).
        from: StateId,
    },
    /// `unreachable = "state"`, `from = "state"`: no run from `from`
    /// enters the state, whatever the guards answer.
    Unreachable {
        /// The state no run may enter.
        target: StateId,
        /// Where runs start (the initial state if not written).
        from: StateId,
    },
    /// `never_leaves = [states]`: once in one of them, a machine stays
    /// there (no transition takes it elsewhere).
    NeverLeaves {
        /// The states.
        states: Vec<StateId>,
    },
    /// `reaches = [goals]`, `from = [states]`, `within = "90d"`?: every
    /// run that enters one of `from` enters one of the goals, within the
    /// duration if one is given. Without `within`, a run that can be
    /// moved on is assumed to be (nobody waits forever where someone
    /// can act); with it, only the automatic timers move time for sure.
    Reaches {
        /// Where the runs start.
        from: Vec<StateId>,
        /// The states one of which every run reaches.
        goals: Vec<StateId>,
        /// The bound, as written and read.
        within: Option<(std::time::Duration, String)>,
        /// `assuming = [guards]`: guards taken to hold whenever asked, so
        /// that a way out they guard is sure (without `within`); every
        /// other guard is free.
        assuming: Vec<crate::model::GuardId>,
    },
    /// `can_leave = [states]` (or `"*"`: every non-final state),
    /// `by = [roles]`?: in each state some transition leads elsewhere that
    /// one of the roles may fire (without `by`: anyone, or a timer).
    CanLeave {
        /// The states; every non-final one for `"*"`.
        states: Vec<StateId>,
        /// The roles, one of which must be able to move it; empty: anyone
        /// or the system.
        by: Vec<RoleId>,
    },
    /// `left_only_by = [states]`, `by = [roles]`: every transition that
    /// takes a machine out of the states is one only these roles may fire
    /// (not one open to anyone, not an automatic one).
    LeftOnlyBy {
        /// The states.
        states: Vec<StateId>,
        /// The roles.
        by: Vec<RoleId>,
    },
    /// `enters = [states]`, `only_after = [events]`, `from = "state"`?: a
    /// run from `from` (the initial state if not written) enters one of
    /// the states only once one of the events has happened.
    OnlyAfter {
        /// The states.
        states: Vec<StateId>,
        /// The events, one of which must come first.
        events: Vec<Name>,
        /// Where runs start.
        from: StateId,
    },
    /// `never_together = [states]`, in a workflow with regions: no
    /// reachable configuration is, in every region the states belong to,
    /// in one of the states listed for it ("an account associated with a
    /// partner is never closed": `["associated", "closed"]`).
    NeverTogether {
        /// The states (compounds stand for their leaves), of two regions
        /// or more.
        states: Vec<StateId>,
    },
}

impl Condition {
    /// The states as written, in backticks, as alternatives: "`a` or `b`".
    pub fn listed(&self) -> String {
        self.written
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

/// A role: who acts (a customer, a member of staff, a partner). A
/// transition whose `by` names roles may be fired only by an actor who
/// holds one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Its name; also the generated marker type's, in PascalCase (`role::Staff`).
    pub name: Name,
    /// Who holds it, in the user's words.
    pub summary: Option<String>,
}

/// A capability: something the account may do while its workflow is in
/// one of the states that permit it (log in, view its bills). Generated
/// as a marker trait implemented by exactly those states' machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// Its name; also the generated trait's, in PascalCase (`can::ViewBills`).
    pub name: Name,
    /// What it lets the account do, in the user's words.
    pub summary: Option<String>,
}

/// A compound state: a state that contains states (`parent = "…"` on
/// each child). A machine is never in a compound itself but in a leaf
/// inside it. Its transitions and capabilities are its leaves' (the model
/// holds them there, resolved): a transition `from` a compound is allowed
/// from each leaf inside it that does not handle the event nearer; one
/// `to` a compound enters its [`Compound::entry`]; what it `permits`
/// holds in each leaf inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    /// Its name.
    pub name: Name,
    /// What being in it means.
    pub summary: Option<String>,
    /// The compound it is inside, if any.
    pub parent: Option<CompoundId>,
    /// The leaf a transition into the compound enters: its `initial`
    /// child, followed down through compound children.
    pub entry: StateId,
    /// The capabilities it permits itself (its leaves' `permits` include
    /// them).
    pub permits: Vec<CapabilityId>,
}

/// A state of the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// Its name.
    pub name: Name,
    /// What being in this state means.
    pub summary: Option<String>,
    /// Whether the workflow may end here.
    pub is_final: bool,
    /// Whether being here means the process refused the customer (an
    /// association refused, a ticket rejected): diagrams draw such states
    /// apart. It changes nothing about what may happen next, so it is not
    /// part of the fingerprint.
    pub refusal: bool,
    /// The capabilities the state permits: those its compound ancestors
    /// permit, outermost first, then its own in the order listed.
    pub permits: Vec<CapabilityId>,
    /// The compound state it is inside, if any.
    pub parent: Option<CompoundId>,
}

/// A predicate on the workflow's data that decides whether a transition may happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Its name; also the name of the method the user implements.
    pub name: Name,
    /// The rule it checks, in the user's words; shown when it refuses a transition.
    pub summary: Option<String>,
}

/// A transition: an event that moves the machine from one of `from` to one of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The event's name; also the generated method's name.
    pub event: Name,
    /// The states the event is allowed from.
    pub from: Vec<StateId>,
    /// The possible targets; more than one means the outcome is decided at run time.
    pub to: Vec<StateId>,
    /// Guards that must all hold, checked in this order.
    pub guards: Vec<GuardId>,
    /// The roles that may fire it, in the order listed; empty: anyone may.
    pub by: Vec<RoleId>,
    /// The compound states its `from` names, each standing for the leaves
    /// inside it that [`Transition::from`] holds (the ones that do not
    /// handle the event nearer). Empty for a flat definition.
    pub from_compounds: Vec<CompoundId>,
    /// For each of [`Transition::to`], the compound state written there,
    /// whose entry leaf `to` holds; `None` where a leaf is written.
    pub to_compounds: Vec<Option<CompoundId>>,
    /// What the transition does.
    pub summary: Option<String>,
    /// A timer: the transition waits for a time in its source state.
    pub timer: Option<Timer>,
    /// What the event brings (`payload = "TicketMaterials"`): its method
    /// takes a value of that type, its guards may read it, and the data's
    /// `Payloads` impl stores what it must of it when the transition is taken.
    pub payload: Option<Payload>,
    /// `when`: the states other regions must be in, one [`Condition`]
    /// per region named, in the order of [`Workflow::regions`]. Empty
    /// outside a workflow with regions.
    pub when: Vec<Condition>,
    /// The `[[transitions]]` header.
    pub span: Span,
}

/// What an event brings: a type of the user's crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// The type as written: a Rust path (`TicketMaterials`,
    /// `crate::tickets::Materials`), relative to the module of the data type.
    pub ty: String,
    /// `sensitive = true`: the audit trail records a digest of the payload
    /// instead of the payload itself.
    pub sensitive: bool,
    /// Where the type stands in the definition.
    pub span: Span,
}

/// How a timed transition waits, measured from when the machine entered
/// the transition's source state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// How long after entering the source state the transition falls due.
    pub after: std::time::Duration,
    /// `true` for `after = "…"`: the transition happens by itself once due
    /// (a runner fires it). `false` for `not_before = "…"`: a person fires
    /// it, and it is refused until due.
    pub automatic: bool,
    /// The duration as written (`"90d"`), for labels and messages.
    pub text: String,
    /// Where the duration stands in the definition.
    pub span: Span,
}

pub use turnstile_words::compact_duration;

impl Timer {
    /// The key it is written with: `after` or `not_before`.
    pub fn key(&self) -> &'static str {
        if self.automatic {
            "after"
        } else {
            "not_before"
        }
    }

    /// A short label: `after 90d` or `not before 24h`.
    pub fn label(&self) -> String {
        if self.automatic {
            format!("after {}", self.text)
        } else {
            format!("not before {}", self.text)
        }
    }
}

impl Transition {
    /// Whether the target is decided at run time among several outcomes.
    pub fn is_branch(&self) -> bool {
        self.to.len() > 1
    }
}

/// An event with everything declared for it, as [`Workflow::events`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'w> {
    /// The event's name (from its first transition).
    pub name: &'w Name,
    /// Its transitions, in declaration order.
    pub transitions: Vec<TransitionId>,
}

/// What a timer counts from (see [`Workflow::clock`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clock {
    /// Entering the state the machine is in: every transition into it,
    /// from itself too, starts it again.
    State,
    /// Entering a compound state the machine is inside: moves between the
    /// states inside it do not start it again.
    Compound(CompoundId),
}

/// One check of firing a transition (see [`Workflow::checks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check<'w> {
    /// An automatic transition of the source state that comes first once
    /// its timer is due: the event is refused as overdue from then on.
    Preempted {
        /// The automatic transition.
        by: TransitionId,
        /// Its timer.
        timer: &'w Timer,
        /// What its timer counts from.
        clock: Clock,
        /// The event's own automatic timer, when it counts from another
        /// clock: whether it comes first is then known only at run time
        /// (it does if it falls due no later). `None`: refused once `by`
        /// is due.
        unless: Option<(&'w Timer, Clock)>,
    },
    /// The transition's own timer: refused until it is due.
    Timer {
        /// The timer.
        timer: &'w Timer,
        /// What it counts from.
        clock: Clock,
    },
    /// A guard: refused unless it holds.
    Guard(GuardId),
}

impl Workflow {
    /// The state with this id.
    pub fn state(&self, id: StateId) -> &State {
        &self.states[id.0]
    }

    /// The compound state with this id.
    pub fn compound(&self, id: CompoundId) -> &Compound {
        &self.compounds[id.0]
    }

    /// The compound states `state` is inside, innermost first.
    pub fn ancestors(&self, state: StateId) -> Vec<CompoundId> {
        let mut out = Vec::new();
        let mut at = self.state(state).parent;
        while let Some(c) = at {
            out.push(c);
            at = self.compound(c).parent;
        }
        out
    }

    /// The leaves inside `compound`, at any depth, in declaration order.
    pub fn leaves_of(&self, compound: CompoundId) -> Vec<StateId> {
        (0..self.states.len())
            .map(StateId)
            .filter(|s| self.ancestors(*s).contains(&compound))
            .collect()
    }

    /// The guard with this id.
    pub fn guard(&self, id: GuardId) -> &Guard {
        &self.guards[id.0]
    }

    /// The role with this id.
    pub fn role(&self, id: RoleId) -> &Role {
        &self.roles[id.0]
    }

    /// The capability with this id.
    pub fn capability(&self, id: CapabilityId) -> &Capability {
        &self.capabilities[id.0]
    }

    /// The states that permit `capability`, in declaration order.
    pub fn states_permitting(&self, capability: CapabilityId) -> Vec<StateId> {
        (0..self.states.len())
            .map(StateId)
            .filter(|s| self.state(*s).permits.contains(&capability))
            .collect()
    }

    /// Whether any transition names the roles that may fire it.
    pub fn has_roles(&self) -> bool {
        !self.roles.is_empty()
    }

    /// The transition with this id.
    pub fn transition(&self, id: TransitionId) -> &Transition {
        &self.transitions[id.0]
    }

    /// The state named `name`.
    pub fn state_named(&self, name: &str) -> Option<StateId> {
        self.states
            .iter()
            .position(|s| s.name.as_str() == name)
            .map(StateId)
    }

    /// The distinct events, in order of first declaration.
    pub fn events(&self) -> Vec<Event<'_>> {
        let mut events: Vec<Event<'_>> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, t) in self.transitions.iter().enumerate() {
            match index.get(t.event.as_str()) {
                Some(&e) => events[e].transitions.push(TransitionId(i)),
                None => {
                    index.insert(t.event.as_str(), events.len());
                    events.push(Event {
                        name: &t.event,
                        transitions: vec![TransitionId(i)],
                    });
                }
            }
        }
        events
    }

    /// The transitions allowed from `state`, in declaration order. To ask
    /// this of every state, [`Workflow::outgoing`] does it in one pass.
    pub fn transitions_from(
        &self,
        state: StateId,
    ) -> impl Iterator<Item = (TransitionId, &Transition)> {
        self.transitions
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.from.contains(&state))
            .map(|(i, t)| (TransitionId(i), t))
    }

    /// For each state (by index), the transitions allowed from it, in
    /// declaration order: one pass over the transitions.
    pub fn outgoing(&self) -> Vec<Vec<TransitionId>> {
        let mut out = vec![Vec::new(); self.states.len()];
        for (i, t) in self.transitions.iter().enumerate() {
            for from in &t.from {
                // A state listed twice in `from` is an error the model never keeps.
                if out[from.0].last() != Some(&TransitionId(i)) {
                    out[from.0].push(TransitionId(i));
                }
            }
        }
        out
    }

    /// The states `event` is allowed from, in declaration order of the states.
    pub fn states_allowing(&self, event: &str) -> Vec<StateId> {
        let mut states: Vec<StateId> = self
            .transitions
            .iter()
            .filter(|t| t.event.as_str() == event)
            .flat_map(|t| t.from.iter().copied())
            .collect();
        states.sort();
        states.dedup();
        states
    }

    /// The states an event (from [`Workflow::events`]) is allowed from, in
    /// declaration order of the states; proportional to the event's own
    /// transitions, not to the whole workflow.
    pub fn states_allowing_event(&self, event: &Event<'_>) -> Vec<StateId> {
        let mut states: Vec<StateId> = event
            .transitions
            .iter()
            .flat_map(|t| self.transition(*t).from.iter().copied())
            .collect();
        states.sort();
        states.dedup();
        states
    }

    /// Whether any transition has a timer (the generated machine then
    /// records when it entered its state, and every event takes the instant).
    pub fn has_timers(&self) -> bool {
        self.transitions.iter().any(|t| t.timer.is_some())
    }

    /// The automatic transitions among `outgoing` (the transitions of
    /// `from`, as [`Workflow::outgoing`] lists them) that come before `t`
    /// once their timer is due, as [`Check::Preempted`]: every automatic
    /// one of another event, unless `t` is automatic too, counts from the
    /// same [`Clock`] and falls due no later.
    pub fn preempting<'w>(
        &'w self,
        t: &'w Transition,
        from: StateId,
        outgoing: &'w [TransitionId],
    ) -> impl Iterator<Item = Check<'w>> + 'w {
        let own = t
            .timer
            .as_ref()
            .filter(|timer| timer.automatic)
            .map(|timer| (timer, self.clock(t, from)));
        outgoing.iter().filter_map(move |id| {
            let other = self.transition(*id);
            let timer = other.timer.as_ref().filter(|timer| timer.automatic)?;
            if other.event == t.event {
                return None;
            }
            let clock = self.clock(other, from);
            let unless = match own {
                Some((own, own_clock)) if own_clock == clock => {
                    if own.after <= timer.after {
                        return None;
                    }
                    None
                }
                other => other,
            };
            Some(Check::Preempted {
                by: *id,
                timer,
                clock,
                unless,
            })
        })
    }

    /// What firing `t` from `from`, whose transitions are `outgoing`,
    /// checks, in the order it checks them: every automatic transition of
    /// the state that comes first once due ([`Workflow::preempting`]), then
    /// `t`'s own timer, then its guards in the order listed. The first
    /// check that fails refuses the event. This order has one owner, here:
    /// the generated code checks in it, and the explorer's simulator reads
    /// it from the model.
    pub fn checks<'w>(
        &'w self,
        t: &'w Transition,
        from: StateId,
        outgoing: &'w [TransitionId],
    ) -> Vec<Check<'w>> {
        let mut checks: Vec<Check<'w>> = self.preempting(t, from, outgoing).collect();
        checks.extend(t.timer.as_ref().map(|timer| Check::Timer {
            timer,
            clock: self.clock(t, from),
        }));
        checks.extend(t.guards.iter().map(|g| Check::Guard(*g)));
        checks
    }

    /// Whether firing `t` from `from`, whose transitions are `outgoing`,
    /// can be refused: a guard, its own timer, or an automatic timer that
    /// comes first. Its generated method then returns `Result`.
    pub fn refusable(&self, t: &Transition, from: StateId, outgoing: &[TransitionId]) -> bool {
        !t.guards.is_empty()
            || t.timer.is_some()
            || self.preempting(t, from, outgoing).next().is_some()
    }

    /// What the timer of `t` counts from when it fires from the state
    /// `from`: entering the innermost compound written in its `from` that
    /// holds `from`, or entering `from` itself where it is written by name
    /// (a transition with a timer names each state once: T031).
    pub fn clock(&self, t: &Transition, from: StateId) -> Clock {
        if t.from_compounds.is_empty() {
            return Clock::State;
        }
        let mut at = self.state(from).parent;
        while let Some(c) = at {
            if t.from_compounds.contains(&c) {
                return Clock::Compound(c);
            }
            at = self.compound(c).parent;
        }
        Clock::State
    }

    /// How many compound states `compound` is inside: 0 for one at the
    /// top. Its index among a leaf's compounds counted from the outermost
    /// (where the generated machine keeps when it entered them).
    pub fn depth(&self, compound: CompoundId) -> usize {
        let mut depth = 0;
        let mut at = self.compound(compound).parent;
        while let Some(c) = at {
            depth += 1;
            at = self.compound(c).parent;
        }
        depth
    }

    /// How many of `to`'s compounds, counted from the outermost, the move
    /// of `t` from `from` into `to` stays inside: those that hold both
    /// states, outside the compound `t` names as its target if it names
    /// one (naming a compound enters it afresh, with everything inside
    /// it). The move leaves and enters again every compound after them,
    /// and `to` itself, so their timers start again; the ones it stays
    /// inside keep running. These are always the outermost ones: a
    /// compound left is left with everything inside it.
    pub fn kept(&self, t: &Transition, from: StateId, to: StateId) -> usize {
        let named =
            t.to.iter()
                .position(|s| *s == to)
                .and_then(|i| t.to_compounds.get(i).copied().flatten());
        let inside_from = self.ancestors(from);
        self.ancestors(to)
            .into_iter()
            .rev()
            .take_while(|c| Some(*c) != named && inside_from.contains(c))
            .count()
    }

    /// Whether a timer counts from entering a compound state (the
    /// generated machine then keeps when it entered each compound it is
    /// in).
    pub fn has_compound_timers(&self) -> bool {
        self.transitions.iter().any(|t| {
            t.timer.is_some()
                && t.from
                    .iter()
                    .any(|s| matches!(self.clock(t, *s), Clock::Compound(_)))
        })
    }

    /// The most compound states any state is inside (0 for a flat
    /// definition).
    pub fn max_depth(&self) -> usize {
        (0..self.compounds.len())
            .map(|i| self.depth(CompoundId(i)) + 1)
            .max()
            .unwrap_or(0)
    }

    /// Whether firing `t` from `from`, whose transitions are `outgoing`,
    /// only moves the machine: one target, nothing that can refuse it, no
    /// payload to apply. The
    /// generated code writes such a move in one line and dispatches it
    /// from a table.
    pub fn plain_move(&self, t: &Transition, from: StateId, outgoing: &[TransitionId]) -> bool {
        !t.is_branch() && !self.refusable(t, from, outgoing) && t.payload.is_none()
    }

    /// Whether any transition brings a payload.
    pub fn has_payloads(&self) -> bool {
        self.transitions.iter().any(|t| t.payload.is_some())
    }

    /// The region `state` (a leaf) belongs to, by position in
    /// [`Workflow::regions`]; `None` in a workflow without regions.
    pub fn region_of(&self, state: StateId) -> Option<usize> {
        let outermost = *self.ancestors(state).last()?;
        self.regions.iter().position(|r| r.compound == outermost)
    }

    /// The region's name (its compound state's).
    pub fn region_name(&self, region: usize) -> &Name {
        &self.compound(self.regions[region].compound).name
    }

    /// Where a new machine starts: the initial state, or each region's in
    /// the order of [`Workflow::regions`].
    pub fn initials(&self) -> Vec<StateId> {
        if self.regions.is_empty() {
            vec![self.initial]
        } else {
            self.regions.iter().map(|r| r.initial).collect()
        }
    }

    /// The regions an event moves (those holding its transitions' states),
    /// in the order of [`Workflow::regions`]: empty without regions.
    pub fn regions_moved(&self, event: &Event<'_>) -> Vec<usize> {
        let mut moved: Vec<usize> = event
            .transitions
            .iter()
            .filter_map(|t| self.region_of(*self.transition(*t).from.first()?))
            .collect();
        moved.sort_unstable();
        moved.dedup();
        moved
    }

    /// The conditions an event's transitions place on other regions, one
    /// per region (validation makes the transitions of an event agree), in
    /// the order of [`Workflow::regions`].
    pub fn conditions<'w>(&'w self, event: &Event<'_>) -> Vec<&'w Condition> {
        let mut out: Vec<&Condition> = Vec::new();
        for t in &event.transitions {
            for c in &self.transition(*t).when {
                if !out.iter().any(|o| o.region == c.region) {
                    out.push(c);
                }
            }
        }
        out.sort_by_key(|c| c.region);
        out
    }

    /// Whether any state is final.
    pub fn has_final_states(&self) -> bool {
        self.states.iter().any(|s| s.is_final)
    }
}
