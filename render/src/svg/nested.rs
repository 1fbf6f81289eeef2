//! Nested states drawn nested: each compound state a box around the
//! states inside it, laid out as its own drawing (the same layered layout,
//! from the innermost compound out), which the level around it places as
//! one node of that size. An edge is drawn at the level of the innermost
//! compound holding both its ends, between the boxes that hold them there:
//! a transition written `from` a compound leaves the compound's border
//! once, not once per state inside it. Where a border stands for some of
//! the states inside only, the label says which (`from ticket_review`,
//! `to frozen_plain`), and the edge's `data-from` / `data-to` list the
//! states by name, separated by spaces, for the explorer.

use std::collections::HashMap;

use turnstile_spec::{CompoundId, Workflow};

use super::{graph, sugiyama, text_width, wrap, Edge, Kind, Node, Placed, Routed, Style};
use super::{NAME_SIZE, SUMMARY_LINE, SUMMARY_SIZE};

/// A level of the drawing: the top (`None`) or inside a compound.
type Level = Option<CompoundId>;

/// A node of one level: a node of the flat graph, or a compound's box.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Local {
    Flat(usize),
    Compound(CompoundId),
}

/// A level laid out in its own frame, its compounds' drawings inside.
struct Drawing {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    placed: Vec<Placed>,
    routed: Vec<Routed>,
    width: f64,
    height: f64,
}

/// The compounds `level` is, and is inside, outermost first.
fn chain(w: &Workflow, level: Level) -> Vec<CompoundId> {
    let mut out = Vec::new();
    let mut at = level;
    while let Some(c) = at {
        out.push(c);
        at = w.compound(c).parent;
    }
    out.reverse();
    out
}

/// The innermost level holding both.
fn common(w: &Workflow, a: Level, b: Level) -> Level {
    chain(w, a)
        .into_iter()
        .zip(chain(w, b))
        .take_while(|(x, y)| x == y)
        .last()
        .map(|(x, _)| x)
}

/// How many compounds `level` is inside, counting itself.
fn depth(w: &Workflow, level: Level) -> usize {
    level.map_or(0, |c| w.depth(c) + 1)
}

