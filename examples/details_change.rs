//! An unavailable phone number is changed through after-sales staff, with
//! the materials the tables of 002 §1.1.17 list for the account: a ticket
//! short of one material is refused and handed back, the staff ask for
//! more materials twice and then approve, and only then does the number
//! change. An enterprise of the NOTE's row goes through its account
//! manager instead. Run: `cargo run --example details_change`.

mod common;

use std::collections::BTreeSet;

use turnstile::Acting;
use turnstile_workflows::details_change::{
    can, outcome, role, ChangeRequest, Machine, MoreMaterials, NewDetail,
};
use turnstile_workflows::rules::materials::{
    required_materials, AccountProfile, CustomerType, Material, Verdict,
};
use turnstile_workflows::rules::{AccountType, MobileNumber, Region};
use turnstile_workflows::{CloudAccount, DetailsChange};

/// What the console shows once the change is applied.
fn log_in_with_new_details<S: turnstile::State>(m: &Machine<S>)
where
    Machine<S>: can::UseNewDetails,
{
    let mobile = m.data().account.mobile.as_ref();
    println!(
        "  ({}: logs in with {})",
        m.state(),
        mobile.map_or("-".into(), |n| n.to_string())
    );
}

fn main() {
    let customer = Acting::<role::Customer>::authenticated();
    let staff = Acting::<role::Staff>::authenticated();
    let manager = Acting::<role::AccountManager>::authenticated();

    let account = CloudAccount {
        name: "lopes-lab".into(),
        region: Region::Brazil,
        mobile: Some(MobileNumber::parse("+55 11 91234 5678").unwrap()),
        email: "ana@lopes.example".into(),
    };
    // A direct-sales individual account, not authenticated, with a card:
    // the card holder's certificate, the front of the card and three
    // months of consumption proof.
    let profile = AccountProfile {
        customer: CustomerType::DirectSales,
        real_name_authenticated: false,
        account_type: AccountType::Individual,
        card_added: true,
        payments_made: true,
        registered_with_mobile: true,
    };
    let needed = required_materials(&profile).expect("a row of the tables");
    println!("details_change: lopes-lab's phone is lost; the row asks for {needed:?}");
    let m = Machine::new(DetailsChange::new(account, profile));

    let mut short = needed.clone();
    short.remove(&Material::ConsumptionProof);
    let request = ChangeRequest {
        detail: NewDetail::Mobile(MobileNumber::parse("+55 21 99876 5432").unwrap()),
        materials: short,
    };
    // The refusal hands back the machine and the request, to complete.
    let rejected = step!(m.submit_ticket(&customer, request)).unwrap_err();
    println!("    {rejected}");
    let (m, mut request) = rejected.into_machine_and_payload();
    request.materials = needed;
    let mut review = step!(m.submit_ticket(&customer, request)).expect("the whole row");
    // Not enough to confirm the identity: more, as often as the staff ask.
    for more in [Material::RealNameCertificate, Material::BankTransferProof] {
        let asked = outcome!(
            step!(review.review_materials(&staff, Verdict::MoreMaterials)),
            outcome::ReviewMaterials::MoreMaterialsRequested
        );
        let more = MoreMaterials {
            materials: BTreeSet::from([more]),
        };
        review = step!(asked.provide_more_materials(&customer, more)).expect("something new");
    }
    let before = review.data().account.mobile.clone().expect("a number");
    let changed = outcome!(
        step!(review.review_materials(&staff, Verdict::Approved)),
        outcome::ReviewMaterials::DetailsChanged
    );
    log_in_with_new_details(&changed);
    println!(
        "  {before} was still the number until the approval, after {} request(s) for more",
        changed.data().requests_for_more
    );

    // An enterprise that pays by bank transfer, without a card, and cannot
    // meet its row: its account manager, from the company email.
    let enterprise = AccountProfile {
        account_type: AccountType::Enterprise,
        card_added: false,
        ..profile
    };
    println!("details_change: acme's email is gone; acme writes from its company email");
    let mut m = Machine::new(DetailsChange::new(
        CloudAccount {
            name: "acme".into(),
            region: Region::Germany,
            mobile: None,
            email: "old@acme.example".into(),
        },
        enterprise,
    ));
    m.data_mut().company_email = true;
    let ask = ChangeRequest {
        detail: NewDetail::Email("it@acme.example".into()),
        materials: BTreeSet::new(),
    };
    let m = step!(m.contact_account_manager(&customer, ask)).expect("the NOTE's row");
    let m = step!(m.forward_to_staff(&manager));
    let m = outcome!(
        step!(m.review_materials(&staff, Verdict::Approved)),
        outcome::ReviewMaterials::DetailsChanged
    );
    println!("acme's email is now {}", m.data().account.email);
}
