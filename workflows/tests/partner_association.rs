//! Partner association driven through every transition of
//! `partner_association.toml`, and each eligibility rule refusing.

mod common;

use std::time::Duration;

use common::Log;
use turnstile_workflows::rules::partner_association::SEVEN_DAYS;
use turnstile_workflows::rules::{Region, VerificationCode};
use turnstile_workflows::{
    partner_association, CustomerRecord, EnterpriseRole, Invitation, PartnerAssociation,
    PartnerModel, SpecialContract,
};

use partner_association::outcome::{Associate, EnableAndAssociate};
use partner_association::state::*;
use partner_association::Machine;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn invited(model: PartnerModel) -> Machine<Invited> {
    let mut data = PartnerAssociation::new(model, Invitation::OnlineLink, Region::SouthAfrica);
    data.password = "karoo2024".into();
    data.email_code = VerificationCode::new("771204", "771204");
    data.agreements_accepted = true;
    data.customer = CustomerRecord::new(2 * DAY);
    Machine::new(data)
}

fn choosing(log: &mut Log, model: PartnerModel) -> Machine<ChoosingEntry> {
    let m = invited(model);
    match model {
        PartnerModel::Reseller => {
            let m = fire!(log, m.agree_instructions(&pa_customer())).expect("a reseller");
            fire!(log, m.skip_letter_of_authorization(&pa_customer()))
        }
        PartnerModel::Referral => {
            fire!(log, m.continue_without_instructions(&pa_customer())).expect("a referral partner")
        }
    }
}

fn registered(log: &mut Log, model: PartnerModel) -> Machine<Registered> {
    let m = choosing(log, model);
    fire!(log, m.register_for_association(&pa_customer())).expect("a valid password and code")
}

fn logged_in(log: &mut Log, model: PartnerModel) -> Machine<LoggedIn> {
    let m = choosing(log, model);
    fire!(log, m.log_in_for_association(&pa_customer())).expect("an online link")
}

#[test]
fn partner_association_takes_every_transition() {
    let mut log = Log::new("partner_association.toml");

    // A: reseller, letter of authorization agreed, registers; frozen until a
    // budget, which is exceeded and set again.
    let m = invited(PartnerModel::Reseller);
    let m = fire!(log, m.agree_instructions(&pa_customer())).unwrap();
    let m = fire!(log, m.agree_letter_of_authorization(&pa_customer()));
    let m = fire!(log, m.register_for_association(&pa_customer())).unwrap();
    let outcome = fire!(log, m.enable_and_associate(&pa_customer())).unwrap();
    let m = expect_outcome!(outcome, EnableAndAssociate::FrozenUntilBudget);
    let m = fire!(log, m.set_budget(&pa_partner()));
    let m = fire!(log, m.exceed_budget(&pa_system()));
    let _ = fire!(log, m.set_budget(&pa_partner()));

    // B: reseller, existing account: frozen.
    let m = logged_in(&mut log, PartnerModel::Reseller);
    let _ = expect_outcome!(
        fire!(log, m.associate(&pa_customer())).unwrap(),
        Associate::FrozenUntilBudget
    );

    // C: referral, enabling deferred, then associated.
    let m = registered(&mut log, PartnerModel::Referral);
    let m = fire!(log, m.enable_later(&pa_customer()));
    let _ = expect_outcome!(
        fire!(log, m.enable_and_associate(&pa_customer())).unwrap(),
        EnableAndAssociate::Associated
    );

    // D: referral, enabled at once.
    let m = registered(&mut log, PartnerModel::Referral);
    let _ = expect_outcome!(
        fire!(log, m.enable_and_associate(&pa_customer())).unwrap(),
        EnableAndAssociate::Associated
    );

    // E: referral, existing account.
    let m = logged_in(&mut log, PartnerModel::Referral);
    let m = expect_outcome!(
        fire!(log, m.associate(&pa_customer())).unwrap(),
        Associate::Associated
    );
    assert_eq!(m.state(), "associated");

    // F: reseller, enabling deferred, then frozen.
    let m = registered(&mut log, PartnerModel::Reseller);
    let m = fire!(log, m.enable_later(&pa_customer()));
    let _ = expect_outcome!(
        fire!(log, m.enable_and_associate(&pa_customer())).unwrap(),
        EnableAndAssociate::FrozenUntilBudget
    );

    log.assert_every_transition_taken();
}

