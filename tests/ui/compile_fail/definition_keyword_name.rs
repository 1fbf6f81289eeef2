use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/keyword_name.toml")]
pub struct Data;

fn main() {}
