//! The events: one method of `Machine` per event, usable only where the
//! definition allows it (the bound `event::Allows` for an event allowed
//! from one state, a trait per event allowed from several), and the body
//! that fires a transition: its checks in the order `Workflow::checks`
//! gives, then the move or the outcome's decision.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use turnstile_spec::{Check, Event, StateId, Transition};

use crate::text::{lit, Items};
use crate::{docs, duration, ident, Generator};

impl<'a> Generator<'a> {
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

    /// Where `event` is allowed, for its error note: the states, each
    /// compound it is written `from` said once ("any state within
    /// `limited` (`Restricted`, `Frozen`)"), then the other states.
    fn allowed_words(&self, event: &Event<'_>, allowed: &[StateId]) -> String {
        let mut covered: Vec<StateId> = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        for t in &event.transitions {
            let t = self.w.transition(*t);
            for c in &t.from_compounds {
                let inside: Vec<StateId> = self
                    .w
                    .leaves_of(*c)
                    .into_iter()
                    .filter(|s| t.from.contains(s))
                    .collect();
                let list = inside
                    .iter()
                    .map(|s| format!("`{}`", self.state_ty(*s)))
                    .collect::<Vec<_>>()
                    .join(", ");
                parts.push(format!(
                    "any state within `{}` ({list})",
                    self.w.compound(*c).name
                ));
                covered.extend(inside);
            }
        }
        let rest: Vec<String> = allowed
            .iter()
            .filter(|s| !covered.contains(s))
            .map(|s| format!("`{}`", self.state_ty(*s)))
            .collect();
        if parts.is_empty() {
            return rest.join(", ");
        }
        if !rest.is_empty() {
            parts.push(rest.join(", "));
        }
        parts.join("; ")
    }

