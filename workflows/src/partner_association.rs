//! Partner association: the data of `partner_association.toml`, its guards
//! and its outcomes.

use std::time::Duration;

use turnstile::Workflow;

use crate::rules::{self as shared, Region, VerificationCode};

pub mod rules;

/// How the partner works with its customers (004).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PartnerModel {
    /// The partner resells: the customer is frozen until it sets a budget.
    Reseller,
    /// The partner refers customers, who keep paying Huawei Cloud. 004
    /// names only the reseller model; "referral" is our name for the other.
    Referral,
}

/// How the invitation reached the customer (004 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Invitation {
    /// An online invitation link.
    OnlineLink,
    /// A QR code.
    QrCode,
}

/// A special contract with Huawei Cloud that rules association out (004 precautions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SpecialContract {
    /// An offline directly-signed contract.
    OfflineDirectlySigned,
    /// An authorised telemarketing contract with discounts.
    TelemarketingWithDiscounts,
    /// A directly-signed special offer contract.
    DirectlySignedSpecialOffer,
}

/// The account's place in an enterprise (004 precautions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EnterpriseRole {
    /// Not part of an enterprise.
    None,
    /// An enterprise member account.
    Member,
    /// An enterprise master account with members in independent accounting.
    MasterWithIndependentMembers,
    /// Associated with an enterprise master in unified accounting mode.
    UnderUnifiedAccountingMaster,
}

/// What the eligibility rules of 004 look at in an existing account.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomerRecord {
    /// Registered with Huawei Cloud (China) rather than the International website.
    pub chinese_mainland_site: bool,
    /// Already associated with another partner.
    pub other_partner: bool,
    /// A special contract, if any.
    pub special_contract: Option<SpecialContract>,
    /// How long ago the account registered.
    pub registered_for: Duration,
    /// The number of cash expenditure records.
    pub cash_expenditure_records: u32,
    /// The number of unpaid bills.
    pub unpaid_bills: u32,
    /// The account's place in an enterprise.
    pub enterprise_role: EnterpriseRole,
    /// A professional service contract with Huawei Cloud.
    pub professional_service_contract: bool,
    /// The number of valid reserved instances.
    pub valid_reserved_instances: u32,
}

impl CustomerRecord {
    /// An account registered `registered_for` ago with nothing against it.
    pub fn new(registered_for: Duration) -> Self {
        CustomerRecord {
            chinese_mainland_site: false,
            other_partner: false,
            special_contract: None,
            registered_for,
            cash_expenditure_records: 0,
            unpaid_bills: 0,
            enterprise_role: EnterpriseRole::None,
            professional_service_contract: false,
            valid_reserved_instances: 0,
        }
    }
}

/// The generated machine (`#[workflow(module = "machine")]`), re-exported
/// here: `partner_association::Machine`, `partner_association::state`, `partner_association::Guards`, ….
pub use machine::*;

/// A customer following a partner's invitation (seed 004).
#[derive(Workflow)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[workflow(file = "partner_association.toml", module = "machine")]
pub struct PartnerAssociation {
    /// The inviting partner's model.
    pub model: PartnerModel,
    /// How the invitation arrived.
    pub invitation: Invitation,
    /// Registering: the password chosen.
    pub password: String,
    /// Registering: the email verification code.
    pub email_code: VerificationCode,
    /// The country/region selected when enabling.
    pub region: Region,
    /// The country/region of the billing address.
    pub billing_region: Region,
    /// The Customer Agreement and Privacy Statement are accepted.
    pub agreements_accepted: bool,
    /// Logging in: the existing account's record.
    pub customer: CustomerRecord,
}

impl PartnerAssociation {
    /// An invitation from a partner of `model`, opened by a customer billed in `region`.
    pub fn new(model: PartnerModel, invitation: Invitation, region: Region) -> Self {
        PartnerAssociation {
            model,
            invitation,
            password: String::new(),
            email_code: VerificationCode::default(),
            region,
            billing_region: region,
            agreements_accepted: false,
            customer: CustomerRecord::new(Duration::ZERO),
        }
    }

    fn reseller(&self) -> bool {
        self.model == PartnerModel::Reseller
    }
}

impl PartnerAssociation {
    /// Whether the customer's cash coupons may deduct an expenditure
    /// generated at `generated_at`, the customer having been associated
    /// with this partner at `associated_at`: in the reseller model only
    /// expenditure from before the association (004 precautions,
    /// [`rules::cash_coupon_may_deduct`]).
    pub fn cash_coupon_may_deduct(
        &self,
        associated_at: std::time::SystemTime,
        generated_at: std::time::SystemTime,
    ) -> bool {
        rules::cash_coupon_may_deduct(self.model, associated_at, generated_at)
    }
}

