//! Turns a validated [`Workflow`] into the tokens of its typestate machine.
//!
//! A normal library (the `pest_generator` shape), so the expansion can be
//! unit-tested, snapshot-tested and fuzzed without a compiler in the loop;
//! `turnstile-macros` is only the entry point that reads the attribute.
//!
//! For a workflow `door` on data `Door`, the expansion is a module `door`:
//!
//! | item | what it is |
//! |---|---|
//! | `door::state::Closed` … | a zero-sized marker per state, implementing `turnstile::State` |
//! | `door::Machine<S>` | the machine in state `S`: owns the data, costs nothing more |
//! | `Machine::<Closed>::new(data)` | only for the initial state |
//! | `Machine::open(self)` … | one method per event, usable only where the definition allows it |
//! | `door::event::Allows`, `door::event::open` … | for an event allowed from one state: its method's bound, and a marker type named as the event for the error |
//! | `door::event::Close<Out>` … | for an event allowed from several states: a trait, implemented for those states with what it returns there |
//! | `door::role::Staff` …, `door::role::May` | with roles: a marker per role, and the bound a role-restricted event's method puts on the actor's `&Acting<R>` |
//! | `door::can::ViewBills` … | with capabilities: a marker trait per capability, implemented by the machines of the states that permit it |
//! | `door::Current`, `door::Event` | dispatch by name (left out by `dispatch = false`) |
//! | `door::Guards` | a trait the data implements: one `fn guard(&self) -> bool` per guard |
//! | `door::Outcomes` | a trait the data implements: one `fn event(&self) -> choice::Event` per branching event |
//! | `door::choice::Open`, `door::outcome::Open` | for a branching event: the decision, and the machine in the chosen state |
//!
//! The generator is in rooms, one per part of the expansion:
//!
//! | module | writes |
//! |---|---|
//! | `machine` | the module, `Machine<S>`, the state markers, the `Workflow` impl |
//! | `events` | the event methods, `event::Allows` and the event traits, the firing of a transition |
//! | `traits` | `Guards` and `Outcomes`, `choice` and `outcome` |
//! | `access` | roles and capabilities: `role`, `can` and their tables |
//! | `payloads` | what events bring: payload types and the `Payloads` trait |
//! | `dispatch` | dispatch by name (`Current`, `Event`, `turnstile::Dispatch`), with its `small` and `table` paths |
//! | `docs` | the rustdoc of every item |
//! | `text` | Rust written as text and lexed once, and the rule for what it may contain |
#![forbid(unsafe_code)]

mod access;
mod dispatch;
mod docs;
mod events;
mod machine;
mod payloads;
mod previous;
mod regions;
mod text;
mod traits;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use turnstile_spec::{Clock, Event, SourceFile, StateId, Transition, TransitionId, Workflow};

/// What the generator needs besides the model.
pub struct Input<'a> {
    /// The validated (or partial) model.
    pub workflow: &'a Workflow,
    /// The definition, for line numbers in docs and messages.
    pub file: &'a SourceFile,
    /// The data type the derive is on.
    pub data: &'a Ident,
    /// Its visibility, given to the generated module.
    pub vis: &'a syn::Visibility,
    /// The absolute path of the definition: `include_str!`'d so that cargo
    /// rebuilds when it changes. `None` embeds the text as a literal.
    pub include_path: Option<&'a str>,
    /// Whether to generate dispatch by name (`Current`, `Event` and
    /// `turnstile::Dispatch`; `#[workflow(dispatch = false)]` leaves it out).
    pub dispatch: bool,
    /// The generated module's name (`#[workflow(module = "…")]`); `None`:
    /// the workflow's name.
    pub module: Option<&'a str>,
    /// Turns Rust source the generator writes as text into tokens (`None`:
    /// proc-macro2's lexer). The derive passes the compiler's own lexer,
    /// optimized even when the derive itself is built for debugging, where
    /// proc-macro2 lexes the text once more before handing it over.
    pub lexer: Option<fn(&str) -> Option<TokenStream>>,
    /// Whether the model is valid (its check found no problem). Only a
    /// valid model's diagram is drawn into the module's documentation: a
    /// partial one only has to keep follow-on errors away.
    pub valid: bool,
    /// The earlier versions whose stored instances this build reads and
    /// moves to this one (`#[workflow(previous = "…")]`): generated as
    /// `Dispatch::PREVIOUS`, `Dispatch::PREVIOUS_VERSIONS`,
    /// `Dispatch::from_previous` and, where a state needs a decision, the
    /// module `previous` with its trait `Migrate`.
    pub previous: &'a [Previous],
}

