use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/undeclared_state.toml")]
pub struct Data;

fn main() {}
