//! Restricted and frozen accounts, and restoring them, driven through every
//! transition of `account_restriction.toml`; its roles, capabilities and
//! payloads used in both directions (the forbidden direction of the typed
//! API is in `tests/ui/compile_fail/account_restriction_*`).

mod common;

use common::Log;
use turnstile::{Acting, Actor, Instance, Why};
use turnstile_workflows::account_restriction::{
    can, role, state, FreezeReason, IdentityDocument, Machine, MemberBudget, RestorationMaterials,
    RestrictionReason, StaffDecision,
};
use turnstile_workflows::{account_restriction, AccountRestriction};

fn system() -> Acting<role::System> {
    Acting::authenticated()
}
fn partner() -> Acting<role::Partner> {
    Acting::authenticated()
}
fn customer() -> Acting<role::Customer> {
    Acting::authenticated()
}
fn staff() -> Acting<role::Staff> {
    Acting::authenticated()
}
fn account_manager() -> Acting<role::AccountManager> {
    Acting::authenticated()
}
fn master() -> Acting<role::MasterAccount> {
    Acting::authenticated()
}

/// Materials with `methods` of the three verification methods.
fn materials(methods: usize) -> RestorationMaterials {
    RestorationMaterials {
        identity_document: (methods >= 1).then_some(IdentityDocument::ResidentIdentityCard),
        card_front: methods >= 2,
        transaction_months: if methods >= 3 { 6 } else { 0 },
        matches_card_holder: true,
        transactions_match_certificate: true,
    }
}

fn decision(restore: bool) -> StaffDecision {
    StaffDecision {
        restore,
        note: if restore {
            "verified"
        } else {
            "materials unclear"
        }
        .into(),
    }
}

/// Bills can be viewed in every state of this workflow; buying only in
/// good standing.
fn bills<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::ViewBills,
{
    m.state()
}
fn buy<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::BuyResources,
{
    m.state()
}

/// Whether the machine's state permits `capability` (the definition's
/// `permits`, resolved onto each state, as `Instance::permits` reads it).
fn permits<S: turnstile::State>(m: &Machine<S>, capability: &str) -> bool {
    use turnstile::Workflow as _;
    let i = AccountRestriction::STATES
        .iter()
        .position(|s| *s == m.state())
        .unwrap();
    AccountRestriction::PERMITS[i].contains(&capability)
}

