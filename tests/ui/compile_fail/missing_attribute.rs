use turnstile::Workflow;

#[derive(Workflow)]
pub struct Data;

fn main() {}
