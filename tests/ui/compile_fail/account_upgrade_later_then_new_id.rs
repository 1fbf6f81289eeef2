//! Upgrade Later postpones: the upgrade waits for the next login's prompt (002 §1.5.2).
use turnstile::Acting;
use turnstile_workflows::account_upgrade;

fn in_state(m: account_upgrade::Machine<account_upgrade::state::Postponed>, by: &Acting<account_upgrade::role::Customer>) {
    let _ = m.upgrade_to_new_id(by);
}

fn main() {}
