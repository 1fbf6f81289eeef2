//! Mermaid `stateDiagram-v2`.

use std::fmt::Write;

use crate::edge_label;
use turnstile_spec::{CompoundId, State, Workflow};

/// Escapes free text for a Mermaid label: anything but letters, digits,
/// spaces and harmless punctuation becomes an entity code (`#35;`), which
/// Mermaid decodes, so `:`, `;`, `#`, `%%`, `{`, `|` or `-->` cannot start
/// syntax. Line breaks and every other control character become spaces.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_control() => out.push(' '),
            c if c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ' ' | '_' | '.' | ',' | '(' | ')' | '[' | ']' | '\'' | '/' | '?' | '!'
                ) =>
            {
                out.push(c)
            }
            c => {
                let _ = write!(out, "#{};", u32::from(c));
            }
        }
    }
    out
}

/// A state's line: its name, summary and what it permits.
fn state_line(w: &Workflow, s: &State, depth: usize, out: &mut String) {
    let mut description = s.name.to_string();
    if let Some(summary) = &s.summary {
        description.push_str("<br>");
        description.push_str(&text(summary));
    }
    if let Some(permits) = crate::permits_label(w, s) {
        description.push_str("<br>");
        description.push_str(&text(&permits));
    }
    let _ = writeln!(out, "{}{} : {description}", "    ".repeat(depth), s.name);
}

/// The composite state of compound `c`: its leaves and the compounds
/// inside it.
fn composite(w: &Workflow, c: CompoundId, depth: usize, out: &mut String) {
    let pad = "    ".repeat(depth);
    let _ = writeln!(out, "{pad}state {} {{", w.compound(c).name);
    // A region starts in its own initial state.
    if let Some(region) = w.regions.iter().find(|r| r.compound == c) {
        let _ = writeln!(out, "{pad}    [*] --> {}", w.state(region.initial).name);
    }
    for s in w.states.iter().filter(|s| s.parent == Some(c)) {
        state_line(w, s, depth + 1, out);
    }
    for (i, inner) in w.compounds.iter().enumerate() {
        if inner.parent == Some(c) {
            composite(w, CompoundId(i), depth + 1, out);
        }
    }
    let _ = writeln!(out, "{pad}}}");
}

/// Renders `w` as a Mermaid state diagram: `[*]` for start and end, a
/// `<<choice>>` node for each branching event, guards as `[guard]`,
/// summaries as state descriptions.
pub fn mermaid(w: &Workflow) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    if let Some(summary) = &w.summary {
        let _ = writeln!(out, "    %% {}", text(summary));
    }
    for s in w.states.iter().filter(|s| s.parent.is_none()) {
        state_line(w, s, 1, &mut out);
    }
    if w.regions.is_empty() {
        // Nested states: each compound a composite state around its children.
        for (i, c) in w.compounds.iter().enumerate() {
            if c.parent.is_none() {
                composite(w, CompoundId(i), 1, &mut out);
            }
        }
        let _ = writeln!(out, "    [*] --> {}", w.state(w.initial).name);
    } else {
        // Parallel regions: one composite state holding each region,
        // separated by Mermaid's concurrency marker `--`.
        let _ = writeln!(out, "    state \"{}\" as __regions {{", w.name);
        for (i, r) in w.regions.iter().enumerate() {
            if i > 0 {
                out.push_str("        --\n");
            }
            composite(w, r.compound, 2, &mut out);
        }
        out.push_str("    }\n    [*] --> __regions\n");
    }
    for (i, t) in w.transitions.iter().enumerate() {
        let label = text(&edge_label(w, t));
        if t.is_branch() {
            let branch = format!("{}_outcome_{i}", t.event);
            let _ = writeln!(out, "    state {branch} <<choice>>");
            for from in &t.from {
                let _ = writeln!(out, "    {} --> {branch} : {label}", w.state(*from).name);
            }
            for to in &t.to {
                let _ = writeln!(out, "    {branch} --> {}", w.state(*to).name);
            }
        } else {
            for from in &t.from {
                let _ = writeln!(
                    out,
                    "    {} --> {} : {label}",
                    w.state(*from).name,
                    w.state(t.to[0]).name
                );
            }
        }
    }
    for s in w.states.iter().filter(|s| s.is_final) {
        let _ = writeln!(out, "    {} --> [*]", s.name);
    }
    out
}
