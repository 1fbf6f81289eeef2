//! Sign-up driven through every transition of `sign_up.toml`, and its refusals.

mod common;

use common::Log;
use turnstile::Acting;
use turnstile_workflows::rules::sign_up::{
    EnterpriseInformation, Funding, TenantRegionChange, TinTicket,
};
use turnstile_workflows::rules::{AccountType, MobileNumber, Region, VerificationCode};
use turnstile_workflows::{sign_up, SignUp};

use sign_up::outcome::{BindCard, EnableServices, SetEnterpriseDetails};
use sign_up::state::*;
use sign_up::Machine;

/// The person signing up, who takes every step (003; 002 §1.1.12).
fn customer() -> Acting<sign_up::role::Customer> {
    Acting::authenticated()
}

/// After-sales staff, who answer sign-up's service tickets (002 §3.1.7;
/// 003 step 5.3).
fn staff() -> Acting<sign_up::role::Staff> {
    Acting::authenticated()
}

/// An enterprise's information, every field filled in.
fn enterprise() -> EnterpriseInformation {
    EnterpriseInformation {
        tin: "201912345K".into(),
        name: "Tanjong Labs Pte Ltd".into(),
        address: "1 Tanjong Pagar Road".into(),
        city: "Singapore".into(),
        state_province: "Singapore".into(),
        postal_code: "088539".into(),
    }
}

/// A visitor in Singapore with a valid form.
fn applicant() -> SignUp {
    let mut data = SignUp::new(Region::Singapore, "mei@example.sg");
    data.email_code = VerificationCode::new("120934", "120934");
    data.information_email_code = VerificationCode::new("553201", "553201");
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
    fire!(log, m.register_id(&customer())).expect("a valid registration")
}

fn enabled(log: &mut Log) -> Machine<ServicesEnabled> {
    let m = registered(log);
    let m = fire!(log, m.skip_security_phone(&customer()));
    let outcome = fire!(log, m.enable_services(&customer())).expect("agreements accepted");
    expect_outcome!(outcome, EnableServices::ServicesEnabled)
}

fn mobile_bound(log: &mut Log) -> Machine<MobileBound> {
    let m = enabled(log);
    let m = fire!(log, m.verify_email(&customer())).expect("the Complete Information code");
    fire!(log, m.bind_mobile(&customer())).expect("a Singapore number, verified")
}

fn details_set(log: &mut Log) -> Machine<AccountDetailsSet> {
    let m = mobile_bound(log);
    fire!(log, m.set_individual_details(&customer()))
}

/// The account manager, who authenticates a Russian account's real name
/// by a paper agreement (002 §2.3).
fn account_manager() -> Acting<sign_up::role::AccountManager> {
    Acting::authenticated()
}

/// A customer registered in Russia, through to a bound card.
fn russian_card_bound(log: &mut Log) -> Machine<PaymentMethodBound> {
    let mut m = Machine::new(applicant());
    m.choose_region(Region::Russia);
    m.data_mut().mobile = Some(MobileNumber::parse("+7 912 345 6789").unwrap());
    let m = fire!(log, m.register_id(&customer())).expect("a valid registration");
    let m = fire!(log, m.skip_security_phone(&customer()));
    let m = expect_outcome!(
        fire!(log, m.enable_services(&customer())).unwrap(),
        EnableServices::ServicesEnabled
    );
    let m = fire!(log, m.verify_email(&customer())).unwrap();
    let m = fire!(log, m.bind_mobile(&customer())).expect("a Russian number");
    let m = fire!(log, m.set_individual_details(&customer()));
    expect_outcome!(bind_card(log, m, true), BindCard::PaymentMethodBound)
}

fn bind_card<S>(log: &mut Log, mut m: Machine<S>, verified: bool) -> BindCard
where
    S: sign_up::event::BindCard<sign_up::role::Customer, BindCard>,
{
    m.data_mut().card_verified = verified;
    fire!(log, m.bind_card(&customer()))
}

