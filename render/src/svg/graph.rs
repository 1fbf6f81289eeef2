//! What both layouts draw, built once from the model: a start point, the
//! states, one `?` node per branching event, and the edges between them.

use turnstile_spec::Workflow;

use super::wrap;

/// What both layouts draw: a start point, the states, one `?` node per
/// branching event, and the edges between them. Node 0 is the start, node
/// `i + 1` is state `i`, branch nodes follow.
#[derive(Clone)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) summary: Option<String>,
    /// What the state permits (`permits log_in, view_bills`), drawn under
    /// its summary.
    pub(crate) permits: Option<String>,
    pub(crate) initial: bool,
    pub(crate) refusal: bool,
    /// The branching transition of a `?` node.
    pub(crate) transition: Option<usize>,
    /// A compound state's box: its size, the drawing inside it included.
    pub(crate) block: Option<(f64, f64)>,
    /// A compound drawn folded: its box alone, without the states inside.
    pub(crate) folded: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Start,
    State,
    Final,
    Branch,
    /// A compound state, drawn as a box around the states inside it.
    Compound,
}

/// How an edge is drawn.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Style {
    /// From the start point to the initial state.
    Start,
    /// A transition that always happens when fired.
    Plain,
    /// A transition with guards: it may be refused.
    Guarded,
    /// A transition with a timer.
    Timed,
    /// From a branching event's `?` node to one of its outcomes.
    Outcome,
}

#[derive(Clone)]
pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) event: String,
    pub(crate) guards: Vec<String>,
    /// Who may fire it (`by staff or customer`) and what it brings
    /// (`brings Materials`), one line each.
    pub(crate) roles: Option<String>,
    pub(crate) timer: Option<String>,
    pub(crate) style: Style,
    pub(crate) transition: Option<usize>,
    /// The one-line label the other formats draw too
    /// ([`crate::edge_label`]); empty for edges without an event.
    pub(crate) label: String,
    /// For an edge drawn at a compound's border: the states it leaves
    /// and enters, by name, separated by spaces (`data-from`, `data-to`).
    pub(crate) from_leaves: Option<String>,
    pub(crate) to_leaves: Option<String>,
    /// Lines saying which states inside a compound the edge leaves or
    /// enters where its border stands for some of them only.
    pub(crate) ends: Vec<String>,
}

impl Edge {
    /// The label's lines: the event, the guards in brackets (wrapped),
    /// the timer. Empty for edges without an event.
    pub(crate) fn lines(&self) -> Vec<(String, Line)> {
        if self.event.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![(self.event.clone(), Line::Event)];
        if !self.guards.is_empty() {
            let text = format!("[{}]", self.guards.join(", "));
            lines.extend(wrap(&text, 30).into_iter().map(|l| (l, Line::Guard)));
        }
        if let Some(roles) = &self.roles {
            lines.extend(wrap(roles, 30).into_iter().map(|l| (l, Line::Role)));
        }
        for end in &self.ends {
            lines.extend(wrap(end, 30).into_iter().map(|l| (l, Line::Role)));
        }
        if let Some(timer) = &self.timer {
            // In words alone: a clock symbol needs an emoji font, which
            // many machines lack (it would be drawn as an empty box).
            lines.push((timer.clone(), Line::Timer));
        }
        lines
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    Event,
    Guard,
    Role,
    Timer,
}

pub(crate) fn graph(w: &Workflow) -> (Vec<Node>, Vec<Edge>) {
    // The initial state, or each parallel region's: one arrow from the
    // start point to each.
    let initials = w.initials();
    let mut nodes = vec![Node {
        name: String::new(),
        kind: Kind::Start,
        summary: None,
        permits: None,
        initial: false,
        refusal: false,
        transition: None,
        block: None,
        folded: false,
    }];
    nodes.extend(w.states.iter().enumerate().map(|(i, s)| Node {
        name: s.name.to_string(),
        kind: if s.is_final { Kind::Final } else { Kind::State },
        summary: s.summary.clone(),
        permits: crate::permits_label(w, s),
        initial: initials.contains(&turnstile_spec::StateId(i)),
        refusal: s.refusal,
        transition: None,
        block: None,
        folded: false,
    }));
    let mut edges: Vec<Edge> = initials
        .iter()
        .map(|initial| Edge {
            from: 0,
            to: initial.0 + 1,
            event: String::new(),
            guards: Vec::new(),
            roles: None,
            timer: None,
            style: Style::Start,
            transition: None,
            label: String::new(),
            from_leaves: None,
            to_leaves: None,
            ends: Vec::new(),
        })
        .collect();
    for (index, t) in w.transitions.iter().enumerate() {
        let guards: Vec<String> = t
            .guards
            .iter()
            .map(|g| w.guard(*g).name.to_string())
            .collect();
        let timer = t.timer.as_ref().map(|t| t.label());
        let roles = match (crate::roles_label(w, t), crate::payload_label(t)) {
            (Some(roles), Some(payload)) => Some(format!("{roles}, {payload}")),
            (roles, payload) => roles.or(payload),
        };
        // A condition on other regions, on a line of its own.
        let roles = match (roles, crate::when_label(t)) {
            (Some(roles), Some(when)) => Some(format!("{roles}; {when}")),
            (roles, when) => roles.or(when),
        };
        let label = crate::edge_label(w, t);
        let style = if timer.is_some() {
            Style::Timed
        } else if !guards.is_empty() {
            Style::Guarded
        } else {
            Style::Plain
        };
        let edge = |from: usize, to: usize| Edge {
            from,
            to,
            event: t.event.to_string(),
            guards: guards.clone(),
            roles: roles.clone(),
            timer: timer.clone(),
            style,
            transition: Some(index),
            label: label.clone(),
            from_leaves: None,
            to_leaves: None,
            ends: Vec::new(),
        };
        if t.is_branch() {
            let branch = nodes.len();
            nodes.push(Node {
                name: "?".to_string(),
                kind: Kind::Branch,
                summary: None,
                permits: None,
                initial: false,
                refusal: false,
                transition: Some(index),
                block: None,
                folded: false,
            });
            for from in &t.from {
                edges.push(edge(from.0 + 1, branch));
            }
            for to in &t.to {
                edges.push(Edge {
                    from: branch,
                    to: to.0 + 1,
                    event: String::new(),
                    guards: Vec::new(),
                    roles: None,
                    timer: None,
                    style: Style::Outcome,
                    transition: Some(index),
                    label: String::new(),
                    from_leaves: None,
                    to_leaves: None,
                    ends: Vec::new(),
                });
            }
        } else {
            for from in &t.from {
                edges.push(edge(from.0 + 1, t.to[0].0 + 1));
            }
        }
    }
    (nodes, edges)
}
