//! Roles and capabilities, checked by the compiler: the right role's
//! evidence compiles on guarded, branching, timed and several-source
//! events; an actor who holds two roles passes the one each event asks
//! for; a function bounded by a capability takes the machines of the
//! states that permit it. By name, a role the actor lacks is refused and
//! nothing changes.
use std::time::{Duration, SystemTime};

use turnstile::{Acting, Actor, Why, Workflow};

#[derive(Workflow, Debug, Clone)]
#[workflow(file = "workflows/tests/fixtures/unbinding.toml")]
pub struct Unbinding {
    materials: bool,
    approve: bool,
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

use unbinding::{can, role, state, Machine};

/// Shown to whoever may view the bills: compiles only for those states.
fn bills<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::ViewBills,
{
    m.state()
}

/// A member of staff who is also a customer holds an `Acting` of each.
struct StaffCustomer {
    staff: Acting<role::Staff>,
    customer: Acting<role::Customer>,
}

fn main() {
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let customer = Acting::<role::Customer>::authenticated();
    let master = Acting::<role::Master>::authenticated();
    let staff = Acting::<role::Staff>::authenticated();
    assert_eq!(staff.role(), "staff");
    assert_eq!(std::mem::size_of::<Acting<role::Staff>>(), 0);

    // Guarded, by a set of two roles: the master account acts for a member.
    let draft = Machine::new(Unbinding { materials: false, approve: true }, t0);
    assert_eq!(bills(&draft), "draft");
    let draft = draft.submit(&master, t0).unwrap_err().into_machine();
    let mut draft = draft;
    draft.data_mut().materials = true;
    let submitted: Machine<state::Submitted> = draft.submit(&customer, t0).unwrap();

    // Branching, by staff.
    let approved = match submitted.review(&staff, t0).unwrap() {
        unbinding::outcome::Review::Approved(m) => m,
        unbinding::outcome::Review::Rejected(_) => unreachable!("the data approves"),
    };
    assert_eq!(bills(&approved), "approved");

    // Timed (`not_before = "24h"`), by staff: refused early, hands the machine back.
    let approved = approved
        .disassociate(&staff, t0 + Duration::from_secs(3600))
        .unwrap_err()
        .into_machine();
    let done = approved
        .disassociate(&staff, t0 + Duration::from_secs(24 * 3600))
        .unwrap();
    assert_eq!(bills(&done), "disassociated");

    // Several sources, each with its own roles; one actor, two roles.
    let both = StaffCustomer {
        staff: Acting::authenticated(),
        customer: Acting::authenticated(),
    };
    let draft = Machine::new(Unbinding { materials: true, approve: false }, t0);
    let _withdrawn: Machine<state::Withdrawn> = draft.withdraw(&both.customer, t0);
    let draft = Machine::new(Unbinding { materials: true, approve: false }, t0);
    let submitted = draft.submit(&both.customer, t0).unwrap();
    let _withdrawn: Machine<state::Withdrawn> = submitted.withdraw(&both.staff, t0).unwrap();

    // By name: the actor's roles decide, and a refusal changes nothing.
    let current = unbinding::Current::from(Machine::new(
        Unbinding { materials: true, approve: true },
        t0,
    ));
    assert!(current.permits("change_contact"));
    assert_eq!(current.permitted(), ["log_in", "view_bills", "change_contact"]);
    let current = current.fire("submit", t0).unwrap_err();
    assert!(matches!(current.why(), Why::Forbidden { allowed: ["customer", "master"], .. }));
    let current = current.into_inner();
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    let refused = current.fire_as("submit", &agent, t0).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "unbinding: event `submit` refused in state `draft`: it may be fired by `customer`, \
         `master` only; the actor `agent-7` holds `staff`"
    );
    let current = refused.into_inner();
    assert_eq!(current.state(), "draft");
    let member = Actor::new("member-1").with_roles(&["customer"]);
    let current = current.fire_as("submit", &member, t0).unwrap();
    assert_eq!(current.state(), "submitted");
    assert!(!current.permits("change_contact"));
}
