//! Huawei Cloud staff review the disassociation ticket; the customer who
//! submitted it cannot approve it (002 §1.1.14 steps 1–2).
use turnstile::Acting;
use turnstile_workflows::phone_change::{role, state, Machine};

fn in_state(m: Machine<state::TicketSubmitted>, customer: &Acting<role::Customer>) {
    let _ = m.review_ticket(customer);
}

fn main() {}
