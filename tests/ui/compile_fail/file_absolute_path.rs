use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "/etc/door.toml")]
pub struct Data;

fn main() {}