#[test]
fn sign_up_takes_every_transition() {
    let mut log = Log::new("sign_up.toml");

    // A: security phone set; the system is busy twice; card bound at once;
    // Individual becomes Enterprise, then real-name authentication.
    let m = registered(&mut log);
    let mut m = fire!(log, m.set_security_phone(&customer())).expect("code verified");
    m.data_mut().system_busy = true;
    let m = expect_outcome!(
        fire!(log, m.enable_services(&customer())).unwrap(),
        EnableServices::SystemBusy
    );
    let mut m = expect_outcome!(
        fire!(log, m.enable_services(&customer())).unwrap(),
        EnableServices::SystemBusy
    );
    m.data_mut().system_busy = false;
    let mut m = expect_outcome!(
        fire!(log, m.enable_services(&customer())).unwrap(),
        EnableServices::ServicesEnabled
    );
    m.data_mut().account_type = AccountType::Individual;
    let m = fire!(log, m.verify_email(&customer())).unwrap();
    let m = fire!(log, m.bind_mobile(&customer())).unwrap();
    let m = fire!(log, m.set_individual_details(&customer()));
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let m =
        fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("still Individual");
    assert_eq!(m.data().account_type, AccountType::Enterprise);
    assert_eq!(m.data().enterprise, Some(enterprise()));
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise()))
        .expect_err("Enterprise never changes back");
    let m = m.into_machine();
    // The tenant's country/region changes through the account manager,
    // with a certificate of the new one; the ID's stays (002 §1.2.2).
    let wrong = TenantRegionChange {
        region: Region::Brazil,
        certificate_issued_in: Region::Singapore,
    };
    let m = fire!(log, m.change_tenant_region(&account_manager(), wrong))
        .expect_err("a certificate of another region")
        .into_machine();
    let moved = TenantRegionChange {
        region: Region::Brazil,
        certificate_issued_in: Region::Brazil,
    };
    let m = fire!(log, m.change_tenant_region(&account_manager(), moved)).expect("its certificate");
    assert_eq!(m.data().tenant_region, Some(Region::Brazil));
    assert_eq!(m.data().region(), Region::Singapore);
    let m = fire!(log, m.authenticate_real_name(&customer())).expect("an adult");
    const { assert!(<RealNameAuthenticated as turnstile::State>::IS_FINAL) };
    assert_eq!(m.state(), "real_name_authenticated");

    // B: Enterprise whose TIN is not found; the card fails twice, a ticket,
    // fails again, another ticket, then binds; real-name authentication skipped.
    let mut m = mobile_bound(&mut log);
    m.data_mut().tin_found = false;
    m.data_mut().account_type = AccountType::Enterprise;
    let m = expect_outcome!(
        fire!(log, m.set_enterprise_details(&customer())),
        SetEnterpriseDetails::TinLookupFailed
    );
    // The ticket must give every field of 002 §3.1.7.
    let mut short = TinTicket {
        enterprise: enterprise(),
    };
    short.enterprise.postal_code = " ".into();
    let m = fire!(log, m.submit_tin_ticket(&customer(), short))
        .expect_err("no postal code")
        .into_machine();
    let ticket = TinTicket {
        enterprise: enterprise(),
    };
    let m = fire!(log, m.submit_tin_ticket(&customer(), ticket)).expect("every field");
    let m = fire!(log, m.resolve_tin_by_ticket(&staff()));
    assert_eq!(m.data().enterprise, Some(enterprise()));
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.submit_card_ticket(&customer()));
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.submit_card_ticket(&customer()));
    // The staff answer; the customer is back at the payment step.
    let m = fire!(log, m.answer_card_ticket(&staff()));
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let m = fire!(log, m.skip_real_name_authentication(&customer()));
    assert_eq!(m.state(), "information_complete");
    // Skipping it is not for good: still Individual, the account may
    // become Enterprise, and it authenticates later from the Basic
    // Information page (002 §1.1.12 step 8, §3.1.16).
    let m = fire!(log, m.change_tenant_region(&account_manager(), moved)).expect("its certificate");
    // An Enterprise account never becomes Enterprise again, nor Individual.
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise()))
        .expect_err("already Enterprise")
        .into_machine();
    let m = fire!(log, m.authenticate_real_name(&customer())).expect("an adult");
    assert_eq!(m.state(), "real_name_authenticated");

    // C: the TIN is found; the payment method is cancelled, then a card fails
    // and a second one binds.
    let m = mobile_bound(&mut log);
    let m = expect_outcome!(
        fire!(log, m.set_enterprise_details(&customer())),
        SetEnterpriseDetails::AccountDetailsSet
    );
    let m = fire!(log, m.cancel_payment_method(&customer()));
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let _ = m;

    // D: a failed card, then cancel, then a card binds from no payment method.
    let m = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, m, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.cancel_payment_method(&customer()));
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    let _ = m;

    // E: no card at all, but a voucher.
    let m = details_set(&mut log);
    let mut m = fire!(log, m.cancel_payment_method(&customer()));
    m.data_mut().funding = Funding {
        voucher: true,
        ..Funding::default()
    };
    let m = fire!(log, m.use_without_card(&customer())).expect("a voucher pays");
    assert_eq!(m.state(), "subscribing_without_card");

    // G: an Individual account becomes Enterprise at any point before
    // real-name authentication (002 §3.1.16 note), wherever it is.
    let m = details_set(&mut log);
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("Individual");
    assert_eq!(m.data().account_type, AccountType::Enterprise);
    let d = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, d, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("Individual");
    let m = fire!(log, m.submit_card_ticket(&customer()));
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise()))
        .expect_err("already Enterprise")
        .into_machine();
    let _ = m;
    let d = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, d, false), BindCard::CardBindingFailed);
    let m = fire!(log, m.submit_card_ticket(&customer()));
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("Individual");
    // Binding again while the ticket is open.
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    assert_eq!(m.data().account_type, AccountType::Enterprise);
    let m = details_set(&mut log);
    let m = fire!(log, m.cancel_payment_method(&customer()));
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("Individual");
    assert_eq!(m.state(), "no_payment_method");
    let d = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, d, true), BindCard::PaymentMethodBound);
    let m = fire!(log, m.skip_real_name_authentication(&customer()));
    let m = fire!(log, m.change_to_enterprise(&customer(), enterprise())).expect("Individual");
    assert_eq!(m.state(), "information_complete");

    // H: a visitor who came through the Chinese Mainland website's address
    // registers there; back on International, it registers here (002
    // §1.2.6).
    let mut m = Machine::new(applicant());
    m.data_mut().on_international_site = false;
    let m = fire!(log, m.register_id(&customer()))
        .expect_err("not on the International website")
        .into_machine();
    let m = fire!(log, m.register_on_chinese_mainland_site(&customer()));
    let mut m = fire!(log, m.return_to_international_site(&customer()));
    m.data_mut().on_international_site = true;
    let m = fire!(log, m.register_id(&customer())).expect("on International");
    assert_eq!(m.state(), "id_registered");

    // F: in Russia, the account manager authenticates by a paper
    // agreement, right after the card or later (002 §2.3).
    let m = russian_card_bound(&mut log);
    let m = fire!(log, m.sign_paper_agreement(&account_manager())).expect("registered in Russia");
    assert_eq!(m.state(), "real_name_authenticated");
    let m = russian_card_bound(&mut log);
    let m = fire!(log, m.skip_real_name_authentication(&customer()));
    let m = fire!(log, m.sign_paper_agreement(&account_manager())).expect("registered in Russia");
    assert_eq!(m.state(), "real_name_authenticated");

    log.assert_every_transition_taken();
}

