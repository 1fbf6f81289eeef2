//! Dispatch by name: the `Event` enum, the `Current` enum of machines (the
//! typed resume point), `Current::fire`, and `turnstile::Dispatch` on the
//! data type. Left out by `#[workflow(dispatch = false)]`.
//!
//! Two shapes, chosen by the number of states: up to
//! [`SMALL_DISPATCH_STATES`], one nested `match` ([`small`], fastest at run
//! time); beyond, a function per state, a packed table of plain moves and
//! names found by binary search ([`table`], faster to compile). This module
//! writes what both share; each path supplies its [`Lookups`].

mod current;
mod event;
mod small;
mod support;
mod table;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use turnstile_spec::{StateId, TransitionId};

use crate::{ident, Generator};

/// Up to this many states, dispatch by name is one nested `match` (fastest
/// at run time); beyond, small functions and a table (faster to compile).
pub(crate) const SMALL_DISPATCH_STATES: usize = 64;

/// What the pieces of the by-name side share.
pub(crate) struct ByName<'g, 'a> {
    g: &'g Generator<'a>,
    krate: &'g TokenStream,
    /// The data type, seen from the private `__dispatch` module.
    data: TokenStream,
    event_variants: Vec<Ident>,
    event_names: Vec<&'a str>,
    /// Each event's index among `event_names`.
    event_index: std::collections::HashMap<&'a str, usize>,
    state_variants: Vec<Ident>,
    state_names: Vec<&'a str>,
    /// A machine's parts (its data, and when it entered its state in a
    /// timed workflow) and the expressions that move between the two.
    parts: Parts,
}

/// A machine as parts, in tokens.
struct Parts {
    /// The type of the parts.
    ty: TokenStream,
    /// The parts of `m` (a machine).
    of_machine: TokenStream,
    /// The machine made of `parts`.
    machine: TokenStream,
    /// `parts` moved into a new state at `now`.
    moved: TokenStream,
    /// The parts of `data` entered at `entered_at` (for `resume`).
    resumed: TokenStream,
}

/// What the small and the table path each write.
#[derive(Default)]
struct Lookups {
    /// The body of `Event::from_name`.
    from_name: TokenStream,
    /// The expression that finds a state's index by its name (`state`).
    resume: TokenStream,
    /// The body of `Current::fire`.
    fire_by_name: TokenStream,
    /// The body of `Current::fire_event`.
    fire_event: TokenStream,
    /// A method of `Current` beside it (the table path's `fire_at`).
    fire_at: TokenStream,
    /// The names sorted for binary search (the table path).
    name_tables: TokenStream,
    /// The table of plain moves (the table path).
    moves_table: TokenStream,
    /// A function per state (the table path).
    fns: TokenStream,
}

/// One state's arms: `(event index, what firing it from there does)`.
type StateArms = Vec<(usize, TokenStream)>;

impl<'a> Generator<'a> {
    /// The by-name side, in its private module, and the aliases
    /// `Current` and `Event` outside it.
    pub(crate) fn by_name(&self) -> TokenStream {
        // A model always has its initial state.
        if self.w.states.is_empty() {
            return TokenStream::new();
        }
        let b = ByName::new(self);
        // A compound's timer makes each move say which compounds it stays
        // inside: the typed moves say it, so the small path, which makes
        // them, is the one taken.
        let small = self.w.states.len() <= SMALL_DISPATCH_STATES || self.within > 0;
        let lookups = if small { b.small() } else { b.table() };
        let (event_enum, event_chunks) = b.event_enum(&lookups);
        let current = b.current_enum();
        let (current_impl, parts_chunks) = b.current_impl(&lookups);
        let support = b.support(&lookups, event_chunks, parts_chunks);
        let current_doc = b.current_doc();
        let previous = self.previous_module();
        quote! {
            #previous

            /// Dispatch by name. Kept in a private module, and named outside it
            /// through the aliases `Current` and `Event`, so that the variants
            /// (named like the states and events) do not make the compiler
            /// spell out full paths of the state types in its errors.
            #[doc(hidden)]
            mod __dispatch {
            #event_enum
            #current
            #current_impl
            #support
            }

            #[doc = #current_doc]
            pub type Current = __dispatch::Current;

            /// The workflow's events, for dispatch without strings.
            pub type Event = __dispatch::Event;
        }
    }
}

