//! What events bring: the payload type of an event (its method's
//! parameter, what its guards read), and the trait `Payloads` whose methods
//! store what a taken transition keeps of its payload in the data.
//! Nothing of this is generated for a definition without payloads.

use proc_macro2::TokenStream;
use quote::quote;
use turnstile_spec::{Event, GuardId, Payload};

use crate::{ident, Generator};

impl Generator<'_> {
    /// The payload an event brings (the same on all its transitions:
    /// validation sees to it).
    pub(crate) fn event_payload(&self, event: &Event<'_>) -> Option<&Payload> {
        self.w.transition(event.transitions[0]).payload.as_ref()
    }

    /// The payload a guard reads: that of the transitions it is on (the
    /// same on all of them: validation sees to it).
    pub(crate) fn guard_payload(&self, guard: GuardId) -> Option<&Payload> {
        self.w
            .transitions
            .iter()
            .find(|t| t.guards.contains(&guard))
            .and_then(|t| t.payload.as_ref())
    }

    /// The payload's type as seen from `depth` modules below the data
    /// type's module (1: the workflow module). A path from `crate::` is
    /// used as written; any other is relative to the data type's module.
    pub(crate) fn payload_ty(&self, payload: &Payload, depth: usize) -> TokenStream {
        // Validated as a type path: it lexes. `self::` is the data type's
        // module, which the `super::`s below reach.
        let text = payload.ty.strip_prefix("self::").unwrap_or(&payload.ty);
        let path: TokenStream = text.parse().unwrap_or_default();
        if text.starts_with("crate::") {
            return path;
        }
        let supers = std::iter::repeat_n(quote!(super::), depth);
        quote!(#(#supers)* #path)
    }

    /// `pub trait Payloads`: one method per event that brings a payload.
    pub(crate) fn payloads_trait(&self) -> TokenStream {
        if !self.w.has_payloads() {
            return TokenStream::new();
        }
        let wname = self.w.name.as_str();
        let module = self.module_name();
        let methods = self.events.iter().filter_map(|event| {
            let payload = self.event_payload(event)?;
            let method = ident(event.name.as_str());
            let ty = self.payload_ty(payload, 1);
            let doc = format!(
                "Stores what a taken `{}` keeps of its payload in the data. Called once the \
                 transition's checks (timers, guards) have passed and before its outcome is \
                 decided, so a refused event changes nothing.",
                event.name
            );
            Some(quote! {
                #[doc = #doc]
                fn #method(&mut self, payload: #ty);
            })
        });
        let message =
            format!("{wname}: `{{Self}}` does not implement the payloads of workflow `{wname}`");
        let label = format!("`{module}::Payloads` is not implemented for `{{Self}}`");
        let note = format!(
            "add `impl {module}::Payloads for {{Self}}` with a method per event that brings a payload"
        );
        let doc = format!(
            "What the events of `{wname}` bring: implement it on the data type, one method per \
             event with a `payload`, storing what the transition keeps of it."
        );
        quote! {
            #[doc = #doc]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait Payloads {
                #(#methods)*
            }
        }
    }
}
