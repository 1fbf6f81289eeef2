//! Changing account details through after-sales staff, with materials
//! (002 §1.1.17): the data of `details_change.toml`, its guards, payloads
//! and outcomes. The materials tables and the staff's verdict are the
//! phone change's too, in one module: [`crate::rules::materials`].
//!
//! Who acts is in the definition: the customer submits the ticket and
//! provides more materials, after-sales staff decide, and an enterprise
//! that cannot meet its row's requirements goes through its account
//! manager. What changes is in the data: the account's phone number or
//! email address changes when, and only when, the staff approve.

use std::collections::BTreeSet;

use turnstile::Workflow;

use crate::account_upgrade::CloudAccount;
use crate::rules::materials::{self, AccountProfile, CustomerType, Material, Verdict};
use crate::rules::{AccountType, MobileNumber};

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `details_change::Machine`, `details_change::state`,
/// `details_change::role`, ….
pub use machine::*;

/// The detail that is unavailable and what it becomes (002 §1.1.17: "the
/// phone number or email address registered with Huawei Cloud").
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NewDetail {
    /// A new mobile number.
    Mobile(MobileNumber),
    /// A new email address.
    Email(String),
}

/// What the customer's ticket (or the account manager's request) carries:
/// the new detail and the materials provided with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChangeRequest {
    /// The phone number or email address asked for.
    pub detail: NewDetail,
    /// The materials provided with the ticket.
    pub materials: BTreeSet<Material>,
}

/// Further materials provided after the staff asked for more.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MoreMaterials {
    /// The materials provided this time.
    pub materials: BTreeSet<Material>,
}

/// An account whose phone number or email address is unavailable, to be
/// changed through after-sales staff (002 §1.1.17).
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "details_change.toml", module = "machine")]
// Payloads by name are read as JSON (`turnstile::Payload` for serde
// types): without serde, the typed machine alone.
#[cfg_attr(not(feature = "serde"), workflow(dispatch = false))]
pub struct DetailsChange {
    /// The account whose details change: its `mobile` or `email` changes
    /// when the staff approve, and not before.
    pub account: CloudAccount,
    /// What decides the materials required (002 §1.1.17).
    pub profile: AccountProfile,
    /// Whether the customer writes from the company email (002 §1.1.17
    /// NOTE).
    pub company_email: bool,
    /// The detail asked for, once a request is made.
    pub requested: Option<NewDetail>,
    /// Every material provided so far.
    pub provided: BTreeSet<Material>,
    /// The staff's last verdict.
    pub verdict: Option<Verdict>,
    /// How many times the staff asked for more materials.
    pub requests_for_more: u32,
}

impl DetailsChange {
    /// The change for `account`, nothing asked or provided yet.
    pub fn new(account: CloudAccount, profile: AccountProfile) -> Self {
        DetailsChange {
            account,
            profile,
            company_email: false,
            requested: None,
            provided: BTreeSet::new(),
            verdict: None,
            requests_for_more: 0,
        }
    }
}

/// The row of 002 §1.1.17 whose NOTE sends the customer to the account
/// manager: a direct-sales enterprise account, not real-name authenticated,
/// with no card added but actual payments made.
pub fn enterprise_paying_without_card(profile: &AccountProfile) -> bool {
    profile.customer == CustomerType::DirectSales
        && !profile.real_name_authenticated
        && profile.account_type == AccountType::Enterprise
        && !profile.card_added
        && profile.payments_made
}

impl machine::Guards for DetailsChange {
    fn materials_complete(&self, request: &ChangeRequest) -> bool {
        materials::materials_complete(&self.profile, &request.materials)
    }
    fn more_materials_added(&self, more: &MoreMaterials) -> bool {
        !more.materials.is_subset(&self.provided)
    }
    fn enterprise_paying_without_card(&self, _request: &ChangeRequest) -> bool {
        enterprise_paying_without_card(&self.profile)
    }
    fn from_company_email(&self, _request: &ChangeRequest) -> bool {
        self.company_email
    }
}

impl machine::Payloads for DetailsChange {
    fn submit_ticket(&mut self, request: ChangeRequest) {
        self.provided.extend(request.materials);
        self.requested = Some(request.detail);
    }
    fn contact_account_manager(&mut self, request: ChangeRequest) {
        self.provided.extend(request.materials);
        self.requested = Some(request.detail);
    }
    /// The staff's verdict; approved, the account's detail changes now
    /// (002 §1.1.17: the personnel change the account details when they
    /// approve).
    fn review_materials(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Approved => match self.requested.clone() {
                Some(NewDetail::Mobile(mobile)) => self.account.mobile = Some(mobile),
                Some(NewDetail::Email(email)) => self.account.email = email,
                None => {}
            },
            Verdict::MoreMaterials => self.requests_for_more += 1,
            Verdict::Rejected => {}
        }
        self.verdict = Some(verdict);
    }
    fn provide_more_materials(&mut self, more: MoreMaterials) {
        self.provided.extend(more.materials);
    }
}

impl machine::Outcomes for DetailsChange {
    /// Approved, more materials, or rejected, as the staff said: asking
    /// for more may repeat any number of times (002 §1.1.17).
    fn review_materials(&self) -> machine::choice::ReviewMaterials {
        use machine::choice::ReviewMaterials as Choice;
        match self.verdict {
            Some(Verdict::Approved) => Choice::DetailsChanged,
            Some(Verdict::MoreMaterials) => Choice::MoreMaterialsRequested,
            Some(Verdict::Rejected) | None => Choice::RequestRejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::materials::CustomerType;

    fn profile(
        authenticated: bool,
        account_type: AccountType,
        card: bool,
        paid: bool,
    ) -> AccountProfile {
        AccountProfile {
            customer: CustomerType::DirectSales,
            real_name_authenticated: authenticated,
            account_type,
            card_added: card,
            payments_made: paid,
            registered_with_mobile: true,
        }
    }

    #[test]
    fn only_the_notes_row_goes_to_the_account_manager() {
        use AccountType::*;
        assert!(enterprise_paying_without_card(&profile(
            false, Enterprise, false, true
        )));
        // Each of the four conditions, flipped.
        assert!(!enterprise_paying_without_card(&profile(
            true, Enterprise, false, true
        )));
        assert!(!enterprise_paying_without_card(&profile(
            false, Individual, false, true
        )));
        assert!(!enterprise_paying_without_card(&profile(
            false, Enterprise, true, true
        )));
        assert!(!enterprise_paying_without_card(&profile(
            false, Enterprise, false, false
        )));
        // A reseller's customer has its own table, without the NOTE.
        let reseller = AccountProfile {
            customer: CustomerType::Reseller,
            ..profile(false, Enterprise, false, true)
        };
        assert!(!enterprise_paying_without_card(&reseller));
    }
}
