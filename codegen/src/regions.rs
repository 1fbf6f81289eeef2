//! A workflow with parallel regions: `Machine<(Services, Partner, …)>`,
//! one state type per region, and its events.
//!
//! Each event is a method generic over every region's state and bounded
//! per region: a region the event moves by a trait its source states
//! implement (`event::close::CloseFromServices`, whose `To` is the target), a
//! region a `when` condition names by a trait the states it accepts
//! implement (`event::close::CloseWhenPartner`), whose message is the condition in
//! the words a refusal by name uses (`turnstile_words::condition_words`).
//! A region neither moves nor conditions stays generic. Every check of a
//! move (timers, guards) is the source state's `check`, which the by-name
//! `Current` calls too: one owner for each rule.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use turnstile_spec::{Check, Event, StateId};

use crate::{docs, duration, ident, Generator};

/// Names a region's type parameter may not take: the module's own items.
const TAKEN: &[&str] = &["Machine", "Current", "Configuration", "Guards", "NAME", "R"];

impl Generator<'_> {
    /// The type parameter standing for region `r`'s state: the region's
    /// name in PascalCase (`Services`), as the machine's docs show it.
    pub(crate) fn region_param(&self, r: usize) -> Ident {
        let pascal = self.w.region_name(r).pascal();
        if TAKEN.contains(&pascal) {
            format_ident!("{pascal}State")
        } else {
            ident(pascal)
        }
    }

    /// The `To` of a move's trait: the target's marker (from `up`, the
    /// path to the workflow module), or `()` for a branch, whose target
    /// its outcome decides.
    fn target_ty(&self, t: turnstile_spec::TransitionId, up: TokenStream) -> TokenStream {
        let t = self.w.transition(t);
        if t.is_branch() {
            quote!(())
        } else {
            let to = self.state_ty(t.to[0]);
            quote!(#up state::#to)
        }
    }

    /// The region's bound trait (`region::Services`).
    pub(crate) fn region_trait(&self, r: usize) -> Ident {
        ident(self.w.region_name(r).pascal())
    }

    /// An event's trait for a region it moves
    /// (`event::close::CloseFromServices<To>`), implemented by the states it
    /// moves the region from. Its name is its own, apart from the region's
    /// trait and every other event's: rustc then prints it without its
    /// path, and adds no "implements similarly named trait" to the error.
    fn move_trait(&self, event: &turnstile_spec::Name, r: usize) -> Ident {
        format_ident!("{}From{}", event.pascal(), self.w.region_name(r).pascal())
    }

    /// An event's trait for a region its `when` asks
    /// (`event::close::CloseWhenPartner`), implemented by the states it
    /// accepts; named as [`Self::move_trait`] for the same reason.
    fn condition_trait(&self, event: &turnstile_spec::Name, r: usize) -> Ident {
        format_ident!("{}When{}", event.pascal(), self.w.region_name(r).pascal())
    }

    /// The module of a workflow with regions.
    pub(crate) fn regions_module(&self) -> TokenStream {
        let w = self.w;
        let krate = &self.krate;
        let vis = self.input.vis;
        let module = ident(self.module_name());
        let data = self.data(1);
        let data_ty = self.input.data;
        let name = w.name.as_str();
        let n = w.regions.len();
        let module_doc = docs::module(w, self.input.file, &data_ty.to_string(), self.input.valid);
        let params: Vec<Ident> = (0..n).map(|r| self.region_param(r)).collect();
        let traits: Vec<Ident> = (0..n).map(|r| self.region_trait(r)).collect();
        let initials: Vec<Ident> = w.regions.iter().map(|r| self.state_ty(r.initial)).collect();
        let region_names: Vec<&str> = (0..n).map(|r| w.region_name(r).as_str()).collect();
        let timed = self.timed;
        let (now_param, entered_field, entered_init, entered_getter) = if timed {
            (
                quote!(, now: ::std::time::SystemTime),
                quote!(entered_at: [::std::time::SystemTime; #n],),
                quote!(entered_at: [now; #n],),
                quote! {
                    /// When each region entered its current state, in the
                    /// order of [`REGIONS`]: the instants its timers count
                    /// from. Each region's clock is its own.
                    pub fn entered_at(&self) -> [::std::time::SystemTime; #n] {
                        self.entered_at
                    }
                },
            )
        } else {
            Default::default()
        };
        let region_markers = (0..n).map(|r| {
            let tr = &traits[r];
            let doc = format!(
                "The states of region `{}`: the `{}` of [`Machine`](super::Machine)'s configuration.",
                region_names[r], params[r]
            );
            let leaves = w.regions[r].leaves.iter().map(|s| self.state_ty(*s));
            quote! {
                #[doc = #doc]
                pub trait #tr: #krate::State {}
                #(impl #tr for super::state::#leaves {})*
            }
        });
        let machine_doc = format!(
            "A `{name}` workflow in the configuration `S`: one state per region ({}), owning its data.\n\n\
             Each event is a method that consumes the machine and returns it with the regions the \
             event moves in their next states; an event whose region is elsewhere, or whose `when` \
             condition on another region does not hold, does not compile. The states are only \
             types: the machine is exactly as large as its data{}.",
            region_names
                .iter()
                .zip(&params)
                .map(|(r, p)| format!("`{r}`: `{p}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if timed {
                " and when each region entered its state"
            } else {
                ""
            }
        );
        let new_doc = format!(
            "Starts a `{name}` workflow with each region in its initial state ({}), owning `data`.{}",
            w.regions
                .iter()
                .map(|r| format!("`{}`", w.state(r.initial).name))
                .collect::<Vec<_>>()
                .join(", "),
            if timed {
                " `now` is when every region entered it: their timers count from it."
            } else {
                ""
            }
        );
        let region_leaves_tokens = w.regions.iter().map(|r| {
            let leaves = r.leaves.iter().map(|s| s.0);
            quote!(&[#(#leaves),*])
        });
        let accessors = self.data_accessors();
        let states = self.states();
        let events = self.region_event_methods();
        let event_traits = self.region_event_traits();
        let current = if self.input.dispatch {
            self.region_current()
        } else {
            TokenStream::new()
        };
        let guards = self.guards_trait();
        let roles = self.roles_module();
        let payloads = self.payloads_trait();
        let outcomes = self.outcomes();
        let workflow_impl = self.workflow_impl();
        let config_names = params.iter().map(|p| quote!(<#p as #krate::State>::NAME));
        let config_index = params.iter().map(|p| quote!(<#p as #krate::State>::INDEX));
        quote! {
            #[doc = #module_doc]
            #vis mod #module {
                /// The workflow's name, as written in its definition.
                pub const NAME: &str = #name;

                /// The regions, in the order of the configuration's states.
                pub const REGIONS: [&str; #n] = [#(#region_names),*];

                #states

                /// The regions: for each, a trait its states implement.
                pub mod region {
                    #(#region_markers)*
                }

                /// A configuration of the workflow: one state per region, in
                /// the order of [`REGIONS`]. Implemented for exactly those tuples.
                pub trait Configuration: 'static {
                    /// Each region's state name.
                    const STATES: [&'static str; #n];
                    /// Each region's state, by its position in
                    /// `Workflow::STATES`.
                    const INDICES: [usize; #n];
                }
                impl<#(#params: region::#traits),*> Configuration for (#(#params,)*) {
                    const STATES: [&'static str; #n] = [#(#config_names),*];
                    const INDICES: [usize; #n] = [#(#config_index),*];
                }

                #[doc = #machine_doc]
                #[must_use = "the machine moves into the returned value: keep it"]
                pub struct Machine<S: Configuration> {
                    data: #data,
                    #entered_field
                    state: ::core::marker::PhantomData<fn() -> S>,
                }

                impl Machine<(#(state::#initials,)*)> {
                    #[doc = #new_doc]
                    pub fn new(data: #data #now_param) -> Self {
                        Machine { data, #entered_init state: ::core::marker::PhantomData }
                    }
                }

                /// Each region's states, by position in `Workflow::STATES`.
                const LEAVES: [&[usize]; #n] = [#(#region_leaves_tokens),*];

                impl<S: Configuration> Machine<S> {
                    /// Whether the configuration permits `capability`: every
                    /// region whose states name it in `permits` is in one
                    /// that does (`turnstile::regions::permits`).
                    pub fn permits(&self, capability: &str) -> bool {
                        #krate::regions::permits(<#data as #krate::Workflow>::PERMITS, &LEAVES, &S::INDICES, capability)
                    }
                    #accessors
                    /// Each region's current state, in the order of [`REGIONS`].
                    pub fn states(&self) -> [&'static str; #n] {
                        S::STATES
                    }
                    #entered_getter
                }

                impl<S: Configuration> ::core::fmt::Debug for Machine<S> {
                    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.debug_struct("Machine")
                            .field("workflow", &NAME)
                            .field("states", &S::STATES)
                            .finish_non_exhaustive()
                    }
                }

                #events
                #event_traits
                #current
                #guards
                #roles
                #payloads
                #outcomes
            }
            #workflow_impl
        }
    }

    /// For an event, per region: the transition it takes from each of the
    /// region's states (`None` where the region does not move).
    fn moves(&self, event: &Event<'_>) -> Vec<Vec<(StateId, turnstile_spec::TransitionId)>> {
        let mut out = vec![Vec::new(); self.w.regions.len()];
        for id in &event.transitions {
            let t = self.w.transition(*id);
            for from in &t.from {
                if let Some(r) = self.w.region_of(*from) {
                    out[r].push((*from, *id));
                }
            }
        }
        out
    }

    /// Whether firing `event` can be refused once its bounds hold: a timer
    /// or a guard of one of its moves, or an automatic timer that comes
    /// first.
    fn region_refusable(&self, event: &Event<'_>) -> bool {
        self.moves(event).iter().flatten().any(|(from, t)| {
            self.w
                .refusable(self.w.transition(*t), *from, &self.outgoing[from.0])
        })
    }

    /// Whether an event only moves (no guard, timer, role, payload or
    /// branch): by name it is fired from the `SHAPES` table.
    fn plain(&self, event: &Event<'_>) -> bool {
        !self.region_refusable(event)
            && !self.restricted(event)
            && self.event_payload(event).is_none()
            && !self.w.transition(event.transitions[0]).is_branch()
    }

    fn region_event_methods(&self) -> TokenStream {
        let krate = &self.krate;
        let n = self.w.regions.len();
        let params: Vec<Ident> = (0..n).map(|r| self.region_param(r)).collect();
        let traits: Vec<Ident> = (0..n).map(|r| self.region_trait(r)).collect();
        let now_param = self.timed.then(|| quote!(, now: ::std::time::SystemTime));
        let methods = self.events.iter().map(|event| {
            let ev = ident(event.name.as_str());
            let moves = self.moves(event);
            let restricted = self.restricted(event);
            let first = self.w.transition(event.transitions[0]);
            let branch = first.is_branch();
            // An event that brings a payload takes it after the role; its
            // checks read it, and it is handed back with a refusal.
            let payload = self.event_payload(event).map(|p| self.payload_ty(p, 1));
            let payload_param = payload.as_ref().map(|ty| quote!(, payload: #ty));
            let conditions = self.w.conditions(event);
            let mut bounds = Vec::new();
            let mut targets = Vec::new();
            let mut checks = Vec::new();
            let mut entered = Vec::new();
            let refusable = self.region_refusable(event);
            let mut generics = Vec::new();
            for r in 0..n {
                let p = &params[r];
                let tr = &traits[r];
                let mv = self.move_trait(event.name, r);
                let when = self.condition_trait(event.name, r);
                if !moves[r].is_empty() {
                    // A branch's target is its outcome's: the trait's `To`
                    // is `()` and the method returns the outcome enum.
                    let to = format_ident!("{p}To");
                    let to_ty = if branch { quote!(()) } else { quote!(#to) };
                    bounds.push(quote!(#p: event::#ev::#mv<#to_ty>));
                    if !branch {
                        bounds.push(quote!(#to: region::#tr));
                    }
                    if restricted {
                        // The actor's role may fire the move of every
                        // region the event moves.
                        let line = self.input.file.line_col(w_line(self.w, event, r)).0 as u32;
                        bounds.push(quote!(R: role::May<event::#ev::#ev, #p, <#p as event::#ev::#mv<#to_ty>>::By, #line>));
                    }
                    targets.push(quote!(#to));
                    if !branch {
                        generics.push(to.clone());
                    }
                    if refusable {
                        let with = payload.as_ref().map(|_| quote!(&payload,));
                        let args = if self.timed {
                            quote!(&machine.data, #with machine.entered_at[#r], now)
                        } else {
                            quote!(&machine.data, #with)
                        };
                        let rejected = match payload {
                            Some(_) => quote!(#krate::Rejected::with_payload(machine, refusal, payload)),
                            None => quote!(#krate::Rejected::new(machine, refusal)),
                        };
                        checks.push(quote! {
                            if let ::core::result::Result::Err(refusal) = <#p as event::#ev::#mv<#to_ty>>::check(#args) {
                                return ::core::result::Result::Err(#rejected);
                            }
                        });
                    }
                    entered.push(quote!(now));
                } else {
                    if conditions.iter().any(|c| c.region == r) {
                        bounds.push(quote!(#p: event::#ev::#when));
                    }
                    targets.push(quote!(#p));
                    entered.push(quote!(machine.entered_at[#r]));
                }
            }
            let entered = self.timed.then(|| quote!(entered_at: [#(#entered),*],));
            let moved = quote!(Machine { data: machine.data, #entered state: ::core::marker::PhantomData });
            let (out, moved) = if branch {
                // One region branches: the outcome enum, generic over the
                // other regions, in the state the data decides.
                let r = self.w.region_of(first.from[0]).unwrap_or(0);
                let others: Vec<&Ident> = (0..n).filter(|o| *o != r).map(|o| &params[o]).collect();
                let e = ident(first.event.pascal());
                let data = self.data(1);
                let arms = first.to.iter().map(|s| {
                    let v = self.state_ty(*s);
                    quote!(choice::#e::#v => outcome::#e::#v(#moved))
                });
                (
                    quote!(outcome::#e<#(#others),*>),
                    quote! {
                        match <#data as Outcomes>::#ev(&machine.data) {
                            #(#arms,)*
                        }
                    },
                )
            } else {
                (quote!(Machine<(#(#targets,)*)>), moved)
            };
            // The payload is applied once every check has passed.
            let moved = match &payload {
                Some(_) => {
                    let data = self.data(1);
                    quote! {{
                        let mut machine = machine;
                        <#data as Payloads>::#ev(&mut machine.data, payload);
                        #moved
                    }}
                }
                None => moved,
            };
            let rejected_ty = match &payload {
                Some(ty) => quote!(#krate::Rejected<Self, #ty>),
                None => quote!(#krate::Rejected<Self>),
            };
            let doc = self.region_event_doc(event, &moves);
            let (role_generic, role_param, role_use) = if restricted {
                (quote!(R,), quote!(, by: &#krate::Acting<R>), quote!(let _ = by;))
            } else {
                Default::default()
            };
            if refusable {
                quote! {
                    #[doc = #doc]
                    pub fn #ev<#role_generic #(#generics),*>(self #role_param #payload_param #now_param) -> ::core::result::Result<#out, #rejected_ty>
                    where #(#bounds),*
                    {
                        #role_use
                        let machine = self;
                        #(#checks)*
                        ::core::result::Result::Ok(#moved)
                    }
                }
            } else {
                quote! {
                    #[doc = #doc]
                    pub fn #ev<#role_generic #(#generics),*>(self #role_param #payload_param #now_param) -> #out
                    where #(#bounds),*
                    {
                        #role_use
                        let machine = self;
                        #moved
                    }
                }
            }
        });
        quote! {
            impl<#(#params: region::#traits),*> Machine<(#(#params,)*)> {
                #(#methods)*
            }
        }
    }

    fn region_event_doc(
        &self,
        event: &Event<'_>,
        moves: &[Vec<(StateId, turnstile_spec::TransitionId)>],
    ) -> String {
        let w = self.w;
        let mut doc = String::new();
        if let Some(summary) = event
            .transitions
            .iter()
            .find_map(|t| w.transition(*t).summary.as_deref())
        {
            doc.push_str(&docs::text(summary));
            doc.push_str("\n\n");
        }
        doc.push_str(&format!("Fires the event `{}`", event.name));
        let moved: Vec<String> = moves
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_empty())
            .map(|(r, m)| {
                let steps: Vec<String> = m
                    .iter()
                    .map(|(from, t)| {
                        let t = w.transition(*t);
                        let to: Vec<String> =
                            t.to.iter()
                                .map(|s| format!("`{}`", self.state_ty(*s)))
                                .collect();
                        let to = if t.is_branch() {
                            format!("one of {}", to.join(", "))
                        } else {
                            to.concat()
                        };
                        format!("`{}` → {to}", self.state_ty(*from))
                    })
                    .collect();
                format!("region `{}`: {}", w.region_name(r), steps.join(", "))
            })
            .collect();
        doc.push_str(&format!(", which moves {}", moved.join("; ")));
        if moved.len() > 1 {
            doc.push_str(" (a joint move: every region moves, or none)");
        }
        doc.push('.');
        for c in w.conditions(event) {
            doc.push_str(&format!(
                "\n\nOnly while region `{}` is in {}.",
                w.region_name(c.region),
                c.listed()
            ));
        }
        doc
    }

    fn region_event_traits(&self) -> TokenStream {
        let krate = &self.krate;
        let w = self.w;
        let wname = w.name.as_str();
        let data = self.data(3);
        let modules = self.events.iter().map(|event| {
            let ev = ident(event.name.as_str());
            let evs = event.name.as_str();
            let moves = self.moves(event);
            let refusable = self.region_refusable(event);
            let restricted = self.restricted(event);
            let lines = event
                .transitions
                .iter()
                .map(|t| {
                    self.input
                        .file
                        .line_col(w.transition(*t).span.start)
                        .0
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(", ");
            let mut items = Vec::new();
            for (r, m) in moves.iter().enumerate() {
                if m.is_empty() {
                    continue;
                }
                let tr = self.move_trait(event.name, r);
                let region = w.region_name(r).as_str();
                let allowed = m
                    .iter()
                    .map(|(s, _)| format!("`{}`", self.state_ty(*s)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = format!(
                    "{wname}: event `{evs}` is not allowed in state `{{Self}}` of region `{region}`"
                );
                let label = format!("`{evs}` is not allowed while region `{region}` is here");
                let note = format!("`{evs}` is allowed from: {allowed}");
                let where_note = format!(
                    "`{evs}` is declared in {} (line {lines})",
                    self.input.file.path()
                );
                let doc = format!(
                    "The states of region `{region}` that allow `{evs}`, each with the state it enters (`To`)."
                );
                // An event's payload, which its guards may read.
                let payload_param = self
                    .event_payload(event)
                    .map(|p| {
                        let ty = self.payload_ty(p, 3);
                        quote!(payload: &#ty,)
                    });
                let check_sig = if self.timed {
                    quote!(fn check(data: &#data, #payload_param entered_at: ::std::time::SystemTime, now: ::std::time::SystemTime) -> ::core::result::Result<(), #krate::Refusal>)
                } else {
                    quote!(fn check(data: &#data, #payload_param) -> ::core::result::Result<(), #krate::Refusal>)
                };
                let payload_unused = self.event_payload(event).map(|_| quote!(let _ = payload;));
                let by_decl = restricted.then(|| {
                    quote! {
                        /// The roles that may fire the move from this state.
                        type By;
                    }
                });
                let check_decl = refusable.then(|| {
                    quote! {
                        /// The checks of the move from this state, in the order
                        /// `Workflow::checks` gives: the first that fails refuses it.
                        #check_sig;
                    }
                });
                let impls = m.iter().map(|(from, t)| {
                    let ty = self.state_ty(*from);
                    let to = self.target_ty(*t, quote!(super::super::));
                    let check = refusable.then(|| {
                        let body = self.region_checks(*from, *t);
                        let unused = if self.timed {
                            quote!(let _ = (data, entered_at, now);)
                        } else {
                            quote!(let _ = data;)
                        };
                        quote! {
                            #check_sig {
                                #unused
                                #payload_unused
                                #body
                                ::core::result::Result::Ok(())
                            }
                        }
                    });
                    let by = restricted.then(|| {
                        let allowed = self.allowed_roles_ty(w.transition(*t), &quote!(super::super::));
                        quote!(type By = #allowed;)
                    });
                    quote! {
                        impl #tr<#to> for super::super::state::#ty {
                            #by
                            #check
                        }
                    }
                });
                items.push(quote! {
                    #[doc = #doc]
                    #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note, note = #where_note)]
                    pub trait #tr<To>: #krate::State {
                        #by_decl
                        #check_decl
                    }
                    #(#impls)*
                });
            }
            for c in w.conditions(event) {
                let tr = self.condition_trait(event.name, c.region);
                let region = w.region_name(c.region).as_str();
                let needs: Vec<&str> = c.written.iter().map(String::as_str).collect();
                let message = turnstile_words::condition_words(wname, evs, region, &needs);
                let label = format!("region `{region}` is in `{{Self}}` here");
                let line = self.input.file.line_col(c.span.start).0;
                let where_note = format!(
                    "the condition is the `when` of `{evs}` in {} (line {line})",
                    self.input.file.path()
                );
                let doc = format!(
                    "The states of region `{region}` in which `{evs}` is allowed (its `when`)."
                );
                let states = c.states.iter().map(|s| self.state_ty(*s));
                items.push(quote! {
                    #[doc = #doc]
                    #[diagnostic::on_unimplemented(message = #message, label = #label, note = #where_note)]
                    pub trait #tr {}
                    #(impl #tr for super::super::state::#states {})*
                });
            }
            let doc = format!("The bounds of the event `{evs}`, one trait per region it moves or conditions.");
            let marker = restricted.then(|| {
                let doc = format!("The event `{evs}`, as the roles' bound `May` names it.");
                quote! {
                    #[doc = #doc]
                    #[allow(non_camel_case_types)]
                    pub enum #ev {}
                }
            });
            quote! {
                #[doc = #doc]
                #[allow(non_snake_case)]
                pub mod #ev {
                    #marker
                    #(#items)*
                }
            }
        });
        quote! {
            /// The events' bounds: for each event, a module with a trait per
            /// region it moves (implemented by the states it leaves) or
            /// whose state it asks for (implemented by the states it accepts).
            pub mod event {
                #(#modules)*
            }
        }
    }

    /// The checks of `t` from `from`, as statements returning
    /// `Err(Refusal)`, in the order `Workflow::checks` gives (data is
    /// `data`, the region's instant `entered_at`).
    fn region_checks(&self, from: StateId, t: turnstile_spec::TransitionId) -> TokenStream {
        let krate = &self.krate;
        let w = self.w;
        let tr = w.transition(t);
        let data = self.data(3);
        let wname = w.name.as_str();
        let event = tr.event.as_str();
        let state = w.state(from).name.as_str();
        let checks = w
            .checks(tr, from, &self.outgoing[from.0])
            .into_iter()
            .map(|check| match check {
                Check::Preempted { by, timer, .. } => {
                    let after = duration(timer.after);
                    let other = w.transition(by).event.as_str();
                    quote! {
                        if #krate::__private::preempted(entered_at, #after, now) {
                            return ::core::result::Result::Err(#krate::Refusal::Preempted {
                                workflow: #wname, event: #event, state: #state, by: #other,
                            });
                        }
                    }
                }
                Check::Timer { timer, .. } => {
                    let after = duration(timer.after);
                    quote! {
                        if let ::core::result::Result::Err(wait) = #krate::__private::wait(entered_at, #after, now) {
                            return ::core::result::Result::Err(#krate::Refusal::NotYet {
                                workflow: #wname, event: #event, state: #state, wait,
                            });
                        }
                    }
                }
                Check::Guard(g) => {
                    let guard = w.guard(g);
                    let method = ident(guard.name.as_str());
                    let payload_arg = tr.payload.as_ref().map(|_| quote!(, payload));
                    let name = guard.name.as_str();
                    let reason = guard.summary.as_deref().unwrap_or("");
                    quote! {
                        if !<#data as super::super::Guards>::#method(data #payload_arg) {
                            return ::core::result::Result::Err(#krate::Refusal::Guard {
                                workflow: #wname, event: #event, state: #state, guard: #name, reason: #reason,
                            });
                        }
                    }
                }
            });
        quote!(#(#checks)*)
    }
}

impl Generator<'_> {
    /// `Current`: the machine by name, for stored instances and services.
    /// Every check of a move is the typed state's `check`; what by name
    /// adds is the bounds' work, done at run time: the moved regions in
    /// their source states, then the conditions, in the order of the
    /// regions.
    fn region_current(&self) -> TokenStream {
        let krate = &self.krate;
        let w = self.w;
        let n = w.regions.len();
        let data = self.data(1);
        let fingerprint = turnstile_spec::fingerprint::fingerprint(w);
        let params: Vec<Ident> = (0..n).map(|r| self.region_param(r)).collect();
        let traits: Vec<Ident> = (0..n).map(|r| self.region_trait(r)).collect();
        let initials = w.regions.iter().map(|r| r.initial.0);
        let data2 = self.data(2);
        // The events an automatic timer fires (`after`), each once.
        let mut automatic: Vec<&str> = Vec::new();
        for t in &w.transitions {
            if t.timer.as_ref().is_some_and(|timer| timer.automatic)
                && !automatic.contains(&t.event.as_str())
            {
                automatic.push(t.event.as_str());
            }
        }
        let event_fns = self.events.iter().filter(|e| !self.plain(e)).map(|event| {
            let data = &data2;
            let ev = ident(event.name.as_str());
            let evs = event.name.as_str();
            let moves = self.moves(event);
            let refusable = self.region_refusable(event);
            let has_payload = self.event_payload(event).is_some();
            let mut targets = Vec::new();
            let mut checks = Vec::new();
            let mut commits = Vec::new();
            let mut behind = Vec::new();
            for (r, m) in moves.iter().enumerate() {
                if m.is_empty() {
                    continue;
                }
                let to = format_ident!("to_{r}");
                // A branch's target is decided once every check passed.
                let arms = m.iter().map(|(from, t)| {
                    let from = from.0;
                    let t = w.transition(*t);
                    let target = if t.is_branch() { usize::MAX } else { t.to[0].0 };
                    quote!(#from => #target)
                });
                targets.push(quote! {
                    let #to: usize = match c.states[#r] {
                        #(#arms,)*
                        s => {
                            let state = <#data as #krate::Workflow>::STATES[s];
                            let allowed = <#data as #krate::Workflow>::ALLOWED[s];
                            return ::core::result::Result::Err(#krate::__private::not_allowed(c, NAME, #evs, state, allowed));
                        }
                    };
                });
                let tr = self.move_trait(event.name, r);
                if self.timed {
                    behind.push(quote! {
                        if now < c.entered_at[#r] {
                            let state = <#data as #krate::Workflow>::STATES[c.states[#r]];
                            let entered_at = c.entered_at[#r];
                            return ::core::result::Result::Err(#krate::Refused::new(c, #krate::Why::ClockBehind {
                                workflow: NAME, event: ::std::string::String::from(#evs), state, entered_at, now,
                            }));
                        }
                    });
                }
                if refusable {
                    let arms = m.iter().map(|(from, t)| {
                        let i = from.0;
                        let ty = self.state_ty(*from);
                        let to = self.target_ty(*t, quote!());
                        let with = has_payload.then(|| quote!(&payload,));
                        let args = if self.timed {
                            quote!(&c.data, #with c.entered_at[#r], now)
                        } else {
                            quote!(&c.data, #with)
                        };
                        quote!(#i => <state::#ty as event::#ev::#tr<#to>>::check(#args))
                    });
                    checks.push(quote! {
                        let checked = match c.states[#r] {
                            #(#arms,)*
                            _ => ::core::result::Result::Ok(()),
                        };
                        if let ::core::result::Result::Err(refusal) = checked {
                            return ::core::result::Result::Err(#krate::Refused::new(c, #krate::Why::from(refusal)));
                        }
                    });
                }
                let entered = self.timed.then(|| quote!(c.entered_at[#r] = now;));
                commits.push(quote! {
                    moved.push(#krate::regions::Moved {
                        region: ::std::string::String::from(super::REGIONS[#r]),
                        from: ::std::string::String::from(<#data as #krate::Workflow>::STATES[c.states[#r]]),
                        to: ::std::string::String::from(<#data as #krate::Workflow>::STATES[#to]),
                    });
                    c.states[#r] = #to;
                    #entered
                });
            }
            let conditions = w.conditions(event).into_iter().map(|cond| {
                let r = cond.region;
                let region = w.region_name(r).as_str();
                let states = cond.states.iter().map(|s| s.0);
                let needs = &cond.written;
                quote! {
                    if !matches!(c.states[#r], #(#states)|*) {
                        let state = <#data as #krate::Workflow>::STATES[c.states[#r]];
                        return ::core::result::Result::Err(#krate::Refused::new(c, #krate::Why::Condition {
                            workflow: NAME, event: #evs, region: #region, needs: &[#(#needs),*], state,
                        }));
                    }
                }
            });
            let unused_now = (!self.timed).then(|| quote!(let _ = now;));
            // Roles: the actor must hold one of the roles of the move of
            // every region the event moves; the first such role of the
            // first moved region is the one the trail records.
            let restricted = self.restricted(event);
            let roles = moves.iter().enumerate().filter(|(_, m)| restricted && !m.is_empty()).map(|(r, m)| {
                let arms = m.iter().map(|(from, t)| {
                    let i = from.0;
                    let names = w.transition(*t).by.iter().map(|role| w.role(*role).name.as_str());
                    quote!(#i => &[#(#names),*])
                });
                quote! {
                    let allowed: &'static [&'static str] = match c.states[#r] {
                        #(#arms,)*
                        _ => &[],
                    };
                    match allowed.iter().find(|role| actor.holds(role)) {
                        ::core::option::Option::Some(held) => {
                            if role.is_none() {
                                role = ::core::option::Option::Some(::std::string::String::from(*held));
                            }
                        }
                        ::core::option::Option::None => {
                            let state = <#data as #krate::Workflow>::STATES[c.states[#r]];
                            return ::core::result::Result::Err(#krate::Refused::new(c, #krate::Why::Forbidden {
                                workflow: NAME,
                                event: #evs,
                                state,
                                allowed,
                                actor: actor.id().map(::std::string::String::from),
                                held: actor.roles().iter().map(|r| ::std::string::String::from(*r)).collect(),
                            }));
                        }
                    }
                }
            }).collect::<Vec<_>>();
            // What the event brings, read from its text once the regions,
            // conditions and roles allow it; an event that brings nothing
            // refuses a payload.
            let first = w.regions_moved(event).first().copied().unwrap_or(0);
            let (read, apply) = match self.event_payload(event) {
                Some(p) => {
                    let ty = self.payload_ty(p, 2);
                    let ty_text = p.ty.as_str();
                    let sensitive = p.sensitive;
                    (
                        quote! {
                            let state = <#data as #krate::Workflow>::STATES[c.states[#first]];
                            let bad = |problem: ::std::string::String| #krate::Why::BadPayload {
                                workflow: NAME, event: #evs, state,
                                expected: ::core::option::Option::Some(#ty_text), problem,
                            };
                            let payload: #ty = match payload {
                                ::core::option::Option::None => {
                                    return ::core::result::Result::Err(#krate::Refused::new(c, bad(::std::string::String::from("was not given"))));
                                }
                                ::core::option::Option::Some(text) => match <#ty as #krate::Payload>::decode(text) {
                                    ::core::result::Result::Ok(payload) => payload,
                                    ::core::result::Result::Err(problem) => {
                                        return ::core::result::Result::Err(#krate::Refused::new(c, bad(::std::format!("does not read: {problem}"))));
                                    }
                                },
                            };
                            let recorded = ::core::option::Option::Some(#krate::__private::recorded(<#ty as #krate::Payload>::encode(&payload), #sensitive));
                        },
                        quote!(<#data as super::Payloads>::#ev(&mut c.data, payload);),
                    )
                }
                None => (
                    quote! {
                        if payload.is_some() {
                            let state = <#data as #krate::Workflow>::STATES[c.states[#first]];
                            return ::core::result::Result::Err(#krate::Refused::new(c, #krate::Why::BadPayload {
                                workflow: NAME, event: #evs, state, expected: ::core::option::Option::None,
                                problem: ::std::string::String::from("one was given"),
                            }));
                        }
                        let recorded: ::core::option::Option<::std::string::String> = ::core::option::Option::None;
                    },
                    quote!(),
                ),
            };
            // A branching event (one region) takes the target its outcome
            // decides, once the checks passed and the payload is applied.
            let decide = event
                .transitions
                .first()
                .map(|t| w.transition(*t))
                .filter(|t| t.is_branch())
                .map(|t| {
                    let r = w.region_of(t.from[0]).unwrap_or(0);
                    let to = format_ident!("to_{r}");
                    let e = ident(t.event.pascal());
                    let method = ident(t.event.as_str());
                    let arms = t.to.iter().map(|s| {
                        let v = self.state_ty(*s);
                        let i = s.0;
                        quote!(super::choice::#e::#v => #i)
                    });
                    quote! {
                        let #to: usize = match <#data as super::Outcomes>::#method(&c.data) {
                            #(#arms,)*
                        };
                    }
                });
            quote! {
                #[allow(non_snake_case)]
                pub(super) fn #ev(
                    mut c: super::Current,
                    payload: ::core::option::Option<&str>,
                    now: ::std::time::SystemTime,
                    actor: &#krate::Actor<'_>,
                ) -> ::core::result::Result<super::Current, #krate::Refused<super::Current>>
                {
                    use super::{event, state, NAME};
                    #unused_now
                    #[allow(unused_mut)]
                    let mut role: ::core::option::Option<::std::string::String> = ::core::option::Option::None;
                    #(#targets)*
                    #(#conditions)*
                    #(#roles)*
                    #read
                    #(#behind)*
                    #(#checks)*
                    #apply
                    #decide
                    let mut moved = ::std::vec::Vec::new();
                    #(#commits)*
                    c.trail.push(#krate::regions::RegionStep {
                        event: ::std::string::String::from(#evs),
                        at: now,
                        actor: actor.id().map(::std::string::String::from),
                        role,
                        payload: recorded,
                        moved,
                    });
                    ::core::result::Result::Ok(c)
                }
            }
        });
        let fire_arms = self.events.iter().filter(|e| !self.plain(e)).map(|e| {
            let evs = e.name.as_str();
            let ev = ident(evs);
            quote!(#evs => by_name::#ev(self, payload, now, actor))
        });
        // What each event moves and asks, as a table: `allowed`, `moves`
        // and the firing of plain events read it.
        let shapes = self.events.iter().map(|event| {
            let evs = event.name.as_str();
            let moved_names = w
                .regions_moved(event)
                .into_iter()
                .map(|r| w.region_name(r).as_str());
            let moves = self.moves(event);
            let moves = moves
                .iter()
                .enumerate()
                .filter(|(_, m)| !m.is_empty())
                .map(|(r, m)| {
                    let pairs = m.iter().map(|(from, t)| {
                        let from = from.0;
                        // A branch's target is decided by its own code: the
                        // table's is never used for it.
                        let to = w.transition(*t).to[0].0;
                        quote!((#from, #to))
                    });
                    quote!((#r, &[#(#pairs),*]))
                });
            let conditions = w.conditions(event).into_iter().map(|c| {
                let r = c.region;
                let states = c.states.iter().map(|s| s.0);
                let written = &c.written;
                quote!((#r, &[#(#states),*], &[#(#written),*]))
            });
            quote! {
                #krate::regions::EventShape {
                    name: #evs,
                    moved: &[#(#moved_names),*],
                    moves: &[#(#moves),*],
                    conditions: &[#(#conditions),*],
                }
            }
        });
        let mut sorted: Vec<usize> = (0..self.events.len()).collect();
        sorted.sort_by_key(|i| self.events[*i].name.as_str());
        let sorted = sorted.into_iter().map(|i| i as u32);
        let timed = self.timed;
        // Automatic timers: (leaf, region, event, after).
        let timers = w.transitions.iter().flat_map(|t| {
            t.timer
                .iter()
                .filter(|timer| timer.automatic)
                .flat_map(move |timer| t.from.iter().map(move |from| (from, t, timer)))
        });
        let timer_rows = timers.map(|(from, t, timer)| {
            let leaf = from.0;
            let region = w.region_of(*from).unwrap_or(0);
            let ev = t.event.as_str();
            let after = duration(timer.after);
            quote!((#leaf, #region, #ev, #after))
        });
        let machine_entered = if self.timed {
            quote!(machine.entered_at)
        } else {
            quote!([::std::time::UNIX_EPOCH; #n])
        };
        let machine_from_current = if self.timed {
            quote!(Machine {
                data: self.data,
                entered_at: self.entered_at,
                state: ::core::marker::PhantomData
            })
        } else {
            quote!(Machine {
                data: self.data,
                state: ::core::marker::PhantomData
            })
        };
        let names_tuple = quote!((#(#params,)*));
        let outgoing = &self.outgoing;
        let move_rows = w.transitions.iter().enumerate().flat_map(|(i, t)| {
            t.from
                .iter()
                .filter(move |from| outgoing[from.0].contains(&turnstile_spec::TransitionId(i)))
                .flat_map(move |from| {
                    t.to.iter().map(move |to| {
                        let ev = t.event.as_str();
                        let region = w.region_of(*from).unwrap_or(0);
                        let from = w.state(*from).name.as_str();
                        let to = w.state(*to).name.as_str();
                        quote!((#ev, #region, #from, #to))
                    })
                })
        });
        quote! {
            /// The machine by name: each region's state as a value, for
            /// stored instances, services and runners. It fires events given
            /// as strings with the same checks, in the same order and words,
            /// as the typed methods and their bounds.
            pub struct Current {
                data: #data,
                states: [usize; #n],
                entered_at: [::std::time::SystemTime; #n],
                /// Where the trail starts: each region's state and instant.
                origin: ([usize; #n], [::std::time::SystemTime; #n]),
                trail: ::std::vec::Vec<#krate::regions::RegionStep>,
            }

            impl Current {
                /// The fingerprint of the definition compiled in
                /// (`turnstile_spec::fingerprint`): what a snapshot must match.
                pub const FINGERPRINT: &'static str = #fingerprint;

                /// Every event's moves and conditions, in declaration order.
                const SHAPES: &'static [#krate::regions::EventShape] = &[#(#shapes),*];

                /// The positions in `SHAPES`, in order of the events' names.
                const BY_NAME: &'static [u32] = &[#(#sorted),*];

                /// What `fire_plain` reads.
                const TABLES: #krate::regions::Tables = #krate::regions::Tables {
                    workflow: NAME,
                    regions: &REGIONS,
                    states: <#data as #krate::Workflow>::STATES,
                    allowed: <#data as #krate::Workflow>::ALLOWED,
                    timed: #timed,
                };

                /// Every move the definition has: (event, region, from, to),
                /// what a stored trail replays along.
                const MOVES: &'static [(&'static str, usize, &'static str, &'static str)] = &[#(#move_rows),*];

                /// Every automatic timer: (state, region, event, after).
                const TIMERS: &'static [(usize, usize, &'static str, ::core::time::Duration)] = &[#(#timer_rows),*];

                /// A machine with each region in its initial state, owning
                /// `data`, entered at `now`.
                pub fn start(data: #data, now: ::std::time::SystemTime) -> Self {
                    let states = [#(#initials),*];
                    Current { data, states, entered_at: [now; #n], origin: (states, [now; #n]), trail: ::std::vec::Vec::new() }
                }

                /// The machine with region `i` in the state named
                /// `states[i]`, entered at `entered_at[i]`, in the order of
                /// [`REGIONS`]: how a stored instance comes back. The data is
                /// handed back when a name is not a state of its region or
                /// the lists are not one per region.
                pub fn resume(
                    states: &[&str],
                    data: #data,
                    entered_at: &[::std::time::SystemTime],
                ) -> ::core::result::Result<Self, #data> {
                    if states.len() != #n || entered_at.len() != #n {
                        return ::core::result::Result::Err(data);
                    }
                    let mut found = [0usize; #n];
                    for (r, name) in states.iter().enumerate() {
                        match LEAVES[r]
                            .iter()
                            .find(|i| <#data as #krate::Workflow>::STATES[**i] == *name)
                        {
                            ::core::option::Option::Some(i) => found[r] = *i,
                            ::core::option::Option::None => return ::core::result::Result::Err(data),
                        }
                    }
                    let mut at = [::std::time::UNIX_EPOCH; #n];
                    at.copy_from_slice(entered_at);
                    ::core::result::Result::Ok(Current { data, states: found, entered_at: at, origin: (found, at), trail: ::std::vec::Vec::new() })
                }

                /// Each region's current state, in the order of [`REGIONS`].
                pub fn states(&self) -> [&'static str; #n] {
                    self.states.map(|i| <#data as #krate::Workflow>::STATES[i])
                }

                /// When each region entered its current state, in the order
                /// of [`REGIONS`].
                pub fn entered_at(&self) -> [::std::time::SystemTime; #n] {
                    self.entered_at
                }

                /// The data.
                pub fn data(&self) -> &#data {
                    &self.data
                }

                /// The data, to change between transitions.
                pub fn data_mut(&mut self) -> &mut #data {
                    &mut self.data
                }

                /// The data, ending the machine.
                pub fn into_data(self) -> #data {
                    self.data
                }

                /// The events allowed now, in declaration order: every region
                /// each moves is in one of its source states, and every
                /// condition holds (guards and timers are asked when fired).
                pub fn allowed(&self) -> ::std::vec::Vec<&'static str> {
                    Self::SHAPES
                        .iter()
                        .filter(|e| #krate::regions::allows(e, &self.states))
                        .map(|e| e.name)
                        .collect()
                }

                /// The regions `event` moves, in the order of [`REGIONS`]
                /// (several for a joint move); empty for an unknown event.
                pub fn moves(event: &str) -> &'static [&'static str] {
                    Self::shape(event).map_or(&[], |e| e.moved)
                }

                /// The shape of the event named `event`.
                fn shape(event: &str) -> ::core::option::Option<&'static #krate::regions::EventShape> {
                    Self::BY_NAME
                        .binary_search_by(|i| Self::SHAPES[*i as usize].name.cmp(event))
                        .ok()
                        .map(|k| &Self::SHAPES[Self::BY_NAME[k] as usize])
                }

                /// Whether the configuration permits `capability`: every
                /// region whose states name it in `permits` is in one that
                /// does (a region that never names it does not restrict it).
                pub fn permits(&self, capability: &str) -> bool {
                    #krate::regions::permits(<#data as #krate::Workflow>::PERMITS, &LEAVES, &self.states, capability)
                }

                /// The stored form of the configuration, with the data by
                /// reference (`turnstile::regions::Snapshot`; with the
                /// `serde` feature it serializes).
                pub fn snapshot(&self) -> #krate::regions::Snapshot<&#data> {
                    #krate::regions::Snapshot {
                        format: ::std::string::String::from(#krate::regions::FORMAT),
                        workflow: ::std::string::String::from(NAME),
                        fingerprint: ::std::string::String::from(Self::FINGERPRINT),
                        start: Self::stored(&self.origin.0, &self.origin.1),
                        regions: Self::stored(&self.states, &self.entered_at),
                        data: &self.data,
                        trail: self.trail.clone(),
                    }
                }

                fn stored(
                    states: &[usize; #n],
                    entered_at: &[::std::time::SystemTime; #n],
                ) -> ::std::vec::Vec<#krate::regions::RegionState> {
                    (0..#n)
                        .map(|r| #krate::regions::RegionState {
                            region: ::std::string::String::from(REGIONS[r]),
                            state: ::std::string::String::from(<#data as #krate::Workflow>::STATES[states[r]]),
                            entered_at: entered_at[r],
                        })
                        .collect()
                }

                /// The machine a snapshot stored, refused with a
                /// `LoadError` for another format, workflow or fingerprint,
                /// or regions that are not one state of each, in order.
                pub fn from_snapshot(
                    snapshot: #krate::regions::Snapshot<#data>,
                ) -> ::core::result::Result<Self, #krate::LoadError> {
                    if snapshot.format != #krate::regions::FORMAT {
                        return ::core::result::Result::Err(#krate::LoadError::Format {
                            found: snapshot.format, expected: #krate::regions::FORMAT,
                        });
                    }
                    if snapshot.workflow != NAME {
                        return ::core::result::Result::Err(#krate::LoadError::WrongWorkflow { expected: NAME, found: snapshot.workflow });
                    }
                    if snapshot.fingerprint != Self::FINGERPRINT {
                        return ::core::result::Result::Err(#krate::LoadError::Fingerprint {
                            workflow: NAME, expected: Self::FINGERPRINT, found: snapshot.fingerprint,
                        });
                    }
                    let (states, entered_at) = Self::read(&snapshot.regions)?;
                    let origin = Self::read(&snapshot.start)?;
                    if let ::core::option::Option::Some((step, problem)) = #krate::regions::replay(
                        &REGIONS, Self::MOVES, &snapshot.start, &snapshot.trail, &snapshot.regions,
                    ) {
                        return ::core::result::Result::Err(#krate::LoadError::Trail { workflow: NAME, step, problem });
                    }
                    ::core::result::Result::Ok(Current { data: snapshot.data, states, entered_at, origin, trail: snapshot.trail })
                }

                /// A stored configuration as states and instants.
                #[allow(clippy::type_complexity)]
                fn read(
                    stored: &[#krate::regions::RegionState],
                ) -> ::core::result::Result<([usize; #n], [::std::time::SystemTime; #n]), #krate::LoadError> {
                    let names: ::std::vec::Vec<&str> = stored.iter().map(|r| r.region.as_str()).collect();
                    if names != REGIONS {
                        return ::core::result::Result::Err(#krate::LoadError::Configuration {
                            workflow: NAME,
                            problem: ::std::format!("the regions are {:?}, not {:?}", names, REGIONS),
                        });
                    }
                    let mut states = [0usize; #n];
                    let mut entered_at = [::std::time::UNIX_EPOCH; #n];
                    for (r, stored) in stored.iter().enumerate() {
                        let all = <#data as #krate::Workflow>::STATES;
                        match LEAVES[r].iter().find(|i| all[**i] == stored.state) {
                            ::core::option::Option::Some(i) => states[r] = *i,
                            ::core::option::Option::None if all.contains(&stored.state.as_str()) => {
                                return ::core::result::Result::Err(#krate::LoadError::Configuration {
                                    workflow: NAME,
                                    problem: ::std::format!("`{}` is not a state of region `{}`", stored.state, REGIONS[r]),
                                });
                            }
                            ::core::option::Option::None => {
                                return ::core::result::Result::Err(#krate::LoadError::UnknownState {
                                    workflow: NAME, state: stored.state.clone(),
                                });
                            }
                        }
                        entered_at[r] = stored.entered_at;
                    }
                    ::core::result::Result::Ok((states, entered_at))
                }

                /// Fires the event named `event` at `now`: the machine with
                /// the regions it moves in their next states (each entered at
                /// `now`), or the machine unchanged and why not. A joint move
                /// moves every region or none.
                pub fn fire(
                    self,
                    event: &str,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                    self.fire_with(event, ::core::option::Option::None, &#krate::Actor::ANONYMOUS, now)
                }

                /// [`Current::fire`] by `actor`, whom the trail records
                /// (`actor.id()`, and the role it acted in): an event whose
                /// transitions name roles in `by` is refused with
                /// `Why::Forbidden` unless the actor holds one of the roles
                /// of every region's move (`fire` acts as nobody, holding
                /// no role).
                pub fn fire_as(
                    self,
                    event: &str,
                    actor: &#krate::Actor<'_>,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                    self.fire_with(event, ::core::option::Option::None, actor, now)
                }

                /// The audit trail: every step since the machine started (or
                /// was resumed, or made from a typed machine), with the
                /// regions each moved.
                pub fn trail(&self) -> &[#krate::regions::RegionStep] {
                    &self.trail
                }

                /// [`Current::fire_as`], bringing `payload` (its text, as
                    /// `turnstile::Payload` reads it) for an event whose
                    /// definition says `payload`: refused with
                    /// `Why::BadPayload` when it is missing or does not read,
                    /// or when the event brings none and one is given. The
                    /// trail records it (its digest for a sensitive one).
                pub fn fire_with(
                    self,
                    event: &str,
                    payload: ::core::option::Option<&str>,
                    actor: &#krate::Actor<'_>,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Self, #krate::Refused<Self>> {
                    match event {
                        #(#fire_arms,)*
                        _ => match Self::shape(event) {
                            ::core::option::Option::Some(shape) => {
                                let mut c = self;
                                match #krate::regions::fire_plain(
                                    &Self::TABLES, shape, payload, &mut c.states, &mut c.entered_at, &mut c.trail, actor, now,
                                ) {
                                    ::core::result::Result::Ok(()) => ::core::result::Result::Ok(c),
                                    ::core::result::Result::Err(why) => ::core::result::Result::Err(#krate::Refused::new(c, why)),
                                }
                            }
                            ::core::option::Option::None => ::core::result::Result::Err(#krate::__private::unknown_event(
                                self, NAME, event, <#data as #krate::Workflow>::EVENTS,
                            )),
                        },
                    }
                }

                /// The next automatic timer of any region and when it falls
                /// due: each region's timers count from when that region
                /// entered its state. On a tie, the first declared. A timer
                /// whose event cannot fire in this configuration (a joint
                /// move's other region elsewhere, a condition unmet) is not
                /// due; one that could fire only once another region
                /// entered its state is due no earlier than that.
                pub fn next_due(&self) -> ::core::option::Option<(&'static str, ::std::time::SystemTime)> {
                    let mut best: ::core::option::Option<(&'static str, ::std::time::SystemTime)> = ::core::option::Option::None;
                    for (leaf, region, event, after) in Self::TIMERS {
                        if self.states[*region] != *leaf {
                            continue;
                        }
                        // A timer whose event cannot fire in this
                        // configuration (a joint move's other region
                        // elsewhere, a condition unmet) waits until it can.
                        let ::core::option::Option::Some(shape) = Self::shape(event) else {
                            continue;
                        };
                        if !#krate::regions::allows(shape, &self.states) {
                            continue;
                        }
                        let involved = shape
                            .moves
                            .iter()
                            .map(|(r, _)| *r)
                            .chain(shape.conditions.iter().map(|(r, _, _)| *r));
                        let since = involved.fold(self.entered_at[*region], |at, r| at.max(self.entered_at[r]));
                        if let ::core::option::Option::Some(due) = self.entered_at[*region].checked_add(*after).map(|due| due.max(since)) {
                            if best.is_none_or(|(_, b)| due < b) {
                                best = ::core::option::Option::Some((event, due));
                            }
                        }
                    }
                    best
                }

                /// Fires the next automatic timer if it is due at `now`, as of
                /// the instant it fell due (so the state it enters counts from
                /// then): the machine and the event fired, or the machine
                /// unchanged with `Why::NothingDue`.
                pub fn fire_due(
                    self,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<(Self, &'static str), #krate::Refused<Self>> {
                    match self.next_due() {
                        ::core::option::Option::Some((event, due)) if due <= now => {
                            self.fire_with(event, ::core::option::Option::None, &#krate::Actor::new("timer"), due).map(|c| (c, event))
                        }
                        next => {
                            let state = <#data as #krate::Workflow>::STATES[self.states[0]];
                            ::core::result::Result::Err(#krate::Refused::new(self, #krate::Why::NothingDue {
                                workflow: NAME, state, next,
                            }))
                        }
                    }
                }

                /// The typed machine, if the regions are in the states `S`
                /// names; else `self` back.
                pub fn into_machine<S: Configuration>(self) -> ::core::result::Result<Machine<S>, Self> {
                    if self.states != S::INDICES {
                        return ::core::result::Result::Err(self);
                    }
                    ::core::result::Result::Ok(#machine_from_current)
                }
            }

            impl<#(#params: region::#traits),*> ::core::convert::From<Machine<#names_tuple>> for Current {
                fn from(machine: Machine<#names_tuple>) -> Self {
                    let states = <#names_tuple as Configuration>::INDICES;
                    let entered_at = #machine_entered;
                    Current {
                        states,
                        entered_at,
                        origin: (states, entered_at),
                        trail: ::std::vec::Vec::new(),
                        data: machine.data,
                    }
                }
            }

            impl ::core::fmt::Debug for Current {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct("Current")
                        .field("workflow", &NAME)
                        .field("states", &self.states())
                        .finish_non_exhaustive()
                }
            }

            /// The machine by name for stores and runners: each method is
            /// `Current`'s own.
            impl #krate::regions::Parallel for #data {
                type Current = Current;
                const FINGERPRINT: &'static str = Current::FINGERPRINT;
                const REGIONS: &'static [&'static str] = &REGIONS;
                const AUTOMATIC: &'static [&'static str] = &[#(#automatic),*];
                fn start(data: Self, now: ::std::time::SystemTime) -> Current {
                    Current::start(data, now)
                }
                fn resume(
                    states: &[&str],
                    data: Self,
                    entered_at: &[::std::time::SystemTime],
                ) -> ::core::result::Result<Current, Self> {
                    Current::resume(states, data, entered_at)
                }
                fn allowed(current: &Current) -> ::std::vec::Vec<&'static str> {
                    current.allowed()
                }
                fn states(current: &Current) -> ::std::vec::Vec<&'static str> {
                    current.states().to_vec()
                }
                fn entered_at(current: &Current) -> ::std::vec::Vec<::std::time::SystemTime> {
                    current.entered_at().to_vec()
                }
                fn data(current: &Current) -> &Self {
                    current.data()
                }
                fn data_mut(current: &mut Current) -> &mut Self {
                    current.data_mut()
                }
                fn permits(current: &Current, capability: &str) -> bool {
                    current.permits(capability)
                }
                fn trail(current: &Current) -> &[#krate::regions::RegionStep] {
                    current.trail()
                }
                fn next_due(current: &Current) -> ::core::option::Option<(&'static str, ::std::time::SystemTime)> {
                    current.next_due()
                }
                fn fire_with(
                    current: Current,
                    event: &str,
                    payload: ::core::option::Option<&str>,
                    actor: &#krate::Actor<'_>,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                    current.fire_with(event, payload, actor, now)
                }
                fn fire_due(
                    current: Current,
                    now: ::std::time::SystemTime,
                ) -> ::core::result::Result<(Current, &'static str), #krate::Refused<Current>> {
                    current.fire_due(now)
                }
                fn snapshot(current: &Current) -> #krate::regions::Snapshot<&Self> {
                    current.snapshot()
                }
                fn from_snapshot(
                    snapshot: #krate::regions::Snapshot<Self>,
                ) -> ::core::result::Result<Current, #krate::LoadError> {
                    Current::from_snapshot(snapshot)
                }
            }

            /// One function per event that does more than move: what
            /// `Current::fire_with` calls (the others fire from `SHAPES`).
            mod by_name {
                #(#event_fns)*
            }
        }
    }
}

/// Where the event's first transition in region `r` is declared (the
/// `LINE` of its roles' bound).
fn w_line(w: &turnstile_spec::Workflow, event: &Event<'_>, r: usize) -> usize {
    event
        .transitions
        .iter()
        .map(|t| w.transition(*t))
        .find(|t| w.region_of(t.from[0]) == Some(r))
        .map_or(0, |t| t.span.start)
}
