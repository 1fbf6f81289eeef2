//! The upgrade prompt comes only after the change and both logouts (002 §1.1.14 steps 4 to 6).
use turnstile::Acting;
use turnstile_workflows::phone_change;

fn in_state(m: phone_change::Machine<phone_change::state::InCloudAccount>, by: &Acting<phone_change::role::Customer>) {
    let _ = m.log_in_to_upgrade(by);
}

fn main() {}