    pub(crate) fn event_methods(&self) -> TokenStream {
        // The same for every plain move, written once (unless a compound's
        // timer makes each move say what it stays inside).
        let plain_move = (self.within == 0).then(|| self.move_into_any(quote!(self)).to_string());
        let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
        let mut items = Items::new(self);
        for event in &self.events {
            let doc = docs::event_method(self.w, event, &self.outgoing);
            let doc = if self.timed {
                format!("{doc}\n`now` is the caller's instant: timers are checked against it, and the machine records it as when it entered the new state. An instant earlier than `entered_at()` is taken as given (a `not_before` timer is then not yet due); `turnstile::Instance` refuses it as `ClockBehind`.")
            } else {
                doc
            };
            let restricted = self.restricted(event);
            let single = self.single_source(event);
            if let Some(from) = single {
                let t = self.w.transition(event.transitions[0]);
                if !restricted && self.w.plain_move(t, from, &self.outgoing[from.0]) {
                    let plain_move = match &plain_move {
                        Some(text) => text.clone(),
                        None => self
                            .move_into(quote!(), quote!(self), (t, from, t.to[0]))
                            .to_string(),
                    };
                    // (A transition with a payload is never a plain move.)
                    // A plain move, the bulk of large workflows: as text.
                    let now_param = if self.timed {
                        ", now: ::std::time::SystemTime"
                    } else {
                        ""
                    };
                    items.text(&format!(
                        "#[doc = {}] pub fn {ev}(self{now_param}) -> Machine<state::{to}> \
                         where S: event::Allows<state::{from}, event::{ev}, {line}> \
                         {{ {plain_move} }}",
                        lit(&doc),
                        ev = event.name.as_str(),
                        to = self.state_ty(t.to[0]),
                        from = self.state_ty(from),
                        line = self.input.file.line_col(t.span.start).0,
                    ));
                    continue;
                }
            }
            let method = ident(event.name.as_str());
            let tr = ident(event.name.pascal());
            let krate = &self.krate;
            // An event that brings a payload takes it after the role.
            let payload = self.event_payload(event);
            let payload_param = payload.map(|p| {
                let ty = self.payload_ty(p, 1);
                quote!(, payload: #ty)
            });
            let payload_arg = payload.map(|_| quote!(, payload));
            // A role-restricted event takes the actor's evidence of a role.
            let (role_generic, role_param, role_use) = if restricted {
                (
                    quote!(R,),
                    quote!(, by: &#krate::Acting<R>),
                    quote!(let _ = by;),
                )
            } else {
                Default::default()
            };
            if let Some(from) = single {
                // One source state: the body is written here, generic only
                // in name (the bound admits exactly that state).
                let t = self.w.transition(event.transitions[0]);
                let out = self.output_ty(t, from, quote!(Machine<S>), quote!());
                let body = self.fire_body(t, from, quote!());
                let from_ty = self.state_ty(from);
                let marker = ident(event.name.as_str());
                let line = self.input.file.line_col(t.span.start).0 as u32;
                let role_bound = restricted.then(|| self.role_bound(t, from, &quote!()));
                items.tokens(quote! {
                    #[doc = #doc]
                    pub fn #method<#role_generic>(self #role_param #payload_param #now_param) -> #out
                    where
                        S: event::Allows<state::#from_ty, event::#marker, #line>,
                        #role_bound
                    {
                        #role_use
                        let machine = self;
                        #body
                    }
                });
                continue;
            }
            let now_arg = self.timed.then(|| quote!(, now));
            items.tokens(quote! {
                #[doc = #doc]
                pub fn #method<#role_generic Out>(self #role_param #payload_param #now_param) -> Out
                where
                    S: event::#tr<#role_generic Out>,
                {
                    #role_use
                    <S as event::#tr<#role_generic Out>>::fire(self #payload_arg #now_arg)
                }
            });
        }
        items.finish()
    }

    pub(crate) fn event_traits(&self) -> TokenStream {
        let krate = &self.krate;
        let wname = self.w.name.as_str();
        let mut traits = Items::new(self);
        for event in &self.events {
            let ev = event.name.as_str();
            if self.single_source(event).is_some() {
                // Named exactly as the event, for `Allows` to print in errors.
                traits.text(&format!(
                    "#[doc = \"The event `{ev}` (see `Allows`).\"] \
                     #[allow(non_camel_case_types)] pub enum {ev} {{}}"
                ));
                continue;
            }
            let tr = ident(event.name.pascal());
            let allowed: Vec<StateId> = self.w.states_allowing_event(event);
            let allowed_list = self.allowed_words(event, &allowed);
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
            let restricted = self.restricted(event);
            let mut seen = std::collections::HashSet::new();
            let mut impls = Vec::new();
            for tid in &event.transitions {
                let t = self.w.transition(*tid);
                for &from in &t.from {
                    if !seen.insert(from) {
                        continue;
                    }
                    impls.push(self.event_impl(&tr, t, from, restricted));
                }
            }
            let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
            let payload_param = self.event_payload(event).map(|p| {
                let ty = self.payload_ty(p, 2);
                quote!(, payload: #ty)
            });
            let role_generic = restricted.then(|| quote!(R,));
            // The bound on the actor's role names the event by a marker
            // type, as `Allows` does for an event from one state.
            let marker = restricted.then(|| {
                self.lex(&format!(
                    "#[doc = \"The event `{ev}` (see `role::May`).\"] \
                     #[allow(non_camel_case_types)] pub enum {ev} {{}}"
                ))
            });
            traits.tokens(quote! {
                #attrs
                pub trait #tr<#role_generic Out>: #krate::State + ::core::marker::Sized {
                    /// Fires the event: what the machine's method of the same name calls.
                    fn fire(machine: super::Machine<Self> #payload_param #now_param) -> Out;
                }
                #(#impls)*
                #marker
            });
        }
        let traits = traits.finish();
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

                #traits
            }
        }
    }

    /// An event's impl for one of its several source states (for an actor
    /// in one of the transition's roles, when `restricted`).
    fn event_impl(
        &self,
        tr: &Ident,
        t: &Transition,
        from: StateId,
        restricted: bool,
    ) -> TokenStream {
        let from_ty = self.state_ty(from);
        let out = self.output_ty(
            t,
            from,
            quote!(super::Machine<super::state::#from_ty>),
            quote!(super::),
        );
        let body = self.fire_body(t, from, quote!(super::));
        let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
        let payload_param = t.payload.as_ref().map(|p| {
            let ty = self.payload_ty(p, 2);
            quote!(, payload: #ty)
        });
        if restricted {
            let bound = self.role_bound(t, from, &quote!(super::));
            return quote! {
                // `self::`: an event named `r` has the trait `R`.
                impl<R> self::#tr<R, #out> for super::state::#from_ty where #bound {
                    fn fire(machine: super::Machine<Self> #payload_param #now_param) -> #out {
                        #body
                    }
                }
            };
        }
        quote! {
            impl #tr<#out> for super::state::#from_ty {
                fn fire(machine: super::Machine<Self> #payload_param #now_param) -> #out {
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
        // `return Err(Rejected)`: the machine back, and why (`variant`, with
        // its own fields after the ones every refusal has).
        // With a payload, it is handed back too.
        let refuse = |variant: TokenStream, fields: TokenStream| {
            let (constructor, payload) = match t.payload {
                Some(_) => (quote!(with_payload), quote!(, payload)),
                None => (quote!(new), quote!()),
            };
            quote! {
                return ::core::result::Result::Err(#krate::Rejected::#constructor(
                    machine,
                    #krate::Refusal::#variant {
                        workflow: #wname,
                        event: #event,
                        state: #from_name,
                        #fields
                    }
                    #payload
                ));
            }
        };
        // The checks, in the one order `Workflow::checks` gives.
        let checks = self
            .w
            .checks(t, from, &self.outgoing[from.0])
            .into_iter()
            .map(|check| match check {
                Check::Preempted {
                    by,
                    timer,
                    clock,
                    unless,
                } => {
                    let after = duration(timer.after);
                    let other_event = self.w.transition(by).event.as_str();
                    let refused = refuse(quote!(Preempted), quote!(by: #other_event,));
                    let entered = self.clock_of(clock);
                    let due = match unless {
                        None => quote!(#krate::__private::preempted(#entered, #after, now)),
                        Some((own, own_clock)) => {
                            let own_after = duration(own.after);
                            let own_entered = self.clock_of(own_clock);
                            quote!(#krate::__private::preempted_before(#entered, #after, #own_entered, #own_after, now))
                        }
                    };
                    quote! {
                        if #due {
                            #refused
                        }
                    }
                }
                Check::Timer { timer, clock } => {
                    let after = duration(timer.after);
                    let refused = refuse(quote!(NotYet), quote!(wait,));
                    let entered = self.clock_of(clock);
                    quote! {
                        if let ::core::result::Result::Err(wait) =
                            #krate::__private::wait(#entered, #after, now)
                        {
                            #refused
                        }
                    }
                }
                Check::Guard(g) => {
                    let guard = self.w.guard(g);
                    let method = ident(guard.name.as_str());
                    let reason = guard.summary.as_deref().unwrap_or("");
                    let name = guard.name.as_str();
                    let refused = refuse(quote!(Guard), quote!(guard: #name, reason: #reason,));
                    let payload_arg = t.payload.as_ref().map(|_| quote!(, &payload));
                    quote! {
                        if !<#data as #up Guards>::#method(&machine.data #payload_arg) {
                            #refused
                        }
                    }
                }
            })
            .collect::<Vec<_>>();
        let moved = if t.is_branch() {
            let e = ident(t.event.pascal());
            let method = ident(t.event.as_str());
            let arms = t.to.iter().map(|to| {
                let v = self.state_ty(*to);
                let moved = self.move_into(up.clone(), quote!(machine), (t, from, *to));
                quote!(#up choice::#e::#v => #up outcome::#e::#v(#moved))
            });
            quote! {
                match <#data as #up Outcomes>::#method(&machine.data) {
                    #(#arms,)*
                }
            }
        } else {
            self.move_into(up.clone(), quote!(machine), (t, from, t.to[0]))
        };
        // The payload is applied once every check has passed, before the
        // outcome is decided (which may read what it stored).
        let moved = match &t.payload {
            Some(_) => {
                let method = ident(t.event.as_str());
                quote! {{
                    let mut machine = machine;
                    <#data as #up Payloads>::#method(&mut machine.data, payload);
                    #moved
                }}
            }
            None => moved,
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
}