impl<'g, 'a> ByName<'g, 'a> {
    fn new(g: &'g Generator<'a>) -> Self {
        let w = g.w;
        let data = g.data(2);
        let krate_path = &g.krate;
        let n = g.within;
        let parts = if n > 0 {
            // With a timer on a compound state: when it entered each
            // compound too (`within`, the slice given to `resume_within`).
            Parts {
                ty: quote!((#data, ::std::time::SystemTime, [::std::time::SystemTime; #n])),
                of_machine: quote!((m.data, m.entered_at, m.within)),
                machine: quote!(super::Machine {
                    data: parts.0,
                    entered_at: parts.1,
                    within: parts.2,
                    state: ::core::marker::PhantomData
                }),
                // Only the small path moves parts, through the typed moves.
                moved: quote!((parts.0, now, [now; #n])),
                resumed: quote!((data, entered_at, ::core::array::from_fn(|d| {
                    if d < <#data as #krate_path::Workflow>::ANCESTORS[i].len() {
                        within.get(d).copied().unwrap_or(entered_at)
                    } else {
                        entered_at
                    }
                }))),
            }
        } else if g.timed {
            Parts {
                ty: quote!((#data, ::std::time::SystemTime)),
                of_machine: quote!((m.data, m.entered_at)),
                machine: quote!(super::Machine {
                    data: parts.0,
                    entered_at: parts.1,
                    state: ::core::marker::PhantomData
                }),
                moved: quote!((parts.0, now)),
                resumed: quote!((data, entered_at)),
            }
        } else {
            Parts {
                ty: quote!(#data),
                of_machine: quote!(m.data),
                machine: quote!(super::Machine {
                    data: parts,
                    state: ::core::marker::PhantomData
                }),
                moved: quote!({
                    let _ = now;
                    parts
                }),
                resumed: quote!(data),
            }
        };
        let event_names: Vec<&'a str> = g.events.iter().map(|e| e.name.as_str()).collect();
        ByName {
            g,
            krate: &g.krate,
            data,
            event_variants: g.events.iter().map(|e| ident(e.name.pascal())).collect(),
            event_index: event_names
                .iter()
                .enumerate()
                .map(|(i, n)| (*n, i))
                .collect(),
            event_names,
            state_variants: (0..w.states.len())
                .map(|i| g.state_ty(StateId(i)))
                .collect(),
            state_names: w.states.iter().map(|s| s.name.as_str()).collect(),
            parts,
        }
    }

    /// `let _ = now;` where nothing else reads it (a workflow without timers).
    fn ignore_now(&self) -> Option<TokenStream> {
        (!self.g.timed).then(|| quote!(let _ = now;))
    }

    /// For each state (by index), the arms of the events it allows: a
    /// guarded, timed or branching event calls the typed method (so the
    /// two cannot disagree), a plain one makes the same move in place.
    /// With `table_plain`, a state whose transitions all only move the
    /// machine is left to the table of moves (`None`, no arms).
    fn state_arms(&self, table_plain: bool) -> Vec<Option<StateArms>> {
        let g = self.g;
        let krate = self.krate;
        let event_index = &self.event_index;
        g.outgoing
            .iter()
            .enumerate()
            .map(|(i, out)| {
                let plain =
                    |tid: &TransitionId| g.w.plain_move(g.w.transition(*tid), StateId(i), out);
                if table_plain && out.iter().all(plain) {
                    return None;
                }
                let variant = &self.state_variants[i];
                let arms = out.iter().map(|tid| {
                    let t = g.w.transition(*tid);
                    let fire = match &t.payload {
                        // Without its payload (`fire`, `fire_as`):
                        // refused; `fire_with` brings it.
                        Some(p) => {
                            let (wname, ev, st, ty) = (
                                g.w.name.as_str(),
                                t.event.as_str(),
                                g.w.state(StateId(i)).name.as_str(),
                                p.ty.as_str(),
                            );
                            quote! {
                                ::core::result::Result::Err(#krate::Refused::new(
                                    Current::#variant(m),
                                    #krate::Why::BadPayload {
                                        workflow: #wname,
                                        event: #ev,
                                        state: #st,
                                        expected: ::core::option::Option::Some(#ty),
                                        problem: ::std::string::String::from("was not given"),
                                    },
                                ))
                            }
                        }
                        None => self.fire_arm(t, i, None),
                    };
                    (event_index[t.event.as_str()], fire)
                });
                Some(arms.collect())
            })
            .collect()
    }
}

impl ByName<'_, '_> {
    /// What firing `t` from the state at `i` does by name, with the
    /// machine `m` in scope: a guarded, timed or branching transition calls
    /// the typed method (so the two cannot disagree), a plain one makes
    /// the same move in place. `payload` is the payload's expression, for
    /// a transition that brings one.
    pub(super) fn fire_arm(
        &self,
        t: &turnstile_spec::Transition,
        i: usize,
        payload: Option<TokenStream>,
    ) -> TokenStream {
        let g = self.g;
        let krate = self.krate;
        let variant = &self.state_variants[i];
        let now_arg = g.timed.then(|| quote!(now));
        let payload_arg = payload.map(|p| quote!(#p,));
        let method = ident(t.event.as_str());
        let landed = |next: TokenStream| {
            if t.is_branch() {
                quote!(Current::from(#next))
            } else {
                let to = g.state_ty(t.to[0]);
                quote!(Current::#to(#next))
            }
        };
        // A role-restricted method takes evidence of a role: by name,
        // `fire_as` has checked the actor's roles first.
        let by_arg = g.role_evidence(t);
        if g.refusable_from(t, StateId(i)) {
            let next = landed(quote!(next));
            quote! {
                match m.#method(#by_arg #payload_arg #now_arg) {
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
        } else if t.is_branch() || payload_arg.is_some() {
            let next = landed(quote!(m.#method(#by_arg #payload_arg #now_arg)));
            quote!(::core::result::Result::Ok(#next))
        } else {
            // What the typed method does, without the call: the machine
            // moves into the target state.
            let next = landed(g.move_into(quote!(super::), quote!(m), (t, StateId(i), t.to[0])));
            quote!(::core::result::Result::Ok(#next))
        }
    }

    /// One arm per state, as text (see [`crate::text`]).
    fn per_state(&self, arm: &dyn Fn(usize, &Ident) -> String) -> TokenStream {
        self.g.lex(
            &self
                .state_variants
                .iter()
                .enumerate()
                .map(|(i, v)| arm(i, v))
                .collect::<String>(),
        )
    }
}
