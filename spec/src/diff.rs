//! What changes between two versions of a definition, and what each change
//! means for the instances stored under the old one.
//!
//! [`diff`] compares two validated models and lists every change, each at
//! its line in both files and in one of four classes ([`Class`]), from the
//! harmless to the one that needs a decision:
//!
//! - **compatible**: a stored instance loads and every run it could take
//!   before it can still take (a summary, a new state, a new optional
//!   event, a role or capability widened, a guard dropped);
//! - **changes behaviour**: it loads, but a step it could take before may
//!   now be refused or permit less (a guard added, a capability withdrawn);
//! - **changes pending work**: a timer added, removed, lengthened or
//!   shortened, which moves instances whose clock is already running (the
//!   change says how);
//! - **needs a mapping**: stored instances or their trails name something
//!   the new version lacks, or a step they wait on changes hands (a state
//!   or event removed or renamed, a transition removed, a payload type
//!   changed, a role narrowed, the initial state moved): a build reads
//!   them only as a previous version (`previous = …`), whose trails keep
//!   the names they were taken under, and the states [`Change::states`]
//!   names need a decision where their instances go ([`plan`]).
//!
//! A state or event missing from the new version is recognised as renamed
//! when one new name takes its place with the rest unchanged (its
//! transitions, and for a state its flags, capabilities and compound), or
//! when the caller says so ([`diff`]'s `renames`).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Transition, Workflow};
use crate::source::SourceFile;

/// How far a change reaches into stored instances, from the harmless to
/// the one that needs a decision. Ordered: the worst of a diff is its
/// maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A stored instance loads and can take every run it could before.
    Compatible,
    /// A stored instance loads, but a step it could take before may now
    /// be refused, or a state permits less.
    ChangesBehaviour,
    /// A timer changed: instances whose clock is already running fall due
    /// at another instant (or no longer, or now).
    ChangesPendingWork,
    /// Stored instances or their trails name what the new version lacks,
    /// or who may take a step they wait on changed: a migration must map
    /// them.
    NeedsMapping,
}

impl Class {
    /// Its name as the command line and JSON write it.
    pub fn key(self) -> &'static str {
        match self {
            Class::Compatible => "compatible",
            Class::ChangesBehaviour => "changes_behaviour",
            Class::ChangesPendingWork => "changes_pending_work",
            Class::NeedsMapping => "needs_mapping",
        }
    }

    /// Its name in words.
    pub fn words(self) -> &'static str {
        match self {
            Class::Compatible => "compatible",
            Class::ChangesBehaviour => "changes behaviour",
            Class::ChangesPendingWork => "changes pending work",
            Class::NeedsMapping => "needs a mapping",
        }
    }

    /// The exit status of `turnstile diff` when this is the worst class:
    /// 0, 3, 4 and 5 (1 and 2 are errors and misuse).
    pub fn exit_code(self) -> u8 {
        match self {
            Class::Compatible => 0,
            Class::ChangesBehaviour => 3,
            Class::ChangesPendingWork => 4,
            Class::NeedsMapping => 5,
        }
    }
}

/// One change between the two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How far it reaches into stored instances.
    pub class: Class,
    /// What kind of change, as a stable key (`state_renamed`,
    /// `timer_shortened`, …).
    pub kind: &'static str,
    /// The change, in words.
    pub what: String,
    /// What it means for instances stored under the old version.
    pub consequence: String,
    /// Its 1-based line in the old file, where it has one there.
    pub old_line: Option<usize>,
    /// Its 1-based line in the new file, where it has one there.
    pub new_line: Option<usize>,
    /// The old version's states whose stored instances it leaves needing
    /// a decision where they go: the state itself removed, or a way out of
    /// it removed or narrowed. Empty for a change that concerns trails or
    /// callers only (a trail keeps the names it was taken under).
    pub states: Vec<String>,
    /// For a rename (`state_renamed`, `event_renamed`): the old name and
    /// the new.
    pub rename: Option<(String, String)>,
}

/// A rename the caller states, `old` in the old version to `new` in the
/// new one, of a state or an event (whichever the old version names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The name in the old version.
    pub old: String,
    /// The name in the new version.
    pub new: String,
}

impl std::str::FromStr for Rename {
    type Err = String;

    /// `old=new`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once('=') {
            Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => Ok(Rename {
                old: old.trim().to_string(),
                new: new.trim().to_string(),
            }),
            _ => Err(format!(
                "`{text}` is not a rename: write OLD=NEW, a state or event of the old version and its name in the new one"
            )),
        }
    }
}

