//! The partner sets the budget that unfreezes a reseller's customer; the
//! customer cannot (004; 002 §1.1.11).
use turnstile::Acting;
use turnstile_workflows::partner_association::{role, state, Machine};

fn in_state(m: Machine<state::FrozenUntilBudget>, customer: &Acting<role::Customer>) {
    let _ = m.set_budget(customer);
}

fn main() {}
