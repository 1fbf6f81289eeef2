//! The materials tables of 002 §1.1.17, row by row: what an account must
//! provide to after-sales staff to prove it is its holder's, and the
//! staff's verdict on the materials. One owner for the two processes that
//! ask for them: the phone change, when its disassociation ticket meets
//! security risks (§1.1.14 step 1), and the details change, whose whole
//! process §1.1.17 is.

use std::collections::BTreeSet;

use crate::rules::AccountType;

/// After-sales' verdict on a ticket and its materials (002 §1.1.14 step 1,
/// §1.1.17): "The personnel will determine whether to approve your request
/// based on the materials you provided. If they think the provided
/// materials are not enough to confirm your identity, you will be required
/// to provide more materials."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Verdict {
    /// Approved.
    Approved,
    /// The materials are not enough to confirm the identity: more must be
    /// provided (as many times as the staff ask).
    MoreMaterials,
    /// Rejected.
    Rejected,
}

/// The kind of customer whose account details change (002 §1.1.17 tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CustomerType {
    /// A direct sales customer.
    DirectSales,
    /// A customer of a reseller.
    Reseller,
    /// A Huawei Cloud partner.
    Partner,
}

/// A material the after-sales staff may ask for (002 §1.1.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Material {
    /// The real-name authentication certificate.
    RealNameCertificate,
    /// The last 3 transaction records (invoices, payment records, bank transfers).
    LastThreeTransactionRecords,
    /// Credit card details: the card holder's certificate and the card's front side.
    CreditCardDetails,
    /// The authorization letter (stamped with the official seal and/or signed).
    AuthorizationLetter,
    /// The credit card holder's certificate, the same as for real-name authentication.
    CardHolderCertificate,
    /// The front of the credit card (first 6 and last 4 digits, bank, holder).
    FrontOfCard,
    /// Huawei Cloud consumption proof for the last 3 consecutive months.
    ConsumptionProof,
    /// The payment bank account's company certificate.
    BankAccountCertificate,
    /// The payment bank account name and number.
    BankAccountDetails,
    /// Bank transfer proof for the last 3 consecutive months.
    BankTransferProof,
    /// The original mobile number.
    OriginalMobileNumber,
    /// The email address.
    EmailAddress,
    /// The user or enterprise name and the contact address.
    NameAndContactAddress,
    /// The name and date of the cloud service provisioned last.
    LastProvisionedService,
    /// The email proving that the partner agreed.
    PartnerConsentEmail,
    /// The partner authorization letter and partner certificate materials.
    PartnerAuthorization,
    /// Consumption proof, invoices, bills and payment records.
    ConsumptionInvoicesAndBills,
}

impl Material {
    /// Every material, in declaration order.
    pub const ALL: [Material; 17] = [
        Material::RealNameCertificate,
        Material::LastThreeTransactionRecords,
        Material::CreditCardDetails,
        Material::AuthorizationLetter,
        Material::CardHolderCertificate,
        Material::FrontOfCard,
        Material::ConsumptionProof,
        Material::BankAccountCertificate,
        Material::BankAccountDetails,
        Material::BankTransferProof,
        Material::OriginalMobileNumber,
        Material::EmailAddress,
        Material::NameAndContactAddress,
        Material::LastProvisionedService,
        Material::PartnerConsentEmail,
        Material::PartnerAuthorization,
        Material::ConsumptionInvoicesAndBills,
    ];
}

/// What 002 §1.1.17 looks at to decide the materials an account must provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AccountProfile {
    /// Direct sales, reseller customer or partner.
    pub customer: CustomerType,
    /// Whether real-name authentication is completed.
    pub real_name_authenticated: bool,
    /// Individual or enterprise.
    pub account_type: AccountType,
    /// Whether a credit card was added.
    pub card_added: bool,
    /// Whether actual payments were made.
    pub payments_made: bool,
    /// Whether a mobile number was given at registration.
    pub registered_with_mobile: bool,
}

/// 002 §1.1.17, table by table: the materials an account must provide, or
/// `None` where the tables have no row (an individual account without a card
/// that made payments; the note says to contact the account manager).
pub fn required_materials(profile: &AccountProfile) -> Option<BTreeSet<Material>> {
    use Material::*;
    let enterprise = profile.account_type == AccountType::Enterprise;
    let mut needed = BTreeSet::new();
    match profile.customer {
        CustomerType::Partner => {
            needed.extend([PartnerAuthorization, ConsumptionInvoicesAndBills]);
        }
        CustomerType::Reseller if profile.real_name_authenticated => {
            needed.extend([
                RealNameCertificate,
                PartnerConsentEmail,
                AuthorizationLetter,
            ]);
        }
        CustomerType::Reseller => {
            needed.extend([
                OriginalMobileNumber,
                EmailAddress,
                NameAndContactAddress,
                LastProvisionedService,
                PartnerConsentEmail,
                AuthorizationLetter,
            ]);
        }
        CustomerType::DirectSales if profile.real_name_authenticated => {
            needed.extend([RealNameCertificate, LastThreeTransactionRecords]);
            if profile.card_added {
                needed.insert(CreditCardDetails);
            }
            if enterprise {
                needed.insert(AuthorizationLetter);
            }
        }
        CustomerType::DirectSales if profile.card_added => {
            needed.extend([CardHolderCertificate, FrontOfCard, ConsumptionProof]);
            if enterprise {
                needed.insert(AuthorizationLetter);
            }
        }
        CustomerType::DirectSales if profile.payments_made => {
            if !enterprise {
                return None;
            }
            needed.extend([
                BankAccountCertificate,
                BankAccountDetails,
                BankTransferProof,
                AuthorizationLetter,
            ]);
        }
        CustomerType::DirectSales => {
            needed.extend([EmailAddress, NameAndContactAddress]);
            if profile.registered_with_mobile {
                needed.insert(OriginalMobileNumber);
            }
        }
    }
    Some(needed)
}

