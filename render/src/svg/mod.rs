//! Self-contained SVG, laid out in pure Rust: no external program needed.
//!
//! Workflows of up to [`LAYERED_MAX_EDGES`] edges (every reference workflow
//! among them) get a Sugiyama-style layered layout (`layout.rs`) in which
//! every edge label is a box of its own in a row between the states' rows,
//! as Graphviz's `dot` lays labels out: labels cannot overlap each other,
//! and no edge crosses a label because inside a row every edge runs
//! straight down through a slot of its own. States show their summaries
//! wrapped under their names. Larger workflows get [`rows`], rows by
//! distance from the initial state, in near-linear time, names only. A
//! definition with compound states is drawn nested (`nested.rs`): each
//! compound a box around the states inside it, its exits drawn once at its
//! border.
//!
//! Both drawings share one look and one structure, which the explorer
//! (`render --format html`) relies on: every state is a
//! `<g class="state" data-state="name">`, every edge a
//! `<g class="edge" data-transition="index" data-from="…" data-to="…">`
//! (an empty `data-from` or `data-to` is the `?` node of a branching event).

use turnstile_spec::Workflow;

mod draw;
mod graph;
mod nested;
mod rows;
mod sugiyama;

pub(crate) use draw::*;
pub(crate) use graph::*;

/// The fonts of every text, widest last: the width estimates
/// assume DejaVu Sans, the widest of them.
pub const FONTS: &str =
    "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

/// The most edges given to the Sugiyama-style layout. Its crossing
/// reduction compares the edges between each pair of adjacent rows, which
/// grows with the square of a row's edges; past this, [`svg`] uses
/// [`rows`].
pub const LAYERED_MAX_EDGES: usize = 400;

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
        if !w.compounds.is_empty() {
            return nested::render(w, None);
        }
        sugiyama::render(w, &nodes, &edges)
    } else {
        rows::render(w, &nodes, &edges)
    }
}

/// [`svg`] with the compound state `compound` folded: drawn as its box
/// alone, the edges to and from the states inside it at its border. `None`
/// for a workflow drawn by the rows layout (past [`LAYERED_MAX_EDGES`]),
/// which does not draw compounds.
pub fn svg_folded(w: &Workflow, compound: turnstile_spec::CompoundId) -> Option<String> {
    let (_, edges) = graph(w);
    (edges.len() <= LAYERED_MAX_EDGES && compound.0 < w.compounds.len())
        .then(|| nested::render(w, Some(compound)))
}

/// A layered layout in near-linear time, for workflows too large for the
/// Sugiyama-style one: states sit in rows by their distance (in events)
/// from the initial state, ordered within a row by two barycenter sweeps;
/// forward edges are straight, edges back or within a row curve to the
/// side. The drawing has the same marks and structure as [`svg`]'s, without
/// the summaries under the names (they stay tooltips) and with one-line
/// edge labels. Every text is XML-escaped.
pub fn rows(w: &Workflow) -> String {
    let (nodes, edges) = graph(w);
    rows::render(w, &nodes, &edges)
}
