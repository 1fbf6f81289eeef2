use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/toml_syntax.toml")]
pub struct Data;

fn main() {}
