//! Changing the phone number of a HUAWEI ID whose number is linked to a
//! Huawei Cloud account (002 §1.1.14): a disassociation ticket, more
//! materials, the change itself, then the hand-over to the account upgrade.
//! Run: `cargo run --example phone_change`.

mod common;

use common::refused;
use turnstile_workflows::phone_change::outcome::{ProvideMaterials, ReviewTicket};
use turnstile_workflows::rules::phone_change::{AccountProfile, CustomerType, Material};
use turnstile_workflows::rules::{AccountType, MobileNumber, Region};
use turnstile_workflows::{phone_change, CloudAccount, PhoneChange, Verdict};

fn main() {
    println!("phone_change: Ana's number is linked to her Huawei Cloud account");
    let account = CloudAccount {
        name: "lopes-lab".into(),
        region: Region::Brazil,
        mobile: Some(MobileNumber::parse("+55 11 91234 5678").expect("a number")),
        email: "ana@lopes.example".into(),
    };
    let profile = AccountProfile {
        customer: CustomerType::DirectSales,
        real_name_authenticated: false,
        account_type: AccountType::Individual,
        card_added: true,
        payments_made: true,
        registered_with_mobile: true,
    };
    let mut m = phone_change::Machine::new(PhoneChange::new(account, profile));
    m.data_mut().verdict = Verdict::MoreMaterials;
    let m = step!(m.submit_ticket(&customer()));
    let mut m = outcome!(
        step!(m.review_ticket(&staff())),
        ReviewTicket::MaterialsRequested
    );

    // Refused: the §1.1.17 table asks three materials of this profile.
    m.data_mut().materials = [Material::FrontOfCard].into();
    let mut m = refused(step!(m.provide_materials(&customer())).unwrap_err());
    m.data_mut()
        .materials
        .extend([Material::CardHolderCertificate, Material::ConsumptionProof]);
    m.data_mut().verdict = Verdict::Approved;
    let m = outcome!(
        step!(m.provide_materials(&customer())).unwrap(),
        ProvideMaterials::AwaitingDisassociation
    );

    let m = step!(m.disassociate(&staff()));
    let m = step!(m.reset_cloud_password(&customer()));
    let mut m = step!(m.log_in_with_cloud_account(&customer()));
    m.data_mut().new_mobile = Some(MobileNumber::parse("+55 21 99876 5432").expect("a number"));
    let m = step!(m.change_mobile(&customer()));
    let m = step!(m.log_out_of_cloud_account(&customer()));
    let m = step!(m.log_in_with_id(&customer()));
    // Optional (step 5): the HUAWEI ID is no longer needed.
    let m = step!(m.delete_id(&customer()));
    let m = step!(m.log_out_of_id(&customer()));
    let m = step!(m.log_in_to_upgrade(&customer()));

    // Step 6, in types: the upgrade machine of the same account.
    let upgrade = m.into_upgrade();
    println!(
        "handed over: account_upgrade `{}` for `{}`, mobile {}",
        upgrade.state(),
        upgrade.data().account.name,
        upgrade
            .data()
            .account
            .mobile
            .as_ref()
            .map_or_else(String::new, ToString::to_string)
    );
    let m = step!(upgrade.upgrade_now(&au_customer()));
    let m = step!(m.upgrade_to_new_id(&au_customer()));
    println!("done: `{}`", m.state());
}

// Who acts, as the definitions say (`by`).
fn au_customer() -> turnstile::Acting<turnstile_workflows::account_upgrade::role::Customer> {
    turnstile::Acting::authenticated()
}

fn customer() -> turnstile::Acting<turnstile_workflows::phone_change::role::Customer> {
    turnstile::Acting::authenticated()
}

fn staff() -> turnstile::Acting<turnstile_workflows::phone_change::role::Staff> {
    turnstile::Acting::authenticated()
}
