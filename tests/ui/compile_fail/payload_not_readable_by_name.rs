// With dispatch by name (the default), an event's payload also arrives as
// text, so its type implements `turnstile::Payload`: serde's traits with
// turnstile's `serde` feature, or by hand. `dispatch = false` needs neither.
use turnstile::Workflow;

pub struct Note(pub String);

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/noted.toml")]
pub struct Noted;

impl noted::Payloads for Noted {
    fn close(&mut self, _note: Note) {}
}

fn main() {
    let _ = noted::Machine::new(Noted).close(Note("done".into()));
}