#[test]
fn every_eligibility_rule_refuses_on_its_own() {
    type Breach = fn(&mut CustomerRecord);
    let breaches: [(&str, PartnerModel, Breach); 10] = [
        ("not_chinese_mainland_site", PartnerModel::Referral, |c| {
            c.chinese_mainland_site = true
        }),
        ("no_other_partner", PartnerModel::Referral, |c| {
            c.other_partner = true
        }),
        ("no_special_contract", PartnerModel::Referral, |c| {
            c.special_contract = Some(SpecialContract::TelemarketingWithDiscounts)
        }),
        (
            "registered_within_seven_days_without_cash_expenditure",
            PartnerModel::Referral,
            |c| c.registered_for = SEVEN_DAYS + Duration::from_secs(1),
        ),
        ("no_unpaid_bills", PartnerModel::Referral, |c| {
            c.unpaid_bills = 1
        }),
        (
            "not_under_unified_accounting_master",
            PartnerModel::Referral,
            |c| c.enterprise_role = EnterpriseRole::UnderUnifiedAccountingMaster,
        ),
        (
            "reseller_no_professional_service_contract",
            PartnerModel::Reseller,
            |c| c.professional_service_contract = true,
        ),
        (
            "reseller_no_valid_reserved_instances",
            PartnerModel::Reseller,
            |c| c.valid_reserved_instances = 2,
        ),
        (
            "reseller_not_enterprise_member",
            PartnerModel::Reseller,
            |c| c.enterprise_role = EnterpriseRole::Member,
        ),
        (
            "reseller_not_master_with_independent_members",
            PartnerModel::Reseller,
            |c| c.enterprise_role = EnterpriseRole::MasterWithIndependentMembers,
        ),
    ];
    for (guard, model, breach) in breaches {
        let mut m = logged_in(&mut Log::new("partner_association.toml"), model);
        breach(&mut m.data_mut().customer);
        let refused = m.associate(&pa_customer()).expect_err(guard);
        assert_eq!(refused.guard(), Some(guard));
        assert_eq!(
            refused.machine().state(),
            "logged_in",
            "the machine comes back"
        );
    }
}

#[test]
fn exactly_seven_days_old_with_no_cash_spent_is_associated() {
    let mut m = logged_in(
        &mut Log::new("partner_association.toml"),
        PartnerModel::Referral,
    );
    m.data_mut().customer.registered_for = 7 * DAY;
    assert!(m.associate(&pa_customer()).is_ok());
}

#[test]
fn the_model_decides_which_first_step_is_open() {
    let refused = invited(PartnerModel::Referral)
        .agree_instructions(&pa_customer())
        .expect_err("no instructions");
    assert_eq!(refused.guard(), Some("is_reseller_model"));
    let refused = invited(PartnerModel::Reseller)
        .continue_without_instructions(&pa_customer())
        .expect_err("a reseller's customer must agree first");
    assert_eq!(refused.guard(), Some("is_not_reseller_model"));
}

#[test]
fn a_qr_code_cannot_associate_an_existing_account() {
    let mut m = choosing(
        &mut Log::new("partner_association.toml"),
        PartnerModel::Referral,
    );
    m.data_mut().invitation = Invitation::QrCode;
    let refused = m
        .log_in_for_association(&pa_customer())
        .expect_err("needs an online link");
    assert_eq!(refused.guard(), Some("invitation_is_online_link"));
    // Registering a new account is still open.
    assert!(refused
        .into_machine()
        .register_for_association(&pa_customer())
        .is_ok());
}

#[test]
fn enabling_needs_the_billing_region_and_the_agreements() {
    let mut m = registered(
        &mut Log::new("partner_association.toml"),
        PartnerModel::Referral,
    );
    m.data_mut().billing_region = Region::Germany;
    let refused = m
        .enable_and_associate(&pa_customer())
        .expect_err("billing address elsewhere");
    assert_eq!(refused.guard(), Some("billing_region_matches"));
    let mut m = refused.into_machine();
    m.data_mut().billing_region = Region::SouthAfrica;
    m.data_mut().agreements_accepted = false;
    assert_eq!(
        m.enable_and_associate(&pa_customer())
            .expect_err("not accepted")
            .guard(),
        Some("agreements_accepted")
    );
}

