//! An existing ID is associated only after Upgrade Now (002 §1.1.14 step 6, §1.5.5).
use turnstile::Acting;
use turnstile_workflows::account_upgrade;

fn in_state(m: account_upgrade::Machine<account_upgrade::state::Prompted>, by: &Acting<account_upgrade::role::Customer>) {
    let _ = m.associate_existing_id(by);
}

fn main() {}
