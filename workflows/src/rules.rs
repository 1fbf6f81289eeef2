//! The rules of the account documents as plain functions and values, shared
//! by the four workflows' guards and tested at their boundaries.
//!
//! Each function cites the seed and section it implements. The guards of the
//! workflows (`impl sign_up::Guards for SignUp`, …) only pick the right
//! fields and call these.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

/// A country or region an account or a HUAWEI ID is registered in.
///
/// A short list: enough for the rules the documents state about regions
/// (the Chinese mainland and Türkiye are special) and for realistic examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Region {
    /// The Chinese mainland: served by Huawei Cloud (China), not by the International website.
    ChineseMainland,
    /// Türkiye: HUAWEI IDs registered here cannot enable Huawei Cloud services (003 step 2.1).
    Turkiye,
    /// Singapore.
    Singapore,
    /// Hong Kong (China).
    HongKong,
    /// Thailand.
    Thailand,
    /// Germany.
    Germany,
    /// Brazil.
    Brazil,
    /// South Africa.
    SouthAfrica,
}

impl Region {
    /// Every region, in declaration order.
    pub const ALL: [Region; 8] = [
        Region::ChineseMainland,
        Region::Turkiye,
        Region::Singapore,
        Region::HongKong,
        Region::Thailand,
        Region::Germany,
        Region::Brazil,
        Region::SouthAfrica,
    ];

    /// The international calling code of the region's mobile numbers.
    pub fn calling_code(self) -> u16 {
        match self {
            Region::ChineseMainland => 86,
            Region::Turkiye => 90,
            Region::Singapore => 65,
            Region::HongKong => 852,
            Region::Thailand => 66,
            Region::Germany => 49,
            Region::Brazil => 55,
            Region::SouthAfrica => 27,
        }
    }
}

/// A mobile number in international form, such as `+65 9123 4567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MobileNumber {
    calling_code: u16,
    subscriber: String,
}

/// Why a text is not a mobile number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MobileNumberError {
    /// It does not start with `+` and a calling code.
    MissingCallingCode,
    /// It has characters other than digits, spaces and dashes.
    InvalidCharacter(char),
    /// The subscriber part has fewer than 6 or more than 12 digits.
    WrongLength(usize),
}

impl fmt::Display for MobileNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MobileNumberError::MissingCallingCode => f.write_str(
                "a mobile number starts with `+` and the calling code, e.g. `+65 9123 4567`",
            ),
            MobileNumberError::InvalidCharacter(c) => {
                write!(
                    f,
                    "`{c}` cannot appear in a mobile number: use digits, spaces or dashes"
                )
            }
            MobileNumberError::WrongLength(n) => {
                write!(
                    f,
                    "the number has {n} digits after the calling code; expected 6 to 12"
                )
            }
        }
    }
}

impl std::error::Error for MobileNumberError {}

/// The calling codes of [`Region`], longest first so `+852` is not read as `+85`.
fn known_calling_code(digits: &str) -> Option<(u16, &str)> {
    (1..=3).rev().find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        let known = Region::ALL.iter().any(|r| r.calling_code() == code);
        known.then(|| (code, &digits[len..]))
    })
}

impl MobileNumber {
    /// Reads `+<calling code> <subscriber>`; spaces and dashes are ignored.
    pub fn parse(text: &str) -> Result<MobileNumber, MobileNumberError> {
        let rest = text
            .trim()
            .strip_prefix('+')
            .ok_or(MobileNumberError::MissingCallingCode)?;
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                other => return Err(MobileNumberError::InvalidCharacter(other)),
            }
        }
        let (calling_code, subscriber) =
            known_calling_code(&digits).ok_or(MobileNumberError::MissingCallingCode)?;
        if !(6..=12).contains(&subscriber.len()) {
            return Err(MobileNumberError::WrongLength(subscriber.len()));
        }
        Ok(MobileNumber {
            calling_code,
            subscriber: subscriber.to_string(),
        })
    }

    /// The international calling code.
    pub fn calling_code(&self) -> u16 {
        self.calling_code
    }
}

impl fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{} {}", self.calling_code, self.subscriber)
    }
}

/// 002 §3.1.5: the mobile number must belong to the account's registration
/// country/region.
pub fn mobile_in_region(mobile: &MobileNumber, region: Region) -> bool {
    mobile.calling_code == region.calling_code()
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

/// 003 step 2.4: at least eight characters, both letters and digits, no spaces.
pub fn password_valid(password: &str) -> bool {
    password.chars().count() >= 8
        && password.chars().any(char::is_alphabetic)
        && password.chars().any(|c| c.is_ascii_digit())
        && !password.chars().any(char::is_whitespace)
}

/// A verification code sent by email or SMS, and what the user typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VerificationCode {
    /// The code that was sent; empty when none was sent yet.
    pub sent: String,
    /// The code the user entered.
    pub entered: String,
}

impl VerificationCode {
    /// A code that was sent and entered as `entered`.
    pub fn new(sent: &str, entered: &str) -> Self {
        VerificationCode {
            sent: sent.to_string(),
            entered: entered.to_string(),
        }
    }

