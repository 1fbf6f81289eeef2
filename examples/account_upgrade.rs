//! Upgrading a legacy Huawei Cloud account to a HUAWEI ID (002 §1.5): the
//! first ID tried is frozen, the second is registered elsewhere, and the
//! owner finally associates a matching one. Run: `cargo run --example account_upgrade`.

mod common;

use turnstile_workflows::account_upgrade::outcome::AssociateExistingId as Outcome;
use turnstile_workflows::rules::{MobileNumber, Region};
use turnstile_workflows::{account_upgrade, AccountUpgrade, CloudAccount, HuaweiId};

fn main() {
    println!("account_upgrade: acme-ops, a legacy account registered in Germany");
    let mobile = MobileNumber::parse("+49 151 2345 6789").expect("a number");
    let account = CloudAccount {
        name: "acme-ops".into(),
        region: Region::Germany,
        mobile: Some(mobile.clone()),
        email: "ops@acme.example".into(),
    };
    let id = HuaweiId {
        region: Region::Germany,
        mobile: Some(mobile),
        email: "ops@acme.example".into(),
        associated_with_another_account: false,
        enabled_services: false,
        frozen: true,
    };
    let m = account_upgrade::Machine::new(AccountUpgrade::new(account));

    // Upgrade Later: the prompt comes back at the next login (002 §1.5.2).
    let m = step!(m.upgrade_later(&customer()));
    let m = step!(m.log_in_again(&customer()));
    let mut m = step!(m.upgrade_now(&customer()));

    // A frozen ID is refused (002 §1.5.4 cause 4): unfreeze it, try again.
    m.data_mut().existing_id = Some(id.clone());
    let m = outcome!(
        step!(m.associate_existing_id(&customer())),
        Outcome::RefusedIdFrozen
    );
    let mut m = step!(m.unfreeze_id(&customer()));

    // An ID from Thailand is refused (002 §1.5.3 cause 1): register a new one.
    m.data_mut().existing_id = Some(HuaweiId {
        frozen: false,
        region: Region::Thailand,
        ..id.clone()
    });
    let m = outcome!(
        step!(m.associate_existing_id(&customer())),
        Outcome::RefusedRegionDiffers
    );
    let mut m = step!(m.register_new_id(&customer()));

    // The new ID matches: associated; the account name becomes the tenant name.
    m.data_mut().existing_id = Some(HuaweiId {
        frozen: false,
        ..id
    });
    let m = outcome!(
        step!(m.associate_existing_id(&customer())),
        Outcome::AssociatedWithExistingId
    );
    println!("done: `{}`, tenant `{}`", m.state(), m.data().account.name);
}

// Who acts, as the definitions say (`by`).
fn customer() -> turnstile::Acting<turnstile_workflows::account_upgrade::role::Customer> {
    turnstile::Acting::authenticated()
}
