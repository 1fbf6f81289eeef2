//! Real-name authentication comes after the payment method (002 §3.1, steps 7 and 8).
use turnstile_workflows::sign_up;

fn in_state(m: sign_up::Machine<sign_up::state::AccountDetailsSet>) {
    let _ = m.authenticate_real_name();
}

fn main() {}
