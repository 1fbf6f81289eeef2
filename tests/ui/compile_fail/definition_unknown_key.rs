use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/unknown_key.toml")]
pub struct Data;

fn main() {}
