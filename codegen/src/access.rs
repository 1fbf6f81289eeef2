//! Who may act and what a state permits: the module `role` (a marker type
//! per role, and the trait `May` that a role-restricted event's method
//! bounds its actor with), the module `can` (a marker trait per
//! capability, implemented by the machines of the states that permit it),
//! and their tables in the `Workflow` impl. Nothing of this is generated
//! for a definition without roles or capabilities.

use proc_macro2::TokenStream;
use quote::quote;
use turnstile_spec::{Event, RoleId, StateId, Transition};

use crate::{docs, ident, Generator};

impl Generator<'_> {
    /// Whether an event's method takes the actor's role: its transitions
    /// name roles in `by` (validation makes it all of them or none).
    pub(crate) fn restricted(&self, event: &Event<'_>) -> bool {
        event
            .transitions
            .iter()
            .any(|t| !self.w.transition(*t).by.is_empty())
    }

    /// The type listing the roles that may fire `t`: the role's marker, or
    /// a tuple of them (what the error prints as "may be fired by").
    pub(crate) fn allowed_roles_ty(&self, t: &Transition, up: &TokenStream) -> TokenStream {
        let roles: Vec<_> =
            t.by.iter()
                .map(|r| {
                    let ty = ident(self.w.role(*r).name.pascal());
                    quote!(#up role::#ty)
                })
                .collect();
        match &roles[..] {
            [one] => one.clone(),
            _ => quote!((#(#roles),*)),
        }
    }

    /// The bound on the actor's role `R` for firing `t` from `from`; `up`
    /// reaches the workflow module.
    pub(crate) fn role_bound(
        &self,
        t: &Transition,
        from: StateId,
        up: &TokenStream,
    ) -> TokenStream {
        let marker = ident(t.event.as_str());
        let from_ty = self.state_ty(from);
        let allowed = self.allowed_roles_ty(t, up);
        let line = self.input.file.line_col(t.span.start).0 as u32;
        quote!(R: #up role::May<#up event::#marker, #up state::#from_ty, #allowed, #line>)
    }

    /// The evidence the dispatch by name passes to a role-restricted
    /// method once it has checked the actor's roles: an `Acting` of the
    /// transition's first role.
    pub(crate) fn role_evidence(&self, t: &Transition) -> Option<TokenStream> {
        let krate = &self.krate;
        let first = t.by.first()?;
        let ty = ident(self.w.role(*first).name.pascal());
        Some(quote!(&#krate::Acting::<super::role::#ty>::authenticated(),))
    }

    /// `pub mod role`: a marker per role, `May`, and its impls for the
    /// sets of roles that transitions name.
    pub(crate) fn roles_module(&self) -> TokenStream {
        let w = self.w;
        if w.roles.is_empty() {
            return TokenStream::new();
        }
        let krate = &self.krate;
        let data = self.data(2);
        let wname = w.name.as_str();
        let markers = w.roles.iter().map(|role| {
            let ty = ident(role.name.pascal());
            let name = role.name.as_str();
            let doc = docs::role(w, role);
            quote! {
                #[doc = #doc]
                pub enum #ty {}
                impl #krate::Role for #ty {
                    type Workflow = #data;
                    const NAME: &'static str = #name;
                }
            }
        });
        // A set of several roles is a tuple type, which admits each of its
        // roles: `(A, B): Set_Holds<A>`, one impl each, and one blanket impl of
        // `May` per tuple size used. (Were the set's impls of `May` on
        // each role, `impl May<…, (Customer, Agent), …> for Customer`,
        // rustc would answer a wrong role with them: "`May<…, (Customer,
        // Agent)>` is implemented for `Customer`", which reads as if the
        // wrong role were allowed. Blanket impls marked
        // `do_not_recommend` leave only the trait's own message.)
        let mut sets: Vec<&[RoleId]> = Vec::new();
        for t in &w.transitions {
            if t.by.len() > 1 && !sets.contains(&&t.by[..]) {
                sets.push(&t.by);
            }
        }
        let mut sizes: Vec<usize> = sets.iter().map(|s| s.len()).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let size_impls = sizes.iter().map(|n| {
            let params: Vec<_> = (0..*n).map(|i| quote::format_ident!("A{}", i)).collect();
            quote! {
                #[diagnostic::do_not_recommend]
                impl<R: #krate::Role, E, From, #(#params,)* const LINE: ::core::primitive::u32>
                    May<E, From, (#(#params,)*), LINE> for R
                where
                    (#(#params,)*): Set_Holds<R>
                {}
            }
        });
        // (By `self::` paths: a role may be named like the impl's own
        // parameters, `e` or `from`.)
        let set_impls = sets.iter().map(|set| {
            let tys: Vec<_> = set
                .iter()
                .map(|r| {
                    let ty = ident(w.role(*r).name.pascal());
                    quote!(self::#ty)
                })
                .collect();
            let impls = tys.iter().map(|member| {
                quote! {
                    impl Set_Holds<#member> for (#(#tys),*) {}
                }
            });
            quote!(#(#impls)*)
        });
        let has = (!sets.is_empty()).then(|| {
            quote! {
                /// `Set: Set_Holds<R>`: the tuple of roles `Set` holds the role
                /// `R`. (Its name has an underscore: no role's PascalCase
                /// name can take it.)
                #[doc(hidden)]
                #[allow(non_camel_case_types)]
                pub trait Set_Holds<R> {}
            }
        });
        let message = format!("{wname}: role `{{Self}}` may not fire `{{E}}` in state `{{From}}`");
        let where_note = format!(
            "`{{E}}` is declared in {} (line {{LINE}})",
            self.input.file.path()
        );
        quote! {
            /// The roles of the definition: one zero-sized marker type each.
            /// The method of an event whose transitions name roles in `by`
            /// takes a [`turnstile::Acting`] of one of them; make one where
            /// your application has authenticated the caller
            /// (`Acting::<role::Staff>::authenticated()`).
            pub mod role {
                #(#markers)*

                /// `R: May<E, From, Allowed, LINE>` holds when the role `R` is
                /// one of `Allowed` (a role, or a tuple of roles): the bound on
                /// the actor of an event `E` fired from state `From`, whose
                /// transition is declared at line `LINE` of the definition.
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = "this actor's role may not fire `{E}` here",
                    note = "`{E}` in state `{From}` may be fired by: `{Allowed}`",
                    note = #where_note
                )]
                pub trait May<E, From, Allowed, const LINE: ::core::primitive::u32> {}

                #[diagnostic::do_not_recommend]
                impl<R: #krate::Role, E, From, const LINE: ::core::primitive::u32> May<E, From, R, LINE> for R {}

                #has
                #(#size_impls)*
                #(#set_impls)*
            }
        }
    }

    /// `pub mod can`: a marker trait per capability, implemented by the
    /// machines of the states that permit it.
    pub(crate) fn capabilities_module(&self) -> TokenStream {
        let w = self.w;
        if w.capabilities.is_empty() {
            return TokenStream::new();
        }
        let wname = w.name.as_str();
        let traits = w.capabilities.iter().enumerate().map(|(i, c)| {
            let tr = ident(c.name.pascal());
            let name = c.name.as_str();
            let states = w.states_permitting(turnstile_spec::CapabilityId(i));
            let listed = states
                .iter()
                .map(|s| format!("`{}`", self.state_ty(*s)))
                .collect::<Vec<_>>()
                .join(", ");
            let message = format!("{wname}: `{{Self}}` does not permit `{name}`");
            let label = format!("`{name}` is not permitted in this state");
            let note = format!("`{name}` is permitted in: {listed}");
            let line = self.input.file.line_col(c.name.span().start).0;
            let where_note = format!(
                "`{name}` is declared in {} (line {line})",
                self.input.file.path()
            );
            let doc = docs::capability(w, c, &states);
            let impls = states.iter().map(|s| {
                let ty = self.state_ty(*s);
                quote!(impl #tr for super::Machine<super::state::#ty> {})
            });
            // With one permitting state, the compiler would infer `S` from
            // the one impl and report mismatched types instead of this
            // trait's message. A second impl, for the states that implement
            // `Permits_…` (none do), keeps the choice open, and that trait
            // words the error the same way. (Its name has an underscore: no
            // capability's PascalCase name can take it.)
            let keep_open = (states.len() == 1).then(|| {
                let never = quote::format_ident!("Permits_{}", c.name.pascal());
                let state_message =
                    format!("{wname}: `Machine<{{Self}}>` does not permit `{name}`");
                quote! {
                    #[doc(hidden)]
                    #[allow(non_camel_case_types)]
                    #[diagnostic::on_unimplemented(
                        message = #state_message,
                        label = #label,
                        note = #note,
                        note = #where_note
                    )]
                    pub trait #never {}
                    // Not recommended: rustc then words the error with the
                    // capability's own trait, as with two permitting states,
                    // instead of this trait's "has no implementations,
                    // consider adding one".
                    #[diagnostic::do_not_recommend]
                    impl<S: ::turnstile::State + #never> #tr for super::Machine<S> {}
                }
            });
            quote! {
                #[doc = #doc]
                #[diagnostic::on_unimplemented(
                    message = #message,
                    label = #label,
                    note = #note,
                    note = #where_note
                )]
                pub trait #tr {}
                #(#impls)*
                #keep_open
            }
        });
        quote! {
            /// The capabilities of the definition: one marker trait each,
            /// implemented by the machines of exactly the states that permit
            /// it. Bound a function with `where Machine<S>: can::ViewBills`
            /// and it compiles only for those states.
            pub mod can {
                #(#traits)*
            }
        }
    }

    /// The `Workflow` impl's tables of roles and capabilities (left to the
    /// trait's empty defaults when the definition has none).
    pub(crate) fn access_tables(&self) -> TokenStream {
        let w = self.w;
        let mut out = TokenStream::new();
        if !w.roles.is_empty() {
            let roles = w.roles.iter().map(|r| r.name.as_str());
            let by = self.outgoing.iter().map(|out| {
                let entries = out.iter().filter_map(|tid| {
                    let t = w.transition(*tid);
                    if t.by.is_empty() {
                        return None;
                    }
                    let event = t.event.as_str();
                    let roles = t.by.iter().map(|r| w.role(*r).name.as_str());
                    Some(quote!((#event, &[#(#roles),*])))
                });
                quote!(&[#(#entries),*])
            });
            out.extend(quote! {
                const ROLES: &'static [&'static ::core::primitive::str] = &[#(#roles),*];
                const BY: &'static [&'static [(&'static ::core::primitive::str, &'static [&'static ::core::primitive::str])]] = &[#(#by),*];
            });
        }
        if !w.capabilities.is_empty() {
            let capabilities = w.capabilities.iter().map(|c| c.name.as_str());
            let permits = w.states.iter().map(|s| {
                let names = s.permits.iter().map(|c| w.capability(*c).name.as_str());
                quote!(&[#(#names),*])
            });
            out.extend(quote! {
                const CAPABILITIES: &'static [&'static ::core::primitive::str] = &[#(#capabilities),*];
                const PERMITS: &'static [&'static [&'static ::core::primitive::str]] = &[#(#permits),*];
            });
        }
        out
    }
}
