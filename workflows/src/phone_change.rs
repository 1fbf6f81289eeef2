//! Phone-number change via disassociation: the data of `phone_change.toml`,
//! its guards, its outcomes and the hand-over to the account upgrade.

use std::collections::BTreeSet;

use turnstile::Workflow;

use crate::account_upgrade::{self, AccountUpgrade, CloudAccount};
use crate::rules::MobileNumber;

/// The rules of the phone change: the materials tables of 002 §1.1.17 and
/// the staff's verdict, which it shares with the details change (one owner:
/// [`crate::rules::materials`]).
pub mod rules {
    pub use crate::rules::materials::*;
}

pub use rules::Verdict;
use rules::{AccountProfile, Material};

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `phone_change::Machine`, `phone_change::state`, `phone_change::Guards`, ….
pub use machine::*;

/// A HUAWEI ID whose phone number cannot change, because the number is
/// linked to a Huawei Cloud account (002 §1.1.14).
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "phone_change.toml", module = "machine")]
pub struct PhoneChange {
    /// The Huawei Cloud account associated with the ID; it is handed over to
    /// the upgrade at the end.
    pub account: CloudAccount,
    /// What decides the materials required (002 §1.1.17).
    pub profile: AccountProfile,
    /// The member accounts associated with this enterprise master account;
    /// empty when it is not a master with members.
    pub member_accounts: BTreeSet<String>,
    /// The member accounts the master's ticket lists.
    pub ticket_lists: BTreeSet<String>,
    /// After-sales' verdict on the ticket.
    pub verdict: Verdict,
    /// The materials provided after a request for more.
    pub materials: BTreeSet<Material>,
    /// The mobile number to change to (002 §1.1.14 step 4).
    pub new_mobile: Option<MobileNumber>,
}

impl PhoneChange {
    /// The change for `account`, with the verdict not yet known (`Approved`
    /// until after-sales says otherwise) and nothing provided.
    pub fn new(account: CloudAccount, profile: AccountProfile) -> Self {
        PhoneChange {
            account,
            profile,
            member_accounts: BTreeSet::new(),
            ticket_lists: BTreeSet::new(),
            verdict: Verdict::Approved,
            materials: BTreeSet::new(),
            new_mobile: None,
        }
    }
}

impl machine::Guards for PhoneChange {
    fn is_enterprise_master(&self) -> bool {
        !self.member_accounts.is_empty()
    }
    fn lists_all_member_accounts(&self) -> bool {
        self.member_accounts.is_subset(&self.ticket_lists)
    }
    fn materials_complete(&self) -> bool {
        rules::materials_complete(&self.profile, &self.materials)
    }
}

impl machine::Outcomes for PhoneChange {
    fn review_ticket(&self) -> machine::choice::ReviewTicket {
        use machine::choice::ReviewTicket as Choice;
        match self.verdict {
            Verdict::Approved => Choice::AwaitingDisassociation,
            Verdict::MoreMaterials => Choice::MaterialsRequested,
            Verdict::Rejected => Choice::TicketRejected,
        }
    }
    /// Staff may find the materials provided not enough and ask for more
    /// again (002 §1.1.17: "you will be required to provide more
    /// materials"): the request may repeat.
    fn provide_materials(&self) -> machine::choice::ProvideMaterials {
        use machine::choice::ProvideMaterials as Choice;
        match self.verdict {
            Verdict::Approved => Choice::AwaitingDisassociation,
            Verdict::MoreMaterials => Choice::MaterialsRequested,
            Verdict::Rejected => Choice::TicketRejected,
        }
    }
}

impl machine::Machine<machine::state::ReadyToUpgrade> {
    /// The hand-over of 002 §1.1.14 step 6: logged in with the Huawei Cloud
    /// account again, its owner is prompted to upgrade. This gives the
    /// account-upgrade machine for the same account, with the new mobile
    /// number bound to it.
    pub fn into_upgrade(self) -> account_upgrade::Machine<account_upgrade::state::Prompted> {
        let change = self.into_data();
        let mut account = change.account;
        if let Some(mobile) = change.new_mobile {
            account.mobile = Some(mobile);
        }
        account_upgrade::Machine::new(AccountUpgrade::new(account))
    }
}
