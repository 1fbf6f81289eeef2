//! A Sugiyama-style layered layout with labels as boxes of their own.
//!
//! 1. Cycles are broken by reversing the edges a depth-first search from
//!    the start finds going back (they are drawn with the arrow at the
//!    other end, so they still point the right way).
//! 2. Each node gets the row of its longest path from a source; rows of
//!    nodes alternate with rows for labels. An edge that spans rows gets a
//!    chain of zero-width slots, one per row in between, and its label is
//!    the slot in the row right after its source (before it, for a
//!    reversed edge).
//! 3. Rows are ordered by barycenter sweeps, down and up, keeping the
//!    order with the fewest crossings.
//! 4. Horizontal places: each row in turn moves its slots as close as it
//!    can to the mean place of their neighbours, keeping their order and
//!    the gaps between them (isotonic regression by pooling adjacent
//!    violators); edge slots weigh more, so long edges run straight.
//! 5. Inside a row every edge runs straight down at its slot's place, so
//!    nothing in a row can cross another thing of the row; between rows,
//!    where there is nothing but edges, edges are curves with vertical
//!    tangents.

use super::{text_width, LABEL_LINE, LABEL_SIZE, NAME_SIZE, SUMMARY_LINE, SUMMARY_SIZE};
use super::{wrap, Edge, Kind, Node, Placed, Routed, Workflow};

/// The horizontal gap between two things in a row.
const GAP: f64 = 18.0;
/// The vertical gap between two rows.
const ROW_GAP: f64 = 22.0;
/// The space around the drawing.
const MARGIN: f64 = 16.0;
/// The gap between an edge and its label's text.
const LABEL_PAD: f64 = 5.0;
/// How many characters a summary line holds.
const SUMMARY_WIDTH: usize = 38;
/// How much an edge's slot weighs against a state's when places are set.
const EDGE_WEIGHT: f64 = 4.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum What {
    Node(usize),
    /// A slot of edge `e`; `true` if it carries the label.
    Edge(usize, bool),
}

struct Slot {
    what: What,
    layer: usize,
    /// The extent left and right of the slot's place.
    left: f64,
    right: f64,
    height: f64,
}

/// The size of a node as drawn, and its summary lines.
fn size(node: &Node) -> (f64, f64, Vec<String>) {
    match node.kind {
        Kind::Start => (14.0, 14.0, Vec::new()),
        Kind::Branch => (26.0, 26.0, Vec::new()),
        Kind::Compound => {
            let (w, h) = node.block.unwrap_or((40.0, 34.0));
            (w, h, Vec::new())
        }
        Kind::State | Kind::Final => {
            let mut lines = node
                .summary
                .as_deref()
                .map(|s| wrap(s, SUMMARY_WIDTH))
                .unwrap_or_default();
            if let Some(permits) = &node.permits {
                lines.extend(wrap(permits, SUMMARY_WIDTH));
            }
            let name = text_width(&node.name, NAME_SIZE) * 1.08;
            let widest = lines
                .iter()
                .map(|l| text_width(l, SUMMARY_SIZE))
                .fold(name, f64::max);
            let height = if lines.is_empty() {
                34.0
            } else {
                8.0 + NAME_SIZE + 6.0 + lines.len() as f64 * SUMMARY_LINE + 10.0
            };
            (widest + 22.0, height, lines)
        }
    }
}

