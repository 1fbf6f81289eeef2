//! What dispatch by name needs besides its enums: the refusals, the path's
//! tables and functions, and `turnstile::Dispatch` on the data type, which
//! `turnstile::Instance` and the store build on.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ByName, Lookups};
use crate::duration;

impl ByName<'_, '_> {
    /// `Dispatch::PREVIOUS`, `PREVIOUS_VERSIONS` and `from_previous`, for
    /// the earlier versions this build reads (none: nothing).
    fn previous_items(&self) -> TokenStream {
        let krate = self.krate;
        let all = self.g.input.previous;
        if all.is_empty() {
            return TokenStream::new();
        }
        let fingerprints = all.iter().map(|p| p.fingerprint.as_str());
        let versions = all.iter().map(|p| {
            let fingerprint = p.fingerprint.as_str();
            let initial = p.initial.as_str();
            let states = p.states.iter();
            let transitions = p.transitions.iter().map(|(f, e, t)| quote!((#f, #e, #t)));
            let counterparts = p.counterparts.iter().map(|(o, n)| quote!((#o, #n)));
            quote!(#krate::PreviousVersion {
                fingerprint: #fingerprint,
                initial: #initial,
                states: &[#(#states),*],
                transitions: &[#(#transitions),*],
                counterparts: &[#(#counterparts),*],
            })
        });
        let arms = all.iter().map(|p| {
            let fingerprint = p.fingerprint.as_str();
            let carried = p
                .carried
                .iter()
                .map(|(old, new)| quote!(#old => ::core::result::Result::Ok(#new),));
            let decided = if p.decide.is_empty() {
                TokenStream::new()
            } else {
                quote! {
                    other if super::previous::DECIDED.contains(&other) => {
                        super::previous::decide(other, data, entered_at)
                    }
                }
            };
            quote! {
                if fingerprint == #fingerprint {
                    return match state {
                        #(#carried)*
                        #decided
                        other => ::core::result::Result::Err(::std::format!(
                            "the version {} has no state `{}`", #fingerprint, other
                        )),
                    };
                }
            }
        });
        // The promises a migration could break (properties kept as
        // warnings are not promised).
        let w = self.g.w;
        let names = |ids: &[turnstile_spec::StateId]| -> Vec<String> {
            ids.iter()
                .map(|id| w.state(*id).name.as_str().to_string())
                .collect()
        };
        let promises = w.properties.iter().filter(|p| !p.warning).filter_map(|p| {
            let name = p.name.as_str();
            match &p.claim {
                turnstile_spec::Claim::NeverLeaves { states } => {
                    let states = names(states);
                    Some(quote!(#krate::Promise::NeverLeaves { name: #name, states: &[#(#states),*] }))
                }
                turnstile_spec::Claim::LeftOnlyBy { states, .. } => {
                    let states = names(states);
                    Some(quote!(#krate::Promise::LeftOnlyBy { name: #name, states: &[#(#states),*] }))
                }
                turnstile_spec::Claim::OnlyAfter { states, events, from } => {
                    let states = names(states);
                    let events = events.iter().map(|e| e.as_str());
                    let from = w.state(*from).name.as_str();
                    Some(quote!(#krate::Promise::OnlyAfter {
                        name: #name, states: &[#(#states),*], events: &[#(#events),*], from: #from
                    }))
                }
                turnstile_spec::Claim::Unreachable { target, from } => {
                    let target = w.state(*target).name.as_str();
                    let from = w.state(*from).name.as_str();
                    Some(quote!(#krate::Promise::Unreachable { name: #name, target: #target, from: #from }))
                }
                _ => None,
            }
        });
        quote! {
            const PROMISES: &'static [#krate::Promise] = &[#(#promises),*];
            const PREVIOUS: &'static [&'static str] = &[#(#fingerprints),*];
            const PREVIOUS_VERSIONS: &'static [#krate::PreviousVersion] = &[#(#versions),*];
            fn from_previous(
                fingerprint: &str,
                state: &str,
                data: &mut Self,
                entered_at: ::std::time::SystemTime,
            ) -> ::core::result::Result<&'static str, ::std::string::String> {
                let _ = (&data, entered_at);
                #(#arms)*
                ::core::result::Result::Err(::std::format!(
                    "this build does not read the version {}", fingerprint
                ))
            }
        }
    }

    /// The refusals, the tables and functions of the path, `Fired`,
    /// `Debug`, and `turnstile::Dispatch` on the data type.
    pub(super) fn support(
        &self,
        lookups: &Lookups,
        event_chunks: TokenStream,
        parts_chunks: TokenStream,
    ) -> TokenStream {
        let (krate, data) = (self.krate, &self.data);
        let w = self.g.w;
        let previous = self.previous_items();
        let fingerprint = turnstile_spec::fingerprint::fingerprint(w);
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
        // Where a timer counts from entering a compound state: what each
        // timer counts from, and what each move stays inside.
        let nested = (self.g.within > 0).then(|| {
            let clocks = w
                .transitions
                .iter()
                .filter(|t| t.timer.is_some())
                .flat_map(|t| {
                    t.from.iter().map(move |from| match w.clock(t, *from) {
                        turnstile_spec::Clock::State => quote!(::core::option::Option::None),
                        turnstile_spec::Clock::Compound(c) => {
                            let depth = w.depth(c);
                            quote!(::core::option::Option::Some(#depth))
                        }
                    })
                });
            let kept = w.transitions.iter().flat_map(|t| {
                t.from
                    .iter()
                    .flat_map(move |from| t.to.iter().map(move |to| w.kept(t, *from, *to)))
            });
            quote! {
                const TIMER_CLOCKS: &'static [::core::option::Option<usize>] = &[#(#clocks),*];
                const KEPT: &'static [usize] = &[#(#kept),*];
                fn resume_within(
                    state: &str,
                    data: Self,
                    entered_at: ::std::time::SystemTime,
                    within: &[::std::time::SystemTime],
                ) -> ::core::result::Result<Current, Self> {
                    Current::resume_within(state, data, entered_at, within)
                }
                fn within(current: &Current) -> &[::std::time::SystemTime] {
                    current.entered_within()
                }
            }
        });
        let start_expr = if self.g.timed {
            quote!(super::Machine::new(data, now))
        } else {
            quote!({
                let _ = now;
                super::Machine::new(data)
            })
        };
        let Lookups {
            moves_table, fns, ..
        } = lookups;
        quote! {
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

            #fns

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
                #previous
                const TIMERS: &'static [#krate::TimerSpec] = &[#(#timers)*];
                const TRANSITIONS: &'static [(&'static str, &'static str, &'static str)] = &[#(#transitions),*];
                #nested

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
                fn fire_as(current: Current, event: &str, actor: &#krate::Actor<'_>, now: ::std::time::SystemTime) -> ::core::result::Result<Current, #krate::Refused<Current>> {
                    current.fire_as(event, actor, now)
                }
                fn fire_with(current: Current, event: &str, payload: ::core::option::Option<&str>, actor: &#krate::Actor<'_>, now: ::std::time::SystemTime) -> ::core::result::Result<(Current, ::core::option::Option<::std::string::String>), #krate::Refused<Current>> {
                    current.fire_with(event, payload, actor, now)
                }
            }
        }
    }
}
