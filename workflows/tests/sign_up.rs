//! Sign-up driven through every transition of `sign_up.toml`, and its refusals.

mod common;

use common::Log;
use turnstile_workflows::rules::sign_up::Funding;
use turnstile_workflows::rules::{AccountType, MobileNumber, Region, VerificationCode};
use turnstile_workflows::{sign_up, SignUp};

use sign_up::outcome::{BindCard, EnableServices, SetEnterpriseDetails};
use sign_up::state::*;
use sign_up::Machine;

/// A visitor in Singapore with a valid form.
fn applicant() -> SignUp {
    let mut data = SignUp::new(Region::Singapore, "mei@example.sg");
    data.email_code = VerificationCode::new("120934", "120934");
    data.password = "tanjong8pagar".into();
    data.emails_in_use.insert("other@example.sg".into());
    data.security_code = VerificationCode::new("5521", "5521");
    data.agreements_accepted = true;
    data.mobile = Some(MobileNumber::parse("+65 9123 4567").unwrap());
    data.sms_code = VerificationCode::new("8841", "8841");
    data.card_verified = true;
    data.age_years = 34;
    data
}

fn registered(log: &mut Log) -> Machine<IdRegistered> {
    let m = Machine::new(applicant());
    fire!(log, m.register_id()).expect("a valid registration")
}

fn enabled(log: &mut Log) -> Machine<ServicesEnabled> {
    let m = registered(log);
    let m = fire!(log, m.skip_security_phone());
    let outcome = fire!(log, m.enable_services()).expect("agreements accepted");
    expect_outcome!(outcome, EnableServices::ServicesEnabled)
}

fn mobile_bound(log: &mut Log) -> Machine<MobileBound> {
    let m = enabled(log);
    let m = fire!(log, m.verify_email());
    fire!(log, m.bind_mobile()).expect("a Singapore number, verified")
}

fn details_set(log: &mut Log) -> Machine<AccountDetailsSet> {
    let m = mobile_bound(log);
    fire!(log, m.set_individual_details())
}

fn bind_card<S>(log: &mut Log, mut m: Machine<S>, verified: bool) -> BindCard
where
    S: sign_up::event::BindCard<BindCard>,
{
    m.data_mut().card_verified = verified;
    fire!(log, m.bind_card())
}

#[test]
fn sign_up_takes_every_transition() {
    let mut log = Log::new("sign_up.toml");

    // A: security phone set; the system is busy twice; card bound at once;
    // Individual becomes Enterprise, then real-name authentication.
    let m = registered(&mut log);
    let mut m = fire!(log, m.set_security_phone()).expect("code verified");
    m.data_mut().system_busy = true;
    let m = expect_outcome!(
        fire!(log, m.enable_services()).unwrap(),
        EnableServices::SystemBusy
    );
    let mut m = expect_outcome!(
        fire!(log, m.enable_services()).unwrap(),
        EnableServices::SystemBusy
    );
    m.data_mut().system_busy = false;
    let mut m = expect_outcome!(
        fire!(log, m.enable_services()).unwrap(),
        EnableServices::ServicesEnabled
    );
    m.data_mut().account_type = AccountType::Individual;
    let m = fire!(log, m.verify_email());
    let m = fire!(log, m.bind_mobile()).unwrap();
    let m = fire!(log, m.set_individual_details());
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let mut m = fire!(log, m.change_to_enterprise()).expect("still Individual");
    m.data_mut().account_type = AccountType::Enterprise;
    let m = fire!(log, m.change_to_enterprise()).expect_err("Enterprise never changes back");
    let m = m.into_machine();
    let m = fire!(log, m.authenticate_real_name()).expect("an adult");
    const { assert!(<RealNameAuthenticated as turnstile::State>::IS_FINAL) };
    assert_eq!(m.state(), "real_name_authenticated");

    // B: Enterprise whose TIN is not found; the card fails twice, a ticket,
    // fails again, another ticket, then binds; real-name authentication skipped.
    let mut m = mobile_bound(&mut log);
    m.data_mut().tin_found = false;
    let m = expect_outcome!(
        fire!(log, m.set_enterprise_details()),
        SetEnterpriseDetails::TinLookupFailed
    );
    let m = fire!(log, m.resolve_tin_by_ticket());
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.submit_card_ticket());
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.submit_card_ticket());
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let m = fire!(log, m.skip_real_name_authentication());
    assert_eq!(m.state(), "information_complete");

    // C: the TIN is found; the payment method is cancelled, then a card fails
    // and a second one binds.
    let m = mobile_bound(&mut log);
    let m = expect_outcome!(
        fire!(log, m.set_enterprise_details()),
        SetEnterpriseDetails::AccountDetailsSet
    );
    let m = fire!(log, m.cancel_payment_method());
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let _ = m;

    // D: a failed card, then cancel, then a card binds from no payment method.
    let m = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.cancel_payment_method());
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let _ = m;

    // E: no card at all, but a voucher.
    let m = details_set(&mut log);
    let mut m = fire!(log, m.cancel_payment_method());
    m.data_mut().funding = Funding {
        voucher: true,
        ..Funding::default()
    };
    let m = fire!(log, m.use_without_card()).expect("a voucher pays");
    assert_eq!(m.state(), "subscribing_without_card");

    log.assert_every_transition_taken();
}