    /// A code was sent and the user entered exactly it (surrounding spaces aside).
    pub fn verified(&self) -> bool {
        !self.sent.is_empty() && self.sent == self.entered.trim()
    }
}

/// The form of an email address the one-account rule compares: trimmed and
/// lower-cased, so `Alice@Example.com` and `alice@example.com ` are one address.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
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

/// Seven days, the longest a customer may have been registered for and
/// still be associated with a partner (004 precautions).
pub const SEVEN_DAYS: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// 004 precautions: refused when registered for *more* than seven days or
/// with cash expenditure records; exactly seven days is still allowed.
pub fn new_without_cash_expenditure(
    registered_for: Duration,
    cash_expenditure_records: u32,
) -> bool {
    registered_for <= SEVEN_DAYS && cash_expenditure_records == 0
}

/// Whether an account is held by a person or a company (002 §3.1.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AccountType {
    /// An individual account.
    Individual,
    /// An enterprise account.
    Enterprise,
}

/// 002 §3.1.16: an Individual account may change to Enterprise before
/// real-name authentication; an Enterprise account never becomes Individual.
pub fn may_change_to_enterprise(account_type: AccountType, real_name_authenticated: bool) -> bool {
    account_type == AccountType::Individual && !real_name_authenticated
}

/// 002 §1.1.13: what lets an account without a card subscribe to services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Funding {
    /// An expenditure quota is granted.
    pub expenditure_quota: bool,
    /// A voucher is available.
    pub voucher: bool,
    /// A test coupon is available.
    pub test_coupon: bool,
    /// The account is a reseller's customer.
    pub reseller_customer: bool,
}

impl Funding {
    /// 002 §1.1.13: any one of them is enough.
    pub fn any(self) -> bool {
        self.expenditure_quota || self.voucher || self.test_coupon || self.reseller_customer
    }
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

    #[test]
    fn password_needs_eight_characters() {
        assert!(!password_valid("abcd123"), "7 characters");
        assert!(password_valid("abcd1234"), "8 characters");
        assert!(password_valid("Grüße123"), "8 characters, not 8 bytes");
        assert!(!password_valid("Grüß12"), "6 characters though 8 bytes");
    }

    #[test]
    fn password_needs_letters_and_digits_and_no_spaces() {
        assert!(!password_valid("abcdefgh"), "no digit");
        assert!(!password_valid("12345678"), "no letter");
        assert!(!password_valid("abcd 1234"), "a space");
        assert!(!password_valid("abcd\t1234"), "a tab");
        assert!(password_valid("a1b2c3d4e5"));
    }

    #[test]
    fn mobile_number_parses_the_calling_code() {
        let sg = MobileNumber::parse("+65 9123 4567").unwrap();
        assert_eq!(sg.calling_code(), 65);
        assert_eq!(sg.to_string(), "+65 91234567");
        let hk = MobileNumber::parse("+852 5123-4567").unwrap();
        assert_eq!(hk.calling_code(), 852, "the longest known code wins");
        assert_eq!(
            MobileNumber::parse("91234567"),
            Err(MobileNumberError::MissingCallingCode)
        );
        assert_eq!(
            MobileNumber::parse("+65 9123x4567"),
            Err(MobileNumberError::InvalidCharacter('x'))
        );
        assert_eq!(
            MobileNumber::parse("+65 12345"),
            Err(MobileNumberError::WrongLength(5))
        );
        assert!(
            MobileNumber::parse("+65 123456").is_ok(),
            "6 digits is enough"
        );
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
    fn verification_code_must_match_what_was_sent() {
        assert!(VerificationCode::new("482913", "482913").verified());
        assert!(VerificationCode::new("482913", " 482913 ").verified());
        assert!(!VerificationCode::new("482913", "482914").verified());
        assert!(
            !VerificationCode::new("", "").verified(),
            "nothing was sent"
        );
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
    fn exactly_seven_days_is_still_new() {
        let day = Duration::from_secs(24 * 60 * 60);
        assert!(new_without_cash_expenditure(Duration::ZERO, 0));
        assert!(
            new_without_cash_expenditure(7 * day, 0),
            "exactly seven days"
        );
        assert!(!new_without_cash_expenditure(
            7 * day + Duration::from_secs(1),
            0
        ));
        assert!(!new_without_cash_expenditure(8 * day, 0));
        assert!(
            !new_without_cash_expenditure(day, 1),
            "one cash expenditure record"
        );
    }

    #[test]
    fn only_an_unauthenticated_individual_may_become_enterprise() {
        assert!(may_change_to_enterprise(AccountType::Individual, false));
        assert!(!may_change_to_enterprise(AccountType::Individual, true));
        assert!(!may_change_to_enterprise(AccountType::Enterprise, false));
    }

    #[test]
    fn any_funding_lets_an_account_subscribe_without_a_card() {
        assert!(!Funding::default().any());
        for funding in [
            Funding {
                expenditure_quota: true,
                ..Funding::default()
            },
            Funding {
                voucher: true,
                ..Funding::default()
            },
            Funding {
                test_coupon: true,
                ..Funding::default()
            },
            Funding {
                reseller_customer: true,
                ..Funding::default()
            },
        ] {
            assert!(funding.any(), "{funding:?}");
        }
    }

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
