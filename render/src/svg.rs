//! Self-contained SVG, laid out in pure Rust: no external program needed.
//!
//! Workflows of up to [`LAYERED_MAX_EDGES`] edges (every reference workflow
//! among them) get a Sugiyama-style layered layout (`layout.rs`) in which
//! every edge label is a box of its own in a row between the states' rows,
//! as Graphviz's `dot` lays labels out: labels cannot overlap each other,
//! and no edge crosses a label because inside a row every edge runs
//! straight down through a slot of its own. States show their summaries
//! wrapped under their names. Larger workflows get [`layered`], rows by
//! distance from the initial state, in near-linear time, names only.
//!
//! Both drawings share one look and one structure, which the explorer
//! (`render --format html`) relies on: every state is a
//! `<g class="state" data-state="name">`, every edge a
//! `<g class="edge" data-transition="index" data-from="…" data-to="…">`
//! (an empty `data-from` or `data-to` is the `?` node of a branching event).

use std::fmt::Write;

use turnstile_spec::Workflow;

pub(crate) mod layout;

/// The fonts of every text, widest last: the width estimates
/// assume DejaVu Sans, the widest of them.
pub const FONTS: &str =
    "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

/// The most edges given to the Sugiyama-style layout. Its crossing
/// reduction compares the edges between each pair of adjacent rows, which
/// grows with the square of a row's edges; past this, [`svg`] uses
/// [`layered`].
pub const LAYERED_MAX_EDGES: usize = 400;

/// What both layouts draw: a start point, the states, one `?` node per
/// branching event, and the edges between them. Node 0 is the start, node
/// `i + 1` is state `i`, branch nodes follow.
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) summary: Option<String>,
    pub(crate) initial: bool,
    pub(crate) refusal: bool,
    /// The branching transition of a `?` node.
    pub(crate) transition: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Start,
    State,
    Final,
    Branch,
}

/// How an edge is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
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

pub(crate) struct Edge {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) event: String,
    pub(crate) guards: Vec<String>,
    pub(crate) timer: Option<String>,
    pub(crate) style: Style,
    pub(crate) transition: Option<usize>,
    /// The one-line label the other formats draw too
    /// ([`crate::edge_label`]); empty for edges without an event.
    pub(crate) label: String,
}