/// A state or event named by the caller's rename that the versions do not
/// have as it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRename {
    /// The rename as given.
    pub rename: Rename,
    /// Why it does not apply.
    pub why: String,
}

impl std::fmt::Display for BadRename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the rename `{}={}` does not apply: {}",
            self.rename.old, self.rename.new, self.why
        )
    }
}

/// One version: its model and its text (for lines).
struct Side<'a> {
    w: &'a Workflow,
    src: &'a SourceFile,
}

impl Side<'_> {
    fn line(&self, offset: usize) -> usize {
        self.src.line_col(offset).0
    }
    fn states(&self) -> BTreeSet<&str> {
        self.w.states.iter().map(|s| s.name.as_str()).collect()
    }
    fn events(&self) -> BTreeSet<&str> {
        self.w
            .transitions
            .iter()
            .map(|t| t.event.as_str())
            .collect()
    }
    fn state_line(&self, name: &str) -> Option<usize> {
        let id = self.w.state_named(name)?;
        Some(self.line(self.w.state(id).name.span().start))
    }
    /// Every (from, event, to) the version allows, with the transition.
    fn edges(&self) -> BTreeMap<(String, String, String), &Transition> {
        let mut edges = BTreeMap::new();
        for t in &self.w.transitions {
            for f in &t.from {
                for to in &t.to {
                    edges.insert(
                        (
                            self.w.state(*f).name.as_str().to_string(),
                            t.event.as_str().to_string(),
                            self.w.state(*to).name.as_str().to_string(),
                        ),
                        t,
                    );
                }
            }
        }
        edges
    }
    fn permits(&self, name: &str) -> BTreeSet<String> {
        self.w
            .state_named(name)
            .map(|id| {
                self.w
                    .state(id)
                    .permits
                    .iter()
                    .map(|c| self.w.capability(*c).name.as_str().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
    fn parent(&self, name: &str) -> Option<String> {
        let id = self.w.state_named(name)?;
        self.w
            .state(id)
            .parent
            .map(|c| self.w.compound(c).name.as_str().to_string())
    }
    fn is_final(&self, name: &str) -> bool {
        self.w
            .state_named(name)
            .is_some_and(|id| self.w.state(id).is_final)
    }
    fn guards(&self, t: &Transition) -> BTreeSet<String> {
        t.guards
            .iter()
            .map(|g| self.w.guard(*g).name.as_str().to_string())
            .collect()
    }
    fn roles(&self, t: &Transition) -> BTreeSet<String> {
        t.by.iter()
            .map(|r| self.w.role(*r).name.as_str().to_string())
            .collect()
    }
    /// What a transition is, but for its event's name and its states'
    /// names: for recognising a renamed event or state.
    fn shape(&self, t: &Transition) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}",
            self.guards(t),
            self.roles(t),
            t.payload.as_ref().map(|p| (&p.ty, p.sensitive)),
            t.timer.as_ref().map(|x| (x.after, x.automatic)),
            t.when.len()
        )
    }
}

/// What a build that reads the old version's stored instances must do
/// with each old state ([`plan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Every change, as [`diff`] lists them.
    pub changes: Vec<Change>,
    /// The old states whose instances carry on as they are, each with its
    /// name in the new version (itself, or its new name if renamed).
    pub carried: BTreeMap<String, String>,
    /// The old states whose instances need a decision where they go, each
    /// with the changes that call for it ([`Change::states`]), in words.
    pub decide: BTreeMap<String, Vec<String>>,
}

/// [`diff`], and what becomes of each old state: carried on (as itself or
/// renamed) or to be decided, the decisions being exactly the states the
/// changes name ([`Change::states`]).
pub fn plan(
    old: &Workflow,
    old_src: &SourceFile,
    new: &Workflow,
    new_src: &SourceFile,
    renames: &[Rename],
) -> Result<Plan, BadRename> {
    let changes = diff(old, old_src, new, new_src, renames)?;
    let renamed: BTreeMap<String, String> = changes
        .iter()
        .filter(|c| c.kind == "state_renamed")
        .filter_map(|c| c.rename.clone())
        .collect();
    let mut decide: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for change in &changes {
        for state in &change.states {
            decide
                .entry(state.clone())
                .or_default()
                .push(change.what.clone());
        }
    }
    let carried = old
        .states
        .iter()
        .map(|s| s.name.as_str())
        .filter(|s| !decide.contains_key(*s))
        .filter_map(|s| {
            let to = renamed.get(s).cloned().unwrap_or_else(|| s.to_string());
            new.state_named(&to).map(|_| (s.to_string(), to))
        })
        .collect();
    Ok(Plan {
        changes,
        carried,
        decide,
    })
}

