use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/missing_workflow_table.toml")]
pub struct Data;

fn main() {}
