// A role-restricted event takes evidence of a role: without it, it does not compile.
use std::time::SystemTime;

use turnstile::Workflow;

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
    let _ = m.review(SystemTime::now());
}

fn main() {}