/// The nodes' layer (row of nodes) and which edges were reversed.
fn layers(nodes: usize, edges: &[Edge]) -> (Vec<usize>, Vec<bool>) {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (i, e) in edges.iter().enumerate() {
        if e.from != e.to {
            out[e.from].push(i);
        }
    }
    // Depth-first search from the start, then from anything not reached.
    let mut reversed = vec![false; edges.len()];
    let mut mark = vec![0u8; nodes]; // 0 new, 1 on the path, 2 done
    for root in 0..nodes {
        if mark[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = 1;
        while let Some(&mut (n, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[n].get(*next) {
                *next += 1;
                let m = edges[e].to;
                match mark[m] {
                    0 => {
                        mark[m] = 1;
                        stack.push((m, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                mark[n] = 2;
                stack.pop();
            }
        }
    }
    // Longest path from the sources, in topological order.
    let mut indegree = vec![0usize; nodes];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (i, e) in edges.iter().enumerate() {
        if e.from == e.to {
            continue;
        }
        let (a, b) = if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        succ[a].push(b);
        indegree[b] += 1;
    }
    let mut layer = vec![0usize; nodes];
    let mut ready: Vec<usize> = (0..nodes).rev().filter(|&n| indegree[n] == 0).collect();
    while let Some(n) = ready.pop() {
        for &m in &succ[n] {
            layer[m] = layer[m].max(layer[n] + 1);
            indegree[m] -= 1;
            if indegree[m] == 0 {
                ready.push(m);
            }
        }
    }
    (layer, reversed)
}

/// The number of crossings between two adjacent rows' connections, each
/// given as (place above, place below).
fn crossings(links: &mut [(usize, usize)]) -> usize {
    links.sort_unstable();
    let mut count = 0;
    for i in 0..links.len() {
        for j in i + 1..links.len() {
            if links[i].0 < links[j].0 && links[i].1 > links[j].1 {
                count += 1;
            }
        }
    }
    count
}

/// The places closest to `want` (weighted by `weight`) that keep the order
/// and at least `gap[i]` between place `i` and place `i + 1`.
fn pack(want: &[f64], weight: &[f64], gap: &[f64]) -> Vec<f64> {
    let mut offset = vec![0.0; want.len()];
    for i in 1..want.len() {
        offset[i] = offset[i - 1] + gap[i - 1];
    }
    // Blocks of (total weight, weighted sum, count), non-decreasing means.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for i in 0..want.len() {
        blocks.push((weight[i], weight[i] * (want[i] - offset[i]), 1));
        while blocks.len() > 1 {
            let (w2, s2, c2) = blocks[blocks.len() - 1];
            let (w1, s1, c1) = blocks[blocks.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (w1 + w2, s1 + s2, c1 + c2);
        }
    }
    let mut out = Vec::with_capacity(want.len());
    for (w, s, c) in blocks {
        for _ in 0..c {
            out.push(s / w + offset[out.len()]);
        }
    }
    out
}

pub(super) fn render(w: &Workflow, nodes: &[Node], edges: &[Edge]) -> String {
    let (placed, routed, width, total_height) = layout(nodes, edges);
    super::draw(w, nodes, edges, &placed, &routed, width, total_height)
}

/// Where the layout puts each node and edge, and the drawing's width and
/// height.
pub(super) fn layout(nodes: &[Node], edges: &[Edge]) -> (Vec<Placed>, Vec<Routed>, f64, f64) {
    let sizes: Vec<(f64, f64, Vec<String>)> = nodes.iter().map(size).collect();
    let labels: Vec<Vec<(String, super::Line)>> = edges.iter().map(Edge::lines).collect();
    let (node_layer, reversed) = layers(nodes.len(), edges);
    // Each edge's ends as laid out, upper first (a reversed edge is laid
    // out from its target); `None` for a self-loop, drawn beside its state.
    let ends: Vec<Option<(usize, usize)>> = edges
        .iter()
        .zip(&reversed)
        .map(|(e, &rev)| match (e.from == e.to, rev) {
            (true, _) => None,
            (false, false) => Some((e.from, e.to)),
            (false, true) => Some((e.to, e.from)),
        })
        .collect();
    let rows = 2 * node_layer.iter().copied().max().unwrap_or(0) + 1;

    // Self-loops widen their state to the right, by their widest label
    // (their labels stack).
    let mut loop_room = vec![0.0f64; nodes.len()];
    for (i, e) in edges.iter().enumerate() {
        if e.from == e.to {
            let label = labels[i]
                .iter()
                .map(|(l, _)| text_width(l, LABEL_SIZE))
                .fold(0.0, f64::max);
            loop_room[e.from] = loop_room[e.from].max(30.0 + label);
        }
    }

    // Slots: the nodes, then each edge's chain.
    let mut slots: Vec<Slot> = nodes
        .iter()
        .enumerate()
        .map(|(n, _)| Slot {
            what: What::Node(n),
            layer: 2 * node_layer[n],
            left: sizes[n].0 / 2.0,
            right: sizes[n].0 / 2.0 + loop_room[n],
            height: sizes[n].1,
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = vec![Vec::new(); edges.len()];
    for (i, end) in ends.iter().enumerate() {
        let Some((top, bottom)) = *end else { continue };
        let (first, last) = (2 * node_layer[top] + 1, 2 * node_layer[bottom] - 1);
        let label_layer = if reversed[i] { last } else { first };
        for layer in first..=last {
            let label = layer == label_layer && !labels[i].is_empty();
            let (right, height) = if label {
                let width = labels[i]
                    .iter()
                    .map(|(l, _)| text_width(l, LABEL_SIZE))
                    .fold(0.0, f64::max);
                (LABEL_PAD + width, labels[i].len() as f64 * LABEL_LINE + 2.0)
            } else {
                (0.0, 0.0)
            };
            chains[i].push(slots.len());
            slots.push(Slot {
                what: What::Edge(i, label),
                layer,
                left: 0.0,
                right,
                height,
            });
        }
    }

    // Neighbours of each slot in the row above and below.
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for (i, end) in ends.iter().enumerate() {
        let Some((top, bottom)) = *end else { continue };
        let mut path = vec![top];
        path.extend(&chains[i]);
        path.push(bottom);
        for pair in path.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
    }

    // Rows, first in the order of a depth-first walk.
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); rows];
    {
        let mut seen = vec![false; slots.len()];
        let mut stack: Vec<usize> = (0..nodes.len()).rev().collect();
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            order[slots[s].layer].push(s);
            stack.extend(down[s].iter().rev().filter(|&&d| !seen[d]));
        }
    }
    let mut pos = vec![0usize; slots.len()];
    let index = |order: &[Vec<usize>], pos: &mut [usize]| {
        for row in order {
            for (i, &s) in row.iter().enumerate() {
                pos[s] = i;
            }
        }
    };
    let count = |order: &[Vec<usize>], pos: &[usize]| -> usize {
        (0..rows.saturating_sub(1))
            .map(|r| {
                let mut links: Vec<(usize, usize)> = order[r]
                    .iter()
                    .flat_map(|&s| down[s].iter().map(move |&d| (s, d)))
                    .map(|(s, d)| (pos[s], pos[d]))
                    .collect();
                crossings(&mut links)
            })
            .sum()
    };
    index(&order, &mut pos);
    let mut best = (count(&order, &pos), order.clone());
    for round in 0..24 {
        let downward = round % 2 == 0;
        let rows_in_turn: Vec<usize> = if downward {
            (1..rows).collect()
        } else {
            (0..rows.saturating_sub(1)).rev().collect()
        };
        for r in rows_in_turn {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize, usize)> = order[r]
                .iter()
                .enumerate()
                .map(|(i, &s)| {
                    let ns = &neighbours[s];
                    let key = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|&m| pos[m] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (key, i, s)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[r] = keyed.into_iter().map(|(_, _, s)| s).collect();
            for (i, &s) in order[r].iter().enumerate() {
                pos[s] = i;
            }
        }
        let crossed = count(&order, &pos);
        if crossed < best.0 {
            best = (crossed, order.clone());
        }
    }
    let order = best.1;

    // Horizontal places.
    let mut x = vec![0.0f64; slots.len()];
    for row in &order {
        let mut at = 0.0;
        for (i, &s) in row.iter().enumerate() {
            if i > 0 {
                at += slots[row[i - 1]].right + GAP + slots[s].left;
            }
            x[s] = at;
        }
    }
    let weight = |s: usize| match slots[s].what {
        What::Node(_) => 1.0,
        What::Edge(..) => EDGE_WEIGHT,
    };
    for round in 0..40 {
        let downward = round % 2 == 0;
        let rows_in_turn: Vec<usize> = if downward {
            (0..rows).collect()
        } else {
            (0..rows).rev().collect()
        };
        for r in rows_in_turn {
            let row = &order[r];
            if row.is_empty() {
                continue;
            }
            let want: Vec<f64> = row
                .iter()
                .map(|&s| {
                    let (first, second) = if downward {
                        (&up[s], &down[s])
                    } else {
                        (&down[s], &up[s])
                    };
                    let ns = if first.is_empty() { second } else { first };
                    if ns.is_empty() {
                        x[s]
                    } else {
                        let total: f64 = ns.iter().map(|&m| weight(m)).sum();
                        ns.iter().map(|&m| weight(m) * x[m]).sum::<f64>() / total
                    }
                })
                .collect();
            let weights: Vec<f64> = row.iter().map(|&s| weight(s)).collect();
            let gaps: Vec<f64> = row
                .windows(2)
                .map(|p| slots[p[0]].right + GAP + slots[p[1]].left)
                .collect();
            for (&s, place) in row.iter().zip(pack(&want, &weights, &gaps)) {
                x[s] = place;
            }
        }
    }
    let left_most = slots
        .iter()
        .enumerate()
        .map(|(s, slot)| x[s] - slot.left)
        .fold(f64::INFINITY, f64::min);
    for v in &mut x {
        *v += MARGIN - left_most;
    }
    let width = slots
        .iter()
        .enumerate()
        .map(|(s, slot)| x[s] + slot.right)
        .fold(0.0, f64::max)
        + MARGIN;

    // Rows' tops and heights.
    let mut height = vec![0.0f64; rows];
    for slot in &slots {
        height[slot.layer] = height[slot.layer].max(slot.height);
    }
    let mut top = vec![0.0f64; rows];
    let mut y = MARGIN;
    for r in 0..rows {
        top[r] = y;
        y += height[r] + ROW_GAP;
    }
    let total_height = y - ROW_GAP + MARGIN;
    let centre = |s: usize| top[slots[s].layer] + height[slots[s].layer] / 2.0;

    // Ports: where edges leave a state's bottom and enter its top, spread
    // over its width in the order of what they come from or go to.
    let mut out_port = vec![0.0f64; edges.len()];
    let mut in_port = vec![0.0f64; edges.len()];
    let mut leaving: Vec<Vec<(f64, usize)>> = vec![Vec::new(); nodes.len()];
    let mut entering: Vec<Vec<(f64, usize)>> = vec![Vec::new(); nodes.len()];
    for (i, end) in ends.iter().enumerate() {
        let Some((top_node, bottom_node)) = *end else {
            continue;
        };
        let (first, last) = (chains[i][0], chains[i][chains[i].len() - 1]);
        leaving[top_node].push((x[first], i));
        entering[bottom_node].push((x[last], i));
    }
    for (n, (leaving, entering)) in leaving.iter_mut().zip(&mut entering).enumerate() {
        let spread = match nodes[n].kind {
            Kind::State | Kind::Final | Kind::Compound => (sizes[n].0 - 24.0).max(0.0),
            Kind::Start | Kind::Branch => 0.0,
        };
        for (list, ports) in [(leaving, &mut out_port), (entering, &mut in_port)] {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = list.len() as f64;
            for (j, &(_, e)) in list.iter().enumerate() {
                ports[e] = x[n] - spread / 2.0 + spread * (j as f64 + 1.0) / (k + 1.0);
            }
        }
    }

    let placed: Vec<Placed> = nodes
        .iter()
        .enumerate()
        .map(|(n, _)| Placed {
            x: x[n],
            y: centre(n),
            w: sizes[n].0,
            h: sizes[n].1,
            lines: sizes[n].2.clone(),
        })
        .collect();

    // Several self-loops on one state share its loop, their labels stacked
    // beside it, centred on the state: the first line of each at `loop_y`.
    let mut loop_y = vec![0.0f64; edges.len()];
    for (n, node) in placed.iter().enumerate() {
        let loops: Vec<usize> = (0..edges.len())
            .filter(|&i| ends[i].is_none() && edges[i].from == n)
            .collect();
        let gap = 6.0;
        let total: f64 = loops
            .iter()
            .map(|&i| labels[i].len() as f64 * LABEL_LINE)
            .sum::<f64>()
            + gap * (loops.len().max(1) - 1) as f64;
        let mut y = node.y - total / 2.0 + LABEL_LINE / 2.0 + 4.0;
        for &i in &loops {
            loop_y[i] = y;
            y += labels[i].len() as f64 * LABEL_LINE + gap;
        }
    }
    let routed: Vec<Routed> = edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let Some((top_node, bottom_node)) = ends[i] else {
                let p = &placed[e.from];
                let (sx, sy) = (p.x + p.w / 2.0, p.y);
                return Routed {
                    d: format!(
                        "M{sx:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {sx:.1},{:.1}",
                        sy - 6.0,
                        sx + 26.0,
                        sy - 18.0,
                        sx + 26.0,
                        sy + 18.0,
                        sy + 6.0
                    ),
                    label: labels[i].clone(),
                    at: (sx + 30.0, loop_y[i]),
                    middle: false,
                };
            };
            let mut points: Vec<(f64, f64)> = Vec::new();
            let a = &placed[top_node];
            points.push((out_port[i], a.y + a.h / 2.0));
            points.push((
                out_port[i],
                top[slots[top_node].layer] + height[slots[top_node].layer],
            ));
            let mut at = (0.0, 0.0);
            for &s in &chains[i] {
                let layer = slots[s].layer;
                points.push((x[s], top[layer]));
                points.push((x[s], top[layer] + height[layer]));
                if let What::Edge(_, true) = slots[s].what {
                    let lines = labels[i].len() as f64;
                    let text_top = top[layer] + (height[layer] - (lines * LABEL_LINE)) / 2.0;
                    at = (x[s] + LABEL_PAD, text_top + LABEL_SIZE * 0.85);
                }
            }
            let b = &placed[bottom_node];
            points.push((in_port[i], top[slots[bottom_node].layer]));
            points.push((in_port[i], b.y - b.h / 2.0));
            if reversed[i] {
                points.reverse();
            }
            points.dedup_by(|b, a| (a.0 - b.0).abs() < 0.05 && (a.1 - b.1).abs() < 0.05);
            let mut d = format!("M{:.1},{:.1}", points[0].0, points[0].1);
            for pair in points.windows(2) {
                let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
                if (x1 - x2).abs() < 0.05 {
                    d.push_str(&format!(" L{x2:.1},{y2:.1}"));
                } else {
                    let mid = (y1 + y2) / 2.0;
                    d.push_str(&format!(
                        " C{x1:.1},{mid:.1} {x2:.1},{mid:.1} {x2:.1},{y2:.1}"
                    ));
                }
            }
            Routed {
                d,
                label: labels[i].clone(),
                at,
                middle: false,
            }
        })
        .collect();
    (placed, routed, width, total_height)
}
