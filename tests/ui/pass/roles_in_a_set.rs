// Each role of a set may fire what the set may.
use turnstile::{Acting, Workflow};

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/helpdesk.toml", dispatch = false)]
pub struct Helpdesk;

fn ask_again<S: turnstile::State>(_m: &helpdesk::Machine<S>)
where
    helpdesk::Machine<S>: helpdesk::can::ReopenRequest,
{
}

fn main() {
    let agent = Acting::<helpdesk::role::Agent>::authenticated();
    let customer = Acting::<helpdesk::role::Customer>::authenticated();
    let solved = helpdesk::Machine::new(Helpdesk).solve(&agent);
    ask_again(&solved);
    let open = solved.reopen(&customer);
    let solved = open.solve(&agent);
    let open = solved.reopen(&agent);
    let closed = open.solve(&agent).close(&agent);
    assert_eq!(closed.state(), "closed");
}