#[test]
fn registration_refusals_name_the_rule_and_hand_the_visitor_back() {
    let mut data = applicant();
    data.password = "short1".into();
    let refused = Machine::new(data)
        .register_id()
        .expect_err("a 6-character password");
    assert_eq!(refused.guard(), Some("password_valid"));
    assert!(
        refused.to_string().contains("at least 8 characters"),
        "{refused}"
    );
    let mut m = refused.into_machine();
    assert_eq!(m.state(), "visitor");

    m.data_mut().password = "longer12".into();
    m.data_mut().region = Region::ChineseMainland;
    let refused = m
        .register_id()
        .expect_err("not on the International website");
    assert_eq!(refused.guard(), Some("region_allowed_on_site"));

    let mut m = refused.into_machine();
    m.data_mut().region = Region::Singapore;
    m.data_mut().emails_in_use.insert("mei@example.sg".into());
    assert_eq!(
        m.register_id().expect_err("email taken").guard(),
        Some("email_unused")
    );
}

#[test]
fn turkiye_ids_register_but_cannot_enable_services() {
    let mut data = applicant();
    data.region = Region::Turkiye;
    let m = Machine::new(data)
        .register_id()
        .expect("Türkiye may register");
    let refused = m
        .skip_security_phone()
        .enable_services()
        .expect_err("but not enable");
    assert_eq!(refused.guard(), Some("region_may_enable_services"));
    assert_eq!(refused.machine().state(), "reading_agreements");
}

#[test]
fn the_mobile_number_must_be_of_the_registration_region() {
    let mut m = enabled(&mut Log::new("sign_up.toml")).verify_email();
    m.data_mut().mobile = Some(MobileNumber::parse("+66 81 234 5678").unwrap());
    let refused = m
        .bind_mobile()
        .expect_err("a Thai number for a Singapore account");
    assert_eq!(refused.guard(), Some("mobile_in_registration_region"));
    let mut m = refused.into_machine();
    m.data_mut().mobile = Some(MobileNumber::parse("+65 8123 4567").unwrap());
    m.data_mut().sms_code.entered = "0000".into();
    assert_eq!(
        m.bind_mobile().expect_err("wrong SMS code").guard(),
        Some("sms_code_verified")
    );
}

#[test]
fn a_minor_cannot_be_authenticated() {
    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    let mut m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    m.data_mut().age_years = 17;
    let refused = m.authenticate_real_name().expect_err("17 years old");
    assert_eq!(refused.guard(), Some("is_adult"));
    let mut m = refused.into_machine();
    m.data_mut().age_years = 18;
    assert!(m.authenticate_real_name().is_ok(), "18 years old");
}

#[test]
fn without_funding_there_is_no_subscription_without_a_card() {
    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    let m = fire!(log, m.cancel_payment_method());
    let refused = m
        .use_without_card()
        .expect_err("no quota, voucher, coupon or reseller");
    assert_eq!(refused.guard(), Some("has_alternative_funding"));
}
