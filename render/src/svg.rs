//! Self-contained SVG, laid out in pure Rust: no external program needed.
//!
//! Small workflows (up to [`LAYOUT_RS_MAX_EDGES`] edges, every reference
//! workflow among them) are laid out by `layout-rs`, a Sugiyama-style layered
//! layout like Graphviz's `dot`. Its crossing reduction grows far faster
//! than the graph (a 60-state, 118-edge workflow took over a minute), so
//! larger workflows use [`layered`], a simpler layered layout of this crate
//! whose cost stays near linear in states and transitions.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::edge_label;
use turnstile_spec::Workflow;

const FONT: usize = 14;

/// What both layouts draw: a start point, the states, one `?` node per
/// branching event, and the edges between them. Node 0 is the start, node
/// `i + 1` is state `i`, branch nodes follow.
struct Node {
    label: String,
    kind: Kind,
    summary: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Start,
    State,
    Final,
    Branch,
}

struct Edge {
    from: usize,
    to: usize,
    label: String,
    dashed: bool,
}

fn graph(w: &Workflow) -> (Vec<Node>, Vec<Edge>) {
    let mut nodes = vec![Node {
        label: String::new(),
        kind: Kind::Start,
        summary: None,
    }];
    nodes.extend(w.states.iter().map(|s| Node {
        label: s.name.to_string(),
        kind: if s.is_final { Kind::Final } else { Kind::State },
        summary: s.summary.clone(),
    }));
    let mut edges = vec![Edge {
        from: 0,
        to: w.initial.0 + 1,
        label: String::new(),
        dashed: false,
    }];
    for t in &w.transitions {
        let label = edge_label(w, t);
        if t.is_branch() {
            let branch = nodes.len();
            nodes.push(Node {
                label: "?".to_string(),
                kind: Kind::Branch,
                summary: None,
            });
            for from in &t.from {
                edges.push(Edge {
                    from: from.0 + 1,
                    to: branch,
                    label: label.clone(),
                    dashed: false,
                });
            }
            for to in &t.to {
                edges.push(Edge {
                    from: branch,
                    to: to.0 + 1,
                    label: String::new(),
                    dashed: true,
                });
            }
        } else {
            for from in &t.from {
                edges.push(Edge {
                    from: from.0 + 1,
                    to: t.to[0].0 + 1,
                    label: label.clone(),
                    dashed: false,
                });
            }
        }
    }
    (nodes, edges)
}

/// Renders `w` as an SVG document. States are boxes (final states double
/// circles), the initial state is entered from a small `start` circle, a
/// branching event goes through a small diamond-like connector, and edges are
/// labelled `event [guard]`; each state has its summary as a tooltip.
/// layout-rs escapes every text it draws.
pub fn svg(w: &Workflow) -> String {
    let (nodes, edges) = graph(w);
    // The arrow from the start point is not a transition's edge.
    if edges.len() - 1 <= LAYOUT_RS_MAX_EDGES {
        layout_rs(&nodes, &edges)
    } else {
        layered::render(&nodes, &edges)
    }
}

/// The most edges (one per source state of a transition, plus one per
/// outcome of a branch) given to `layout-rs`. Measured: 45 edges lay out in
/// well under a second in any shape we generated; past about 100, some
/// shapes take minutes.
pub const LAYOUT_RS_MAX_EDGES: usize = 48;

fn layout_rs(nodes: &[Node], edges: &[Edge]) -> String {
    let orientation = Orientation::TopToBottom;
    let mut graph = VisualGraph::new(orientation);
    let handles: Vec<_> = nodes
        .iter()
        .map(|n| {
            let shape = match n.kind {
                Kind::Start => ShapeKind::new_circle("start"),
                Kind::Branch => ShapeKind::new_circle("?"),
                Kind::State => ShapeKind::new_box(&n.label),
                Kind::Final => ShapeKind::new_double_circle(&n.label),
            };
            let size = get_shape_size(orientation, &shape, FONT, false);
            graph.add_node(Element::create(
                shape,
                StyleAttr::simple(),
                orientation,
                size,
            ))
        })
        .collect();
    for e in edges {
        let style = if e.dashed {
            LineStyleKind::Dashed
        } else {
            LineStyleKind::Normal
        };
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            &e.label,
            &StyleAttr::simple(),
            &None,
            &None,
        );
        graph.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut writer = SVGWriter::new();
    graph.do_it(false, false, false, &mut writer);
    with_tooltips(writer.finalize(), nodes)
}

/// Adds each state's summary as a `<title>` (a tooltip) to its label.
/// layout-rs has no titles of its own; a node's label is the `<text>` right
/// after the node's `</g>` (an edge's label follows another `</text>`), and
/// state names are plain identifiers, so the label is found exactly.
fn with_tooltips(mut svg: String, nodes: &[Node]) -> String {
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for node in nodes {
        let (Kind::State | Kind::Final, Some(summary)) = (node.kind, &node.summary) else {
            continue;
        };
        let needle = format!(">{}</tspan></text>", node.label);
        for (at, _) in svg.match_indices(&needle) {
            let Some(text) = svg[..at].rfind("<text") else {
                continue;
            };
            if svg[..text].ends_with("</g>\n") {
                let mut title = String::from("<title>");
                layered::escape(summary, &mut title);
                title.push_str("</title>");
                inserts.push((at + needle.len() - "</text>".len(), title));
                break;
            }
        }
    }
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, title) in inserts {
        svg.insert_str(at, &title);
    }
    svg
}

