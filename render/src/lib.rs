//! Diagrams of a workflow: DOT, Mermaid and self-contained SVG.
//!
//! Every renderer is deterministic (the same model gives byte-identical
//! output) and escapes names and summaries for its own format, so no
//! summary can break out of a label.

pub mod access;
mod dot;
#[cfg(feature = "html")]
pub mod html;
mod mermaid;
pub mod run;
pub mod svg;
mod xml;

use turnstile_spec::{Transition, Workflow};

pub use dot::dot;
#[cfg(feature = "html")]
pub use html::{html, inspector};
pub use mermaid::mermaid;
pub use svg::svg;

/// A diagram format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Graphviz DOT.
    Dot,
    /// Mermaid `stateDiagram-v2`.
    Mermaid,
    /// SVG laid out in pure Rust: no external program.
    Svg,
    /// The explorer: one self-contained HTML page with the SVG, a
    /// simulator, the test plan and search (feature `html`).
    #[cfg(feature = "html")]
    Html,
}

impl Format {
    /// The file extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Mermaid => "mmd",
            Format::Svg => "svg",
            #[cfg(feature = "html")]
            Format::Html => "html",
        }
    }

    /// Renders `workflow` in this format.
    pub fn render(self, workflow: &Workflow) -> String {
        match self {
            Format::Dot => dot(workflow),
            Format::Mermaid => mermaid(workflow),
            Format::Svg => svg(workflow),
            #[cfg(feature = "html")]
            Format::Html => html(workflow),
        }
    }
}

/// Who may fire a transition, as its edge says it: `by staff or customer`;
/// `None` when anyone may.
pub(crate) fn roles_label(w: &Workflow, t: &Transition) -> Option<String> {
    (!t.by.is_empty()).then(|| {
        let roles: Vec<&str> = t.by.iter().map(|r| w.role(*r).name.as_str()).collect();
        format!("by {}", roles.join(" or "))
    })
}

/// What a state permits, as its box says it: `permits log_in, view_bills`;
/// `None` when it permits nothing the definition names.
pub(crate) fn permits_label(w: &Workflow, s: &turnstile_spec::State) -> Option<String> {
    (!s.permits.is_empty()).then(|| {
        let names: Vec<&str> = s
            .permits
            .iter()
            .map(|c| w.capability(*c).name.as_str())
            .collect();
        format!("permits {}", names.join(", "))
    })
}

/// What a transition brings, as its edge says it: `brings Materials`;
/// `None` when it brings nothing.
pub(crate) fn payload_label(t: &Transition) -> Option<String> {
    t.payload.as_ref().map(|p| format!("brings {}", p.ty))
}

/// A transition's conditions on other regions, in words: `when no_partner
/// and in_good_standing` (`None` without `when`).
pub(crate) fn when_label(t: &Transition) -> Option<String> {
    if t.when.is_empty() {
        return None;
    }
    let conditions: Vec<String> = t.when.iter().map(|c| c.written.join(" or ")).collect();
    Some(format!("when {}", conditions.join(" and ")))
}

/// The label of a transition's edge: `event [guard, guard]`, who may fire
/// it (`by staff`), what it brings (`brings Materials`), then the timer's
/// kind and duration when it has one: `event (after 90d)`.
pub(crate) fn edge_label(w: &Workflow, t: &Transition) -> String {
    // Every field, by name: a new one does not compile here until the
    // diagrams (DOT, Mermaid and SVG all draw edges with this label) are
    // told whether they show it. CONTRIBUTING.md lists the other places.
    let Transition {
        event: _,
        // The edge's ends, not its label.
        from: _,
        to: _,
        guards: _,
        by: _,
        // A tooltip in DOT, not part of the label.
        summary: _,
        timer: _,
        payload: _,
        span: _,
        // The diagrams draw the edge from each leaf a compound stands for.
        from_compounds: _,
        to_compounds: _,
        // Conditions on other regions, drawn after the guards.
        when: _,
    } = t;
    let mut label = t.event.to_string();
    if !t.guards.is_empty() {
        let guards = t
            .guards
            .iter()
            .map(|g| w.guard(*g).name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        label.push_str(&format!(" [{guards}]"));
    }
    if let Some(when) = when_label(t) {
        label.push(' ');
        label.push_str(&when);
    }
    if let Some(roles) = roles_label(w, t) {
        label.push(' ');
        label.push_str(&roles);
    }
    if let Some(payload) = payload_label(t) {
        label.push_str(&format!(", {payload}"));
    }
    if let Some(timer) = &t.timer {
        label.push_str(&format!(" ({})", timer.label()));
    }
    label
}
