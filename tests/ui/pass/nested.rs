//! Nested states: an event written `from` a compound is a method on every
//! state inside it, the innermost declaration wins, a transition into a
//! compound enters its initial leaf (at any depth), a compound's
//! capability holds in every state inside it, and code can be generic
//! over "any state within" a compound.
use turnstile::Workflow;

#[derive(Workflow, Debug, Default)]
#[workflow(file = "tests/ui/workflows/nested.toml")]
pub struct Account;

use limits::{can, state, Machine};

/// Any state within `limited` can log in, and be lifted.
fn lift_any<S>(m: Machine<S>) -> Machine<state::Good>
where
    S: state::In<state::Limited>,
    Machine<S>: can::LogIn,
    S: limits::event::Lift<Machine<state::Good>>,
{
    m.lift()
}

fn main() {
    let good = Machine::new(Account);
    // Into the compound: its initial leaf.
    let restricted: Machine<state::Restricted> = good.restrict();
    // Into a compound inside a compound: followed down to a leaf.
    let frozen: Machine<state::FrozenPlain> = restricted.freeze();
    let review: Machine<state::FrozenReview> = frozen.appeal();
    // `lift` from `frozen_review` is its own (innermost wins).
    let restricted: Machine<state::Restricted> = review.lift();
    let good = lift_any(restricted);
    let frozen = good.freeze();
    // The compound's exit, written once, from a leaf two levels down.
    let closed = frozen.close();
    assert_eq!(closed.state(), "closed");
}
