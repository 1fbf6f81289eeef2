//! Parallel regions (docs/regions.md): a configuration is one state per
//! region; an event of one region is a method generic over the others'
//! states; `when` is a bound on another region's state; an event written
//! in two regions moves both at once or neither; each region's timers
//! count from when that region entered its state. Typed and by name.

use std::time::{Duration, SystemTime};

use turnstile::{Refusal, Why, Workflow};

/// The data of the three-region account (`tests/ui/workflows/regions.toml`).
#[derive(Workflow, Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[workflow(file = "tests/ui/workflows/regions.toml")]
pub struct Account {
    pending_orders: u32,
    appeals: Vec<String>,
}

impl account::Guards for Account {
    fn no_pending_orders(&self) -> bool {
        self.pending_orders == 0
    }
    fn appeal_has_reason(&self, payload: &Appeal) -> bool {
        !payload.0.is_empty()
    }
}

/// What the customer's appeal brings: why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Appeal(String);

impl account::Outcomes for Account {
    fn review(&self) -> account::choice::Review {
        if self.pending_orders == 0 {
            account::choice::Review::InGoodStanding
        } else {
            account::choice::Review::Restricted
        }
    }
}

impl account::Payloads for Account {
    fn appeal(&mut self, payload: Appeal) {
        self.appeals.push(payload.0);
    }
}

use account::{role, state, Current, Machine};
use turnstile::{Acting, Actor};

fn customer() -> Acting<role::Customer> {
    Acting::authenticated()
}

fn staff() -> Acting<role::Staff> {
    Acting::authenticated()
}

fn partner() -> Acting<role::Partner> {
    Acting::authenticated()
}

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

fn at(hours: u32) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800) + HOUR * hours
}

#[test]
fn an_event_of_one_region_leaves_the_others_where_they_are() {
    let m = Machine::new(Account::default(), at(0));
    assert_eq!(m.states(), ["active", "no_partner", "in_good_standing"]);
    // `close` needs the partner region in `no_partner` and the restriction
    // region in `in_good_standing`: both hold, so it compiles and runs.
    let closed: Machine<(state::Closed, state::NoPartner, state::InGoodStanding)> =
        m.close(&customer(), at(1)).expect("no order is pending");
    assert_eq!(
        closed.states(),
        ["closed", "no_partner", "in_good_standing"]
    );
    // Only the services region was entered anew.
    assert_eq!(closed.entered_at(), [at(1), at(0), at(0)]);
}

#[test]
fn a_guard_refusal_hands_back_every_region_unchanged() {
    let m = Machine::new(
        Account {
            pending_orders: 2,
            ..Account::default()
        },
        at(0),
    );
    let refused = m
        .close(&customer(), at(1))
        .expect_err("an order is pending");
    assert_eq!(
        refused.refusal(),
        &Refusal::Guard {
            workflow: "account",
            event: "close",
            state: "active",
            guard: "no_pending_orders",
            reason: "no order is pending payment",
        }
    );
    let back = refused.into_machine();
    assert_eq!(back.states(), ["active", "no_partner", "in_good_standing"]);
    assert_eq!(back.data().pending_orders, 2);
}

#[test]
fn a_joint_move_moves_both_regions_in_one_step() {
    let m = Machine::new(Account::default(), at(0));
    let m = m.become_reseller_customer(&partner(), at(1));
    let m: Machine<(state::Active, state::FrozenUntilBudget, state::Restricted)> = m
        .over_budget(at(2))
        .expect("the restriction's timer is not due");
    assert_eq!(m.entered_at(), [at(0), at(2), at(2)]);
    let m = m.budget_set(at(3));
    assert_eq!(m.states(), ["active", "associated", "in_good_standing"]);
}

#[test]
fn by_name_refuses_a_condition_with_the_compile_errors_words() {
    let c = Current::start(Account::default(), at(0));
    let c = c
        .fire_as(
            "become_reseller_customer",
            &Actor::new("p-1").with_roles(&["partner"]),
            at(1),
        )
        .expect("active, no partner");
    let refused = c
        .fire("close", at(2))
        .expect_err("the partner region is associated");
    let Why::Condition {
        region,
        needs,
        state,
        ..
    } = refused.why()
    else {
        panic!("{:?}", refused.why())
    };
    assert_eq!(
        (*region, *needs, *state),
        ("partner", &["no_partner"][..], "associated")
    );
    assert_eq!(
        refused.why().to_string(),
        "account: event `close` needs region `partner` to be in `no_partner`; it is in `associated`"
    );
    assert_eq!(refused.why().code(), "condition_unmet");
    // Nothing moved.
    let c = refused.into_inner();
    assert_eq!(c.states(), ["active", "associated", "in_good_standing"]);
    assert_eq!(c.entered_at(), [at(0), at(1), at(0)]);
}

