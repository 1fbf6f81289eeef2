//! No `change_mobile` before the disassociation (002 §1.1.14 steps 1 to 4).
use turnstile::Acting;
use turnstile_workflows::phone_change;

fn in_state(m: phone_change::Machine<phone_change::state::TicketSubmitted>, by: &Acting<phone_change::role::Customer>) {
    let _ = m.change_mobile(by);
}

fn main() {}
