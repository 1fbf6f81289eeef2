//! Only a reseller customer's partner freezes it (004): `partner_freeze`
//! moves the partner region, from `budget_active` alone.
use std::time::SystemTime;
use turnstile::Acting;
use turnstile_account::{role, state, Machine};

fn no_partner(
    m: Machine<(state::Active, state::NoPartner, state::Unrestricted, state::NotFrozen)>,
    by: &Acting<role::Partner>,
) {
    let _ = m.partner_freeze(by, SystemTime::now());
}

fn main() {}
