//! Who may act, and what a state permits: the run-time side of a
//! definition's `[roles.…]`, `by`, `[capabilities.…]` and `permits`.
//!
//! In the typed API a role is a compile-time fact: the method of an event
//! whose transitions say `by = "staff"` takes an [`Acting`] of the
//! workflow's `role::Staff`, and no other role's `Acting` compiles there.
//! By name ([`Instance::fire`](crate::Instance::fire), the generated
//! `Current::fire_as`) the caller says who acts with an [`Actor`]: an
//! identity, recorded in the audit trail, and the names of the roles it
//! holds; an actor holding none of the roles a transition names is refused
//! with [`Why::Forbidden`] and nothing changes.

use std::fmt;
use std::marker::PhantomData;

use crate::{Why, Workflow};

/// A role of a generated workflow (`ticket::role::Staff`), declared in its
/// definition as `[roles.staff]`. Implemented by the generated marker types,
/// and meant for them alone.
pub trait Role: 'static {
    /// The data type of the workflow the role belongs to.
    type Workflow: Workflow;
    /// The role's name as written in the definition (`"staff"`).
    const NAME: &'static str;
}

/// Evidence that whoever acts holds the role `R`: what the typed method of a
/// role-restricted event takes (`ticket.approve(&staff)`). It is zero-sized
/// and costs nothing at run time; the compiler checks that `R` is one of the
/// roles the definition lets fire the event.
///
/// # The trust boundary
///
/// [`Acting::authenticated`] is where your application vouches for the
/// caller: call it only where you have authenticated them and know they
/// hold `R` (in the handler that checked the session or token, say, and
/// nowhere else). From there on the compiler carries the fact: a function
/// that takes `&Acting<role::Staff>` can only be called by code that got
/// one, and an event that staff may not fire does not compile with it. The
/// compiler cannot check who your caller really is; keep the constructor's
/// calls few and easy to find.
///
/// An actor who holds several roles holds an `Acting` of each, and passes
/// the one the event asks for.
pub struct Acting<R> {
    role: PhantomData<fn() -> R>,
}

impl<R: Role> Acting<R> {
    /// Vouches that the caller holds the role `R`: your application's
    /// trust boundary (see the type's docs). Call it where you have
    /// authenticated the caller, and only there.
    pub fn authenticated() -> Self {
        Acting { role: PhantomData }
    }

    /// The role's name as written in the definition.
    pub fn role(&self) -> &'static str {
        R::NAME
    }
}

impl<R> Clone for Acting<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Acting<R> {}

impl<R: Role> fmt::Debug for Acting<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Acting").field(&R::NAME).finish()
    }
}

/// Who fires an event by name: an identity, which the audit trail records,
/// and the names of the roles it holds, which decide whether a transition
/// that names roles in `by` may be fired.
///
/// ```
/// use turnstile_runtime::Actor;
///
/// let agent = Actor::new("agent-7").with_roles(&["staff"]);
/// assert!(agent.holds("staff"));
/// assert_eq!(agent.id(), Some("agent-7"));
/// // What callers passed before roles existed still works:
/// let nobody: Actor = None.into();
/// assert!(nobody.roles().is_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Actor<'a> {
    id: Option<&'a str>,
    roles: &'a [&'a str],
}

impl<'a> Actor<'a> {
    /// No identity and no role: may fire only what anyone may.
    pub const ANONYMOUS: Actor<'static> = Actor {
        id: None,
        roles: &[],
    };

    /// The actor `id` (a user, a member of staff, a service), holding no
    /// role until [`Actor::with_roles`] says which.
    pub fn new(id: &'a str) -> Self {
        Actor {
            id: Some(id),
            roles: &[],
        }
    }

    /// The same actor, holding `roles` (names as the definitions write
    /// them). As with [`Acting`], saying so is your application's trust
    /// boundary: pass the roles your authentication established.
    pub fn with_roles(self, roles: &'a [&'a str]) -> Self {
        Actor { roles, ..self }
    }

    /// The identity, if given.
    pub fn id(&self) -> Option<&'a str> {
        self.id
    }

    /// The roles held.
    pub fn roles(&self) -> &'a [&'a str] {
        self.roles
    }

    /// Whether the actor holds the role `role`.
    pub fn holds(&self, role: &str) -> bool {
        self.roles.contains(&role)
    }
}

impl<'a> From<Option<&'a str>> for Actor<'a> {
    /// An actor with this identity, or none, holding no role.
    fn from(id: Option<&'a str>) -> Self {
        Actor { id, roles: &[] }
    }
}

impl<'a> From<&'a str> for Actor<'a> {
    /// The actor `id`, holding no role.
    fn from(id: &'a str) -> Self {
        Actor::new(id)
    }
}

impl<'a> From<&Actor<'a>> for Actor<'a> {
    fn from(actor: &Actor<'a>) -> Self {
        *actor
    }
}

/// The roles that may fire `event` from the state at `state` (an index of
/// [`Workflow::STATES`]), if its transition there names any.
pub fn restricted<W: Workflow>(state: usize, event: &str) -> Option<&'static [&'static str]> {
    W::BY
        .get(state)?
        .iter()
        .find(|(e, _)| *e == event)
        .map(|(_, roles)| *roles)
}

/// Whether `actor` may fire `event` from the state at `state`: `Ok` with
/// the role it acts in (the first of the transition's roles it holds), or
/// `Ok(None)` when the transition names no role (or the state does not
/// allow the event: that refusal is the dispatch's to make); else
/// [`Why::Forbidden`].
pub fn role_for<W: Workflow>(
    state: usize,
    event: &str,
    actor: &Actor<'_>,
) -> Result<Option<&'static str>, Why> {
    let Some(allowed) = restricted::<W>(state, event) else {
        return Ok(None);
    };
    match allowed.iter().find(|r| actor.holds(r)) {
        Some(role) => Ok(Some(role)),
        None => Err(Why::Forbidden {
            workflow: W::NAME,
            event: event_name::<W>(event),
            state: W::STATES[state],
            allowed,
            actor: actor.id.map(str::to_string),
            held: actor.roles.iter().map(|r| r.to_string()).collect(),
        }),
    }
}

/// The workflow's own `&'static` name of `event` (a refusal names it
/// without owning the caller's text); `""` for a name it does not have.
pub(crate) fn event_name<W: Workflow>(event: &str) -> &'static str {
    W::EVENTS
        .iter()
        .find(|e| **e == event)
        .copied()
        .unwrap_or("")
}

/// Whether the state at `state` permits `capability`.
pub fn permits<W: Workflow>(state: usize, capability: &str) -> bool {
    permitted::<W>(state).contains(&capability)
}

/// The capabilities the state at `state` permits, in the order listed.
pub fn permitted<W: Workflow>(state: usize) -> &'static [&'static str] {
    W::PERMITS.get(state).copied().unwrap_or(&[])
}
