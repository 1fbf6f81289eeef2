use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(fiel = "tests/ui/workflows/steps.toml")]
pub struct Data;

fn main() {}
