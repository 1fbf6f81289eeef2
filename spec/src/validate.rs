//! Raw definition → validated [`Workflow`], collecting every problem.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::graph::Graph;
use crate::model::{
    Capability, CapabilityId, Compound, CompoundId, Guard, GuardId, Name, Payload, Role, RoleId,
    State, StateId, Timer, Transition, Workflow,
};
use crate::namespace::{self, Place, Taken, When};
use crate::parse::{Located, RawDeclared, RawDefinition, RawTransition};
use crate::source::Span;

/// Rust's strict, reserved and edition keywords: none can name a generated item.
pub const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Whether `text` is a snake_case identifier: lowercase ASCII letters and
/// digits in words joined by single underscores, starting with a letter.
pub fn is_snake_case(text: &str) -> bool {
    !text.is_empty()
        && text.split('_').all(|word| !word.is_empty())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What a name is used for, to phrase messages.
#[derive(Clone, Copy)]
enum Kind {
    Workflow,
    State,
    Event,
    Guard,
    Role,
    Capability,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Workflow => "workflow name",
            Kind::State => "state name",
            Kind::Event => "event name",
            Kind::Guard => "guard name",
            Kind::Role => "role name",
            Kind::Capability => "capability name",
        }
    }
    fn becomes(self) -> &'static str {
        match self {
            Kind::Workflow => "the generated module",
            Kind::State => "a generated type",
            Kind::Event => "a generated method",
            Kind::Guard => "a method you implement",
            Kind::Role => "a generated marker type in `role`",
            Kind::Capability => "a generated trait in `can`",
        }
    }
}

/// Checks `located` as a name for `role`; `None` (and a diagnostic) if it is unusable.
fn check_name(located: &Located, role: Kind, diags: &mut Vec<Diagnostic>) -> Option<Name> {
    let text = &located.text;
    if !is_snake_case(text) {
        let fixed = heck::ToSnakeCase::to_snake_case(text.as_str());
        let foreign: Vec<String> = text
            .chars()
            .filter(|c| !c.is_ascii())
            .map(|c| format!("`{c}` (U+{:04X})", c as u32))
            .collect();
        let help = if let Some(rest) = text.strip_prefix("r#") {
            format!(
                "raw identifiers are not accepted: names become Rust identifiers as written; \
                 choose a name that is not a keyword, e.g. `{rest}_kind`"
            )
        } else if !foreign.is_empty() {
            format!(
                "names are ASCII only; this one has {} (a letter that looks like an ASCII one still is not)",
                foreign.join(", ")
            )
        } else if is_snake_case(&fixed) && !RUST_KEYWORDS.contains(&fixed.as_str()) {
            format!("write it in snake_case: `{fixed}`")
        } else {
            "use lowercase ASCII letters and digits in words joined by single underscores, starting with a letter".to_string()
        };
        diags.push(
            Diagnostic::new(
                Code::InvalidName,
                format!("{} `{text}` is not a snake_case identifier", role.noun()),
            )
            .at(
                located.span.clone(),
                format!("it becomes {}", role.becomes()),
            )
            .with_help(help),
        );
        return None;
    }
    if RUST_KEYWORDS.contains(&text.as_str()) {
        diags.push(
            Diagnostic::new(
                Code::ReservedName,
                format!("{} `{text}` is a Rust keyword", role.noun()),
            )
            .at(
                located.span.clone(),
                format!("it becomes {}", role.becomes()),
            )
            .with_help(format!("choose another name, e.g. `{text}_step`")),
        );
        return None;
    }
    let place = match role {
        Kind::Event => Some(Place::Event),
        Kind::Workflow => Some(Place::Workflow),
        Kind::Role => Some(Place::Role),
        Kind::State | Kind::Guard | Kind::Capability => None,
    };
    if let Some(taken) = place
        .and_then(|place| namespace::taken(place, text))
        .filter(|t| t.when == When::Always)
    {
        diags.push(taken_diagnostic(taken, role, located.span.clone()));
        return None;
    }
    Some(Name::new(text.clone(), located.span.clone()))
}

/// T006 for a name the generated code holds (see [`crate::namespace`]).
fn taken_diagnostic(taken: &Taken, role: Kind, span: Span) -> Diagnostic {
    let others: Vec<String> = namespace::TAKEN
        .iter()
        .filter(|t| t.place == taken.place && t.when == taken.when)
        .map(|t| format!("`{}`", t.name))
        .collect();
    let help = match (taken.when, others.len()) {
        (When::Always, n) if n > 1 => {
            format!("choose another name; {} are taken", others.join(", "))
        }
        _ => format!("choose another name, e.g. `{}_step`", taken.name),
    };
    Diagnostic::new(
        Code::ReservedName,
        format!(
            "{} `{}` clashes with {}",
            role.noun(),
            taken.name,
            taken.item
        ),
    )
    .at(span, taken.why)
    .with_help(help)
}

/// The taken event names that depend on the whole definition: `entered_at`
/// in a workflow with timers, and the names taken for an event allowed
/// from one state or from several. Reported at the event's first use; its
/// transitions are returned to be dropped.
fn check_taken_events(
    transitions: &[Transition],
    regions: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let timed = transitions.iter().any(|t| t.timer.is_some());
    let mut sources: HashMap<&str, (HashSet<StateId>, &Name, bool)> = HashMap::new();
    let mut order = Vec::new();
    for t in transitions {
        let entry = sources.entry(t.event.as_str()).or_insert_with(|| {
            order.push(t.event.as_str());
            (HashSet::new(), &t.event, false)
        });
        entry.0.extend(t.from.iter().copied());
        entry.2 |= !t.by.is_empty();
    }
    let mut dropped = Vec::new();
    for event in order {
        let (from, name, restricted) = &sources[event];
        let Some(taken) = namespace::taken(Place::Event, event) else {
            continue;
        };
        let clashes = match taken.when {
            When::Always => false,
            When::Timed => timed,
            // With regions, every event has a module in `event` (which
            // `diagnostic` would hide the attributes from), and no trait
            // named `Allows`.
            When::Marker => from.len() == 1 || *restricted || regions,
            When::SeveralSources => from.len() > 1 && !regions,
            When::Regions => regions,
        };
        if clashes {
            diags.push(taken_diagnostic(taken, Kind::Event, name.span()));
            dropped.push(event.to_string());
        }
    }
    dropped
}

