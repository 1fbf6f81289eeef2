//! Account upgrade: the data of `account_upgrade.toml` and its outcomes.

use std::collections::BTreeSet;

use turnstile::Workflow;

use crate::rules::{normalize_email, MobileNumber, Region};

/// A legacy Huawei Cloud account: what the upgrade compares with a HUAWEI ID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CloudAccount {
    /// The account name; after association with an existing ID it becomes the tenant name (002 §1.3.2).
    pub name: String,
    /// The registration country/region.
    pub region: Region,
    /// The mobile number bound to the account.
    pub mobile: Option<MobileNumber>,
    /// The email address bound to the account.
    pub email: String,
}

/// An existing HUAWEI ID the account may be associated with (002 §1.5.3, §1.5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HuaweiId {
    /// The ID's registration country/region.
    pub region: Region,
    /// The ID's mobile number.
    pub mobile: Option<MobileNumber>,
    /// The ID's email address.
    pub email: String,
    /// Already associated with another Huawei Cloud account.
    pub associated_with_another_account: bool,
    /// Already used to enable Huawei Cloud services.
    pub enabled_services: bool,
    /// Frozen.
    pub frozen: bool,
}

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `account_upgrade::Machine`, `account_upgrade::state`, `account_upgrade::Guards`, ….
pub use machine::*;

/// The upgrade of a legacy account (002 §1.5).
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "account_upgrade.toml", module = "machine")]
pub struct AccountUpgrade {
    /// The account being upgraded.
    pub account: CloudAccount,
    /// The existing HUAWEI ID to associate, when the user picks one.
    pub existing_id: Option<HuaweiId>,
}

impl AccountUpgrade {
    /// The upgrade of `account`, no existing ID picked yet.
    pub fn new(account: CloudAccount) -> Self {
        AccountUpgrade {
            account,
            existing_id: None,
        }
    }
}

/// How many of the account's contacts (mobile, email) the ID shares.
fn shared_contacts(account: &CloudAccount, id: &HuaweiId) -> usize {
    let mobile = account.mobile.is_some() && account.mobile == id.mobile;
    let email = !account.email.trim().is_empty()
        && normalize_email(&account.email) == normalize_email(&id.email);
    usize::from(mobile) + usize::from(email)
}

/// A way to log in to Huawei Cloud, with the value typed at the login
/// page (002 §1.5.5, §1.3.2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Login {
    /// The Huawei Cloud account name.
    AccountName(String),
    /// The HUAWEI ID's login ID, sent by SMS or email after the upgrade.
    IdLoginId,
    /// A mobile number.
    Mobile(MobileNumber),
    /// An email address (in the form the one-account rule compares).
    Email(String),
}

/// 002 §1.5.5, first case: upgraded to a new HUAWEI ID, the account
/// information is unchanged: log in with the original mobile number, email
/// address and account name.
pub fn logins_after_new_id(account: &CloudAccount) -> BTreeSet<Login> {
    let mut logins = BTreeSet::from([Login::AccountName(account.name.clone())]);
    logins.extend(account.mobile.clone().map(Login::Mobile));
    if !account.email.trim().is_empty() {
        logins.insert(Login::Email(normalize_email(&account.email)));
    }
    logins
}

/// 002 §1.5.5, second case, and §1.3.2 cause 1: associated with an existing
/// HUAWEI ID, one logs in with the ID's login ID, mobile number or email;
/// the cloud account's own mobile number or email works only where it is
/// the ID's ("the mobile number is the same but the email address is
/// different: you can only log in with the mobile number"). The account
/// name is now the tenant name, not a login (§1.3.2).
pub fn logins_after_association(id: &HuaweiId) -> BTreeSet<Login> {
    let mut logins = BTreeSet::from([Login::IdLoginId]);
    logins.extend(id.mobile.clone().map(Login::Mobile));
    if !id.email.trim().is_empty() {
        logins.insert(Login::Email(normalize_email(&id.email)));
    }
    logins
}

impl machine::Machine<machine::state::UpgradedToNewId> {
    /// How the account logs in now (002 §1.5.5): as before.
    pub fn logins(&self) -> BTreeSet<Login> {
        logins_after_new_id(&self.data().account)
    }
}

impl machine::Machine<machine::state::AssociatedWithExistingId> {
    /// The Huawei Cloud tenant name: what the account name is called once
    /// the account is associated with a HUAWEI ID (002 §1.3.2 cause 1).
    pub fn tenant_name(&self) -> &str {
        &self.data().account.name
    }

    /// How the account logs in now: the ID's login ID, mobile number and
    /// email, and the cloud account's own contacts only where they are the
    /// ID's (002 §1.5.5, §1.3.2). With no ID recorded (the data changed by
    /// hand), the login ID alone.
    pub fn logins(&self) -> BTreeSet<Login> {
        match &self.data().existing_id {
            Some(id) => logins_after_association(id),
            None => BTreeSet::from([Login::IdLoginId]),
        }
    }
}

