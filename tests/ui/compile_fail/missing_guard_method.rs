use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/door.toml")]
pub struct Door {
    key: bool,
}

impl door::Guards for Door {}

impl door::Outcomes for Door {
    fn open(&self) -> door::choice::Open {
        door::choice::Open::Opened
    }
}

fn main() {
    let _ = Door { key: true }.key;
}
