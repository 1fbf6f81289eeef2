//! Only a reseller's frozen customer waits for a budget; a referral association has none (004).
use turnstile::Acting;
use turnstile_workflows::partner_association;

fn in_state(m: partner_association::Machine<partner_association::state::Associated>, by: &Acting<partner_association::role::Partner>) {
    let _ = m.set_budget(by);
}

fn main() {}