impl Edge {
    /// The label's lines: the event, the guards in brackets (wrapped),
    /// the timer. Empty for edges without an event.
    fn lines(&self) -> Vec<(String, Line)> {
        if self.event.is_empty() {
            return Vec::new();
        }
        let mut lines = vec![(self.event.clone(), Line::Event)];
        if !self.guards.is_empty() {
            let text = format!("[{}]", self.guards.join(", "));
            lines.extend(wrap(&text, 30).into_iter().map(|l| (l, Line::Guard)));
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
    Timer,
}

pub(crate) fn graph(w: &Workflow) -> (Vec<Node>, Vec<Edge>) {
    let mut nodes = vec![Node {
        name: String::new(),
        kind: Kind::Start,
        summary: None,
        initial: false,
        refusal: false,
        transition: None,
    }];
    nodes.extend(w.states.iter().enumerate().map(|(i, s)| Node {
        name: s.name.to_string(),
        kind: if s.is_final { Kind::Final } else { Kind::State },
        summary: s.summary.clone(),
        initial: i == w.initial.0,
        refusal: s.refusal,
        transition: None,
    }));
    let mut edges = vec![Edge {
        from: 0,
        to: w.initial.0 + 1,
        event: String::new(),
        guards: Vec::new(),
        timer: None,
        style: Style::Start,
        transition: None,
        label: String::new(),
    }];
    for (index, t) in w.transitions.iter().enumerate() {
        let guards: Vec<String> = t
            .guards
            .iter()
            .map(|g| w.guard(*g).name.to_string())
            .collect();
        let timer = t.timer.as_ref().map(|t| t.label());
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
            timer: timer.clone(),
            style,
            transition: Some(index),
            label: label.clone(),
        };
        if t.is_branch() {
            let branch = nodes.len();
            nodes.push(Node {
                name: "?".to_string(),
                kind: Kind::Branch,
                summary: None,
                initial: false,
                refusal: false,
                transition: Some(index),
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
                    timer: None,
                    style: Style::Outcome,
                    transition: Some(index),
                    label: String::new(),
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

/// Renders `w` as an SVG document: each state a box with its name and,
/// below it, its summary (whole, also as a tooltip); the initial state
/// entered from a black dot and drawn in blue; final states with a double
/// green border; states marked `refusal = true` in red; a branching event
/// through a yellow `?` diamond with dashed edges to its outcomes; guarded
/// edges in amber with `[guard]` under the event, timed edges dotted in
/// violet with `after 90d` (in words: no symbol that needs an emoji font).
/// A legend at the bottom names each look the
/// diagram uses. Every text is XML-escaped.
pub fn svg(w: &Workflow) -> String {
    let (nodes, edges) = graph(w);
    if edges.len() <= LAYERED_MAX_EDGES {
        layout::render(w, &nodes, &edges)
    } else {
        layered::render(w, &nodes, &edges)
    }
}

/// A layered layout in near-linear time, for workflows too large for the
/// Sugiyama-style one: states sit in rows by their distance (in events)
/// from the initial state, ordered within a row by two barycenter sweeps;
/// forward edges are straight, edges back or within a row curve to the
/// side. The drawing has the same marks and structure as [`svg`]'s, without
/// the summaries under the names (they stay tooltips) and with one-line
/// edge labels. Every text is XML-escaped.
pub fn layered(w: &Workflow) -> String {
    let (nodes, edges) = graph(w);
    layered::render(w, &nodes, &edges)
}

/// The estimated width of `text` at `size` pixels, from DejaVu Sans's
/// advance widths (the widest font of [`FONTS`]), so the text fits the
/// space measured for it in any of them.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '\'' | '|' | '.' | ',' | ':' | ';' | '!' => 0.29,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '-' | 'I' => 0.42,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.98,
            '—' | '–' => 1.0,
            'A'..='Z' => 0.74,
            c if c.is_ascii() => 0.64,
            _ => 0.9,
        })
        .sum();
    em * size
}

/// `text` in lines of at most about `width` characters, broken at spaces
/// (a longer word gets a line of its own).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

use crate::xml::escaped;

/// The colours of the looks: (stroke, fill).
pub(crate) mod look {
    pub const INK: &str = "#1f2937";
    pub const MUTED: &str = "#4b5563";
    pub const STATE: (&str, &str) = ("#475569", "#f8fafc");
    pub const INITIAL: (&str, &str) = ("#1d4ed8", "#eff6ff");
    pub const FINAL: (&str, &str) = ("#047857", "#ecfdf5");
    pub const REFUSAL: (&str, &str) = ("#b91c1c", "#fef2f2");
    pub const BRANCH: (&str, &str) = ("#a16207", "#fef9c3");
    pub const PLAIN: &str = "#475569";
    pub const GUARDED: &str = "#b45309";
    pub const TIMED: &str = "#6d28d9";
    pub const OUTCOME: &str = "#64748b";
}

fn edge_colour(style: Style) -> &'static str {
    match style {
        Style::Start | Style::Plain => look::PLAIN,
        Style::Guarded => look::GUARDED,
        Style::Timed => look::TIMED,
        Style::Outcome => look::OUTCOME,
    }
}

fn style_name(style: Style) -> &'static str {
    match style {
        Style::Start => "start",
        Style::Plain => "plain",
        Style::Guarded => "guarded",
        Style::Timed => "timed",
        Style::Outcome => "outcome",
    }
}

/// A marker id unique to the workflow, so several diagrams can share a page.
fn marker(w: &Workflow, style: Style) -> String {
    format!("ts-{}-arrow-{}", w.name, style_name(style))
}

/// Where a layout put a node: its centre and size, and the summary lines
/// shown under its name.
pub(crate) struct Placed {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
    pub(crate) lines: Vec<String>,
}

/// Where a layout put an edge: its path and its label's lines, the label's
/// anchor point, and whether the anchor is the text's start or middle.
pub(crate) struct Routed {
    pub(crate) d: String,
    pub(crate) label: Vec<(String, Line)>,
    pub(crate) at: (f64, f64),
    pub(crate) middle: bool,
}

pub(crate) const NAME_SIZE: f64 = 13.0;
pub(crate) const SUMMARY_SIZE: f64 = 11.0;
pub(crate) const SUMMARY_LINE: f64 = 13.5;
pub(crate) const LABEL_SIZE: f64 = 11.5;
pub(crate) const LABEL_LINE: f64 = 14.0;
pub(crate) const LEGEND: f64 = 34.0;

/// The SVG of a laid-out drawing, `width` × `height` plus the legend.
pub(crate) fn draw(
    w: &Workflow,
    nodes: &[Node],
    edges: &[Edge],
    placed: &[Placed],
    routed: &[Routed],
    width: f64,
    height: f64,
) -> String {
    let mut svg = String::with_capacity(300 * (nodes.len() + edges.len()) + 2_000);
    let (legend, legend_width) = legend(nodes, edges, height);
    let width = width.max(legend_width);
    let total_h = height + LEGEND;
    let name = escaped(w.name.as_str());
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{total_h:.0}\" \
         viewBox=\"0 0 {width:.0} {total_h:.0}\" font-family=\"{FONTS}\" font-size=\"{NAME_SIZE}\" \
         role=\"img\" aria-label=\"The {name} workflow\" class=\"turnstile-workflow\">\n<title>{name}</title>\n"
    );
    if let Some(summary) = &w.summary {
        let _ = writeln!(svg, "<desc>{}</desc>", escaped(summary));
    }
    svg.push_str("<defs>");
    for style in [
        Style::Start,
        Style::Plain,
        Style::Guarded,
        Style::Timed,
        Style::Outcome,
    ] {
        let _ = write!(
            svg,
            "<marker id=\"{}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" \
             markerHeight=\"10\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            marker(w, style),
            edge_colour(style)
        );
    }
    let _ = writeln!(
        svg,
        "</defs>\n<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    svg.push_str("<g class=\"edges\">\n");
    for (e, r) in edges.iter().zip(routed) {
        draw_edge(w, nodes, e, r, &mut svg);
    }
    svg.push_str("</g>\n<g class=\"states\">\n");
    for (n, p) in nodes.iter().zip(placed) {
        draw_node(n, p, &mut svg);
    }
    svg.push_str("</g>\n");
    svg.push_str(&legend);
    svg.push_str("</svg>\n");
    svg
}

