//! Parallel regions (`[workflow] regions`): which top-level compound states
//! run beside each other, and the checks that keep a configuration one
//! current state per region (docs/regions.md).
//!
//! A region is a top-level compound state named in `regions`; every
//! top-level state must be one, so that every leaf belongs to exactly one
//! region. A transition moves within one region; an event written in
//! several regions moves them together (a joint move), and `when` asks
//! other regions to be in given states.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Compound, CompoundId, Condition, Region, State, StateId, Workflow};
use crate::parse::{Located, RawHeader};
use crate::source::Span;

/// The regions named in `[workflow] regions`, each a top-level compound
/// (T032 otherwise), and for each leaf the region it is in. `None` for a
/// workflow without regions; `Some(Err(()))` when they could not be read
/// (already reported).
#[allow(clippy::type_complexity)]
pub(crate) fn resolve(
    header: &RawHeader,
    states: &[State],
    compounds: &[Compound],
    diags: &mut Vec<Diagnostic>,
) -> Option<Result<(Vec<Region>, Vec<usize>), ()>> {
    let (names, span) = header.regions.as_ref()?;
    let mut initial_ok = true;
    if let Some(initial) = &header.initial {
        diags.push(
            Diagnostic::new(
                Code::RegionShape,
                "a workflow with regions has no single initial state",
            )
            .at(initial.span.clone(), "`initial` beside `regions`")
            .with_context(span.clone(), "each region starts in its own `initial`")
            .with_help(
                "remove `initial` from `[workflow]`: each region's `initial` says where it starts",
            ),
        );
        initial_ok = false;
    }
    let mut ok = true;
    let by_name: HashMap<&str, usize> = compounds
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let mut regions: Vec<Region> = Vec::new();
    for located in names {
        let Some(&c) = by_name.get(located.text.as_str()) else {
            let leaf = states.iter().any(|s| s.name.as_str() == located.text);
            let why = if leaf {
                "a state with no states inside it"
            } else {
                "no `[states.…]` table declares a compound of this name"
            };
            diags.push(
                Diagnostic::new(
                    Code::RegionShape,
                    format!("region `{}` is not a compound state", located.text),
                )
                .at(located.span.clone(), why)
                .with_help(format!(
                    "a region is a top-level state that others name as `parent`, with an `initial`: declare `[states.{}]` with `initial = \"…\"` and its states with `parent = \"{}\"`",
                    located.text, located.text
                )),
            );
            ok = false;
            continue;
        };
        if let Some(outer) = compounds[c].parent {
            diags.push(
                Diagnostic::new(
                    Code::RegionShape,
                    format!("region `{}` is inside `{}`", located.text, compounds[outer.0].name),
                )
                .at(located.span.clone(), "a region must be a top-level state")
                .with_help("regions run beside each other for the whole workflow: name top-level compound states only"),
            );
            ok = false;
            continue;
        }
        if regions.iter().any(|r| r.compound.0 == c) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    format!("`regions` lists `{}` twice", located.text),
                )
                .at(located.span.clone(), "listed again here")
                .with_help("list each region once"),
            );
            ok = false;
            continue;
        }
        regions.push(Region {
            compound: CompoundId(c),
            initial: compounds[c].entry,
            leaves: Vec::new(),
        });
    }
    // Every leaf in exactly one region: its outermost compound.
    let mut leaf_region = vec![usize::MAX; states.len()];
    for (i, state) in states.iter().enumerate() {
        let mut outermost = state.parent;
        while let Some(c) = outermost.and_then(|c| compounds[c.0].parent) {
            outermost = Some(c);
        }
        match outermost.and_then(|c| regions.iter().position(|r| r.compound == c)) {
            Some(r) => {
                leaf_region[i] = r;
                regions[r].leaves.push(StateId(i));
            }
            None if ok => {
                let top = outermost.map_or(&state.name, |c| &compounds[c.0].name);
                diags.push(
                    Diagnostic::new(
                        Code::RegionShape,
                        format!("state `{top}` is in no region"),
                    )
                    .at(top.span(), "a top-level state outside every region")
                    .with_context(span.clone(), "the regions")
                    .with_help(format!(
                        "with regions, every state is inside one: give it `parent = \"…\"` naming a region, or list `{top}` in `regions` if it is one"
                    )),
                );
                ok = false;
            }
            None => {}
        }
    }
    if ok && initial_ok {
        Some(Ok((regions, leaf_region)))
    } else {
        Some(Err(()))
    }
}

