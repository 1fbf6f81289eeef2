//! Closing and restoring services, driven through every transition of
//! `service_closing.toml`, with its timers at their boundary instants.

mod common;

use std::time::{Duration, SystemTime};

use common::Log;
use turnstile::{Acting, Actor, Instance, Why};
use turnstile_workflows::rules::service_closing::{ClosingCheck, Obstacle};
use turnstile_workflows::{service_closing, ServiceClosing};

use service_closing::state::*;
use service_closing::{can, role, Machine};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// 2026-11-24T09:00:00Z, when the account is opened in these tests.
fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800)
}

/// The account holder, the only one who closes, restores and disables (002 §1.4.1, §1.4.5).
fn customer() -> Acting<role::Customer> {
    Acting::authenticated()
}

/// `id`, holding the customer role, as the store and the service name it.
fn holder(id: &'static str) -> Actor<'static> {
    Actor::new(id).with_roles(&["customer"])
}

fn closed_at(log: &mut Log, at: SystemTime) -> Machine<Closed> {
    let m = Machine::new(ServiceClosing::new("acme-ops"), t0());
    fire!(log, m.close(&customer(), at)).expect("nothing is in the way of closing")
}

#[test]
fn service_closing_takes_every_transition() {
    let mut log = Log::new("service_closing.toml");

    // Close, restore after a day, close again, disable after another day.
    let closed = closed_at(&mut log, t0() + HOUR);
    let active =
        fire!(log, closed.restore(&customer(), t0() + HOUR + DAY)).expect("24 hours have passed");
    let closed =
        fire!(log, active.close(&customer(), t0() + 2 * DAY)).expect("still nothing in the way");
    let disabled =
        fire!(log, closed.disable(&customer(), t0() + 3 * DAY)).expect("24 hours have passed");
    assert_eq!(disabled.state(), "disabled");

    // Close and wait out the retention period.
    let closed = closed_at(&mut log, t0());
    let disabled = fire!(log, closed.retention_period_ends(t0() + 90 * DAY)).expect("90 days");
    assert_eq!(disabled.entered_at(), t0() + 90 * DAY);

    // Delete rather than close: no retention period, nothing to restore
    // or view (002 §3.1.10).
    let m = Machine::new(ServiceClosing::new("acme-ops"), t0());
    let deleted = fire!(log, m.delete_account(&customer(), t0())).expect("nothing in the way");
    assert_eq!(deleted.state(), "deleted");
    const { assert!(<Deleted as turnstile::State>::IS_FINAL) };
    let _ = deleted;

    log.assert_every_transition_taken();
}

#[test]
fn restoring_and_disabling_wait_24_hours_after_closing() {
    let mut log = Log::new("service_closing.toml");
    let closed_time = t0() + HOUR;
    let closed = closed_at(&mut log, closed_time);

    // 23 h 59 min: refused, by the timer, and the machine is handed back.
    let early = closed
        .restore(&customer(), closed_time + 23 * HOUR + 59 * MINUTE)
        .unwrap_err();
    let wait = early.not_before().expect("the timer refused");
    assert_eq!(wait.due(), Some(closed_time + DAY));
    assert_eq!(early.guard(), None);
    assert_eq!(
        early.to_string(),
        "service_closing: event `restore` refused in state `closed`: not due until 1d after \
         entering the state (2026-11-25T10:00:00Z)"
    );
    let closed = early.into_machine();
    assert_eq!(closed.entered_at(), closed_time);
    let closed = closed
        .disable(&customer(), closed_time + 23 * HOUR + 59 * MINUTE)
        .unwrap_err()
        .into_machine();

    // Exactly 24 h: due.
    let active = closed
        .restore(&customer(), closed_time + DAY)
        .expect("due at 24 h");
    assert_eq!(active.entered_at(), closed_time + DAY);
    let closed = active.close(&customer(), closed_time + DAY).unwrap();
    assert!(closed.disable(&customer(), closed_time + 2 * DAY).is_ok());
}

#[test]
fn the_retention_period_ends_at_day_90_and_restoring_ends_with_it() {
    let mut log = Log::new("service_closing.toml");
    let closed = closed_at(&mut log, t0());

    // Day 89, and one second before day 90: not yet.
    let closed = closed
        .retention_period_ends(t0() + 89 * DAY)
        .unwrap_err()
        .into_machine();
    let closed = closed
        .retention_period_ends(t0() + 90 * DAY - Duration::from_secs(1))
        .unwrap_err()
        .into_machine();
    // Restoring is still possible one second before day 90...
    let restored_at = t0() + 90 * DAY - Duration::from_secs(1);
    let active = closed
        .restore(&customer(), restored_at)
        .expect("within the retention period");
    // Closed again at once: the new retention period runs from here.
    let closed = active.close(&customer(), restored_at).unwrap();
    let late = restored_at + 90 * DAY;

    // ...and not at day 90 of a retention period, when the automatic transition comes first.
    let late_restore = closed.restore(&customer(), late).unwrap_err();
    assert_eq!(
        late_restore.refusal().preempted_by(),
        Some("retention_period_ends")
    );
    assert_eq!(
        late_restore.to_string(),
        "service_closing: event `restore` refused in state `closed`: the automatic transition \
         `retention_period_ends` has fallen due and comes first"
    );
    let closed = late_restore.into_machine();
    let disabled = closed.retention_period_ends(late).expect("day 90");
    assert_eq!(disabled.state(), "disabled");
}

#[test]
fn each_closing_check_refuses_and_hands_the_machine_back() {
    for obstacle in Obstacle::ALL {
        let mut data = ServiceClosing::new("acme-ops");
        data.obstacles.insert(obstacle);
        let active = Machine::new(data, t0());
        let refused = active.close(&customer(), t0() + HOUR).unwrap_err();
        let expected = match obstacle.check() {
            ClosingCheck::IdNotFrozen => "id_not_frozen",
            ClosingCheck::NoFrozenResources => "no_frozen_resources",
            ClosingCheck::NoPartnerTies => "no_partner_ties",
            ClosingCheck::NotEnterpriseAccount => "not_enterprise_account",
            ClosingCheck::NoSiteBinding => "no_site_binding",
            ClosingCheck::NoResourcesInUse => "no_resources_in_use",
            ClosingCheck::NoFunds => "no_funds",
            ClosingCheck::NoPendingFinance => "no_pending_finance",
        };
        assert_eq!(refused.guard(), Some(expected), "{obstacle:?}");
        assert!(
            matches!(refused.refusal(), turnstile::Refusal::Guard { reason, .. } if reason.contains("002 §1.4.6"))
        );
        let mut active = refused.into_machine();
        assert_eq!(active.entered_at(), t0());
        active.data_mut().obstacles.clear();
        assert!(active.close(&customer(), t0() + HOUR).is_ok());
    }
}

#[test]
fn an_instance_takes_the_automatic_transition_at_its_due_instant() {
    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0());
    let instance = instance
        .fire("close", holder("alice"), t0() + HOUR)
        .expect("closes");
    assert_eq!(instance.due(t0() + HOUR + 89 * DAY), Vec::<&str>::new());
    assert_eq!(
        instance.next_due(),
        Some(("retention_period_ends", t0() + HOUR + 90 * DAY))
    );
    assert_eq!(
        instance.due(t0() + HOUR + 90 * DAY),
        ["retention_period_ends"]
    );
    let timers: Vec<_> = instance
        .timers()
        .iter()
        .map(|t| (t.event, t.automatic))
        .collect();
    assert_eq!(
        timers,
        [
            ("restore", false),
            ("disable", false),
            ("retention_period_ends", true)
        ]
    );

    // Day 95: the runner never came, and alice tries to restore. The
    // retention period ended at day 90: that happens first, then `restore`
    // is refused in `disabled`.
    let refused = instance
        .fire("restore", holder("alice"), t0() + 95 * DAY)
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::NotAllowed {
            state: "disabled",
            allowed: &[],
            ..
        }
    ));
    let instance = refused.into_inner();
    let last = instance.trail().last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.at, last.actor.as_deref()),
        (
            "retention_period_ends",
            t0() + HOUR + 90 * DAY,
            Some("timer")
        )
    );
    assert_eq!(instance.entered_at(), t0() + HOUR + 90 * DAY);
}

