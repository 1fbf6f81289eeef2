// Only staff may review a submitted ticket: a customer's evidence does not compile.
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

fn in_state(m: unbinding::Machine<unbinding::state::Submitted>) {
    let customer = Acting::<unbinding::role::Customer>::authenticated();
    let _ = m.review(&customer, SystemTime::now());
}

fn main() {}
