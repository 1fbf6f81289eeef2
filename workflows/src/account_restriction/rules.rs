//! The rules of restricting, freezing and restoring an account: why each
//! happens (002 §1.1.10, §1.1.11), and the identity verification of the
//! restoration ticket (the NOTE after §1.1.10).

/// Why Huawei Cloud restricts (suspends) an account: one per item of 002
/// §1.1.10, and the two more that §3.1.13 lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RestrictionReason {
    /// The use violated laws and regulations, pay-per-use resources were
    /// bought but not paid for, junk email was sent, or DDoS attacks caused
    /// Huawei Cloud losses.
    ViolationOrUnpaidUse,
    /// Real-name authentication failed, yet Chinese mainland services were
    /// bought or used.
    RealNameAuthenticationFailed,
    /// The account balance is insufficient.
    InsufficientBalance,
    /// The account became a partner, such as a reseller.
    BecamePartner,
    /// The account has security risks and cannot buy pay-per-use resources.
    SecurityRisk,
    /// The payment information is incomplete (002 §3.1.13).
    PaymentInformationIncomplete,
    /// The account is an enterprise member account with an insufficient
    /// budget (002 §3.1.13).
    EnterpriseMemberInsufficientBudget,
}

/// Why Huawei Cloud freezes an account: the items of 002 §1.1.11 that the
/// platform acts on (the fifth, a reseller partner's freeze, is the
/// partner's own event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FreezeReason {
    /// National laws and regulations or Huawei security requirements were violated.
    Violation,
    /// The cloud services were not renewed in the retention period.
    NotRenewed,
    /// The account became a partner, such as a reseller.
    BecamePartner,
    /// A request to disable Huawei Cloud services was submitted.
    DisableRequested,
}

/// The identity document of verification method 1 (NOTE after §1.1.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum IdentityDocument {
    /// A passport.
    Passport,
    /// The front and back of a Resident Identity Card.
    ResidentIdentityCard,
    /// A driver license.
    DriverLicense,
}

/// What a restoration ticket brings (the NOTE after §1.1.10): a sensitive
/// payload, recorded in the trail by its digest only. A field it does not
/// have is refused (a misspelt method must not pass for a missing one).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct RestorationMaterials {
    /// Method 1: a photo of an identity document.
    pub identity_document: Option<IdentityDocument>,
    /// Method 2: a photo of the front of the bound credit card.
    pub card_front: bool,
    /// Method 3: the bound credit card's transaction details, covering
    /// this many of the last months.
    pub transaction_months: u8,
    /// Whether the personal information on the materials matches that of
    /// the bound credit card (requirements 1 and 2).
    pub matches_card_holder: bool,
    /// Whether the personal information the transaction details show
    /// matches the identity document submitted (requirement 3); asked only
    /// when both are submitted. Absent, it is not said to match.
    #[cfg_attr(feature = "serde", serde(default))]
    pub transactions_match_certificate: bool,
}

/// What after-sales staff decide on a restoration ticket. A field it does
/// not have is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct StaffDecision {
    /// Restore the account, or keep it as it is.
    pub restore: bool,
    /// Why, in the staff's words.
    pub note: String,
}

/// The budget an enterprise's master account allocates to a member
/// account (002 §3.1.13: a member account is restricted when its budget is
/// insufficient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct MemberBudget {
    /// The amount allocated, in the smallest unit of the account's
    /// currency.
    pub amount: u64,
}

/// How many months of transactions method 3 must show (NOTE after §1.1.10).
pub const TRANSACTION_MONTHS: u8 = 6;

/// The verification methods the materials provide, of the three.
pub fn methods_provided(m: &RestorationMaterials) -> usize {
    [
        m.identity_document.is_some(),
        m.card_front,
        m.transaction_months >= TRANSACTION_MONTHS,
    ]
    .iter()
    .filter(|provided| **provided)
    .count()
}

/// Two of the three methods when a credit card is associated with the
/// account, the first (an identity document) otherwise.
pub fn verification_complete(card_bound: bool, m: &RestorationMaterials) -> bool {
    if card_bound {
        methods_provided(m) >= 2
    } else {
        m.identity_document.is_some()
    }
}

/// The material requirements: with a credit card bound, what was submitted
/// must match the card holder's personal information (requirements 1 and
/// 2), and transaction details submitted with an identity document must
/// show the personal information of that certificate (requirement 3);
/// without a card, the identity document stands alone.
pub fn materials_match(card_bound: bool, m: &RestorationMaterials) -> bool {
    if !card_bound {
        return true;
    }
    let transactions_with_certificate = m.transaction_months > 0 && m.identity_document.is_some();
    m.matches_card_holder && (!transactions_with_certificate || m.transactions_match_certificate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(doc: bool, card: bool, months: u8) -> RestorationMaterials {
        RestorationMaterials {
            identity_document: doc.then_some(IdentityDocument::Passport),
            card_front: card,
            transaction_months: months,
            matches_card_holder: true,
            transactions_match_certificate: true,
        }
    }

    /// Requirement 3 (NOTE after §1.1.10): transaction details submitted
    /// with an identity document must show the certificate's personal
    /// information; without the document, or without transactions, it is
    /// not asked.
    #[test]
    fn transactions_must_match_the_certificate_submitted_with_them() {
        let mut m = with(true, false, 6);
        assert!(materials_match(true, &m));
        m.transactions_match_certificate = false;
        assert!(!materials_match(true, &m));
        assert!(
            materials_match(false, &m),
            "no card: the document stands alone"
        );
        let card_and_transactions = RestorationMaterials {
            transactions_match_certificate: false,
            ..with(false, true, 6)
        };
        assert!(materials_match(true, &card_and_transactions));
    }

    #[test]
    fn with_a_card_bound_two_of_the_three_methods_verify() {
        assert!(!verification_complete(true, &with(true, false, 0)));
        assert!(verification_complete(true, &with(true, true, 0)));
        assert!(verification_complete(true, &with(false, true, 6)));
        assert!(verification_complete(true, &with(true, false, 6)));
        // Five months of transactions are not method 3.
        assert!(!verification_complete(true, &with(false, true, 5)));
        assert!(!verification_complete(true, &with(false, false, 12)));
    }

    #[test]
    fn without_a_card_the_identity_document_verifies() {
        assert!(verification_complete(false, &with(true, false, 0)));
        // The card's methods cannot stand in for the first.
        assert!(!verification_complete(false, &with(false, true, 6)));
    }

    #[test]
    fn with_a_card_the_materials_must_match_its_holder() {
        let mut m = with(true, true, 6);
        assert!(materials_match(true, &m));
        m.matches_card_holder = false;
        assert!(!materials_match(true, &m));
        assert!(materials_match(false, &m));
    }
}