/// Whether `text` is a Rust type path: identifiers joined by `::`, the
/// first may be `crate`, `super` or `self`; no generics.
pub fn is_type_path(text: &str) -> bool {
    let segments: Vec<&str> = text.split("::").collect();
    segments.iter().enumerate().all(|(i, seg)| {
        let ident = !seg.is_empty()
            && seg.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && *seg != "_";
        let keyword = RUST_KEYWORDS.contains(seg);
        ident
            && (!keyword
                || (i == 0 && matches!(*seg, "crate" | "super" | "self") && segments.len() > 1))
    })
}

/// A transition's `payload` and `sensitive` (T025 when unusable).
fn check_payload(
    t: &crate::parse::RawTransition,
    timer: Option<&Timer>,
    event: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Payload>, ()> {
    let Some(ty) = &t.payload else {
        if let Some((_, span)) = &t.sensitive {
            diags.push(
                Diagnostic::new(
                    Code::Payload,
                    format!("event `{event}` is `sensitive` but brings no payload"),
                )
                .at(span.clone(), "only a payload can be sensitive")
                .with_help("add `payload = \"TypeName\"`, or remove `sensitive`"),
            );
            return Err(());
        }
        return Ok(None);
    };
    if !is_type_path(ty.text.trim()) {
        diags.push(
            Diagnostic::new(
                Code::Payload,
                format!(
                    "the payload of event `{event}` is not a type path: `{}`",
                    ty.text
                ),
            )
            .at(ty.span.clone(), "not a Rust type path")
            .with_help(
                "name a type of your crate, relative to the module of the data type \
                 (`TicketMaterials`, `tickets::Materials` or `crate::tickets::Materials`); \
                 wrap generic types in a type of your own",
            ),
        );
        return Err(());
    }
    if let Some(timer) = timer.filter(|timer| timer.automatic) {
        diags.push(
            Diagnostic::new(
                Code::Payload,
                format!("the automatic transition `{event}` brings a payload"),
            )
            .at(ty.span.clone(), "a payload on an automatic transition")
            .with_context(timer.span.clone(), "the system takes it once due")
            .with_help(
                "the system takes an automatic transition and brings nothing: remove `payload`, \
                 or make it `not_before` so that an actor brings it once due",
            ),
        );
        return Err(());
    }
    Ok(Some(Payload {
        ty: ty.text.trim().to_string(),
        sensitive: t.sensitive.as_ref().is_some_and(|(b, _)| *b),
        span: ty.span.clone(),
    }))
}

/// An event's method takes its payload in every state, and a guard reads
/// the payload of the transitions it is on: the transitions of an event,
/// and those of a guard, must bring the same payload (T025). Returns the
/// events to drop.
fn check_payloads_agree(
    transitions: &[Transition],
    guards: &[Guard],
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let key = |t: &Transition| t.payload.as_ref().map(|p| (p.ty.clone(), p.sensitive));
    let describe = |t: &Transition| match &t.payload {
        Some(p) if p.sensitive => format!("brings `{}` (sensitive)", p.ty),
        Some(p) => format!("brings `{}`", p.ty),
        None => "brings no payload".to_string(),
    };
    let mut dropped: Vec<String> = Vec::new();
    let mut first: HashMap<&str, &Transition> = HashMap::new();
    for t in transitions {
        let event = t.event.as_str();
        match first.get(event) {
            None => {
                first.insert(event, t);
            }
            Some(other) if key(other) != key(t) && !dropped.iter().any(|d| d == event) => {
                diags.push(
                    Diagnostic::new(
                        Code::Payload,
                        format!("the transitions of event `{event}` bring different payloads"),
                    )
                    .at(t.span.clone(), describe(t))
                    .with_context(other.span.clone(), describe(other))
                    .with_help(
                        "an event's method takes its payload in every state: give every transition \
                         of the event the same `payload` (and `sensitive`), or give the events \
                         different names",
                    ),
                );
                dropped.push(event.to_string());
            }
            Some(_) => {}
        }
    }
    let mut by_guard: HashMap<usize, &Transition> = HashMap::new();
    for t in transitions {
        for g in &t.guards {
            match by_guard.get(&g.0) {
                None => {
                    by_guard.insert(g.0, t);
                }
                Some(other)
                    if key(other).map(|k| k.0) != key(t).map(|k| k.0)
                        && !dropped.iter().any(|d| d == t.event.as_str()) =>
                {
                    let guard = &guards[g.0].name;
                    diags.push(
                        Diagnostic::new(
                            Code::Payload,
                            format!(
                                "guard `{guard}` is on transitions that bring different payloads"
                            ),
                        )
                        .at(t.span.clone(), describe(t))
                        .with_context(other.span.clone(), describe(other))
                        .with_help(
                            "a guard reads the payload of the transitions it is on, so they must \
                             bring the same type (or none): declare a guard for each",
                        ),
                    );
                    dropped.push(t.event.as_str().to_string());
                }
                Some(_) => {}
            }
        }
    }
    dropped
}

/// An event's method takes the actor's evidence of a role when its
/// transitions name roles in `by`: all of them must, or none (T024).
/// Returns the events to drop.
fn check_partly_restricted(transitions: &[Transition], diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut first: HashMap<&str, &Transition> = HashMap::new();
    let mut dropped: Vec<String> = Vec::new();
    for t in transitions {
        let event = t.event.as_str();
        let Some(other) = first.get(event) else {
            first.insert(event, t);
            continue;
        };
        if other.by.is_empty() == t.by.is_empty() || dropped.iter().any(|d| d == event) {
            continue;
        }
        let (open, restricted) = if t.by.is_empty() {
            (t, *other)
        } else {
            (*other, t)
        };
        diags.push(
            Diagnostic::new(
                Code::PartlyRestrictedEvent,
                format!(
                    "event `{event}` names roles in `by` on some transitions but not on others"
                ),
            )
            .at(open.span.clone(), "anyone may fire this one")
            .with_context(restricted.span.clone(), "this one names the roles that may")
            .with_help(
                "an event's method takes the actor's role, or does not, in every state: \
                 give this transition a `by` too (every role that may fire it here), \
                 or give the events different names",
            ),
        );
        dropped.push(event.to_string());
    }
    dropped
}

/// Reports names that generate the same PascalCase type (`a1` and `a_1`);
/// returns the names to drop (each later one of a colliding pair).
fn check_pascal_collisions<'a>(
    names: impl IntoIterator<Item = &'a Name>,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut seen: HashMap<&str, &Name> = HashMap::new();
    let mut dropped = Vec::new();
    for name in names {
        let pascal = name.pascal();
        match seen.get(&pascal) {
            Some(first) if first.as_str() != name.as_str() => {
                dropped.push(name.as_str().to_string());
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("{what}s `{first}` and `{name}` both generate the type `{pascal}`"),
                    )
                    .at(name.span(), format!("generates `{pascal}`"))
                    .with_context(first.span(), format!("also generates `{pascal}`"))
                    .with_help(format!("rename one of the two {what}s")),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(pascal, name);
            }
        }
    }
    dropped
}