#[test]
fn a_joint_move_by_name_is_atomic() {
    // The restriction region alone cannot take `over_budget` while the
    // partner region has no partner: neither moves.
    let c = Current::start(Account::default(), at(0));
    let refused = c
        .fire("over_budget", at(1))
        .expect_err("no partner to freeze");
    assert!(matches!(
        refused.why(),
        Why::NotAllowed {
            state: "no_partner",
            ..
        }
    ));
    let c = refused.into_inner();
    assert_eq!(c.states(), ["active", "no_partner", "in_good_standing"]);
    assert_eq!(Current::moves("over_budget"), ["partner", "restriction"]);
    assert_eq!(Current::moves("close"), ["services"]);
}

#[test]
fn by_name_and_typed_agree_on_every_step_of_a_run() {
    let typed = Machine::new(Account::default(), at(0));
    let named = Current::start(Account::default(), at(0));
    let typed = typed.become_reseller_customer(&partner(), at(1));
    let named = named
        .fire_as(
            "become_reseller_customer",
            &Actor::new("p-1").with_roles(&["partner"]),
            at(1),
        )
        .unwrap();
    assert_eq!(typed.states(), named.states());
    let typed = typed.over_budget(at(2)).unwrap();
    let named = named.fire("over_budget", at(2)).unwrap();
    assert_eq!(typed.states(), named.states());
    assert_eq!(typed.entered_at(), named.entered_at());
    assert_eq!(
        named.allowed(),
        ["budget_set", "appeal", "review"],
        "closing needs no partner; paying needs the partner region unfrozen"
    );
    let typed: Machine<(state::Active, state::Associated, state::InGoodStanding)> =
        typed.budget_set(at(3));
    let named = named.fire("budget_set", at(3)).unwrap();
    assert_eq!(typed.states(), named.states());
    let back: Current = typed.into();
    assert_eq!(back.states(), named.states());
    assert!(named
        .into_machine::<(state::Active, state::Associated, state::InGoodStanding)>()
        .is_ok());
}

#[test]
fn timers_of_two_regions_run_independently() {
    // Restriction: 30 days after entering good standing, by itself.
    // Services: closed for 15 days, then disabled by itself.
    let c = Current::start(Account::default(), at(0));
    assert_eq!(c.next_due(), Some(("restrict", at(0) + DAY * 30)));
    let c = c
        .fire_as(
            "close",
            &Actor::new("c-1").with_roles(&["customer"]),
            at(24 * 20),
        )
        .unwrap();
    // The services region entered `closed` on day 20: its retention ends on
    // day 35; the restriction region's clock still counts from day 0.
    assert_eq!(c.next_due(), Some(("restrict", at(0) + DAY * 30)));
    let (c, fired) = c.fire_due(at(24 * 40)).unwrap();
    assert_eq!(fired, "restrict");
    assert_eq!(c.states(), ["closed", "no_partner", "restricted"]);
    assert_eq!(
        c.entered_at()[2],
        at(0) + DAY * 30,
        "fired as of when it fell due"
    );
    assert_eq!(
        c.next_due(),
        Some(("retention_ends", at(24 * 20) + DAY * 15))
    );
    let (c, fired) = c.fire_due(at(24 * 40)).unwrap();
    assert_eq!(fired, "retention_ends");
    assert_eq!(c.states(), ["disabled", "no_partner", "restricted"]);
    let refused = c.fire_due(at(24 * 40)).expect_err("nothing else is due");
    assert!(matches!(refused.why(), Why::NothingDue { .. }));
}

#[test]
fn a_not_before_timer_counts_from_its_own_regions_entry() {
    let m = Machine::new(Account::default(), at(0));
    let closed = m.close(&customer(), at(100)).unwrap();
    let early = closed.restore(at(110)).expect_err("a day has not passed");
    assert!(matches!(
        early.refusal(),
        Refusal::NotYet {
            state: "closed",
            ..
        }
    ));
    let closed = early.into_machine();
    let active = closed.restore(at(124)).expect("a day after closing");
    assert_eq!(active.states()[0], "active");
}

