//! The workflow model of turnstile.
//!
//! A workflow definition written in TOML becomes a validated [`Workflow`]
//! here, and only here: the `#[derive(Workflow)]` macro, the `turnstile`
//! command and the renderers (`turnstile-render`) all call [`load`] or
//! [`check`], so they can
//! never disagree about what is valid or about how a problem is reported.
//!
//! ```
//! use turnstile_spec::{load, SourceFile};
//!
//! let file = SourceFile::new("door.toml", r#"
//! [workflow]
//! name = "door"
//! initial = "closed"
//!
//! [states.closed]
//! [states.opened]
//!
//! [[transitions]]
//! event = "open"
//! from = "closed"
//! to = "opened"
//!
//! [[transitions]]
//! event = "close"
//! from = "opened"
//! to = "closed"
//! "#);
//! let workflow = load(&file).expect("a valid definition");
//! assert_eq!(workflow.name.as_str(), "door");
//! assert_eq!(workflow.events().len(), 2);
//! ```
#![forbid(unsafe_code)]

pub mod diagnostic;
pub mod diff;
pub mod fingerprint;
pub mod graph;
pub mod keys;
pub mod model;
pub mod namespace;
mod nesting;
mod parse;
pub mod properties;
pub mod prove;
pub mod read;
pub mod regions;
pub mod source;
pub mod synthetic;
pub mod validate;

pub use diagnostic::{Code, Diagnostic};
pub use model::{
    Capability, CapabilityId, Check, Claim, Clock, Compound, CompoundId, Condition, Event, Guard,
    GuardId, Name, Payload, Property, Region, Role, RoleId, State, StateId, Timer, Transition,
    TransitionId, Workflow,
};
pub use source::{SourceFile, Span};

/// The outcome of checking a definition.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Every problem found, in file order within each pass.
    pub diagnostics: Vec<Diagnostic>,
    /// The model, as far as it could be built. With diagnostics present the
    /// parts they concern are left out: good enough to generate code that
    /// keeps follow-on errors away, never to render or run.
    pub partial: Option<Workflow>,
    /// Broken properties marked `severity = "warning"`: reported, but
    /// failing neither the check nor the build.
    pub warnings: Vec<Diagnostic>,
}

impl Checked {
    /// The model, if the definition is valid but for broken properties
    /// (T027): one whose promises can be proved and their runs shown.
    pub fn proved_model(&self) -> Option<&Workflow> {
        self.partial.as_ref().filter(|_| {
            self.diagnostics
                .iter()
                .all(|d| d.code == Code::PropertyBroken)
        })
    }
}

/// Parses and validates a definition, reporting every problem.
pub fn check(file: &SourceFile) -> Checked {
    let mut diagnostics = Vec::new();
    let partial = parse::parse(file.text(), &mut diagnostics)
        .and_then(|raw| validate::validate(raw, &mut diagnostics));
    let mut warnings = Vec::new();
    // The properties are proved over a whole, valid model only.
    if let Some(workflow) = partial.as_ref().filter(|_| diagnostics.is_empty()) {
        for (diagnostic, warning) in prove::diagnostics(workflow) {
            if warning {
                warnings.push(diagnostic);
            } else {
                diagnostics.push(diagnostic);
            }
        }
    }
    Checked {
        diagnostics,
        partial,
        warnings,
    }
}

/// Parses and validates a definition: the model if it is valid, else every problem.
pub fn load(file: &SourceFile) -> Result<Workflow, Vec<Diagnostic>> {
    let checked = check(file);
    match checked.partial {
        Some(workflow) if checked.diagnostics.is_empty() => Ok(workflow),
        _ => Err(checked.diagnostics),
    }
}
