use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/unused_guard.toml")]
pub struct Data;

fn main() {}
