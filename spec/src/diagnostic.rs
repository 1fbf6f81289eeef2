//! Diagnostics: what is wrong with a definition, where, and what to do.
//!
//! Every diagnostic renders to the same text wherever it is shown: the
//! `#[derive(Workflow)]` macro passes it to `compile_error!` (which rustc
//! prefixes with `error: `) and the `turnstile` command prints `error: `
//! followed by the same text. Each code has a page in `docs/diagnostics/`,
//! which `turnstile explain T008` prints ([`Code::page`]).

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::source::{SourceFile, Span};

/// Declares [`Code`] from one table: each variant with its doc, its stable
/// code and the slug of its page, `docs/diagnostics/<code>-<slug>.md`,
/// which [`Code::page`] includes. A code without its page does not
/// compile, and `ALL`, `as_str`, `slug` and `page` cannot disagree.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = ($code:literal, $slug:literal),)*) => {
        /// The kind of problem. Each has a stable code (`T001`…) and a doc page.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code, e.g. `"T008"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The doc page's slug, e.g. `"undeclared-state"` for
            /// `docs/diagnostics/T008-undeclared-state.md`.
            pub fn slug(self) -> &'static str {
                match self {
                    $(Code::$variant => $slug,)*
                }
            }

            /// The code's page (`docs/diagnostics/T008-undeclared-state.md`), as
            /// Markdown: what it means, what was found, what is expected and what
            /// to do. Shipped in the library so that `turnstile explain T008`
            /// shows it wherever the command runs, as `rustc --explain` does.
            pub fn page(self) -> &'static str {
                match self {
                    $(Code::$variant => include_str!(concat!("../../docs/diagnostics/", $code, "-", $slug, ".md")),)*
                }
            }
        }
    };
}

codes! {
    /// `T001`: the file is not valid TOML.
    TomlSyntax = ("T001", "toml-syntax"),
    /// `T002`: a key that the format does not have.
    UnknownKey = ("T002", "unknown-key"),
    /// `T003`: a value of the wrong type.
    WrongType = ("T003", "wrong-type"),
    /// `T004`: a required table or key is missing.
    MissingKey = ("T004", "missing-key"),
    /// `T005`: a name is not a snake_case identifier.
    InvalidName = ("T005", "invalid-name"),
    /// `T006`: a name is a Rust keyword or clashes with a generated item.
    ReservedName = ("T006", "reserved-name"),
    /// `T007`: two names would generate the same Rust item, or a list repeats a name.
    DuplicateName = ("T007", "duplicate-name"),
    /// `T008`: a reference to a state that is not declared.
    UndeclaredState = ("T008", "undeclared-state"),
    /// `T009`: a declared guard that no transition uses.
    UnusedGuard = ("T009", "unused-guard"),
    /// `T010`: a state that cannot be reached from the initial state.
    UnreachableState = ("T010", "unreachable-state"),
    /// `T011`: a state from which no final state can be reached.
    DeadEndState = ("T011", "dead-end-state"),
    /// `T012`: a transition out of a final state.
    TransitionFromFinal = ("T012", "transition-from-final"),
    /// `T013`: the same event declared twice from the same state.
    Nondeterministic = ("T013", "nondeterministic"),
    /// `T014`: transitions of one event with different lists of outcomes.
    OutcomeMismatch = ("T014", "outcome-mismatch"),
    /// `T015`: the definition file cannot be used (missing, unreadable, not UTF-8, absolute path…).
    File = ("T015", "file"),
    /// `T016`: the `#[workflow(...)]` attribute or the type it is on is not usable.
    Attribute = ("T016", "attribute"),
    /// `T017`: a timer's duration cannot be read (`after = "ninety days"`).
    InvalidDuration = ("T017", "invalid-duration"),
    /// `T018`: a timer's duration is zero or negative.
    DurationNotPositive = ("T018", "duration-not-positive"),
    /// `T019`: a timer on a transition out of a final state.
    TimerFromFinal = ("T019", "timer-from-final"),
    /// `T020`: a transition with both `after` and `not_before`, or an
    /// automatic (`after`) transition with a guard.
    ConflictingTimers = ("T020", "conflicting-timers"),
    /// `T021`: a `by` names a role, or a `permits` a capability, that is
    /// not declared.
    UndeclaredRoleOrCapability = ("T021", "undeclared-role-or-capability"),
    /// `T022`: a declared role that no transition's `by` names, or a
    /// declared capability that no state's `permits` names.
    UnusedRoleOrCapability = ("T022", "unused-role-or-capability"),
    /// `T023`: `by` on an automatic (`after`) transition, which the system takes.
    RoleOnAutomatic = ("T023", "role-on-automatic"),
    /// `T024`: an event restricted to roles on some of its transitions and
    /// open to anyone on others.
    PartlyRestrictedEvent = ("T024", "partly-restricted-event"),
    /// `T025`: a payload that is not a type path, that differs among the
    /// transitions of one event, that a guard cannot read alike, or that
    /// an automatic transition would need.
    Payload = ("T025", "payload"),
    /// `T026`: a `[properties.<name>]` table whose claim cannot be read:
    /// none or two, a key that does not go with it, a missing qualifier,
    /// an event the definition lacks.
    PropertyForm = ("T026", "property-form"),
    /// `T027`: a declared property that does not hold, with the run that
    /// breaks it.
    PropertyBroken = ("T027", "property-broken"),
    /// `T028`: compound states each inside the next, the last inside the
    /// first.
    ParentCycle = ("T028", "parent-cycle"),
    /// `T029`: a compound state without an `initial` child, or whose
    /// `initial` is not its child, or `initial` on a state with no
    /// children.
    CompoundInitial = ("T029", "compound-initial"),
    /// `T030`: `final` or `refusal` on a compound state, which a machine
    /// is never in itself.
    CompoundKey = ("T030", "compound-key"),
    /// `T031`: a timer whose `from` names a compound state and a state inside it.
    CompoundTimer = ("T031", "compound-timer"),
    /// `T032`: regions declared so that a configuration is not one state
    /// per region (a region that is not a top-level compound, a state
    /// outside every region, a transition between two regions).
    RegionShape = ("T032", "region-shape"),
    /// `T033`: a `when` condition that cannot hold as written (without
    /// regions, on the transition's own region, or disagreeing within an
    /// event).
    RegionCondition = ("T033", "region-condition"),
    /// `T034`: a key a workflow with regions does not take yet.
    RegionUnsupported = ("T034", "region-unsupported"),
    /// `T035`: in a workflow with regions, a transition that no reachable
    /// configuration can take.
    DeadTransition = ("T035", "dead-transition"),
}