/// The declared roles or capabilities whose names are usable, and the
/// index of each by name (PascalCase twins reported and dropped).
fn declared_names(
    raw: &[RawDeclared],
    kind: Kind,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Name, Option<String>)> {
    let mut out: Vec<(Name, Option<String>)> = raw
        .iter()
        .filter_map(|d| check_name(&d.name, kind, diags).map(|n| (n, d.summary.clone())))
        .collect();
    let clashing = check_pascal_collisions(out.iter().map(|(n, _)| n), what, diags);
    out.retain(|(n, _)| !clashing.iter().any(|c| c == n.as_str()));
    out
}

/// T007: a list names `again` a second time (a state, guard, role or
/// capability: `what`).
fn listed_twice(message: String, again: &Located, what: &str) -> Diagnostic {
    Diagnostic::new(Code::DuplicateName, message)
        .at(again.span.clone(), "listed again here")
        .with_help(format!("remove the repeated {what}"))
}

/// Resolves a `by` or `permits` list against the declared names: each
/// undeclared name is T021 (with the closest declared one), each repeat
/// T007. `None` when anything was wrong, and `trouble` set.
fn resolve_list(
    list: &[Located],
    index: &HashMap<String, usize>,
    raw: &[RawDeclared],
    (key, what, table): (&str, &str, &str),
    trouble: &mut bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<usize>> {
    let mut out = Vec::with_capacity(list.len());
    let mut ok = true;
    let mut listed: HashSet<&str> = HashSet::with_capacity(list.len());
    for located in list {
        let name = located.text.as_str();
        if !listed.insert(name) {
            diags.push(listed_twice(
                format!("`{key}` lists the {what} `{name}` twice"),
                located,
                what,
            ));
            ok = false;
            continue;
        }
        if let Some(&i) = index.get(name) {
            out.push(i);
            continue;
        }
        ok = false;
        if raw.iter().any(|d| d.name.text == name) {
            // Declared, but its name was already reported as unusable.
            continue;
        }
        let help = match did_you_mean(name, raw.iter().map(|d| d.name.text.as_str())) {
            Some(best) => format!("did you mean `{best}`?"),
            None if raw.is_empty() => {
                format!("declare it with `[{table}.{name}]` and a summary of what it is")
            }
            None => format!(
                "declare it with `[{table}.{name}]`, or use one of the declared {table}: {}",
                raw.iter()
                    .map(|d| format!("`{}`", d.name.text))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        diags.push(
            Diagnostic::new(
                Code::UndeclaredRoleOrCapability,
                format!("`{key}`: `{name}` is not a declared {what}"),
            )
            .at(
                located.span.clone(),
                format!("no `[{table}.…]` table declares this"),
            )
            .with_help(help),
        );
    }
    *trouble |= !ok;
    ok.then_some(out)
}

/// T022 for each declared role or capability that nothing names (unless
/// a list that names them had a problem: that one is reported instead).
fn check_unused(
    names: &[(Name, Option<String>)],
    used: &HashSet<usize>,
    (what, key, by_whom): (&str, &str, &str),
    diags: &mut Vec<Diagnostic>,
) {
    for (i, (name, _)) in names.iter().enumerate() {
        if !used.contains(&i) {
            diags.push(
                Diagnostic::new(
                    Code::UnusedRoleOrCapability,
                    format!("{what} `{name}` is declared but no {by_whom} names it in `{key}`"),
                )
                .at(name.span(), "declared here")
                .with_help(format!(
                    "add it to a {by_whom}'s `{key}`, or remove the declaration"
                )),
            );
        }
    }
}

/// Declared names of one kind (roles, capabilities) and where each is in
/// the list, for resolving `by` and `permits`.
struct Declared<'r> {
    names: Vec<(Name, Option<String>)>,
    index: HashMap<String, usize>,
    raw: &'r [RawDeclared],
    used: HashSet<usize>,
}

impl<'r> Declared<'r> {
    /// Pass: the declarations of one kind, each name checked.
    fn of(raw: &'r [RawDeclared], kind: Kind, what: &str, diags: &mut Vec<Diagnostic>) -> Self {
        let names = declared_names(raw, kind, what, diags);
        let index = names
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.as_str().to_string(), i))
            .collect();
        Declared {
            names,
            index,
            raw,
            used: HashSet::new(),
        }
    }

    /// Resolves a `by` or `permits` list ([`resolve_list`]), noting what it
    /// used.
    fn resolve(
        &mut self,
        list: &[Located],
        words: (&str, &str, &str),
        trouble: &mut bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<usize>> {
        let ids = resolve_list(list, &self.index, self.raw, words, trouble, diags)?;
        self.used.extend(ids.iter().copied());
        Some(ids)
    }
}

/// The states as declared, for resolving the names that refer to them.
struct StateNames<'r> {
    /// Every declared name, usable or not, in order.
    declared: Vec<&'r str>,
    /// The usable leaves, by name.
    ids: HashMap<String, StateId>,
    /// The usable compound states, by name, and for each the leaves inside
    /// it and the leaf it is entered by (`None` where its `initial` could
    /// not be followed, already reported).
    compounds: HashMap<String, CompoundId>,
    leaves: Vec<Vec<StateId>>,
    entries: Vec<Option<StateId>>,
}

