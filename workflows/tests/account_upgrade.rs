//! Account upgrade driven through every transition of `account_upgrade.toml`.

mod common;

use common::Log;
use turnstile_workflows::account_upgrade::Login;
use turnstile_workflows::rules::{MobileNumber, Region};
use turnstile_workflows::{account_upgrade, AccountUpgrade, HuaweiId};

use account_upgrade::outcome::AssociateExistingId as Outcome;
use account_upgrade::state::*;
use account_upgrade::Machine;

use common::acme_account as account;

/// An ID that matches the account in every respect.
fn id() -> HuaweiId {
    HuaweiId {
        region: Region::Germany,
        mobile: Some(MobileNumber::parse("+49 151 2345 6789").unwrap()),
        email: "ops@acme.example".into(),
        associated_with_another_account: false,
        enabled_services: false,
        frozen: false,
    }
}

fn choosing(log: &mut Log) -> Machine<ChoosingId> {
    let m = Machine::new(AccountUpgrade::new(account()));
    fire!(log, m.upgrade_now(&au_customer()))
}

fn associate(log: &mut Log, mut m: Machine<ChoosingId>, with: HuaweiId) -> Outcome {
    m.data_mut().existing_id = Some(with);
    fire!(log, m.associate_existing_id(&au_customer()))
}

#[test]
fn account_upgrade_takes_every_transition() {
    let mut log = Log::new("account_upgrade.toml");

    // A: later, then now; frozen, wrong region, contacts differ, each remedied.
    let m = Machine::new(AccountUpgrade::new(account()));
    let m = fire!(log, m.upgrade_later(&au_customer()));
    let m = fire!(log, m.log_in_again(&au_customer()));
    let m = fire!(log, m.upgrade_now(&au_customer()));
    let frozen = HuaweiId {
        frozen: true,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, frozen), Outcome::RefusedIdFrozen);
    let m = fire!(log, m.unfreeze_id(&au_customer()));
    let thai = HuaweiId {
        region: Region::Thailand,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, thai), Outcome::RefusedRegionDiffers);
    let m = fire!(log, m.register_new_id(&au_customer()));
    let other = HuaweiId {
        mobile: None,
        email: "me@else.example".into(),
        ..id()
    };
    let m = expect_outcome!(
        associate(&mut log, m, other),
        Outcome::RefusedContactsDiffer
    );
    let m = fire!(log, m.change_id_contacts(&au_customer()));
    let m = expect_outcome!(
        associate(&mut log, m, id()),
        Outcome::AssociatedWithExistingId
    );
    assert_eq!(m.data().existing_id, Some(id()));
    // The account name is the tenant name now, not a login (002 §1.3.2).
    assert_eq!(m.tenant_name(), account().name);
    assert!(!m.logins().contains(&Login::AccountName(account().name)));
    assert!(m.logins().contains(&Login::IdLoginId));

    // B: one contact shared: log in with the ID and associate from there.
    let m = choosing(&mut log);
    let email_only = HuaweiId {
        mobile: None,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, email_only), Outcome::AssociateFromId);
    let m = fire!(log, m.associate_after_id_login(&au_customer()));
    // Partly different: the cloud account's email logs in (it is the
    // ID's), its mobile number does not (the ID has none) (002 §1.5.5).
    let logins = m.logins();
    assert!(logins.contains(&Login::Email(account().email.to_lowercase())));
    assert!(!logins.contains(&Login::Mobile(account().mobile.unwrap())));

    // C: the ID is taken: ignore the notice.
    let m = choosing(&mut log);
    let taken = HuaweiId {
        enabled_services: true,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, taken), Outcome::RefusedIdTaken);
    let _ = fire!(log, m.ignore_notice(&au_customer()));

    // D: another region, and the notice ignored rather than a new ID.
    let m = choosing(&mut log);
    let thai = HuaweiId {
        region: Region::Thailand,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, thai), Outcome::RefusedRegionDiffers);
    let m = fire!(log, m.ignore_notice(&au_customer()));
    const { assert!(<NoticeIgnored as turnstile::State>::IS_FINAL) };
    assert_eq!(m.data().account, account(), "the account is untouched");

    // E: a new HUAWEI ID.
    let m = choosing(&mut log);
    let m = fire!(log, m.upgrade_to_new_id(&au_customer()));
    // A new ID: the account logs in as before, name included (002 §1.5.5).
    assert!(m.logins().contains(&Login::AccountName(account().name)));
    assert!(!m.logins().contains(&Login::IdLoginId));

    log.assert_every_transition_taken();
}

// Who acts, as the definitions say (`by`).
fn au_customer() -> turnstile::Acting<turnstile_workflows::account_upgrade::role::Customer> {
    turnstile::Acting::authenticated()
}

fn logs_in_with_account_name<S: turnstile::State>(m: &Machine<S>) -> &'static str
where
    Machine<S>: account_upgrade::can::LogInWithAccountName,
{
    m.state()
}

/// 002 §1.5.5, §1.3.2: the cloud account's own name logs in before the
/// upgrade and after an upgrade to a new ID; once associated with an
/// existing ID, login is with the ID's (the typed refusal is
/// `tests/ui/compile_fail/account_upgrade_account_name_after_association.rs`).
#[test]
fn the_account_name_logs_in_unless_associated_with_an_existing_id() {
    let mut log = Log::new("account_upgrade.toml");
    let m = Machine::new(AccountUpgrade::new(account()));
    assert_eq!(logs_in_with_account_name(&m), "prompted");
    let m = m.upgrade_now(&au_customer());
    assert_eq!(logs_in_with_account_name(&m), "choosing_id");
    let new_id = m.upgrade_to_new_id(&au_customer());
    assert_eq!(logs_in_with_account_name(&new_id), "upgraded_to_new_id");

    let chosen = choosing(&mut log);
    assert!(matches!(
        associate(&mut log, chosen, id()),
        Outcome::AssociatedWithExistingId(_)
    ));

    let instance = turnstile::Instance::start(
        AccountUpgrade::new(account()),
        std::time::SystemTime::UNIX_EPOCH,
    );
    assert!(instance.permits("log_in_with_account_name"));
    assert!(!instance.permits("log_in_with_id"), "no HUAWEI ID yet");

    // By name, the customer role is the only one, and an actor without it
    // is refused.
    let refused = instance
        .fire(
            "upgrade_now",
            turnstile::Actor::new("someone"),
            std::time::SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
    assert!(
        matches!(refused.why(), turnstile::Why::Forbidden { .. }),
        "{refused}"
    );
    let mut instance = refused.into_inner();
    let customer = turnstile::Actor::new("acme").with_roles(&["customer"]);
    let now = std::time::SystemTime::UNIX_EPOCH;
    instance = instance.fire("upgrade_now", customer, now).unwrap();
    instance.data_mut().existing_id = Some(id());
    instance = instance
        .fire("associate_existing_id", customer, now)
        .unwrap();
    assert_eq!(instance.state(), "associated_with_existing_id");
    assert!(!instance.permits("log_in_with_account_name"));
    // The HUAWEI ID's login ID, mobile or email log in instead (002
    // §1.3.2 cause 1).
    assert!(instance.permits("log_in_with_id"));
}
