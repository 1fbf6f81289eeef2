//! Pass: nested states. A state named as another's `parent` is a
//! compound; the machine is always in a leaf. This pass links each state
//! to its parent, refuses a cycle of parents (T028), a compound without an
//! `initial` child or with one that is not its child, and `initial` on a
//! leaf (T029), `final` or `refusal` on a compound (T030); follows each
//! compound's `initial` down to the leaf it is entered by; and gives each
//! leaf what its ancestors permit. The semantics are in
//! docs/nested-states.md.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{CapabilityId, Compound, CompoundId, Name, State, StateId, Timer, Transition};
use crate::parse::{Located, RawDefinition};

/// A compound as the states pass found it: its raw index, name, summary
/// and own permits.
pub(crate) type RawCompound = (usize, Name, Option<String>, Vec<CapabilityId>);

/// Links the hierarchy: the compounds (with their entry leaves, or the
/// first leaf inside where their `initial` could not be followed, which is
/// then reported), the leaves inside each, and each compound's entry.
pub(crate) fn resolve(
    raw: &RawDefinition,
    states: &mut [State],
    compounds_raw: Vec<RawCompound>,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Compound>, Vec<Vec<StateId>>, Vec<Option<StateId>>) {
    let compound_of: HashMap<&str, CompoundId> = compounds_raw
        .iter()
        .enumerate()
        .map(|(i, c)| (raw.states[c.0].name.text.as_str(), CompoundId(i)))
        .collect();
    let leaf_names: Vec<String> = states.iter().map(|s| s.name.as_str().to_string()).collect();
    let leaf_of: HashMap<&str, StateId> = leaf_names
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), StateId(i)))
        .collect();
    // Each raw state's parent, as a compound (undeclared: T008).
    let parent_of = |index: usize, diags: &mut Vec<Diagnostic>| -> Option<CompoundId> {
        let parent = raw.states[index].parent.as_ref()?;
        match compound_of.get(parent.text.as_str()) {
            Some(c) => Some(*c),
            None => {
                if !raw.states.iter().any(|s| s.name.text == parent.text) {
                    let names = raw.states.iter().map(|s| s.name.text.as_str());
                    let d = Diagnostic::new(
                        Code::UndeclaredState,
                        format!(
                            "`parent` of state `{}`: `{}` is not a declared state",
                            raw.states[index].name.text, parent.text
                        ),
                    )
                    .at(parent.span.clone(), "no `[states.…]` table declares this");
                    diags.push(match crate::diagnostic::did_you_mean(&parent.text, names) {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None => d.with_help("name the compound state this one is inside"),
                    });
                }
                None
            }
        }
    };
    for (i, s) in raw.states.iter().enumerate() {
        if let Some(id) = leaf_of.get(s.name.text.as_str()) {
            states[id.0].parent = parent_of(i, diags);
            if let Some(initial) = &s.initial {
                diags.push(
                    Diagnostic::new(
                        Code::CompoundInitial,
                        format!(
                            "state `{}` has an `initial` child but no state names it as `parent`",
                            s.name.text
                        ),
                    )
                    .at(
                        initial.span.clone(),
                        "`initial` of a state with no children",
                    )
                    .with_help(format!(
                        "give its children `parent = \"{}\"`, or remove `initial`",
                        s.name.text
                    )),
                );
            }
        }
    }
    let mut parents: Vec<Option<CompoundId>> = compounds_raw
        .iter()
        .map(|c| parent_of(c.0, diags))
        .collect();
    let in_cycle = break_cycles(raw, &compounds_raw, &mut parents, diags);
    for c in &compounds_raw {
        for (key, span) in &raw.states[c.0].leaf_keys {
            diags.push(
                Diagnostic::new(
                    Code::CompoundKey,
                    format!("the compound state `{}` has `{key}`", c.1),
                )
                .at(span.clone(), "a key of a state a machine can be in")
                .with_help(format!(
                    "a machine is never in `{}` itself but in a state inside it: put `{key}` on those",
                    c.1
                )),
            );
        }
    }
    // The compounds each leaf is inside, innermost first, and the leaves
    // inside each compound, at any depth.
    let ancestors: Vec<Vec<CompoundId>> = states
        .iter()
        .map(|s| {
            let mut out = Vec::new();
            let mut at = s.parent;
            while let Some(c) = at {
                if out.contains(&c) {
                    break;
                }
                out.push(c);
                at = parents[c.0];
            }
            out
        })
        .collect();
    let mut leaves: Vec<Vec<StateId>> = vec![Vec::new(); compounds_raw.len()];
    for (leaf, above) in ancestors.iter().enumerate() {
        for c in above {
            leaves[c.0].push(StateId(leaf));
        }
    }
    // Each compound's `initial`: a child of its own, followed down.
    let initial_child: Vec<Option<Child>> = compounds_raw
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // A compound in a reported cycle is not checked further.
            if in_cycle.contains(&CompoundId(i)) {
                return None;
            }
            initial_of(
                raw,
                c,
                CompoundId(i),
                &compound_of,
                &leaf_of,
                states,
                &parents,
                diags,
            )
        })
        .collect();
    let entries: Vec<Option<StateId>> = (0..compounds_raw.len())
        .map(|i| {
            let mut at = initial_child[i]?;
            for _ in 0..=compounds_raw.len() {
                match at {
                    Child::Leaf(leaf) => return Some(leaf),
                    Child::Compound(c) => at = initial_child[c.0]?,
                }
            }
            None
        })
        .collect();
    // What each leaf's ancestors permit holds in it too.
    // Outermost first, then the leaf's own: what an account may do in the
    // whole of a condition, then what this state adds.
    for (state, above) in states.iter_mut().zip(&ancestors) {
        let mut permits: Vec<CapabilityId> = Vec::new();
        for c in above.iter().rev() {
            for cap in &compounds_raw[c.0].3 {
                if !permits.contains(cap) {
                    permits.push(*cap);
                }
            }
        }
        for cap in &state.permits {
            if !permits.contains(cap) {
                permits.push(*cap);
            }
        }
        state.permits = permits;
    }
    let compounds = compounds_raw
        .into_iter()
        .zip(&parents)
        .zip(&entries)
        .zip(&leaves)
        .map(
            |((((_, name, summary, permits), parent), entry), inside)| Compound {
                name,
                summary,
                parent: *parent,
                // A compound whose `initial` could not be followed (reported)
                // keeps its first leaf, so that nothing else fails after it.
                entry: entry.or(inside.first().copied()).unwrap_or(StateId(0)),
                permits,
            },
        )
        .collect();
    (compounds, leaves, entries)
}

