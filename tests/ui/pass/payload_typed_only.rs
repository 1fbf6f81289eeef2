// A typed machine alone (`dispatch = false`): its payload types need no
// `turnstile::Payload`.
use turnstile::Workflow;

pub struct Note(pub String);

#[derive(Workflow)]
#[workflow(file = "tests/ui/workflows/noted.toml", dispatch = false)]
pub struct Noted {
    note: Option<String>,
}

impl noted::Payloads for Noted {
    fn close(&mut self, note: Note) {
        self.note = Some(note.0);
    }
}

fn main() {
    let closed = noted::Machine::new(Noted { note: None }).close(Note("done".into()));
    assert_eq!(closed.data().note.as_deref(), Some("done"));
}
