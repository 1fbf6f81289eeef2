//! The account as one machine: the data of `account.toml`, whose four
//! parallel regions are the services (closing), the partner (association),
//! the restriction and the freeze of one Huawei Cloud account
//! (docs/regions.md). It is a crate of its own, beside
//! `turnstile-workflows` whose processes it joins: its machine declares the
//! same state and event names as theirs, and rustc prints a name in full in
//! a compile error unless it is unique among the crates in use.
//!
//! The rules of each process have one owner: the account's data holds each
//! process's own data ([`ServiceClosing`], [`PartnerAssociation`],
//! [`AccountRestriction`]) and its guards, payloads and outcomes call
//! theirs, so a guard the account shares with a process is that process's
//! code, and `workflows/tests/account.rs` proves every event the two
//! definitions share written alike (who fires it, its guards, payload,
//! timers and targets). What the account adds are the seams between the
//! processes, in its definition: closing waits for the partner, the
//! restriction and the freeze (`when`); becoming a partner restricts and
//! freezes in one step (a joint move); the partner's freeze is one state,
//! the partner region's `frozen_until_budget`; the freeze of a request to
//! disable services is the services region's `closed`, which only Restore
//! lifts.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use turnstile::Acting;
//! use turnstile_account::{outcome, role, Account, Machine, PartnerModel};
//!
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let customer = Acting::<role::Customer>::authenticated();
//! let partner = Acting::<role::Partner>::authenticated();
//! let m = Machine::new(Account::new("acme", PartnerModel::Reseller), now);
//! // A reseller customer is frozen by default until the partner's budget.
//! let outcome::Associate::FrozenUntilBudget(m) = m.associate(&customer, now).unwrap() else {
//!     unreachable!("the reseller model freezes")
//! };
//! assert!(!m.permits("buy_resources"));
//! let m = m.set_budget(&partner, now);
//! assert!(m.permits("buy_resources"));
//! assert_eq!(m.states(), ["active", "budget_active", "unrestricted", "not_frozen"]);
//! ```

#![forbid(unsafe_code)]

use std::time::Duration;

use turnstile::Workflow;

use turnstile_workflows::account_restriction::{
    self, FreezeReason, MemberBudget, RestorationMaterials, RestrictionReason, StaffDecision,
};
use turnstile_workflows::partner_association::{self, CustomerRecord, Invitation};
use turnstile_workflows::rules::Region;
use turnstile_workflows::service_closing;
use turnstile_workflows::{AccountRestriction, PartnerAssociation, ServiceClosing};

pub use turnstile_workflows::partner_association::PartnerModel;

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `turnstile_account::Machine`, `Current`, `state`, ….
pub use machine::*;

/// A Huawei Cloud account: the data of each process it runs at once.
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "account.toml", module = "machine")]
// Payloads by name are read as JSON (`turnstile::Payload` for serde types):
// without serde, the typed machine alone.
#[cfg_attr(not(feature = "serde"), workflow(dispatch = false))]
pub struct Account {
    /// What closing checks (002 §1.4.6): the services region's guards.
    pub closing: ServiceClosing,
    /// The partner's model and the customer's record (004): the partner
    /// region's guards and outcome.
    pub partner: PartnerAssociation,
    /// The restriction, the freeze and their tickets (002 §1.1.10,
    /// §1.1.11, NOTE after §1.1.10): the restriction and freeze regions'
    /// guards and payloads.
    pub restriction: AccountRestriction,
}

impl Account {
    /// An account with nothing in the way of closing, registered two days
    /// ago with no expenditure (so eligible for association), whose
    /// partner, if it associates, works in `model`, with no credit card
    /// bound.
    pub fn new(name: impl Into<String>, model: PartnerModel) -> Self {
        let name = name.into();
        let mut partner = PartnerAssociation::new(model, Invitation::OnlineLink, Region::Brazil);
        partner.customer = CustomerRecord::new(Duration::from_secs(2 * 24 * 3600));
        Account {
            closing: ServiceClosing::new(name.clone()),
            partner,
            restriction: AccountRestriction::new(name, false),
        }
    }
}

