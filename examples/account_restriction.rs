//! A Huawei Cloud account is restricted, then frozen, and restored by a
//! service ticket (002 §1.1.10, §1.1.11, the NOTE after §1.1.10): who may
//! take each step is a role, what the account may still do is a
//! capability, and what the ticket and the decision bring are payloads.
//! Run: `cargo run --example account_restriction`.

mod common;

use turnstile::Acting;
use turnstile_workflows::account_restriction::{
    can, outcome, role, FreezeReason, IdentityDocument, Machine, RestorationMaterials,
    RestrictionReason, StaffDecision,
};
use turnstile_workflows::AccountRestriction;

/// What the console shows: bills are visible in every state here.
fn show_bills<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::ViewBills,
{
    println!("  ({}: the account views its bills)", m.state());
}

fn main() {
    // Where each caller is authenticated, the application vouches for its role.
    let system = Acting::<role::System>::authenticated();
    let customer = Acting::<role::Customer>::authenticated();
    let staff = Acting::<role::Staff>::authenticated();

    println!("account_restriction: acme-ops, a credit card bound");
    let m = Machine::new(AccountRestriction::new("acme-ops", true));
    // Security risks suspend pay-per-use purchases only; a violation
    // restricts the account's use.
    let m = outcome!(
        step!(m.restrict(&system, RestrictionReason::ViolationOrUnpaidUse)),
        outcome::Restrict::Restricted
    );
    show_bills(&m);
    let m = step!(m.freeze(&system, FreezeReason::Violation));

    // One verification method is not enough with a card bound.
    let passport_only = RestorationMaterials {
        identity_document: Some(IdentityDocument::Passport),
        ..RestorationMaterials::default()
    };
    // The refusal hands back the machine and the materials, to complete.
    let rejected = step!(m.submit_freeze_ticket(&customer, passport_only)).unwrap_err();
    println!("    {rejected}");
    let (m, passport_only) = rejected.into_machine_and_payload();
    let with_card = RestorationMaterials {
        card_front: true,
        matches_card_holder: true,
        ..passport_only
    };
    let m = step!(m.submit_freeze_ticket(&customer, with_card)).expect("two methods");
    let decision = StaffDecision {
        restore: true,
        note: "identity verified".into(),
    };
    let m = outcome!(
        step!(m.decide_freeze(&staff, decision)),
        outcome::DecideFreeze::InGoodStanding
    );
    show_bills(&m);
    println!(
        "acme-ops is {} after {} ticket(s); it may buy resources again",
        m.state(),
        m.data().tickets
    );
}