/// A `when` list as conditions, one per region named, in the order of the
/// regions: a compound stands for its leaves, several states of one
/// region are alternatives. `leaves` gives each name's leaves (`None` for
/// an undeclared one, already reported).
pub(crate) fn conditions(
    when: &[(Located, Vec<StateId>)],
    span: &Span,
    leaf_region: &[usize],
) -> Vec<Condition> {
    let mut out: Vec<Condition> = Vec::new();
    for (located, leaves) in when {
        let Some(region) = leaves.first().map(|l| leaf_region[l.0]) else {
            continue;
        };
        match out.iter_mut().find(|c| c.region == region) {
            Some(c) => {
                for leaf in leaves {
                    if !c.states.contains(leaf) {
                        c.states.push(*leaf);
                    }
                }
                c.written.push(located.text.clone());
            }
            None => out.push(Condition {
                region,
                states: leaves.clone(),
                written: vec![located.text.clone()],
                span: span.clone(),
            }),
        }
    }
    out.sort_by_key(|c| c.region);
    out
}

/// T033: `when` in a workflow without regions.
pub(crate) fn when_without_regions(event: &str, span: &Span) -> Diagnostic {
    Diagnostic::new(
        Code::RegionCondition,
        format!("event `{event}` has a `when` condition, but the workflow has no regions"),
    )
    .at(span.clone(), "a condition on another region")
    .with_help(
        "`when` asks another parallel region to be in given states: declare `regions` in `[workflow]`, or remove `when`",
    )
}