/// Every change from `old` to `new` (each with the text it was read from,
/// for lines), worst first, then in the new file's order. `renames` are
/// the renames the caller states; others are recognised where one new
/// name takes an old one's place with the rest unchanged.
pub fn diff(
    old: &Workflow,
    old_src: &SourceFile,
    new: &Workflow,
    new_src: &SourceFile,
    renames: &[Rename],
) -> Result<Vec<Change>, BadRename> {
    let a = Side {
        w: old,
        src: old_src,
    };
    let b = Side {
        w: new,
        src: new_src,
    };
    let mut changes = Vec::new();
    let (old_states, new_states) = (a.states(), b.states());

    // The renames: stated, then recognised.
    let mut state_map: BTreeMap<String, String> = BTreeMap::new();
    let mut event_map: BTreeMap<String, String> = BTreeMap::new();
    let mut stated: BTreeSet<String> = BTreeSet::new();
    for r in renames {
        let bad = |why: String| BadRename {
            rename: r.clone(),
            why,
        };
        if old_states.contains(r.old.as_str()) {
            if !new_states.contains(r.new.as_str()) {
                return Err(bad(format!("the new version has no state `{}`", r.new)));
            }
            state_map.insert(r.old.clone(), r.new.clone());
        } else if a.events().contains(r.old.as_str()) {
            if !b.events().contains(r.new.as_str()) {
                return Err(bad(format!("the new version has no event `{}`", r.new)));
            }
            event_map.insert(r.old.clone(), r.new.clone());
        } else {
            return Err(bad(format!(
                "the old version has no state or event `{}`",
                r.old
            )));
        }
        stated.insert(r.old.clone());
    }
    recognise_state_renames(&a, &b, &mut state_map, &event_map);
    recognise_event_renames(&a, &b, &state_map, &mut event_map);
    let st = |name: &str| -> String { state_map.get(name).cloned().unwrap_or(name.to_string()) };
    let ev = |name: &str| -> String { event_map.get(name).cloned().unwrap_or(name.to_string()) };
    let how = |old: &str| {
        if stated.contains(old) {
            "as stated"
        } else {
            "recognised: the rest is unchanged"
        }
    };

    // The workflow as a whole.
    if old.summary != new.summary {
        changes.push(Change {
            class: Class::Compatible,
            kind: "summary_changed",
            what: "the workflow's summary changed".into(),
            consequence: "words only".into(),
            old_line: Some(a.line(old.name.span().start)),
            new_line: Some(b.line(new.name.span().start)),
            states: Vec::new(),
            rename: None,
        });
    }
    let old_regions: Vec<&str> = old
        .regions
        .iter()
        .map(|r| old.compound(r.compound).name.as_str())
        .collect();
    let new_regions: Vec<&str> = new
        .regions
        .iter()
        .map(|r| new.compound(r.compound).name.as_str())
        .collect();
    if old_regions != new_regions {
        changes.push(Change {
            class: Class::NeedsMapping,
            kind: "regions_changed",
            what: format!(
                "the regions changed from [{}] to [{}]",
                old_regions.join(", "),
                new_regions.join(", ")
            ),
            consequence: "a stored configuration holds one state per region: each needs a state in the new regions".into(),
            old_line: Some(a.line(old.name.span().start)),
            new_line: Some(b.line(new.name.span().start)),
            states: Vec::new(),
            rename: None,
        });
    }
    let old_initial = old.state(old.initial).name.as_str();
    let new_initial = new.state(new.initial).name.as_str();
    if st(old_initial) != new_initial {
        changes.push(Change {
            class: Class::NeedsMapping,
            kind: "initial_changed",
            what: format!("the initial state moved from `{old_initial}` to `{new_initial}`"),
            consequence: format!(
                "new instances start in `{new_initial}`; a stored trail replays from `{old_initial}` under the version it was taken in, so a build must read that version (`previous = …`) or map every stored instance"
            ),
            old_line: a.state_line(old_initial),
            new_line: b.state_line(new_initial),
            states: Vec::new(),
            rename: None,
        });
    }

    // States.
    for (o, n) in &state_map {
        changes.push(Change {
            class: Class::NeedsMapping,
            kind: "state_renamed",
            what: format!("state `{o}` renamed to `{n}` ({})", how(o)),
            consequence: format!(
                "stored instances in `{o}`, and trails through it, name the old state: the rename is their mapping"
            ),
            old_line: a.state_line(o),
            new_line: b.state_line(n),
            states: Vec::new(),
            rename: Some((o.clone(), n.clone())),
        });
    }
    let kept_states: BTreeSet<String> = old_states.iter().map(|s| st(s)).collect();
    for &s in &old_states {
        if !state_map.contains_key(s) && !new_states.contains(s) {
            changes.push(Change {
                class: Class::NeedsMapping,
                kind: "state_removed",
                what: format!("state `{s}` removed"),
                consequence: format!(
                    "stored instances in `{s}` need a state to go to (a method of `previous::Migrate`); trails through it replay under the version they were taken in"
                ),
                old_line: a.state_line(s),
                new_line: None,
                states: vec![s.to_string()],
                rename: None,
            });
        }
    }
    let new_edges = b.edges();
    let old_edges: BTreeMap<(String, String, String), &Transition> = a
        .edges()
        .into_iter()
        .map(|((f, e, t), tr)| ((st(&f), ev(&e), st(&t)), tr))
        .collect();
    let reachable = reachable_from(&new_edges, &kept_states);
    for &s in &new_states {
        if kept_states.contains(s) {
            continue;
        }
        let reachable = reachable.contains(s);
        changes.push(Change {
            class: Class::Compatible,
            kind: "state_added",
            what: format!("state `{s}` added"),
            consequence: if reachable {
                "no stored instance is in it; stored instances may reach it by the new transitions into it".into()
            } else {
                "no stored instance is in it, and none reaches it from an old state".into()
            },
            old_line: None,
            new_line: b.state_line(s),
            states: Vec::new(),
            rename: None,
        });
    }
    for &s in &old_states {
        let n = st(s);
        if !new_states.contains(n.as_str()) {
            continue;
        }
        let old_permits: BTreeSet<String> = a.permits(s);
        let new_permits: BTreeSet<String> = b.permits(&n);
        let lines = (a.state_line(s), b.state_line(&n));
        for c in old_permits.difference(&new_permits) {
            changes.push(Change {
                class: Class::ChangesBehaviour,
                kind: "capability_withdrawn",
                what: format!("`{n}` no longer permits `{c}`"),
                consequence: format!("stored instances in `{n}` may no longer `{c}`"),
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            });
        }
        for c in new_permits.difference(&old_permits) {
            changes.push(Change {
                class: Class::Compatible,
                kind: "capability_granted",
                what: format!("`{n}` now permits `{c}`"),
                consequence: format!("stored instances in `{n}` may also `{c}`"),
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            });
        }
        if a.parent(s).map(|p| st(&p)) != b.parent(&n) {
            changes.push(Change {
                class: Class::ChangesBehaviour,
                kind: "compound_changed",
                what: format!(
                    "`{n}` moved from {} to {}",
                    a.parent(s)
                        .map_or("the top level".into(), |p| format!("`{p}`")),
                    b.parent(&n)
                        .map_or("the top level".into(), |p| format!("`{p}`"))
                ),
                consequence:
                    "the compound's events, timers and capabilities apply to it as they now stand"
                        .into(),
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            });
        }
        if a.is_final(s) != b.is_final(&n) {
            changes.push(Change {
                class: Class::ChangesBehaviour,
                kind: "final_changed",
                what: format!(
                    "`{n}` {} final",
                    if b.is_final(&n) {
                        "is now"
                    } else {
                        "is no longer"
                    }
                ),
                consequence: format!(
                    "stored instances in `{n}` have ended or not as the new version says"
                ),
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            });
        }
        let old_summary = old
            .state_named(s)
            .and_then(|i| old.state(i).summary.clone());
        let new_summary = new
            .state_named(&n)
            .and_then(|i| new.state(i).summary.clone());
        if old_summary != new_summary {
            changes.push(Change {
                class: Class::Compatible,
                kind: "summary_changed",
                what: format!("the summary of `{n}` changed"),
                consequence: "words only".into(),
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            });
        }
    }

    // Events renamed.
    for (o, n) in &event_map {
        let old_t = old.transitions.iter().find(|t| t.event.as_str() == o);
        let new_t = new.transitions.iter().find(|t| t.event.as_str() == n);
        changes.push(Change {
            class: Class::NeedsMapping,
            kind: "event_renamed",
            what: format!("event `{o}` renamed to `{n}` ({})", how(o)),
            consequence: format!(
                "trails that took `{o}` name the old event: the rename is their mapping, and callers firing `{o}` by name must say `{n}`"
            ),
            old_line: old_t.map(|t| a.line(t.span.start)),
            new_line: new_t.map(|t| b.line(t.span.start)),
            states: Vec::new(),
            rename: Some((o.clone(), n.clone())),
        });
    }

    // Transitions: (from, event, to) removed and added, grouped by the
    // transition that declares them.
    // The old name of a state by its name in the new version.
    let old_name: BTreeMap<&str, &str> = state_map
        .iter()
        .map(|(o, n)| (n.as_str(), o.as_str()))
        .collect();
    let mut removed: BTreeMap<usize, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for ((f, e, t), tr) in &old_edges {
        if !new_edges.contains_key(&(f.clone(), e.clone(), t.clone())) {
            let entry = removed.entry(tr.span.start).or_default();
            entry.0.push(format!("`{f}` --{e}--> `{t}`"));
            entry
                .1
                .insert(old_name.get(f.as_str()).copied().unwrap_or(f).to_string());
        }
    }
    for (start, (list, froms)) in removed {
        changes.push(Change {
            class: Class::NeedsMapping,
            kind: "transition_removed",
            what: format!("{} removed", list.join(", ")),
            consequence: "stored trails that took it replay under the version they were taken in, but instances that wait on it lose a way out: say where they go".into(),
            old_line: Some(a.line(start)),
            new_line: None,
            states: froms.into_iter().collect(),
            rename: None,
        });
    }
    let mut added: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for ((f, e, t), tr) in &new_edges {
        if !old_edges.contains_key(&(f.clone(), e.clone(), t.clone())) {
            added
                .entry(tr.span.start)
                .or_default()
                .push(format!("`{f}` --{e}--> `{t}`"));
        }
    }
    for (start, list) in added {
        changes.push(Change {
            class: Class::Compatible,
            kind: "transition_added",
            what: format!("{} added", list.join(", ")),
            consequence: "a new optional step: every old run can still be taken".into(),
            old_line: None,
            new_line: Some(b.line(start)),
            states: Vec::new(),
            rename: None,
        });
    }

    // What changed on the transitions both versions have, once per pair of
    // declaring transitions.
    let mut pairs: BTreeMap<(usize, usize), (&Transition, &Transition, Vec<String>)> =
        BTreeMap::new();
    for (key, old_t) in &old_edges {
        if let Some(new_t) = new_edges.get(key) {
            pairs
                .entry((old_t.span.start, new_t.span.start))
                .or_insert((old_t, new_t, Vec::new()))
                .2
                .push(key.0.clone());
        }
    }
    for ((os, ns), (ot, nt, froms)) in pairs {
        let mut froms = froms;
        froms.sort();
        froms.dedup();
        let from = froms
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let event = nt.event.as_str();
        let lines = (Some(a.line(os)), Some(b.line(ns)));
        let before = changes.len();
        compare_transition(&a, &b, ot, nt, event, &from, lines, &mut changes);
        // Instances waiting in these states on someone who may no longer
        // act need a decision.
        for change in &mut changes[before..] {
            if change.kind == "role_narrowed" {
                change.states = froms
                    .iter()
                    .map(|f| old_name.get(f.as_str()).copied().unwrap_or(f).to_string())
                    .collect();
            }
        }
    }

    changes.sort_by(|x, y| {
        y.class
            .cmp(&x.class)
            .then(x.new_line.cmp(&y.new_line))
            .then(x.old_line.cmp(&y.old_line))
            .then(x.what.cmp(&y.what))
    });
    changes.dedup();
    Ok(changes)
}