#[test]
fn account_restriction_takes_every_transition() {
    let mut log = Log::new("account_restriction.toml");
    let good = Machine::new(AccountRestriction::new("acme", true));
    assert_eq!(buy(&good), "in_good_standing");

    // Restricted for an insufficient balance, restored by a ticket.
    let restricted = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::InsufficientBalance)
        ),
        account_restriction::outcome::Restrict::Restricted
    );
    assert_eq!(
        restricted.data().restriction,
        Some(RestrictionReason::InsufficientBalance)
    );
    assert_eq!(bills(&restricted), "restricted");
    let review = fire!(
        log,
        restricted.submit_restriction_ticket(&customer(), materials(2))
    )
    .expect("two methods with a card bound");
    let restricted = expect_outcome!(
        fire!(log, review.decide_restriction(&staff(), decision(false))),
        account_restriction::outcome::DecideRestriction::Restricted
    );
    let review = fire!(
        log,
        restricted.submit_restriction_ticket(&customer(), materials(3))
    )
    .expect("three methods");
    let good = expect_outcome!(
        fire!(log, review.decide_restriction(&staff(), decision(true))),
        account_restriction::outcome::DecideRestriction::InGoodStanding
    );
    assert_eq!(good.data().restriction, None);
    assert_eq!(good.data().tickets, 2);

    // Restricted, then frozen; a ticket; kept frozen, then restored.
    let restricted = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::ViolationOrUnpaidUse)
        ),
        account_restriction::outcome::Restrict::Restricted
    );
    let frozen = fire!(log, restricted.freeze(&system(), FreezeReason::Violation));
    let review = fire!(log, frozen.submit_freeze_ticket(&customer(), materials(2))).unwrap();
    let frozen = expect_outcome!(
        fire!(log, review.decide_freeze(&staff(), decision(false))),
        account_restriction::outcome::DecideFreeze::Frozen
    );
    let review = fire!(log, frozen.submit_freeze_ticket(&customer(), materials(2))).unwrap();
    let good = expect_outcome!(
        fire!(log, review.decide_freeze(&staff(), decision(true))),
        account_restriction::outcome::DecideFreeze::InGoodStanding
    );
    assert_eq!((good.data().freeze, good.data().restriction), (None, None));

    // Frozen for services not renewed: the customer renews.
    let frozen = fire!(log, good.freeze(&system(), FreezeReason::NotRenewed));
    let good = fire!(log, frozen.renew(&customer())).expect("frozen for non-renewal");

    // The reseller partner's freeze, lifted by the partner: only a
    // reseller customer's partner freezes it.
    let refused = good
        .partner_freeze(&partner())
        .expect_err("not a reseller customer");
    assert_eq!(refused.guard(), Some("reseller_customer"));
    let mut good = refused.into_machine();
    good.data_mut().reseller_customer = true;
    let by_partner = fire!(log, good.partner_freeze(&partner())).expect("a reseller customer");
    assert_eq!(bills(&by_partner), "frozen_by_partner");
    let good = fire!(log, by_partner.partner_unfreeze(&partner()));
    assert_eq!(good.state(), "in_good_standing");

    // Security risks suspend pay-per-use purchases only (002 §1.1.10):
    // the account still uses its services and buys otherwise; the same
    // ticket restores it; a freeze on top limits it altogether.
    let suspended = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::SecurityRisk)
        ),
        account_restriction::outcome::Restrict::PayPerUseSuspended
    );
    assert_eq!(buy(&suspended), "pay_per_use_suspended");
    assert!(permits(&suspended, "use_services"));
    assert!(!permits(&suspended, "buy_pay_per_use"));
    let review = fire!(
        log,
        suspended.submit_restriction_ticket(&customer(), materials(2))
    )
    .expect("two methods with a card bound");
    assert!(!permits(&review, "buy_pay_per_use") && permits(&review, "use_services"));
    let suspended = expect_outcome!(
        fire!(
            log,
            review.decide_pay_per_use_ticket(&staff(), decision(false))
        ),
        account_restriction::outcome::DecidePayPerUseTicket::PayPerUseSuspended
    );
    let review = fire!(
        log,
        suspended.submit_restriction_ticket(&customer(), materials(2))
    )
    .unwrap();
    let good = expect_outcome!(
        fire!(
            log,
            review.decide_pay_per_use_ticket(&staff(), decision(true))
        ),
        account_restriction::outcome::DecidePayPerUseTicket::InGoodStanding
    );
    assert!(permits(&good, "buy_pay_per_use"));
    let suspended = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::SecurityRisk)
        ),
        account_restriction::outcome::Restrict::PayPerUseSuspended
    );
    let mut frozen = fire!(log, suspended.freeze(&system(), FreezeReason::Violation));
    assert!(!permits(&frozen, "buy_resources") && !permits(&frozen, "use_services"));

    // Where the NOTE's materials do not apply, the account manager takes
    // the request to staff, for a freeze and for either restriction
    // (NOTE after §1.1.10); where they apply, the account manager is
    // refused and the customer's ticket is the way.
    frozen.data_mut().note_materials_apply = false;
    let review = fire!(log, frozen.refer_freeze_to_staff(&account_manager()))
        .expect("the materials do not apply here");
    let good = expect_outcome!(
        fire!(log, review.decide_freeze(&staff(), decision(true))),
        account_restriction::outcome::DecideFreeze::InGoodStanding
    );
    let restricted = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::InsufficientBalance)
        ),
        account_restriction::outcome::Restrict::Restricted
    );
    let _ = fire!(
        log,
        restricted.refer_restriction_to_staff(&account_manager())
    )
    .expect("the materials do not apply here");
    let mut good = Machine::new(AccountRestriction::new("acme", true));
    good.data_mut().note_materials_apply = false;
    let suspended = expect_outcome!(
        fire!(
            log,
            good.restrict(&system(), RestrictionReason::SecurityRisk)
        ),
        account_restriction::outcome::Restrict::PayPerUseSuspended
    );
    let review = fire!(
        log,
        suspended.refer_restriction_to_staff(&account_manager())
    )
    .expect("the materials do not apply here");
    assert_eq!(review.state(), "pay_per_use_under_review");

    // An enterprise member restricted for its budget: its master account
    // allocates one, which lifts the restriction (002 §3.1.13).
    let good = Machine::new(AccountRestriction::new("acme-member", true));
    let restricted = expect_outcome!(
        fire!(
            log,
            good.restrict(
                &system(),
                RestrictionReason::EnterpriseMemberInsufficientBudget
            )
        ),
        account_restriction::outcome::Restrict::Restricted
    );
    let good = fire!(
        log,
        restricted.allocate_member_budget(&master(), MemberBudget { amount: 50_000 })
    )
    .expect("a budget for a member restricted for its budget");
    assert_eq!(good.data().restriction, None);
    assert_eq!(buy(&good), "in_good_standing");

    log.assert_every_transition_taken();
}

