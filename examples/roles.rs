//! Who may act, what each state permits, and data a state freezes: a
//! ticket to disassociate a phone number from an ID
//! (`workflows/tests/fixtures/unbinding.toml`), walked step by step.
//!
//! Run it with `cargo run --example roles`.

use std::time::{Duration, SystemTime};

use turnstile::{Acting, Actor, Instance};

/// The ticket's data. Its contact number is private to this module: the
/// only way to change it is [`ticket::change_contact`], which compiles only
/// for the states that permit `change_contact`. So "the contact details
/// are fixed once the ticket is submitted" is a compile-time fact, though
/// `data_mut()` exists in every state.
mod ticket {
    use turnstile::Workflow;

    /// A disassociation ticket.
    #[derive(Workflow, Debug, Clone)]
    #[workflow(file = "workflows/tests/fixtures/unbinding.toml")]
    pub struct Unbinding {
        contact: String,
        /// Whether the ticket carries every material the review needs.
        pub materials: bool,
        /// Whether staff approve it.
        pub approve: bool,
    }

    impl Unbinding {
        /// A new ticket for the contact number `contact`.
        pub fn new(contact: &str) -> Self {
            Unbinding {
                contact: contact.to_string(),
                materials: false,
                approve: true,
            }
        }

        /// The contact number.
        pub fn contact(&self) -> &str {
            &self.contact
        }
    }

    /// Changes the contact number: only in a state that permits
    /// `change_contact`, and nowhere else (the field is private).
    pub fn change_contact<S: turnstile::State>(m: &mut unbinding::Machine<S>, contact: &str)
    where
        unbinding::Machine<S>: unbinding::can::ChangeContact,
    {
        m.data_mut().contact = contact.to_string();
    }

    impl unbinding::Guards for Unbinding {
        fn materials_complete(&self) -> bool {
            self.materials
        }
    }

    impl unbinding::Outcomes for Unbinding {
        fn review(&self) -> unbinding::choice::Review {
            if self.approve {
                unbinding::choice::Review::Approved
            } else {
                unbinding::choice::Review::Rejected
            }
        }
    }
}

use ticket::unbinding::{self, role, state, Machine};
use ticket::Unbinding;

fn main() {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    // Where the application has authenticated each caller (its trust
    // boundary), it vouches for their role.
    let customer = Acting::<role::Customer>::authenticated();
    let staff = Acting::<role::Staff>::authenticated();

    let mut draft = Machine::new(Unbinding::new("+86 138 0000 0000"), t0);
    println!(
        "draft; it permits {:?}",
        <Unbinding as turnstile::Workflow>::PERMITS[0]
    );
    ticket::change_contact(&mut draft, "+86 139 0000 0000");
    println!("contact changed in draft: {}", draft.data().contact());

    // The guard refuses without the materials; the machine comes back.
    let refused = draft.submit(&customer, t0).unwrap_err();
    println!("{refused}");
    let mut draft = refused.into_machine();
    draft.data_mut().materials = true;
    let submitted: Machine<state::Submitted> = draft.submit(&customer, t0).unwrap();
    println!("submit by customer: draft → {}", submitted.state());
    // `ticket::change_contact(&mut submitted, …)` would not compile here:
    // `submitted` does not permit `change_contact`
    // (tests/ui/compile_fail/frozen_field_after_submit.rs).

    let approved = match submitted.review(&staff, t0).unwrap() {
        unbinding::outcome::Review::Approved(m) => m,
        unbinding::outcome::Review::Rejected(_) => unreachable!("staff approve"),
    };
    println!("review by staff: submitted → {}", approved.state());
    let early = approved
        .disassociate(&staff, t0 + Duration::from_secs(3600))
        .unwrap_err();
    println!("{early}");
    let done = early
        .into_machine()
        .disassociate(&staff, t0 + Duration::from_secs(24 * 3600))
        .unwrap();
    println!("disassociate by staff: approved → {}", done.state());

    // By name, as a service would: who acts is an `Actor`.
    let instance = Instance::start(Unbinding::new("+86 138 0000 0000"), t0);
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    let refused = instance.fire("submit", agent, t0).unwrap_err();
    println!("{refused}");
    let mut instance = refused.into_inner();
    instance.data_mut().materials = true;
    let member = Actor::new("member-1").with_roles(&["master"]);
    let instance = instance.fire("submit", member, t0).unwrap();
    let instance = instance.fire("review", agent, t0).unwrap();
    println!(
        "now {}; it permits {:?}; view_bills: {}",
        instance.state(),
        instance.permitted(),
        instance.permits("view_bills")
    );
    for step in instance.trail() {
        println!(
            "  {} → {} by {} as {}",
            step.from,
            step.to,
            step.actor.as_deref().unwrap_or("?"),
            step.role.as_deref().unwrap_or("anyone")
        );
    }
}