// Who acts, as the definitions say (`by`).
fn pa_customer() -> turnstile::Acting<turnstile_workflows::partner_association::role::Customer> {
    turnstile::Acting::authenticated()
}

fn pa_partner() -> turnstile::Acting<turnstile_workflows::partner_association::role::Partner> {
    turnstile::Acting::authenticated()
}

fn pa_system() -> turnstile::Acting<turnstile_workflows::partner_association::role::System> {
    turnstile::Acting::authenticated()
}

fn buys<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: partner_association::can::BuyResources,
{
    m.state()
}
fn runs_services<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: partner_association::can::RunServices,
{
    m.state()
}

/// 004: a reseller's customer is frozen by default and cannot buy, renew or
/// change resources, nor run services normally, until the partner sets a
/// budget; a referral partner's customer is not frozen. The typed refusal
/// is `tests/ui/compile_fail/partner_association_no_buying_while_frozen.rs`.
#[test]
fn a_reseller_customer_buys_only_once_the_partner_sets_a_budget() {
    let mut log = Log::new("partner_association.toml");
    let m = logged_in(&mut log, PartnerModel::Referral);
    let m = expect_outcome!(m.associate(&pa_customer()).unwrap(), Associate::Associated);
    assert_eq!((buys(&m), runs_services(&m)), ("associated", "associated"));

    let m = logged_in(&mut log, PartnerModel::Reseller);
    let frozen = expect_outcome!(
        m.associate(&pa_customer()).unwrap(),
        Associate::FrozenUntilBudget
    );
    let active = frozen.set_budget(&pa_partner());
    assert_eq!(
        (buys(&active), runs_services(&active)),
        ("budget_active", "budget_active")
    );

    // By name: the frozen state permits neither, and only the partner sets
    // the budget.
    use turnstile::{Actor, Instance, Why};
    let now = std::time::SystemTime::UNIX_EPOCH;
    let customer = Actor::new("thandi").with_roles(&["customer"]);
    let mut instance = Instance::start(invited(PartnerModel::Reseller).into_data(), now);
    for event in [
        "agree_instructions",
        "skip_letter_of_authorization",
        "log_in_for_association",
        "associate",
    ] {
        instance = instance.fire(event, customer, now).unwrap();
    }
    assert_eq!(instance.state(), "frozen_until_budget");
    assert_eq!(instance.permitted(), [] as [&str; 0]);
    assert!(!instance.permits("buy_resources"));
    let refused = instance.fire("set_budget", customer, now).unwrap_err();
    assert!(
        matches!(refused.why(), Why::Forbidden { allowed, .. } if *allowed == ["partner"]),
        "{refused}"
    );
    let instance = refused
        .into_inner()
        .fire(
            "set_budget",
            Actor::new("karoo-cloud").with_roles(&["partner"]),
            now,
        )
        .unwrap();
    assert!(instance.permits("buy_resources") && instance.permits("run_services"));
    let refused = instance.fire("exceed_budget", customer, now).unwrap_err();
    assert!(
        matches!(refused.why(), Why::Forbidden { allowed, .. } if *allowed == ["system"]),
        "{refused}"
    );
}

/// 004 precautions: associated with a reseller, the customer's cash
/// coupons deduct only expenditure from before the association.
#[test]
fn cash_coupons_pay_only_for_expenditure_before_a_reseller_association() {
    let associated_at = std::time::SystemTime::UNIX_EPOCH + 400 * DAY;
    let before = associated_at - DAY;
    let after = associated_at + DAY;
    let reseller = invited(PartnerModel::Reseller).into_data();
    assert!(reseller.cash_coupon_may_deduct(associated_at, before));
    assert!(!reseller.cash_coupon_may_deduct(associated_at, associated_at));
    assert!(!reseller.cash_coupon_may_deduct(associated_at, after));
    let referral = invited(PartnerModel::Referral).into_data();
    assert!(referral.cash_coupon_may_deduct(associated_at, after));
}