#[test]
fn capabilities_hold_where_no_region_that_names_them_forbids_them() {
    let c = Current::start(Account::default(), at(0));
    assert!(c.permits("buy") && c.permits("use_services"));
    let c = c
        .fire_as(
            "become_reseller_customer",
            &Actor::new("p-1").with_roles(&["partner"]),
            at(1),
        )
        .unwrap();
    // An associated account runs its services, but buys through its
    // partner: the partner region names `buy` elsewhere, so it forbids it
    // here, whatever the other regions permit.
    assert!(!c.permits("buy"));
    assert!(c.permits("use_services"));
    let c = c.fire("over_budget", at(2)).unwrap();
    assert!(
        !c.permits("use_services"),
        "frozen and restricted: nothing runs"
    );
    let c = c.fire("budget_set", at(3)).unwrap();
    assert!(c.permits("use_services"));
    let c = c
        .fire_as("close", &Actor::new("c-1").with_roles(&["customer"]), at(4))
        .expect_err("associated")
        .into_inner();
    assert_eq!(c.states(), ["active", "associated", "in_good_standing"]);
    assert!(!c.permits("fly"));
}

#[test]
fn resume_takes_a_state_per_region_and_refuses_the_rest() {
    let c = Current::resume(
        &["closed", "associated", "restricted"],
        Account::default(),
        &[at(1), at(2), at(3)],
    )
    .expect("a state of each region");
    assert_eq!(c.entered_at(), [at(1), at(2), at(3)]);
    assert!(Current::resume(
        &["associated", "closed", "restricted"],
        Account::default(),
        &[at(1), at(2), at(3)]
    )
    .is_err());
    assert!(Current::resume(&["closed"], Account::default(), &[at(1)]).is_err());
    assert_eq!(account::REGIONS, ["services", "partner", "restriction"]);
    assert_eq!(<Account as Workflow>::NAME, "account");
}

#[test]
fn a_snapshot_round_trips_every_regions_state_clock_and_the_data() {
    let c = Current::start(
        Account {
            pending_orders: 3,
            appeals: Vec::new(),
        },
        at(0),
    );
    let c = c
        .fire_as(
            "become_reseller_customer",
            &Actor::new("p-1").with_roles(&["partner"]),
            at(5),
        )
        .unwrap();
    let c = c.fire("over_budget", at(7)).unwrap();
    let json = serde_json::to_string(&c.snapshot()).unwrap();
    assert!(
        json.starts_with(
            r#"{"format":"turnstile-regions/1","workflow":"account","fingerprint":"sha256:"#
        ),
        "{json}"
    );
    assert!(
        json.contains(
            r#"{"region":"partner","state":"frozen_until_budget","entered_at":"2026-11-24T"#
        ),
        "{json}"
    );
    let back: turnstile::regions::Snapshot<Account> = serde_json::from_str(&json).unwrap();
    let back = Current::from_snapshot(back).expect("the same definition");
    assert_eq!(back.states(), c.states());
    assert_eq!(back.entered_at(), c.entered_at());
    assert_eq!(back.data(), c.data());
    // Its timers run on as they would have.
    assert_eq!(back.next_due(), c.next_due());
    // The typed machine again, in the configuration stored.
    assert!(back
        .into_machine::<(state::Active, state::FrozenUntilBudget, state::Restricted)>()
        .is_ok());
}

#[test]
fn a_snapshot_that_is_not_a_configuration_of_the_regions_does_not_load() {
    let c = Current::start(Account::default(), at(0));
    let good = serde_json::to_value(c.snapshot()).unwrap();
    let load = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        edit(&mut v);
        let snapshot: turnstile::regions::Snapshot<Account> = serde_json::from_value(v).unwrap();
        Current::from_snapshot(snapshot)
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        load(&|v| v["regions"][1]["state"] = "closed".into()),
        "account: not a configuration of its regions: `closed` is not a state of region `partner`"
    );
    assert_eq!(
        load(&|v| v["regions"][1]["state"] = "gone".into()),
        "account: the snapshot's state `gone` is not a state of the workflow"
    );
    assert!(load(&|v| {
        v["regions"].as_array_mut().unwrap().swap(0, 2);
    })
    .contains("the regions are [\"restriction\", \"partner\", \"services\"]"));
    assert!(load(&|v| v["fingerprint"] = "sha256:00".into()).contains("sha256:00"));
    assert!(load(&|v| v["workflow"] = "door".into()).contains("door"));
}

