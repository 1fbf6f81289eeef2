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

impl door::Outcomes for Door {
    fn open(&self) -> door::choice::Open {
        door::choice::Open::Opened
    }
}

fn main() {
    let closed = door::Machine::new(Door { key: false });
    if let Err(rejected) = closed.open() {
        let _m: door::Machine<door::state::Opened> = rejected.into_machine();
    }
}
