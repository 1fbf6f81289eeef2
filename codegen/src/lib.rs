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
//! | `door::Current`, `door::Event` | dispatch by name (left out by `dispatch = false`) |
//! | `door::Guards` | a trait the data implements: one `fn guard(&self) -> bool` per guard |
//! | `door::Outcomes` | a trait the data implements: one `fn event(&self) -> choice::Event` per branching event |
//! | `door::choice::Open`, `door::outcome::Open` | for a branching event: the decision, and the machine in the chosen state |
#![forbid(unsafe_code)]

mod docs;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use turnstile_spec::{Check, Event, SourceFile, StateId, Transition, TransitionId, Workflow};

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
    /// Turns Rust source the generator writes as text into tokens (`None`:
    /// proc-macro2's lexer). The derive passes the compiler's own lexer,
    /// optimized even when the derive itself is built for debugging, where
    /// proc-macro2 lexes the text once more before handing it over.
    pub lexer: Option<fn(&str) -> Option<TokenStream>>,
    /// Whether the model is valid (its check found no problem). Only a
    /// valid model's diagram is drawn into the module's documentation: a
    /// partial one only has to keep follow-on errors away.
    pub valid: bool,
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
            lexer: None,
            valid: true,
        }
    }
}

/// Generates the module, the `Workflow` impl and everything in between.
pub fn generate(input: &Input<'_>) -> TokenStream {
    Generator::new(input).module()
}

