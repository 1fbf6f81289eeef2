use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/missing_initial.toml")]
pub struct Data;

fn main() {}
