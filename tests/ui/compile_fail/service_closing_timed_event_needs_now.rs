//! A workflow with timers takes the caller's instant with every event.
use turnstile::Acting;
use turnstile_workflows::service_closing;

fn in_state(m: service_closing::Machine<service_closing::state::Closed>, by: &Acting<service_closing::role::Customer>) {
    let _ = m.restore(by);
}

fn main() {}
