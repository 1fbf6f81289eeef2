//! The new phone number or email address is in use only once after-sales
//! staff approved the change (002 §1.1.17): not while the ticket is open.
use turnstile_workflows::details_change::{can, state, Machine};

fn log_in_with_new_details<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::UseNewDetails,
{
    let _ = m;
}

fn in_state(m: Machine<state::UnderReview>) {
    log_in_with_new_details(&m);
}

fn main() {}
