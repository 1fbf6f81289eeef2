//! The account as one machine (`account.toml`): the seams between the
//! services, partner, restriction and freeze regions, each at its boundary,
//! typed and by name; and the one-owner rule, that every event the account
//! shares with a process's own definition is written alike in both.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use turnstile::{Acting, Actor, Why};
use turnstile_account::{outcome, role, state, Account, Current, Machine, PartnerModel};
use turnstile_workflows::rules::service_closing::Obstacle;

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// 2026-11-24T09:00:00Z, when the account is opened in these tests.
fn at(hours: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_510_800) + HOUR * hours as u32
}

fn customer() -> Actor<'static> {
    Actor::new("holder").with_roles(&["customer"])
}
fn partner() -> Actor<'static> {
    Actor::new("reseller-7").with_roles(&["partner"])
}
fn system() -> Actor<'static> {
    Actor::new("platform").with_roles(&["system"])
}
fn staff() -> Actor<'static> {
    Actor::new("after-sales-3").with_roles(&["staff"])
}

fn start(model: PartnerModel) -> Current {
    Current::start(Account::new("acme", model), at(0))
}

/// Materials that verify an account with no card bound: an identity
/// document (method 1) that matches.
const MATERIALS: &str = r#"{"identity_document":"Passport","card_front":false,"transaction_months":0,"matches_card_holder":true}"#;

fn step(c: Current, event: &str, payload: Option<&str>, who: &Actor, hours: u64) -> Current {
    c.fire_with(event, payload, who, at(hours))
        .unwrap_or_else(|refused| panic!("{event} refused: {}", refused.why()))
}

#[test]
fn closing_waits_for_the_partner_the_restriction_and_the_freeze() {
    // Nothing in the way: the account closes (002 §1.4.1).
    let c = step(start(PartnerModel::Referral), "close", None, &customer(), 1);
    assert_eq!(
        c.states(),
        ["closed", "no_partner", "unrestricted", "not_frozen"]
    );

    // Associated with a partner: refused by the partner region (002 §1.4.6,
    // §3.1.9), in the words the compile error uses, and nothing moves.
    let c = step(
        start(PartnerModel::Referral),
        "associate",
        None,
        &customer(),
        1,
    );
    let refused = c
        .fire_as("close", &customer(), at(2))
        .expect_err("associated");
    assert_eq!(
        refused.why().to_string(),
        "account: event `close` needs region `partner` to be in `no_partner`; it is in `associated`"
    );
    assert_eq!(
        refused.into_inner().states(),
        ["active", "associated", "unrestricted", "not_frozen"]
    );

    // Restricted, or with its restriction under review: refused by the
    // restriction region.
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""InsufficientBalance""#),
        &system(),
        1,
    );
    let refused = c
        .fire_as("close", &customer(), at(2))
        .expect_err("restricted");
    assert!(matches!(
        refused.why(),
        Why::Condition {
            region: "restriction",
            state: "restricted",
            ..
        }
    ));
    let c = step(
        refused.into_inner(),
        "submit_restriction_ticket",
        Some(MATERIALS),
        &customer(),
        3,
    );
    let refused = c
        .fire_as("close", &customer(), at(4))
        .expect_err("under review");
    assert!(matches!(
        refused.why(),
        Why::Condition {
            region: "restriction",
            state: "restriction_under_review",
            ..
        }
    ));

    // Frozen: refused by the freeze region.
    let c = step(
        start(PartnerModel::Referral),
        "freeze",
        Some(r#""Violation""#),
        &system(),
        1,
    );
    let refused = c.fire_as("close", &customer(), at(2)).expect_err("frozen");
    assert!(matches!(
        refused.why(),
        Why::Condition {
            region: "freeze",
            needs: &["not_frozen"],
            state: "frozen",
            ..
        }
    ));

    // The conditions come before the guards: an account both associated
    // and with a balance hears about the partner first, the balance once
    // the partner is gone; a guard alone still refuses.
    let mut data = Account::new("acme", PartnerModel::Referral);
    data.closing.obstacles = BTreeSet::from([Obstacle::Balance]);
    let refused = Current::start(data, at(0))
        .fire_as("close", &customer(), at(1))
        .expect_err("a balance");
    assert!(matches!(refused.why(), Why::Guard(r) if r.guard() == Some("no_funds")));
}

