use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/wrong_type.toml")]
pub struct Data;

fn main() {}