impl machine::Outcomes for AccountUpgrade {
    /// 002 §1.5.3 and §1.5.4, in this order: a frozen ID is refused first
    /// (cause 4: unfreeze and retry), then a region mismatch (§1.5.3 cause 1),
    /// then an ID that is taken (§1.5.3 cause 3, §1.5.4 cause 2). Of the rest,
    /// an ID with both contacts equal is associated; an ID that shares only
    /// one of them is the §1.5.4 cause 1 case (log in with the ID and
    /// associate from there); an ID sharing neither is refused (§1.5.3 cause
    /// 2). With no ID picked, none is displayed: refused as contacts differ.
    fn associate_existing_id(&self) -> machine::choice::AssociateExistingId {
        use machine::choice::AssociateExistingId as Choice;
        let Some(id) = &self.existing_id else {
            return Choice::RefusedContactsDiffer;
        };
        if id.frozen {
            Choice::RefusedIdFrozen
        } else if id.region != self.account.region {
            Choice::RefusedRegionDiffers
        } else if id.associated_with_another_account || id.enabled_services {
            Choice::RefusedIdTaken
        } else {
            match shared_contacts(&self.account, id) {
                2 => Choice::AssociatedWithExistingId,
                1 => Choice::AssociateFromId,
                _ => Choice::RefusedContactsDiffer,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use machine::choice::AssociateExistingId as Choice;
    use machine::Outcomes;

    fn account() -> CloudAccount {
        CloudAccount {
            name: "acme-ops".into(),
            region: Region::Singapore,
            mobile: Some(MobileNumber::parse("+65 9123 4567").unwrap()),
            email: "ops@acme.example".into(),
        }
    }

    fn matching_id() -> HuaweiId {
        HuaweiId {
            region: Region::Singapore,
            mobile: Some(MobileNumber::parse("+65 9123 4567").unwrap()),
            email: "OPS@acme.example".into(),
            associated_with_another_account: false,
            enabled_services: false,
            frozen: false,
        }
    }

    fn outcome(id: Option<HuaweiId>) -> Choice {
        AccountUpgrade {
            account: account(),
            existing_id: id,
        }
        .associate_existing_id()
    }

    #[test]
    fn each_refusal_cause_has_its_outcome() {
        assert_eq!(
            outcome(Some(matching_id())),
            Choice::AssociatedWithExistingId
        );
        assert_eq!(outcome(None), Choice::RefusedContactsDiffer);
        let frozen = HuaweiId {
            frozen: true,
            region: Region::Germany,
            ..matching_id()
        };
        assert_eq!(
            outcome(Some(frozen)),
            Choice::RefusedIdFrozen,
            "frozen is told first"
        );
        let elsewhere = HuaweiId {
            region: Region::Thailand,
            ..matching_id()
        };
        assert_eq!(outcome(Some(elsewhere)), Choice::RefusedRegionDiffers);
        let associated = HuaweiId {
            associated_with_another_account: true,
            ..matching_id()
        };
        assert_eq!(outcome(Some(associated)), Choice::RefusedIdTaken);
        let enabled = HuaweiId {
            enabled_services: true,
            ..matching_id()
        };
        assert_eq!(outcome(Some(enabled)), Choice::RefusedIdTaken);
    }

    #[test]
    fn contacts_decide_between_association_and_login_with_the_id() {
        let email_only = HuaweiId {
            mobile: None,
            ..matching_id()
        };
        assert_eq!(outcome(Some(email_only)), Choice::AssociateFromId);
        let mobile_only = HuaweiId {
            email: "someone@else.example".into(),
            ..matching_id()
        };
        assert_eq!(outcome(Some(mobile_only)), Choice::AssociateFromId);
        let neither = HuaweiId {
            mobile: None,
            email: "someone@else.example".into(),
            ..matching_id()
        };
        assert_eq!(outcome(Some(neither)), Choice::RefusedContactsDiffer);
    }

    #[test]
    fn logins_after_the_upgrade_follow_its_kind() {
        let a = account();
        // A new ID: the account name, its mobile number and email, as before.
        let new_id = logins_after_new_id(&a);
        assert!(new_id.contains(&Login::AccountName(a.name.clone())));
        assert!(new_id.contains(&Login::Mobile(a.mobile.clone().unwrap())));
        assert!(new_id.contains(&Login::Email(normalize_email(&a.email))));
        assert!(!new_id.contains(&Login::IdLoginId));
        // Associated, everything the same: the account's contacts work, its
        // name does not (it is the tenant name now).
        let same = logins_after_association(&matching_id());
        assert!(same.contains(&Login::IdLoginId));
        assert!(same.contains(&Login::Mobile(a.mobile.clone().unwrap())));
        assert!(same.contains(&Login::Email(normalize_email(&a.email))));
        assert!(!same.contains(&Login::AccountName(a.name.clone())));
        // The mobile number the same, the email not: only the mobile number
        // of the cloud account logs in, not its email (002 §1.5.5).
        let mobile_only = HuaweiId {
            email: "someone@else.example".into(),
            ..matching_id()
        };
        let partly = logins_after_association(&mobile_only);
        assert!(partly.contains(&Login::Mobile(a.mobile.clone().unwrap())));
        assert!(!partly.contains(&Login::Email(normalize_email(&a.email))));
        assert!(partly.contains(&Login::Email("someone@else.example".into())));
    }
}
