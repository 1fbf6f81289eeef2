use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "../door.toml")]
pub struct Data;

fn main() {}