fn draw_edge(w: &Workflow, nodes: &[Node], e: &Edge, r: &Routed, svg: &mut String) {
    let end = |n: usize| match nodes[n].kind {
        Kind::State | Kind::Final => escaped(&nodes[n].name),
        Kind::Start | Kind::Branch => String::new(),
    };
    let _ = write!(
        svg,
        "<g class=\"edge {}\" data-from=\"{}\" data-to=\"{}\"",
        style_name(e.style),
        end(e.from),
        end(e.to)
    );
    if let Some(t) = e.transition {
        let _ = write!(svg, " data-transition=\"{t}\"");
    }
    if !e.event.is_empty() {
        let _ = write!(svg, " data-event=\"{}\"", escaped(&e.event));
    }
    let colour = edge_colour(e.style);
    let dash = match e.style {
        Style::Timed => " stroke-dasharray=\"2,3\"",
        Style::Outcome => " stroke-dasharray=\"6,4\"",
        _ => "",
    };
    let _ = write!(
        svg,
        "><title>{}</title><path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.4\"{dash} marker-end=\"url(#{})\"/>",
        escaped(&e.label),
        r.d,
        marker(w, e.style)
    );
    if !r.label.is_empty() {
        let anchor = if r.middle { "middle" } else { "start" };
        let (x, y) = r.at;
        let _ = write!(
            svg,
            "<text class=\"label\" x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{LABEL_SIZE}\" text-anchor=\"{anchor}\">"
        );
        for (i, (line, kind)) in r.label.iter().enumerate() {
            let dy = if i == 0 { 0.0 } else { LABEL_LINE };
            let (fill, extra) = match kind {
                Line::Event => (look::INK, " font-weight=\"600\""),
                Line::Guard => (look::GUARDED, ""),
                Line::Timer => (look::TIMED, ""),
            };
            let _ = write!(
                svg,
                "<tspan x=\"{x:.1}\" dy=\"{dy}\" fill=\"{fill}\"{extra}>{}</tspan>",
                escaped(line)
            );
        }
        svg.push_str("</text>");
    }
    svg.push_str("</g>\n");
}