/// A layered layout in near-linear time, for workflows too large for
/// `layout-rs`: states sit in rows by their distance (in events) from the
/// initial state, ordered within a row by two barycenter sweeps; forward
/// edges are straight, edges back or within a row curve to the side. The
/// drawing has the same marks as the small one: a start circle, double
/// borders on final states, a `?` circle per branching event, dashed
/// outcome edges and `event [guard]` labels. Every text is XML-escaped.
pub fn layered(w: &Workflow) -> String {
    let (nodes, edges) = graph(w);
    layered::render(&nodes, &edges)
}

mod layered {
    use std::collections::VecDeque;
    use std::fmt::Write;

    use super::{Edge, Kind, Node};

    const ROW: f64 = 110.0;
    const GAP: f64 = 40.0;
    const HEIGHT: f64 = 34.0;
    const MARGIN: f64 = 30.0;

    fn width(node: &Node) -> f64 {
        match node.kind {
            Kind::Start | Kind::Branch => 24.0,
            Kind::State | Kind::Final => 24.0 + 8.0 * node.label.chars().count() as f64,
        }
    }

    /// Pushes `text` escaped for XML text and attributes; control
    /// characters, which XML 1.0 forbids, become spaces.
    pub(super) fn escape(text: &str, out: &mut String) {
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                c if (c as u32) < 0x20 => out.push(' '),
                c => out.push(c),
            }
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

    pub(super) fn render(nodes: &[Node], edges: &[Edge]) -> String {
        let mut rows = rows(nodes, edges);
        order(&mut rows, nodes.len(), edges);
        // Centre of each node.
        // Rows are centred on the widest one.
        let row_width = |row: &Vec<usize>| -> f64 {
            row.iter().map(|&n| width(&nodes[n]) + GAP).sum::<f64>() - GAP
        };
        let widest = rows.iter().map(row_width).fold(0.0, f64::max);
        let mut at = vec![(0.0, 0.0); nodes.len()];
        for (r, row) in rows.iter().enumerate() {
            let mut x = MARGIN + (widest - row_width(row)) / 2.0;
            for &n in row {
                let wd = width(&nodes[n]);
                at[n] = (x + wd / 2.0, MARGIN + HEIGHT / 2.0 + r as f64 * ROW);
                x += wd + GAP;
            }
        }
        let max_width = MARGIN + widest;
        let total_w = max_width + MARGIN + 200.0;
        let total_h = 2.0 * MARGIN + rows.len() as f64 * ROW;
        let mut svg = String::with_capacity(200 * (nodes.len() + edges.len()));
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total_w:.0}\" height=\"{total_h:.0}\" \
             viewBox=\"0 0 {total_w:.0} {total_h:.0}\" font-family=\"sans-serif\" font-size=\"13\">\n\
             <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" \
             markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n"
        );
        let half_h = |n: usize| match nodes[n].kind {
            Kind::Start | Kind::Branch => 12.0,
            _ => HEIGHT / 2.0,
        };
        for e in edges {
            let (x1, y1) = at[e.from];
            let (x2, y2) = at[e.to];
            let dash = if e.dashed {
                " stroke-dasharray=\"5,4\""
            } else {
                ""
            };
            let (path, lx, ly) = if y2 > y1 {
                let (sy, ty) = (y1 + half_h(e.from), y2 - half_h(e.to));
                (
                    format!("M{x1:.1},{sy:.1} L{x2:.1},{ty:.1}"),
                    (x1 + x2) / 2.0,
                    (sy + ty) / 2.0,
                )
            } else {
                // Back or sideways: leave from the right, curve out, come back in.
                let (sx, tx) = (
                    x1 + width(&nodes[e.from]) / 2.0,
                    x2 + width(&nodes[e.to]) / 2.0,
                );
                let bend = sx.max(tx) + 40.0 + (y1 - y2).abs() * 0.15;
                let cy = (y1 + y2) / 2.0;
                (
                    format!("M{sx:.1},{y1:.1} Q{bend:.1},{cy:.1} {tx:.1},{y2:.1}"),
                    (sx + tx + 2.0 * bend) / 4.0,
                    cy,
                )
            };
            let _ = writeln!(
                svg,
                "<path d=\"{path}\" fill=\"none\" stroke=\"black\"{dash} marker-end=\"url(#arrow)\"/>"
            );
            if !e.label.is_empty() {
                svg.push_str(&format!(
                    "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\">"
                ));
                escape(&e.label, &mut svg);
                svg.push_str("</text>\n");
            }
        }
        for (n, node) in nodes.iter().enumerate() {
            let (x, y) = at[n];
            match node.kind {
                Kind::Start => {
                    let _ = writeln!(
                        svg,
                        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\" fill=\"black\"/>"
                    );
                }
                Kind::Branch => {
                    let _ = writeln!(
                        svg,
                        "<path d=\"M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} z\" fill=\"white\" stroke=\"black\"/>",
                        y - 12.0,
                        x + 12.0,
                        y + 12.0,
                        x - 12.0
                    );
                }
                Kind::State | Kind::Final => {
                    let wd = width(node);
                    let (left, top) = (x - wd / 2.0, y - HEIGHT / 2.0);
                    let _ = writeln!(
                        svg,
                        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{wd:.1}\" height=\"{HEIGHT}\" rx=\"8\" fill=\"white\" stroke=\"black\"/>"
                    );
                    if node.kind == Kind::Final {
                        let _ = writeln!(
                            svg,
                            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"none\" stroke=\"black\"/>",
                            left + 3.0,
                            top + 3.0,
                            wd - 6.0,
                            HEIGHT - 6.0
                        );
                    }
                    svg.push_str(&format!(
                        "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">",
                        y + 4.5
                    ));
                    escape(&node.label, &mut svg);
                    if let Some(summary) = &node.summary {
                        svg.push_str("<title>");
                        escape(summary, &mut svg);
                        svg.push_str("</title>");
                    }
                    svg.push_str("</text>\n");
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }
}