/// Which side of a transition a list of states is on: a compound in
/// `from` stands for its leaves, in `to` for its entry leaf.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    From,
    To,
}

/// A resolved `from` or `to` list: the leaves, and for each name written
/// the compound it was, if one.
struct Resolved {
    leaves: Vec<StateId>,
    compounds: Vec<Option<CompoundId>>,
    /// The first name written that stands for a state an earlier one in
    /// the list already holds (a compound and a state inside it).
    overlap: Option<Located>,
}

impl StateNames<'_> {
    /// `located` as a leaf, or T008 (with the closest declared state). A
    /// compound state is its entry leaf.
    fn resolve(
        &self,
        located: &Located,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<StateId> {
        if let Some(&c) = self.compounds.get(located.text.as_str()) {
            return self.entries[c.0];
        }
        if let Some(&id) = self.ids.get(located.text.as_str()) {
            return Some(id);
        }
        self.undeclared(located, what, diags);
        None
    }

    fn undeclared(&self, located: &Located, what: &str, diags: &mut Vec<Diagnostic>) {
        if self.declared.contains(&located.text.as_str()) || self.declared.is_empty() {
            // Declared, but its name was already reported as unusable; or no
            // state is declared at all, which is reported once, not per use.
            return;
        }
        let mut d = Diagnostic::new(
            Code::UndeclaredState,
            format!("{what}: `{}` is not a declared state", located.text),
        )
        .at(located.span.clone(), "no `[states.…]` table declares this");
        d = match did_you_mean(&located.text, self.declared.iter().copied()) {
            Some(best) => d.with_help(format!("did you mean `{best}`?")),
            None => d.with_help(format!(
                "declare it with `[states.{}]`, or use one of the declared states",
                located.text
            )),
        };
        diags.push(d);
    }

    /// A `from` or `to` list as leaves: T007 for a repeat, T008 for an
    /// undeclared one; `None` if the list is missing or anything was
    /// wrong. A compound in `from` is every leaf inside it; in `to`, the
    /// leaf it is entered by.
    fn resolve_list(
        &self,
        list: &Option<Vec<Located>>,
        side: Side,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Resolved> {
        let list = list.as_ref()?;
        let mut ok = true;
        let mut out = Resolved {
            leaves: Vec::new(),
            compounds: Vec::new(),
            overlap: None,
        };
        let mut listed: HashSet<&str> = HashSet::with_capacity(list.len());
        for located in list {
            if !listed.insert(located.text.as_str()) {
                diags.push(listed_twice(
                    format!("{what} lists the state `{}` twice", located.text),
                    located,
                    "state",
                ));
                ok = false;
                continue;
            }
            if let Some(&c) = self.compounds.get(located.text.as_str()) {
                match side {
                    Side::From => {
                        for leaf in &self.leaves[c.0] {
                            if !out.leaves.contains(leaf) {
                                out.leaves.push(*leaf);
                            } else if out.overlap.is_none() {
                                out.overlap = Some(located.clone());
                            }
                        }
                        out.compounds.push(Some(c));
                    }
                    Side::To => match self.entries[c.0] {
                        Some(entry) => {
                            out.leaves.push(entry);
                            out.compounds.push(Some(c));
                        }
                        None => ok = false,
                    },
                }
                continue;
            }
            match self.resolve(located, what, diags) {
                Some(id) => {
                    if !out.leaves.contains(&id) {
                        out.leaves.push(id);
                        out.compounds.push(None);
                    } else if out.overlap.is_none() {
                        out.overlap = Some(located.clone());
                    }
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// Pass: the states, their names and what they permit; which are
/// compound (named as another's `parent`) and what their nesting is
/// ([`nesting`]).
fn resolve_states<'r>(
    raw: &'r RawDefinition,
    capabilities: &mut Declared<'_>,
    permits_trouble: &mut bool,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<State>, Vec<Compound>, StateNames<'r>) {
    let compound_names: HashSet<&str> = raw
        .states
        .iter()
        .filter_map(|s| s.parent.as_ref())
        .map(|p| p.text.as_str())
        .filter(|p| raw.states.iter().any(|s| s.name.text == *p))
        .collect();
    let mut states = Vec::new();
    // (raw index, name, summary, permits) of each usable compound.
    let mut compounds_raw = Vec::new();
    for (i, s) in raw.states.iter().enumerate() {
        let permits = capabilities
            .resolve(
                &s.permits,
                ("permits", "capability", "capabilities"),
                permits_trouble,
                diags,
            )
            .unwrap_or_default();
        let Some(name) = check_name(&s.name, Kind::State, diags) else {
            continue;
        };
        let permits: Vec<CapabilityId> = permits.into_iter().map(CapabilityId).collect();
        if compound_names.contains(s.name.text.as_str()) {
            compounds_raw.push((i, name, s.summary.clone(), permits));
        } else {
            states.push(State {
                name,
                summary: s.summary.clone(),
                is_final: s.is_final,
                refusal: s.refusal,
                permits,
                parent: None,
            });
        }
    }
    if !*permits_trouble {
        check_unused(
            &capabilities.names,
            &capabilities.used,
            ("capability", "permits", "state"),
            diags,
        );
    }
    let clashing = check_pascal_collisions(
        states
            .iter()
            .map(|s| &s.name)
            .chain(compounds_raw.iter().map(|c| &c.1)),
        "state",
        diags,
    );
    states.retain(|s| !clashing.iter().any(|c| c == s.name.as_str()));
    compounds_raw.retain(|c| !clashing.iter().any(|x| x == c.1.as_str()));
    let (compounds, leaves, entries) =
        crate::nesting::resolve(raw, &mut states, compounds_raw, diags);
    let names = StateNames {
        declared: raw.states.iter().map(|s| s.name.text.as_str()).collect(),
        ids: states
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str().to_string(), StateId(i)))
            .collect(),
        compounds: compounds
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str().to_string(), CompoundId(i)))
            .collect(),
        leaves,
        entries,
    };
    (states, compounds, names)
}

/// The guards: declared ones first, then each undeclared one at its first
/// use (later uses share it), with which are declared and which used.
struct Guards {
    guards: Vec<Guard>,
    declared: Vec<bool>,
    used: Vec<bool>,
    index: HashMap<String, usize>,
}

impl Guards {
    /// Pass: the declared guards, each name checked.
    fn declared(raw: &[RawDeclared], diags: &mut Vec<Diagnostic>) -> Self {
        let mut guards = Vec::new();
        for g in raw {
            if let Some(name) = check_name(&g.name, Kind::Guard, diags) {
                guards.push(Guard {
                    name,
                    summary: g.summary.clone(),
                });
            }
        }
        let index = guards
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.as_str().to_string(), i))
            .collect();
        Guards {
            declared: vec![true; guards.len()],
            used: vec![false; guards.len()],
            guards,
            index,
        }
    }

    /// A transition's `guard` list: T007 for a repeat; an undeclared guard
    /// is declared by its first use. `None` if anything was wrong.
    fn resolve(&mut self, list: &[Located], diags: &mut Vec<Diagnostic>) -> Option<Vec<GuardId>> {
        let mut ok = true;
        let mut ids = Vec::new();
        let mut listed: HashSet<&str> = HashSet::with_capacity(list.len());
        for g in list {
            if !listed.insert(g.text.as_str()) {
                diags.push(listed_twice(
                    format!("`guard` lists `{}` twice", g.text),
                    g,
                    "guard",
                ));
                ok = false;
                continue;
            }
            if let Some(&i) = self.index.get(g.text.as_str()) {
                self.used[i] = true;
                ids.push(GuardId(i));
            } else if let Some(name) = check_name(g, Kind::Guard, diags) {
                self.index
                    .insert(name.as_str().to_string(), self.guards.len());
                self.guards.push(Guard {
                    name,
                    summary: None,
                });
                self.declared.push(false);
                self.used.push(true);
                ids.push(GuardId(self.guards.len() - 1));
            } else {
                ok = false;
            }
        }
        ok.then_some(ids)
    }

    /// T009 for each declared guard no transition uses.
    fn check_unused(&self, raw: &RawDefinition, diags: &mut Vec<Diagnostic>) {
        for (i, g) in self.guards.iter().enumerate() {
            if !self.declared[i] || self.used[i] {
                continue;
            }
            let used_names = raw
                .transitions
                .iter()
                .flat_map(|t| t.guards.iter().map(|l| l.text.as_str()));
            diags.push(
                Diagnostic::new(
                    Code::UnusedGuard,
                    format!("guard `{}` is declared but no transition uses it", g.name),
                )
                .at(g.name.span(), "declared here")
                .with_help(match did_you_mean(g.name.as_str(), used_names) {
                    Some(best) => {
                        format!("a transition uses `{best}`: did you mean to declare that one?")
                    }
                    None => {
                        "add it to a transition's `guard`, or remove the declaration".to_string()
                    }
                }),
            );
        }
    }
}

