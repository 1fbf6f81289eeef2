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
        let unsupported = [
            (t.to.len() > 1, "a branch (`to` with several states)"),
            (!t.by.is_empty(), "`by` (roles)"),
            (t.payload.is_some(), "`payload`"),
            (
                t.timer.is_some() && !t.from_compounds.is_empty(),
                "a timer on a transition from a compound state",
            ),
        ];
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
    if let Some(p) = w.properties.first() {
        diags.push(
            Diagnostic::new(
                Code::RegionUnsupported,
                format!(
                    "property `{}`: the checker does not prove properties over regions yet",
                    p.name
                ),
            )
            .at(p.span.clone(), "in a workflow with regions")
            .with_help("prove the promise on the process as a workflow of its own, where it holds for the region's states alone"),
        );
    }
    keep
}
