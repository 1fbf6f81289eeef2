//! No payment method before the mobile number is bound (003 step 5: mobile, details, then card).
use turnstile::Acting;
use turnstile_workflows::sign_up;

fn in_state(m: sign_up::Machine<sign_up::state::EmailConfirmed>, by: &Acting<sign_up::role::Customer>) {
    let _ = m.bind_card(by);
}

fn main() {}
