//! `renames` states renames from the previous version the diff would not
//! recognise; one naming a state the previous version does not have is
//! refused at the attribute, saying what it lacks.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(
    file = "tests/versions/ticket_v5.toml",
    previous = "tests/versions/ticket_v4.toml",
    renames = "closed=shut, archived=gone"
)]
pub struct Ticket;

fn main() {}