// Each guard is the owning process's own: the account calls it on that
// process's data.
impl machine::Guards for Account {
    fn id_not_frozen(&self) -> bool {
        service_closing::Guards::id_not_frozen(&self.closing)
    }
    fn no_frozen_resources(&self) -> bool {
        service_closing::Guards::no_frozen_resources(&self.closing)
    }
    fn no_partner_ties(&self) -> bool {
        service_closing::Guards::no_partner_ties(&self.closing)
    }
    fn not_enterprise_account(&self) -> bool {
        service_closing::Guards::not_enterprise_account(&self.closing)
    }
    fn no_site_binding(&self) -> bool {
        service_closing::Guards::no_site_binding(&self.closing)
    }
    fn no_resources_in_use(&self) -> bool {
        service_closing::Guards::no_resources_in_use(&self.closing)
    }
    fn no_funds(&self) -> bool {
        service_closing::Guards::no_funds(&self.closing)
    }
    fn no_pending_finance(&self) -> bool {
        service_closing::Guards::no_pending_finance(&self.closing)
    }

    fn not_chinese_mainland_site(&self) -> bool {
        partner_association::Guards::not_chinese_mainland_site(&self.partner)
    }
    fn no_other_partner(&self) -> bool {
        partner_association::Guards::no_other_partner(&self.partner)
    }
    fn no_special_contract(&self) -> bool {
        partner_association::Guards::no_special_contract(&self.partner)
    }
    fn registered_within_seven_days_without_cash_expenditure(&self) -> bool {
        partner_association::Guards::registered_within_seven_days_without_cash_expenditure(
            &self.partner,
        )
    }
    fn no_unpaid_bills(&self) -> bool {
        partner_association::Guards::no_unpaid_bills(&self.partner)
    }
    fn not_under_unified_accounting_master(&self) -> bool {
        partner_association::Guards::not_under_unified_accounting_master(&self.partner)
    }
    fn reseller_no_professional_service_contract(&self) -> bool {
        partner_association::Guards::reseller_no_professional_service_contract(&self.partner)
    }
    fn reseller_no_valid_reserved_instances(&self) -> bool {
        partner_association::Guards::reseller_no_valid_reserved_instances(&self.partner)
    }
    fn reseller_not_enterprise_member(&self) -> bool {
        partner_association::Guards::reseller_not_enterprise_member(&self.partner)
    }
    fn reseller_not_master_with_independent_members(&self) -> bool {
        partner_association::Guards::reseller_not_master_with_independent_members(&self.partner)
    }

    fn verification_complete(&self, payload: &RestorationMaterials) -> bool {
        account_restriction::Guards::verification_complete(&self.restriction, payload)
    }
    fn materials_match(&self, payload: &RestorationMaterials) -> bool {
        account_restriction::Guards::materials_match(&self.restriction, payload)
    }
    fn frozen_for_non_renewal(&self) -> bool {
        account_restriction::Guards::frozen_for_non_renewal(&self.restriction)
    }
    fn note_materials_do_not_apply(&self) -> bool {
        account_restriction::Guards::note_materials_do_not_apply(&self.restriction)
    }
    fn restricted_for_member_budget(&self, budget: &MemberBudget) -> bool {
        account_restriction::Guards::restricted_for_member_budget(&self.restriction, budget)
    }

    // The account's own: the reasons another region owns.
    fn restriction_reason_of_its_own(&self, payload: &RestrictionReason) -> bool {
        *payload != RestrictionReason::BecamePartner
    }
    fn freeze_reason_of_its_own(&self, payload: &FreezeReason) -> bool {
        !matches!(
            payload,
            FreezeReason::BecamePartner | FreezeReason::DisableRequested
        )
    }
}