/// The account manager's way and the master account's budget, at their
/// boundaries: each refused where its rule does not hold, handing back the
/// machine (and the budget).
#[test]
fn the_account_manager_and_the_master_account_at_their_boundaries() {
    let frozen = Machine::new(AccountRestriction::new("acme", true))
        .freeze(&system(), FreezeReason::Violation);
    let refused = frozen
        .refer_freeze_to_staff(&account_manager())
        .unwrap_err();
    assert_eq!(refused.guard(), Some("note_materials_do_not_apply"));
    assert_eq!(refused.into_machine().state(), "frozen");

    let restrict = |reason| match Machine::new(AccountRestriction::new("m", false))
        .restrict(&system(), reason)
    {
        account_restriction::outcome::Restrict::Restricted(m) => m,
        other => panic!("{}", other.state()),
    };
    // Another reason: the budget does not lift it.
    let refused = restrict(RestrictionReason::InsufficientBalance)
        .allocate_member_budget(&master(), MemberBudget { amount: 50_000 })
        .unwrap_err();
    assert_eq!(refused.guard(), Some("restricted_for_member_budget"));
    // The member's budget, but none allocated.
    let refused = restrict(RestrictionReason::EnterpriseMemberInsufficientBudget)
        .allocate_member_budget(&master(), MemberBudget { amount: 0 })
        .unwrap_err();
    assert_eq!(refused.guard(), Some("restricted_for_member_budget"));
    let (m, budget) = refused.into_machine_and_payload();
    assert_eq!((m.state(), budget.amount), ("restricted", 0));
    // One unit is enough.
    assert!(m
        .allocate_member_budget(&master(), MemberBudget { amount: 1 })
        .is_ok());

    // By name: the customer cannot allocate the budget, nor the account
    // manager decide; `Forbidden` names who may.
    let t0 = std::time::SystemTime::UNIX_EPOCH;
    let holder = Actor::new("member").with_roles(&["customer"]);
    let master_account = Actor::new("acme-master").with_roles(&["master_account"]);
    let platform = Actor::new("risk-engine").with_roles(&["system"]);
    let instance = Instance::start(AccountRestriction::new("m", false), t0)
        .fire_with(
            "restrict",
            Some("\"EnterpriseMemberInsufficientBudget\""),
            platform,
            t0,
        )
        .unwrap();
    let refused = instance
        .fire_with(
            "allocate_member_budget",
            Some("{\"amount\": 10}"),
            holder,
            t0,
        )
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::Forbidden {
            allowed: ["master_account"],
            ..
        }
    ));
    let instance = refused
        .into_inner()
        .fire_with(
            "allocate_member_budget",
            Some("{\"amount\": 10}"),
            master_account,
            t0,
        )
        .unwrap();
    assert_eq!(instance.state(), "in_good_standing");
}

#[test]
fn the_ticket_needs_two_methods_with_a_card_and_the_first_without() {
    // With a card bound: one method is refused by `verification_complete`,
    // and the payload changed nothing.
    let frozen = Machine::new(AccountRestriction::new("acme", true))
        .freeze(&system(), FreezeReason::Violation);
    let refused = frozen
        .submit_freeze_ticket(&customer(), materials(1))
        .unwrap_err();
    assert_eq!(refused.guard(), Some("verification_complete"));
    let frozen = refused.into_machine();
    assert_eq!(frozen.data().tickets, 0);
    // Two methods whose holder does not match the card: `materials_match`.
    let mismatched = RestorationMaterials {
        matches_card_holder: false,
        ..materials(2)
    };
    let refused = frozen
        .submit_freeze_ticket(&customer(), mismatched)
        .unwrap_err();
    assert_eq!(refused.guard(), Some("materials_match"));

    // Without a card: the identity document alone; the card's methods
    // cannot stand in for it.
    let frozen = Machine::new(AccountRestriction::new("solo", false))
        .freeze(&system(), FreezeReason::DisableRequested);
    let card_only = RestorationMaterials {
        identity_document: None,
        card_front: true,
        transaction_months: 6,
        matches_card_holder: true,
        transactions_match_certificate: false,
    };
    let frozen = frozen
        .submit_freeze_ticket(&customer(), card_only)
        .unwrap_err()
        .into_machine();
    let review: Machine<state::FreezeUnderReview> = frozen
        .submit_freeze_ticket(&customer(), materials(1))
        .unwrap();
    assert_eq!(review.data().tickets, 1);
}

#[test]
fn renewing_restores_only_an_account_frozen_for_non_renewal() {
    let frozen = Machine::new(AccountRestriction::new("acme", true))
        .freeze(&system(), FreezeReason::BecamePartner);
    let refused = frozen.renew(&customer()).unwrap_err();
    assert_eq!(refused.guard(), Some("frozen_for_non_renewal"));
}

