use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/steps.toml", dispatch = "no")]
pub struct Article;

fn main() {}
