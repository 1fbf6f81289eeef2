//! The traits the user implements on the data type: `Guards` (a method
//! per guard: may the step happen?) and `Outcomes` (a method per branching
//! event: which target does it take?), with the `choice` and `outcome`
//! enums of the branching events.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use turnstile_spec::Transition;

use crate::{docs, ident, Generator};

impl Generator<'_> {
    pub(crate) fn guards_trait(&self) -> TokenStream {
        if self.w.guards.is_empty() {
            return TokenStream::new();
        }
        let wname = self.w.name.as_str();
        let module = self.module_name();
        let list = self
            .w
            .guards
            .iter()
            .enumerate()
            .map(
                |(i, g)| match self.guard_payload(turnstile_spec::GuardId(i)) {
                    Some(p) => format!("`fn {}(&self, payload: &{}) -> bool`", g.name, p.ty),
                    None => format!("`fn {}(&self) -> bool`", g.name),
                },
            )
            .collect::<Vec<_>>()
            .join(", ");
        let message =
            format!("{wname}: `{{Self}}` does not implement the guards of workflow `{wname}`");
        let label = format!("`{module}::Guards` is not implemented for `{{Self}}`");
        let note = format!("add `impl {module}::Guards for {{Self}}` with {list}");
        let methods = self.w.guards.iter().enumerate().map(|(i, g)| {
            let method = ident(g.name.as_str());
            let doc = docs::guard(self.w, i);
            match self.guard_payload(turnstile_spec::GuardId(i)) {
                // A guard of transitions that bring a payload reads it.
                Some(payload) => {
                    let ty = self.payload_ty(payload, 1);
                    quote! {
                        #[doc = #doc]
                        fn #method(&self, payload: &#ty) -> bool;
                    }
                }
                None => quote! {
                    #[doc = #doc]
                    fn #method(&self) -> bool;
                },
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

    pub(crate) fn outcomes(&self) -> TokenStream {
        let krate = &self.krate;
        let wname = self.w.name.as_str();
        let module = self.module_name();
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
            // With regions, the machine of each outcome has the branching
            // region in the target and every other region generic: the
            // enum is generic over those (`Partner`, `Restriction`).
            let (decl, used, machines): (TokenStream, TokenStream, Vec<TokenStream>) = match self
                .w
                .region_of(t.from[0])
            {
                None => (
                    quote!(),
                    quote!(),
                    variants
                        .iter()
                        .map(|v| quote!(super::Machine<super::state::#v>))
                        .collect(),
                ),
                Some(moved) => {
                    let others: Vec<usize> =
                        (0..self.w.regions.len()).filter(|r| *r != moved).collect();
                    let params: Vec<Ident> = others.iter().map(|r| self.region_param(*r)).collect();
                    let traits: Vec<Ident> = others.iter().map(|r| self.region_trait(*r)).collect();
                    let machines = variants
                        .iter()
                        .map(|v| {
                            let slots = (0..self.w.regions.len()).map(|r| {
                                if r == moved {
                                    quote!(super::state::#v)
                                } else {
                                    let p = self.region_param(r);
                                    quote!(#p)
                                }
                            });
                            quote!(super::Machine<(#(#slots,)*)>)
                        })
                        .collect();
                    (
                        quote!(<#(#params: super::region::#traits),*>),
                        quote!(<#(#params),*>),
                        machines,
                    )
                }
            };
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
                pub enum #e #decl {
                    #(#[doc = #variant_docs] #variants(#machines),)*
                }

                impl #decl #e #used {
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

                impl #decl #krate::Fired for #e #used {
                    fn landed(&self) -> ::core::option::Option<&'static str> {
                        ::core::option::Option::Some(self.state())
                    }
                }

                impl #decl ::core::fmt::Debug for #e #used {
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
                    "`fn {}(&self) -> {module}::choice::{}`",
                    t.event,
                    t.event.pascal()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let message =
            format!("{wname}: `{{Self}}` does not decide the outcomes of workflow `{wname}`");
        let label = format!("`{module}::Outcomes` is not implemented for `{{Self}}`");
        let note = format!("add `impl {module}::Outcomes for {{Self}}` with {list}");
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