fn draw_node(n: &Node, p: &Placed, svg: &mut String) {
    let (x, y) = (p.x, p.y);
    match n.kind {
        Kind::Start => {
            let _ = writeln!(
                svg,
                "<g class=\"start\"><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"{}\"/></g>",
                look::INK
            );
        }
        Kind::Branch => {
            let (stroke, fill) = look::BRANCH;
            let t = n.transition.map(|t| t.to_string()).unwrap_or_default();
            let r = p.h / 2.0;
            let _ = writeln!(
                svg,
                "<g class=\"branch\" data-branch=\"{t}\"><title>the outcome is decided when the event is fired</title>\
                 <path d=\"M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} z\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"700\" fill=\"{stroke}\">?</text></g>",
                y - r,
                x + r,
                y + r,
                x - r,
                y + 4.0
            );
        }
        Kind::State | Kind::Final => {
            let mut class = String::from("state");
            for (yes, name) in [
                (n.initial, " initial"),
                (n.kind == Kind::Final, " final"),
                (n.refusal, " refusal"),
            ] {
                if yes {
                    class.push_str(name);
                }
            }
            let (stroke, fill) = if n.refusal {
                look::REFUSAL
            } else if n.kind == Kind::Final {
                look::FINAL
            } else if n.initial {
                look::INITIAL
            } else {
                look::STATE
            };
            let width = if n.initial || n.refusal { 2.2 } else { 1.4 };
            let (left, top) = (x - p.w / 2.0, y - p.h / 2.0);
            let name = escaped(&n.name);
            let _ = write!(
                svg,
                "<g class=\"{class}\" data-state=\"{name}\" tabindex=\"-1\">"
            );
            if let Some(summary) = &n.summary {
                let _ = write!(svg, "<title>{}</title>", escaped(summary));
            }
            let _ = write!(
                svg,
                "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"7\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                p.w, p.h
            );
            if n.kind == Kind::Final {
                let _ = write!(
                    svg,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
                    left + 3.0,
                    top + 3.0,
                    p.w - 6.0,
                    p.h - 6.0
                );
            }
            let name_y = if p.lines.is_empty() {
                y + NAME_SIZE * 0.35
            } else {
                top + 8.0 + NAME_SIZE
            };
            let _ = write!(
                svg,
                "<text class=\"name\" x=\"{x:.1}\" y=\"{name_y:.1}\" text-anchor=\"middle\" font-weight=\"700\" fill=\"{}\">{name}</text>",
                look::INK
            );
            if !p.lines.is_empty() {
                let _ = write!(
                    svg,
                    "<text class=\"summary\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{SUMMARY_SIZE}\" fill=\"{}\">",
                    name_y + 4.0 + SUMMARY_LINE,
                    look::MUTED
                );
                for (i, line) in p.lines.iter().enumerate() {
                    let dy = if i == 0 { 0.0 } else { SUMMARY_LINE };
                    let _ = write!(
                        svg,
                        "<tspan x=\"{x:.1}\" dy=\"{dy}\">{}</tspan>",
                        escaped(line)
                    );
                }
                svg.push_str("</text>");
            }
            svg.push_str("</g>\n");
        }
    }
}