/// What resolving a transition needs: the states, guards and roles.
struct Names<'a, 'r> {
    states: &'a StateNames<'r>,
    guards: &'a mut Guards,
    roles: &'a mut Declared<'r>,
    by_trouble: &'a mut bool,
    /// With regions: each leaf's region (for `when`). `Err(())` when the
    /// regions could not be read (already reported).
    leaf_region: Option<Result<&'a [usize], ()>>,
}

/// Pass, per transition: its names resolved and its keys checked, in the
/// order the diagnostics come (event, `from`, `to`, `guard`, timer, `by`,
/// the automatic transition's conflicts, `payload`). `None` if anything
/// was wrong (the transition is then left out; the rest still checks).
fn resolve_transition(
    t: &RawTransition,
    names: &mut Names<'_, '_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Transition> {
    let event = t
        .event
        .as_ref()
        .and_then(|e| check_name(e, Kind::Event, diags));
    let event_name = t.event.as_ref().map_or("?", |e| e.text.as_str());
    let from = names.states.resolve_list(
        &t.from,
        Side::From,
        &format!("`from` of event `{event_name}`"),
        diags,
    );
    let to = names.states.resolve_list(
        &t.to,
        Side::To,
        &format!("`to` of event `{event_name}`"),
        diags,
    );
    let guards = names.guards.resolve(&t.guards, diags);
    let timer = check_timers(&t.timers, event_name, diags);
    let mut by = Some(Vec::new());
    if let Some((list, by_span)) = &t.by {
        by = names
            .roles
            .resolve(list, ("by", "role", "roles"), names.by_trouble, diags)
            .map(|ids| ids.into_iter().map(RoleId).collect());
        let automatic = timer
            .as_ref()
            .ok()
            .and_then(|t| t.as_ref())
            .filter(|t| t.automatic);
        if let Some(timer) = automatic {
            diags.push(role_on_automatic(event_name, by_span, timer));
            by = None;
        }
    }
    let guard_conflict = match (&timer, t.guards.first()) {
        (Ok(Some(timer)), Some(first)) if timer.automatic => {
            diags.push(guard_on_automatic(event_name, first, timer));
            true
        }
        _ => false,
    };
    let payload = check_payload(
        t,
        timer.as_ref().ok().and_then(|t| t.as_ref()),
        event_name,
        diags,
    );
    let when = match (&t.when, names.leaf_region) {
        (None, _) => Some(Vec::new()),
        (Some((_, span)), None) => {
            diags.push(crate::regions::when_without_regions(event_name, span));
            None
        }
        (Some(_), Some(Err(()))) => None,
        (Some((list, span)), Some(Ok(leaf_region))) => {
            let what = format!("`when` of event `{event_name}`");
            let resolved: Option<Vec<(Located, Vec<StateId>)>> = list
                .iter()
                .map(|located| {
                    names
                        .states
                        .resolve_list(&Some(vec![located.clone()]), Side::From, &what, diags)
                        .map(|r| (located.clone(), r.leaves))
                })
                .collect();
            resolved.map(|when| crate::regions::conditions(&when, span, leaf_region))
        }
    };
    if guard_conflict {
        return None;
    }
    let (from, to) = (from?, to?);
    if let (Some(timer), Some(overlap)) =
        (timer.as_ref().ok().and_then(|t| t.as_ref()), &from.overlap)
    {
        diags.push(crate::nesting::timer_of_two_levels(
            event_name, timer, overlap,
        ));
        return None;
    }
    Some(Transition {
        event: event?,
        from: from.leaves,
        from_compounds: from.compounds.into_iter().flatten().collect(),
        to: to.leaves,
        to_compounds: to.compounds,
        guards: guards?,
        by: by?,
        payload: payload.ok()?,
        summary: t.summary.clone(),
        timer: timer.ok()?,
        when: when?,
        span: t.span.clone(),
    })
}

/// T023: roles on an automatic transition.
fn role_on_automatic(event: &str, by: &Span, timer: &Timer) -> Diagnostic {
    Diagnostic::new(
        Code::RoleOnAutomatic,
        format!("the automatic transition `{event}` names roles in `by`"),
    )
    .at(by.clone(), "roles on an automatic transition")
    .with_context(timer.span.clone(), "the system takes it once due")
    .with_help(
        "an automatic transition is taken by the system, never by an actor: \
         remove `by`, or make it `not_before` so that an actor in one of \
         these roles fires it once due",
    )
}

/// T020: a guard on an automatic transition.
fn guard_on_automatic(event: &str, first_guard: &Located, timer: &Timer) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingTimers,
        format!("the automatic transition `{event}` has a guard"),
    )
    .at(
        first_guard.span.clone(),
        "a guard on an automatic transition",
    )
    .with_context(timer.span.clone(), "happens by itself once due")
    .with_help(
        "an automatic transition happens once due and comes before every other \
         event of its state, so nobody could act on a refusal: remove the guard, \
         or make it `not_before` so that a person fires it",
    )
}

