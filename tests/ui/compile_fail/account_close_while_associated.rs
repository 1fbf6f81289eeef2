//! An account associated with a partner cannot be closed (002 §1.4.6,
//! §3.1.9): `close` asks the partner region to be in `no_partner`.
use std::time::SystemTime;
use turnstile::Acting;
use turnstile_account::{role, state, Machine};

fn associated(
    m: Machine<(state::Active, state::Associated, state::Unrestricted, state::NotFrozen)>,
    by: &Acting<role::Customer>,
) {
    let _ = m.close(by, SystemTime::now());
}

fn main() {}
