use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/bad/event_named_new.toml")]
pub struct Data;

fn main() {}
