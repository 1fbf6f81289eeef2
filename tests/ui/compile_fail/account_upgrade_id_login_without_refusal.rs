//! Logging in with the ID to associate is the remedy of §1.5.4 cause 1, not a first step.
use turnstile_workflows::account_upgrade;

fn in_state(m: account_upgrade::Machine<account_upgrade::state::ChoosingId>) {
    let _ = m.associate_after_id_login();
}

fn main() {}
