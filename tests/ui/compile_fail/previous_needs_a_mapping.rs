//! `previous` reads the instances an earlier version stored and moves
//! them to this one. Where a state needs a decision (here `withdrawn`,
//! removed, and `open`, which lost `withdraw`), the derive asks for it as
//! the methods of `previous::Migrate`: a build that does not implement it
//! is refused, naming the states.
use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(
    file = "tests/versions/ticket_v4.toml",
    previous = "tests/versions/ticket_v3.toml"
)]
pub struct Ticket;

fn main() {}