/// Pass over the events: two distinct names that generate the same item,
/// names that clash with generated ones, roles on only some transitions,
/// payloads that differ. Each drops the transitions of the events it
/// reports.
fn check_events(
    transitions: &mut Vec<Transition>,
    guards: &[Guard],
    regions: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let mut event_names: Vec<&Name> = Vec::new();
    let mut seen_events: HashSet<&str> = HashSet::new();
    for t in transitions.iter() {
        if seen_events.insert(t.event.as_str()) {
            event_names.push(&t.event);
        }
    }
    let clashing = check_pascal_collisions(event_names.iter().copied(), "event", diags);
    transitions.retain(|t| !clashing.iter().any(|c| c == t.event.as_str()));
    let taken = check_taken_events(transitions, regions, diags);
    transitions.retain(|t| !taken.iter().any(|c| c == t.event.as_str()));
    let partly = check_partly_restricted(transitions, diags);
    transitions.retain(|t| !partly.iter().any(|c| c == t.event.as_str()));
    let mixed = check_payloads_agree(transitions, guards, diags);
    transitions.retain(|t| !mixed.iter().any(|c| c == t.event.as_str()));
}

/// The raw definition → the model: the passes above in order (names,
/// states, guards, transitions, events, what is unused), then the checks
/// of the whole (transitions, the graph).
pub(crate) fn validate(raw: RawDefinition, diags: &mut Vec<Diagnostic>) -> Option<Workflow> {
    let header = raw.header.as_ref()?;
    let name = header
        .name
        .as_ref()
        .and_then(|n| check_name(n, Kind::Workflow, diags));
    let mut roles = Declared::of(&raw.roles, Kind::Role, "role", diags);
    let mut capabilities = Declared::of(&raw.capabilities, Kind::Capability, "capability", diags);
    let (mut by_trouble, mut permits_trouble) = raw.unreadable;
    let (states, compounds, state_names) =
        resolve_states(&raw, &mut capabilities, &mut permits_trouble, diags);
    let regions = crate::regions::resolve(header, &states, &compounds, diags);
    let initial = match &regions {
        Some(Ok((regions, _))) => regions.first().map(|r| r.initial),
        Some(Err(())) => None,
        None => header
            .initial
            .as_ref()
            .and_then(|i| state_names.resolve(i, "initial state", diags)),
    };
    let mut guards = Guards::declared(&raw.guards, diags);
    let mut transitions = Vec::new();
    {
        let mut names = Names {
            states: &state_names,
            guards: &mut guards,
            roles: &mut roles,
            by_trouble: &mut by_trouble,
            leaf_region: regions
                .as_ref()
                .map(|r| r.as_ref().map(|(_, lr)| lr.as_slice()).map_err(|_| ())),
        };
        for t in &raw.transitions {
            transitions.extend(resolve_transition(t, &mut names, diags));
        }
    }
    crate::nesting::innermost_wins(&mut transitions, &states, &compounds);
    check_events(&mut transitions, &guards.guards, regions.is_some(), diags);
    if !by_trouble {
        check_unused(
            &roles.names,
            &roles.used,
            ("role", "by", "transition"),
            diags,
        );
    }
    guards.check_unused(&raw, diags);

    // With a name or reference unusable, the parts that used it were dropped:
    // the rest still generates code (so the user sees the real error, not a
    // cascade), but graph checks would only report follow-ons of the drop.
    let structural_errors = diags.iter().any(|d| d.code != Code::UnknownKey);
    let (Some(name), Some(initial)) = (name, initial) else {
        return None;
    };
    let mut workflow = Workflow {
        name,
        summary: header.summary.clone(),
        initial,
        states,
        compounds,
        guards: guards.guards,
        roles: roles
            .names
            .into_iter()
            .map(|(name, summary)| Role { name, summary })
            .collect(),
        capabilities: capabilities
            .names
            .into_iter()
            .map(|(name, summary)| Capability { name, summary })
            .collect(),
        transitions,
        properties: Vec::new(),
        regions: regions
            .and_then(Result::ok)
            .map(|(r, _)| r)
            .unwrap_or_default(),
    };
    workflow.properties = crate::properties::resolve(&raw.properties, &workflow, diags);
    let keep: Vec<bool> = check_transitions(&workflow, diags)
        .into_iter()
        .zip(crate::regions::check_transitions(&workflow, diags))
        .map(|(a, b)| a && b)
        .collect();
    // Graph checks see every declared transition, so that dropping one below
    // cannot make its target look unreachable.
    if !structural_errors {
        check_graph(&workflow, diags);
    }
    let mut kept = keep.into_iter();
    workflow
        .transitions
        .retain(|_| kept.next().unwrap_or(false));
    Some(workflow)
}

