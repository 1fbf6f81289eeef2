//! An existing account is associated only after Login for Association (004 step 3).
use turnstile::Acting;
use turnstile_workflows::partner_association;

fn in_state(m: partner_association::Machine<partner_association::state::ChoosingEntry>, by: &Acting<partner_association::role::Customer>) {
    let _ = m.associate(by);
}

fn main() {}
