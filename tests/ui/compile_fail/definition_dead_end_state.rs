use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/dead_end_state.toml")]
pub struct Data;

fn main() {}
