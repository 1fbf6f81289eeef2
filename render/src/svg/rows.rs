//! The layout for workflows too large for the Sugiyama-style one: states
//! in rows by their distance (in events) from the initial state, in
//! near-linear time (see [`super::rows`]).

use std::collections::VecDeque;

use super::{Edge, Kind, Node, Placed, Routed, Workflow};

const ROW: f64 = 110.0;
const GAP: f64 = 40.0;
const HEIGHT: f64 = 34.0;
const MARGIN: f64 = 30.0;

fn width(node: &Node) -> f64 {
    match node.kind {
        Kind::Start | Kind::Branch => 24.0,
        Kind::State | Kind::Final | Kind::Compound => {
            24.0 + super::text_width(&node.name, super::NAME_SIZE)
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
                Kind::State | Kind::Final | Kind::Compound => HEIGHT,
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