/// The checks of a workflow with regions over its transitions, each
/// reported at the transition's line: a transition within one region
/// (T032); `when` on other regions only, the same within an event, not on
/// a region the event moves (T033); keys not taken yet (T034). Returns,
/// per transition, whether to keep it.
pub(crate) fn check_transitions(w: &Workflow, diags: &mut Vec<Diagnostic>) -> Vec<bool> {
    let mut keep = vec![true; w.transitions.len()];
    if w.regions.is_empty() {
        return keep;
    }
    for (i, t) in w.transitions.iter().enumerate() {
        let ends = t.from.iter().chain(&t.to);
        let regions: Vec<usize> = {
            let mut r: Vec<usize> = ends.filter_map(|s| w.region_of(*s)).collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        if regions.len() > 1 {
            let names: Vec<String> = regions
                .iter()
                .map(|r| format!("`{}`", w.region_name(*r)))
                .collect();
            diags.push(
                Diagnostic::new(
                    Code::RegionShape,
                    format!(
                        "event `{}` moves between regions {}",
                        t.event,
                        names.join(" and ")
                    ),
                )
                .at(t.span.clone(), "its `from` and `to` are in different regions")
                .with_help(format!(
                    "each region keeps one current state: to move two regions at once, write one transition of `{}` in each region (a joint move)",
                    t.event
                )),
            );
            keep[i] = false;
            continue;
        }
        let own = regions.first().copied();
        for c in &t.when {
            if Some(c.region) == own {
                diags.push(
                    Diagnostic::new(
                        Code::RegionCondition,
                        format!(
                            "event `{}` has a `when` on its own region `{}`",
                            t.event,
                            w.region_name(c.region)
                        ),
                    )
                    .at(c.span.clone(), "names a state of the region the transition moves")
                    .with_help("`from` says which states of its own region allow it: list them there, and keep `when` for other regions"),
                );
                keep[i] = false;
            }
        }
        let unsupported = [(
            t.timer.is_some() && !t.from_compounds.is_empty(),
            "a timer on a transition from a compound state",
        )];
        for (_, what) in unsupported.iter().filter(|(hit, _)| *hit) {
            diags.push(
                Diagnostic::new(
                    Code::RegionUnsupported,
                    format!(
                        "event `{}` uses {what}, which a workflow with regions does not take yet",
                        t.event
                    ),
                )
                .at(t.span.clone(), "in a workflow with regions")
                .with_help("docs/regions.md lists what regions take today: move this rule into a workflow of its own, or write it without this key"),
            );
            keep[i] = false;
        }
    }
    // The transitions of one event agree on each region's condition, and
    // do not condition a region the event moves.
    for event in w.events() {
        let moved = w.regions_moved(&event);
        if moved.len() > 1 {
            if let Some(t) = event
                .transitions
                .iter()
                .map(|id| w.transition(*id))
                .find(|t| t.is_branch())
            {
                diags.push(
                    Diagnostic::new(
                        Code::RegionUnsupported,
                        format!(
                            "event `{}` branches in a joint move, which a workflow with regions does not take yet",
                            t.event
                        ),
                    )
                    .at(t.span.clone(), "a branch, and the event moves another region too")
                    .with_help("docs/regions.md lists what regions take today: branch in one region, or move the other region by an event of its own"),
                );
                for id in &event.transitions {
                    keep[id.0] = false;
                }
            }
        }
        let mut seen: HashMap<usize, &Condition> = HashMap::new();
        for id in &event.transitions {
            let t = w.transition(*id);
            let own = w.region_of(t.from[0]);
            for c in t.when.iter().filter(|c| Some(c.region) != own) {
                if moved.contains(&c.region) {
                    diags.push(
                        Diagnostic::new(
                            Code::RegionCondition,
                            format!(
                                "event `{}` both moves region `{}` and has a `when` on it",
                                t.event,
                                w.region_name(c.region)
                            ),
                        )
                        .at(c.span.clone(), "a condition on a region the event moves")
                        .with_help("the `from` of the event's transition in that region already says which of its states allow it: remove the region from `when`"),
                    );
                    keep[id.0] = false;
                    continue;
                }
                match seen.get(&c.region) {
                    Some(first) if first.states != c.states => {
                        diags.push(
                            Diagnostic::new(
                                Code::RegionCondition,
                                format!(
                                    "the transitions of `{}` disagree on what region `{}` must be in",
                                    t.event,
                                    w.region_name(c.region)
                                ),
                            )
                            .at(c.span.clone(), format!("`{}` here", c.written.join("`, `")))
                            .with_context(first.span.clone(), format!("`{}` here", first.written.join("`, `")))
                            .with_help("a condition belongs to the event, as its method's bound does: write the same `when` on each of its transitions, or name the events apart"),
                        );
                        keep[id.0] = false;
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(c.region, c);
                    }
                }
            }
        }
        // A condition written on some of the event's transitions only is
        // one the others lack: the same disagreement.
        for (&region, first) in &seen {
            for id in &event.transitions {
                let t = w.transition(*id);
                if !t.when.iter().any(|c| c.region == region) {
                    diags.push(
                        Diagnostic::new(
                            Code::RegionCondition,
                            format!(
                                "the transitions of `{}` disagree on what region `{}` must be in",
                                t.event,
                                w.region_name(region)
                            ),
                        )
                        .at(t.span.clone(), "no condition on it here")
                        .with_context(first.span.clone(), format!("`{}` here", first.written.join("`, `")))
                        .with_help("a condition belongs to the event, as its method's bound does: write the same `when` on each of its transitions, or name the events apart"),
                    );
                    keep[id.0] = false;
                }
            }
        }
    }
    let proved_over_configurations = |p: &&crate::model::Property| {
        !matches!(
            p.claim,
            crate::model::Claim::NeverTogether { .. }
                | crate::model::Claim::NeverPermits { .. }
                | crate::model::Claim::AlwaysPermits { .. }
                | crate::model::Claim::NeverLeaves { .. }
                | crate::model::Claim::LeftOnlyBy { .. }
        )
    };
    if let Some(p) = w.properties.iter().find(proved_over_configurations) {
        diags.push(
            Diagnostic::new(
                Code::RegionUnsupported,
                format!(
                    "property `{}`: with regions, the checker proves `never_together`, `never_permits`, `always_permits`, `never_leaves` and `left_only_by` only, not this claim yet",
                    p.name
                ),
            )
            .at(p.span.clone(), "in a workflow with regions")
            .with_help("prove the promise on the process as a workflow of its own, where it holds for the region's states alone"),
        );
    }
    keep
}

/// Whether a configuration (one state per region) permits a capability:
/// every region that names it in some state's `permits` is in a state
/// that permits it; a region that never names it does not restrict it; a
/// capability no region names is not permitted (docs/regions.md). The runtime's
/// `turnstile::regions::permits` applies the same rule to names; a test of
/// the reference account proves the two agree on every reachable
/// configuration.
pub fn permits(w: &Workflow, config: &[StateId], capability: crate::model::CapabilityId) -> bool {
    let mut named = false;
    for (r, state) in config.iter().enumerate() {
        if names(w, r, capability) {
            named = true;
            if !w.state(*state).permits.contains(&capability) {
                return false;
            }
        }
    }
    named
}

/// Whether region `r` names `capability` in some state's `permits`: only
/// such a region restricts it ([`permits`]).
pub fn names(w: &Workflow, r: usize, capability: crate::model::CapabilityId) -> bool {
    w.regions[r]
        .leaves
        .iter()
        .any(|s| w.state(*s).permits.contains(&capability))
}

/// A step out of `states` that a reachable configuration takes: the
/// first one, in the order a breadth-first search meets the
/// configurations, for which `breaks` holds (given the transition that
/// moves the region out of `states`): the configuration it is taken in,
/// the transition, and the state it enters. `Err` past `limit`
/// configurations.
pub fn leaving(
    w: &Workflow,
    limit: usize,
    states: &[StateId],
    breaks: impl Fn(&crate::Transition) -> bool,
) -> Result<Option<(Vec<StateId>, crate::TransitionId, StateId)>, TooManyConfigurations> {
    let product = Product::new(w);
    for config in configurations(w, limit)? {
        for (next, fired) in product.successors(&config) {
            for t in fired {
                let Some(r) = w.region_of(w.transition(t).from[0]) else {
                    continue;
                };
                if states.contains(&config[r])
                    && !states.contains(&next[r])
                    && breaks(w.transition(t))
                {
                    return Ok(Some((config, t, next[r])));
                }
            }
        }
    }
    Ok(None)
}

/// The moves of a workflow with regions over configurations: for each
/// event, per leaf, the transition it takes from there; the regions it
/// moves; its conditions.
struct Product<'w> {
    w: &'w Workflow,
    /// Per leaf, the events (by index) that leave it.
    leaving: Vec<Vec<usize>>,
    moves: Vec<HashMap<StateId, crate::TransitionId>>,
    moved: Vec<Vec<usize>>,
    conditions: Vec<Vec<&'w Condition>>,
}

