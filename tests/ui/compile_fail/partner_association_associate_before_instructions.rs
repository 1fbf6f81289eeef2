//! No reseller association before the instructions are agreed and the customer logs in (004 steps 2 and 3).
use turnstile::Acting;
use turnstile_workflows::partner_association;

fn in_state(m: partner_association::Machine<partner_association::state::Invited>, by: &Acting<partner_association::role::Customer>) {
    let _ = m.associate(by);
}

fn main() {}
