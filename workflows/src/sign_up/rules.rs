//! The rules of sign-up (seed 003; 002 §1.1.13, §2.2, §3.1.5, §3.1.8,
//! §3.1.14, §3.1.16), tested at their boundaries.

use std::collections::BTreeSet;

use crate::rules::{normalize_email, AccountType, MobileNumber, Region};

/// 002 §3.1.5: the mobile number must belong to the account's registration
/// country/region.
pub fn mobile_in_region(mobile: &MobileNumber, region: Region) -> bool {
    mobile.calling_code() == region.calling_code()
}

/// 002 §3.1.14, §1.2.3: the Chinese mainland cannot be selected on the
/// International website.
pub fn selectable_on_international_site(region: Region) -> bool {
    region != Region::ChineseMainland
}

/// 003 step 2.1: HUAWEI IDs registered in Türkiye cannot enable Huawei Cloud services.
pub fn may_enable_services(region: Region) -> bool {
    region != Region::Turkiye
}

/// 002 §1.2.4, §3.1.8: one email address registers one account and enables
/// services only once.
pub fn email_unused(email: &str, in_use: &BTreeSet<String>) -> bool {
    let email = normalize_email(email);
    !email.is_empty() && !in_use.contains(&email)
}

/// 002 §2.2: services only for adults above the age of 18. We read "above
/// the age of 18" as 18 or older, the usual age of majority.
pub const ADULT_AGE: u8 = 18;

/// 002 §2.2: a minor cannot get an account authenticated.
pub fn is_adult(age_years: u8) -> bool {
    age_years >= ADULT_AGE
}

/// 002 §3.1.16: an Individual account may change to Enterprise before
/// real-name authentication; an Enterprise account never becomes Individual.
pub fn may_change_to_enterprise(account_type: AccountType, real_name_authenticated: bool) -> bool {
    account_type == AccountType::Individual && !real_name_authenticated
}

/// An enterprise's information: entered for an Enterprise account (003
/// step 5.2), given on the TIN ticket (002 §3.1.7), or when an Individual
/// account changes to Enterprise (002 §3.1.16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EnterpriseInformation {
    /// The tax identification number.
    pub tin: String,
    /// The enterprise name.
    pub name: String,
    /// The enterprise address.
    pub address: String,
    /// The city.
    pub city: String,
    /// The state or province.
    pub state_province: String,
    /// The postal code.
    pub postal_code: String,
}

/// The service ticket of 002 §3.1.7 (User Account > Other), for an
/// enterprise whose information a TIN did not fill in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TinTicket {
    /// What the ticket gives: every field of [`EnterpriseInformation`].
    pub enterprise: EnterpriseInformation,
}

impl TinTicket {
    /// 002 §3.1.7: the TIN, enterprise name, enterprise address, city,
    /// state/province and postal code are all filled in (blank counts as
    /// missing).
    pub fn complete(&self) -> bool {
        let e = &self.enterprise;
        [
            &e.tin,
            &e.name,
            &e.address,
            &e.city,
            &e.state_province,
            &e.postal_code,
        ]
        .iter()
        .all(|field| !field.trim().is_empty())
    }
}

/// A change of the tenant's country/region through the account manager
/// (002 §1.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TenantRegionChange {
    /// The country/region the tenant changes to.
    pub region: Region,
    /// Where the identity certificate provided was issued: it must be the
    /// new country/region.
    pub certificate_issued_in: Region,
}

/// 002 §1.1.13: what lets an account without a card subscribe to
/// services; one owner with the other coupons' rules,
/// [`crate::rules::coupons`].
pub use crate::rules::coupons::Funding;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tin_ticket_needs_all_six_fields() {
        let full = TinTicket {
            enterprise: EnterpriseInformation {
                tin: "201912345K".into(),
                name: "Tanjong Labs".into(),
                address: "1 Tanjong Pagar Road".into(),
                city: "Singapore".into(),
                state_province: "Singapore".into(),
                postal_code: "088539".into(),
            },
        };
        assert!(full.complete());
        // Each field left blank, or only spaces, in turn.
        for field in 0..6 {
            for blank in ["", "  "] {
                let mut t = full.clone();
                let e = &mut t.enterprise;
                *[
                    &mut e.tin,
                    &mut e.name,
                    &mut e.address,
                    &mut e.city,
                    &mut e.state_province,
                    &mut e.postal_code,
                ][field] = blank.into();
                assert!(!t.complete(), "field {field} blank");
            }
        }
    }

    #[test]
    fn mobile_number_must_be_of_the_registration_region() {
        let sg = MobileNumber::parse("+65 9123 4567").unwrap();
        assert!(mobile_in_region(&sg, Region::Singapore));
        assert!(!mobile_in_region(&sg, Region::Thailand));
        let de = MobileNumber::parse("+49 1512 3456789").unwrap();
        assert!(mobile_in_region(&de, Region::Germany));
        assert!(!mobile_in_region(&de, Region::Singapore));
    }

    #[test]
    fn region_rules_of_the_international_site() {
        assert!(!selectable_on_international_site(Region::ChineseMainland));
        assert!(selectable_on_international_site(Region::Turkiye));
        assert!(!may_enable_services(Region::Turkiye));
        assert!(may_enable_services(Region::Singapore));
    }

    #[test]
    fn one_email_one_account_whatever_the_case() {
        let in_use: BTreeSet<String> = ["alice@example.com".to_string()].into();
        assert!(!email_unused("alice@example.com", &in_use));
        assert!(!email_unused(" Alice@Example.COM", &in_use));
        assert!(email_unused("bob@example.com", &in_use));
        assert!(!email_unused("  ", &in_use), "no address at all");
    }

    #[test]
    fn adult_from_eighteen() {
        assert!(!is_adult(17));
        assert!(is_adult(18));
        assert!(is_adult(19));
    }

    #[test]
    fn only_an_unauthenticated_individual_may_become_enterprise() {
        assert!(may_change_to_enterprise(AccountType::Individual, false));
        assert!(!may_change_to_enterprise(AccountType::Individual, true));
        assert!(!may_change_to_enterprise(AccountType::Enterprise, false));
    }
}