impl<'w> Product<'w> {
    fn new(w: &'w Workflow) -> Self {
        let outgoing = w.outgoing();
        let events = w.events();
        let index: HashMap<&str, usize> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.as_str(), i))
            .collect();
        let leaving = outgoing
            .iter()
            .map(|ts| {
                let mut es: Vec<usize> = ts
                    .iter()
                    .map(|t| index[w.transition(*t).event.as_str()])
                    .collect();
                es.sort_unstable();
                es.dedup();
                es
            })
            .collect();
        let moves = events
            .iter()
            .map(|e| {
                let mut m = HashMap::new();
                for id in &e.transitions {
                    for from in &w.transition(*id).from {
                        if outgoing[from.0].contains(id) {
                            m.insert(*from, *id);
                        }
                    }
                }
                m
            })
            .collect();
        Product {
            w,
            leaving,
            moves,
            moved: events.iter().map(|e| w.regions_moved(e)).collect(),
            conditions: events.iter().map(|e| w.conditions(e)).collect(),
        }
    }

    /// Each event that can fire in `config` (guards may hold, timers may
    /// be due): the next configuration and the transitions taken.
    fn successors(&self, config: &[StateId]) -> Vec<(Vec<StateId>, Vec<crate::TransitionId>)> {
        let mut out = Vec::new();
        // Only the events that leave one of the current states: an event
        // moves at least one region, from its current state.
        let mut candidates: Vec<usize> = config
            .iter()
            .flat_map(|s| self.leaving[s.0].iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        'events: for e in candidates {
            let event_moves = &self.moves[e];
            let mut next = config.to_vec();
            let mut fired = Vec::new();
            // A branch (in one region only) leads to each of its targets.
            let mut branch: Option<(usize, &[StateId])> = None;
            for r in &self.moved[e] {
                match event_moves.get(&config[*r]) {
                    Some(t) => {
                        let t_ = self.w.transition(*t);
                        next[*r] = t_.to[0];
                        if t_.is_branch() {
                            branch = Some((*r, &t_.to));
                        }
                        fired.push(*t);
                    }
                    None => continue 'events,
                }
            }
            if self.conditions[e]
                .iter()
                .all(|c| c.states.contains(&config[c.region]))
            {
                match branch {
                    Some((r, targets)) => {
                        for target in targets {
                            let mut next = next.clone();
                            next[r] = *target;
                            out.push((next, fired.clone()));
                        }
                    }
                    None => out.push((next, fired)),
                }
            }
        }
        out
    }

    /// Breadth first from the initial configuration, up to `limit`
    /// configurations: each reached one with the one it was reached from
    /// and the transitions of that step, and each step into one already
    /// reached (`new: false`); stops early at the first for which `stop`
    /// holds. `Err(())` past the limit.
    fn search(
        &self,
        limit: usize,
        stop: impl Fn(&[StateId]) -> bool,
    ) -> Result<(Vec<Node>, Option<usize>), ()> {
        // At most the product of the regions' sizes: beyond the limit, not
        // explored at all (three regions of 300 states have 27 million).
        let bound = self
            .w
            .regions
            .iter()
            .try_fold(1usize, |n, r| n.checked_mul(r.leaves.len()));
        if bound.is_none_or(|n| n > limit) {
            return Err(());
        }
        let start = self.w.initials();
        let mut index: HashMap<Vec<StateId>, usize> = HashMap::new();
        let mut nodes: Vec<Node> = Vec::new();
        index.insert(start.clone(), 0);
        let done = stop(&start);
        nodes.push(Node {
            config: start,
            via: None,
            new: true,
        });
        if done {
            return Ok((nodes, Some(0)));
        }
        let mut at = 0;
        while at < nodes.len() {
            let config = nodes[at].config.clone();
            for (next, fired) in self.successors(&config) {
                let new = !index.contains_key(&next);
                if new {
                    index.insert(next.clone(), nodes.len());
                }
                let done = new && stop(&next);
                nodes.push(Node {
                    config: next,
                    via: Some((at, fired)),
                    new,
                });
                if done {
                    let last = nodes.len() - 1;
                    return Ok((nodes, Some(last)));
                }
            }
            at += 1;
            while at < nodes.len() && !nodes[at].new {
                at += 1;
            }
        }
        Ok((nodes, None))
    }
}