/// What changed on one transition both versions have: its guards, roles,
/// payload, timer and conditions.
#[allow(clippy::too_many_arguments)]
fn compare_transition(
    a: &Side<'_>,
    b: &Side<'_>,
    ot: &Transition,
    nt: &Transition,
    event: &str,
    from: &str,
    lines: (Option<usize>, Option<usize>),
    changes: &mut Vec<Change>,
) {
    let mut push =
        |class, kind, what: String, consequence: String, lines: (Option<usize>, Option<usize>)| {
            changes.push(Change {
                class,
                kind,
                what,
                consequence,
                old_line: lines.0,
                new_line: lines.1,
                states: Vec::new(),
                rename: None,
            })
        };
    let (og, ng) = (a.guards(ot), b.guards(nt));
    for g in ng.difference(&og) {
        push(
            Class::ChangesBehaviour,
            "guard_added",
            format!("`{event}` from {from} now needs guard `{g}`"),
            format!("a stored instance may now be refused `{event}` where it was not"),
            lines,
        );
    }
    for g in og.difference(&ng) {
        push(
            Class::Compatible,
            "guard_removed",
            format!("`{event}` from {from} no longer needs guard `{g}`"),
            "every step allowed before still is".into(),
            lines,
        );
    }
    let (or, nr) = (a.roles(ot), b.roles(nt));
    // Roles taken away (a transition open to anyone narrowed is below).
    let narrowed: Vec<&String> = if nr.is_empty() || or.is_empty() {
        Vec::new()
    } else {
        or.difference(&nr).collect()
    };
    if !nr.is_empty() && or.is_empty() {
        push(
            Class::NeedsMapping,
            "role_narrowed",
            format!(
                "`{event}` from {from}, open to anyone, is now only for {}",
                listed(&nr)
            ),
            format!(
                "stored instances in {from} waiting on someone without those roles can no longer move by `{event}`: decide who acts for them"
            ),
            lines,
        );
    } else if !narrowed.is_empty() {
        let gone: BTreeSet<String> = narrowed.into_iter().cloned().collect();
        push(
            Class::NeedsMapping,
            "role_narrowed",
            format!("`{event}` from {from} is no longer for {}", listed(&gone)),
            format!(
                "stored instances in {from} waiting on {} can no longer move by `{event}`: decide who acts for them",
                listed(&gone)
            ),
            lines,
        );
    }
    if !or.is_empty() && (nr.is_empty() || nr.difference(&or).next().is_some()) {
        let who = if nr.is_empty() {
            "anyone".to_string()
        } else {
            listed(&nr.difference(&or).cloned().collect())
        };
        push(
            Class::Compatible,
            "role_widened",
            format!("`{event}` from {from} is now also for {who}"),
            "everyone who could take it before still can".into(),
            lines,
        );
    }
    match (&ot.payload, &nt.payload) {
        (Some(op), Some(np)) if op.ty != np.ty => push(
            Class::NeedsMapping,
            "payload_changed",
            format!("`{event}` now brings `{}` instead of `{}`", np.ty, op.ty),
            "stored steps keep the payloads of the old type they were taken with, and callers must send the new one".into(),
            (Some(a.line(op.span.start)), Some(b.line(np.span.start))),
        ),
        (Some(op), Some(np)) if op.sensitive != np.sensitive => push(
            Class::ChangesBehaviour,
            "payload_sensitivity_changed",
            format!(
                "`{event}`'s payload is {} sensitive",
                if np.sensitive { "now" } else { "no longer" }
            ),
            if np.sensitive {
                "new steps record its digest; stored steps keep the text they recorded".into()
            } else {
                "new steps record its text; stored steps keep their digests".into()
            },
            (Some(a.line(op.span.start)), Some(b.line(np.span.start))),
        ),
        (None, Some(np)) => push(
            Class::NeedsMapping,
            "payload_changed",
            format!("`{event}` now brings `{}`", np.ty),
            "callers must send it; stored steps keep having none".into(),
            (lines.0, Some(b.line(np.span.start))),
        ),
        (Some(op), None) => push(
            Class::NeedsMapping,
            "payload_changed",
            format!("`{event}` no longer brings `{}`", op.ty),
            "stored steps keep the payload they were taken with; callers must send none".into(),
            (Some(a.line(op.span.start)), lines.1),
        ),
        _ => {}
    }
    match (&ot.timer, &nt.timer) {
        (Some(o), Some(n)) if o.automatic != n.automatic => push(
            Class::ChangesPendingWork,
            "timer_changed",
            format!(
                "`{event}` from {from}: `{} = \"{}\"` became `{} = \"{}\"`",
                o.key(),
                o.text,
                n.key(),
                n.text
            ),
            if n.automatic {
                format!("instances in {from} since more than {} take `{event}` by themselves at once; the others when it falls due", n.text)
            } else {
                format!("instances in {from} no longer take `{event}` by themselves: someone fires it, not before {} after entering", n.text)
            },
            (Some(a.line(o.span.start)), Some(b.line(n.span.start))),
        ),
        (Some(o), Some(n)) if o.after > n.after => push(
            Class::ChangesPendingWork,
            "timer_shortened",
            format!("`{event}` from {from}: {} shortened from {} to {}", o.key(), o.text, n.text),
            if n.automatic {
                format!("instances in {from} since more than {} become due at once; the others fall due {} after entering it", n.text, n.text)
            } else {
                format!("instances in {from} may fire `{event}` from {} after entering it instead of {}", n.text, o.text)
            },
            (Some(a.line(o.span.start)), Some(b.line(n.span.start))),
        ),
        (Some(o), Some(n)) if o.after < n.after => push(
            Class::ChangesPendingWork,
            "timer_lengthened",
            format!("`{event}` from {from}: {} lengthened from {} to {}", o.key(), o.text, n.text),
            format!(
                "instances in {from} wait until {} after entering it instead of {}; steps already taken keep the version they were taken under",
                n.text, o.text
            ),
            (Some(a.line(o.span.start)), Some(b.line(n.span.start))),
        ),
        (None, Some(n)) => push(
            Class::ChangesPendingWork,
            "timer_added",
            format!("`{event}` from {from} now has `{} = \"{}\"`", n.key(), n.text),
            if n.automatic {
                format!("instances in {from} since more than {} take `{event}` by themselves at once; the others {} after entering", n.text, n.text)
            } else {
                format!("instances in {from} are refused `{event}` until {} after entering it; steps already taken keep the version they were taken under", n.text)
            },
            (lines.0, Some(b.line(n.span.start))),
        ),
        (Some(o), None) => push(
            Class::ChangesPendingWork,
            "timer_removed",
            format!("`{event}` from {from} lost its `{} = \"{}\"`", o.key(), o.text),
            if o.automatic {
                format!("instances in {from} no longer take `{event}` by themselves: someone must fire it")
            } else {
                format!("instances in {from} may fire `{event}` at once")
            },
            (Some(a.line(o.span.start)), lines.1),
        ),
        _ => {}
    }
    if ot.when.len() != nt.when.len()
        || ot
            .when
            .iter()
            .zip(&nt.when)
            .any(|(x, y)| x.written != y.written)
    {
        push(
            Class::ChangesBehaviour,
            "condition_changed",
            format!("the `when` of `{event}` from {from} changed"),
            format!("a stored configuration may now be refused `{event}`, or allowed it, where it was not"),
            lines,
        );
    }
    if ot.summary != nt.summary {
        push(
            Class::Compatible,
            "summary_changed",
            format!("the summary of `{event}` from {from} changed"),
            "words only".into(),
            lines,
        );
    }
}