#[test]
fn the_typed_machine_answers_permits_as_by_name_does() {
    let m = Machine::new(Account::default(), at(0));
    assert!(m.permits("buy"));
    let m = m.become_reseller_customer(&partner(), at(1));
    assert!(!m.permits("buy") && m.permits("use_services"));
    let named: Current = m.into();
    assert!(!named.permits("buy") && named.permits("use_services"));
}

#[test]
fn the_trail_says_which_regions_each_step_moved() {
    use turnstile::regions::Moved;
    let moved = |region: &str, from: &str, to: &str| Moved {
        region: region.into(),
        from: from.into(),
        to: to.into(),
    };
    let c = Current::start(Account::default(), at(0));
    let c = c
        .fire_as(
            "become_reseller_customer",
            &Actor::new("ops-1").with_roles(&["partner"]),
            at(1),
        )
        .unwrap();
    let c = c.fire("over_budget", at(2)).unwrap();
    let (c, _) = c
        .fire_due(at(24 * 40))
        .expect_err("nothing is due: the 30 days count from good standing, left at once")
        .into_parts();
    let c = c.fire("budget_set", at(3)).unwrap();
    let (c, fired) = c.fire_due(at(24 * 40)).unwrap();
    assert_eq!(fired, "restrict");
    let trail = c.trail();
    assert_eq!(trail.len(), 4);
    assert_eq!(trail[0].actor.as_deref(), Some("ops-1"));
    assert_eq!(
        trail[0].moved,
        [moved("partner", "no_partner", "associated")]
    );
    // The joint move: both regions, in the order of REGIONS.
    assert_eq!(
        trail[1].moved,
        [
            moved("partner", "associated", "frozen_until_budget"),
            moved("restriction", "in_good_standing", "restricted")
        ]
    );
    assert_eq!(trail[1].actor, None);
    assert_eq!(trail[3].actor.as_deref(), Some("timer"));
    assert_eq!(trail[3].at, at(3) + DAY * 30, "as of when it fell due");
    // A refusal records nothing.
    let c = c
        .fire("close", at(24 * 41))
        .expect_err("associated")
        .into_inner();
    assert_eq!(c.trail().len(), 4);
    // The snapshot carries the trail, and loads only if it replays.
    let json = serde_json::to_value(c.snapshot()).unwrap();
    let back: turnstile::regions::Snapshot<Account> = serde_json::from_value(json.clone()).unwrap();
    let back = Current::from_snapshot(back).expect("the trail replays");
    assert_eq!(back.trail(), c.trail());
    let mut forged = json.clone();
    forged["trail"][1]["moved"][1]["to"] = "in_good_standing".into();
    let forged: turnstile::regions::Snapshot<Account> = serde_json::from_value(forged).unwrap();
    let refused = Current::from_snapshot(forged).map(|_| ()).unwrap_err();
    assert!(
        matches!(refused, turnstile::LoadError::Trail { step: 1, .. }),
        "{refused}"
    );
    let mut moved_on = json;
    moved_on["regions"][0]["state"] = "closed".into();
    let moved_on: turnstile::regions::Snapshot<Account> = serde_json::from_value(moved_on).unwrap();
    assert!(Current::from_snapshot(moved_on)
        .map(|_| ())
        .unwrap_err()
        .to_string()
        .contains("the trail ends in"));
}

#[test]
fn roles_are_asked_of_every_move_typed_and_by_name() {
    // Typed: `close` takes the customer's `Acting` (a partner's does not
    // compile: `tests/ui/compile_fail/regions_role_not_allowed.rs`).
    let m = Machine::new(Account::default(), at(0));
    let m = m.close(&customer(), at(1)).unwrap();
    assert_eq!(m.states()[0], "closed");
    // By name: refused to an actor without the role, recorded with it.
    let c = Current::start(Account::default(), at(0));
    let refused = c
        .fire_as("close", &Actor::new("p-1").with_roles(&["partner"]), at(1))
        .expect_err("a partner does not close the customer's services");
    let Why::Forbidden {
        allowed,
        actor,
        held,
        state,
        ..
    } = refused.why()
    else {
        panic!("{:?}", refused.why())
    };
    assert_eq!((*allowed, *state), (&["customer"][..], "active"));
    assert_eq!(
        (actor.as_deref(), &held[..]),
        (Some("p-1"), &["partner".to_string()][..])
    );
    let c = refused.into_inner();
    let refused = c.fire("close", at(1)).expect_err("nobody holds no role");
    assert_eq!(refused.why().code(), "forbidden");
    let c = refused.into_inner();
    let c = c
        .fire_as(
            "close",
            &Actor::new("c-1").with_roles(&["staff", "customer"]),
            at(1),
        )
        .unwrap();
    let step = c.trail().last().unwrap();
    assert_eq!(
        (step.actor.as_deref(), step.role.as_deref()),
        (Some("c-1"), Some("customer"))
    );
}