/// A step of [`Product::search`]: the configuration reached, the one it
/// was reached from with the transitions taken, and whether it was first
/// reached here.
struct Node {
    config: Vec<StateId>,
    via: Option<(usize, Vec<crate::TransitionId>)>,
    new: bool,
}

/// The events and configurations from the start to `at`.
fn path(w: &Workflow, nodes: &[Node], mut at: usize) -> Vec<(String, Vec<StateId>)> {
    let mut steps = Vec::new();
    while let Some((parent, fired)) = &nodes[at].via {
        let event = fired
            .first()
            .map(|t| w.transition(*t).event.to_string())
            .unwrap_or_default();
        steps.push((event, nodes[at].config.clone()));
        at = *parent;
    }
    steps.reverse();
    steps
}

/// Every configuration the regions reach together from the initial one
/// (every guard may hold, every timer may fall due), in the order a
/// breadth-first search meets them: the initial configuration first.
pub fn configurations(
    w: &Workflow,
    limit: usize,
) -> Result<Vec<Vec<StateId>>, TooManyConfigurations> {
    let (nodes, _) = Product::new(w)
        .search(limit, |_| false)
        .map_err(|()| TooManyConfigurations(limit))?;
    Ok(nodes
        .into_iter()
        .filter(|n| n.new)
        .map(|n| n.config)
        .collect())
}