impl machine::Payloads for Account {
    fn restrict(&mut self, reason: RestrictionReason) {
        self.restriction.restriction = Some(reason);
    }
    fn freeze(&mut self, reason: FreezeReason) {
        self.restriction.freeze = Some(reason);
    }
    fn submit_restriction_ticket(&mut self, materials: RestorationMaterials) {
        account_restriction::Payloads::submit_restriction_ticket(&mut self.restriction, materials);
    }
    fn allocate_member_budget(&mut self, budget: MemberBudget) {
        account_restriction::Payloads::allocate_member_budget(&mut self.restriction, budget);
    }
    fn submit_freeze_ticket(&mut self, materials: RestorationMaterials) {
        account_restriction::Payloads::submit_freeze_ticket(&mut self.restriction, materials);
    }
    fn decide_restriction(&mut self, decision: StaffDecision) {
        account_restriction::Payloads::decide_restriction(&mut self.restriction, decision);
    }
    fn decide_pay_per_use_ticket(&mut self, decision: StaffDecision) {
        account_restriction::Payloads::decide_pay_per_use_ticket(&mut self.restriction, decision);
    }
    // Not the standalone process's: there a restored freeze is good
    // standing, restriction and all; here the restriction is its own
    // region, and stays.
    fn decide_freeze(&mut self, decision: StaffDecision) {
        if decision.restore {
            self.restriction.freeze = None;
        }
        self.restriction.decision = Some(decision);
    }
}

impl machine::Outcomes for Account {
    fn associate(&self) -> machine::choice::Associate {
        use machine::choice::Associate as Choice;
        match partner_association::Outcomes::associate(&self.partner) {
            partner_association::choice::Associate::Associated => Choice::Associated,
            partner_association::choice::Associate::FrozenUntilBudget => Choice::FrozenUntilBudget,
        }
    }
    fn restrict(&self) -> machine::choice::Restrict {
        use machine::choice::Restrict as Choice;
        match account_restriction::Outcomes::restrict(&self.restriction) {
            account_restriction::choice::Restrict::Restricted => Choice::Restricted,
            account_restriction::choice::Restrict::PayPerUseSuspended => Choice::PayPerUseSuspended,
        }
    }
    fn decide_pay_per_use_ticket(&self) -> machine::choice::DecidePayPerUseTicket {
        use machine::choice::DecidePayPerUseTicket as Choice;
        match account_restriction::Outcomes::decide_pay_per_use_ticket(&self.restriction) {
            account_restriction::choice::DecidePayPerUseTicket::InGoodStanding => {
                Choice::Unrestricted
            }
            account_restriction::choice::DecidePayPerUseTicket::PayPerUseSuspended => {
                Choice::PayPerUseSuspended
            }
        }
    }
    fn decide_restriction(&self) -> machine::choice::DecideRestriction {
        use machine::choice::DecideRestriction as Choice;
        match account_restriction::Outcomes::decide_restriction(&self.restriction) {
            account_restriction::choice::DecideRestriction::InGoodStanding => Choice::Unrestricted,
            account_restriction::choice::DecideRestriction::Restricted => Choice::Restricted,
        }
    }
    fn decide_freeze(&self) -> machine::choice::DecideFreeze {
        use machine::choice::DecideFreeze as Choice;
        match account_restriction::Outcomes::decide_freeze(&self.restriction) {
            account_restriction::choice::DecideFreeze::InGoodStanding => Choice::NotFrozen,
            account_restriction::choice::DecideFreeze::Frozen => Choice::Frozen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use machine::Guards;

    #[test]
    fn a_reason_another_region_owns_is_refused() {
        let account = Account::new("acme", PartnerModel::Referral);
        assert!(!account.restriction_reason_of_its_own(&RestrictionReason::BecamePartner));
        assert!(account.restriction_reason_of_its_own(&RestrictionReason::InsufficientBalance));
        assert!(!account.freeze_reason_of_its_own(&FreezeReason::DisableRequested));
        assert!(!account.freeze_reason_of_its_own(&FreezeReason::BecamePartner));
        assert!(account.freeze_reason_of_its_own(&FreezeReason::NotRenewed));
        assert!(account.freeze_reason_of_its_own(&FreezeReason::Violation));
    }
}