#[test]
fn registration_refusals_name_the_rule_and_hand_the_visitor_back() {
    let mut data = applicant();
    data.password = "short1".into();
    let refused = Machine::new(data)
        .register_id(&customer())
        .expect_err("a 6-character password");
    assert_eq!(refused.guard(), Some("password_valid"));
    assert!(
        refused.to_string().contains("at least 8 characters"),
        "{refused}"
    );
    let mut m = refused.into_machine();
    assert_eq!(m.state(), "visitor");

    m.data_mut().password = "longer12".into();
    m.choose_region(Region::ChineseMainland);
    let refused = m
        .register_id(&customer())
        .expect_err("not on the International website");
    assert_eq!(refused.guard(), Some("region_allowed_on_site"));

    let mut m = refused.into_machine();
    m.choose_region(Region::Singapore);
    m.data_mut().emails_in_use.insert("mei@example.sg".into());
    assert_eq!(
        m.register_id(&customer()).expect_err("email taken").guard(),
        Some("email_unused")
    );
}

/// Huawei Cloud provides services only for adults: a minor gets no
/// account at all, not only no authentication (002 §2.2).
#[test]
fn a_minor_gets_no_account() {
    let mut data = applicant();
    data.age_years = 17;
    let refused = Machine::new(data)
        .register_id(&customer())
        .expect_err("17 years old");
    assert_eq!(refused.guard(), Some("is_adult"));
    let mut m = refused.into_machine();
    assert_eq!(m.state(), "visitor");
    m.data_mut().age_years = 18;
    assert!(m.register_id(&customer()).is_ok(), "18 years old");
}