fn listed(names: &BTreeSet<String>) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The states the new version reaches from `starts` by its transitions.
fn reachable_from(
    edges: &BTreeMap<(String, String, String), &Transition>,
    starts: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = starts.clone();
    let mut frontier: Vec<String> = starts.iter().cloned().collect();
    while let Some(s) = frontier.pop() {
        for (f, _, t) in edges.keys() {
            if *f == s && seen.insert(t.clone()) {
                frontier.push(t.clone());
            }
        }
    }
    seen
}

/// A state only the old version has, and one only the new version has,
/// are one renamed when the new one has the old one's flags, capabilities
/// and compound, and the same transitions in and out (by event and other
/// state, as mapped so far), and no other pair matches either of them.
fn recognise_state_renames(
    a: &Side<'_>,
    b: &Side<'_>,
    state_map: &mut BTreeMap<String, String>,
    event_map: &BTreeMap<String, String>,
) {
    let old_name = |s: &str| state_map.get(s).cloned().unwrap_or(s.to_string());
    let old_event = |e: &str| event_map.get(e).cloned().unwrap_or(e.to_string());
    let same = |s: &str| s.to_string();
    let (a_edges, b_edges) = (a.edges(), b.edges());
    // What a state is but for its name, in the new version's names. The
    // transitions' own attributes (guards, timers…) are left out: a
    // renamed state whose timer also changed is still the state, and the
    // timer's change is reported on its own.
    type Signature = (BTreeSet<String>, bool, BTreeSet<String>, Option<String>);
    let signature = |side: &Side<'_>,
                     edges: &BTreeMap<(String, String, String), &Transition>,
                     me: &str,
                     state: &dyn Fn(&str) -> String,
                     event: &dyn Fn(&str) -> String|
     -> Signature {
        let mut sig = BTreeSet::new();
        for (f, e, t) in edges.keys() {
            if f == me {
                let other = if t == me { "self".into() } else { state(t) };
                sig.insert(format!("out {} {other}", event(e)));
            }
            if t == me {
                let other = if f == me { "self".into() } else { state(f) };
                sig.insert(format!("in {} {other}", event(e)));
            }
        }
        let parent = side.parent(me).map(|p| state(&p));
        (sig, side.is_final(me), side.permits(me), parent)
    };
    let (gone, fresh) = only_in_each(a.states(), b.states(), state_map);
    let fresh: Vec<(String, Signature)> = fresh
        .into_iter()
        .map(|n| {
            let sig = signature(b, &b_edges, &n, &same, &same);
            (n, sig)
        })
        .collect();
    let mut matches = Vec::new();
    for o in gone {
        let sig = signature(a, &a_edges, &o, &old_name, &old_event);
        if sig.0.is_empty() {
            continue;
        }
        for (n, candidate) in &fresh {
            if *candidate == sig {
                matches.push((o.clone(), n.clone()));
            }
        }
    }
    keep_unique(matches, state_map);
}

