// A capability is a fact of the states that permit it: the contact details
// cannot be changed once the ticket is submitted.
use std::time::SystemTime;

use turnstile::{Acting, Workflow};

#[derive(Workflow)]
#[workflow(file = "workflows/tests/fixtures/unbinding.toml", dispatch = false)]
pub struct Unbinding;

impl unbinding::Guards for Unbinding {
    fn materials_complete(&self) -> bool {
        true
    }
}

impl unbinding::Outcomes for Unbinding {
    fn review(&self) -> unbinding::choice::Review {
        unbinding::choice::Review::Approved
    }
}

fn change_contact<S: turnstile::State>(m: &mut unbinding::Machine<S>)
where
    unbinding::Machine<S>: unbinding::can::ChangeContact,
{
    let _ = (m, SystemTime::now(), Acting::<unbinding::role::Staff>::authenticated());
}

fn in_state(mut m: unbinding::Machine<unbinding::state::Submitted>) {
    change_contact(&mut m);
}

fn main() {}