/// An earlier version of the definition, as the typed migration from it
/// needs it (built from `turnstile_spec::diff::plan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its file as the attribute names it, for the docs.
    pub file: String,
    /// Its initial state.
    pub initial: String,
    /// Its states.
    pub states: Vec<String>,
    /// Every `(from, event, to)` it allowed.
    pub transitions: Vec<(String, String, String)>,
    /// Its states whose instances carry on, each with its name in this
    /// version.
    pub carried: Vec<(String, String)>,
    /// Each of its states that is still a state of this version, with its
    /// name here: the carried ones, and those to decide that this version
    /// still has.
    pub counterparts: Vec<(String, String)>,
    /// Its states whose instances need a decision, each with the changes
    /// that call for it, in words: one method each of `previous::Migrate`.
    pub decide: Vec<(String, Vec<String>)>,
}

impl<'a> Input<'a> {
    /// The input for a valid `workflow` read from `file`, derived on `data`
    /// with visibility `vis`: the definition embedded as a literal,
    /// dispatch by name generated, text lexed by proc-macro2. Change a
    /// field with `Input { dispatch: false, ..Input::new(…) }`.
    pub fn new(
        workflow: &'a Workflow,
        file: &'a SourceFile,
        data: &'a Ident,
        vis: &'a syn::Visibility,
    ) -> Self {
        Input {
            workflow,
            file,
            data,
            vis,
            include_path: None,
            dispatch: true,
            module: None,
            lexer: None,
            valid: true,
            previous: &[],
        }
    }
}

/// Generates the module, the `Workflow` impl and everything in between.
pub fn generate(input: &Input<'_>) -> TokenStream {
    let generator = Generator::new(input);
    if input.workflow.regions.is_empty() {
        generator.module()
    } else {
        generator.regions_module()
    }
}

/// Where each field of the model reaches the generated code, destructured
/// by name: a field added to the model does not compile here until it is
/// placed (or said to generate nothing). Never called: it is for the
/// compiler and the reader.
#[allow(dead_code)]
fn placed(w: &Workflow, s: &turnstile_spec::State, t: &Transition) {
    let Workflow {
        name: _,         // the module (`machine.rs`), messages, `Workflow::NAME`
        summary: _,      // the module's rustdoc (`docs.rs`)
        initial: _,      // `Machine::new` exists only there (`machine.rs`)
        states: _,       // `placed`'s `s`, below
        guards: _,       // `Guards` (`traits.rs`), refusals (`events.rs`)
        roles: _,        // `role` and `May` (`access.rs`), `Workflow::BY`
        capabilities: _, // `can` (`access.rs`), `Workflow::PERMITS`
        transitions: _,  // `placed`'s `t`, below
        properties: _,   // proved while the derive checks the definition; nothing generated
        compounds: _,    // `state::In` and a marker each (`machine.rs`); resolved onto the leaves
        regions: _,      // `Machine<(A, B, …)>`, `region`, `Configuration` (`regions.rs`)
    } = w;
    {
        let turnstile_spec::State {
            name: _,     // the state's marker type and `Current`'s variant
            summary: _,  // the marker's rustdoc
            is_final: _, // `Workflow::FINAL`; no method leaves it
            refusal: _,  // diagrams only: nothing generated
            permits: _,  // `can::…` impls (`access.rs`), its compounds' included
            parent: _,   // `state::In` impls (`machine.rs`)
        } = s;
    }
    {
        let Transition {
            event: _,          // the method (`events.rs`) and dispatch (`dispatch/`)
            from: _,           // `event::Allows` or the event's trait (`events.rs`)
            to: _,             // the return type, an outcome enum when several
            guards: _,         // the checks, in `Workflow::checks`' order
            by: _,             // the `&Acting<R>` parameter and its `May` bound
            summary: _,        // the method's rustdoc (`docs.rs`)
            timer: _,          // the `now` parameter and its checks; `TIMERS`
            payload: _,        // the parameter, `Payloads`, the dispatch's decode
            span: _,           // the `LINE` of error messages
            from_compounds: _, // `from` holds their leaves: a method on each
            to_compounds: _,   // `to` holds their entry leaves
            when: _,           // a bound per region named, and `Why::Condition` (`regions.rs`)
        } = t;
    }
}

