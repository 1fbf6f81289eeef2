use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/property_two_claims.toml")]
pub struct Data;

fn main() {}