impl Code {
    /// The code's one-line summary: the title of its page, after the code.
    pub fn summary(self) -> &'static str {
        let title = self.page().lines().next().unwrap_or_default();
        title
            .split_once(": ")
            .map_or(title, |(_, summary)| summary)
            .trim()
    }

    /// The code named `text` (`"T008"`, `"t008"`, `"T8"` or `"8"`), if
    /// there is one.
    pub fn parse(text: &str) -> Option<Code> {
        let text = text.trim();
        let digits = text.strip_prefix(['T', 't']).unwrap_or(text);
        let number: u32 = digits.parse().ok()?;
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str()[1..].parse::<u32>().ok() == Some(number))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem.
    pub code: Code,
    /// One line, lowercase, names in backticks.
    pub message: String,
    /// Where, with a short label; `None` for problems of the whole file.
    pub primary: Option<(Span, String)>,
    /// Other places that explain the problem.
    pub context: Vec<(Span, String)>,
    /// What to do next ("did you mean `x`?").
    pub help: Option<String>,
    /// What else the reader needs (a property's promise, the run that
    /// breaks it), each shown as a `= note:` before the help.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with a message and nothing else yet.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            primary: None,
            context: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Adds a note: what else the reader needs to see.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Points the diagnostic at `span`.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some((span, label.into()));
        self
    }

    /// Adds another place that explains the problem.
    pub fn with_context(mut self, span: Span, label: impl Into<String>) -> Self {
        self.context.push((span, label.into()));
        self
    }

    /// Says what to do next.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic without the leading `error: ` (rustc adds that
    /// to `compile_error!`, the command prints it): the message and code, then
    /// `--> path:line:col`, the offending lines with carets, and the help.
    pub fn render(&self, file: &SourceFile, color: bool) -> String {
        let title = format!("{} [{}]", self.message, self.code);
        let mut group = Group::with_title(Level::ERROR.no_name().primary_title(title));
        if self.primary.is_some() || !self.context.is_empty() {
            let text = file.text();
            let clamp = |span: &Span| {
                let start = span.start.min(text.len());
                start..span.end.clamp(start, text.len())
            };
            let mut snippet = Snippet::source(text).path(file.path()).fold(true);
            if let Some((span, label)) = &self.primary {
                snippet =
                    snippet.annotation(AnnotationKind::Primary.span(clamp(span)).label(label));
            }
            for (span, label) in &self.context {
                snippet =
                    snippet.annotation(AnnotationKind::Context.span(clamp(span)).label(label));
            }
            group = group.element(snippet);
        } else {
            group = group.element(Level::NOTE.message(format!("in {}", file.path())));
        }
        self.finish(group, color)
    }

    /// Adds the help and the doc-page note as `= help:` / `= note:` footers
    /// (rustc's own layout, and lines that rustc does not re-indent).
    fn finish<'a>(&'a self, mut group: Group<'a>, color: bool) -> String {
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        group = group.element(Level::NOTE.message(explain_note(self.code)));
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }

    /// Renders a diagnostic that concerns no text of a definition (a file
    /// that cannot be read, an attribute): the message, help and doc note.
    pub fn render_without_source(&self, color: bool) -> String {
        let title = format!("{} [{}]", self.message, self.code);
        self.finish(
            Group::with_title(Level::ERROR.no_name().primary_title(title)),
            color,
        )
    }
}

/// The last line of every diagnostic: where its page is. The pages ship in
/// the command (`turnstile explain`), since a path of turnstile's
/// repository means nothing in a user's crate.
pub fn explain_note(code: Code) -> String {
    format!("run `turnstile explain {code}` for what this means and what to do")
}

/// `error: ` as rustc prints it before a `compile_error!` message, in bold
/// red when `color` is set.
pub fn error_prefix(color: bool) -> &'static str {
    if color {
        "\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: \x1b[0m"
    } else {
        "error: "
    }
}

/// Renders every diagnostic of a file, separated by blank lines, each
/// preceded by `error: ` as the compiler shows it.
pub fn render_all(diagnostics: &[Diagnostic], file: &SourceFile, color: bool) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{}{}", error_prefix(color), d.render(file, color)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

pub use turnstile_words::did_you_mean;