struct Generator<'a> {
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
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A `core::time::Duration` literal.
fn duration(d: std::time::Duration) -> TokenStream {
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
        }
    }

    /// A `match` on `index` (a `usize` in scope) whose arm `i` is
    /// `arm(items[i])`, and `fallback(items)` past them. Up to 64 items,
    /// that match; beyond, a function per 64 items, called with
    /// `index % 64`: the compiler's borrow and exhaustiveness checks of one
    /// body of thousands of arms cost far more than of many small ones.
    /// Returns the match and the functions, to put beside it.
    fn chunked_match(
        &self,
        items: &[Ident],
        f: ChunkedFn<'_>,
        arm: &dyn Fn(&Ident) -> String,
        fallback: &dyn Fn(&[Ident]) -> String,
    ) -> (TokenStream, TokenStream) {
        let arms = |chunk: &[Ident]| -> String {
            chunk
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{i} => {},", arm(v)))
                .collect()
        };
        if items.len() <= 64 {
            let body = format!("match index {{ {} _ => {} }}", arms(items), fallback(items));
            return (self.lex(&body), TokenStream::new());
        }
        let ChunkedFn {
            prefix,
            params,
            args,
            ret,
        } = f;
        let mut outer = String::new();
        let mut fns = String::new();
        for (k, chunk) in items.chunks(64).enumerate() {
            outer.push_str(&format!("{k} => {prefix}_{k}(index % 64{args}),"));
            fns.push_str(&format!(
                "fn {prefix}_{k}(index: usize{params}) -> {ret} \
                 {{ match index {{ {} _ => {} }} }}\n",
                arms(chunk),
                fallback(chunk)
            ));
        }
        let body = format!("match index / 64 {{ {outer} _ => {} }}", fallback(items));
        (self.lex(&body), self.lex(&fns))
    }

    /// Tokens from text the generator wrote (see [`lex_with`]).
    fn lex(&self, text: &str) -> TokenStream {
        lex_with(self.input.lexer, text)
    }

    fn state_ty(&self, id: StateId) -> Ident {
        ident(self.w.state(id).name.pascal())
    }

    /// The data type as seen from the workflow module (`depth` 1) or one of
    /// its submodules (`depth` 2).
    fn data(&self, depth: usize) -> TokenStream {
        let data = self.input.data;
        let supers = std::iter::repeat_n(quote!(super::), depth);
        quote!(#(#supers)* #data)
    }

    /// Whether firing `t` from `from` can be refused (see [`Workflow::refusable`]).
    fn refusable_from(&self, t: &Transition, from: StateId) -> bool {
        self.w.refusable(t, &self.outgoing[from.0])
    }

    /// The value a transition returns from state `from`: `source` is the
    /// machine handed back on a refusal, `up` reaches the workflow module.
    fn output_ty(
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
            quote!(::core::result::Result<#target, #krate::Rejected<#source>>)
        }
    }

    fn module(&self) -> TokenStream {
        let w = self.w;
        let krate = &self.krate;
        let vis = self.input.vis;
        let module = ident(w.name.as_str());
        let data = self.data(1);
        let data_ty = self.input.data;
        let name = w.name.as_str();
        let initial = self.state_ty(w.initial);
        let module_doc = docs::module(w, self.input.file, &data_ty.to_string(), self.input.valid);
        let machine_doc = docs::machine(w);
        let new_doc = format!(
            "Starts a `{name}` workflow in its initial state `{}`, owning `data`.",
            w.state(w.initial).name
        );
        let (now_param, entered_field, entered_init, entered_getter) = if self.timed {
            (
                quote!(, now: ::std::time::SystemTime),
                quote!(entered_at: ::std::time::SystemTime,),
                quote!(entered_at: now,),
                quote! {
                    /// When the machine entered its current state: the instant
                    /// its timers count from.
                    pub fn entered_at(&self) -> ::std::time::SystemTime {
                        self.entered_at
                    }
                },
            )
        } else {
            Default::default()
        };
        let new_doc = if self.timed {
            format!("{new_doc} `now` is when it entered that state: its timers count from it.")
        } else {
            new_doc
        };
        let states = self.states();
        let events = self.event_methods();
        let by_name = if self.input.dispatch {
            self.by_name()
        } else {
            TokenStream::new()
        };
        let event_traits = self.event_traits();
        let guards = self.guards_trait();
        let outcomes = self.outcomes();
        let definition = match self.input.include_path {
            Some(path) => quote!(::core::include_str!(#path)),
            None => {
                let text = self.input.file.text();
                quote!(#text)
            }
        };
        let state_names = w.states.iter().map(|s| s.name.as_str());
        let event_names: Vec<&str> = self.events.iter().map(|e| e.name.as_str()).collect();
        let initial_name = w.state(w.initial).name.as_str();
        let summaries = w.states.iter().map(|s| s.summary.as_deref().unwrap_or(""));
        let finals = w.states.iter().map(|s| s.is_final);
        let allowed = self
            .allowed_events()
            .into_iter()
            .map(|events| quote!(&[#(#events),*]));
        quote! {
            #[doc = #module_doc]
            #vis mod #module {
                /// The workflow's name, as written in its definition.
                pub const NAME: &str = #name;

                #states

                #[doc = #machine_doc]
                #[must_use = "the machine moves into the returned value: keep it"]
                pub struct Machine<S: #krate::State> {
                    data: #data,
                    #entered_field
                    state: ::core::marker::PhantomData<fn() -> S>,
                }

                impl Machine<state::#initial> {
                    #[doc = #new_doc]
                    pub fn new(data: #data #now_param) -> Self {
                        Machine { data, #entered_init state: ::core::marker::PhantomData }
                    }
                }

                impl<S: #krate::State> Machine<S> {
                    /// The workflow's data.
                    #[inline]
                pub fn data(&self) -> &#data {
                        &self.data
                    }

                    /// The workflow's data, to change between transitions
                    /// (guards and outcome decisions read it when an event fires).
                    #[inline]
                pub fn data_mut(&mut self) -> &mut #data {
                        &mut self.data
                    }

                    /// Ends the machine and gives its data back.
                    #[inline]
                pub fn into_data(self) -> #data {
                        self.data
                    }

                    /// The current state's name, as written in the definition.
                    pub fn state(&self) -> &'static str {
                        <S as #krate::State>::NAME
                    }

                    #entered_getter

                    #events
                }

                /// The machine moved into state `T` (a free function: method
                /// lookup on `Machine`, which has a method per event, costs more).
                fn into_state<S: #krate::State, T: #krate::State>(machine: Machine<S> #now_param) -> Machine<T> {
                    Machine { data: machine.data, #entered_init state: ::core::marker::PhantomData }
                }

                impl<S: #krate::State> #krate::Fired for Machine<S> {
                    fn landed(&self) -> ::core::option::Option<&'static str> {
                        ::core::option::Option::Some(<S as #krate::State>::NAME)
                    }
                }

                impl<S: #krate::State> ::core::fmt::Debug for Machine<S> {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.debug_struct("Machine")
                            .field("workflow", &NAME)
                            .field("state", &<S as #krate::State>::NAME)
                            .finish_non_exhaustive()
                    }
                }

                #event_traits
                #guards
                #outcomes
                #by_name
            }

            // Beside the user's type, where the workflow's module may be
            // named like a primitive type (`str`, `bool`): primitives by path.
            impl #krate::Workflow for #data_ty {
                const NAME: &'static ::core::primitive::str = #name;
                const DEFINITION: &'static ::core::primitive::str = #definition;
                const STATES: &'static [&'static ::core::primitive::str] = &[#(#state_names),*];
                const EVENTS: &'static [&'static ::core::primitive::str] = &[#(#event_names),*];
                const INITIAL: &'static ::core::primitive::str = #initial_name;
                const SUMMARIES: &'static [&'static ::core::primitive::str] = &[#(#summaries),*];
                const FINAL: &'static [::core::primitive::bool] = &[#(#finals),*];
                const ALLOWED: &'static [&'static [&'static ::core::primitive::str]] = &[#(#allowed),*];
            }
        }
    }

    /// The events each state allows, in order of first declaration.
    fn allowed_events(&self) -> Vec<Vec<&'a str>> {
        let order: std::collections::HashMap<&str, usize> = self
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.name.as_str(), i))
            .collect();
        self.outgoing
            .iter()
            .map(|out| {
                let mut events: Vec<&'a str> = out
                    .iter()
                    .map(|t| self.w.transition(*t).event.as_str())
                    .collect();
                events.sort_by_key(|e| order[e]);
                events.dedup();
                events
            })
            .collect()
    }

    fn states(&self) -> TokenStream {
        let krate = &self.krate;
        let data = self.data(2);
        let krate = krate.to_string();
        let data = data.to_string();
        let mut text = String::new();
        for i in 0..self.w.states.len() {
            let ty = self.state_ty(StateId(i));
            let doc = lit(&docs::state(self.w, StateId(i), &self.outgoing[i]));
            text.push_str(&format!(
                "#[doc = {doc}] pub enum {ty} {{}} \
                 impl {krate}::State for {ty} {{ type Workflow = {data}; const INDEX: usize = {i}; }}\n"
            ));
        }
        let markers = self.lex(&text);
        quote! {
            /// The states: one zero-sized marker type each, the `S` of [`Machine<S>`](super::Machine).
            pub mod state {
                #markers
            }
        }
    }

    /// The one state an event is allowed from, when there is just one: its
    /// method's body is then written on `Machine<S>` itself, bounded by
    /// `event::Allows` (which also words the error), with no per-state
    /// trait impl.
    fn single_source(&self, event: &Event<'_>) -> Option<StateId> {
        match self.w.states_allowing_event(event)[..] {
            [only] => Some(only),
            _ => None,
        }
    }

    fn event_methods(&self) -> TokenStream {
        let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
        let methods = self.events.iter().map(|event| {
            let method = ident(event.name.as_str());
            let tr = ident(event.name.pascal());
            let doc = docs::event_method(self.w, event, &self.outgoing);
            let doc = if self.timed {
                format!("{doc}\n`now` is the caller's instant: timers are checked against it, and the machine records it as when it entered the new state. An instant earlier than `entered_at()` is taken as given (a `not_before` timer is then not yet due); `turnstile::Instance` refuses it as `ClockBehind`.")
            } else {
                doc
            };
            if let Some(from) = self.single_source(event) {
                // One source state: the body is written here, generic only
                // in name (the bound admits exactly that state).
                let t = self.w.transition(event.transitions[0]);
                if self.w.plain_move(t, &self.outgoing[from.0]) {
                    // A plain move, the bulk of large workflows: as text.
                    let (now_param, now_arg) = if self.timed {
                        (", now: ::std::time::SystemTime", ", now")
                    } else {
                        ("", "")
                    };
                    return self.lex(&format!(
                        "#[doc = {}] pub fn {ev}(self{now_param}) -> Machine<state::{to}> \
                         where S: event::Allows<state::{from}, event::{ev}, {line}> \
                         {{ into_state(self{now_arg}) }}",
                        lit(&doc),
                        ev = event.name.as_str(),
                        to = self.state_ty(t.to[0]),
                        from = self.state_ty(from),
                        line = self.input.file.line_col(t.span.start).0,
                    ));
                }
                let out = self.output_ty(t, from, quote!(Machine<S>), quote!());
                let body = self.fire_body(t, from, quote!());
                let from_ty = self.state_ty(from);
                let marker = ident(event.name.as_str());
                let line = self.input.file.line_col(t.span.start).0 as u32;
                return quote! {
                    #[doc = #doc]
                    pub fn #method(self #now_param) -> #out
                    where
                        S: event::Allows<state::#from_ty, event::#marker, #line>,
                    {
                        let machine = self;
                        #body
                    }
                };
            }
            let now_arg = self.timed.then(|| quote!(, now));
            quote! {
                #[doc = #doc]
                pub fn #method<Out>(self #now_param) -> Out
                where
                    S: event::#tr<Out>,
                {
                    <S as event::#tr<Out>>::fire(self #now_arg)
                }
            }
        });
        quote!(#(#methods)*)
    }

    fn event_traits(&self) -> TokenStream {
        let krate = &self.krate;
        let wname = self.w.name.as_str();
        let traits = self.events.iter().map(|event| {
            let tr = ident(event.name.pascal());
            let ev = event.name.as_str();
            if self.single_source(event).is_some() {
                // Named exactly as the event, for `Allows` to print in errors.
                return self.lex(&format!(
                    "#[doc = \"The event `{ev}` (see `Allows`).\"] \
                     #[allow(non_camel_case_types)] pub enum {ev} {{}}"
                ));
            }
            let allowed: Vec<StateId> = self.w.states_allowing_event(event);
            let allowed_list = allowed
                .iter()
                .map(|s| format!("`{}`", self.state_ty(*s)))
                .collect::<Vec<_>>()
                .join(", ");
            let message = format!("{wname}: event `{ev}` is not allowed in state `{{Self}}`");
            let label = format!("`{ev}` is not allowed in this state");
            let note = format!("`{ev}` is allowed from: {allowed_list}");
            let lines = event
                .transitions
                .iter()
                .map(|t| {
                    self.input
                        .file
                        .line_col(self.w.transition(*t).span.start)
                        .0
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(", ");
            let where_note = format!(
                "`{ev}` is declared in {} (line {lines})",
                self.input.file.path()
            );
            // The implementors are the allowed states: rustdoc lists them.
            let trait_doc =
                format!("The states that allow the event `{ev}`, and what it returns from each.");
            let attrs = quote! {
                #[doc = #trait_doc]
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = #label,
                    note = #note,
                    note = #where_note
                )]
            };
            // `seen` keeps one impl per state: a nondeterministic definition
            // is already an error, and two impls would add a second one.
            let mut seen = std::collections::HashSet::new();
            let mut impls = Vec::new();
            for tid in &event.transitions {
                let t = self.w.transition(*tid);
                for &from in &t.from {
                    if !seen.insert(from) {
                        continue;
                    }
                    impls.push(self.event_impl(&tr, t, from));
                }
            }
            let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
            quote! {
                #attrs
                pub trait #tr<Out>: #krate::State + ::core::marker::Sized {
                    /// Fires the event: what the machine's method of the same name calls.
                    fn fire(machine: super::Machine<Self> #now_param) -> Out;
                }
                #(#impls)*
            }
        });
        let allows_message = format!("{wname}: event `{{E}}` is not allowed in state `{{Self}}`");
        let allows_where = format!(
            "`{{E}}` is declared in {} (line {{LINE}})",
            self.input.file.path()
        );
        quote! {
            /// The events. A method such as [`Machine::open`](super::Machine)
            /// exists for every state, but compiles only in the states that
            /// allow it; elsewhere the compiler says which states do.
            ///
            /// An event allowed from one state has a marker type here, named
            /// as the event, and its method the bound [`Allows`]; an event
            /// allowed from several has a trait, implemented for those states.
            pub mod event {
                /// `S: Allows<From, E, LINE>` holds when `S` is `From`: the bound of
                /// the method of an event `E` allowed from one state, declared at
                /// line `LINE` of the definition. One trait for every such event
                /// costs the compiler far less than a trait each.
                #[diagnostic::on_unimplemented(
                    message = #allows_message,
                    label = "`{E}` is not allowed in this state",
                    note = "`{E}` is allowed from: `{From}`",
                    note = #allows_where
                )]
                pub trait Allows<From, E, const LINE: ::core::primitive::u32> {}

                impl<S: #krate::State, E, const LINE: ::core::primitive::u32> Allows<S, E, LINE> for S {}

                #(#traits)*
            }
        }
    }

    /// An event's impl for one of its several source states.
    fn event_impl(&self, tr: &Ident, t: &Transition, from: StateId) -> TokenStream {
        let from_ty = self.state_ty(from);
        let out = self.output_ty(
            t,
            from,
            quote!(super::Machine<super::state::#from_ty>),
            quote!(super::),
        );
        let body = self.fire_body(t, from, quote!(super::));
        let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
        quote! {
            impl #tr<#out> for super::state::#from_ty {
                fn fire(machine: super::Machine<Self> #now_param) -> #out {
                    #body
                }
            }
        }
    }

    /// The body that fires `t` from `from` on `machine`: timers, guards,
    /// then the move (or the outcome's decision). `up` reaches the
    /// workflow module (`super::` from `event`, nothing from the module).
    fn fire_body(&self, t: &Transition, from: StateId, up: TokenStream) -> TokenStream {
        let krate = &self.krate;
        let data = self.data(if up.is_empty() { 1 } else { 2 });
        let event = t.event.as_str();
        let wname = self.w.name.as_str();
        let from_name = self.w.state(from).name.as_str();
        let none = quote!(::core::option::Option::None);
        // `return Err(Rejected)`: the machine back, and why.
        let refuse =
            |guard: &str, reason: &str, not_before: TokenStream, preempted_by: TokenStream| {
                quote! {
                    return ::core::result::Result::Err(#krate::Rejected::new(
                        machine,
                        #krate::Refusal {
                            workflow: #wname,
                            event: #event,
                            state: #from_name,
                            guard: #guard,
                            reason: #reason,
                            not_before: #not_before,
                            preempted_by: #preempted_by,
                        },
                    ));
                }
            };
        // The checks, in the one order `Workflow::checks` gives.
        let checks = self
            .w
            .checks(t, &self.outgoing[from.0])
            .into_iter()
            .map(|check| match check {
                Check::Preempted { by, timer } => {
                    let after = duration(timer.after);
                    let other_event = self.w.transition(by).event.as_str();
                    let refused = refuse(
                        "",
                        "",
                        none.clone(),
                        quote!(::core::option::Option::Some(#other_event)),
                    );
                    quote! {
                        if #krate::__private::preempted(machine.entered_at, #after, now) {
                            #refused
                        }
                    }
                }
                Check::Timer(timer) => {
                    let after = duration(timer.after);
                    let refused = refuse(
                        "",
                        "",
                        quote!(::core::option::Option::Some(wait)),
                        none.clone(),
                    );
                    quote! {
                        if let ::core::result::Result::Err(wait) =
                            #krate::__private::wait(machine.entered_at, #after, now)
                        {
                            #refused
                        }
                    }
                }
                Check::Guard(g) => {
                    let guard = self.w.guard(g);
                    let method = ident(guard.name.as_str());
                    let reason = guard.summary.as_deref().unwrap_or("");
                    let refused = refuse(guard.name.as_str(), reason, none.clone(), none.clone());
                    quote! {
                        if !<#data as #up Guards>::#method(&machine.data) {
                            #refused
                        }
                    }
                }
            })
            .collect::<Vec<_>>();
        let now_comma = self.timed.then(|| quote!(, now));
        let moved = if t.is_branch() {
            let e = ident(t.event.pascal());
            let method = ident(t.event.as_str());
            let arms = t.to.iter().map(|to| {
                let v = self.state_ty(*to);
                quote!(#up choice::#e::#v => #up outcome::#e::#v(#up into_state(machine #now_comma)))
            });
            quote! {
                match <#data as #up Outcomes>::#method(&machine.data) {
                    #(#arms,)*
                }
            }
        } else {
            quote!(#up into_state(machine #now_comma))
        };
        if !self.refusable_from(t, from) {
            moved
        } else {
            quote! {
                #(#checks)*
                ::core::result::Result::Ok(#moved)
            }
        }
    }

    /// The by-name side: the `Event` enum, the `Current` enum of machines
    /// (the typed resume point), dispatch by name (the typed methods for
    /// guarded, timed and branching transitions, the same move for plain
    /// ones), and `turnstile::Dispatch` on the data type.
    fn by_name(&self) -> TokenStream {
        let krate = &self.krate;
        let w = self.w;
        let data = self.data(2);
        let wname = w.name.as_str();
        let fingerprint = turnstile_spec::fingerprint::fingerprint(w);
        let timed = self.timed;
        let now_arg = timed.then(|| quote!(now));
        let now_comma = timed.then(|| quote!(, now));

        // The event enum.
        let event_variants: Vec<Ident> =
            self.events.iter().map(|e| ident(e.name.pascal())).collect();
        let event_names: Vec<&str> = self.events.iter().map(|e| e.name.as_str()).collect();
        let event_docs: Vec<String> = self
            .events
            .iter()
            .map(|e| format!("`{}`", e.name))
            .collect();

        // The enum of machines.
        let state_variants: Vec<Ident> = (0..w.states.len())
            .map(|i| self.state_ty(StateId(i)))
            .collect();
        let state_names: Vec<&str> = w.states.iter().map(|s| s.name.as_str()).collect();
        let state_docs: Vec<String> = w
            .states
            .iter()
            .map(|s| match &s.summary {
                Some(summary) => format!("`{}`: {}", s.name, docs::text(summary)),
                None => format!("`{}`", s.name),
            })
            .collect();
        let ignore_entered = (!timed).then(|| quote!(let _ = entered_at;));
        let ignore_now = (!timed).then(|| quote!(let _ = now;));

        // One arm per (state, event) the definition allows: a guarded, timed
        // or branching one calls the typed method (so the two cannot
        // disagree), a plain one makes the same move in place.
        // Nested: one arm per state, inside it one per event it allows.
        // (A flat match on `(state, event)` pairs costs the compiler far
        // more to check.) Unmatched events hand the machine back.
        let event_index: std::collections::HashMap<&str, usize> = event_names
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, i))
            .collect();
        let mut arms = Vec::new();
        let mut fns = Vec::new();
        // States whose transitions all just move the machine (no guard,
        // timer or outcome) are dispatched through a table of moves, with
        // no function of their own.
        // A small workflow dispatches in one nested `match`, which the
        // optimizer turns into jump tables; a large one through small
        // functions and a table of moves, which the compiler checks faster.
        let small = w.states.len() <= SMALL_DISPATCH_STATES;
        let mut moves = Vec::new();
        for (i, out) in self.outgoing.iter().enumerate() {
            let plain = |tid: &TransitionId| {
                let t = self.w.transition(*tid);
                self.w.plain_move(t, out)
            };
            if !small && out.iter().all(plain) {
                moves.push(
                    out.iter()
                        .map(|tid| {
                            let t = self.w.transition(*tid);
                            (event_index[t.event.as_str()], t.to[0].0)
                        })
                        .collect::<Vec<_>>(),
                );
                continue;
            }
            moves.push(Vec::new());
            let variant = self.state_ty(StateId(i));
            let inner = out.iter().map(|tid| {
                let t = self.w.transition(*tid);
                let method = ident(t.event.as_str());
                let landed = |next: TokenStream| {
                    if t.is_branch() {
                        quote!(Current::from(#next))
                    } else {
                        let to = self.state_ty(t.to[0]);
                        quote!(Current::#to(#next))
                    }
                };
                let fire = if self.refusable_from(t, StateId(i)) {
                    let next = landed(quote!(next));
                    quote! {
                        match m.#method(#now_arg) {
                            ::core::result::Result::Ok(next) => ::core::result::Result::Ok(#next),
                            ::core::result::Result::Err(rejected) => {
                                let (m, refusal) = rejected.into_parts();
                                ::core::result::Result::Err(#krate::Refused::new(
                                    Current::#variant(m),
                                    #krate::Why::from(refusal),
                                ))
                            }
                        }
                    }
                } else if t.is_branch() {
                    let next = landed(quote!(m.#method(#now_arg)));
                    quote!(::core::result::Result::Ok(#next))
                } else {
                    // What the typed method does, without the call: the
                    // machine moves into the target state.
                    let next = landed(quote!(super::into_state(m #now_comma)));
                    quote!(::core::result::Result::Ok(#next))
                };
                if small {
                    let ev = ident(t.event.pascal());
                    return quote!(Event::#ev => return #fire,);
                }
                let n = proc_macro2::Literal::usize_unsuffixed(event_index[t.event.as_str()]);
                quote!(#n => #fire,)
            });
            if small {
                if !out.is_empty() {
                    arms.push(quote! {
                        Current::#variant(m) => match event {
                            #(#inner)*
                            #[allow(unreachable_patterns)]
                            _ => Current::#variant(m),
                        },
                    });
                }
                continue;
            }
            // One small function per state: the compiler checks many small
            // bodies much faster than one with thousands of arms.
            let f = quote::format_ident!("fire_{}", i);
            // The event comes as its index: a parameter of the `Event` type
            // makes the compiler weigh each of its variants in every function.
            arms.push(quote!(Current::#variant(m) => return #f(m, event, now),));
            fns.push(quote! {
                fn #f(
                    m: super::Machine<super::state::#variant>,
                    event: usize,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                    #ignore_now
                    match event {
                        #(#inner)*
                        _ => not_allowed(Current::#variant(m), event),
                    }
                }
            });
        }
        let outcome_froms = {
            let mut seen = std::collections::HashSet::new();
            self.w
                .transitions
                .iter()
                .filter(|t| t.is_branch() && seen.insert(t.event.as_str()))
                .map(|t| {
                    let e = ident(t.event.pascal());
                    let variants: Vec<Ident> = t.to.iter().map(|s| self.state_ty(*s)).collect();
                    quote! {
                        impl ::core::convert::From<super::outcome::#e> for Current {
                            fn from(outcome: super::outcome::#e) -> Self {
                                match outcome {
                                    #(super::outcome::#e::#variants(m) => Current::#variants(m),)*
                                }
                            }
                        }
                    }
                })
                .collect::<Vec<_>>()
        };
        let timers = w.transitions.iter().filter_map(|t| {
            let timer = t.timer.as_ref()?;
            let event = t.event.as_str();
            let after = duration(timer.after);
            let automatic = timer.automatic;
            let specs = t.from.iter().map(move |from| {
                let state = w.state(*from).name.as_str();
                quote!(#krate::TimerSpec { state: #state, event: #event, after: #after, automatic: #automatic })
            });
            Some(quote!(#(#specs,)*))
        });
        let transitions = w.transitions.iter().flat_map(|t| {
            let event = t.event.as_str();
            t.from.iter().flat_map(move |from| {
                let from = w.state(*from).name.as_str();
                t.to.iter().map(move |to| {
                    let to = w.state(*to).name.as_str();
                    quote!((#from, #event, #to))
                })
            })
        });
        let current_doc = format!(
            "A `{wname}` machine in whichever state it is in: the typed resume point.\n\n\
             Convert any `Machine<S>` into it with `From`, and back with `TryFrom` (which hands \
             the enum back when it is in another state); `match` on it to be back in typestate. \
             Fire events by name with [`Current::fire`]; [`turnstile::Instance`] adds when the \
             state was entered, the audit trail, timers and snapshots."
        );
        let now_doc = if timed {
            "`now` is the caller's instant: timers are checked against it and the new state is entered at it. An instant earlier than the current state's entry is taken as given; `turnstile::Instance` refuses it as `ClockBehind`."
        } else {
            "`now` is the caller's instant (this workflow has no timers, so only an `Instance`'s trail records it)."
        };
        let fire_doc = format!(
            "Fires the event named `event`: the machine in its new state, or the machine unchanged \
             and why not (no such event, with the closest name; not allowed in this state, with the \
             events that are; a guard; a timer not yet due). Branching events decide through \
             `Outcomes`, as the typed methods do, which this calls.\n\n{now_doc}"
        );
        let start_expr = if timed {
            quote!(super::Machine::new(data, now))
        } else {
            quote!({
                let _ = now;
                super::Machine::new(data)
            })
        };
        let alias_doc = current_doc.clone();
        // Large workflows look names up by binary search over indices sorted
        // by name, and find their moves in a table, all packed into byte
        // strings of little-endian u32 (`turnstile::__private::u32_at`): the
        // compiler takes a byte string as one constant, where an array of
        // thousands of elements costs it time growing faster than the array.
        let packed = |values: &mut dyn Iterator<Item = usize>| {
            let bytes: Vec<u8> = values.flat_map(|v| (v as u32).to_le_bytes()).collect();
            proc_macro2::Literal::byte_string(&bytes)
        };
        let event_count = proc_macro2::Literal::usize_unsuffixed(event_names.len());
        let sorted_indices = |names: &[&str]| {
            let mut indices: Vec<usize> = (0..names.len()).collect();
            indices.sort_by_key(|i| names[*i]);
            indices
        };
        // A model always has its initial state.
        if state_variants.is_empty() {
            return TokenStream::new();
        }
        let (parts_ty, parts, from_parts) = if timed {
            (
                quote!((#data, ::std::time::SystemTime)),
                quote!((m.data, m.entered_at)),
                quote!(super::Machine {
                    data: parts.0,
                    entered_at: parts.1,
                    state: ::core::marker::PhantomData
                }),
            )
        } else {
            (
                quote!(#data),
                quote!(m.data),
                quote!(super::Machine {
                    data: parts,
                    state: ::core::marker::PhantomData
                }),
            )
        };
        // A move's parts: the data, entered into the new state at `now`.
        let moved_parts = if timed {
            quote!((parts.0, now))
        } else {
            quote!({
                let _ = now;
                parts
            })
        };
        let to_parts = if timed {
            quote!((data, entered_at))
        } else {
            quote!(data)
        };
        // A few names are compared in turn; many, by binary search.
        let from_name_body = if small {
            quote! {
                match name {
                    #(#event_names => ::core::option::Option::Some(Event::#event_variants),)*
                    _ => ::core::option::Option::None,
                }
            }
        } else {
            quote! {
                match #krate::__private::find(EVENTS_SORTED, name, |i| <#data as #krate::Workflow>::EVENTS[i]) {
                    ::core::option::Option::Some(i) => Event::from_index(i),
                    ::core::option::Option::None => ::core::option::Option::None,
                }
            }
        };
        // Index → event: matches of at most 64 arms (one large match costs
        // the compiler's exhaustiveness check more than many small ones).
        // Index → event: one match up to 64 events; beyond, a function per
        // 64 (one body of thousands of arms costs the compiler's borrow and
        // exhaustiveness checks far more than many small ones).
        let (from_index_body, event_chunks) = self.chunked_match(
            &event_variants,
            ChunkedFn {
                prefix: "events",
                params: "",
                args: "",
                ret: "::core::option::Option<Event>",
            },
            &|v| format!("::core::option::Option::Some(Event::{v})"),
            &|_| "::core::option::Option::None".to_string(),
        );
        let resume_lookup = if small {
            quote!(<#data as #krate::Workflow>::STATES.iter().position(|s| *s == state))
        } else {
            quote!(#krate::__private::find(STATES_SORTED, state, |i| <#data as #krate::Workflow>::STATES[i]))
        };
        let fire_by_name = if small {
            quote! {
                match Event::from_name(event) {
                    ::core::option::Option::Some(event) => self.fire_event(event, now),
                    ::core::option::Option::None => unknown(self, event),
                }
            }
        } else {
            quote! {
                match #krate::__private::find(EVENTS_SORTED, event, |i| <#data as #krate::Workflow>::EVENTS[i]) {
                    ::core::option::Option::Some(i) => self.fire_at(i, now),
                    ::core::option::Option::None => unknown(self, event),
                }
            }
        };
        let name_tables = (!small).then(|| {
            let events_sorted = packed(&mut sorted_indices(&event_names).into_iter());
            let states_sorted = packed(&mut sorted_indices(&state_names).into_iter());
            quote! {
                /// The events' indices, sorted by name (packed `u32`).
                static EVENTS_SORTED: &[u8] = #events_sorted;
                /// The states' indices, sorted by name (packed `u32`).
                static STATES_SORTED: &[u8] = #states_sorted;
            }
        });
        let (moves_lookup, moves_table) = if small {
            (
                quote! {
                    #ignore_now
                    not_allowed(current, event as usize)
                },
                TokenStream::new(),
            )
        } else {
            let mut starts = vec![0usize];
            let mut pairs = Vec::new();
            for state_moves in &moves {
                pairs.extend(state_moves.iter().flat_map(|(e, to)| [*e, *to]));
                starts.push(pairs.len() / 2);
            }
            let starts = packed(&mut starts.into_iter());
            let pairs = packed(&mut pairs.into_iter());
            (
                quote! {
                    let state = current.index();
                    let from = #krate::__private::u32_at(MOVE_STARTS, state);
                    let until = #krate::__private::u32_at(MOVE_STARTS, state + 1);
                    for k in from..until {
                        if #krate::__private::u32_at(MOVES, 2 * k) == event {
                            let to = #krate::__private::u32_at(MOVES, 2 * k + 1);
                            let parts = current.into_parts();
                            return ::core::result::Result::Ok(Current::from_parts(to, #moved_parts));
                        }
                    }
                    not_allowed(current, event)
                },
                quote! {
                    /// Where each state's moves start in `MOVES` (packed `u32`,
                    /// one more than there are states).
                    static MOVE_STARTS: &[u8] = #starts;
                    /// The moves of the states whose transitions only move the
                    /// machine: (event index, target state index), packed `u32`.
                    static MOVES: &[u8] = #pairs;
                },
            )
        };
        let (fire_event_body, fire_at) = if small {
            (
                quote! {
                    #[allow(unreachable_patterns)]
                    let current = match self {
                        #(#arms)*
                        other => other,
                    };
                    #moves_lookup
                },
                TokenStream::new(),
            )
        } else {
            (
                quote!(self.fire_at(event as usize, now)),
                quote! {
                    /// Fires the event at index `event`.
                    fn fire_at(
                        self,
                        event: usize,
                        now: ::std::time::SystemTime,
                    ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                        #[allow(unreachable_patterns)]
                        let current = match self {
                            #(#arms)*
                            other => other,
                        };
                        #moves_lookup
                    }
                },
            )
        };
        // The arms and variants, one per state or event, as text (see `lex`).
        let arms_text = |arm: &dyn Fn(usize, &Ident) -> String, list: &[Ident]| {
            self.lex(
                &list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| arm(i, v))
                    .collect::<String>(),
            )
        };
        let event_variant_list = arms_text(
            &|i, v| format!("#[doc = {}] {v},", lit(&event_docs[i])),
            &event_variants,
        );
        let state_variant_list = arms_text(
            &|i, v| {
                format!(
                    "#[doc = {}] {v}(super::Machine<super::state::{v}>),",
                    lit(&state_docs[i])
                )
            },
            &state_variants,
        );
        let from_parts_text = from_parts.to_string();
        let parts_text = parts.to_string();
        // Index → machine, in functions of 64 states as for events.
        let parts_params = format!(", parts: {parts_ty}");
        let (from_parts_body, parts_chunks) = self.chunked_match(
            &state_variants,
            ChunkedFn {
                prefix: "states",
                params: &parts_params,
                args: ", parts",
                ret: "Current",
            },
            &|v| format!("Current::{v}({from_parts_text})"),
            // The index is a state's: the last state takes what is left.
            // (`items` is never empty: a model has its initial state.)
            &|items| {
                items.last().map_or_else(String::new, |last| {
                    format!("Current::{last}({from_parts_text})")
                })
            },
        );
        let into_parts_arms = arms_text(
            &|_, v| format!("Current::{v}(m) => {parts_text},"),
            &state_variants,
        );
        let index_arms = arms_text(&|i, v| format!("Current::{v}(_) => {i},"), &state_variants);
        let data_arms = arms_text(
            &|_, v| format!("Current::{v}(m) => &m.data,"),
            &state_variants,
        );
        let data_mut_arms = arms_text(
            &|_, v| format!("Current::{v}(m) => &mut m.data,"),
            &state_variants,
        );
        let into_data_body = if timed {
            quote!(self.into_parts().0)
        } else {
            quote!(self.into_parts())
        };
        quote! {
            /// Dispatch by name. Kept in a private module, and named outside it
            /// through the aliases `Current` and `Event`, so that the variants
            /// (named like the states and events) do not make the compiler
            /// spell out full paths of the state types in its errors.
            #[doc(hidden)]
            mod __dispatch {
            /// The workflow's events, for dispatch without strings.
            #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum Event {
                #event_variant_list
            }

            #name_tables

            impl Event {
                /// How many events the workflow has.
                pub const COUNT: usize = #event_count;

                /// The event at `index` in declaration order (`Event::X as usize`).
                #[inline]
                pub fn from_index(index: usize) -> ::core::option::Option<Event> {
                    #from_index_body
                }

                /// Every event, in declaration order.
                pub fn all() -> impl ::core::iter::Iterator<Item = Event> {
                    (0..Self::COUNT).filter_map(Event::from_index)
                }

                /// The event with this name, if the workflow has one.
                #[inline]
                pub fn from_name(name: &str) -> ::core::option::Option<Event> {
                    #from_name_body
                }

                /// The event's name, as written in the definition.
                #[inline]
                pub fn as_str(&self) -> &'static str {
                    <#data as #krate::Workflow>::EVENTS[*self as usize]
                }
            }

            impl ::core::fmt::Debug for Event {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::core::fmt::Display for Event {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            #[doc = #current_doc]
            pub enum Current {
                #state_variant_list
            }

            impl<S: #krate::State<Workflow = #data>> ::core::convert::From<super::Machine<S>> for Current {
                fn from(m: super::Machine<S>) -> Self {
                    Current::from_parts(<S as #krate::State>::INDEX, #parts)
                }
            }

            impl<S: #krate::State<Workflow = #data>> ::core::convert::TryFrom<Current> for super::Machine<S> {
                type Error = Current;
                fn try_from(current: Current) -> ::core::result::Result<Self, Current> {
                    if current.index() != <S as #krate::State>::INDEX {
                        return ::core::result::Result::Err(current);
                    }
                    let parts = current.into_parts();
                    ::core::result::Result::Ok(#from_parts)
                }
            }

            #(#outcome_froms)*

            impl Current {
                /// The machine named by a stored state, entered at `entered_at`:
                /// the data is handed back when no state has that name.
                pub fn resume(
                    state: &str,
                    data: #data,
                    entered_at: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #data> {
                    #ignore_entered
                    match #resume_lookup {
                        ::core::option::Option::Some(i) => ::core::result::Result::Ok(Current::from_parts(i, #to_parts)),
                        ::core::option::Option::None => ::core::result::Result::Err(data),
                    }
                }

                /// The machine in the state at `index`, from its parts. `index`
                /// is a state's `INDEX` (from its type, or a name looked up in
                /// the table): the last arm takes the last state.
                #[inline]
                fn from_parts(index: usize, parts: #parts_ty) -> Self {
                    #from_parts_body
                }

                /// The machine's parts: its data (and when it entered its state).
                #[inline]
                fn into_parts(self) -> #parts_ty {
                    match self {
                        #into_parts_arms
                    }
                }

                /// The current state's position among the states, in declaration order.
                #[inline]
                pub fn index(&self) -> usize {
                    match self {
                        #index_arms
                    }
                }

                /// The current state's name.
                #[inline]
                pub fn state(&self) -> &'static str {
                    <#data as #krate::Workflow>::STATES[self.index()]
                }

                /// The events the current state allows, in declaration order
                /// (guards and timers may still refuse them).
                #[inline]
                pub fn allowed(&self) -> &'static [&'static str] {
                    <#data as #krate::Workflow>::ALLOWED[self.index()]
                }

                /// The workflow's data.
                pub fn data(&self) -> &#data {
                    match self {
                        #data_arms
                    }
                }

                /// The workflow's data, to change between transitions.
                pub fn data_mut(&mut self) -> &mut #data {
                    match self {
                        #data_mut_arms
                    }
                }

                /// Ends the machine and gives its data back.
                pub fn into_data(self) -> #data {
                    #into_data_body
                }

                #[doc = #fire_doc]
                #[inline]
                pub fn fire(
                    self,
                    event: &str,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                    #fire_by_name
                }

                /// Fires `event`, as [`Current::fire`] does for its name.
                #[inline]
                pub fn fire_event(
                    self,
                    event: Event,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                    #fire_event_body
                }

                #fire_at
            }

            /// No event has the name `event`.
            #[cold]
            fn unknown(current: Current, event: &str) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                ::core::result::Result::Err(#krate::__private::unknown_event(
                    current,
                    super::NAME,
                    event,
                    <#data as #krate::Workflow>::EVENTS,
                ))
            }

            #moves_table

            /// The event at index `event` refused: not allowed in `current`'s state.
            #[cold]
            fn not_allowed(
                current: Current,
                event: usize,
            ) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                let state = current.state();
                let allowed = current.allowed();
                ::core::result::Result::Err(#krate::__private::not_allowed(
                    current,
                    super::NAME,
                    <#data as #krate::Workflow>::EVENTS[event],
                    state,
                    allowed,
                ))
            }

            #(#fns)*

            #event_chunks
            #parts_chunks

            impl #krate::Fired for Current {
                fn landed(&self) -> ::core::option::Option<&'static str> {
                    ::core::option::Option::Some(self.state())
                }
            }

            impl ::core::fmt::Debug for Current {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct("Machine")
                        .field("workflow", &super::NAME)
                        .field("state", &self.state())
                        .finish_non_exhaustive()
                }
            }

            impl #krate::Dispatch for #data {
                type Current = Current;
                const FINGERPRINT: &'static str = #fingerprint;
                const TIMERS: &'static [#krate::TimerSpec] = &[#(#timers)*];
                const TRANSITIONS: &'static [(&'static str, &'static str, &'static str)] = &[#(#transitions),*];

                fn start(data: Self, now: ::std::time::SystemTime) -> Current {
                    Current::from(#start_expr)
                }
                fn resume(state: &str, data: Self, entered_at: ::std::time::SystemTime) -> ::core::result::Result<Current, Self> {
                    Current::resume(state, data, entered_at)
                }
                fn state(current: &Current) -> &'static str {
                    current.state()
                }
                fn allowed(current: &Current) -> &'static [&'static str] {
                    current.allowed()
                }
                fn data(current: &Current) -> &Self {
                    current.data()
                }
                fn data_mut(current: &mut Current) -> &mut Self {
                    current.data_mut()
                }
                fn into_data(current: Current) -> Self {
                    current.into_data()
                }
                fn fire(current: Current, event: &str, now: ::std::time::SystemTime) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                    current.fire(event, now)
                }
            }
            }

            #[doc = #alias_doc]
            pub type Current = __dispatch::Current;

            /// The workflow's events, for dispatch without strings.
            pub type Event = __dispatch::Event;
        }
    }

    fn guards_trait(&self) -> TokenStream {
        if self.w.guards.is_empty() {
            return TokenStream::new();
        }
        let wname = self.w.name.as_str();
        let list = self
            .w
            .guards
            .iter()
            .map(|g| format!("`fn {}(&self) -> bool`", g.name))
            .collect::<Vec<_>>()
            .join(", ");
        let message =
            format!("{wname}: `{{Self}}` does not implement the guards of workflow `{wname}`");
        let label = format!("`{wname}::Guards` is not implemented for `{{Self}}`");
        let note = format!("add `impl {wname}::Guards for {{Self}}` with {list}");
        let methods = self.w.guards.iter().enumerate().map(|(i, g)| {
            let method = ident(g.name.as_str());
            let doc = docs::guard(self.w, i);
            quote! {
                #[doc = #doc]
                fn #method(&self) -> bool;
            }
        });
        let doc = format!(
            "The guards of `{wname}`: rules on the data that decide whether a transition may happen.\n\n\
             Implement it on the data type. A guarded event returns `Result`: `Err` hands the \
             machine back unchanged when a guard does not hold (the first one that fails is named)."
        );
        quote! {
            #[doc = #doc]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait Guards {
                #(#methods)*
            }
        }
    }

    fn outcomes(&self) -> TokenStream {
        let krate = &self.krate;
        let wname = self.w.name.as_str();
        let branches: Vec<&Transition> = {
            let mut seen = std::collections::HashSet::new();
            self.w
                .transitions
                .iter()
                .filter(|t| t.is_branch() && seen.insert(t.event.as_str()))
                .collect()
        };
        if branches.is_empty() {
            return TokenStream::new();
        }
        let mut choices = Vec::new();
        let mut outcomes = Vec::new();
        let mut methods = Vec::new();
        for t in &branches {
            let e = ident(t.event.pascal());
            let ev = t.event.as_str();
            let method = ident(ev);
            let variants: Vec<Ident> = t.to.iter().map(|s| self.state_ty(*s)).collect();
            let names: Vec<&str> =
                t.to.iter()
                    .map(|s| self.w.state(*s).name.as_str())
                    .collect();
            let variant_docs: Vec<String> =
                t.to.iter()
                    .map(|s| {
                        let st = self.w.state(*s);
                        match &st.summary {
                            Some(summary) => format!("`{}`: {}", st.name, docs::text(summary)),
                            None => format!("`{}`", st.name),
                        }
                    })
                    .collect();
            let choice_doc = format!(
                "Which outcome the event `{ev}` takes: decided by [`Outcomes::{ev}`](super::Outcomes::{ev}) when it fires."
            );
            let outcome_doc = format!(
                "The machine after the event `{ev}`, in the state its outcome decided: match it to go on."
            );
            let variant_labels: Vec<String> = variants.iter().map(|v| format!("{v}(..)")).collect();
            choices.push(quote! {
                #[doc = #choice_doc]
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                pub enum #e {
                    #(#[doc = #variant_docs] #variants,)*
                }
            });
            outcomes.push(quote! {
                #[doc = #outcome_doc]
                #[must_use = "the machine is inside the outcome: match it to go on"]
                pub enum #e {
                    #(#[doc = #variant_docs] #variants(super::Machine<super::state::#variants>),)*
                }

                impl #e {
                    /// The name of the state the machine is now in.
                    pub fn state(&self) -> &'static str {
                        match self {
                            #(#e::#variants(_) => #names,)*
                        }
                    }

                    /// Which outcome this is, without the machine.
                    pub fn choice(&self) -> super::choice::#e {
                        match self {
                            #(#e::#variants(_) => super::choice::#e::#variants,)*
                        }
                    }
                }

                impl #krate::Fired for #e {
                    fn landed(&self) -> ::core::option::Option<&'static str> {
                        ::core::option::Option::Some(self.state())
                    }
                }

                impl ::core::fmt::Debug for #e {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        match self {
                            #(#e::#variants(m) => f.debug_tuple(#variant_labels).field(m).finish(),)*
                        }
                    }
                }
            });
            let doc = docs::outcome_method(self.w, t);
            methods.push(quote! {
                #[doc = #doc]
                fn #method(&self) -> choice::#e;
            });
        }
        let list = branches
            .iter()
            .map(|t| {
                format!(
                    "`fn {}(&self) -> {wname}::choice::{}`",
                    t.event,
                    t.event.pascal()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let message =
            format!("{wname}: `{{Self}}` does not decide the outcomes of workflow `{wname}`");
        let label = format!("`{wname}::Outcomes` is not implemented for `{{Self}}`");
        let note = format!("add `impl {wname}::Outcomes for {{Self}}` with {list}");
        let doc = format!(
            "The outcomes of `{wname}`'s branching events: for each, which target the data says it takes.\n\n\
             Implement it on the data type. Record what decides the outcome (a payment \
             result, a review's verdict) in the data with `data_mut()`, then fire the event."
        );
        quote! {
            /// For each branching event, the fieldless decision returned by [`Outcomes`].
            pub mod choice {
                #(#choices)*
            }

            /// For each branching event, the machine in the state the decision chose.
            pub mod outcome {
                #(#outcomes)*
            }

            #[doc = #doc]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait Outcomes {
                #(#methods)*
            }
        }
    }
}

