use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/nondeterministic.toml")]
pub struct Data;

fn main() {}
