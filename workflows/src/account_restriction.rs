//! Restricted and frozen accounts, and restoring them: the data of
//! `account_restriction.toml`, its guards, payloads and outcomes; its rules
//! are in [`rules`].
//!
//! Who acts is in the definition: the system restricts and freezes, a
//! reseller partner freezes and unfreezes its customer, the customer renews
//! and submits the restoration ticket, after-sales staff decide. So is what
//! each state permits: a restricted or frozen account still logs in and
//! views its bills, and submits the ticket; only an account in good
//! standing buys, renews or changes resources.

use turnstile::Workflow;

pub mod rules;

pub use rules::{
    FreezeReason, IdentityDocument, MemberBudget, RestorationMaterials, RestrictionReason,
    StaffDecision,
};

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `account_restriction::Machine`, `account_restriction::role`, ….
pub use machine::*;

/// A Huawei Cloud account that may be restricted or frozen, and restored.
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "account_restriction.toml", module = "machine")]
// Payloads by name are read as JSON (`turnstile::Payload` for serde types):
// without serde, the typed machine alone.
#[cfg_attr(not(feature = "serde"), workflow(dispatch = false))]
pub struct AccountRestriction {
    /// The account's name, for logs.
    pub account: String,
    /// Whether a credit card is associated with the account: the ticket
    /// then needs two verification methods (NOTE after §1.1.10).
    pub card_bound: bool,
    /// Why the account is restricted, while it is.
    pub restriction: Option<RestrictionReason>,
    /// Why the account is frozen, while it is.
    pub freeze: Option<FreezeReason>,
    /// How many restoration tickets were submitted (the materials
    /// themselves are not kept: the trail holds their digest).
    pub tickets: u32,
    /// The staff's last decision.
    pub decision: Option<StaffDecision>,
    /// Whether the account is associated with a partner in the reseller
    /// model: only then does a partner freeze it (002 §1.1.11; 004).
    #[cfg_attr(feature = "serde", serde(default))]
    pub reseller_customer: bool,
    /// Whether the NOTE's materials and requirements apply in the
    /// account's country or region (NOTE after §1.1.10: they "do not apply
    /// to all countries or regions"); where they do not, the account
    /// manager takes the request to staff. Older rows read as `true`.
    #[cfg_attr(feature = "serde", serde(default = "materials_apply"))]
    pub note_materials_apply: bool,
}

/// What a row written before `note_materials_apply` existed says: the
/// materials applied, as the definition then read them everywhere.
#[cfg(feature = "serde")]
fn materials_apply() -> bool {
    true
}

impl AccountRestriction {
    /// An account in good standing.
    pub fn new(account: impl Into<String>, card_bound: bool) -> Self {
        AccountRestriction {
            account: account.into(),
            card_bound,
            restriction: None,
            freeze: None,
            tickets: 0,
            decision: None,
            reseller_customer: false,
            note_materials_apply: true,
        }
    }
}

impl machine::Guards for AccountRestriction {
    fn verification_complete(&self, payload: &RestorationMaterials) -> bool {
        rules::verification_complete(self.card_bound, payload)
    }
    fn materials_match(&self, payload: &RestorationMaterials) -> bool {
        rules::materials_match(self.card_bound, payload)
    }
    fn reseller_customer(&self) -> bool {
        self.reseller_customer
    }
    fn note_materials_do_not_apply(&self) -> bool {
        !self.note_materials_apply
    }
    fn restricted_for_member_budget(&self, budget: &MemberBudget) -> bool {
        self.restriction == Some(RestrictionReason::EnterpriseMemberInsufficientBudget)
            && budget.amount > 0
    }
    fn frozen_for_non_renewal(&self) -> bool {
        self.freeze == Some(FreezeReason::NotRenewed)
    }
}

impl machine::Payloads for AccountRestriction {
    fn restrict(&mut self, reason: RestrictionReason) {
        self.restriction = Some(reason);
    }
    fn freeze(&mut self, reason: FreezeReason) {
        self.freeze = Some(reason);
    }
    /// The member's budget lifts its restriction (002 §3.1.13).
    fn allocate_member_budget(&mut self, _budget: MemberBudget) {
        self.restriction = None;
    }
    fn submit_restriction_ticket(&mut self, _materials: RestorationMaterials) {
        self.tickets += 1;
    }
    fn submit_freeze_ticket(&mut self, _materials: RestorationMaterials) {
        self.tickets += 1;
    }
    fn decide_restriction(&mut self, decision: StaffDecision) {
        if decision.restore {
            self.restriction = None;
        }
        self.decision = Some(decision);
    }
    fn decide_pay_per_use_ticket(&mut self, decision: StaffDecision) {
        if decision.restore {
            self.restriction = None;
        }
        self.decision = Some(decision);
    }
    fn decide_freeze(&mut self, decision: StaffDecision) {
        if decision.restore {
            self.freeze = None;
            self.restriction = None;
        }
        self.decision = Some(decision);
    }
}

impl machine::Outcomes for AccountRestriction {
    /// Security risks suspend pay-per-use purchases only (002 §1.1.10,
    /// fifth item); every other reason restricts the account's use.
    fn restrict(&self) -> machine::choice::Restrict {
        match self.restriction {
            Some(RestrictionReason::SecurityRisk) => machine::choice::Restrict::PayPerUseSuspended,
            _ => machine::choice::Restrict::Restricted,
        }
    }
    fn decide_pay_per_use_ticket(&self) -> machine::choice::DecidePayPerUseTicket {
        match &self.decision {
            Some(d) if d.restore => machine::choice::DecidePayPerUseTicket::InGoodStanding,
            _ => machine::choice::DecidePayPerUseTicket::PayPerUseSuspended,
        }
    }
    fn decide_restriction(&self) -> machine::choice::DecideRestriction {
        match &self.decision {
            Some(d) if d.restore => machine::choice::DecideRestriction::InGoodStanding,
            _ => machine::choice::DecideRestriction::Restricted,
        }
    }
    fn decide_freeze(&self) -> machine::choice::DecideFreeze {
        match &self.decision {
            Some(d) if d.restore => machine::choice::DecideFreeze::InGoodStanding,
            _ => machine::choice::DecideFreeze::Frozen,
        }
    }
}
