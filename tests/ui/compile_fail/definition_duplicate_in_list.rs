use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/duplicate_in_list.toml")]
pub struct Data;

fn main() {}
