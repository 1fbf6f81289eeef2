//! The module of a workflow: `Machine<S>` and its state markers, the
//! `Workflow` impl on the data type, and where every other part goes.

use proc_macro2::TokenStream;
use quote::quote;
use turnstile_spec::StateId;

use crate::text::lit;
use crate::{docs, ident, Generator};

impl<'a> Generator<'a> {
    pub(crate) fn module(&self) -> TokenStream {
        let w = self.w;
        let krate = &self.krate;
        let vis = self.input.vis;
        let module = ident(self.module_name());
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
        // A timer on a compound state counts from entering the compound:
        // the machine keeps when it entered each compound it is inside.
        let n = self.within;
        let (within_field, within_init, within_getter, keep_param, within_moved) = if n > 0 {
            (
                quote!(within: [::std::time::SystemTime; #n],),
                quote!(within: [now; #n],),
                quote! {
                    /// When the machine entered each compound state it is
                    /// inside, outermost first: the instants those states'
                    /// timers count from. Moves between the states inside a
                    /// compound do not change its instant.
                    pub fn entered_within(&self) -> &[::std::time::SystemTime] {
                        &self.within[..<<S as #krate::State>::Workflow as #krate::Workflow>::ANCESTORS
                            [<S as #krate::State>::INDEX]
                            .len()]
                    }
                },
                quote!(, const KEEP: usize),
                quote! {
                    // The compounds the move stays inside keep their instants.
                    within: ::core::array::from_fn(|i| if i < KEEP { machine.within[i] } else { now }),
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
        let accessors = self.data_accessors();
        let states = self.states();
        let events = self.event_methods();
        let by_name = if self.input.dispatch {
            self.by_name()
        } else {
            TokenStream::new()
        };
        let event_traits = self.event_traits();
        let guards = self.guards_trait();
        let payloads = self.payloads_trait();
        let outcomes = self.outcomes();
        let workflow_impl = self.workflow_impl();
        let roles = self.roles_module();
        let capabilities = self.capabilities_module();
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
                    #within_field
                    state: ::core::marker::PhantomData<fn() -> S>,
                }

                impl Machine<state::#initial> {
                    #[doc = #new_doc]
                    pub fn new(data: #data #now_param) -> Self {
                        Machine { data, #entered_init #within_init state: ::core::marker::PhantomData }
                    }
                }

                impl<S: #krate::State> Machine<S> {
                    #accessors

                    /// The current state's name, as written in the definition.
                    pub fn state(&self) -> &'static str {
                        <S as #krate::State>::NAME
                    }

                    #entered_getter

                    #within_getter

                    #events
                }

                /// The machine moved into state `T` (a free function: method
                /// lookup on `Machine`, which has a method per event, costs more).
                fn into_state<S: #krate::State, T: #krate::State #keep_param>(machine: Machine<S> #now_param) -> Machine<T> {
                    Machine { data: machine.data, #entered_init #within_moved state: ::core::marker::PhantomData }
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
                #roles
                #capabilities
                #guards
                #payloads
                #outcomes
                #by_name
            }

            #workflow_impl
        }
    }

    /// `data`, `data_mut` and `into_data`: every machine's, with or
    /// without regions.
    pub(crate) fn data_accessors(&self) -> TokenStream {
        let data = self.data(1);
        quote! {
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
        }
    }

    /// `turnstile::Workflow` on the data type: the definition's tables.
    pub(crate) fn workflow_impl(&self) -> TokenStream {
        let w = self.w;
        let krate = &self.krate;
        let data_ty = self.input.data;
        let name = w.name.as_str();
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
        let access = self.access_tables();
        // Only a definition with nested states says what each state is in.
        let ancestors = (!w.compounds.is_empty()).then(|| {
            let lists = (0..w.states.len()).map(|i| {
                let names = w
                    .ancestors(StateId(i))
                    .into_iter()
                    .rev()
                    .map(|c| w.compound(c).name.as_str());
                quote!(&[#(#names),*])
            });
            quote!(const ANCESTORS: &'static [&'static [&'static ::core::primitive::str]] = &[#(#lists),*];)
        });
        quote! {
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
            #access
            #ancestors
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

    pub(crate) fn states(&self) -> TokenStream {
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
        // Nested states: a marker per compound, and `In<Compound>` on
        // each leaf inside it, so that code can be generic over "any
        // state within" a compound. A flat definition generates none.
        if !self.w.compounds.is_empty() {
            text.push_str(
                "#[doc = \"`S: In<C>` holds when the state `S` is inside the compound state `C`, at any depth.\"] \
                 pub trait In<C> {}\n",
            );
        }
        for (i, c) in self.w.compounds.iter().enumerate() {
            let ty = c.name.pascal();
            let leaves: Vec<String> = self
                .w
                .leaves_of(turnstile_spec::CompoundId(i))
                .iter()
                .map(|s| format!("`{}`", self.state_ty(*s)))
                .collect();
            let doc = lit(&format!(
                "The compound state `{}`: the states inside it are {}. A machine is never in it itself.{}",
                c.name,
                leaves.join(", "),
                c.summary.as_deref().map(|s| format!("\n\n{s}")).unwrap_or_default()
            ));
            text.push_str(&format!("#[doc = {doc}] pub enum {ty} {{}}\n"));
            for leaf in self.w.leaves_of(turnstile_spec::CompoundId(i)) {
                text.push_str(&format!("impl In<{ty}> for {} {{}}\n", self.state_ty(leaf)));
            }
        }
        let markers = self.lex(&text);
        quote! {
            /// The states: one zero-sized marker type each, the `S` of [`Machine<S>`](super::Machine).
            pub mod state {
                #markers
            }
        }
    }
}