#[test]
fn a_payload_is_checked_handed_back_applied_and_recorded() {
    let m = Machine::new(Account::default(), at(0));
    let (m, _) = (m.become_reseller_customer(&partner(), at(1)), ());
    let m = m.over_budget(at(2)).unwrap();
    let m = m.budget_set(at(3));
    let (c, _) = Current::from(m).fire_due(at(24 * 40)).unwrap();
    let m = c
        .into_machine::<(state::Active, state::Associated, state::Restricted)>()
        .expect("restricted by the timer");
    // Typed: the guard reads the payload; a refusal hands both back.
    let empty = Appeal(String::new());
    let refused = m
        .appeal(&customer(), empty.clone(), at(24 * 41))
        .unwrap_err();
    assert!(matches!(
        refused.refusal(),
        Refusal::Guard {
            guard: "appeal_has_reason",
            ..
        }
    ));
    let (m, back) = refused.into_machine_and_payload();
    assert_eq!(back, empty);
    let m = m
        .appeal(&customer(), Appeal("paid".to_string()), at(24 * 41))
        .expect("a reason");
    assert_eq!(m.data().appeals, ["paid"]);
    // By name: read from its text, refused when missing or unreadable, or
    // given to an event that brings none; recorded in the trail.
    let c = Current::from(m);
    let customer = Actor::new("c-1").with_roles(&["customer"]);
    let c = c.fire("over_budget", at(24 * 42)).unwrap();
    let c = c.fire("budget_set", at(24 * 42)).unwrap();
    let (c, _) = c.fire_due(at(24 * 80)).unwrap();
    let refused = c
        .fire_with("appeal", None, &customer, at(24 * 80))
        .unwrap_err();
    assert_eq!(refused.why().code(), "bad_payload");
    assert!(
        refused.why().to_string().contains("was not given"),
        "{}",
        refused.why()
    );
    let c = refused.into_inner();
    let refused = c
        .fire_with("appeal", Some("{\"why\": 1}"), &customer, at(24 * 80))
        .unwrap_err();
    assert!(
        refused.why().to_string().contains("does not read"),
        "{}",
        refused.why()
    );
    let c = refused.into_inner();
    let refused = c
        .fire_with("pay", Some("{}"), &customer, at(24 * 80))
        .unwrap_err();
    assert!(
        refused.why().to_string().contains("one was given"),
        "{}",
        refused.why()
    );
    let c = refused.into_inner();
    let c = c
        .fire_with("appeal", Some("\"paid again\""), &customer, at(24 * 80))
        .expect("read and allowed");
    assert_eq!(c.data().appeals, ["paid", "paid again"]);
    let step = c.trail().last().unwrap();
    assert_eq!(step.payload.as_deref(), Some("\"paid again\""));
    assert_eq!(step.role.as_deref(), Some("customer"));
}

#[test]
fn a_branch_in_one_region_keeps_the_others_generic() {
    use account::outcome::Review;
    let c = Current::start(Account::default(), at(0));
    let (c, _) = c.fire_due(at(24 * 31)).unwrap();
    let m = c
        .into_machine::<(state::Active, state::NoPartner, state::Restricted)>()
        .unwrap();
    // Typed: the outcome enum carries the other regions' states as they are.
    let m = match m.review(&staff(), at(24 * 32)) {
        Review::InGoodStanding(m) => m,
        Review::Restricted(_) => panic!("no order is pending"),
    };
    let m: Machine<(state::Active, state::NoPartner, state::InGoodStanding)> = m;
    assert_eq!(m.entered_at()[2], at(24 * 32));
    // By name: the same decision, recorded with its target.
    let c = Current::from(m);
    let (c, _) = c.fire_due(at(24 * 70)).unwrap();
    let mut c = c;
    c.data_mut().pending_orders = 1;
    let staff_actor = Actor::new("s-1").with_roles(&["staff"]);
    let c = c.fire_as("review", &staff_actor, at(24 * 71)).unwrap();
    assert_eq!(c.states()[2], "restricted");
    let step = c.trail().last().unwrap();
    assert_eq!(step.moved[0].to, "restricted");
    // The snapshot's trail replays along either target.
    let json = serde_json::to_value(c.snapshot()).unwrap();
    let back: turnstile::regions::Snapshot<Account> = serde_json::from_value(json).unwrap();
    assert!(Current::from_snapshot(back).is_ok());
}

