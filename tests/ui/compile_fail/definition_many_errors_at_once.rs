use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/many_errors_at_once.toml")]
pub struct Data;

fn main() {}
