//! Services are enabled only for a registered HUAWEI ID (003 steps 2 to 4).
use turnstile_workflows::sign_up;

fn in_state(m: sign_up::Machine<sign_up::state::Visitor>) {
    let _ = m.enable_services();
}

fn main() {}