#[test]
fn fire_due_fires_once_and_then_says_nothing_is_due() {
    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0());
    let refused = instance.fire_due(t0() + 200 * DAY).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "service_closing: no timer is due in state `active`; it has no automatic timer"
    );
    let instance = refused
        .into_inner()
        .fire("close", holder("carol"), t0())
        .unwrap();
    let refused = instance.fire_due(t0() + DAY).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "service_closing: no timer is due in state `closed`; the next is \
         `retention_period_ends` at 2027-02-22T09:00:00Z"
    );
    let instance = refused.into_inner().fire_due(t0() + 100 * DAY).unwrap();
    assert_eq!(instance.state(), "disabled");
    assert_eq!(instance.trail().len(), 2);
    assert!(instance.fire_due(t0() + 200 * DAY).is_err());
}

#[test]
fn a_timed_machine_is_its_data_and_one_instant() {
    assert_eq!(
        std::mem::size_of::<Machine<Closed>>(),
        std::mem::size_of::<ServiceClosing>() + std::mem::size_of::<SystemTime>()
    );
}

/// Time only moves forward: an instant earlier than when the instance
/// entered its state (a node whose clock is behind) is refused with both
/// instants, nothing is recorded, and the instance still stores and loads.
#[test]
fn an_instant_before_the_last_step_is_refused_and_nothing_is_recorded() {
    let closed = Instance::start(ServiceClosing::new("acme-ops"), t0())
        .fire("close", holder("alice"), t0() + HOUR)
        .unwrap();
    let restored = closed
        .fire("restore", holder("alice"), t0() + HOUR + 2 * DAY)
        .unwrap();

    // A day before the restore: refused, by name, with both instants.
    let refused = restored
        .fire("close", holder("bob"), t0() + HOUR + DAY)
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::ClockBehind { state: "active", event, entered_at, now, .. }
            if event == "close" && *entered_at == t0() + HOUR + 2 * DAY && *now == t0() + HOUR + DAY
    ));
    assert_eq!(
        refused.to_string(),
        "service_closing: event `close` refused in state `active`: the instant given \
         (2026-11-25T10:00:00Z) is earlier than when the instance entered the state \
         (2026-11-26T10:00:00Z); the caller's clock is behind, and nothing was fired"
    );
    let instance = refused.into_inner();
    assert_eq!(instance.state(), "active");
    assert_eq!(instance.trail().len(), 2);
    assert_eq!(instance.entered_at(), t0() + HOUR + 2 * DAY);

    // One nanosecond behind is behind; the same instant is not.
    let behind = t0() + HOUR + 2 * DAY - Duration::from_nanos(1);
    let instance = instance
        .fire("close", holder("carol"), behind)
        .unwrap_err()
        .into_inner();
    let instance = instance
        .fire("close", holder("carol"), t0() + HOUR + 2 * DAY)
        .expect("the same instant as the last step");

    // A due timer does not run at an instant behind the state either.
    let refused = instance
        .fire("restore", holder("carol"), t0() + HOUR)
        .unwrap_err();
    assert!(matches!(refused.why(), Why::ClockBehind { .. }));
    let instance = refused.into_inner();
    assert_eq!(instance.trail().len(), 3);

    // What was recorded loads again.
    let row = serde_json::to_string(&instance).unwrap();
    let loaded: Instance<ServiceClosing> = serde_json::from_str(&row).expect("it loads");
    assert_eq!(loaded.trail(), instance.trail());
}

