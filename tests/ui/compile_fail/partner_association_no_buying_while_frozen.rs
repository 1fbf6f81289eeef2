//! Associated with a reseller, the account is frozen and cannot buy, renew or
//! change resources until the partner sets a budget (004).
use turnstile_workflows::partner_association::{can, state, Machine};

fn buy<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::BuyResources,
{
    let _ = m;
}

fn in_state(m: Machine<state::FrozenUntilBudget>) {
    buy(&m);
}

fn main() {}
