use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/transition_from_final.toml")]
pub struct Data;

fn main() {}