impl machine::Guards for PartnerAssociation {
    fn is_reseller_model(&self) -> bool {
        self.reseller()
    }
    fn is_not_reseller_model(&self) -> bool {
        !self.reseller()
    }
    fn password_valid(&self) -> bool {
        shared::password_valid(&self.password)
    }
    fn email_code_verified(&self) -> bool {
        self.email_code.verified()
    }
    fn invitation_is_online_link(&self) -> bool {
        self.invitation == Invitation::OnlineLink
    }
    fn billing_region_matches(&self) -> bool {
        self.region == self.billing_region
    }
    fn agreements_accepted(&self) -> bool {
        self.agreements_accepted
    }
    fn not_chinese_mainland_site(&self) -> bool {
        !self.customer.chinese_mainland_site
    }
    fn no_other_partner(&self) -> bool {
        !self.customer.other_partner
    }
    fn no_special_contract(&self) -> bool {
        self.customer.special_contract.is_none()
    }
    fn registered_within_seven_days_without_cash_expenditure(&self) -> bool {
        rules::new_without_cash_expenditure(
            self.customer.registered_for,
            self.customer.cash_expenditure_records,
        )
    }
    fn no_unpaid_bills(&self) -> bool {
        self.customer.unpaid_bills == 0
    }
    fn not_under_unified_accounting_master(&self) -> bool {
        self.customer.enterprise_role != EnterpriseRole::UnderUnifiedAccountingMaster
    }
    fn reseller_no_professional_service_contract(&self) -> bool {
        !self.reseller() || !self.customer.professional_service_contract
    }
    fn reseller_no_valid_reserved_instances(&self) -> bool {
        !self.reseller() || self.customer.valid_reserved_instances == 0
    }
    fn reseller_not_enterprise_member(&self) -> bool {
        !self.reseller() || self.customer.enterprise_role != EnterpriseRole::Member
    }
    fn reseller_not_master_with_independent_members(&self) -> bool {
        !self.reseller()
            || self.customer.enterprise_role != EnterpriseRole::MasterWithIndependentMembers
    }
}

impl machine::Outcomes for PartnerAssociation {
    fn enable_and_associate(&self) -> machine::choice::EnableAndAssociate {
        use machine::choice::EnableAndAssociate as Choice;
        match self.model {
            PartnerModel::Reseller => Choice::FrozenUntilBudget,
            PartnerModel::Referral => Choice::Associated,
        }
    }
    fn associate(&self) -> machine::choice::Associate {
        use machine::choice::Associate as Choice;
        match self.model {
            PartnerModel::Reseller => Choice::FrozenUntilBudget,
            PartnerModel::Referral => Choice::Associated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use machine::Guards;

    fn logging_in(model: PartnerModel) -> PartnerAssociation {
        let mut data = PartnerAssociation::new(model, Invitation::OnlineLink, Region::Brazil);
        data.customer = CustomerRecord::new(Duration::from_secs(3 * 24 * 3600));
        data
    }

    #[test]
    fn reseller_only_rules_do_not_bind_a_referral_partner() {
        for model in [PartnerModel::Reseller, PartnerModel::Referral] {
            let mut data = logging_in(model);
            data.customer.professional_service_contract = true;
            data.customer.valid_reserved_instances = 1;
            data.customer.enterprise_role = EnterpriseRole::Member;
            let free = model == PartnerModel::Referral;
            assert_eq!(data.reseller_no_professional_service_contract(), free);
            assert_eq!(data.reseller_no_valid_reserved_instances(), free);
            assert_eq!(data.reseller_not_enterprise_member(), free);
            data.customer.enterprise_role = EnterpriseRole::MasterWithIndependentMembers;
            assert_eq!(data.reseller_not_master_with_independent_members(), free);
        }
    }

    #[test]
    fn unified_accounting_rules_out_every_model() {
        for model in [PartnerModel::Reseller, PartnerModel::Referral] {
            let mut data = logging_in(model);
            assert!(data.not_under_unified_accounting_master());
            data.customer.enterprise_role = EnterpriseRole::UnderUnifiedAccountingMaster;
            assert!(!data.not_under_unified_accounting_master());
        }
    }

    #[test]
    fn the_instructions_step_is_for_resellers_only() {
        let reseller = logging_in(PartnerModel::Reseller);
        assert!(reseller.is_reseller_model() && !reseller.is_not_reseller_model());
        let referral = logging_in(PartnerModel::Referral);
        assert!(!referral.is_reseller_model() && referral.is_not_reseller_model());
    }

    #[test]
    fn seven_days_exactly_is_still_eligible() {
        let mut data = logging_in(PartnerModel::Referral);
        data.customer.registered_for = rules::SEVEN_DAYS;
        assert!(data.registered_within_seven_days_without_cash_expenditure());
        data.customer.registered_for = rules::SEVEN_DAYS + Duration::from_secs(1);
        assert!(!data.registered_within_seven_days_without_cash_expenditure());
    }
}
