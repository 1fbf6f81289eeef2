//! Only the enterprise's master account submits the ticket on behalf of all
//! member accounts (002 §1.1.14 step 1).
use turnstile::Acting;
use turnstile_workflows::phone_change::{role, state, Machine};

fn in_state(m: Machine<state::ChangeRefused>, member: &Acting<role::Customer>) {
    let _ = m.submit_ticket_for_members(member);
}

fn main() {}
