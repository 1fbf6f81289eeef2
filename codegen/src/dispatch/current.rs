//! The `Current` enum of dispatch by name: the machine in whichever state
//! it is, the typed resume point, and `Current::fire`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use turnstile_spec::StateId;

use super::{ByName, Lookups, Parts};
use crate::text::{lit, ChunkedFn};
use crate::{docs, ident};

impl ByName<'_, '_> {
    pub(super) fn current_doc(&self) -> String {
        let wname = self.g.w.name.as_str();
        format!(
            "A `{wname}` machine in whichever state it is in: the typed resume point.\n\n\
             Convert any `Machine<S>` into it with `From`, and back with `TryFrom` (which hands \
             the enum back when it is in another state); `match` on it to be back in typestate. \
             Fire events by name with [`Current::fire`]; [`turnstile::Instance`] adds when the \
             state was entered, the audit trail, timers and snapshots."
        )
    }

    /// The `Current` enum and its conversions from and to machines and
    /// outcomes.
    pub(super) fn current_enum(&self) -> TokenStream {
        // (Its doc and the alias's are the same text.)
        let g = self.g;
        let (krate, data) = (self.krate, &self.data);
        let state_docs: Vec<String> =
            g.w.states
                .iter()
                .map(|s| match &s.summary {
                    Some(summary) => format!("`{}`: {}", s.name, docs::text(summary)),
                    None => format!("`{}`", s.name),
                })
                .collect();
        let variants = g.lex(
            &self
                .state_variants
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    format!(
                        "#[doc = {}] {v}(super::Machine<super::state::{v}>),",
                        lit(&state_docs[i])
                    )
                })
                .collect::<String>(),
        );
        let current_doc = self.current_doc();
        let Parts {
            of_machine,
            machine,
            ..
        } = &self.parts;
        let mut seen = std::collections::HashSet::new();
        let outcome_froms =
            g.w.transitions
                .iter()
                .filter(|t| t.is_branch() && seen.insert(t.event.as_str()))
                .map(|t| {
                    let e = ident(t.event.pascal());
                    let variants: Vec<Ident> = t.to.iter().map(|s| g.state_ty(*s)).collect();
                    quote! {
                        impl ::core::convert::From<super::outcome::#e> for Current {
                            fn from(outcome: super::outcome::#e) -> Self {
                                match outcome {
                                    #(super::outcome::#e::#variants(m) => Current::#variants(m),)*
                                }
                            }
                        }
                    }
                });
        quote! {
            #[doc = #current_doc]
            pub enum Current {
                #variants
            }

            impl<S: #krate::State<Workflow = #data>> ::core::convert::From<super::Machine<S>> for Current {
                fn from(m: super::Machine<S>) -> Self {
                    Current::from_parts(<S as #krate::State>::INDEX, #of_machine)
                }
            }

            impl<S: #krate::State<Workflow = #data>> ::core::convert::TryFrom<Current> for super::Machine<S> {
                type Error = Current;
                fn try_from(current: Current) -> ::core::result::Result<Self, Current> {
                    if current.index() != <S as #krate::State>::INDEX {
                        return ::core::result::Result::Err(current);
                    }
                    let parts = current.into_parts();
                    ::core::result::Result::Ok(#machine)
                }
            }

            #(#outcome_froms)*
        }
    }

    /// The documentation of `Current::fire`.
    fn fire_doc(&self) -> String {
        let now_doc = if self.g.timed {
            "`now` is the caller's instant: timers are checked against it and the new state is entered at it. An instant earlier than the current state's entry is taken as given; `turnstile::Instance` refuses it as `ClockBehind`."
        } else {
            "`now` is the caller's instant (this workflow has no timers, so only an `Instance`'s trail records it)."
        };
        format!(
            "Fires the event named `event`: the machine in its new state, or the machine unchanged \
             and why not (no such event, with the closest name; not allowed in this state, with the \
             events that are; a guard; a timer not yet due). Branching events decide through \
             `Outcomes`, as the typed methods do, which this calls.\n\n{now_doc}"
        )
    }

    /// `Current::fire`, `fire_as` and `fire_event`. With roles, every one
    /// checks the actor's roles before it dispatches (`fire` and
    /// `fire_event` as an anonymous actor, who holds none).
    fn fire_methods(&self, fire_by_name: &TokenStream, fire_event: &TokenStream) -> TokenStream {
        let fire_with = self.fire_with();
        let tokens = self.fire_methods_by_role(fire_by_name, fire_event);
        quote!(#tokens #fire_with)
    }

    /// `Current::fire_with`: an event by name with its payload's text.
    /// Without payloads in the definition, a payload is refused and the
    /// rest is `fire_as`; with them, each event that brings one is read
    /// and handed to its typed method here.
    fn fire_with(&self) -> TokenStream {
        let g = self.g;
        let (krate, data) = (self.krate, &self.data);
        let ret = quote!(::core::result::Result<(Self, ::core::option::Option<::std::string::String>), #krate::Refused<Self>>);
        let doc = "Fires the event named `event` by `actor`, bringing `payload` (its text, read with \
                   `turnstile::Payload`: JSON with the `serde` feature): the machine and what the \
                   trail records of the payload (its text, or the digest of a sensitive one), or the \
                   machine unchanged and why not. A missing or unreadable payload, or a payload \
                   for an event that brings none, is refused with `Why::BadPayload`; the rest is \
                   as [`Current::fire_as`].";
        let payload_events: Vec<TokenStream> = g
            .events
            .iter()
            .filter_map(|event| {
                let payload = g.event_payload(event)?;
                let name = event.name.as_str();
                let ty = g.payload_ty(payload, 2);
                let sensitive = payload.sensitive;
                let (wname, ty_text) = (g.w.name.as_str(), payload.ty.as_str());
                let arms = event.transitions.iter().flat_map(|tid| {
                    let t = g.w.transition(*tid);
                    t.from.iter().map(move |from| (t, from.0))
                }).map(|(t, i)| {
                    let variant = &self.state_variants[i];
                    let state = g.w.state(StateId(i)).name.as_str();
                    let fire = self.fire_arm(t, i, Some(quote!(payload)));
                    quote! {
                        Current::#variant(m) => {
                            let bad = |problem: ::std::string::String| #krate::Why::BadPayload {
                                workflow: #wname,
                                event: #name,
                                state: #state,
                                expected: ::core::option::Option::Some(#ty_text),
                                problem,
                            };
                            let payload: #ty = match payload {
                                ::core::option::Option::None => {
                                    return ::core::result::Result::Err(#krate::Refused::new(
                                        Current::#variant(m),
                                        bad(::std::string::String::from("was not given")),
                                    ));
                                }
                                ::core::option::Option::Some(text) => match <#ty as #krate::Payload>::decode(text) {
                                    ::core::result::Result::Ok(payload) => payload,
                                    ::core::result::Result::Err(problem) => {
                                        return ::core::result::Result::Err(#krate::Refused::new(
                                            Current::#variant(m),
                                            bad(::std::format!("does not read: {problem}")),
                                        ));
                                    }
                                },
                            };
                            let recorded = #krate::__private::recorded(<#ty as #krate::Payload>::encode(&payload), #sensitive);
                            let fired: ::core::result::Result<Current, #krate::Refused<Current>> = #fire;
                            fired.map(|c| (c, ::core::option::Option::Some(recorded)))
                        }
                    }
                });
                Some(quote! {
                    #name => {
                        if let ::core::result::Result::Err(why) = #krate::__private::role_for::<#data>(self.index(), event, actor) {
                            return ::core::result::Result::Err(#krate::Refused::new(self, why));
                        }
                        match self {
                            #(#arms)*
                            #[allow(unreachable_patterns)]
                            other => other.fire_as(event, actor, now).map(|c| (c, ::core::option::Option::None)),
                        }
                    }
                })
            })
            .collect();
        quote! {
            #[doc = #doc]
            pub fn fire_with(
                self,
                event: &str,
                payload: ::core::option::Option<&str>,
                actor: &#krate::Actor<'_>,
                now: ::std::time::SystemTime,
            ) -> #ret {
                match event {
                    #(#payload_events)*
                    _ => {
                        if payload.is_some() && self.allowed().contains(&event) {
                            // The roles first, as for every event.
                            let why = match #krate::__private::role_for::<#data>(self.index(), event, actor) {
                                ::core::result::Result::Err(why) => why,
                                ::core::result::Result::Ok(_) => #krate::__private::unexpected::<#data>(self.index(), event),
                            };
                            return ::core::result::Result::Err(#krate::Refused::new(self, why));
                        }
                        self.fire_as(event, actor, now).map(|c| (c, ::core::option::Option::None))
                    }
                }
            }
        }
    }

    /// `fire`, `fire_as` and `fire_event`, with the roles checked where
    /// the definition has roles.
    fn fire_methods_by_role(
        &self,
        fire_by_name: &TokenStream,
        fire_event: &TokenStream,
    ) -> TokenStream {
        let (krate, data) = (self.krate, &self.data);
        let fire_doc = self.fire_doc();
        let fire_as_doc = "Fires the event named `event` by `actor`: as [`Current::fire`], except that a \
             transition which names roles in `by` is refused with `Why::Forbidden` unless the actor \
             holds one of them. (`fire` fires as an anonymous actor, who holds no role.)";
        let ret = quote!(::core::result::Result<Self, #krate::Refused<Self>>);
        if !self.g.w.has_roles() {
            return quote! {
                #[doc = #fire_doc]
                #[inline]
                pub fn fire(self, event: &str, now: ::std::time::SystemTime) -> #ret {
                    #fire_by_name
                }

                #[doc = #fire_as_doc]
                #[inline]
                pub fn fire_as(self, event: &str, actor: &#krate::Actor<'_>, now: ::std::time::SystemTime) -> #ret {
                    let _ = actor;
                    self.fire(event, now)
                }

                /// Fires `event`, as [`Current::fire`] does for its name.
                #[inline]
                pub fn fire_event(self, event: Event, now: ::std::time::SystemTime) -> #ret {
                    #fire_event
                }
            };
        }
        quote! {
            #[doc = #fire_doc]
            #[inline]
            pub fn fire(self, event: &str, now: ::std::time::SystemTime) -> #ret {
                self.fire_as(event, &#krate::Actor::ANONYMOUS, now)
            }

            #[doc = #fire_as_doc]
            pub fn fire_as(self, event: &str, actor: &#krate::Actor<'_>, now: ::std::time::SystemTime) -> #ret {
                if let ::core::result::Result::Err(why) = #krate::__private::role_for::<#data>(self.index(), event, actor) {
                    return ::core::result::Result::Err(#krate::Refused::new(self, why));
                }
                #fire_by_name
            }

            /// Fires `event`, as [`Current::fire`] does for its name (as an
            /// anonymous actor: a role-restricted event is refused).
            pub fn fire_event(self, event: Event, now: ::std::time::SystemTime) -> #ret {
                if let ::core::result::Result::Err(why) = #krate::__private::role_for::<#data>(self.index(), event.as_str(), &#krate::Actor::ANONYMOUS) {
                    return ::core::result::Result::Err(#krate::Refused::new(self, why));
                }
                self.dispatch_event(event, now)
            }

            /// Fires `event` with the roles already checked.
            #[inline]
            fn dispatch_event(self, event: Event, now: ::std::time::SystemTime) -> #ret {
                #fire_event
            }
        }
    }

    /// `impl Current`, and the functions its `from_parts` calls (to put
    /// further down).
    pub(super) fn current_impl(&self, lookups: &Lookups) -> (TokenStream, TokenStream) {
        let (krate, data) = (self.krate, &self.data);
        let Parts {
            ty: parts_ty,
            of_machine,
            machine,
            resumed,
            ..
        } = &self.parts;
        let machine_text = machine.to_string();
        let of_machine_text = of_machine.to_string();
        // Index → machine, in functions of 64 states as for events.
        let parts_params = format!(", parts: {parts_ty}");
        let (from_parts_body, parts_chunks) = self.g.chunked_match(
            &self.state_variants,
            ChunkedFn {
                prefix: "states",
                params: &parts_params,
                args: ", parts",
                ret: "Current",
            },
            &|v| format!("Current::{v}({machine_text})"),
            // The index is a state's: the last state takes what is left.
            // (`items` is never empty: a model has its initial state.)
            &|items| {
                items.last().map_or_else(String::new, |last| {
                    format!("Current::{last}({machine_text})")
                })
            },
        );
        let into_parts_arms =
            self.per_state(&|_, v| format!("Current::{v}(m) => {of_machine_text},"));
        let index_arms = self.per_state(&|i, v| format!("Current::{v}(_) => {i},"));
        let data_arms = self.per_state(&|_, v| format!("Current::{v}(m) => &m.data,"));
        let data_mut_arms = self.per_state(&|_, v| format!("Current::{v}(m) => &mut m.data,"));
        let into_data_body = if self.g.timed {
            quote!(self.into_parts().0)
        } else {
            quote!(self.into_parts())
        };
        let ignore_entered = (!self.g.timed).then(|| quote!(let _ = entered_at;));
        let Lookups {
            resume,
            fire_by_name,
            fire_event,
            fire_at,
            ..
        } = lookups;
        let fire_methods = self.fire_methods(fire_by_name, fire_event);
        let resume_fns = if self.g.within > 0 {
            let within_arms =
                self.per_state(&|_, v| format!("Current::{v}(m) => m.entered_within(),"));
            quote! {
                /// The machine named by a stored state, entered at `entered_at`,
                /// as are the compound states it is inside: the data is handed
                /// back when no state has that name.
                pub fn resume(
                    state: &str,
                    data: #data,
                    entered_at: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #data> {
                    Self::resume_within(state, data, entered_at, &[])
                }

                /// The machine named by a stored state, entered at `entered_at`,
                /// inside compound states entered at `within` (outermost first;
                /// one missing from the end counts as entered at `entered_at`):
                /// the data is handed back when no state has that name.
                pub fn resume_within(
                    state: &str,
                    data: #data,
                    entered_at: ::std::time::SystemTime,
                    within: &[::std::time::SystemTime],
                ) -> ::core::result::Result<Self, #data> {
                    match #resume {
                        ::core::option::Option::Some(i) => ::core::result::Result::Ok(Current::from_parts(i, #resumed)),
                        ::core::option::Option::None => ::core::result::Result::Err(data),
                    }
                }

                /// When the machine entered each compound state it is inside,
                /// outermost first: what those states' timers count from.
                pub fn entered_within(&self) -> &[::std::time::SystemTime] {
                    match self {
                        #within_arms
                    }
                }
            }
        } else {
            quote! {
                /// The machine named by a stored state, entered at `entered_at`:
                /// the data is handed back when no state has that name.
                pub fn resume(
                    state: &str,
                    data: #data,
                    entered_at: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #data> {
                    #ignore_entered
                    match #resume {
                        ::core::option::Option::Some(i) => ::core::result::Result::Ok(Current::from_parts(i, #resumed)),
                        ::core::option::Option::None => ::core::result::Result::Err(data),
                    }
                }
            }
        };
        let tokens = quote! {
            impl Current {
                #resume_fns

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

                #fire_methods

                /// Whether the current state permits `capability` (a name of the
                /// definition's `[capabilities.…]`; `false` for any other).
                #[inline]
                pub fn permits(&self, capability: &str) -> bool {
                    #krate::__private::permits::<#data>(self.index(), capability)
                }

                /// The capabilities the current state permits, in the order listed.
                #[inline]
                pub fn permitted(&self) -> &'static [&'static str] {
                    #krate::__private::permitted::<#data>(self.index())
                }

                #fire_at
            }
        };
        (tokens, parts_chunks)
    }
}
