//! Real-name authentication comes after the payment method (002 §3.1, steps 7 and 8).
use turnstile::Acting;
use turnstile_workflows::sign_up;

fn in_state(m: sign_up::Machine<sign_up::state::AccountDetailsSet>, by: &Acting<sign_up::role::Customer>) {
    let _ = m.authenticate_real_name(by);
}

fn main() {}
