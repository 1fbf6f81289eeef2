//! `previous` reads the instances an earlier version stored as this
//! version's; a change that needs a mapping (here a renamed state, which
//! stored instances name) is refused at the attribute, listing each such
//! change at its lines, as `turnstile diff` words it.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(
    file = "tests/versions/ticket_v3.toml",
    previous = "tests/versions/ticket_v2.toml"
)]
pub struct Ticket;

fn main() {}