/// The configurations a workflow with regions can reach from its initial
/// one, exploring every event whose moved regions are in source states
/// and whose conditions hold (guards may hold, timers may fall due): the
/// over-approximation the checker needs to say that a state is never
/// entered or a transition never taken. `None` when the product of the
/// regions' sizes, which bounds the configurations, is more than `limit`
/// (it grows fast: three regions of 300 states have 27 million).
pub fn explore(w: &Workflow, limit: usize) -> Option<Explored> {
    if w.regions.is_empty() {
        return None;
    }
    let (nodes, _) = Product::new(w).search(limit, |_| false).ok()?;
    let mut entered = vec![false; w.states.len()];
    let mut taken = vec![false; w.transitions.len()];
    let mut configurations = 0;
    for node in &nodes {
        if node.new {
            configurations += 1;
            for s in &node.config {
                entered[s.0] = true;
            }
        }
        for t in node.via.iter().flat_map(|(_, fired)| fired) {
            taken[t.0] = true;
        }
    }
    Some(Explored {
        configurations,
        entered,
        taken,
    })
}

/// More configurations than the limit given to [`run_to`]: not explored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyConfigurations(pub usize);

impl std::fmt::Display for TooManyConfigurations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the regions have more than {} possible configurations (the product of their sizes)",
            self.0
        )
    }
}

impl std::error::Error for TooManyConfigurations {}

/// A run over configurations: the events, in order, each with the
/// configuration it leads to.
pub type Run = Vec<(String, Vec<StateId>)>;

/// The shortest run from the initial configuration to one where `bad`
/// holds; `Ok(None)` if no reachable configuration is bad.
pub fn run_to(
    w: &Workflow,
    limit: usize,
    bad: impl Fn(&[StateId]) -> bool,
) -> Result<Option<(Vec<StateId>, Run)>, TooManyConfigurations> {
    let (nodes, found) = Product::new(w)
        .search(limit, bad)
        .map_err(|()| TooManyConfigurations(limit))?;
    Ok(found.map(|at| (nodes[0].config.clone(), path(w, &nodes, at))))
}

/// A test plan over configurations: runs from the initial configuration
/// that together take every transition, from each of its states to each
/// of its targets, that some reachable configuration can take; each run
/// the shortest to a step not yet taken, then that step (as
/// [`crate::graph::Graph::covering_paths`] does for one machine). Each
/// run is one a machine can follow: the conditions hold at each step.
pub fn covering_runs(
    w: &Workflow,
    limit: usize,
) -> Result<(Vec<StateId>, Vec<Run>), TooManyConfigurations> {
    let (nodes, _) = Product::new(w)
        .search(limit, |_| false)
        .map_err(|()| TooManyConfigurations(limit))?;
    let keys = |at: usize| -> Vec<(crate::TransitionId, StateId, StateId)> {
        let Some((parent, fired)) = &nodes[at].via else {
            return Vec::new();
        };
        fired
            .iter()
            .filter_map(|t| {
                let r = w.region_of(w.transition(*t).from[0])?;
                Some((*t, nodes[*parent].config[r], nodes[at].config[r]))
            })
            .collect()
    };
    let mut covered: std::collections::HashSet<(crate::TransitionId, StateId, StateId)> =
        std::collections::HashSet::new();
    let mut plan = Vec::new();
    for at in 1..nodes.len() {
        if keys(at).iter().all(|k| covered.contains(k)) {
            continue;
        }
        // Every step of the run is taken by it.
        let mut step = at;
        loop {
            covered.extend(keys(step));
            match &nodes[step].via {
                Some((parent, _)) => step = *parent,
                None => break,
            }
        }
        plan.push(path(w, &nodes, at));
    }
    Ok((nodes[0].config.clone(), plan))
}