#[test]
fn a_timer_recorded_after_another_regions_later_step_still_replays() {
    // The restriction's timer falls due on day 30; the services close on
    // day 35; a runner fires the timer on day 40, as of day 30. The trail
    // is then out of time order across regions, in order within each.
    let c = Current::start(Account::default(), at(0));
    let c = c
        .fire_as(
            "close",
            &Actor::new("c-1").with_roles(&["customer"]),
            at(24 * 35),
        )
        .unwrap();
    let (c, fired) = c.fire_due(at(24 * 40)).unwrap();
    assert_eq!(fired, "restrict");
    assert_eq!(c.trail()[1].at, at(0) + DAY * 30);
    let json = serde_json::to_value(c.snapshot()).unwrap();
    let back: turnstile::regions::Snapshot<Account> = serde_json::from_value(json.clone()).unwrap();
    assert!(
        Current::from_snapshot(back).is_ok(),
        "each region's clock is its own"
    );
    // But no step moves a region before it entered the state it leaves.
    let mut forged = json;
    forged["trail"][1]["at"] = "2026-11-24T00:00:00Z".into();
    let forged: turnstile::regions::Snapshot<Account> = serde_json::from_value(forged).unwrap();
    let refused = Current::from_snapshot(forged).map(|_| ()).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("moves region `restriction` before it entered `in_good_standing`"),
        "{refused}"
    );
}

/// By name, an event that only moves is fired from a table
/// (`turnstile::regions::fire_plain`) and the others by code of their own:
/// the two refuse in the same order (conditions, then a payload given to
/// an event that brings none, then a clock behind) and the same words.
#[test]
fn plain_and_generated_events_refuse_in_the_same_order() {
    let customer = Actor::new("c-1").with_roles(&["customer"]);
    let staff = Actor::new("s-1").with_roles(&["staff"]);
    // (active, frozen_until_budget, restricted), every region entered at hour 2.
    let c = Current::start(Account::default(), at(0));
    let c = c
        .fire_as(
            "become_reseller_customer",
            &Actor::new("p").with_roles(&["partner"]),
            at(1),
        )
        .unwrap();
    let frozen = c.fire("over_budget", at(2)).unwrap();
    // `pay` (plain) asks the partner region; `close` (its own code) too.
    // A condition comes first, before the payload and the clock.
    let why = |c: Current, event: &str, actor: &Actor<'_>, payload: Option<&str>, now| {
        c.fire_with(event, payload, actor, now)
            .unwrap_err()
            .into_parts()
    };
    let (frozen, pay) = why(frozen, "pay", &customer, Some("x"), at(0));
    let (frozen, close) = why(frozen, "close", &customer, Some("x"), at(0));
    assert_eq!(
        (pay.code(), close.code()),
        ("condition_unmet", "condition_unmet")
    );
    assert_eq!(
        pay.to_string(),
        "account: event `pay` needs region `partner` to be in `no_partner` or `associated`; it is in `frozen_until_budget`"
    );
    // Conditions met: a payload to an event that brings none comes next…
    let restricted = frozen.fire("budget_set", at(3)).unwrap();
    let restricted = restricted.fire_due(at(24 * 40)).unwrap().0;
    assert_eq!(restricted.states()[2], "restricted");
    let entered = restricted.entered_at()[2];
    let (restricted, pay) = why(restricted, "pay", &customer, Some("x"), at(0));
    let (restricted, review) = why(restricted, "review", &staff, Some("x"), at(0));
    assert_eq!((pay.code(), review.code()), ("bad_payload", "bad_payload"));
    assert!(pay.to_string().ends_with("one was given"), "{pay}");
    assert!(review.to_string().ends_with("one was given"), "{review}");
    // …then a clock behind when the region entered its state.
    let (restricted, pay) = why(restricted, "pay", &customer, None, at(0));
    let (_, review) = why(restricted, "review", &staff, None, at(0));
    assert_eq!(
        (pay.code(), review.code()),
        ("clock_behind", "clock_behind")
    );
    assert!(matches!(pay, Why::ClockBehind { entered_at, .. } if entered_at == entered));
    assert!(matches!(review, Why::ClockBehind { entered_at, .. } if entered_at == entered));
}