pub(crate) struct Generator<'a> {
    input: &'a Input<'a>,
    w: &'a Workflow,
    krate: TokenStream,
    /// For each state, the transitions allowed from it (one pass, so that
    /// per-state work stays proportional to the state's own transitions).
    outgoing: Vec<Vec<TransitionId>>,
    /// The distinct events, in order of first declaration.
    events: Vec<Event<'a>>,
    /// Whether any transition has a timer: machines then record when they
    /// entered their state, and every event takes the caller's instant.
    timed: bool,
    /// How many entry instants of compound states a machine keeps: the
    /// deepest nesting, where a timer counts from entering a compound;
    /// else 0 (and nothing of it is generated).
    within: usize,
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A `core::time::Duration` literal.
pub(crate) fn duration(d: std::time::Duration) -> TokenStream {
    let secs = d.as_secs();
    let nanos = d.subsec_nanos();
    quote!(::core::time::Duration::new(#secs, #nanos))
}

impl<'a> Generator<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        Generator {
            input,
            w: input.workflow,
            krate: quote!(::turnstile),
            outgoing: input.workflow.outgoing(),
            events: input.workflow.events(),
            timed: input.workflow.has_timers(),
            within: if input.workflow.has_compound_timers() {
                input.workflow.max_depth()
            } else {
                0
            },
        }
    }

    /// The generated module's name: the attribute's `module`, or the
    /// workflow's name.
    pub(crate) fn module_name(&self) -> &str {
        self.input.module.unwrap_or(self.w.name.as_str())
    }

    /// The marker type of state `id`.
    pub(crate) fn state_ty(&self, id: StateId) -> Ident {
        ident(self.w.state(id).name.pascal())
    }

    /// The data type as seen from the workflow module (`depth` 1) or one of
    /// its submodules (`depth` 2).
    pub(crate) fn data(&self, depth: usize) -> TokenStream {
        let data = self.input.data;
        let supers = std::iter::repeat_n(quote!(super::), depth);
        quote!(#(#supers)* #data)
    }

    /// The move of `machine` into the state the context expects, entered
    /// at `now` in a timed workflow; `up` reaches the workflow module. The
    /// one way every generated transition moves (typed method, outcome,
    /// dispatch by name).
    /// The move of `machine` into whatever state the context expects, for
    /// a workflow with no timer on a compound state (the one text every
    /// plain move shares).
    pub(crate) fn move_into_any(&self, machine: TokenStream) -> TokenStream {
        let now = self.timed.then(|| quote!(, now));
        quote!(into_state(#machine #now))
    }

    /// With timers on compound states, the move of `t` from `from` into
    /// `to` also says how many compounds it stays inside
    /// ([`Workflow::kept`]).
    pub(crate) fn move_into(
        &self,
        up: TokenStream,
        machine: TokenStream,
        (t, from, to): (&Transition, StateId, StateId),
    ) -> TokenStream {
        let now = self.timed.then(|| quote!(, now));
        if self.within > 0 {
            let keep = self.w.kept(t, from, to);
            return quote!(#up into_state::<_, _, #keep>(#machine #now));
        }
        quote!(#up into_state(#machine #now))
    }

    /// The instant a timer of `clock` counts from, on `machine`.
    pub(crate) fn clock_of(&self, clock: Clock) -> TokenStream {
        match clock {
            Clock::State => quote!(machine.entered_at),
            Clock::Compound(c) => {
                let depth = self.w.depth(c);
                quote!(machine.within[#depth])
            }
        }
    }

    /// Whether firing `t` from `from` can be refused (see [`Workflow::refusable`]).
    pub(crate) fn refusable_from(&self, t: &Transition, from: StateId) -> bool {
        self.w.refusable(t, from, &self.outgoing[from.0])
    }

    /// The value a transition returns from state `from`: `source` is the
    /// machine handed back on a refusal, `up` reaches the workflow module.
    pub(crate) fn output_ty(
        &self,
        t: &Transition,
        from: StateId,
        source: TokenStream,
        up: TokenStream,
    ) -> TokenStream {
        let target = if t.is_branch() {
            let e = ident(t.event.pascal());
            quote!(#up outcome::#e)
        } else {
            let to = self.state_ty(t.to[0]);
            quote!(#up Machine<#up state::#to>)
        };
        if !self.refusable_from(t, from) {
            target
        } else {
            let krate = &self.krate;
            // A refusal hands back the payload too.
            match &t.payload {
                Some(p) => {
                    let ty = self.payload_ty(p, if up.is_empty() { 1 } else { 2 });
                    quote!(::core::result::Result<#target, #krate::Rejected<#source, #ty>>)
                }
                None => quote!(::core::result::Result<#target, #krate::Rejected<#source>>),
            }
        }
    }
}

/// The `compile_error!` invocation carrying `message`, spanned at `span`.
pub fn compile_error(message: &str, span: Span) -> TokenStream {
    quote::quote_spanned!(span=> ::core::compile_error!(#message);)
}