/// For each state, the shortest run from the initial configuration to a
/// configuration that has it (`None` where no reachable one does), in one
/// breadth-first search: what the explorer lights as "the shortest way
/// here" on a workflow with regions, each run one a machine can follow.
pub fn shortest_runs(
    w: &Workflow,
    limit: usize,
) -> Result<Vec<Option<Run>>, TooManyConfigurations> {
    let (nodes, _) = Product::new(w)
        .search(limit, |_| false)
        .map_err(|()| TooManyConfigurations(limit))?;
    let mut first: Vec<Option<usize>> = vec![None; w.states.len()];
    for (at, node) in nodes.iter().enumerate().filter(|(_, n)| n.new) {
        for s in &node.config {
            first[s.0].get_or_insert(at);
        }
    }
    Ok(first
        .into_iter()
        .map(|at| at.map(|at| path(w, &nodes, at)))
        .collect())
}

/// What [`explore`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explored {
    /// How many configurations are reachable.
    pub configurations: usize,
    /// Per state (by index): whether some reachable configuration has it.
    pub entered: Vec<bool>,
    /// Per transition (by index): whether some reachable configuration
    /// takes it.
    pub taken: Vec<bool>,
}

/// The most configurations the checker explores (see [`explore`]).
pub const EXPLORE_LIMIT: usize = 100_000;