/// An event only the old version has, and one only the new version has,
/// are one renamed when their transitions are the same (states as mapped,
/// guards, roles, payload, timer), and no other pair matches either.
fn recognise_event_renames(
    a: &Side<'_>,
    b: &Side<'_>,
    state_map: &BTreeMap<String, String>,
    event_map: &mut BTreeMap<String, String>,
) {
    let old_name = |s: &str| state_map.get(s).cloned().unwrap_or(s.to_string());
    let same = |s: &str| s.to_string();
    let (a_edges, b_edges) = (a.edges(), b.edges());
    let of = |side: &Side<'_>,
              edges: &BTreeMap<(String, String, String), &Transition>,
              event: &str,
              state: &dyn Fn(&str) -> String|
     -> BTreeSet<String> {
        edges
            .iter()
            .filter(|((_, e, _), _)| e == event)
            .map(|((f, _, t), tr)| format!("{} {} {}", state(f), state(t), side.shape(tr)))
            .collect()
    };
    let (gone, fresh) = only_in_each(a.events(), b.events(), event_map);
    let fresh: Vec<(String, BTreeSet<String>)> = fresh
        .into_iter()
        .map(|n| {
            let transitions = of(b, &b_edges, &n, &same);
            (n, transitions)
        })
        .collect();
    let mut matches = Vec::new();
    for o in gone {
        let transitions = of(a, &a_edges, &o, &old_name);
        for (n, candidate) in &fresh {
            if *candidate == transitions {
                matches.push((o.clone(), n.clone()));
            }
        }
    }
    keep_unique(matches, event_map);
}