#[test]
fn a_closed_account_cannot_associate() {
    let c = step(start(PartnerModel::Reseller), "close", None, &customer(), 1);
    let refused = c
        .fire_as("associate", &customer(), at(2))
        .expect_err("closed");
    assert!(matches!(
        refused.why(),
        Why::Condition {
            region: "services",
            needs: &["active"],
            state: "closed",
            ..
        }
    ));
    // Restored (24 hours after closing, 002 §1.4.5), it can.
    let c = step(refused.into_inner(), "restore", None, &customer(), 25);
    let c = step(c, "associate", None, &customer(), 26);
    assert_eq!(c.states()[1], "frozen_until_budget");
}

#[test]
fn becoming_a_partner_restricts_and_freezes_in_one_step() {
    // Typed: one method moves both regions (002 §1.1.10, §1.1.11).
    let platform = Acting::<role::System>::authenticated();
    let m = Machine::new(Account::new("acme", PartnerModel::Referral), at(0));
    let m: Machine<(
        state::Active,
        state::NoPartner,
        state::Restricted,
        state::Frozen,
    )> = m.become_partner(&platform, at(1));
    assert_eq!(m.entered_at(), [at(0), at(0), at(1), at(1)]);
    assert!(!m.permits("buy_resources") && m.permits("log_in"));

    // By name, and atomic: an account already restricted cannot take the
    // restriction half, so neither region moves and no step is recorded.
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""InsufficientBalance""#),
        &system(),
        1,
    );
    let refused = c
        .fire_as("become_partner", &system(), at(2))
        .expect_err("already restricted");
    assert!(matches!(
        refused.why(),
        Why::NotAllowed {
            event: "become_partner",
            state: "restricted",
            ..
        }
    ));
    let c = refused.into_inner();
    assert_eq!(
        c.states(),
        ["active", "no_partner", "restricted", "not_frozen"]
    );
    assert_eq!(c.entered_at(), [at(0), at(0), at(1), at(0)]);
    assert_eq!(c.trail().len(), 1);

    // The reason a joint move owns is refused to the single-region events.
    let refused = start(PartnerModel::Referral)
        .fire_with("restrict", Some(r#""BecamePartner""#), &system(), at(1))
        .expect_err("becoming a partner is its own event");
    assert!(
        matches!(refused.why(), Why::Guard(r) if r.guard() == Some("restriction_reason_of_its_own"))
    );
    let refused = start(PartnerModel::Referral)
        .fire_with("freeze", Some(r#""BecamePartner""#), &system(), at(1))
        .expect_err("becoming a partner is its own event");
    assert!(
        matches!(refused.why(), Why::Guard(r) if r.guard() == Some("freeze_reason_of_its_own"))
    );
}

#[test]
fn lifting_a_freeze_leaves_a_restriction_and_the_other_way_round() {
    // account_restriction.toml, one machine, ends restrict → freeze → renew
    // in good standing; here the restriction stays (002 §1.1.11: renewing
    // remedies the non-renewal, not the restriction).
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""InsufficientBalance""#),
        &system(),
        1,
    );
    let c = step(c, "freeze", Some(r#""NotRenewed""#), &system(), 2);
    let c = step(c, "renew", None, &customer(), 3);
    assert_eq!(
        c.states(),
        ["active", "no_partner", "restricted", "not_frozen"]
    );
    assert!(!c.permits("buy_resources"));

    // Renewing lifts only a freeze for non-renewal.
    let c = step(
        start(PartnerModel::Referral),
        "freeze",
        Some(r#""Violation""#),
        &system(),
        1,
    );
    let refused = c
        .fire_as("renew", &customer(), at(2))
        .expect_err("a violation");
    assert!(matches!(refused.why(), Why::Guard(r) if r.guard() == Some("frozen_for_non_renewal")));

    // Staff restoring the freeze leave the restriction; restoring the
    // restriction then clears the account (NOTE after §1.1.10).
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""InsufficientBalance""#),
        &system(),
        1,
    );
    let c = step(c, "freeze", Some(r#""Violation""#), &system(), 2);
    let c = step(c, "submit_freeze_ticket", Some(MATERIALS), &customer(), 3);
    let c = step(
        c,
        "decide_freeze",
        Some(r#"{"restore":true,"note":"verified"}"#),
        &staff(),
        4,
    );
    assert_eq!(
        c.states(),
        ["active", "no_partner", "restricted", "not_frozen"]
    );
    assert_eq!(c.data().restriction.freeze, None);
    assert!(c.data().restriction.restriction.is_some());
    let c = step(
        c,
        "submit_restriction_ticket",
        Some(MATERIALS),
        &customer(),
        5,
    );
    let c = step(
        c,
        "decide_restriction",
        Some(r#"{"restore":true,"note":"paid"}"#),
        &staff(),
        6,
    );
    assert_eq!(
        c.states(),
        ["active", "no_partner", "unrestricted", "not_frozen"]
    );
    assert!(c.permits("buy_resources"));
}

/// The master account's budget lifts a member's restriction, and only it:
/// a freeze on top stays (002 §3.1.13, §1.1.11). Where the NOTE's
/// materials do not apply, the account manager takes the freeze to staff
/// (NOTE after §1.1.10).
#[test]
fn a_members_budget_and_the_account_managers_referral_move_their_own_region() {
    let master = Actor::new("acme-master").with_roles(&["master_account"]);
    let manager = Actor::new("am-3").with_roles(&["account_manager"]);
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""EnterpriseMemberInsufficientBudget""#),
        &system(),
        1,
    );
    let c = step(c, "freeze", Some(r#""Violation""#), &system(), 2);
    // The customer cannot allocate the budget; the master account can.
    let refused = c
        .fire_with(
            "allocate_member_budget",
            Some(r#"{"amount": 100}"#),
            &customer(),
            at(3),
        )
        .expect_err("not the master account");
    assert!(matches!(refused.why(), Why::Forbidden { .. }));
    let c = step(
        refused.into_inner(),
        "allocate_member_budget",
        Some(r#"{"amount": 100}"#),
        &master,
        3,
    );
    assert_eq!(
        c.states(),
        ["active", "no_partner", "unrestricted", "frozen"]
    );
    // The materials apply here: the account manager is refused.
    let refused = c
        .fire_as("refer_freeze_to_staff", &manager, at(4))
        .expect_err("the materials apply");
    assert!(
        matches!(refused.why(), Why::Guard(r) if r.guard() == Some("note_materials_do_not_apply"))
    );
    let mut c = refused.into_inner();
    c.data_mut().restriction.note_materials_apply = false;
    let c = step(c, "refer_freeze_to_staff", None, &manager, 4);
    assert_eq!(c.states()[3], "freeze_under_review");
}

#[test]
fn the_partners_freeze_is_one_state_whoever_sets_it() {
    // A reseller customer is frozen by default (004).
    let with_budget = || {
        let c = step(
            start(PartnerModel::Reseller),
            "associate",
            None,
            &customer(),
            1,
        );
        step(c, "set_budget", None, &partner(), 2)
    };
    let c = step(
        start(PartnerModel::Reseller),
        "associate",
        None,
        &customer(),
        1,
    );
    assert_eq!(c.states()[1], "frozen_until_budget");
    assert!(!c.permits("buy_resources") && !c.permits("use_services"));
    assert!(c.permits("log_in") && c.permits("view_bills"));
    // Only the partner's budget unfreezes it.
    let refused = c
        .fire_as("set_budget", &customer(), at(2))
        .expect_err("not the partner");
    assert!(matches!(refused.why(), Why::Forbidden { .. }));
    let c = step(refused.into_inner(), "set_budget", None, &partner(), 2);
    assert!(c.permits("buy_resources"));
    // Over the budget (the platform) or by the partner's hand: one state.
    let over = step(with_budget(), "exceed_budget", None, &system(), 3);
    let by_hand = step(with_budget(), "partner_freeze", None, &partner(), 3);
    assert_eq!(over.states(), by_hand.states());
    assert_eq!(over.states()[1], "frozen_until_budget");

    // An account with no partner cannot be frozen by one (issue: the
    // restriction process let any account be).
    let refused = start(PartnerModel::Reseller)
        .fire_as("partner_freeze", &partner(), at(1))
        .expect_err("no partner");
    assert!(matches!(
        refused.why(),
        Why::NotAllowed {
            state: "no_partner",
            ..
        }
    ));

    // A referral partner's customer is not frozen at all.
    let c = step(
        start(PartnerModel::Referral),
        "associate",
        None,
        &customer(),
        1,
    );
    assert_eq!(c.states()[1], "associated");
    assert!(c.permits("buy_resources"));
}

#[test]
fn a_request_to_disable_services_is_lifted_only_by_restore() {
    // The freeze of a request to disable services is closing's: `freeze`
    // with that reason is refused (002 §1.1.11 read with §1.4.5).
    let refused = start(PartnerModel::Referral)
        .fire_with("freeze", Some(r#""DisableRequested""#), &system(), at(1))
        .expect_err("closing owns it");
    assert!(
        matches!(refused.why(), Why::Guard(r) if r.guard() == Some("freeze_reason_of_its_own"))
    );

    // Closed, the account is frozen: it views its records, buys nothing,
    // and no ticket is the way out: only Restore, from 24 hours on.
    let c = step(start(PartnerModel::Referral), "close", None, &customer(), 0);
    assert!(c.permits("view_bills") && c.permits("log_in"));
    assert!(!c.permits("buy_resources") && !c.permits("use_services"));
    let refused = c
        .fire_with("submit_freeze_ticket", Some(MATERIALS), &customer(), at(1))
        .expect_err("the freeze region is not frozen");
    assert!(matches!(
        refused.why(),
        Why::NotAllowed {
            state: "not_frozen",
            ..
        }
    ));
    let refused = refused
        .into_inner()
        .fire_as("restore", &customer(), at(23))
        .expect_err("within 24 hours of closing");
    assert_eq!(refused.why().code(), "not_yet");
    let c = step(refused.into_inner(), "restore", None, &customer(), 24);
    assert!(c.permits("buy_resources"));
}

#[test]
fn the_retention_period_runs_in_its_own_region() {
    // Closed at hour 0; the restriction region moves at day 30; the
    // retention period still ends 90 days after closing (002 §1.4.4).
    let c = step(start(PartnerModel::Referral), "close", None, &customer(), 0);
    let c = step(
        c,
        "restrict",
        Some(r#""InsufficientBalance""#),
        &system(),
        30 * 24,
    );
    assert_eq!(
        c.next_due(),
        Some(("retention_period_ends", at(0) + 90 * DAY))
    );
    let (c, fired) = c.fire_due(at(100 * 24)).expect("due");
    assert_eq!(fired, "retention_period_ends");
    assert_eq!(
        c.states(),
        ["disabled", "no_partner", "restricted", "not_frozen"]
    );
    assert_eq!(c.entered_at()[0], at(0) + 90 * DAY);
    assert!(!c.permits("log_in") && !c.permits("view_bills"));
}

#[test]
fn an_account_walks_association_a_freeze_closing_and_restoring_typed() {
    let customer = Acting::<role::Customer>::authenticated();
    let partner = Acting::<role::Partner>::authenticated();
    let m = Machine::new(Account::new("acme", PartnerModel::Reseller), at(0));
    let outcome::Associate::FrozenUntilBudget(m) = m.associate(&customer, at(1)).expect("eligible")
    else {
        panic!("the reseller model freezes")
    };
    let m = m.set_budget(&partner, at(2));
    assert_eq!(
        m.states(),
        ["active", "budget_active", "unrestricted", "not_frozen"]
    );
    // `m.close(...)` does not compile here (tests/ui/compile_fail/
    // account_close_while_associated.rs); an account with no partner closes.
    let m = Machine::new(Account::new("other", PartnerModel::Referral), at(0));
    let closed = m.close(&customer, at(1)).expect("nothing in the way");
    let restored = closed
        .restore(&customer, at(25))
        .expect("24 hours have passed");
    assert_eq!(
        restored.states(),
        ["active", "no_partner", "unrestricted", "not_frozen"]
    );
}

/// One owner for each rule: every event the account shares with a
/// process's own definition has the same roles, guards (each with the
/// same words), payload, timer and targets there, up to the state names
/// the account gives its regions; the account differs only by the seams
/// listed here, each with its reason.
#[test]
fn each_event_the_account_shares_with_a_process_is_written_alike() {
    use turnstile_spec::{load, SourceFile, Workflow};

    // The definitions each derive compiled (`Workflow::DEFINITION`).
    fn read<W: turnstile::Workflow>(name: &str) -> Workflow {
        load(&SourceFile::new(name, W::DEFINITION)).expect("a valid definition")
    }
    // The account's state names for a process's own, where they differ:
    // (process, the account's, the process's).
    const SAME_STATE: &[(&str, &str, &str)] = &[
        ("account_restriction", "unrestricted", "in_good_standing"),
        ("account_restriction", "not_frozen", "in_good_standing"),
        // The partner's freeze is one state: the partner region's.
        (
            "account_restriction",
            "frozen_until_budget",
            "frozen_by_partner",
        ),
    ];
    // Guards of a process the account holds by its regions instead: the
    // partner region's `budget_active` is the only state `partner_freeze`
    // leaves, so no guard need ask whether the customer is a reseller's.
    const HELD_BY_REGIONS: &[(&str, &str)] = &[("partner_freeze", "reseller_customer")];
    // The seams: guards the account adds to an event, and why.
    const SEAM_GUARDS: &[(&str, &str)] = &[
        ("restrict", "restriction_reason_of_its_own"), // becoming a partner is `become_partner`
        ("freeze", "freeze_reason_of_its_own"), // closing and `become_partner` own two reasons
    ];

    struct Written {
        by: BTreeSet<String>,
        guards: BTreeSet<(String, Option<String>)>,
        payload: Option<(String, bool)>,
        timer: Option<(String, bool)>,
        to: BTreeSet<String>,
    }
    fn written(w: &Workflow, event: &str, account: Option<&str>) -> Option<Written> {
        let ts: Vec<_> = w
            .transitions
            .iter()
            .filter(|t| t.event.as_str() == event)
            .collect();
        let t = ts.first()?;
        let rename = |s: &str| {
            SAME_STATE
                .iter()
                .find(|(process, ours, _)| account == Some(*process) && *ours == s)
                .map_or(s.to_string(), |(_, _, theirs)| theirs.to_string())
        };
        Some(Written {
            by: t
                .by
                .iter()
                .map(|r| w.role(*r).name.as_str().to_string())
                .collect(),
            guards: t
                .guards
                .iter()
                .map(|g| w.guard(*g))
                .filter(|g| !(account.is_some() && SEAM_GUARDS.contains(&(event, g.name.as_str()))))
                .filter(|g| {
                    !(account.is_none() && HELD_BY_REGIONS.contains(&(event, g.name.as_str())))
                })
                .map(|g| (g.name.as_str().to_string(), g.summary.clone()))
                .collect(),
            payload: t.payload.as_ref().map(|p| (p.ty.clone(), p.sensitive)),
            timer: t.timer.as_ref().map(|t| (t.text.clone(), t.automatic)),
            to: ts
                .iter()
                .flat_map(|t| t.to.iter().map(|s| rename(w.state(*s).name.as_str())))
                .collect(),
        })
    }

    let account = read::<Account>("account.toml");
    let mut compared = 0;
    for process in [
        read::<turnstile_workflows::ServiceClosing>("service_closing.toml"),
        read::<turnstile_workflows::PartnerAssociation>("partner_association.toml"),
        read::<turnstile_workflows::AccountRestriction>("account_restriction.toml"),
    ] {
        for t in &process.transitions {
            let event = t.event.as_str();
            let Some(ours) = written(&account, event, Some(process.name.as_str())) else {
                continue;
            };
            let theirs = written(&process, event, None).unwrap();
            let place = format!(
                "`{event}` in account.toml and {}.toml",
                process.name.as_str()
            );
            assert_eq!(ours.by, theirs.by, "roles of {place}");
            assert_eq!(ours.guards, theirs.guards, "guards of {place}");
            assert_eq!(ours.payload, theirs.payload, "payload of {place}");
            assert_eq!(ours.timer, theirs.timer, "timer of {place}");
            // `decide_freeze` and `renew` end in good standing there, in
            // `not_frozen` here: the freeze is a region of its own.
            assert_eq!(ours.to, theirs.to, "targets of {place}");
            compared += 1;
        }
    }
    // close, delete_account, restore, disable, retention_period_ends;
    // associate, set_budget,
    // exceed_budget; restrict, freeze, partner_freeze, renew, two tickets
    // (the restriction's twice: restricted, and pay-per-use suspended),
    // three decisions; the account manager's referrals (the restriction's
    // twice, the freeze's) and the master account's member budget.
    assert_eq!(compared, 22);
}

/// One owner for the capability rule across regions: the checker's
/// (`turnstile_spec::regions::permits`, which proves the account's
/// `never_permits` and `always_permits`) and the runtime's (what
/// `Current::permits` answers) agree on every capability in every
/// configuration the account can reach.
#[test]
fn the_checker_and_the_runtime_agree_on_what_each_configuration_permits() {
    use turnstile::Workflow as _;
    let text = turnstile_spec::SourceFile::new("account.toml", Account::DEFINITION);
    let w = turnstile_spec::load(&text).expect("a valid definition");
    let configurations =
        turnstile_spec::regions::configurations(&w, 1_000).expect("105 configurations");
    assert_eq!(configurations.len(), 105);
    let mut permitted = 0;
    for config in &configurations {
        let names: Vec<&str> = config.iter().map(|s| w.state(*s).name.as_str()).collect();
        let c = Current::resume(
            &names,
            Account::new("acme", PartnerModel::Referral),
            &[at(0); 4],
        )
        .unwrap_or_else(|_| panic!("({}) resumes", names.join(", ")));
        for (id, capability) in w.capabilities.iter().enumerate() {
            let checker =
                turnstile_spec::regions::permits(&w, config, turnstile_spec::CapabilityId(id));
            assert_eq!(
                c.permits(capability.name.as_str()),
                checker,
                "`{}` in ({})",
                capability.name.as_str(),
                names.join(", ")
            );
            permitted += usize::from(checker);
        }
    }
    // Not every answer is the same one: some configurations permit, some
    // do not.
    assert!(permitted > 0 && permitted < 105 * w.capabilities.len());
}

/// What an actor may fire now, as a store or a service offers it
/// (`Parallel::allowed_for`): the events the configuration allows that do
/// not happen by themselves, whose roles the actor holds.
#[test]
fn what_each_actor_may_fire_in_a_configuration() {
    use turnstile::regions::Parallel;
    let fresh = start(PartnerModel::Referral);
    assert_eq!(
        Account::allowed_for(&fresh, &customer()),
        ["close", "delete_account", "associate"]
    );
    assert_eq!(
        Account::allowed_for(&fresh, &system()),
        ["restrict", "freeze", "become_partner"]
    );
    assert!(Account::allowed_for(&fresh, &partner()).is_empty());
    // Closed: the retention period's end is automatic, never offered.
    let closed = step(fresh, "close", None, &customer(), 1);
    assert_eq!(
        Account::allowed_for(&closed, &customer()),
        ["restore", "disable"]
    );
    assert_eq!(Account::AUTOMATIC, ["retention_period_ends"]);
    assert!(Account::allowed(&closed).contains(&"retention_period_ends"));
}

/// Security risks suspend pay-per-use purchases only (002 §1.1.10, fifth
/// item): the account keeps using its services and buying otherwise,
/// whatever its other regions allow; the same ticket restores it; and
/// closing waits for it as for any restriction.
#[test]
fn security_risks_suspend_pay_per_use_purchases_only() {
    let c = step(
        start(PartnerModel::Referral),
        "restrict",
        Some(r#""SecurityRisk""#),
        &system(),
        1,
    );
    assert_eq!(
        c.states(),
        [
            "active",
            "no_partner",
            "pay_per_use_suspended",
            "not_frozen"
        ]
    );
    assert!(c.permits("use_services") && c.permits("buy_resources"));
    assert!(!c.permits("buy_pay_per_use"));
    let refused = c
        .fire_as("close", &customer(), at(2))
        .expect_err("suspended");
    assert!(matches!(
        refused.why(),
        Why::Condition {
            region: "restriction",
            state: "pay_per_use_suspended",
            ..
        }
    ));
    let c = step(
        refused.into_inner(),
        "submit_restriction_ticket",
        Some(MATERIALS),
        &customer(),
        3,
    );
    assert!(!c.permits("buy_pay_per_use") && c.permits("use_services"));
    let c = step(
        c,
        "decide_pay_per_use_ticket",
        Some(r#"{"restore":true,"note":"verified"}"#),
        &staff(),
        4,
    );
    assert_eq!(c.states()[2], "unrestricted");
    assert!(c.permits("buy_pay_per_use"));
}
