use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml", module = "std")]
pub struct Article;

fn main() {}