/// The names only the old version has and those only the new one has,
/// leaving out those `map` already pairs.
fn only_in_each(
    old: BTreeSet<&str>,
    new: BTreeSet<&str>,
    map: &BTreeMap<String, String>,
) -> (Vec<String>, Vec<String>) {
    let taken: BTreeSet<&str> = map.values().map(String::as_str).collect();
    let gone = old
        .difference(&new)
        .filter(|s| !map.contains_key(**s))
        .map(|s| s.to_string())
        .collect();
    let fresh = new
        .difference(&old)
        .filter(|s| !taken.contains(**s))
        .map(|s| s.to_string())
        .collect();
    (gone, fresh)
}

/// Adds to `map` each pair of `matches` whose two names match nothing else.
fn keep_unique(matches: Vec<(String, String)>, map: &mut BTreeMap<String, String>) {
    for (o, n) in &matches {
        let unique = matches.iter().filter(|(x, _)| x == o).count() == 1
            && matches.iter().filter(|(_, y)| y == n).count() == 1;
        if unique {
            map.insert(o.clone(), n.clone());
        }
    }
}

/// The worst class of `changes`; compatible when there are none.
pub fn worst(changes: &[Change]) -> Class {
    changes
        .iter()
        .map(|c| c.class)
        .max()
        .unwrap_or(Class::Compatible)
}
