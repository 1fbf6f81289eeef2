use turnstile::Workflow;

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/door.toml")]
pub struct Door {
    key: bool,
}

impl door::Guards for Door {
    fn has_key(&self) -> bool {
        self.key
    }
}

fn main() {}
