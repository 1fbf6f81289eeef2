//! The typed migration from the previous version of a definition
//! (`#[workflow(previous = "…")]`): the module `previous`, with the trait
//! `Migrate` the user implements, one method per old state whose stored
//! instances need a decision, and `To`, the states of this version they
//! may go to.

use proc_macro2::TokenStream;
use quote::quote;

use crate::{ident, Generator};

impl Generator<'_> {
    /// `pub mod previous`, where the previous version has states that need
    /// a decision; nothing otherwise (every state carries on).
    pub(crate) fn previous_module(&self) -> TokenStream {
        let Some(p) = self.input.previous.first() else {
            return TokenStream::new();
        };
        if p.decide.is_empty() || !self.input.dispatch {
            return TokenStream::new();
        }
        let w = self.w;
        let name = w.name.as_str();
        let file = p.file.as_str();
        let fingerprint = p.fingerprint.as_str();
        let data_name = self.input.data.to_string();
        let module = self.module_name();
        let decided_names = p.decide.iter().map(|(s, _)| s.as_str());
        let listed = p
            .decide
            .iter()
            .map(|(s, _)| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "`{{Self}}` does not say where the instances stored under the previous version of `{name}` go"
        );
        let label = format!("the states {listed} of `{file}` need a decision");
        let note = format!(
            "implement `{module}::previous::Migrate` for `{data_name}`: one method per state, {listed}, returning the state of this version its instances go to (`{module}::previous::To`); `turnstile diff` lists the changes"
        );
        let trait_doc = format!(
            " Where the instances stored under the previous version of `{name}` (`{file}`, fingerprint `{fingerprint}`) go, for the states whose instances need a decision: implement it on `{data_name}`. Every other state of that version carries on, as itself or under its new name."
        );
        let methods = p.decide.iter().map(|(state, why)| {
            let method = ident(state);
            let first = format!(
                " Where an instance stored in `{state}` goes, with its data (which may change), given when it entered `{state}`; `Err(reason)` refuses it. Because:"
            );
            let reasons = why.iter().map(|w| format!(" - {w}"));
            quote! {
                #[doc = #first]
                #[doc = ""]
                #(#[doc = #reasons])*
                fn #method(&mut self, entered_at: ::std::time::SystemTime) -> ::core::result::Result<To, ::std::string::String>;
            }
        });
        let arms = p.decide.iter().map(|(state, _)| {
            let method = ident(state);
            quote!(#state => <T as Migrate>::#method(data, entered_at).map(To::name),)
        });
        let variants: Vec<_> = w.states.iter().map(|s| ident(s.name.pascal())).collect();
        let names: Vec<&str> = w.states.iter().map(|s| s.name.as_str()).collect();
        let variant_docs = names.iter().map(|n| format!(" `{n}`."));
        quote! {
            /// The typed migration from the previous version of the
            /// definition (`previous = "…"`): what its stored instances
            /// become in this one.
            pub mod previous {
                /// The fingerprint of the previous version.
                pub const FINGERPRINT: &str = #fingerprint;

                /// The previous version's states whose instances need a
                /// decision: the methods of [`Migrate`].
                pub const DECIDED: &[&str] = &[#(#decided_names),*];

                #[doc = #trait_doc]
                #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
                pub trait Migrate {
                    #(#methods)*
                }

                /// A state of this version, where a migrated instance goes.
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                pub enum To {
                    #(#[doc = #variant_docs] #variants,)*
                }

                impl To {
                    /// The state's name.
                    pub fn name(self) -> &'static str {
                        match self {
                            #(To::#variants => #names,)*
                        }
                    }
                }

                /// Calls the method of `state`.
                #[doc(hidden)]
                pub fn decide<T: Migrate>(
                    state: &str,
                    data: &mut T,
                    entered_at: ::std::time::SystemTime,
                ) -> ::core::result::Result<&'static str, ::std::string::String> {
                    match state {
                        #(#arms)*
                        other => ::core::result::Result::Err(::std::format!(
                            "the previous version has no state `{}` to decide", other
                        )),
                    }
                }
            }
        }
    }
}