/// T010 and T035 over configurations: a state no reachable configuration
/// has, a transition none takes, because of the `when` conditions (the
/// graph of each region alone reaches them).
pub(crate) fn check_configurations(
    w: &Workflow,
    per_region: &std::collections::HashSet<StateId>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(explored) = explore(w, EXPLORE_LIMIT) else {
        return;
    };
    for (i, state) in w.states.iter().enumerate() {
        if per_region.contains(&StateId(i)) && !explored.entered[i] {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableState,
                    format!(
                        "state `{}` is never entered: every way into it needs another region in a state it cannot be in then",
                        state.name
                    ),
                )
                .at(state.name.span(), "no reachable configuration has this state")
                .with_help("check the `when` of the transitions into it against what the other regions can be in at that point"),
            );
        }
    }
    for (i, t) in w.transitions.iter().enumerate() {
        let from_reached = t.from.iter().any(|s| explored.entered[s.0]);
        if from_reached && !explored.taken[i] {
            let why = if t.when.is_empty() {
                "a region it moves with is never in a source state at the same time".to_string()
            } else {
                "its `when`, or a region it moves with, never holds while it is in a source state"
                    .to_string()
            };
            diags.push(
                Diagnostic::new(
                    Code::DeadTransition,
                    format!("event `{}` can never be fired from {}", t.event, t.from.iter().map(|s| format!("`{}`", w.state(*s).name)).collect::<Vec<_>>().join(", ")),
                )
                .at(t.span.clone(), why)
                .with_help("a condition on another region asks for states that region is never in while this one waits: change the `when`, or the other region's transitions"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::explore;
    use crate::{load, SourceFile};

    fn account() -> crate::Workflow {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/ui/workflows/regions.toml"
        ))
        .expect("the fixture");
        load(&SourceFile::new("regions.toml", text)).expect("valid")
    }

    /// Exploring follows the conditions and the joint moves: the account
    /// reaches 10 of its 3 × 3 × 2 = 18 combinations: the services close
    /// only with no partner, and a partner is taken on only while they are
    /// active, so neither `associated` nor `frozen_until_budget` ever meets
    /// `closed` or `disabled` (8 combinations). Past a limit on the
    /// product of the regions' sizes, nothing is explored.
    #[test]
    fn the_checker_explores_the_configurations_the_conditions_allow() {
        let w = account();
        let explored = explore(&w, 1_000).expect("small");
        assert_eq!(explored.configurations, 10);
        assert!(
            explored.entered.iter().all(|e| *e),
            "every state is entered"
        );
        assert!(
            explored.taken.iter().all(|t| *t),
            "every transition is taken"
        );
        assert_eq!(explore(&w, 5), None, "more than the limit: not explored");
        assert_eq!(super::configurations(&w, 1_000).unwrap().len(), 10);
    }

    /// Each state's shortest run follows the conditions: `closed` is
    /// reached by closing at once, `frozen_until_budget` only by a run the
    /// machine can take (a partner while the services are active), and
    /// each run ends in a configuration that has the state.
    #[test]
    fn each_states_shortest_run_is_one_a_machine_can_follow() {
        let w = account();
        let runs = super::shortest_runs(&w, 1_000).unwrap();
        let named = |s: &str| w.state_named(s).unwrap().0;
        for (i, run) in runs.iter().enumerate() {
            let run = run.as_ref().expect("every state is reached");
            match run.last() {
                Some((_, config)) => assert!(config.iter().any(|s| s.0 == i)),
                None => assert!(w.initials().iter().any(|s| s.0 == i)),
            }
        }
        let closed = runs[named("closed")].as_ref().unwrap();
        assert_eq!(
            closed.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(),
            ["close"]
        );
        assert!(super::shortest_runs(&w, 5).is_err(), "more than the limit");
    }

    /// The diagnostics of the fixture with one more property, `p`, whose
    /// claim is `property`.
    fn with(property: &str) -> Vec<crate::Diagnostic> {
        let base = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/ui/workflows/regions.toml"
        ))
        .expect("the fixture");
        let text = format!("{base}\n[properties.p]\nsummary = \"a claim\"\n{property}\n");
        crate::check(&SourceFile::new("regions.toml", text)).diagnostics
    }

    /// `never_permits` and `always_permits` are proved over the reachable
    /// configurations by the rule across regions; a claim the checker does
    /// not prove over configurations yet is refused, not ignored.
    #[test]
    fn capabilities_are_proved_over_configurations() {
        // Restricted, nothing is bought, whatever the other regions say.
        let report = with("never_permits = \"buy\"\nin = \"restricted\"");
        assert!(report.is_empty(), "{report:?}");
        // But the services are not always usable while there is no
        // partner: a closed account has no partner and cannot use them.
        let broken = with("always_permits = \"use_services\"\nin = \"no_partner\"");
        let text = format!("{broken:?}");
        assert!(
            text.contains("configuration (closed, no_partner, in_good_standing) does not permit `use_services`: from (active, no_partner, in_good_standing), `close` → (closed, no_partner, in_good_standing)"),
            "{text}"
        );
        let refused = with("reachable = \"active\"\nfrom = \"closed\"");
        assert!(
            format!("{refused:?}").contains(
                "proves `never_together`, `never_permits`, `always_permits`, `never_leaves` and `left_only_by` only"
            ),
            "{refused:?}"
        );
    }

    /// `never_leaves` and `left_only_by` are proved over the moves that
    /// reachable configurations take: a final state is never left; a freeze
    /// that `budget_set` (which names no role) lifts is not left only by the
    /// partner, and the message says who and in which configuration.
    #[test]
    fn leaving_is_proved_over_configurations() {
        assert!(with("never_leaves = \"disabled\"").is_empty());
        let broken = format!("{:?}", with("never_leaves = \"restricted\""));
        assert!(
            broken.contains("leaves `restricted` for `in_good_standing`"),
            "{broken}"
        );
        let broken = format!(
            "{:?}",
            with("left_only_by = \"frozen_until_budget\"\nby = \"partner\"")
        );
        assert!(
            broken.contains("`budget_set` leaves `frozen_until_budget` for `associated`, by anyone, in the reachable configuration (active, frozen_until_budget, restricted)"),
            "{broken}"
        );
    }
}
