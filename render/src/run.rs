//! A run of the checker of properties (the one that breaks a promise)
//! drawn on the workflow's diagram: its steps in red, numbered, in DOT and
//! in the SVG.

use std::collections::BTreeSet;
use std::fmt::Write;

use turnstile_spec::prove::{actor_text, instant_text, Run, RunEnd};
use turnstile_spec::Workflow;

use crate::xml::escaped;

const RED: &str = "#b91c1c";

/// The label of step `n` (from 1): `1. close by customer at T+1d`.
fn step_label(w: &Workflow, run: &Run, n: usize) -> String {
    let step = &run.steps[n];
    let t = w.transition(step.transition);
    format!(
        "{}. {} {} at {}",
        n + 1,
        t.event,
        actor_text(w, step),
        instant_text(step.at)
    )
}

/// What follows the last step, for a caption.
fn end_label(w: &Workflow, run: &Run) -> String {
    let last = run.steps.last().map_or(run.start, |s| s.to);
    match &run.end {
        RunEnd::Here => format!("ends in {}", w.state(last).name),
        RunEnd::Stays { .. } => format!("stays in {} forever", w.state(last).name),
        RunEnd::Loops { from_step } => format!("then again from step {}, forever", from_step + 1),
    }
}

/// The DOT diagram of `w` ([`crate::dot`]) with the run drawn over it: one
/// red edge per step, labelled with its number, event, actor and instant;
/// the state it starts in and the one it ends in outlined in red.
pub fn dot_run(w: &Workflow, run: &Run) -> String {
    let base = crate::dot(w);
    let mut out = base.trim_end().trim_end_matches('}').to_string();
    let quoted = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let _ = writeln!(out, "  // The run that breaks the promise, step by step.");
    let last = run.steps.last().map_or(run.start, |s| s.to);
    for s in BTreeSet::from([run.start, last]) {
        let _ = writeln!(
            out,
            "  {} [color=\"{RED}\", penwidth=2];",
            quoted(w.state(s).name.as_str())
        );
    }
    for (n, step) in run.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} -> {} [color=\"{RED}\", fontcolor=\"{RED}\", penwidth=2, constraint=false, label={}];",
            quoted(w.state(step.from).name.as_str()),
            quoted(w.state(step.to).name.as_str()),
            quoted(&step_label(w, run, n))
        );
    }
    let _ = writeln!(
        out,
        "  label={};\n  fontcolor=\"{RED}\";",
        quoted(&end_label(w, run))
    );
    out.push_str("}\n");
    out
}

/// The SVG diagram of `w` ([`crate::svg()`]) with the run's edges and
/// states in red, and the steps listed under the title.
pub fn svg_run(w: &Workflow, run: &Run) -> String {
    let base = crate::svg(w);
    let mut rules = String::new();
    for step in &run.steps {
        let t = step.transition.0;
        let from = escaped(w.state(step.from).name.as_str());
        let to = escaped(w.state(step.to).name.as_str());
        let _ = writeln!(
            rules,
            "g.edge[data-transition=\"{t}\"][data-from=\"{from}\"] path, g.edge[data-transition=\"{t}\"][data-from=\"\"][data-to=\"{to}\"] path {{ stroke: {RED}; stroke-width: 3; }}"
        );
    }
    let visited: BTreeSet<_> = std::iter::once(run.start)
        .chain(run.steps.iter().map(|s| s.to))
        .collect();
    for s in visited {
        let _ = writeln!(
            rules,
            "g[data-state=\"{}\"] > rect {{ stroke: {RED}; stroke-width: 3; }}",
            escaped(w.state(s).name.as_str())
        );
    }
    let mut caption: Vec<String> = (0..run.steps.len())
        .map(|n| step_label(w, run, n))
        .collect();
    caption.push(end_label(w, run));
    let style = format!(
        "<style>\n{rules}</style><desc>The run that breaks the promise: start in {}; {}</desc>",
        escaped(w.state(run.start).name.as_str()),
        escaped(&caption.join("; "))
    );
    // After the drawing's title, which stays its first child.
    match base.find("</title>") {
        Some(end) => {
            let end = end + "</title>".len();
            format!("{}\n{style}{}", &base[..end], &base[end..])
        }
        None => base,
    }
}