/// Tokens from Rust source the generator wrote as text. The bulk of a large
/// expansion (an item or an arm per state or event) is written so and lexed
/// once: the derive runs unoptimized in its users' dev builds, where
/// building the same tokens with `quote!`, one call per token, costs
/// several times more (docs/performance.md).
fn lex_with(lexer: Option<fn(&str) -> Option<TokenStream>>, text: &str) -> TokenStream {
    let tokens = match lexer {
        Some(lexer) => lexer(text),
        None => text.parse().ok(),
    };
    tokens.unwrap_or_else(|| {
        compile_error(
            "turnstile: the generated code does not lex; please report this",
            Span::call_site(),
        )
    })
}

/// `text` as a Rust string literal.
fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// The functions of a [`Generator::chunked_match`]: `{prefix}_{k}(index{params}) -> {ret}`,
/// called with `(index % 64{args})`.
struct ChunkedFn<'a> {
    prefix: &'a str,
    params: &'a str,
    args: &'a str,
    ret: &'a str,
}

/// Up to this many states, dispatch by name is one nested `match` (fastest
/// at run time); beyond, small functions and a table (faster to compile).
const SMALL_DISPATCH_STATES: usize = 64;

/// The `compile_error!` invocation carrying `message`, spanned at `span`.
pub fn compile_error(message: &str, span: Span) -> TokenStream {
    quote::quote_spanned!(span=> ::core::compile_error!(#message);)
}
