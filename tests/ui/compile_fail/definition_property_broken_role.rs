use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/property_broken_role.toml")]
pub struct Data;

fn main() {}
