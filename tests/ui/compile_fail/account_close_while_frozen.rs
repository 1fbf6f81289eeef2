//! A frozen account is not closed: its freeze is lifted first (our reading
//! of 002 §1.4.6, in account.toml): `close` asks the freeze region to be in
//! `not_frozen`.
use std::time::SystemTime;
use turnstile::Acting;
use turnstile_account::{role, state, Machine};

fn frozen(
    m: Machine<(state::Active, state::NoPartner, state::Unrestricted, state::Frozen)>,
    by: &Acting<role::Customer>,
) {
    let _ = m.close(by, SystemTime::now());
}

fn main() {}
