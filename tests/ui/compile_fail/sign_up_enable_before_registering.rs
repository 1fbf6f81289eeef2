//! Services are enabled only for a registered HUAWEI ID (003 steps 2 to 4).
use turnstile::Acting;
use turnstile_workflows::sign_up;

fn in_state(m: sign_up::Machine<sign_up::state::Visitor>, by: &Acting<sign_up::role::Customer>) {
    let _ = m.enable_services(by);
}

fn main() {}
