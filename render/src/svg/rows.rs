//! The layout for workflows too large for the Sugiyama-style one: states
//! in rows by their distance (in events) from the initial state, in
//! near-linear time (see [`super::rows`]).

use std::collections::{HashMap, VecDeque};

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
    let (placed, routed, total_w, total_h) = layout(nodes, edges);
    super::draw(w, nodes, edges, &placed, &routed, total_w, total_h)
}

/// Where each node and edge goes, and the drawing's width and height.
fn layout(nodes: &[Node], edges: &[Edge]) -> (Vec<Placed>, Vec<Routed>, f64, f64) {
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
    // Each edge's path and the points along it its label may sit at.
    let paths: Vec<(String, Vec<(f64, f64)>)> = edges
        .iter()
        .map(|e| {
            let (a, b) = (&placed[e.from], &placed[e.to]);
            let (x1, y1, x2, y2) = (a.x, a.y, b.x, b.y);
            if y2 > y1 {
                let (sy, ty) = (y1 + a.h / 2.0, y2 - b.h / 2.0);
                let along = |t: f64| (x1 + (x2 - x1) * t, sy + (ty - sy) * t);
                (
                    format!("M{x1:.1},{sy:.1} L{x2:.1},{ty:.1}"),
                    ALONG.iter().map(|&t| along(t)).collect(),
                )
            } else {
                // Back or sideways: leave from the right, curve out, come back in.
                let (sx, tx) = (x1 + a.w / 2.0, x2 + b.w / 2.0);
                let bend = sx.max(tx) + 40.0 + (y1 - y2).abs() * 0.15;
                let cy = (y1 + y2) / 2.0;
                // The quadratic curve's point at `t`.
                let along = |t: f64| {
                    let u = 1.0 - t;
                    (
                        u * u * sx + 2.0 * u * t * bend + t * t * tx,
                        u * u * y1 + 2.0 * u * t * cy + t * t * y2,
                    )
                };
                (
                    format!("M{sx:.1},{y1:.1} Q{bend:.1},{cy:.1} {tx:.1},{y2:.1}"),
                    ALONG.iter().map(|&t| along(t)).collect(),
                )
            }
        })
        .collect();
    let spots = place_labels(edges, &placed, &paths);
    let routed: Vec<Routed> = edges
        .iter()
        .zip(paths)
        .zip(spots)
        .map(|((e, (d, _)), at)| {
            let label = if e.event.is_empty() {
                Vec::new()
            } else {
                vec![(e.label.clone(), super::Line::Event)]
            };
            Routed {
                d,
                label,
                at,
                middle: true,
            }
        })
        .collect();
    (placed, routed, total_w, total_h)
}

/// Where along an edge its label may sit, in order of preference: the
/// middle first, then outwards (fractions of the path).
const ALONG: [f64; 9] = [0.5, 0.38, 0.62, 0.27, 0.73, 0.17, 0.83, 0.1, 0.9];

/// A label's or a state's box: left, top, right, bottom.
type Area = [f64; 4];

/// The box of a one-line label centred at `(x, y)` (its baseline).
fn label_area(text: &str, (x, y): (f64, f64)) -> Area {
    let half = super::text_width(text, super::LABEL_SIZE) / 2.0 + 2.0;
    [
        x - half,
        y - super::LABEL_SIZE,
        x + half,
        y + 0.35 * super::LABEL_SIZE,
    ]
}

fn overlap(a: &Area, b: &Area) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The boxes taken so far, found by the cells of a coarse grid they
/// touch, so that placing every label stays near-linear.
struct Taken {
    areas: Vec<Area>,
    cells: HashMap<(i64, i64), Vec<usize>>,
}

const CELL: f64 = 64.0;

