//! A workflow with timers takes the caller's instant with every event.
use turnstile_workflows::service_closing;

fn in_state(m: service_closing::Machine<service_closing::state::Closed>) {
    let _ = m.restore();
}

fn main() {}
