//! Dispatch by name in a workflow of more than
//! [`SMALL_DISPATCH_STATES`](super::SMALL_DISPATCH_STATES) states: a small
//! function per state that has a guarded, timed or branching transition
//! (the compiler checks many small bodies much faster than one with
//! thousands of arms), a table of moves for the states whose transitions
//! only move the machine, and names found by binary search.
//!
//! The tables are packed into byte strings of little-endian `u32`
//! (`turnstile::__private::u32_at`): the compiler takes a byte string as
//! one constant, where an array of thousands of elements costs it time
//! growing faster than the array. The event comes as its index: a
//! parameter of the `Event` type makes the compiler weigh each of its
//! variants in every function.

use proc_macro2::Literal;
use quote::{format_ident, quote};

use super::{ByName, Lookups};

/// `values` as a byte string of little-endian `u32`.
fn packed(values: impl Iterator<Item = usize>) -> Literal {
    let bytes: Vec<u8> = values.flat_map(|v| (v as u32).to_le_bytes()).collect();
    Literal::byte_string(&bytes)
}

/// The indices of `names`, sorted by name.
fn sorted_indices(names: &[&str]) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..names.len()).collect();
    indices.sort_by_key(|i| names[*i]);
    indices
}

impl ByName<'_, '_> {
    pub(super) fn table(&self) -> Lookups {
        let (krate, data) = (self.krate, &self.data);
        let ignore_now = self.ignore_now();
        let mut arms = Vec::new();
        let mut fns = Vec::new();
        let mut moves = Vec::new();
        for (i, state_arms) in self.state_arms(true).into_iter().enumerate() {
            let Some(state_arms) = state_arms else {
                // Only plain moves: into the table.
                moves.push(
                    self.g.outgoing[i]
                        .iter()
                        .map(|tid| {
                            let t = self.g.w.transition(*tid);
                            (self.event_index[t.event.as_str()], t.to[0].0)
                        })
                        .collect::<Vec<_>>(),
                );
                continue;
            };
            moves.push(Vec::new());
            let variant = &self.state_variants[i];
            let f = format_ident!("fire_{}", i);
            let inner = state_arms.iter().map(|(e, fire)| {
                let n = Literal::usize_unsuffixed(*e);
                quote!(#n => #fire,)
            });
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
        let mut starts = vec![0usize];
        let mut pairs = Vec::new();
        for state_moves in &moves {
            pairs.extend(state_moves.iter().flat_map(|(e, to)| [*e, *to]));
            starts.push(pairs.len() / 2);
        }
        let starts = packed(starts.into_iter());
        let pairs = packed(pairs.into_iter());
        let moved = &self.parts.moved;
        let events_sorted = packed(sorted_indices(&self.event_names).into_iter());
        let states_sorted = packed(sorted_indices(&self.state_names).into_iter());
        Lookups {
            from_name: quote! {
                match #krate::__private::find(EVENTS_SORTED, name, |i| <#data as #krate::Workflow>::EVENTS[i]) {
                    ::core::option::Option::Some(i) => Event::from_index(i),
                    ::core::option::Option::None => ::core::option::Option::None,
                }
            },
            resume: quote!(#krate::__private::find(STATES_SORTED, state, |i| <#data as #krate::Workflow>::STATES[i])),
            fire_by_name: quote! {
                match #krate::__private::find(EVENTS_SORTED, event, |i| <#data as #krate::Workflow>::EVENTS[i]) {
                    ::core::option::Option::Some(i) => self.fire_at(i, now),
                    ::core::option::Option::None => unknown(self, event),
                }
            },
            fire_event: quote!(self.fire_at(event as usize, now)),
            fire_at: quote! {
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
                    let state = current.index();
                    let from = #krate::__private::u32_at(MOVE_STARTS, state);
                    let until = #krate::__private::u32_at(MOVE_STARTS, state + 1);
                    for k in from..until {
                        if #krate::__private::u32_at(MOVES, 2 * k) == event {
                            let to = #krate::__private::u32_at(MOVES, 2 * k + 1);
                            let parts = current.into_parts();
                            return ::core::result::Result::Ok(Current::from_parts(to, #moved));
                        }
                    }
                    not_allowed(current, event)
                }
            },
            name_tables: quote! {
                /// The events' indices, sorted by name (packed `u32`).
                static EVENTS_SORTED: &[u8] = #events_sorted;
                /// The states' indices, sorted by name (packed `u32`).
                static STATES_SORTED: &[u8] = #states_sorted;
            },
            moves_table: quote! {
                /// Where each state's moves start in `MOVES` (packed `u32`,
                /// one more than there are states).
                static MOVE_STARTS: &[u8] = #starts;
                /// The moves of the states whose transitions only move the
                /// machine: (event index, target state index), packed `u32`.
                static MOVES: &[u8] = #pairs;
            },
            fns: quote!(#(#fns)*),
        }
    }
}