#[test]
fn turkiye_ids_register_but_cannot_enable_services() {
    let mut m = Machine::new(applicant());
    m.choose_region(Region::Turkiye);
    let m = m.register_id(&customer()).expect("Türkiye may register");
    let refused = m
        .skip_security_phone(&customer())
        .enable_services(&customer())
        .expect_err("but not enable");
    assert_eq!(refused.guard(), Some("region_may_enable_services"));
    assert_eq!(refused.machine().state(), "reading_agreements");
}

#[test]
fn the_mobile_number_must_be_of_the_registration_region() {
    let mut m = enabled(&mut Log::new("sign_up.toml"))
        .verify_email(&customer())
        .unwrap();
    m.data_mut().mobile = Some(MobileNumber::parse("+66 81 234 5678").unwrap());
    let refused = m
        .bind_mobile(&customer())
        .expect_err("a Thai number for a Singapore account");
    assert_eq!(refused.guard(), Some("mobile_in_registration_region"));
    let mut m = refused.into_machine();
    m.data_mut().mobile = Some(MobileNumber::parse("+65 8123 4567").unwrap());
    m.data_mut().sms_code.entered = "0000".into();
    assert_eq!(
        m.bind_mobile(&customer())
            .expect_err("wrong SMS code")
            .guard(),
        Some("sms_code_verified")
    );
}

#[test]
fn a_minor_cannot_be_authenticated() {
    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    let mut m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    m.data_mut().age_years = 17;
    let refused = m
        .authenticate_real_name(&customer())
        .expect_err("17 years old");
    assert_eq!(refused.guard(), Some("is_adult"));
    let mut m = refused.into_machine();
    m.data_mut().age_years = 18;
    assert!(
        m.authenticate_real_name(&customer()).is_ok(),
        "18 years old"
    );
}

#[test]
fn without_funding_there_is_no_subscription_without_a_card() {
    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    let m = fire!(log, m.cancel_payment_method(&customer()));
    let refused = m
        .use_without_card(&customer())
        .expect_err("no quota, voucher, coupon or reseller");
    assert_eq!(refused.guard(), Some("has_alternative_funding"));
}

fn chooses_region<S: turnstile::State>(m: &mut Machine<S>, region: Region)
where
    Machine<S>: sign_up::can::ChooseRegion,
{
    m.choose_region(region);
}
fn views<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: sign_up::can::ViewServices,
{
    m.state()
}
fn subscribes<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: sign_up::can::SubscribeServices,
{
    m.state()
}
fn buys_in_chinese_mainland<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: sign_up::can::BuyInChineseMainland,
{
    m.state()
}

