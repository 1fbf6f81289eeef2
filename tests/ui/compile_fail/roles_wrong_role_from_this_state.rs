// From `draft` only the customer may withdraw; staff may from later states.
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

fn in_state(m: unbinding::Machine<unbinding::state::Draft>) {
    let staff = Acting::<unbinding::role::Staff>::authenticated();
    let _ = m.withdraw(&staff, SystemTime::now());
}

fn main() {}
