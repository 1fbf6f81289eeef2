// Data a state freezes: the contact number is private to its module, and
// its one setter compiles only in the states that permit `change_contact`.
// Once the ticket is submitted, neither the setter nor the field compiles.
mod ticket {
    use turnstile::Workflow;

    #[derive(Workflow)]
    #[workflow(file = "workflows/tests/fixtures/unbinding.toml", dispatch = false)]
    pub struct Unbinding {
        contact: String,
    }

    pub fn change_contact<S: turnstile::State>(m: &mut unbinding::Machine<S>, contact: &str)
    where
        unbinding::Machine<S>: unbinding::can::ChangeContact,
    {
        m.data_mut().contact = contact.to_string();
    }

    impl unbinding::Guards for Unbinding {
        fn materials_complete(&self) -> bool {
            true
        }
    }

    impl unbinding::Outcomes for Unbinding {
        fn review(&self) -> unbinding::choice::Review {
            unbinding::choice::Review::Approved
        }
    }
}

use ticket::unbinding::{state, Machine};

fn after_submit(mut m: Machine<state::Submitted>) {
    ticket::change_contact(&mut m, "+86 139 0000 0000");
    m.data_mut().contact = String::new();
}

fn main() {}
