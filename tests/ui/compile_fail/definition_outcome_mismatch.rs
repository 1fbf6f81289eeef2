use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/outcome_mismatch.toml")]
pub struct Data;

fn main() {}
