//! Changing account details through after-sales staff (002 §1.1.17),
//! driven through every transition of `details_change.toml`: the
//! materials tables at their boundaries, the staff's loop of asking for
//! more, the account manager's row, and roles and capabilities in both
//! directions (the forbidden direction of the typed API is in
//! `tests/ui/compile_fail/details_change_*`).

mod common;

use std::collections::BTreeSet;

use common::Log;
use turnstile::{Acting, Actor, Instance, Why};
use turnstile_workflows::details_change::{
    can, outcome::ReviewMaterials, role, state, ChangeRequest, Machine, MoreMaterials, NewDetail,
};
use turnstile_workflows::rules::materials::{
    required_materials, AccountProfile, CustomerType, Material, Verdict,
};
use turnstile_workflows::rules::{AccountType, MobileNumber};
use turnstile_workflows::DetailsChange;

fn customer() -> Acting<role::Customer> {
    Acting::authenticated()
}
fn staff() -> Acting<role::Staff> {
    Acting::authenticated()
}
fn manager() -> Acting<role::AccountManager> {
    Acting::authenticated()
}

/// The new mobile number the tests ask for.
fn new_mobile() -> MobileNumber {
    MobileNumber::parse("+49 160 9876 5432").unwrap()
}

/// A request for the new mobile number with exactly the materials the
/// tables list for `profile`.
fn request(profile: &AccountProfile) -> ChangeRequest {
    ChangeRequest {
        detail: NewDetail::Mobile(new_mobile()),
        materials: required_materials(profile).expect("a row of the tables"),
    }
}

fn change(profile: AccountProfile) -> Machine<state::DetailsUnavailable> {
    Machine::new(DetailsChange::new(common::acme_account(), profile))
}

/// The enterprise of the NOTE's row: direct sales, not authenticated, no
/// card, payments made.
fn enterprise_paying_without_card() -> AccountProfile {
    AccountProfile {
        customer: CustomerType::DirectSales,
        real_name_authenticated: false,
        account_type: AccountType::Enterprise,
        card_added: false,
        payments_made: true,
        registered_with_mobile: true,
    }
}

/// The new details are in use only where the definition permits it.
fn use_new_details<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: can::UseNewDetails,
{
    m.state()
}

#[test]
fn details_change_takes_every_transition() {
    let mut log = Log::new("details_change.toml");
    let profile = common::direct_sales_profile();
    let before = common::acme_account();

    // A: the staff ask for more materials twice, then approve: the
    // account's mobile number changes then, and not before.
    let m = change(profile);
    let review = fire!(log, m.submit_ticket(&customer(), request(&profile)))
        .expect("the materials of the row");
    assert_eq!(
        review.data().account,
        before,
        "nothing changes on submitting"
    );
    let mut review = review;
    for round in 1..=2 {
        let asked = expect_outcome!(
            fire!(
                log,
                review.review_materials(&staff(), Verdict::MoreMaterials)
            ),
            ReviewMaterials::MoreMaterialsRequested
        );
        assert_eq!(asked.data().requests_for_more, round);
        assert_eq!(asked.data().account, before);
        let more = MoreMaterials {
            materials: BTreeSet::from([
                [Material::BankTransferProof, Material::EmailAddress][round as usize - 1]
            ]),
        };
        review = fire!(log, asked.provide_more_materials(&customer(), more))
            .expect("something new each time");
    }
    let changed = expect_outcome!(
        fire!(log, review.review_materials(&staff(), Verdict::Approved)),
        ReviewMaterials::DetailsChanged
    );
    assert_eq!(changed.data().account.mobile, Some(new_mobile()));
    assert_eq!(changed.data().account.email, before.email);
    assert_eq!(use_new_details(&changed), "details_changed");

    // B: rejected; the details stay.
    let m = change(profile);
    let review = fire!(log, m.submit_ticket(&customer(), request(&profile))).unwrap();
    let rejected = expect_outcome!(
        fire!(log, review.review_materials(&staff(), Verdict::Rejected)),
        ReviewMaterials::RequestRejected
    );
    assert_eq!(rejected.data().account, before);

    // C: an enterprise of the NOTE's row asks its account manager from the
    // company email; the manager puts it before the staff, who change the
    // email address.
    let mut m = change(enterprise_paying_without_card());
    m.data_mut().company_email = true;
    let ask = ChangeRequest {
        detail: NewDetail::Email("it@acme.example".into()),
        materials: BTreeSet::new(),
    };
    let with_manager = fire!(log, m.contact_account_manager(&customer(), ask))
        .expect("the NOTE's row, from the company email");
    let review = fire!(log, with_manager.forward_to_staff(&manager()));
    let changed = expect_outcome!(
        fire!(log, review.review_materials(&staff(), Verdict::Approved)),
        ReviewMaterials::DetailsChanged
    );
    assert_eq!(changed.data().account.email, "it@acme.example");
    assert_eq!(changed.data().account.mobile, before.mobile);

    // D: withdrawn from each open state.
    let m = change(profile);
    let review = fire!(log, m.submit_ticket(&customer(), request(&profile))).unwrap();
    let _ = fire!(log, review.withdraw_ticket(&customer()));
    let m = change(profile);
    let review = fire!(log, m.submit_ticket(&customer(), request(&profile))).unwrap();
    let asked = expect_outcome!(
        fire!(
            log,
            review.review_materials(&staff(), Verdict::MoreMaterials)
        ),
        ReviewMaterials::MoreMaterialsRequested
    );
    let withdrawn = fire!(log, asked.withdraw_ticket(&customer()));
    assert_eq!(withdrawn.data().account, before);
    let mut m = change(enterprise_paying_without_card());
    m.data_mut().company_email = true;
    let with_manager = fire!(
        log,
        m.contact_account_manager(&customer(), request(&common::direct_sales_profile()))
    )
    .unwrap();
    let _ = fire!(log, with_manager.withdraw_ticket(&customer()));

    log.assert_every_transition_taken();
}