/// By name, as the reference service fires it: the actor's roles decide,
/// payloads arrive as JSON, and the trail keeps who acted, in which role,
/// and what was brought (the materials as their digest only).
#[test]
fn by_name_roles_payloads_and_the_trail() {
    let t0 = std::time::SystemTime::UNIX_EPOCH;
    let instance = Instance::start(AccountRestriction::new("acme", true), t0);
    assert!(instance.permits("buy_resources"));
    let platform = Actor::new("risk-engine").with_roles(&["system"]);
    let holder = Actor::new("acme-admin").with_roles(&["customer"]);
    let agent = Actor::new("agent-7").with_roles(&["staff"]);

    // An event that brings no payload, given one: the roles come first.
    let refused = instance
        .fire_with("partner_freeze", Some("{}"), holder, t0)
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::Forbidden {
            allowed: ["partner"],
            ..
        }
    ));
    let reseller = Actor::new("reseller-1").with_roles(&["partner"]);
    let refused = refused
        .into_inner()
        .fire_with("partner_freeze", Some("{}"), reseller, t0)
        .unwrap_err();
    assert!(
        matches!(refused.why(), Why::BadPayload { expected: None, .. }),
        "{}",
        refused.why()
    );
    let instance = refused.into_inner();

    // The customer cannot restrict; nothing changes.
    let refused = instance
        .fire_with("restrict", Some("\"InsufficientBalance\""), holder, t0)
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::Forbidden {
            allowed: ["system"],
            ..
        }
    ));
    let instance = refused.into_inner();
    let instance = instance
        .fire_with("freeze", Some("\"Violation\""), platform, t0)
        .unwrap();
    assert_eq!(
        instance.permitted(),
        ["log_in", "view_bills", "submit_ticket"]
    );
    assert!(!instance.permits("buy_resources"));
    let json = serde_json::to_string(&materials(2)).unwrap();
    let instance = instance
        .fire_with("submit_freeze_ticket", Some(&json), holder, t0)
        .unwrap();
    // Staff decide; a customer may not.
    let verdict = "{\"restore\": true, \"note\": \"verified\"}";
    let refused = instance
        .fire_with("decide_freeze", Some(verdict), holder, t0)
        .unwrap_err();
    assert!(matches!(refused.why(), Why::Forbidden { .. }));
    let instance = refused
        .into_inner()
        .fire_with("decide_freeze", Some(verdict), agent, t0)
        .unwrap();
    assert_eq!(instance.state(), "in_good_standing");
    let trail: Vec<(&str, Option<&str>, Option<&str>)> = instance
        .trail()
        .iter()
        .map(|s| (s.event.as_str(), s.role.as_deref(), s.payload.as_deref()))
        .collect();
    assert_eq!(trail[0], ("freeze", Some("system"), Some("\"Violation\"")));
    assert_eq!(trail[1].1, Some("customer"));
    assert!(trail[1].2.unwrap().starts_with("sha256:"), "{trail:?}");
    assert_eq!(
        trail[2],
        (
            "decide_freeze",
            Some("staff"),
            Some("{\"restore\":true,\"note\":\"verified\"}")
        )
    );
}

/// Every reason 002 §1.1.10 and §3.1.13 give for suspending an account is
/// one `restrict` takes, by name as its payload: §3.1.13 adds incomplete
/// payment information and an enterprise member account's insufficient
/// budget to §1.1.10's list.
#[test]
fn every_reason_the_documents_give_for_a_suspension_restricts() {
    let platform = Actor::new("platform").with_roles(&["system"]);
    let t0 = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_510_800);
    for (text, reason) in [
        (
            "ViolationOrUnpaidUse",
            RestrictionReason::ViolationOrUnpaidUse,
        ),
        (
            "RealNameAuthenticationFailed",
            RestrictionReason::RealNameAuthenticationFailed,
        ),
        (
            "InsufficientBalance",
            RestrictionReason::InsufficientBalance,
        ),
        ("BecamePartner", RestrictionReason::BecamePartner),
        ("SecurityRisk", RestrictionReason::SecurityRisk),
        (
            "PaymentInformationIncomplete",
            RestrictionReason::PaymentInformationIncomplete,
        ),
        (
            "EnterpriseMemberInsufficientBudget",
            RestrictionReason::EnterpriseMemberInsufficientBudget,
        ),
    ] {
        let instance = Instance::start(AccountRestriction::new("acme", true), t0);
        let restricted = instance
            .fire_with("restrict", Some(&format!("\"{text}\"")), platform, t0)
            .unwrap_or_else(|r| panic!("{text}: {}", r.why()));
        // Security risks suspend pay-per-use purchases only (the fifth
        // item of 002 §1.1.10); every other reason restricts the use.
        let expected = if reason == RestrictionReason::SecurityRisk {
            "pay_per_use_suspended"
        } else {
            "restricted"
        };
        assert_eq!(restricted.state(), expected, "{text}");
        assert_eq!(restricted.data().restriction, Some(reason));
        assert_eq!(restricted.permits("use_services"), expected != "restricted");
        assert!(!restricted.permits("buy_pay_per_use"), "{text}");
    }
}
