//! Drawing a laid-out graph: the looks (colours, markers, fonts), the text
//! measures the layouts use, and the SVG markup of nodes, edges and the
//! legend.

use std::fmt::Write;

use turnstile_spec::Workflow;

use super::{Edge, Kind, Line, Node, Style, FONTS};
use crate::xml::escaped;

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

/// The colours of the looks: (stroke, fill).
pub(crate) mod look {
    pub const INK: &str = "#1f2937";
    pub const MUTED: &str = "#4b5563";
    pub const STATE: (&str, &str) = ("#475569", "#f8fafc");
    pub const INITIAL: (&str, &str) = ("#1d4ed8", "#eff6ff");
    pub const FINAL: (&str, &str) = ("#047857", "#ecfdf5");
    pub const REFUSAL: (&str, &str) = ("#b91c1c", "#fef2f2");
    pub const BRANCH: (&str, &str) = ("#a16207", "#fef9c3");
    pub const COMPOUND: (&str, &str) = ("#94a3b8", "#f1f5f9");
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
    // Compound states' boxes first (outer before inner, as listed), under
    // the edges and states inside them.
    if nodes.iter().any(|n| n.kind == Kind::Compound) {
        svg.push_str("<g class=\"compounds\">\n");
        for (n, p) in nodes.iter().zip(placed) {
            if n.kind == Kind::Compound {
                draw_compound(n, p, &mut svg);
            }
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("<g class=\"edges\">\n");
    for (e, r) in edges.iter().zip(routed) {
        draw_edge(w, nodes, e, r, &mut svg);
    }
    svg.push_str("</g>\n<g class=\"states\">\n");
    for (n, p) in nodes.iter().zip(placed) {
        if n.kind != Kind::Compound {
            draw_node(n, p, &mut svg);
        }
    }
    svg.push_str("</g>\n");
    svg.push_str(&legend);
    svg.push_str("</svg>\n");
    svg
}

fn draw_edge(w: &Workflow, nodes: &[Node], e: &Edge, r: &Routed, svg: &mut String) {
    let end = |n: usize, leaves: &Option<String>| match (leaves, nodes[n].kind) {
        (Some(leaves), _) => escaped(leaves),
        (None, Kind::State | Kind::Final | Kind::Compound) => escaped(&nodes[n].name),
        (None, Kind::Start | Kind::Branch) => String::new(),
    };
    let _ = write!(
        svg,
        "<g class=\"edge {}\" data-from=\"{}\" data-to=\"{}\"",
        style_name(e.style),
        end(e.from, &e.from_leaves),
        end(e.to, &e.to_leaves)
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
                Line::Role => (look::MUTED, " font-style=\"italic\""),
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

/// A compound state: a box around the states inside it, its name and
/// summary at its top left (`p.lines`).
fn draw_compound(n: &Node, p: &Placed, svg: &mut String) {
    let (left, top) = (p.x - p.w / 2.0, p.y - p.h / 2.0);
    let name = escaped(&n.name);
    let (stroke, fill) = look::COMPOUND;
    let folded = if n.folded {
        " data-folded=\"true\""
    } else {
        ""
    };
    let _ = write!(
        svg,
        "<g class=\"compound\" data-compound=\"{name}\"{folded}>"
    );
    if let Some(summary) = &n.summary {
        let _ = write!(svg, "<title>{}</title>", escaped(summary));
    }
    let _ = write!(
        svg,
        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"12\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>\
         <text class=\"name\" x=\"{:.1}\" y=\"{:.1}\" font-weight=\"700\" fill=\"{}\">{name}</text>",
        p.w,
        p.h,
        left + 12.0,
        top + 8.0 + NAME_SIZE,
        look::INK
    );
    if !p.lines.is_empty() {
        let _ = write!(
            svg,
            "<text class=\"summary\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SUMMARY_SIZE}\" fill=\"{}\">",
            left + 12.0,
            top + 12.0 + NAME_SIZE + SUMMARY_LINE,
            look::MUTED
        );
        for (i, line) in p.lines.iter().enumerate() {
            let dy = if i == 0 { 0.0 } else { SUMMARY_LINE };
            let _ = write!(
                svg,
                "<tspan x=\"{:.1}\" dy=\"{dy}\">{}</tspan>",
                left + 12.0,
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
        Kind::Compound => draw_compound(n, p, svg),
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
    if has(&|n| n.kind == Kind::Compound) {
        let (stroke, fill) = look::COMPOUND;
        items.push((
            "compound state (its exits drawn once, at its border)",
            format!(
                "<rect x=\"0\" y=\"-9\" width=\"22\" height=\"14\" rx=\"5\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>"
            ),
        ));
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
