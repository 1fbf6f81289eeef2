use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/no_such.toml")]
pub struct Data;

fn main() {}
