//! Account upgrade driven through every transition of `account_upgrade.toml`.

mod common;

use common::Log;
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
    fire!(log, m.upgrade_now())
}

fn associate(log: &mut Log, mut m: Machine<ChoosingId>, with: HuaweiId) -> Outcome {
    m.data_mut().existing_id = Some(with);
    fire!(log, m.associate_existing_id())
}

#[test]
fn account_upgrade_takes_every_transition() {
    let mut log = Log::new("account_upgrade.toml");

    // A: later, then now; frozen, wrong region, contacts differ, each remedied.
    let m = Machine::new(AccountUpgrade::new(account()));
    let m = fire!(log, m.upgrade_later());
    let m = fire!(log, m.log_in_again());
    let m = fire!(log, m.upgrade_now());
    let frozen = HuaweiId {
        frozen: true,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, frozen), Outcome::RefusedIdFrozen);
    let m = fire!(log, m.unfreeze_id());
    let thai = HuaweiId {
        region: Region::Thailand,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, thai), Outcome::RefusedRegionDiffers);
    let m = fire!(log, m.register_new_id());
    let other = HuaweiId {
        mobile: None,
        email: "me@else.example".into(),
        ..id()
    };
    let m = expect_outcome!(
        associate(&mut log, m, other),
        Outcome::RefusedContactsDiffer
    );
    let m = fire!(log, m.change_id_contacts());
    let m = expect_outcome!(
        associate(&mut log, m, id()),
        Outcome::AssociatedWithExistingId
    );
    assert_eq!(m.data().existing_id, Some(id()));

    // B: one contact shared: log in with the ID and associate from there.
    let m = choosing(&mut log);
    let email_only = HuaweiId {
        mobile: None,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, email_only), Outcome::AssociateFromId);
    let _ = fire!(log, m.associate_after_id_login());

    // C: the ID is taken: ignore the notice.
    let m = choosing(&mut log);
    let taken = HuaweiId {
        enabled_services: true,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, taken), Outcome::RefusedIdTaken);
    let _ = fire!(log, m.ignore_notice());

    // D: another region, and the notice ignored rather than a new ID.
    let m = choosing(&mut log);
    let thai = HuaweiId {
        region: Region::Thailand,
        ..id()
    };
    let m = expect_outcome!(associate(&mut log, m, thai), Outcome::RefusedRegionDiffers);
    let m = fire!(log, m.ignore_notice());
    const { assert!(<NoticeIgnored as turnstile::State>::IS_FINAL) };
    assert_eq!(m.data().account, account(), "the account is untouched");

    // E: a new HUAWEI ID.
    let m = choosing(&mut log);
    let _ = fire!(log, m.upgrade_to_new_id());

    log.assert_every_transition_taken();
}
