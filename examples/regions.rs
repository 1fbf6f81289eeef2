//! An account as three parallel regions (its services, its partner and
//! its restriction), walked typed and by name: closing and restoring,
//! becoming a reseller customer, a freeze over budget that moves two
//! regions at once, the budget set, and the condition that keeps an
//! associated account from closing, refused in the compile error's words.
//! The definition is `tests/ui/workflows/regions.toml`; docs/regions.md
//! explains each rule.
//!
//! Run it with `cargo run --example regions`.

use std::time::{Duration, SystemTime};

use turnstile::{Acting, Actor, Workflow};

/// What the account carries from configuration to configuration.
#[derive(Workflow, Debug, Default)]
#[workflow(file = "tests/ui/workflows/regions.toml")]
pub struct Account {
    /// Orders waiting for payment: closing waits for none.
    pub pending_orders: u32,
    /// The reasons the customer gave in appeals.
    pub appeals: Vec<String>,
}

/// What an appeal brings: why the restriction should be lifted.
#[derive(Debug)]
pub struct Appeal(pub String);

impl turnstile::Payload for Appeal {
    fn decode(text: &str) -> Result<Self, String> {
        Ok(Appeal(text.to_string()))
    }
    fn encode(&self) -> String {
        self.0.clone()
    }
}

impl account::Guards for Account {
    fn no_pending_orders(&self) -> bool {
        self.pending_orders == 0
    }
    fn appeal_has_reason(&self, payload: &Appeal) -> bool {
        !payload.0.is_empty()
    }
}

impl account::Payloads for Account {
    fn appeal(&mut self, payload: Appeal) {
        self.appeals.push(payload.0);
    }
}

impl account::Outcomes for Account {
    fn review(&self) -> account::choice::Review {
        account::choice::Review::InGoodStanding
    }
}

fn main() {
    let hour = Duration::from_secs(3600);
    let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800);
    let customer = Acting::<account::role::Customer>::authenticated();
    let partner = Acting::<account::role::Partner>::authenticated();

    // Typed: every region's state is in the type.
    let m = account::Machine::new(Account::default(), t0);
    println!("start:    {:?}", m.states());
    let m = m.close(&customer, t0 + hour).expect("no order is pending");
    println!("closed:   {:?}", m.states());
    let m = m
        .restore(t0 + hour * 26)
        .expect("a day after closing, restoring is allowed");
    println!("restored: {:?}", m.states());
    let m = m.become_reseller_customer(&partner, t0 + hour * 27);
    println!("reseller: {:?}", m.states());
    // A joint move: the partner region freezes and the restriction region
    // restricts in one step (`m.close(..)` here would not compile: the
    // partner region is not `no_partner`).
    let m = m
        .over_budget(t0 + hour * 28)
        .expect("the 30 days have not run");
    println!(
        "frozen:   {:?} (permits use_services: {})",
        m.states(),
        m.permits("use_services")
    );
    let m = m.budget_set(t0 + hour * 29);
    println!("budget:   {:?}", m.states());

    // By name: the same machine as values, refusing in the same words.
    let named = account::Current::from(m);
    let refused = named
        .fire_as(
            "close",
            &Actor::new("c-1").with_roles(&["customer"]),
            t0 + hour * 30,
        )
        .expect_err("an associated account is not closed");
    println!("refused:  {}", refused.why());
    let named = refused.into_inner();
    // A typed machine keeps no trail; by name, each step records the
    // regions it moved.
    let named = named
        .fire("over_budget", t0 + hour * 31)
        .expect("associated and in good standing");
    for step in named.trail() {
        let moved: Vec<String> = step
            .moved
            .iter()
            .map(|m| format!("{}: {} -> {}", m.region, m.from, m.to))
            .collect();
        println!("trail:    `{}` moved {}", step.event, moved.join("; "));
    }
    println!("next timer: {:?}", named.next_due());
}