/// An automatic transition named by a caller is the timer's step: refused
/// until due, then recorded exactly as `fire_due` records it (at its due
/// instant, by "timer"), not at the caller's instant or by the caller.
#[test]
fn an_automatic_event_fired_by_name_is_the_timers_step() {
    let closed = Instance::start(ServiceClosing::new("acme-ops"), t0())
        .fire("close", holder("alice"), t0())
        .unwrap();
    let due = t0() + 90 * DAY;

    let early = closed
        .fire("retention_period_ends", holder("alice"), due - MINUTE)
        .unwrap_err();
    assert!(matches!(early.why(), Why::NotYet(_)), "{early}");
    let closed = early.into_inner();

    let by_name = closed
        .fire("retention_period_ends", holder("alice"), due + 5 * DAY)
        .unwrap();
    let by_runner = Instance::start(ServiceClosing::new("acme-ops"), t0())
        .fire("close", holder("alice"), t0())
        .unwrap()
        .fire_due(due + 5 * DAY)
        .unwrap();
    assert_eq!(by_name.trail(), by_runner.trail());
    assert_eq!(by_name.entered_at(), due);
    let last = by_name.trail().last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.at, last.actor.as_deref()),
        ("retention_period_ends", due, Some("timer"))
    );
}

fn logs_in<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::LogIn,
{
    m.state()
}
fn views_bills<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::ViewBills,
{
    m.state()
}
fn buys<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::BuyResources,
{
    m.state()
}

