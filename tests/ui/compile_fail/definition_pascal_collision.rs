use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/pascal_collision.toml")]
pub struct Data;

fn main() {}
