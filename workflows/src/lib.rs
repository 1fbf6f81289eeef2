//! The four reference workflows of turnstile, modelled rule by rule on a
//! cloud provider's account documentation (see `docs/diagrams/` for their
//! diagrams):
//!
//! - `sign_up.toml`: register a HUAWEI ID, enable services, complete information;
//! - `account_upgrade.toml`: a legacy Huawei Cloud account becomes a HUAWEI ID;
//! - `phone_change.toml`: change the phone number by disassociating the ID;
//! - `partner_association.toml`: associate with a partner, if eligible.
//!
//! Each definition is checked by `turnstile check workflows` and by the
//! tests of this crate.
#![forbid(unsafe_code)]

/// The definitions' file names, relative to this crate's folder.
pub const DEFINITIONS: [&str; 4] = [
    "sign_up.toml",
    "account_upgrade.toml",
    "phone_change.toml",
    "partner_association.toml",
];