impl Taken {
    fn cells_of(a: &Area) -> impl Iterator<Item = (i64, i64)> {
        let (x0, x1) = ((a[0] / CELL).floor() as i64, (a[2] / CELL).floor() as i64);
        let (y0, y1) = ((a[1] / CELL).floor() as i64, (a[3] / CELL).floor() as i64);
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    fn add(&mut self, a: Area) {
        let k = self.areas.len();
        for cell in Self::cells_of(&a) {
            self.cells.entry(cell).or_default().push(k);
        }
        self.areas.push(a);
    }

    /// How many boxes taken `a` overlaps.
    fn hits(&self, a: &Area) -> usize {
        let mut seen: Vec<usize> = Self::cells_of(a)
            .filter_map(|c| self.cells.get(&c))
            .flatten()
            .copied()
            .filter(|&k| overlap(a, &self.areas[k]))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }
}

/// Where each edge's label goes: the first point along its path (in the
/// order of [`ALONG`]) where it overlaps no state and no label placed
/// before it; where every point is taken, a row of label height above or
/// below one; failing that, the point it overlaps least at.
fn place_labels(
    edges: &[Edge],
    placed: &[Placed],
    paths: &[(String, Vec<(f64, f64)>)],
) -> Vec<(f64, f64)> {
    let mut taken = Taken {
        areas: Vec::new(),
        cells: HashMap::new(),
    };
    for p in placed {
        taken.add([
            p.x - p.w / 2.0,
            p.y - p.h / 2.0,
            p.x + p.w / 2.0,
            p.y + p.h / 2.0,
        ]);
    }
    edges
        .iter()
        .zip(paths)
        .map(|(e, (_, along))| {
            if e.event.is_empty() {
                return along[0];
            }
            // Beside the path: rows of label height above and below it,
            // then half and whole label widths to either side.
            let step = super::LABEL_LINE + 2.0;
            let half = super::text_width(&e.label, super::LABEL_SIZE) / 2.0 + 6.0;
            let tries = [
                (0.0, 0.0),
                (0.0, -step),
                (0.0, step),
                (half, 0.0),
                (-half, 0.0),
                (0.0, -2.0 * step),
                (0.0, 2.0 * step),
                (2.0 * half, 0.0),
                (-2.0 * half, 0.0),
                (half, -step),
                (half, step),
                (-half, -step),
                (-half, step),
            ];
            let mut best = (usize::MAX, along[0]);
            'search: for (dx, dy) in tries {
                for &(x, y) in along {
                    let at = (x + dx, y + dy);
                    let hits = taken.hits(&label_area(&e.label, at));
                    if hits < best.0 {
                        best = (hits, at);
                        if hits == 0 {
                            break 'search;
                        }
                    }
                }
            }
            taken.add(label_area(&e.label, best.1));
            best.1
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use turnstile_spec::{load, synthetic, SourceFile};

    /// The label boxes of the rows layout that overlap another label or a
    /// state, by the same measure of text the layout uses (Chromium's own
    /// measure is `tests/explorer.rs`'s).
    fn overlaps(text: String) -> (usize, usize, usize) {
        let w = load(&SourceFile::new("synthetic.toml", text)).expect("valid");
        let (nodes, edges) = super::super::graph(&w);
        let (placed, routed, _, _) = layout(&nodes, &edges);
        let labels: Vec<Area> = routed
            .iter()
            .filter(|r| !r.label.is_empty())
            .map(|r| label_area(&r.label[0].0, r.at))
            .collect();
        let mut taken = Taken {
            areas: Vec::new(),
            cells: HashMap::new(),
        };
        for p in &placed {
            taken.add([
                p.x - p.w / 2.0,
                p.y - p.h / 2.0,
                p.x + p.w / 2.0,
                p.y + p.h / 2.0,
            ]);
        }
        let on_states = labels.iter().filter(|a| taken.hits(a) > 0).count();
        let mut crowded = 0;
        let mut others = Taken {
            areas: Vec::new(),
            cells: HashMap::new(),
        };
        for a in &labels {
            crowded += usize::from(others.hits(a) > 0);
            others.add(*a);
        }
        (labels.len(), crowded, on_states)
    }

    #[test]
    fn labels_of_a_thousand_states_do_not_overlap() {
        for (name, text) in [
            ("chain", synthetic::chain(1_000)),
            ("jumps", synthetic::definition(1_000, 3)),
        ] {
            let (labels, crowded, on_states) = overlaps(text);
            assert!(labels > 1_500, "{name}: {labels} labels");
            assert_eq!(
                (crowded, on_states),
                (0, 0),
                "{name}: of {labels} labels, overlapping a label, a state"
            );
        }
    }
}
