//! The README's quick start: a door that opens with a key and may jam.
//!
//! Run it with `cargo run --example door`.

use turnstile::Workflow;

/// What the `door` workflow carries from state to state.
#[derive(Workflow)]
#[workflow(file = "examples/door.toml")]
pub struct Door {
    /// Whether the visitor holds the key.
    pub key: bool,
    /// Whether the door sticks when pushed.
    pub stuck: bool,
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
    let closed = door::Machine::new(Door {
        key: false,
        stuck: false,
    });
    // No key: the guard refuses, and the machine comes back unchanged.
    let rejected = closed.open().unwrap_err();
    println!("{rejected}");
    let mut closed = rejected.into_machine();

    closed.data_mut().key = true;
    match closed.open() {
        Ok(door::outcome::Open::Opened(opened)) => {
            println!("closed --open--> {}", opened.state());
            let closed = opened.close();
            println!("opened --close--> {}", closed.state());
        }
        Ok(door::outcome::Open::Jammed(jammed)) => {
            println!("closed --open--> {}", jammed.state());
            let removed = jammed.remove();
            println!("jammed --remove--> {}", removed.state());
        }
        Err(rejected) => println!("{rejected}"),
    }
}
