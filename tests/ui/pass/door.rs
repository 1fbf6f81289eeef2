use turnstile::Workflow;

#[derive(Workflow, Debug)]
#[workflow(file = "tests/ui/workflows/door.toml")]
pub struct Door {
    key: bool,
    stuck: bool,
}

impl door::Guards for Door {
    fn has_key(&self) -> bool {
        self.key
    }
}

impl door::Outcomes for Door {
    fn open(&self) -> door::choice::Open {
        if self.stuck {
            door::choice::Open::Jammed
        } else {
            door::choice::Open::Opened
        }
    }
}

fn main() {
    let closed = door::Machine::new(Door { key: false, stuck: false });
    let closed = closed.open().unwrap_err().into_machine();
    let mut closed = closed;
    closed.data_mut().key = true;
    match closed.open().unwrap() {
        door::outcome::Open::Opened(opened) => {
            let closed = opened.close();
            let removed = closed.remove();
            assert_eq!(removed.state(), "removed");
        }
        door::outcome::Open::Jammed(jammed) => {
            let _ = jammed.remove();
        }
    }
}
