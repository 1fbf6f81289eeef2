// A capability that one state alone permits: the error is the
// capability's own, as for one permitted by several states.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/helpdesk.toml", dispatch = false)]
pub struct Helpdesk;

fn ask_again<S: turnstile::State>(_m: &helpdesk::Machine<S>)
where
    helpdesk::Machine<S>: helpdesk::can::ReopenRequest,
{
}

fn in_state(m: helpdesk::Machine<helpdesk::state::Open>) {
    ask_again(&m);
}

fn main() {}