/// The legend row below the drawing: one swatch per look the diagram
/// uses, and the width it needs.
fn legend(nodes: &[Node], edges: &[Edge], top: f64) -> (String, f64) {
    let mut items: Vec<(&str, String)> = Vec::new();
    let has = |f: &dyn Fn(&Node) -> bool| nodes.iter().any(f);
    let boxed = |(stroke, fill): (&str, &str), double: bool| {
        let mut s = format!(
            "<rect x=\"0\" y=\"-9\" width=\"22\" height=\"14\" rx=\"3\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.6\"/>"
        );
        if double {
            s.push_str(&format!(
                "<rect x=\"2.5\" y=\"-6.5\" width=\"17\" height=\"9\" rx=\"2\" fill=\"none\" stroke=\"{stroke}\"/>"
            ));
        }
        s
    };
    items.push(("initial state", boxed(look::INITIAL, false)));
    if has(&|n| n.kind == Kind::Final) {
        items.push(("final state", boxed(look::FINAL, true)));
    }
    if has(&|n| n.refusal) {
        items.push(("refusal", boxed(look::REFUSAL, false)));
    }
    if has(&|n| n.kind == Kind::Branch) {
        let (stroke, fill) = look::BRANCH;
        items.push((
            "outcome decided at run time",
            format!(
                "<path d=\"M11,-9 L18,-2 L11,5 L4,-2 z\" fill=\"{fill}\" stroke=\"{stroke}\"/>"
            ),
        ));
    }
    let line = |style: Style| {
        let dash = match style {
            Style::Timed => " stroke-dasharray=\"2,3\"",
            Style::Outcome => " stroke-dasharray=\"6,4\"",
            _ => "",
        };
        format!(
            "<path d=\"M0,-2 L22,-2\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
            edge_colour(style)
        )
    };
    if edges.iter().any(|e| e.style == Style::Guarded) {
        items.push(("guarded [may be refused]", line(Style::Guarded)));
    }
    if edges.iter().any(|e| e.style == Style::Timed) {
        items.push(("timed", line(Style::Timed)));
    }
    let mut out = format!(
        "<g class=\"legend\" transform=\"translate(16,{:.1})\" font-size=\"11\" fill=\"{}\">",
        top + LEGEND / 2.0,
        look::MUTED
    );
    let mut x = 0.0;
    for (text, swatch) in items {
        let _ = write!(
            out,
            "<g transform=\"translate({x:.1},0)\">{swatch}<text x=\"28\" y=\"2\">{text}</text></g>"
        );
        x += 28.0 + text_width(text, 11.0) + 18.0;
    }
    out.push_str("</g>\n");
    (out, x + 32.0)
}

mod layered {
    use std::collections::VecDeque;

    use super::{Edge, Kind, Node, Placed, Routed, Workflow};

    const ROW: f64 = 110.0;
    const GAP: f64 = 40.0;
    const HEIGHT: f64 = 34.0;
    const MARGIN: f64 = 30.0;

    fn width(node: &Node) -> f64 {
        match node.kind {
            Kind::Start | Kind::Branch => 24.0,
            Kind::State | Kind::Final => 24.0 + super::text_width(&node.name, super::NAME_SIZE),
        }
    }

    /// Rows by breadth-first distance from the start; what is not reached
    /// goes in a last row.
    fn rows(nodes: &[Node], edges: &[Edge]) -> Vec<Vec<usize>> {
        let mut out_edges = vec![Vec::new(); nodes.len()];
        for e in edges {
            out_edges[e.from].push(e.to);
        }
        let mut depth = vec![usize::MAX; nodes.len()];
        depth[0] = 0;
        let mut queue = VecDeque::from([0]);
        let mut rows: Vec<Vec<usize>> = Vec::new();
        while let Some(n) = queue.pop_front() {
            if rows.len() <= depth[n] {
                rows.push(Vec::new());
            }
            rows[depth[n]].push(n);
            for &m in &out_edges[n] {
                if depth[m] == usize::MAX {
                    depth[m] = depth[n] + 1;
                    queue.push_back(m);
                }
            }
        }
        let unreached: Vec<usize> = (0..nodes.len())
            .filter(|&n| depth[n] == usize::MAX)
            .collect();
        if !unreached.is_empty() {
            rows.push(unreached);
        }
        rows
    }

