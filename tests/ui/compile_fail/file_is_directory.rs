use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows")]
pub struct Data;

fn main() {}