/// 002 §1.2.2: the registration country/region is chosen before the ID is
/// registered and fixed afterwards. The typed API has no way to change it
/// after registration (`tests/ui/compile_fail/sign_up_region_fixed_after_registration.rs`);
/// by name, the change is refused and nothing changes.
#[test]
fn the_region_is_chosen_before_registration_and_fixed_after() {
    let mut m = Machine::new(applicant());
    chooses_region(&mut m, Region::Thailand);
    chooses_region(&mut m, Region::Singapore);
    assert_eq!(m.data().region(), Region::Singapore);
    let registered = m.register_id(&customer()).unwrap();
    assert_eq!(registered.data().region(), Region::Singapore);

    let mut instance = turnstile::Instance::start(applicant(), std::time::SystemTime::UNIX_EPOCH);
    sign_up::choose_region(&mut instance, Region::Thailand).expect("a visitor chooses");
    assert_eq!(instance.data().region(), Region::Thailand);
    let mut instance = instance
        .fire(
            "register_id",
            turnstile::Actor::new("mei").with_roles(&["customer"]),
            std::time::SystemTime::UNIX_EPOCH,
        )
        .unwrap();
    let refused = sign_up::choose_region(&mut instance, Region::Germany).unwrap_err();
    assert_eq!(refused.state, "id_registered");
    assert_eq!(
        refused.to_string(),
        "sign_up: the registration country/region (Thailand) cannot be changed in state \
         `id_registered`: it is fixed once the HUAWEI ID is registered (002 §1.2.2); delete \
         the ID and register a new one in another country/region"
    );
    assert_eq!(instance.data().region(), Region::Thailand);
    assert!(!instance.permits("choose_region"));
}

/// 002 §3.1.1, §1.1.13, §2.1: services can be viewed once enabled,
/// subscribed to only with a payment method (or another source of funds),
/// and bought in the Chinese mainland only after real-name authentication.
#[test]
fn subscribing_needs_a_payment_method_and_the_chinese_mainland_real_names() {
    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    assert_eq!(views(&m), "account_details_set");
    let m = m.cancel_payment_method(&customer());
    assert_eq!(views(&m), "no_payment_method");
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    assert_eq!(
        (views(&m), subscribes(&m)),
        ("payment_method_bound", "payment_method_bound")
    );
    let m = m.authenticate_real_name(&customer()).unwrap();
    assert_eq!(buys_in_chinese_mainland(&m), "real_name_authenticated");

    // By name, the same facts, and the refusals' direction.
    let instance = turnstile::Instance::start(applicant(), std::time::SystemTime::UNIX_EPOCH);
    assert_eq!(instance.permitted(), ["choose_region"]);
    assert!(!instance.permits("view_services"));
    let refused = instance
        .fire(
            "register_id",
            turnstile::Actor::new("mei"),
            std::time::SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
    assert!(
        matches!(refused.why(), turnstile::Why::Forbidden { allowed, .. } if *allowed == ["customer"]),
        "{refused}"
    );
}

/// Completing information starts with a code sent to the email (002
/// §1.1.12 step 1), another than the registration's: a wrong one is
/// refused and the step waits; the right one confirms the email.
#[test]
fn completing_information_needs_the_code_sent_to_the_email() {
    let mut m = enabled(&mut Log::new("sign_up.toml"));
    m.data_mut().information_email_code = VerificationCode::new("553201", "553210");
    let refused = m
        .verify_email(&customer())
        .expect_err("the code does not match");
    assert_eq!(refused.guard(), Some("information_email_code_verified"));
    let mut m = refused.into_machine();
    assert_eq!(m.state(), "services_enabled");
    m.data_mut().information_email_code = VerificationCode::new("553201", "553201");
    let m = m.verify_email(&customer()).expect("the code matches");
    assert_eq!(m.state(), "email_confirmed");
}

/// Russia restricts transmitting data abroad: its accounts authenticate
/// through the account manager and a paper agreement, not online, and no
/// other account does (002 §2.3).
#[test]
fn in_russia_real_name_authentication_is_the_account_managers() {
    let m = russian_card_bound(&mut Log::new("sign_up.toml"));
    let refused = m
        .authenticate_real_name(&customer())
        .expect_err("not online in Russia");
    assert_eq!(refused.guard(), Some("outside_russia"));
    let m = refused.into_machine();
    assert!(m.sign_paper_agreement(&account_manager()).is_ok());

    let mut log = Log::new("sign_up.toml");
    let m = details_set(&mut log);
    let m = expect_outcome!(bind_card(&mut log, m, true), BindCard::PaymentMethodBound);
    assert_eq!(
        m.sign_paper_agreement(&account_manager())
            .expect_err("Singapore authenticates online")
            .guard(),
        Some("registered_in_russia")
    );
}