    /// Two barycenter sweeps (down, then up) over neighbours in adjacent rows.
    fn order(rows: &mut [Vec<usize>], nodes: usize, edges: &[Edge]) {
        let mut row_of = vec![0; nodes];
        let mut pos = vec![0.0; nodes];
        for (r, row) in rows.iter().enumerate() {
            for (i, &n) in row.iter().enumerate() {
                row_of[n] = r;
                pos[n] = i as f64;
            }
        }
        let mut up = vec![Vec::new(); nodes];
        let mut down = vec![Vec::new(); nodes];
        for e in edges {
            if row_of[e.to] == row_of[e.from] + 1 {
                up[e.to].push(e.from);
                down[e.from].push(e.to);
            }
        }
        let sweep = |rows: &mut [Vec<usize>], neighbours: &[Vec<usize>], pos: &mut [f64]| {
            for row in rows.iter_mut() {
                let key = |n: usize| {
                    let ns = &neighbours[n];
                    if ns.is_empty() {
                        pos[n]
                    } else {
                        ns.iter().map(|&m| pos[m]).sum::<f64>() / ns.len() as f64
                    }
                };
                let mut keyed: Vec<(f64, usize)> = row.iter().map(|&n| (key(n), n)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                for (i, (_, n)) in keyed.iter().enumerate() {
                    row[i] = *n;
                    pos[*n] = i as f64;
                }
            }
        };
        sweep(rows, &up, &mut pos);
        rows.reverse();
        sweep(rows, &down, &mut pos);
        rows.reverse();
    }

    pub(super) fn render(w: &Workflow, nodes: &[Node], edges: &[Edge]) -> String {
        let mut rows = rows(nodes, edges);
        order(&mut rows, nodes.len(), edges);
        // Rows are centred on the widest one.
        let row_width = |row: &Vec<usize>| -> f64 {
            row.iter().map(|&n| width(&nodes[n]) + GAP).sum::<f64>() - GAP
        };
        let widest = rows.iter().map(row_width).fold(0.0, f64::max);
        let mut placed: Vec<Placed> = nodes
            .iter()
            .map(|n| Placed {
                x: 0.0,
                y: 0.0,
                w: width(n),
                h: match n.kind {
                    Kind::Start => 14.0,
                    Kind::Branch => 24.0,
                    Kind::State | Kind::Final => HEIGHT,
                },
                lines: Vec::new(),
            })
            .collect();
        for (r, row) in rows.iter().enumerate() {
            let mut x = MARGIN + (widest - row_width(row)) / 2.0;
            for &n in row {
                let wd = placed[n].w;
                placed[n].x = x + wd / 2.0;
                placed[n].y = MARGIN + HEIGHT / 2.0 + r as f64 * ROW;
                x += wd + GAP;
            }
        }
        let total_w = MARGIN + widest + MARGIN + 200.0;
        let total_h = 2.0 * MARGIN + rows.len() as f64 * ROW;
        let routed: Vec<Routed> = edges
            .iter()
            .map(|e| {
                let (a, b) = (&placed[e.from], &placed[e.to]);
                let (x1, y1, x2, y2) = (a.x, a.y, b.x, b.y);
                let (d, lx, ly) = if y2 > y1 {
                    let (sy, ty) = (y1 + a.h / 2.0, y2 - b.h / 2.0);
                    (
                        format!("M{x1:.1},{sy:.1} L{x2:.1},{ty:.1}"),
                        (x1 + x2) / 2.0,
                        (sy + ty) / 2.0,
                    )
                } else {
                    // Back or sideways: leave from the right, curve out, come back in.
                    let (sx, tx) = (x1 + a.w / 2.0, x2 + b.w / 2.0);
                    let bend = sx.max(tx) + 40.0 + (y1 - y2).abs() * 0.15;
                    let cy = (y1 + y2) / 2.0;
                    (
                        format!("M{sx:.1},{y1:.1} Q{bend:.1},{cy:.1} {tx:.1},{y2:.1}"),
                        (sx + tx + 2.0 * bend) / 4.0,
                        cy,
                    )
                };
                let label = if e.event.is_empty() {
                    Vec::new()
                } else {
                    vec![(e.label.clone(), super::Line::Event)]
                };
                Routed {
                    d,
                    label,
                    at: (lx, ly),
                    middle: true,
                }
            })
            .collect();
        super::draw(w, nodes, edges, &placed, &routed, total_w, total_h)
    }
}
