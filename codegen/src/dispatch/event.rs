//! The `Event` enum of dispatch by name: an event as a value, by index or
//! by name.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ByName, Lookups};
use crate::text::{lit, ChunkedFn};

impl ByName<'_, '_> {
    /// The `Event` enum and its methods, and the functions its
    /// `from_index` calls (to put further down).
    pub(super) fn event_enum(&self, lookups: &Lookups) -> (TokenStream, TokenStream) {
        let (krate, data) = (self.krate, &self.data);
        let event_docs: Vec<String> = self
            .g
            .events
            .iter()
            .map(|e| format!("`{}`", e.name))
            .collect();
        let variants = self.g.lex(
            &self
                .event_variants
                .iter()
                .enumerate()
                .map(|(i, v)| format!("#[doc = {}] {v},", lit(&event_docs[i])))
                .collect::<String>(),
        );
        let event_count = proc_macro2::Literal::usize_unsuffixed(self.event_names.len());
        // Index → event: one match up to 64 events; beyond, a function per
        // 64 (one body of thousands of arms costs the compiler's borrow and
        // exhaustiveness checks far more than many small ones).
        let (from_index_body, event_chunks) = self.g.chunked_match(
            &self.event_variants,
            ChunkedFn {
                prefix: "events",
                params: "",
                args: "",
                ret: "::core::option::Option<Event>",
            },
            &|v| format!("::core::option::Option::Some(Event::{v})"),
            &|_| "::core::option::Option::None".to_string(),
        );
        let from_name_body = &lookups.from_name;
        let name_tables = &lookups.name_tables;
        let tokens = quote! {
            /// The workflow's events, for dispatch without strings.
            #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum Event {
                #variants
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
        };
        (tokens, event_chunks)
    }
}
