// The customer may reopen a solved ticket (with an agent), but not close
// it: the error says who may close, and nothing about the set the
// customer belongs to elsewhere.
use turnstile::{Acting, Workflow};

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/helpdesk.toml", dispatch = false)]
pub struct Helpdesk;

fn in_state(m: helpdesk::Machine<helpdesk::state::Solved>) {
    let customer = Acting::<helpdesk::role::Customer>::authenticated();
    let _ = m.close(&customer);
}

fn main() {}
