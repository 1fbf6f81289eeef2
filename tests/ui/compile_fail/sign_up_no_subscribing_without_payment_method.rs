//! Without a payment method an account can view services but not subscribe
//! to or enable them (002 §3.1.1).
use turnstile_workflows::sign_up::{can, state, Machine};

fn subscribe<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::SubscribeServices,
{
    let _ = m;
}

fn in_state(m: Machine<state::NoPaymentMethod>) {
    subscribe(&m);
}

fn main() {}
