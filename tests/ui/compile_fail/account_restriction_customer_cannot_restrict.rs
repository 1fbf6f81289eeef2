//! Only the system restricts an account (002 §1.1.10): a customer's evidence does not compile.
use turnstile::Acting;
use turnstile_workflows::account_restriction::{role, state, Machine, RestrictionReason};

fn in_state(m: Machine<state::InGoodStanding>) {
    let customer = Acting::<role::Customer>::authenticated();
    let _ = m.restrict(&customer, RestrictionReason::InsufficientBalance);
}

fn main() {}