/// 002 §1.4.2, §1.4.4, §1.4.5: an active account logs in, views its records
/// and buys; a closed one only logs in to view its records; a disabled one
/// does nothing in Huawei Cloud. The typed direction that must not compile
/// is in `tests/ui/compile_fail/service_closing_*`.
#[test]
fn what_each_state_permits_follows_the_retention_rules() {
    let active = Machine::new(ServiceClosing::new("acme-ops"), t0());
    assert_eq!(
        (logs_in(&active), views_bills(&active), buys(&active)),
        ("active", "active", "active")
    );
    let closed = active.close(&customer(), t0()).unwrap();
    assert_eq!(
        (logs_in(&closed), views_bills(&closed)),
        ("closed", "closed")
    );

    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0());
    assert_eq!(
        instance.permitted(),
        ["log_in", "view_bills", "buy_resources"]
    );
    let instance = instance.fire("close", holder("alice"), t0()).unwrap();
    assert!(instance.permits("log_in") && instance.permits("view_bills"));
    assert!(!instance.permits("buy_resources"));
    let instance = instance.fire_due(t0() + 90 * DAY).unwrap();
    assert_eq!(instance.state(), "disabled");
    assert_eq!(instance.permitted(), [] as [&str; 0]);
    assert!(!instance.permits("log_in"));
}

/// Only the account holder closes, restores or disables; an actor without
/// the role is refused by name, and nothing is recorded.
#[test]
fn only_the_customer_closes_restores_and_disables() {
    let instance = Instance::start(ServiceClosing::new("acme-ops"), t0());
    let refused = instance
        .fire("close", Actor::new("mallory"), t0())
        .unwrap_err();
    assert!(
        matches!(refused.why(), Why::Forbidden { event, allowed, .. } if *event == "close" && *allowed == ["customer"]),
        "{refused}"
    );
    let instance = refused.into_inner();
    assert!(instance.trail().is_empty());
    let closed = instance.fire("close", holder("alice"), t0()).unwrap();
    assert_eq!(closed.trail()[0].role.as_deref(), Some("customer"));
    let mut closed = closed;
    for event in ["restore", "disable"] {
        let refused = closed
            .fire(event, Actor::new("ops").with_roles(&["staff"]), t0() + DAY)
            .unwrap_err();
        assert!(matches!(refused.why(), Why::Forbidden { .. }), "{refused}");
        closed = refused.into_inner();
    }
    assert_eq!(closed.trail().len(), 1);
    // The timer needs no role.
    let disabled = closed.fire_due(t0() + 90 * DAY).unwrap();
    assert_eq!(disabled.trail().last().unwrap().role, None);
}

/// Deleting an account is checked as closing is (002 §3.1.9), by the same
/// guards: a balance refuses it, and the account is handed back.
#[test]
fn deleting_is_checked_as_closing_is() {
    let mut data = ServiceClosing::new("acme-ops");
    data.obstacles.insert(Obstacle::Balance);
    let refused = Machine::new(data, t0())
        .delete_account(&customer(), t0())
        .expect_err("a balance");
    assert_eq!(refused.guard(), Some("no_funds"));
    assert_eq!(refused.into_machine().state(), "active");
}
