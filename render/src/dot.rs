//! Graphviz DOT.

use std::fmt::Write;

use crate::edge_label;
use turnstile_spec::{CompoundId, StateId, Transition, Workflow};

/// Escapes `text` for a double-quoted DOT string: backslashes and quotes
/// are escaped, line breaks become `\n`, so nothing ends the string early;
/// other control characters (a NUL ends Graphviz's reading of the file)
/// become spaces, as in every other format.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            // Graphviz decodes HTML entities in strings: `&lt;` would show `<`.
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The cluster of compound `c`, `depth` levels in: its label and summary,
/// its leaves, and the clusters of the compounds inside it.
fn cluster(w: &Workflow, c: CompoundId, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let compound = w.compound(c);
    let _ = writeln!(
        out,
        "{pad}subgraph {} {{",
        quoted(&format!("cluster_{}", compound.name))
    );
    let _ = writeln!(
        out,
        "{pad}  label={}; style=\"rounded,dashed\"; fontname=\"Helvetica\";",
        quoted(compound.name.as_str())
    );
    if let Some(summary) = &compound.summary {
        let _ = writeln!(out, "{pad}  tooltip={};", quoted(summary));
    }
    for (i, s) in w.states.iter().enumerate() {
        if s.parent == Some(c) {
            let _ = writeln!(out, "{pad}  {};", quoted(w.state(StateId(i)).name.as_str()));
        }
    }
    for (i, inner) in w.compounds.iter().enumerate() {
        if inner.parent == Some(c) {
            cluster(w, CompoundId(i), depth + 1, out);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}

/// The states `t` is drawn from, each with its `ltail`: a compound it is
/// written `from` whose every state it leaves is drawn once, from the
/// cluster's border (unless a target is inside it, which Graphviz cannot
/// draw so); the other states one edge each.
fn sources(w: &Workflow, t: &Transition, targets: &[StateId]) -> Vec<(StateId, String)> {
    let mut out: Vec<(StateId, String)> = Vec::new();
    let mut covered: Vec<StateId> = Vec::new();
    for c in &t.from_compounds {
        let leaves = w.leaves_of(*c);
        let whole = leaves.iter().all(|s| t.from.contains(s));
        let holds_target = targets.iter().any(|s| leaves.contains(s));
        // An outer compound already drawn covers this one.
        if !whole || holds_target || leaves.iter().all(|s| covered.contains(s)) {
            continue;
        }
        out.retain(|(s, _)| !leaves.contains(s));
        covered.extend(&leaves);
        let tail = format!(
            ", ltail={}",
            quoted(&format!("cluster_{}", w.compound(*c).name))
        );
        out.push((leaves[0], tail));
    }
    out.extend(
        t.from
            .iter()
            .filter(|s| !covered.contains(s))
            .map(|s| (*s, String::new())),
    );
    out
}

/// The `lhead` of the edge into `t`'s target `i`: the cluster of the
/// compound written there, unless a source is inside it.
fn head(w: &Workflow, t: &Transition, i: usize, sources: &[StateId]) -> String {
    match t.to_compounds.get(i).copied().flatten() {
        Some(c) if !sources.iter().any(|s| w.ancestors(*s).contains(&c)) => {
            format!(
                ", lhead={}",
                quoted(&format!("cluster_{}", w.compound(c).name))
            )
        }
        _ => String::new(),
    }
}

/// Renders `w` as a Graphviz `digraph`: the initial state marked by an arrow
/// from a point, final states with a double border, a branching event as a
/// diamond, guards as `[guard]`, summaries as tooltips.
pub fn dot(w: &Workflow) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quoted(w.name.as_str()));
    if let Some(summary) = &w.summary {
        let _ = writeln!(out, "  tooltip={};", quoted(summary));
    }
    out.push_str("  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
    if !w.compounds.is_empty() {
        // Edges may end at a cluster's border (`ltail`, `lhead`).
        out.push_str("  compound=true;\n");
    }
    // One start point, or one per parallel region.
    let starts: Vec<(String, StateId)> = if w.regions.is_empty() {
        vec![("__start".to_string(), w.initial)]
    } else {
        w.regions
            .iter()
            .map(|r| {
                (
                    format!("__start_{}", w.compound(r.compound).name),
                    r.initial,
                )
            })
            .collect()
    };
    for (point, _) in &starts {
        let _ = writeln!(out, "  {} [shape=point, label=\"\"];", quoted(point));
    }
    for s in &w.states {
        let label = match crate::permits_label(w, s) {
            Some(permits) => format!("{}\n{permits}", s.name),
            None => s.name.to_string(),
        };
        let mut attrs = vec![format!("label={}", quoted(&label))];
        if s.is_final {
            attrs.push("peripheries=2".to_string());
        }
        if let Some(summary) = &s.summary {
            attrs.push(format!("tooltip={}", quoted(summary)));
        }
        let _ = writeln!(out, "  {} [{}];", quoted(s.name.as_str()), attrs.join(", "));
    }
    // Nested states: each compound a cluster around the states inside it.
    for (i, c) in w.compounds.iter().enumerate() {
        if c.parent.is_none() {
            cluster(w, CompoundId(i), 1, &mut out);
        }
    }
    let name = |s: StateId| quoted(w.state(s).name.as_str());
    for (point, initial) in &starts {
        let _ = writeln!(out, "  {} -> {};", quoted(point), name(*initial));
    }
    for (i, t) in w.transitions.iter().enumerate() {
        let mut attrs = vec![format!("label={}", quoted(&edge_label(w, t)))];
        if let Some(summary) = &t.summary {
            attrs.push(format!("tooltip={}", quoted(summary)));
        }
        let attrs = attrs.join(", ");
        if t.is_branch() {
            let branch = format!("\"__branch_{i}\"");
            let _ = writeln!(
                out,
                "  {branch} [shape=diamond, label=\"\", width=0.3, height=0.3, tooltip={}];",
                quoted(&format!("outcome of {}", t.event))
            );
            for (from, tail) in sources(w, t, &[]) {
                let _ = writeln!(out, "  {} -> {branch} [{attrs}{tail}];", name(from));
            }
            for (i, to) in t.to.iter().enumerate() {
                let head = head(w, t, i, &[]);
                let _ = writeln!(out, "  {branch} -> {} [style=dashed{head}];", name(*to));
            }
        } else {
            let head = head(w, t, 0, &t.from);
            for (from, tail) in sources(w, t, &t.to) {
                let _ = writeln!(
                    out,
                    "  {} -> {} [{attrs}{tail}{head}];",
                    name(from),
                    name(t.to[0])
                );
            }
        }
    }
    out.push_str("}\n");
    out
}
