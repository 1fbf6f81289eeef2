//! Dispatch by name in a workflow of up to
//! [`SMALL_DISPATCH_STATES`](super::SMALL_DISPATCH_STATES) states: one
//! nested `match`, one arm per state and inside it one per event it allows,
//! which the optimizer turns into jump tables. (A flat match on `(state,
//! event)` pairs costs the compiler far more to check.) Names are compared
//! in turn.

use quote::quote;

use super::{ByName, Lookups};

impl ByName<'_, '_> {
    pub(super) fn small(&self) -> Lookups {
        let (krate, data) = (self.krate, &self.data);
        let (event_names, event_variants) = (&self.event_names, &self.event_variants);
        let arms = self
            .state_arms(false)
            .into_iter()
            .enumerate()
            .filter_map(|(i, arms)| {
                let arms = arms.filter(|arms| !arms.is_empty())?;
                let variant = &self.state_variants[i];
                let inner = arms.iter().map(|(e, fire)| {
                    let ev = &event_variants[*e];
                    quote!(Event::#ev => return #fire,)
                });
                Some(quote! {
                    Current::#variant(m) => match event {
                        #(#inner)*
                        #[allow(unreachable_patterns)]
                        _ => Current::#variant(m),
                    },
                })
            });
        let ignore_now = self.ignore_now();
        // With roles, `fire_event` checks an anonymous actor's roles: the
        // by-name path, which has checked the actor's own, goes past it.
        let fire_event = if self.g.w.has_roles() {
            quote!(dispatch_event)
        } else {
            quote!(fire_event)
        };
        Lookups {
            from_name: quote! {
                match name {
                    #(#event_names => ::core::option::Option::Some(Event::#event_variants),)*
                    _ => ::core::option::Option::None,
                }
            },
            resume: quote!(<#data as #krate::Workflow>::STATES.iter().position(|s| *s == state)),
            fire_by_name: quote! {
                match Event::from_name(event) {
                    ::core::option::Option::Some(event) => self.#fire_event(event, now),
                    ::core::option::Option::None => unknown(self, event),
                }
            },
            fire_event: quote! {
                #[allow(unreachable_patterns)]
                let current = match self {
                    #(#arms)*
                    other => other,
                };
                #ignore_now
                not_allowed(current, event as usize)
            },
            ..Lookups::default()
        }
    }
}
