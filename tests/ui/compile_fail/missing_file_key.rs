use turnstile::Workflow;

#[derive(Workflow)]
#[workflow()]
pub struct Data;

fn main() {}
