//! The rules the processes share, as plain functions and values: regions
//! and their calling codes, mobile numbers, passwords, verification codes,
//! email addresses and account types, the materials tables of 002
//! §1.1.17 ([`materials`]), and what pays besides a card: quota,
//! vouchers and coupons ([`coupons`]). Each cites the seed and section it
//! implements and is tested at its boundaries.
//!
//! The rules of one process live beside its data and are re-exported here:
//! [`sign_up`], [`partner_association`], [`phone_change`] and
//! [`service_closing`]. The guards of the workflows (`impl sign_up::Guards
//! for SignUp`, …) only pick the right fields and call these.

pub mod coupons;
pub mod materials;

pub use crate::account_restriction::rules as account_restriction;
pub use crate::partner_association::rules as partner_association;
pub use crate::phone_change::rules as phone_change;
pub use crate::service_closing::rules as service_closing;
pub use crate::sign_up::rules as sign_up;

use std::fmt;

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
    /// Russia: real-name authentication goes through the account manager
    /// and a paper agreement (002 §2.3).
    Russia,
}

impl Region {
    /// Every region, in declaration order.
    pub const ALL: [Region; 9] = [
        Region::ChineseMainland,
        Region::Turkiye,
        Region::Singapore,
        Region::HongKong,
        Region::Thailand,
        Region::Germany,
        Region::Brazil,
        Region::SouthAfrica,
        Region::Russia,
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
            Region::Russia => 7,
        }
    }
}

/// A mobile number in international form, such as `+65 9123 4567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// Whether an account is held by a person or a company (002 §3.1.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum AccountType {
    /// An individual account.
    Individual,
    /// An enterprise account.
    Enterprise,
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
    fn verification_code_must_match_what_was_sent() {
        assert!(VerificationCode::new("482913", "482913").verified());
        assert!(VerificationCode::new("482913", " 482913 ").verified());
        assert!(!VerificationCode::new("482913", "482914").verified());
        assert!(
            !VerificationCode::new("", "").verified(),
            "nothing was sent"
        );
    }
}
