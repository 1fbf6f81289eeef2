//! Self-contained SVG, laid out in pure Rust by `layout-rs` (a Sugiyama-style
//! layered layout, as Graphviz's `dot` does): no external program needed.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::model::Workflow;
use crate::render::edge_label;

const FONT: usize = 14;

/// Renders `w` as an SVG document. States are boxes (final states double
/// circles), the initial state is entered from a small `start` circle, a
/// branching event goes through a small diamond-like connector, and edges are
/// labelled `event [guard]`. layout-rs escapes every text it draws.
pub fn svg(w: &Workflow) -> String {
    let orientation = Orientation::TopToBottom;
    let mut graph = VisualGraph::new(orientation);
    let node = |shape: ShapeKind, graph: &mut VisualGraph| {
        let look = StyleAttr::simple();
        let size = get_shape_size(orientation, &shape, FONT, false);
        graph.add_node(Element::create(shape, look, orientation, size))
    };
    let start = node(ShapeKind::new_circle("start"), &mut graph);
    let states: Vec<_> = w
        .states
        .iter()
        .map(|s| {
            let shape = if s.is_final {
                ShapeKind::new_double_circle(s.name.as_str())
            } else {
                ShapeKind::new_box(s.name.as_str())
            };
            node(shape, &mut graph)
        })
        .collect();
    let arrow = |label: &str, style: LineStyleKind| {
        Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            style,
            label,
            &StyleAttr::simple(),
            &None,
            &None,
        )
    };
    graph.add_edge(arrow("", LineStyleKind::Normal), start, states[w.initial.0]);
    for t in &w.transitions {
        let label = edge_label(w, t);
        if t.is_branch() {
            let branch = node(ShapeKind::new_circle("?"), &mut graph);
            for from in &t.from {
                graph.add_edge(arrow(&label, LineStyleKind::Normal), states[from.0], branch);
            }
            for to in &t.to {
                graph.add_edge(arrow("", LineStyleKind::Dashed), branch, states[to.0]);
            }
        } else {
            for from in &t.from {
                graph.add_edge(
                    arrow(&label, LineStyleKind::Normal),
                    states[from.0],
                    states[t.to[0].0],
                );
            }
        }
    }
    let mut writer = SVGWriter::new();
    graph.do_it(false, false, false, &mut writer);
    writer.finalize()
}
