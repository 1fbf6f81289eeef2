//! Logging in with the ID to associate is the remedy of §1.5.4 cause 1, not a first step.
use turnstile::Acting;
use turnstile_workflows::account_upgrade;

fn in_state(m: account_upgrade::Machine<account_upgrade::state::ChoosingId>, by: &Acting<account_upgrade::role::Customer>) {
    let _ = m.associate_after_id_login(by);
}

fn main() {}
