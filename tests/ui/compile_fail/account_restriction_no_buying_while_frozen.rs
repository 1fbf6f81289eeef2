//! A frozen account cannot buy, renew or change resources (002 §1.1.11; 004):
//! `buy_resources` is a capability of good standing alone.
use turnstile_workflows::account_restriction::{can, state, Machine};

fn buy<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::BuyResources,
{
    let _ = m;
}

fn in_state(m: Machine<state::Frozen>) {
    buy(&m);
}

fn main() {}
