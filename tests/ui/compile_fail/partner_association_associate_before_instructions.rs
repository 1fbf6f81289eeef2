//! No reseller association before the instructions are agreed and the customer logs in (004 steps 2 and 3).
use turnstile_workflows::partner_association;

fn in_state(m: partner_association::Machine<partner_association::state::Invited>) {
    let _ = m.associate();
}

fn main() {}
