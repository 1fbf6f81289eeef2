//! Services are restored or disabled only from `closed` (002 §1.4.3, §1.4.5).
use std::time::SystemTime;
use turnstile::Acting;
use turnstile_workflows::service_closing;

fn in_state(m: service_closing::Machine<service_closing::state::Active>, by: &Acting<service_closing::role::Customer>) {
    let _ = m.restore(by, SystemTime::now());
}

fn main() {}