/// 002 §1.1.17: the materials provided include every one required.
pub fn materials_complete(profile: &AccountProfile, provided: &BTreeSet<Material>) -> bool {
    required_materials(profile).is_some_and(|needed| needed.is_subset(provided))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(
        real_name: bool,
        account_type: AccountType,
        card: bool,
        paid: bool,
    ) -> AccountProfile {
        AccountProfile {
            customer: CustomerType::DirectSales,
            real_name_authenticated: real_name,
            account_type,
            card_added: card,
            payments_made: paid,
            registered_with_mobile: true,
        }
    }

    fn set(materials: &[Material]) -> BTreeSet<Material> {
        materials.iter().copied().collect()
    }

    #[test]
    fn materials_follow_the_tables_row_by_row() {
        use AccountType::*;
        use Material::*;
        let rows = [
            (
                direct(true, Individual, true, true),
                Some(set(&[
                    RealNameCertificate,
                    LastThreeTransactionRecords,
                    CreditCardDetails,
                ])),
            ),
            (
                direct(true, Individual, false, true),
                Some(set(&[RealNameCertificate, LastThreeTransactionRecords])),
            ),
            (
                direct(true, Enterprise, false, true),
                Some(set(&[
                    RealNameCertificate,
                    LastThreeTransactionRecords,
                    AuthorizationLetter,
                ])),
            ),
            (
                direct(false, Individual, true, true),
                Some(set(&[CardHolderCertificate, FrontOfCard, ConsumptionProof])),
            ),
            (
                direct(false, Enterprise, true, true),
                Some(set(&[
                    CardHolderCertificate,
                    FrontOfCard,
                    ConsumptionProof,
                    AuthorizationLetter,
                ])),
            ),
            (
                direct(false, Enterprise, false, true),
                Some(set(&[
                    BankAccountCertificate,
                    BankAccountDetails,
                    BankTransferProof,
                    AuthorizationLetter,
                ])),
            ),
            (direct(false, Individual, false, true), None),
            (
                direct(false, Individual, false, false),
                Some(set(&[
                    OriginalMobileNumber,
                    EmailAddress,
                    NameAndContactAddress,
                ])),
            ),
            (
                AccountProfile {
                    registered_with_mobile: false,
                    ..direct(false, Enterprise, false, false)
                },
                Some(set(&[EmailAddress, NameAndContactAddress])),
            ),
        ];
        for (profile, expected) in rows {
            assert_eq!(required_materials(&profile), expected, "{profile:?}");
        }
    }

    #[test]
    fn resellers_and_partners_have_their_own_tables() {
        use Material::*;
        let reseller = AccountProfile {
            customer: CustomerType::Reseller,
            ..direct(true, AccountType::Individual, true, true)
        };
        assert_eq!(
            required_materials(&reseller),
            Some(set(&[
                RealNameCertificate,
                PartnerConsentEmail,
                AuthorizationLetter
            ]))
        );
        let unauthenticated = AccountProfile {
            real_name_authenticated: false,
            ..reseller
        };
        assert_eq!(
            required_materials(&unauthenticated),
            Some(set(&[
                OriginalMobileNumber,
                EmailAddress,
                NameAndContactAddress,
                LastProvisionedService,
                PartnerConsentEmail,
                AuthorizationLetter
            ]))
        );
        let partner = AccountProfile {
            customer: CustomerType::Partner,
            ..reseller
        };
        assert_eq!(
            required_materials(&partner),
            Some(set(&[PartnerAuthorization, ConsumptionInvoicesAndBills]))
        );
    }

    #[test]
    fn materials_complete_needs_every_one_and_a_row() {
        use Material::*;
        let profile = direct(true, AccountType::Individual, false, true);
        assert!(
            !materials_complete(&profile, &set(&[RealNameCertificate])),
            "one missing"
        );
        assert!(materials_complete(
            &profile,
            &set(&[RealNameCertificate, LastThreeTransactionRecords])
        ));
        assert!(
            materials_complete(
                &profile,
                &set(&[
                    RealNameCertificate,
                    LastThreeTransactionRecords,
                    FrontOfCard
                ])
            ),
            "more than needed is fine"
        );
        let no_row = direct(false, AccountType::Individual, false, true);
        let everything: BTreeSet<Material> = Material::ALL.into();
        assert!(
            !materials_complete(&no_row, &everything),
            "no row: ask the account manager"
        );
    }
}
