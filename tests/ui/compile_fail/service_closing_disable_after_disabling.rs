//! A disabled account cannot be disabled again, nor restored (002 §1.4.5).
use std::time::SystemTime;
use turnstile::Acting;
use turnstile_workflows::service_closing;

fn in_state(m: service_closing::Machine<service_closing::state::Disabled>, by: &Acting<service_closing::role::Customer>) {
    let _ = m.disable(by, SystemTime::now());
}

fn main() {}