/// Reads a transition's `after` / `not_before`: at most one, a duration
/// humantime can read (`24h`, `90d`, `1h 30m`), greater than zero.
fn check_timers(
    timers: &[(bool, Located)],
    event: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Option<Timer>, ()> {
    let key = |automatic: bool| if automatic { "after" } else { "not_before" };
    if let [(_, first), (_, second), ..] = timers {
        diags.push(
            Diagnostic::new(
                Code::ConflictingTimers,
                format!("event `{event}` has both `after` and `not_before`"),
            )
            .at(second.span.clone(), "second timer")
            .with_context(first.span.clone(), "first timer")
            .with_help(
                "keep one: `after` makes the transition happen by itself once due; \
                 `not_before` lets a person fire it once due",
            ),
        );
        return Err(());
    }
    let Some((automatic, located)) = timers.first() else {
        return Ok(None);
    };
    let key = key(*automatic);
    let text = located.text.trim();
    let example = format!("e.g. `{key} = \"24h\"`, `\"90d\"` or `\"1h 30m\"`");
    if text.starts_with('-') {
        diags.push(
            Diagnostic::new(
                Code::DurationNotPositive,
                format!("`{key}` of event `{event}` is negative: `{}`", located.text),
            )
            .at(located.span.clone(), "a negative duration")
            .with_help(format!(
                "a timer counts forward from entering the source state: give a positive duration, {example}"
            )),
        );
        return Err(());
    }
    match humantime::parse_duration(text) {
        Err(error) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidDuration,
                    format!(
                        "`{key}` of event `{event}` is not a duration: `{}`",
                        located.text
                    ),
                )
                .at(located.span.clone(), error.to_string())
                .with_help(format!(
                    "write a number and a unit (s, m, h, d, w; `min` and `ms` too), {example}"
                )),
            );
            Err(())
        }
        Ok(after) if after.is_zero() => {
            diags.push(
                Diagnostic::new(
                    Code::DurationNotPositive,
                    format!("`{key}` of event `{event}` is zero: `{}`", located.text),
                )
                .at(located.span.clone(), "a zero duration")
                .with_help(format!(
                    "a transition with no wait needs no timer: remove `{key}`, or give a positive duration, {example}"
                )),
            );
            Err(())
        }
        Ok(after) => Ok(Some(Timer {
            after,
            automatic: *automatic,
            text: text.to_string(),
            span: located.span.clone(),
        })),
    }
}