/// A compound's child.
#[derive(Debug, Clone, Copy)]
enum Child {
    Leaf(StateId),
    Compound(CompoundId),
}

/// The compound's `initial`, if it names one of its children (T029
/// otherwise).
#[allow(clippy::too_many_arguments)]
fn initial_of(
    raw: &RawDefinition,
    c: &RawCompound,
    id: CompoundId,
    compound_of: &HashMap<&str, CompoundId>,
    leaf_of: &HashMap<&str, StateId>,
    states: &[State],
    parents: &[Option<CompoundId>],
    diags: &mut Vec<Diagnostic>,
) -> Option<Child> {
    let state = &raw.states[c.0];
    let children: Vec<&str> = raw
        .states
        .iter()
        .filter(|s| s.parent.as_ref().is_some_and(|p| p.text == state.name.text))
        .map(|s| s.name.text.as_str())
        .collect();
    let Some(initial) = &state.initial else {
        diags.push(
            Diagnostic::new(
                Code::CompoundInitial,
                format!("the compound state `{}` has no `initial` child", c.1),
            )
            .at(
                state.name.span.clone(),
                "a transition into it would not know where to go",
            )
            .with_help(format!(
                "add `initial = \"{}\"` (one of {})",
                children.first().copied().unwrap_or("…"),
                children
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
        return None;
    };
    let child = match (
        leaf_of.get(initial.text.as_str()),
        compound_of.get(initial.text.as_str()),
    ) {
        (Some(leaf), _) if states[leaf.0].parent == Some(id) => Some(Child::Leaf(*leaf)),
        (_, Some(inner)) if parents[inner.0] == Some(id) => Some(Child::Compound(*inner)),
        _ => None,
    };
    if child.is_none() {
        diags.push(
            Diagnostic::new(
                Code::CompoundInitial,
                format!(
                    "`initial` of the compound state `{}`: `{}` is not one of its children",
                    c.1, initial.text
                ),
            )
            .at(initial.span.clone(), "not a child of this state")
            .with_help(format!(
                "name one of {}, or give `{}` `parent = \"{}\"`",
                children
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                initial.text,
                c.1
            )),
        );
    }
    child
}

/// T028 for each cycle of parents among the compounds, cut where it is
/// reported so that the rest of the checks terminate; the compounds of
/// every cycle.
fn break_cycles(
    raw: &RawDefinition,
    compounds_raw: &[RawCompound],
    parents: &mut [Option<CompoundId>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<CompoundId> {
    let mut members = Vec::new();
    for start in 0..parents.len() {
        let mut seen = vec![CompoundId(start)];
        let mut at = parents[start];
        while let Some(c) = at {
            if c == CompoundId(start) {
                let names: Vec<String> = seen
                    .iter()
                    .map(|s| format!("`{}`", compounds_raw[s.0].1))
                    .collect();
                let state = &raw.states[compounds_raw[start].0];
                let span = state
                    .parent
                    .as_ref()
                    .map_or(state.name.span.clone(), |p| p.span.clone());
                diags.push(
                    Diagnostic::new(
                        Code::ParentCycle,
                        format!(
                            "the states {} are each inside the next, and the last inside the first",
                            names.join(", ")
                        ),
                    )
                    .at(span, "this `parent` closes the cycle")
                    .with_help("a state cannot be inside itself: remove one `parent` of the cycle"),
                );
                parents[start] = None;
                members.extend(seen);
                break;
            }
            if seen.contains(&c) {
                break;
            }
            seen.push(c);
            at = parents[c.0];
        }
    }
    members
}

/// T031: a timer on a transition whose `from` names a compound state and
/// a state inside it: which entry the timer counts from is not said.
pub(crate) fn timer_of_two_levels(event: &str, timer: &Timer, again: &Located) -> Diagnostic {
    Diagnostic::new(
        Code::CompoundTimer,
        format!(
            "event `{event}` has a timer, and its `from` names `{}` inside a compound state it also names",
            again.text
        ),
    )
    .at(again.span.clone(), "already inside a state listed before it")
    .with_context(timer.span.clone(), "counts from entering which of the two?")
    .with_help(
        "a compound's timer counts from entering the compound, a state's from entering the \
         state: write two transitions, one from each, or list only one of them",
    )
}

/// The statechart rule when a leaf and an ancestor both handle an event:
/// the innermost wins. A transition written `from` a compound keeps only
/// the leaves inside it that no nearer declaration (the leaf itself, or a
/// compound between them) handles with the same event; one left with no
/// leaf is dropped.
pub(crate) fn innermost_wins(
    transitions: &mut Vec<Transition>,
    states: &[State],
    compounds: &[Compound],
) {
    // How far above `leaf` the transition's source is: 0 for the leaf
    // itself, 1 for its parent, and so on.
    let depth = |t: &Transition, leaf: StateId| -> usize {
        if t.from_compounds.is_empty() {
            return 0;
        }
        let mut at = states[leaf.0].parent;
        let mut d = 1;
        while let Some(c) = at {
            if t.from_compounds.contains(&c) {
                return d;
            }
            at = compounds[c.0].parent;
            d += 1;
        }
        // Listed directly as well as through a compound.
        0
    };
    let mut nearest: HashMap<(&str, StateId), usize> = HashMap::new();
    for t in transitions.iter() {
        for leaf in &t.from {
            let d = depth(t, *leaf);
            let entry = nearest.entry((t.event.as_str(), *leaf)).or_insert(d);
            *entry = (*entry).min(d);
        }
    }
    let keep: Vec<Vec<StateId>> = transitions
        .iter()
        .map(|t| {
            t.from
                .iter()
                .copied()
                .filter(|leaf| depth(t, *leaf) == nearest[&(t.event.as_str(), *leaf)])
                .collect()
        })
        .collect();
    for (t, from) in transitions.iter_mut().zip(keep) {
        t.from = from;
    }
    transitions.retain(|t| !t.from.is_empty());
}

#[cfg(test)]
mod tests {
    use crate::{load, SourceFile, StateId, Workflow};

    fn nested() -> Workflow {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/ui/workflows/nested.toml"
        ))
        .unwrap();
        load(&SourceFile::new("nested.toml", text)).expect("valid")
    }

    fn id(w: &Workflow, name: &str) -> StateId {
        w.state_named(name).unwrap()
    }

    #[test]
    fn the_machine_is_in_leaves_and_compounds_stand_for_them() {
        let w = nested();
        let leaves: Vec<&str> = w.states.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            leaves,
            [
                "good",
                "restricted",
                "frozen_plain",
                "frozen_review",
                "closed"
            ]
        );
        let compounds: Vec<&str> = w.compounds.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(compounds, ["limited", "frozen"]);
        // Entering `limited` enters its initial child; entering `frozen`
        // (inside `limited`) its own.
        assert_eq!(w.compounds[0].entry, id(&w, "restricted"));
        assert_eq!(w.compounds[1].entry, id(&w, "frozen_plain"));
        let freeze = w
            .transitions
            .iter()
            .find(|t| t.event.as_str() == "freeze")
            .unwrap();
        assert_eq!(freeze.to, [id(&w, "frozen_plain")]);
        assert_eq!(freeze.to_compounds.len(), 1);
        // Three levels: frozen_plain is inside frozen, inside limited.
        let ancestors: Vec<&str> = w
            .ancestors(id(&w, "frozen_plain"))
            .iter()
            .map(|c| w.compound(*c).name.as_str())
            .collect();
        assert_eq!(ancestors, ["frozen", "limited"]);
    }

    #[test]
    fn the_innermost_declaration_of_an_event_wins() {
        let w = nested();
        let lifts: Vec<(Vec<&str>, Vec<&str>)> = w
            .transitions
            .iter()
            .filter(|t| t.event.as_str() == "lift")
            .map(|t| {
                (
                    t.from.iter().map(|s| w.state(*s).name.as_str()).collect(),
                    t.to.iter().map(|s| w.state(*s).name.as_str()).collect(),
                )
            })
            .collect();
        // `lift` from `limited` reaches every leaf inside it but
        // `frozen_review`, which has its own.
        assert_eq!(
            lifts,
            [
                (vec!["restricted", "frozen_plain"], vec!["good"]),
                (vec!["frozen_review"], vec!["restricted"]),
            ]
        );
    }

    #[test]
    fn a_compounds_capability_holds_in_every_leaf_inside_it() {
        let w = nested();
        let log_in = w
            .capabilities
            .iter()
            .position(|c| c.name.as_str() == "log_in")
            .map(crate::CapabilityId)
            .unwrap();
        let permitting: Vec<&str> = w
            .states_permitting(log_in)
            .iter()
            .map(|s| w.state(*s).name.as_str())
            .collect();
        assert_eq!(
            permitting,
            ["good", "restricted", "frozen_plain", "frozen_review"]
        );
    }

    #[test]
    fn a_nested_definition_fingerprints_as_its_flattening() {
        // The same machine written flat, by the rules above.
        let flat = r#"
[workflow]
name = "limits"
initial = "good"
[capabilities.log_in]
[capabilities.buy]
[states.good]
permits = ["log_in", "buy"]
[states.restricted]
permits = "log_in"
[states.frozen_plain]
permits = "log_in"
[states.frozen_review]
permits = "log_in"
[states.closed]
final = true
[[transitions]]
event = "restrict"
from = "good"
to = "restricted"
[[transitions]]
event = "freeze"
from = ["good", "restricted"]
to = "frozen_plain"
[[transitions]]
event = "appeal"
from = "frozen_plain"
to = "frozen_review"
[[transitions]]
event = "lift"
from = ["restricted", "frozen_plain"]
to = "good"
[[transitions]]
event = "lift"
from = "frozen_review"
to = "restricted"
[[transitions]]
event = "close"
from = ["good", "restricted", "frozen_plain", "frozen_review"]
to = "closed"
"#;
        let flat = load(&SourceFile::new("flat.toml", flat)).expect("valid");
        assert_eq!(
            crate::fingerprint::fingerprint(&nested()),
            crate::fingerprint::fingerprint(&flat)
        );
    }
}