/// Renders a workflow with compound states (see the module's rules);
/// `folded`, if given, drawn as its box alone: the states inside it, and
/// the edges between them, left out, and the edges to and from them drawn
/// to its border.
pub(super) fn render(w: &Workflow, folded: Option<CompoundId>) -> String {
    // Inside the folded compound, or the folded compound itself.
    let hidden = |level: Level| folded.is_some_and(|f| chain(w, level).contains(&f));
    let (flat_nodes, flat_edges) = graph(w);
    let states = w.states.len();
    // Where each node of the flat graph sits: the start at the top, a
    // state in its parent, a `?` node where all its ends meet.
    let mut container: Vec<Level> = vec![None; flat_nodes.len()];
    for (i, s) in w.states.iter().enumerate() {
        container[i + 1] = s.parent;
    }
    for (k, node) in flat_nodes.iter().enumerate().skip(states + 1) {
        let Some(t) = node.transition else { continue };
        let t = w.transition(turnstile_spec::TransitionId(t));
        let mut ends = t.from.iter().chain(&t.to).map(|s| w.state(*s).parent);
        let first = ends.next().flatten();
        container[k] = ends.fold(first, |acc, c| common(w, acc, c));
    }
    // The box that holds `node` at `level` (which holds the node).
    let local = |node: usize, level: Level| -> Local {
        if container[node] == level {
            return Local::Flat(node);
        }
        Local::Compound(chain(w, container[node])[depth(w, level)])
    };
    let edge_level: Vec<Level> = flat_edges
        .iter()
        .map(|e| common(w, container[e.from], container[e.to]))
        .collect();

    // From the innermost compounds out, then the top.
    let mut levels: Vec<Level> = (0..w.compounds.len())
        .map(|c| Some(CompoundId(c)))
        .collect();
    levels.sort_by_key(|l| std::cmp::Reverse(depth(w, *l)));
    levels.push(None);
    levels.retain(|l| !hidden(*l));
    let mut drawn: HashMap<CompoundId, Drawing> = HashMap::new();
    let mut top = None;
    for level in levels {
        let mut nodes: Vec<Node> = Vec::new();
        let mut index: HashMap<Local, usize> = HashMap::new();
        for (n, node) in flat_nodes.iter().enumerate() {
            if container[n] == level {
                index.insert(Local::Flat(n), nodes.len());
                nodes.push(node.clone());
            }
        }
        // The compounds right inside this level, as boxes of their size:
        // their drawing below a title of their name and summary.
        let mut inner: Vec<(usize, Drawing, f64)> = Vec::new();
        let mut titles: HashMap<usize, Vec<String>> = HashMap::new();
        for (i, c) in w.compounds.iter().enumerate() {
            if c.parent != level {
                continue;
            }
            let d = if folded == Some(CompoundId(i)) {
                // Its box holds a line saying what is folded in it.
                Drawing {
                    nodes: Vec::new(),
                    edges: Vec::new(),
                    placed: Vec::new(),
                    routed: Vec::new(),
                    width: 220.0,
                    height: 8.0,
                }
            } else {
                drawn.remove(&CompoundId(i)).expect("inner levels first")
            };
            let name_width = text_width(c.name.as_str(), NAME_SIZE) * 1.08 + 24.0;
            let width = d.width.max(name_width);
            let chars = ((width - 24.0) / (SUMMARY_SIZE * 0.55)).max(12.0) as usize;
            let mut lines = c
                .summary
                .as_deref()
                .map(|s| wrap(s, chars))
                .unwrap_or_default();
            let is_folded = folded == Some(CompoundId(i));
            if is_folded {
                lines.push(format!(
                    "{} states inside, folded",
                    w.leaves_of(CompoundId(i)).len()
                ));
            }
            let title = 14.0 + NAME_SIZE + lines.len() as f64 * SUMMARY_LINE;
            index.insert(Local::Compound(CompoundId(i)), nodes.len());
            titles.insert(nodes.len(), lines);
            nodes.push(Node {
                name: c.name.to_string(),
                kind: Kind::Compound,
                summary: c.summary.clone(),
                permits: None,
                initial: false,
                refusal: false,
                transition: None,
                block: Some((width, d.height + title)),
                folded: is_folded,
            });
            inner.push((nodes.len() - 1, d, title));
        }
        // The edges of this level, one per transition and pair of boxes.
        let mut edges: Vec<Edge> = Vec::new();
        let mut merged: HashMap<(Option<usize>, Style, usize, usize), usize> = HashMap::new();
        // Per drawn edge: the compound it leaves at its border, if any,
        // and the states it stands for on each side.
        let mut leaves: Vec<(Option<CompoundId>, Vec<String>, Vec<String>)> = Vec::new();
        for (e, edge) in flat_edges.iter().enumerate() {
            if edge_level[e] != level {
                continue;
            }
            let (a, b) = (local(edge.from, level), local(edge.to, level));
            let (from, to) = (index[&a], index[&b]);
            let key = (edge.transition, edge.style, from, to);
            let slot = *merged.entry(key).or_insert_with(|| {
                let mut copy = edge.clone();
                copy.from = from;
                copy.to = to;
                edges.push(copy);
                let border = match a {
                    Local::Compound(c) => Some(c),
                    Local::Flat(_) => None,
                };
                leaves.push((border, Vec::new(), Vec::new()));
                edges.len() - 1
            });
            let name = |n: usize| flat_nodes[n].name.clone();
            if matches!(a, Local::Compound(_)) && !leaves[slot].1.contains(&name(edge.from)) {
                leaves[slot].1.push(name(edge.from));
            }
            if matches!(b, Local::Compound(_)) && !leaves[slot].2.contains(&name(edge.to)) {
                leaves[slot].2.push(name(edge.to));
            }
        }
        for (edge, (border, from, to)) in edges.iter_mut().zip(leaves) {
            if let Some(c) = border {
                edge.from_leaves = Some(from.join(" "));
                // Said when the border stands for some of the states
                // inside only.
                if from.len() < w.leaves_of(c).len() {
                    edge.ends.push(format!("from {}", from.join(", ")));
                }
            }
            if !to.is_empty() {
                edge.to_leaves = Some(to.join(" "));
                if let Some(written) = written_target(w, edge, &to) {
                    if written != nodes[edge.to].name {
                        edge.ends.push(format!("to {written}"));
                    }
                }
            }
        }
        let (mut placed, mut routed, width, height) = sugiyama::layout(&nodes, &edges);
        for (n, lines) in titles {
            placed[n].lines = lines;
        }
        // Each compound's own drawing inside its box, below its title.
        let mut all_nodes = nodes;
        for (n, d, title) in inner {
            let p = &placed[n];
            let (dx, dy) = (p.x - d.width / 2.0, p.y - p.h / 2.0 + title);
            let base = all_nodes.len();
            all_nodes.extend(d.nodes);
            placed.extend(d.placed.into_iter().map(|q| Placed {
                x: q.x + dx,
                y: q.y + dy,
                ..q
            }));
            routed.extend(d.routed.into_iter().map(|r| shifted(r, dx, dy)));
            edges.extend(d.edges.into_iter().map(|mut e| {
                e.from += base;
                e.to += base;
                e
            }));
        }
        let drawing = Drawing {
            nodes: all_nodes,
            edges,
            placed,
            routed,
            width,
            height,
        };
        match level {
            Some(c) => {
                drawn.insert(c, drawing);
            }
            None => top = Some(drawing),
        }
    }
    let d = top.expect("the top level is laid out last");
    super::draw(
        w, &d.nodes, &d.edges, &d.placed, &d.routed, d.width, d.height,
    )
}

/// The target as the definition writes it (a compound, or a state), for
/// the edge's first target state.
fn written_target(w: &Workflow, edge: &Edge, to: &[String]) -> Option<String> {
    let t = w.transition(turnstile_spec::TransitionId(edge.transition?));
    let leaf = w.state_named(to.first()?)?;
    let i = t.to.iter().position(|s| *s == leaf)?;
    Some(match t.to_compounds.get(i).copied().flatten() {
        Some(c) => w.compound(c).name.to_string(),
        None => w.state(leaf).name.to_string(),
    })
}

/// `r` moved by `(dx, dy)`: every point of its path (written as `x,y`
/// pairs after a command letter) and its label's anchor.
fn shifted(r: Routed, dx: f64, dy: f64) -> Routed {
    let d =
        r.d.split(' ')
            .map(|token| {
                let (command, point) =
                    token.split_at(token.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(0));
                match point.split_once(',') {
                    Some((x, y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
                        (Ok(x), Ok(y)) => format!("{command}{:.1},{:.1}", x + dx, y + dy),
                        _ => token.to_string(),
                    },
                    None => token.to_string(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    Routed {
        d,
        at: (r.at.0 + dx, r.at.1 + dy),
        ..r
    }
}