/// Rules on transitions that still leave a usable model: offending
/// transitions are reported, and marked `false` to be dropped so that
/// generated code stays coherent.
fn check_transitions(w: &Workflow, diags: &mut Vec<Diagnostic>) -> Vec<bool> {
    let mut keep = vec![true; w.transitions.len()];
    let mut seen: BTreeMap<(String, StateId), usize> = BTreeMap::new();
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for (i, t) in w.transitions.iter().enumerate() {
        for &from in &t.from {
            let state = w.state(from);
            if let (true, Some(timer)) = (state.is_final, &t.timer) {
                diags.push(
                    Diagnostic::new(
                        Code::TimerFromFinal,
                        format!(
                            "timer `{} = \"{}\"` of event `{}` would leave the final state `{}`",
                            timer.key(),
                            timer.text,
                            t.event,
                            state.name
                        ),
                    )
                    .at(timer.span.clone(), "this timer would run in a final state")
                    .with_context(state.name.span(), "declared `final = true` here")
                    .with_help(format!(
                        "a workflow ends in a final state and no timer runs there: remove `final = true` from `{}`, or start this transition elsewhere",
                        state.name
                    )),
                );
                keep[i] = false;
            } else if state.is_final {
                diags.push(
                    Diagnostic::new(
                        Code::TransitionFromFinal,
                        format!("event `{}` leaves the final state `{}`", t.event, state.name),
                    )
                    .at(t.span.clone(), "this transition starts in a final state")
                    .with_context(state.name.span(), "declared `final = true` here")
                    .with_help(format!(
                        "a workflow ends in a final state: remove `final = true` from `{}`, or start this transition elsewhere",
                        state.name
                    )),
                );
                keep[i] = false;
            }
            match seen.get(&(t.event.as_str().to_string(), from)) {
                Some(&first) => {
                    let other = &w.transitions[first];
                    let unguarded = t.guards.is_empty() && other.guards.is_empty();
                    let why = if unguarded {
                        "neither is guarded, so the machine could not tell which to take"
                    } else {
                        "turnstile generates one method per event and state"
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::Nondeterministic,
                            format!("event `{}` is declared twice from state `{}`: {why}", t.event, state.name),
                        )
                        .at(t.span.clone(), "second declaration")
                        .with_context(other.span.clone(), "first declaration")
                        .with_help("merge them into one transition whose `to` lists the outcomes, decided at run time, or give one event another name"),
                    );
                    keep[i] = false;
                }
                None => {
                    seen.insert((t.event.as_str().to_string(), from), i);
                }
            }
        }
        if t.is_branch() {
            match outcomes.get(t.event.as_str()) {
                Some(&first) if w.transitions[first].to != t.to => {
                    let names = |ids: &[StateId]| {
                        ids.iter()
                            .map(|s| format!("`{}`", w.state(*s).name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::OutcomeMismatch,
                            format!("event `{}` has different outcomes in two transitions", t.event),
                        )
                        .at(t.span.clone(), format!("outcomes {}", names(&t.to)))
                        .with_context(w.transitions[first].span.clone(), format!("outcomes {}", names(&w.transitions[first].to)))
                        .with_help("an event's outcomes form one generated enum: list the same states in the same order, or give the events different names"),
                    );
                    keep[i] = false;
                }
                Some(_) => {}
                None => {
                    outcomes.insert(t.event.as_str().to_string(), i);
                }
            }
        }
    }
    keep
}

fn check_graph(w: &Workflow, diags: &mut Vec<Diagnostic>) {
    let graph = Graph::new(w);
    let reachable = graph.reachable_from_initial();
    for (i, state) in w.states.iter().enumerate() {
        if !reachable.contains(&StateId(i)) {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableState,
                    match w.region_of(StateId(i)) {
                        Some(r) => format!("state `{}` cannot be reached from the initial state `{}` of its region `{}`", state.name, w.state(w.regions[r].initial).name, w.region_name(r)),
                        None => format!("state `{}` cannot be reached from the initial state `{}`", state.name, w.state(w.initial).name),
                    },
                )
                .at(state.name.span(), "no path of transitions leads here")
                .with_help(format!("add a transition with `to = \"{}\"` from a reachable state, or remove the state", state.name)),
            );
        }
    }
    crate::regions::check_configurations(w, &reachable, diags);
    if !w.has_final_states() {
        return;
    }
    let finishing = graph.can_reach_final();
    // With regions, a region that has no final state runs for as long as
    // the workflow does: only a region with one must be able to finish.
    let finite: Vec<bool> = w
        .regions
        .iter()
        .map(|r| r.leaves.iter().any(|s| w.state(*s).is_final))
        .collect();
    for (i, state) in w.states.iter().enumerate() {
        if w.region_of(StateId(i)).is_some_and(|r| !finite[r]) {
            continue;
        }
        if reachable.contains(&StateId(i)) && !finishing.contains(&StateId(i)) {
            diags.push(
                Diagnostic::new(
                    Code::DeadEndState,
                    format!("no final state can be reached from state `{}`", state.name),
                )
                .at(state.name.span(), "a machine here can never finish")
                .with_help(format!(
                    "add a transition from `{}` towards a final state, or mark it `final = true`",
                    state.name
                )),
            );
        }
    }
}