/// The ticket needs every material of the account's row: one missing is
/// refused and hands the machine and the request back; a profile the
/// tables have no row for cannot submit at all.
#[test]
fn the_ticket_needs_every_material_of_the_row() {
    let profile = common::direct_sales_profile();
    let full = request(&profile);
    for missing in &full.materials {
        let mut short = full.clone();
        short.materials.remove(missing);
        let refused = change(profile)
            .submit_ticket(&customer(), short.clone())
            .unwrap_err();
        assert_eq!(refused.guard(), Some("materials_complete"), "{missing:?}");
        let (m, payload) = refused.into_machine_and_payload();
        assert_eq!(m.state(), "details_unavailable");
        assert_eq!(payload, short, "the request is handed back");
    }
    // More than the row asks for is fine.
    let mut more = full.clone();
    more.materials.insert(Material::AuthorizationLetter);
    assert!(change(profile).submit_ticket(&customer(), more).is_ok());
    // No row: an individual without a card that made payments.
    let no_row = AccountProfile {
        card_added: false,
        ..profile
    };
    assert_eq!(required_materials(&no_row), None);
    let every = ChangeRequest {
        detail: NewDetail::Mobile(new_mobile()),
        materials: Material::ALL.into_iter().collect(),
    };
    let refused = change(no_row)
        .submit_ticket(&customer(), every)
        .unwrap_err();
    assert_eq!(refused.guard(), Some("materials_complete"));
}

/// Only the NOTE's row goes to the account manager, and only from the
/// company email; more materials must add something.
#[test]
fn the_account_manager_and_more_materials_at_their_boundaries() {
    let ask = || ChangeRequest {
        detail: NewDetail::Email("it@acme.example".into()),
        materials: BTreeSet::new(),
    };
    let mut m = change(enterprise_paying_without_card());
    m.data_mut().company_email = false;
    let refused = m.contact_account_manager(&customer(), ask()).unwrap_err();
    assert_eq!(refused.guard(), Some("from_company_email"));
    let authenticated = AccountProfile {
        real_name_authenticated: true,
        ..enterprise_paying_without_card()
    };
    let mut m = change(authenticated);
    m.data_mut().company_email = true;
    let refused = m.contact_account_manager(&customer(), ask()).unwrap_err();
    assert_eq!(refused.guard(), Some("enterprise_paying_without_card"));

    let profile = common::direct_sales_profile();
    let review = change(profile)
        .submit_ticket(&customer(), request(&profile))
        .unwrap();
    let asked = match review.review_materials(&staff(), Verdict::MoreMaterials) {
        ReviewMaterials::MoreMaterialsRequested(m) => m,
        other => panic!("{}", other.state()),
    };
    // The same materials again add nothing.
    let again = MoreMaterials {
        materials: request(&profile).materials,
    };
    let refused = asked
        .provide_more_materials(&customer(), again)
        .unwrap_err();
    assert_eq!(refused.guard(), Some("more_materials_added"));
    let asked = refused.into_machine();
    let one_new = MoreMaterials {
        materials: BTreeSet::from([Material::RealNameCertificate]),
    };
    assert!(asked.provide_more_materials(&customer(), one_new).is_ok());
}

/// By name, as the reference service fires it: the actor's roles decide
/// (`Forbidden` names who may), payloads arrive as JSON, the ticket's
/// contents stay out of the trail (their digest only), and the capability
/// follows the state.
#[test]
fn by_name_roles_payloads_and_capabilities() {
    let t0 = std::time::SystemTime::UNIX_EPOCH;
    let profile = common::direct_sales_profile();
    let instance = Instance::start(DetailsChange::new(common::acme_account(), profile), t0);
    let holder = Actor::new("acme-admin").with_roles(&["customer"]);
    let agent = Actor::new("agent-7").with_roles(&["staff"]);
    let manager = Actor::new("am-3").with_roles(&["account_manager"]);
    assert!(!instance.permits("use_new_details"));

    // Staff cannot submit the customer's ticket.
    let json = serde_json::to_string(&request(&profile)).unwrap();
    let refused = instance
        .fire_with("submit_ticket", Some(&json), agent, t0)
        .unwrap_err();
    assert!(matches!(
        refused.why(),
        Why::Forbidden {
            allowed: ["customer"],
            ..
        }
    ));
    let instance = refused
        .into_inner()
        .fire_with("submit_ticket", Some(&json), holder, t0)
        .unwrap();
    // Neither the customer nor the account manager decides.
    let mut instance = instance;
    for actor in [holder, manager] {
        let refused = instance
            .fire_with("review_materials", Some("\"Approved\""), actor, t0)
            .unwrap_err();
        assert!(
            matches!(
                refused.why(),
                Why::Forbidden {
                    allowed: ["staff"],
                    ..
                }
            ),
            "{}",
            refused.why()
        );
        instance = refused.into_inner();
        assert_eq!(instance.state(), "under_review");
    }
    assert!(!instance.permits("use_new_details"));
    let instance = instance
        .fire_with("review_materials", Some("\"Approved\""), agent, t0)
        .unwrap();
    assert_eq!(instance.state(), "details_changed");
    assert!(instance.permits("use_new_details"));
    assert_eq!(instance.data().account.mobile, Some(new_mobile()));
    // The new number is in the data, not in the trail: the ticket is
    // sensitive.
    let trail = serde_json::to_string(&instance.trail()).unwrap();
    assert!(!trail.contains("9876"), "{trail}");
}
