//! The `#[derive(Workflow)]` macro of turnstile. Use it through the
//! `turnstile` crate, which documents it.
#![forbid(unsafe_code)]

mod expand;

/// Generates a typestate machine from a TOML workflow definition.
/// See the `turnstile` crate for the whole story.
#[proc_macro_derive(Workflow, attributes(workflow))]
pub fn derive_workflow(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
